//! Clustering document vectors into themes with linfa's k-means, choosing k by silhouette; the
//! partition itself is the consensus of many fits (see [`super::consensus`]).

use linfa::prelude::*;
use linfa::DatasetBase;
use linfa_clustering::{KMeans, KMeansInit};
use linfa_nn::distance::Distance;
use ndarray::{Array1, Array2, ArrayView, ArrayView2, Axis, Dimension};
use rand_xoshiro::rand_core::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;

pub use super::model::KTried;
use super::ThemeError;

/// A partition of documents: one label per row, and the centroids (unit length).
#[derive(Debug, Clone)]
pub struct Clustering {
    pub labels: Vec<usize>,
    pub centroids: Array2<f32>,
    /// The k-means centres as fitted (not normalised): where a warm start must begin.
    pub means: Array2<f32>,
    /// Each number of themes tried, with its scores, for the record.
    pub tried: Vec<KTried>,
    /// Agreement (adjusted Rand index) between fits with different seeds at the chosen number
    /// of themes, on the selection sample; `None` when the number was given.
    pub stability: Option<f32>,
    /// The unit centres of the fits a consensus was drawn from (see [`super::consensus`]),
    /// which measure each theme's stability and each document's confidence; empty otherwise.
    pub runs: Vec<Array2<f32>>,
}

/// Runs k-means with a fixed `k` (same seed, same result).
pub fn kmeans(vectors: ArrayView2<f32>, k: usize, seed: u64) -> Result<Clustering, ThemeError> {
    fit(vectors, k, seed, KMeansInit::KMeansPlusPlus, MAX_ITERATIONS)
}

/// Iterations k-means may take to converge.
const MAX_ITERATIONS: u64 = 200;

/// Runs k-means started from given centres (e.g. the previous run's themes): when a folder
/// grows a little, the themes move a little instead of being drawn afresh.
pub fn kmeans_from(vectors: ArrayView2<f32>, centres: Array2<f32>, seed: u64) -> Result<Clustering, ThemeError> {
    let k = centres.nrows();
    fit(vectors, k, seed, KMeansInit::Precomputed(centres), MAX_ITERATIONS)
}

/// One k-means fit of `k` clusters from `init`, at most `iterations` of them.
pub(super) fn fit(
    vectors: ArrayView2<f32>,
    k: usize,
    seed: u64,
    init: KMeansInit<f32>,
    iterations: u64,
) -> Result<Clustering, ThemeError> {
    let data = DatasetBase::from(vectors.to_owned());
    let rng = Xoshiro256Plus::seed_from_u64(seed);
    let model = KMeans::params_with(k, rng, LanesL2)
        .init_method(init)
        .n_runs(1)
        .max_n_iterations(iterations)
        .tolerance(1e-4)
        .fit(&data)
        .map_err(|e| ThemeError::Clustering(e.to_string()))?;
    let labels: Array1<usize> = model.predict(&data);
    let means = model.centroids().to_owned();
    let mut centroids = means.clone();
    crate::embed::normalize_rows(&mut centroids);
    Ok(Clustering { labels: labels.to_vec(), centroids, means, tried: Vec::new(), stability: None, runs: Vec::new() })
}

/// Squared Euclidean distance for linfa's k-means, summed in eight independent lanes so the
/// compiler vectorises it. linfa's own `L2Dist` (ndarray-stats' `sq_l2_dist`) folds one element
/// pair at a time, a serial chain of additions: it was two thirds of the time to find themes.
#[derive(Debug, Clone, Copy)]
struct LanesL2;

impl Distance<f32> for LanesL2 {
    fn distance<D: Dimension>(&self, a: ArrayView<f32, D>, b: ArrayView<f32, D>) -> f32 {
        self.rdistance(a, b).sqrt()
    }

