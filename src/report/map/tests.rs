//! Tests of [`super`]: the map's unit tests, kept apart so the module reads on its own.

use super::*;

/// `per` unit vectors around each of `groups` random centres in `dim` dimensions.
fn clusters(groups: usize, per: usize, dim: usize, seed: u64) -> Array2<f32> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let centres = Array2::from_shape_simple_fn((groups, dim), || uniform(&mut rng) - 0.5);
    let mut v =
        Array2::from_shape_fn((groups * per, dim), |(i, j)| centres[[i / per, j]] + 0.15 * (uniform(&mut rng) - 0.5));
    for mut row in v.rows_mut() {
        let norm = row.dot(&row).sqrt();
        row /= norm;
    }
    v
}

#[test]
fn nearest_matches_a_full_sort_and_leaves_each_row_out() {
    let v = clusters(3, 40, 16, 1);
    let found = nearest(v.view(), 5);
    for i in [0, 57, 119] {
        let mut all: Vec<(usize, f32)> =
            (0..v.nrows()).filter(|&j| j != i).map(|j| (j, v.row(i).dot(&v.row(j)))).collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let (index, distance) = found.of(i);
        assert_eq!(
            index.iter().map(|&j| j as usize).collect::<Vec<_>>(),
            all[..5].iter().map(|a| a.0).collect::<Vec<_>>()
        );
        assert!((distance[0] - (2.0 - 2.0 * all[0].1).sqrt()).abs() < 1e-4);
        assert!(distance.windows(2).all(|w| w[0] <= w[1]), "nearest first");
    }
}

#[test]
fn nearby_cells_find_most_true_neighbours() {
    let v = clusters(30, 40, 32, 4);
    let exact = nearest(v.view(), 10);
    let cells = nearest_in_cells(v.view(), 10, 1);
    assert_eq!(cells, nearest_in_cells(v.view(), 10, 1), "deterministic for a seed");
    let kept: usize = (0..v.nrows()).map(|r| cells.of(r).0.iter().filter(|j| exact.of(r).0.contains(j)).count()).sum();
    let recall = kept as f64 / (10 * v.nrows()) as f64;
    assert!(recall > 0.9, "recall {recall:.3}");
    assert!((0..v.nrows()).all(|r| !cells.of(r).0.contains(&(r as u32))), "no row is its own neighbour");
}

#[test]
fn fuzzy_graph_is_symmetric_with_weights_in_the_unit_interval() {
    let v = clusters(2, 30, 8, 2);
    let edges = fuzzy_graph(&nearest(v.view(), 6));
    assert!(edges.iter().all(|e| e.a < e.b && e.weight > 0.0 && e.weight <= 1.0), "one edge per pair, a < b");
    assert!(edges.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)), "no pair twice");
    // Every row's nearest neighbour is tied to it with full strength.
    let nn = nearest(v.view(), 1);
    for row in 0..v.nrows() {
        let j = nn.index[row];
        let (a, b) = (row.min(j as usize) as u32, row.max(j as usize) as u32);
        let e = edges.iter().find(|e| e.a == a && e.b == b).unwrap();
        assert!((e.weight - 1.0).abs() < 1e-6);
    }
}

#[test]
fn the_map_keeps_neighbours_better_than_pca_and_is_the_same_for_a_seed() {
    let v = clusters(20, 20, 48, 3);
    let map = layout(v.view(), 7);
    assert_eq!(map, layout(v.view(), 7), "deterministic for a seed");
    assert_ne!(map, layout(v.view(), 8), "the seed drives the samples");
    let quality = quality(v.view(), &map).unwrap();
    let (ours, theirs) = (quality.map, quality.pca);
    let all: Vec<usize> = (0..v.nrows()).collect();
    assert!((trustworthiness(v.view(), &map, 15, &all) - ours).abs() < 1e-12, "all 400 rows measured");
    assert!(ours > 0.95 && 1.0 - ours < (1.0 - theirs) / 2.0, "map {ours:.3} loses less than half PCA's {theirs:.3}");
    // Each cluster is one island: its median lies among its own points, not between clusters.
    let groups: Vec<usize> = (0..v.nrows()).map(|i| i / 20).collect();
    let centre = centres(&map, &groups, 20);
    for (g, c) in centre.iter().enumerate() {
        let c = c.unwrap();
        let nearest = (0..map.len()).min_by(|&a, &b| distance2(map[a], c).total_cmp(&distance2(map[b], c))).unwrap();
        assert_eq!(groups[nearest], g, "cluster {g}'s centre sits among its own pages");
    }
}

