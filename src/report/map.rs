//! The document map: a 2-D layout of the document vectors that keeps neighbourhoods, so that a
//! theme's pages sit together and its label can be written at their centre. It is UMAP
//! (McInnes, Healy & Melville, 2018) as umap-learn computes it: each page's nearest neighbours,
//! a fuzzy graph of them, and a layout pulled along the graph's edges and pushed apart by
//! negative samples. The PCA it replaces keeps the two directions of largest variance, and with
//! 384 dimensions of nearly equal spread that put every theme on top of every other.
//!
//! Written here rather than taken from a crate: umap-rs draws its negative samples from the
//! thread's unseeded generator and updates from several threads in no fixed order (two runs, two
//! maps), and linfa-tsne (bhtsne) finds neighbours with a vantage-point tree, slower than one
//! matrix product at 384 dimensions, then runs 1,000 single-threaded iterations. Here the
//! neighbours come from blocked products on every core, and the layout is one seeded, sequential
//! descent: the same vectors give the same map. `cargo bench --bench throughput -- map` prints its
//! cost at 10k and 100k documents and how well it keeps neighbours against PCA.

use ndarray::{s, Array2, ArrayView2, Axis};
use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// Neighbours each page is tied to (umap-learn's `n_neighbors` counts the page itself: 15).
const NEIGHBOURS: usize = 14;
/// Negative samples drawn for every positive one (umap-learn's `negative_sample_rate`).
const NEGATIVE_RATE: f64 = 5.0;
/// The attraction curve 1 / (1 + a·d^2b) that umap-learn fits for `min_dist` 0.1 and `spread` 1:
/// fixed settings, so the fit is written down rather than redone on every run.
const A: f32 = 1.576_943_5;
const B: f32 = 0.895_060_9;
/// umap-learn's bound on one coordinate's step.
const CLIP: f32 = 4.0;
/// The layout's box before descent, as umap-learn scales its initial coordinates.
const INITIAL_SPAN: f32 = 10.0;
/// Rows of the similarity products done at a time: a block of this many rows against 100k
/// documents is 100 MB per thread.
const BLOCK: usize = 256;

/// Seed of the map's negative samples and of the jitter that parts identical pages.
pub const MAP_SEED: u64 = 42;

/// Each row's nearest other rows by cosine similarity, as Euclidean distances between unit
/// vectors (√(2 − 2·cos)), nearest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbours {
    /// Neighbours per row.
    pub k: usize,
    /// `k` row indices per row, row-major.
    pub index: Vec<u32>,
    pub distance: Vec<f32>,
}

impl Neighbours {
    pub fn of(&self, row: usize) -> (&[u32], &[f32]) {
        let span = row * self.k..(row + 1) * self.k;
        (&self.index[span.clone()], &self.distance[span])
    }
}

/// Up to this many rows, neighbours are found exactly ([`nearest`]); beyond, among the rows of
/// nearby cells ([`nearest_in_cells`]): the exact search grows with the square of the rows and
/// took most of a minute at 100k.
const EXACT_ROWS: usize = 20_000;
/// Cells searched for each row's neighbours beyond [`EXACT_ROWS`]: its own and the nearest others.
const CELLS_SEARCHED: usize = 8;

/// The `k` nearest other rows of every row of `unit` (unit rows: cosine is a dot product), by
/// brute force: blocks of rows against all rows, each block one matrix product, blocks on every
/// core. Exact, and at 384 dimensions faster than a tree.
pub fn nearest(unit: ArrayView2<f32>, k: usize) -> Neighbours {
    let n = unit.nrows();
    let k = k.min(n.saturating_sub(1));
    let all: Vec<u32> = (0..n as u32).collect();
    let starts: Vec<usize> = (0..n).step_by(BLOCK).collect();
    let blocks: Vec<Vec<(u32, f32)>> = starts
        .into_par_iter()
        .map(|r0| {
            let rows: Vec<u32> = (r0 as u32..(r0 + BLOCK).min(n) as u32).collect();
            among(unit, &rows, unit, &all, k)
        })
        .collect();
    neighbours(blocks, k)
}