    fn rdistance<D: Dimension>(&self, a: ArrayView<f32, D>, b: ArrayView<f32, D>) -> f32 {
        assert_eq!(a.shape(), b.shape(), "points of different dimensions");
        match (a.as_slice(), b.as_slice()) {
            (Some(a), Some(b)) => squared_distance(a, b),
            _ => a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).sum(),
        }
    }

    fn rdist_to_dist(&self, rdist: f32) -> f32 {
        rdist.sqrt()
    }

    fn dist_to_rdist(&self, dist: f32) -> f32 {
        dist * dist
    }
}

/// Σ (aᵢ − bᵢ)² over equal-length slices.
fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let (a_chunks, a_rest) = a.as_chunks::<LANES>();
    let (b_chunks, b_rest) = b.as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for l in 0..LANES {
            let d = x[l] - y[l];
            acc[l] += d * d;
        }
    }
    let rest: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| (x - y) * (x - y)).sum();
    acc.iter().sum::<f32>() + rest
}

/// Candidate numbers of themes for `n` documents: around √(n/2), the usual rule of thumb, from
/// half to one and a half times it, capped at 60 and at n/3 (at least 2, but never more than n:
/// k-means cannot make more clusters than it has points).
pub fn candidate_ks(n: usize) -> Vec<usize> {
    let rule = ((n as f64) / 2.0).sqrt();
    let cap = (n / 3).clamp(2, 60).min(n);
    let (lo, hi) = (((rule * 0.5).round() as usize).max(2), ((rule * 1.5).round() as usize).min(cap));
    if lo >= hi {
        return vec![lo.min(cap)];
    }
    let steps = 6.min(hi - lo);
    let mut ks: Vec<usize> = (0..=steps).map(|i| lo + (hi - lo) * i / steps).collect();
    ks.dedup();
    ks
}

/// Seeds each candidate number of themes is fitted with on the sample.
const SELECTION_SEEDS: u64 = 3;

/// Picks k among [`candidate_ks`] on a fixed sample of up to 2,000 documents, then clusters
/// all documents with that k; see [`choose_k`]. Scoring every candidate on the whole corpus
/// cost 81 s on the 7,614 pages; on the sample, about a tenth of that. Every candidate fits
/// the sample: it holds min(n, 2,000) rows, and no candidate exceeds n or 60.
pub fn auto_kmeans(vectors: ArrayView2<f32>, seed: u64) -> Result<Clustering, ThemeError> {
    use rayon::prelude::*;
    let n = vectors.nrows();
    let sample = sample_rows(n, super::consensus::SAMPLE);
    let sample_vectors = vectors.select(Axis(0), &sample);
    let distances = cosine_distances(sample_vectors.view());
    let ks = candidate_ks(n);
    let jobs: Vec<(usize, u64)> = ks.iter().flat_map(|&k| (0..SELECTION_SEEDS).map(move |s| (k, s))).collect();
    let fits = jobs
        .par_iter()
        .map(|&(k, s)| fit(sample_vectors.view(), k, seed.wrapping_add(s), KMeansInit::KMeansPlusPlus, MAX_ITERATIONS))
        .collect::<Result<Vec<_>, _>>()?;
    let tried: Vec<KTried> = ks
        .iter()
        .zip(fits.chunks(SELECTION_SEEDS as usize))
        .map(|(&k, fits)| {
            let silhouettes: Vec<f32> = fits.iter().map(|f| silhouette(&distances, &f.labels, k)).collect();
            KTried {
                k,
                silhouette: mean(&silhouettes),
                spread: std_dev(&silhouettes),
                stability: mean_pairwise_ari(fits),
            }
        })
        .collect();
    let best = choose_k(&tried, rule_of_thumb(n));
    let mut clustering = super::consensus::consensus(vectors, best.k, seed)?;
    clustering.stability = Some(best.stability);
    clustering.tried = tried;
    Ok(clustering)
}

fn mean(values: &[f32]) -> f32 {
    values.iter().sum::<f32>() / values.len().max(1) as f32
}