#[test]
fn trustworthiness_is_one_for_a_faithful_layout_and_lower_for_a_shuffled_one() {
    // Points on a circle, vectors the same circle in 2 of 3 dimensions.
    let n = 60;
    let angle = |i: usize| i as f32 * std::f32::consts::TAU / n as f32;
    let unit = Array2::from_shape_fn((n, 3), |(i, j)| [angle(i).cos(), angle(i).sin(), 0.0][j]);
    let faithful: Vec<[f32; 2]> = (0..n).map(|i| [angle(i).cos(), angle(i).sin()]).collect();
    // k even: both sides of each point, no tie at the edge of the neighbourhood.
    let all: Vec<usize> = (0..n).collect();
    assert!((trustworthiness(unit.view(), &faithful, 4, &all) - 1.0).abs() < 1e-9);
    let shuffled: Vec<[f32; 2]> = (0..n).map(|i| faithful[(i * 17) % n]).collect();
    assert!(trustworthiness(unit.view(), &shuffled, 4, &all) < 0.8);
    let some: Vec<usize> = (0..n).step_by(3).collect();
    assert!((trustworthiness(unit.view(), &faithful, 4, &some) - 1.0).abs() < 1e-9, "a sample of rows");
}

#[test]
fn tiny_inputs_are_laid_on_a_line() {
    assert_eq!(layout(Array2::<f32>::zeros((0, 4)).view(), 1), Vec::<[f32; 2]>::new());
    assert_eq!(layout(Array2::<f32>::ones((2, 4)).view(), 1), vec![[0.0, 0.0], [1.0, 0.0]]);
}

#[test]
fn degenerate_inputs_are_laid_out_without_panicking() {
    // One column, identical rows, a row with an infinite value.
    let one_column = Array2::from_shape_fn((6, 1), |(i, _)| i as f32 + 1.0);
    assert_eq!(layout(one_column.view(), 1).len(), 6);
    let same = Array2::<f32>::ones((5, 3));
    assert_eq!(layout(same.view(), 1).len(), 5);
    let mut broken = clusters(2, 5, 4, 5);
    broken[[3, 1]] = f32::INFINITY;
    assert!(layout(broken.view(), 1).iter().flatten().all(|c| c.is_finite()));
    assert_eq!(nearest(clusters(2, 5, 4, 6).view(), 0).index, Vec::<u32>::new());
}

#[test]
fn one_dominant_cell_is_searched_a_block_at_a_time_with_k_neighbours_each() {
    // 600 near-identical rows and a few others: one cell holds most of them.
    let mut v = Array2::from_shape_fn((620, 8), |(i, j)| {
        if i < 600 {
            1.0 + 1e-3 * ((i * 7 + j) % 13) as f32
        } else {
            ((i * j) % 5) as f32 - 2.0
        }
    });
    for mut row in v.rows_mut() {
        let norm = row.dot(&row).sqrt();
        row /= norm;
    }
    let found = nearest_in_cells(v.view(), 5, 2);
    assert_eq!(found.index.len(), 620 * 5);
    for r in 0..620 {
        let (index, _) = found.of(r);
        let mut unique = index.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 5, "row {r}: five different neighbours {index:?}");
        assert!(!index.contains(&(r as u32)));
    }
}