/// The `k` most similar of `candidates` (rows of `pool`, their global numbers) for each of
/// `rows` (rows of `unit`, by global number, which is left out of its own list).
fn among(unit: ArrayView2<f32>, rows: &[u32], pool: ArrayView2<f32>, candidates: &[u32], k: usize) -> Vec<(u32, f32)> {
    let queries = unit.select(Axis(0), &rows.iter().map(|&r| r as usize).collect::<Vec<_>>());
    // Row-major whatever the operands' strides (one column gives a column-major product).
    let similarity = queries.dot(&pool.t()).as_standard_layout().into_owned();
    let mut found = Vec::with_capacity(rows.len() * k);
    for (&own, row) in rows.iter().zip(similarity.rows()) {
        let kept = best(row.as_slice().expect("a standard-layout array's rows are contiguous"), candidates, own, k);
        debug_assert_eq!(kept.len(), k, "at least k candidates besides the row itself");
        found.extend(kept);
    }
    found
}

/// Blocks of (neighbour, similarity) lists, in row order, as [`Neighbours`].
fn neighbours(blocks: Vec<Vec<(u32, f32)>>, k: usize) -> Neighbours {
    let (index, distance) = blocks.into_iter().flatten().map(|(j, s)| (j, (2.0 - 2.0 * s).max(0.0).sqrt())).unzip();
    Neighbours { k, index, distance }
}

/// A cell's rows and their neighbour lists, `k` (row, similarity) pairs each.
type CellRows = (Vec<u32>, Vec<(u32, f32)>);

/// Each row's `k` nearest among the rows of the [`CELLS_SEARCHED`] cells nearest its own, the
/// cells being a seeded k-means of √n centres (the inverted-file search of vector databases):
/// every step is a matrix product, about 20x fewer than the exact search's at 100k rows. How
/// many true neighbours it keeps is printed by the map benchmark.
pub fn nearest_in_cells(unit: ArrayView2<f32>, k: usize, seed: u64) -> Neighbours {
    let n = unit.nrows();
    let k = k.min(n.saturating_sub(1));
    let cells = (n as f64).sqrt().ceil() as usize;
    let (centres, cell_of) = coarse_cells(unit, cells, seed);
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); cells];
    for (row, &c) in cell_of.iter().enumerate() {
        members[c].push(row as u32);
    }
    let near_cells = centres.dot(&centres.t());
    // Blocks of a cell's rows, so that a cell holding most rows (near-identical pages) is still
    // searched a block at a time.
    let blocks: Vec<(usize, &[u32])> =
        (0..cells).flat_map(|c| members[c].chunks(BLOCK).map(move |rows| (c, rows))).collect();
    let found: Vec<CellRows> = blocks
        .into_par_iter()
        .map(|(c, rows)| {
            let mut order: Vec<usize> = (0..cells).filter(|&o| !members[o].is_empty()).collect();
            order.sort_by(|&a, &b| near_cells[[c, b]].total_cmp(&near_cells[[c, a]]).then(a.cmp(&b)));
            // The nearest cells, and more while they hold no more than k rows.
            let mut candidates: Vec<u32> = Vec::new();
            for (taken, &o) in order.iter().enumerate() {
                if taken >= CELLS_SEARCHED && candidates.len() > k {
                    break;
                }
                candidates.extend(&members[o]);
            }
            let pool = unit.select(Axis(0), &candidates.iter().map(|&r| r as usize).collect::<Vec<_>>());
            (rows.to_vec(), among(unit, rows, pool.view(), &candidates, k))
        })
        .collect();
    let mut index = vec![0u32; n * k];
    let mut similarity = vec![0f32; n * k];
    for (rows, lists) in found {
        for (r, list) in rows.iter().zip(lists.chunks(k.max(1))) {
            for (slot, &(j, s)) in list.iter().enumerate() {
                index[*r as usize * k + slot] = j;
                similarity[*r as usize * k + slot] = s;
            }
        }
    }
    let distance = similarity.iter().map(|&s| (2.0 - 2.0 * s).max(0.0).sqrt()).collect();
    Neighbours { k, index, distance }
}