fn std_dev(values: &[f32]) -> f32 {
    let m = mean(values);
    (values.iter().map(|v| (v - m) * (v - m)).sum::<f32>() / values.len().saturating_sub(1).max(1) as f32).sqrt()
}

/// Mean adjusted Rand index over every pair of fits.
fn mean_pairwise_ari(fits: &[Clustering]) -> f32 {
    let mut total = 0.0;
    let mut pairs = 0;
    for a in 0..fits.len() {
        for b in a + 1..fits.len() {
            total += crate::stats::ari(&fits[a].labels, &fits[b].labels);
            pairs += 1;
        }
    }
    if pairs == 0 {
        1.0
    } else {
        (total / pairs as f64) as f32
    }
}

/// The usual rule of thumb for the number of clusters, √(n/2): themes of the size an analyst
/// works with (about 13 of 25 pages for 322 pages, 50 of 100 for 4,900).
fn rule_of_thumb(n: usize) -> f64 {
    (n as f64 / 2.0).sqrt()
}

/// The number of themes: among the candidates whose mean silhouette is within two standard
/// deviations of the best (the silhouette's spread between seeds, pooled over the candidates),
/// the one closest to the rule of thumb. The silhouette of k-means on sentence vectors is nearly
/// flat (0.07-0.085 on the 1,213 blogs, with a spread of 0.002-0.013 between seeds), so the best
/// k by silhouette changed with the seed (11 with seed 42, 18 with seed 7); a clear optimum
/// still wins.
pub fn choose_k(tried: &[KTried], prior: f64) -> KTried {
    let Some(best) = tried.iter().max_by(|a, b| a.silhouette.total_cmp(&b.silhouette)) else {
        return KTried { k: 2, silhouette: 0.0, spread: 0.0, stability: 1.0 };
    };
    // The seeds' spread pooled over every candidate: one candidate's own spread, from three
    // fits, is itself too noisy to set the band.
    let pooled = (tried.iter().map(|t| t.spread * t.spread).sum::<f32>() / tried.len() as f32).sqrt();
    let error = 2.0 * pooled;
    let distance = |t: &KTried| (t.k as f64 / prior).ln().abs();
    *tried
        .iter()
        .filter(|t| t.silhouette >= best.silhouette - error)
        .min_by(|a, b| distance(a).total_cmp(&distance(b)).then(a.k.cmp(&b.k)))
        .unwrap_or(best)
}

/// Up to `max` row indices spread over `0..n` by a fixed shuffle: the same documents whatever
/// the seed, so that the sample is no source of difference between runs.
pub(super) fn sample_rows(n: usize, max: usize) -> Vec<usize> {
    use rand_xoshiro::rand_core::RngCore;
    let mut idx: Vec<usize> = (0..n).collect();
    if n <= max {
        return idx;
    }
    let mut rng = Xoshiro256Plus::seed_from_u64(0x5eed);
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        idx.swap(i, j);
    }
    idx.truncate(max);
    idx.sort_unstable();
    idx
}

/// 1 − cosine for every pair of (unit) rows.
pub fn cosine_distances(vectors: ArrayView2<f32>) -> Array2<f32> {
    let sims = vectors.dot(&vectors.t());
    sims.mapv(|s| 1.0 - s)
}