/// A seeded spherical k-means of the rows into `cells` cells (five Lloyd passes from distinct
/// random rows): the unit centres and each row's cell.
fn coarse_cells(unit: ArrayView2<f32>, cells: usize, seed: u64) -> (Array2<f32>, Vec<usize>) {
    let n = unit.nrows();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed ^ 0xce11);
    let mut picked: Vec<usize> = (0..n).collect();
    for i in 0..cells.min(n) {
        let j = i + (rng.next_u64() % (n - i) as u64) as usize;
        picked.swap(i, j);
    }
    let mut centres = unit.select(Axis(0), &picked[..cells.min(n)]);
    let mut cell_of = vec![0usize; n];
    for _ in 0..5 {
        let starts: Vec<usize> = (0..n).step_by(4 * BLOCK).collect();
        let assigned: Vec<Vec<usize>> = starts
            .into_par_iter()
            .map(|r0| {
                let similarity = unit.slice(s![r0..(r0 + 4 * BLOCK).min(n), ..]).dot(&centres.t());
                similarity
                    .rows()
                    .into_iter()
                    .map(|row| (0..row.len()).max_by(|&a, &b| row[a].total_cmp(&row[b]).then(b.cmp(&a))).unwrap_or(0))
                    .collect()
            })
            .collect();
        cell_of = assigned.into_iter().flatten().collect();
        let mut sums = Array2::<f32>::zeros(centres.raw_dim());
        for (row, &c) in cell_of.iter().enumerate() {
            let mut sum = sums.row_mut(c);
            sum += &unit.row(row);
        }
        for (mut centre, sum) in centres.rows_mut().into_iter().zip(sums.rows()) {
            let norm = sum.dot(&sum).sqrt();
            // An empty cell keeps its centre.
            if norm > 0.0 {
                centre.assign(&(&sum / norm));
            }
        }
    }
    (centres, cell_of)
}

/// The `k` highest of `similarity` (one per candidate, by global row number) other than the
/// row `own`, highest first; ties go to the lower row number, so the result does not depend on
/// the order of the scan.
fn best(similarity: &[f32], candidates: &[u32], own: u32, k: usize) -> Vec<(u32, f32)> {
    if k == 0 {
        return Vec::new();
    }
    let mut kept: Vec<(u32, f32)> = Vec::with_capacity(k + 1);
    for (&j, &s) in candidates.iter().zip(similarity) {
        if j == own || (kept.len() == k && (s < kept[k - 1].1 || (s == kept[k - 1].1 && j > kept[k - 1].0))) {
            continue;
        }
        let at = kept.partition_point(|&(i, t)| t > s || (t == s && i < j));
        kept.insert(at, (j, s));
        kept.truncate(k);
    }
    kept
}

/// One undirected edge of the fuzzy graph with its membership strength in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
struct Edge {
    a: u32,
    b: u32,
    weight: f32,
}

/// umap-learn's fuzzy simplicial set: each row's neighbours weighted by exp(−(d − ρ)/σ), where
/// ρ is the distance to its nearest neighbour and σ is set so the weights sum to log2(k + 1);
/// then the union of both directions, w = w₁ + w₂ − w₁·w₂.
fn fuzzy_graph(neighbours: &Neighbours) -> Vec<Edge> {
    let k = neighbours.k;
    let n = neighbours.index.len() / k.max(1);
    let target = ((k + 1) as f32).log2();
    let mean_all = neighbours.distance.iter().sum::<f32>() / neighbours.distance.len().max(1) as f32;
    let mut directed: Vec<(u32, u32, f32)> = Vec::with_capacity(n * k);
    for row in 0..n {
        let (index, distance) = neighbours.of(row);
        let rho = distance.iter().copied().find(|&d| d > 0.0).unwrap_or(0.0);
        let sum =
            |sigma: f32| distance.iter().map(|&d| if d > rho { (-(d - rho) / sigma).exp() } else { 1.0 }).sum::<f32>();
        let (mut lo, mut hi, mut sigma) = (0.0f32, f32::INFINITY, 1.0f32);
        for _ in 0..64 {
            let total = sum(sigma);
            if (total - target).abs() < 1e-5 {
                break;
            }
            if total > target {
                hi = sigma;
                sigma = (lo + hi) / 2.0;
            } else {
                lo = sigma;
                sigma = if hi.is_finite() { (lo + hi) / 2.0 } else { sigma * 2.0 };
            }
        }
        // umap-learn's floor on σ: a thousandth of the mean distance, the row's own if it has any.
        let mean = if rho > 0.0 { distance.iter().sum::<f32>() / k as f32 } else { mean_all };
        let sigma = sigma.max(1e-3 * mean);
        for (&j, &d) in index.iter().zip(distance) {
            let w = if d <= rho || sigma == 0.0 { 1.0 } else { (-(d - rho) / sigma).exp() };
            let (a, b) = if (row as u32) < j { (row as u32, j) } else { (j, row as u32) };
            directed.push((a, b, w));
        }
    }
    directed.sort_unstable_by_key(|x| (x.0, x.1));
    let mut edges: Vec<Edge> = Vec::with_capacity(directed.len());
    for (a, b, w) in directed {
        match edges.last_mut() {
            Some(last) if last.a == a && last.b == b => last.weight = last.weight + w - last.weight * w,
            _ => edges.push(Edge { a, b, weight: w }),
        }
    }
    edges
}

/// The rows of `unit` on their first two principal components (the map's start, and the
/// baseline it is measured against).
pub fn pca_plane(unit: ArrayView2<f32>) -> Vec<[f32; 2]> {
    use linfa_linalg::eigh::{EigSort, Eigh};
    let mean = unit.mean_axis(Axis(0)).expect("at least one row");
    let centred = &unit - &mean;
    let covariance = centred.t().dot(&centred).mapv(f64::from);
    let dims = 2.min(unit.ncols());
    let components = match covariance.eigh() {
        Ok(eig) => eig.sort_eig_desc().1.slice(s![.., ..dims]).mapv(|v| v as f32),
        Err(_) => Array2::eye(unit.ncols()).slice(s![.., ..dims]).to_owned(),
    };
    let projected = centred.dot(&components);
    projected.rows().into_iter().map(|r| [r[0], r.get(1).copied().unwrap_or(0.0)]).collect()
}

/// [`pca_plane`] scaled to a box of [`INITIAL_SPAN`] with a seeded jitter of 10⁻⁴ that parts
/// identical rows (umap-learn's "pca" initialisation).
fn initial(unit: ArrayView2<f32>, rng: &mut Xoshiro256PlusPlus) -> Vec<[f32; 2]> {
    let mut points = pca_plane(unit);
    for axis in 0..2 {
        let (lo, hi) = points.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| (lo.min(p[axis]), hi.max(p[axis])));
        let span = if hi > lo { hi - lo } else { 1.0 };
        for p in &mut points {
            p[axis] = INITIAL_SPAN * (p[axis] - lo) / span + 1e-4 * (uniform(rng) - 0.5);
        }
    }
    points
}

/// `vectors` with every row scaled to length 1 (a zero row, or one with a non-finite value,
/// becomes zero).
fn unit_rows(vectors: ArrayView2<f32>) -> Array2<f32> {
    let mut unit = vectors.as_standard_layout().into_owned();
    for mut row in unit.rows_mut().into_iter().filter(|row| row.iter().any(|v| !v.is_finite())) {
        row.fill(0.0);
    }
    crate::embed::normalize_rows(&mut unit);
    unit
}

/// A uniform draw in [0, 1).
fn uniform(rng: &mut Xoshiro256PlusPlus) -> f32 {
    (rng.next_u32() >> 8) as f32 / (1u32 << 24) as f32
}