/// Mean silhouette coefficient (Rousseeuw 1987) from a distance matrix. Points alone in their
/// cluster score 0.
pub fn silhouette(distances: &Array2<f32>, labels: &[usize], k: usize) -> f32 {
    let n = labels.len();
    if n < 2 || k < 2 {
        return 0.0;
    }
    let mut sizes = vec![0usize; k];
    labels.iter().for_each(|&l| sizes[l] += 1);
    let mut total = 0.0f64;
    let mut sums = vec![0.0f64; k];
    for i in 0..n {
        sums.iter_mut().for_each(|s| *s = 0.0);
        for j in 0..n {
            sums[labels[j]] += distances[[i, j]] as f64;
        }
        let own = labels[i];
        if sizes[own] <= 1 {
            continue;
        }
        let a = sums[own] / (sizes[own] - 1) as f64;
        let b = (0..k)
            .filter(|&c| c != own && sizes[c] > 0)
            .map(|c| sums[c] / sizes[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() {
            total += (b - a) / a.max(b);
        }
    }
    (total / n as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn lane_distance_matches_the_plain_sum() {
        let a: Vec<f32> = (0..19).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..19).map(|i| (i as f32 * 0.11).cos()).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
        assert!((squared_distance(&a, &b) - plain).abs() < 1e-5);
        let (va, vb) = (ndarray::aview1(&a), ndarray::aview1(&b));
        assert!((LanesL2.distance(va, vb) - plain.sqrt()).abs() < 1e-5);
        // Strided views take the general path.
        let m = Array2::from_shape_fn((19, 2), |(i, j)| if j == 0 { a[i] } else { b[i] });
        assert!((LanesL2.rdistance(m.column(0), m.column(1)) - plain).abs() < 1e-5);
    }

    fn two_blobs() -> Array2<f32> {
        let mut rows = Vec::new();
        for i in 0..10 {
            let e = i as f32 * 0.01;
            rows.extend_from_slice(&[1.0, e, 0.0]);
            rows.extend_from_slice(&[0.0, e, 1.0]);
        }
        let mut m = Array2::from_shape_vec((20, 3), rows).unwrap();
        for mut r in m.rows_mut() {
            let n = r.dot(&r).sqrt();
            r /= n;
        }
        m
    }

    #[test]
    fn kmeans_is_deterministic_with_a_seed() {
        let v = two_blobs();
        let a = kmeans(v.view(), 2, 7).unwrap();
        let b = kmeans(v.view(), 2, 7).unwrap();
        assert_eq!(a.labels, b.labels);
        assert_ne!(a.labels[0], a.labels[1]);
    }

    #[test]
    fn silhouette_of_separated_blobs_is_high() {
        let v = two_blobs();
        let labels: Vec<usize> = (0..20).map(|i| i % 2).collect();
        let s = silhouette(&cosine_distances(v.view()), &labels, 2);
        assert!(s > 0.9, "{s}");
        let mixed: Vec<usize> = (0..20).map(|i| (i / 2) % 2).collect();
        assert!(silhouette(&cosine_distances(v.view()), &mixed, 2) < 0.1);
    }

    #[test]
    fn silhouette_hand_computed() {
        // Points on a line at 0, 1 (cluster 0) and 4 (cluster 1), distances |x - y|.
        let d = array![[0.0f32, 1.0, 4.0], [1.0, 0.0, 3.0], [4.0, 3.0, 0.0]];
        // s0 = (4 - 1)/4, s1 = (3 - 1)/3, s2 = 0 (alone).
        let want = ((3.0 / 4.0) + (2.0 / 3.0)) / 3.0;
        assert!((silhouette(&d, &[0, 0, 1], 2) - want).abs() < 1e-6);
    }

    #[test]
    fn a_flat_silhouette_gives_the_rule_of_thumb_and_a_clear_peak_wins() {
        let t = |k, silhouette| KTried { k, silhouette, spread: 0.002, stability: 0.5 };
        let flat = [t(10, 0.080), t(15, 0.083), t(20, 0.081), t(30, 0.079)];
        assert_eq!(choose_k(&flat, 19.0).k, 20, "within noise of the best: the one nearest the rule");
        let peaked = [t(10, 0.080), t(15, 0.120), t(20, 0.081), t(30, 0.079)];
        assert_eq!(choose_k(&peaked, 19.0).k, 15);
    }

    #[test]
    fn candidate_ks_follow_corpus_size() {
        assert_eq!(candidate_ks(7617).last(), Some(&60));
        assert_eq!(candidate_ks(1200), vec![12, 16, 20, 24, 28, 32, 37]);
        assert_eq!(candidate_ks(6), vec![2]);
    }
}