/// The 2-D map of the rows of `vectors` (any scale: they are made unit first), deterministic for
/// `seed`. Fewer than three rows are laid on a line.
pub fn layout(vectors: ArrayView2<f32>, seed: u64) -> Vec<[f32; 2]> {
    let n = vectors.nrows();
    if n < 3 {
        return (0..n).map(|i| [i as f32, 0.0]).collect();
    }
    let unit = unit_rows(vectors);
    let found = if n <= EXACT_ROWS {
        nearest(unit.view(), NEIGHBOURS)
    } else {
        nearest_in_cells(unit.view(), NEIGHBOURS, seed)
    };
    let edges = fuzzy_graph(&found);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut points = initial(unit.view(), &mut rng);
    descend(&mut points, &edges, epochs(n), &mut rng);
    points
}

/// umap-learn's number of passes: 500 up to 10k rows, 200 beyond.
fn epochs(n: usize) -> usize {
    if n <= 10_000 {
        500
    } else {
        200
    }
}

/// Squared distance between two points.
fn distance2(p: [f32; 2], q: [f32; 2]) -> f32 {
    (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)
}

/// umap-learn's stochastic descent, one edge at a time in a fixed order: every edge is sampled in
/// proportion to its weight and pulls its two ends together; each sample also pushes the first
/// end away from [`NEGATIVE_RATE`] random points. The step shrinks linearly to zero.
fn descend(points: &mut [[f32; 2]], edges: &[Edge], epochs: usize, rng: &mut Xoshiro256PlusPlus) {
    let n = points.len() as u64;
    let max = edges.iter().map(|e| e.weight).fold(0.0f32, f32::max);
    // Both directions of every edge, as umap-learn walks its symmetric matrix; an edge too weak
    // to be sampled once in all the epochs is dropped.
    let kept: Vec<(usize, usize, f64)> = edges
        .iter()
        .filter(|e| e.weight >= max / epochs as f32)
        .flat_map(|e| {
            let every = f64::from(max / e.weight);
            [(e.a as usize, e.b as usize, every), (e.b as usize, e.a as usize, every)]
        })
        .collect();
    let mut next: Vec<f64> = kept.iter().map(|e| e.2).collect();
    let mut next_negative: Vec<f64> = kept.iter().map(|e| e.2 / NEGATIVE_RATE).collect();
    for epoch in 0..epochs {
        let alpha = 1.0 - epoch as f32 / epochs as f32;
        let now = epoch as f64;
        for (e, &(i, j, every)) in kept.iter().enumerate() {
            if next[e] > now {
                continue;
            }
            let d2 = distance2(points[i], points[j]);
            if d2 > 0.0 {
                // d^2b once; d^(2b - 2) is it over d².
                let power = d2.powf(B);
                let coefficient = -2.0 * A * B * (power / d2) / (A * power + 1.0);
                let step = |d: f32| (coefficient * d).clamp(-CLIP, CLIP) * alpha;
                let (dx, dy) = (step(points[i][0] - points[j][0]), step(points[i][1] - points[j][1]));
                points[i] = [points[i][0] + dx, points[i][1] + dy];
                points[j] = [points[j][0] - dx, points[j][1] - dy];
            }
            next[e] += every;
            // As umap-learn counts them: the epochs since the last negative samples over their
            // period, truncated.
            let every_negative = every / NEGATIVE_RATE;
            let samples = ((now - next_negative[e]) / every_negative) as i64;
            for _ in 0..samples.max(0) {
                let other = (rng.next_u64() % n) as usize;
                if other == i {
                    continue;
                }
                let d2 = distance2(points[i], points[other]);
                let coefficient = if d2 > 0.0 { 2.0 * B / ((0.001 + d2) * (A * d2.powf(B) + 1.0)) } else { 0.0 };
                // Two points in one place are pushed apart by the bound itself, as umap-learn does.
                let push = |d: f32| if d2 > 0.0 { (coefficient * d).clamp(-CLIP, CLIP) } else { CLIP };
                let (dx, dy) = (push(points[i][0] - points[other][0]), push(points[i][1] - points[other][1]));
                points[i] = [points[i][0] + dx * alpha, points[i][1] + dy * alpha];
            }
            next_negative[e] += samples as f64 * every_negative;
        }
    }
}

/// How far a 2-D layout keeps each row's `k` nearest neighbours (Venna & Kaski's
/// trustworthiness, as scikit-learn computes it), averaged over `rows`: 1 when every row's `k`
/// nearest on the map are among its `k` nearest in `unit`, lower as map neighbours come from
/// farther away in the vectors. Each measured row costs a sort of all rows.
pub fn trustworthiness(unit: ArrayView2<f32>, points: &[[f32; 2]], k: usize, rows: &[usize]) -> f64 {
    let n = unit.nrows();
    assert!(n == points.len() && 2 * k < n, "trustworthiness needs k < n / 2 and one point per row");
    let penalty: f64 = rows
        .par_iter()
        .map(|&i| {
            let similarity = unit.dot(&unit.row(i));
            // The rank of every row among i's neighbours in the vectors (1 = nearest).
            let mut order: Vec<usize> = (0..n).filter(|&j| j != i).collect();
            order.sort_by(|&a, &b| similarity[b].total_cmp(&similarity[a]).then(a.cmp(&b)));
            let mut rank = vec![0usize; n];
            for (r, &j) in order.iter().enumerate() {
                rank[j] = r + 1;
            }
            let mut near: Vec<usize> = (0..n).filter(|&j| j != i).collect();
            near.sort_by(|&a, &b| {
                distance2(points[i], points[a]).total_cmp(&distance2(points[i], points[b])).then(a.cmp(&b))
            });
            near[..k].iter().map(|&j| rank[j].saturating_sub(k) as f64).sum::<f64>()
        })
        .sum::<f64>()
        * n as f64
        / rows.len().max(1) as f64;
    let (n, k) = (n as f64, k as f64);
    1.0 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)) * penalty
}

/// Rows measured by [`quality`]: a seeded sample, so a large corpus is measured in seconds.
const MEASURED_ROWS: usize = 2_000;

/// How well a document map keeps neighbours, against the PCA plane of the same vectors.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MapQuality {
    /// Neighbours per row the measure looks at.
    pub neighbours: usize,
    pub rows_measured: usize,
    /// Trustworthiness of the map and of the PCA plane (1 = every map neighbour is a true one).
    pub map: f64,
    pub pca: f64,
}

/// [`trustworthiness`] of `points` (the map of `vectors`) and of the PCA plane, at 15
/// neighbours, on up to [`MEASURED_ROWS`] rows; `None` for fewer than 31 rows.
pub fn quality(vectors: ArrayView2<f32>, points: &[[f32; 2]]) -> Option<MapQuality> {
    const K: usize = 15;
    let n = vectors.nrows();
    if n <= 2 * K {
        return None;
    }
    let unit = unit_rows(vectors);
    let mut rows: Vec<usize> = (0..n).collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(MAP_SEED);
    for i in 0..MEASURED_ROWS.min(n) {
        let j = i + (rng.next_u64() % (n - i) as u64) as usize;
        rows.swap(i, j);
    }
    rows.truncate(MEASURED_ROWS);
    let pca = pca_plane(unit.view());
    Some(MapQuality {
        neighbours: K,
        rows_measured: rows.len(),
        map: trustworthiness(unit.view(), points, K, &rows),
        pca: trustworthiness(unit.view(), &pca, K, &rows),
    })
}

/// Each theme's place for its label: the median of its documents' points on each axis (a
/// theme's outliers do not drag its label off its pages). `None` for a theme with no documents.
pub fn centres(points: &[[f32; 2]], assignments: &[usize], themes: usize) -> Vec<Option<[f32; 2]>> {
    let mut members: Vec<Vec<[f32; 2]>> = vec![Vec::new(); themes];
    for (p, &t) in points.iter().zip(assignments) {
        if let Some(m) = members.get_mut(t) {
            m.push(*p);
        }
    }
    members
        .into_iter()
        .map(|m| {
            if m.is_empty() {
                return None;
            }
            let median = |axis: usize| {
                let mut values: Vec<f32> = m.iter().map(|p| p[axis]).collect();
                values.sort_by(f32::total_cmp);
                values[values.len() / 2]
            };
            Some([median(0), median(1)])
        })
        .collect()
}

#[cfg(test)]
mod tests;
