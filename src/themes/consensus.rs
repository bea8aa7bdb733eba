//! Themes that are a property of the documents, not of the random seed.
//!
//! One k-means fit depends on where k-means++ happens to start: on the shared blogs, fits with
//! five seeds agreed at a mean adjusted Rand index of 0.41. So the number of themes chosen is
//! fitted [`RUNS`] times with different seeds on a fixed sample of the documents, and the
//! partition is derived from what the fits agree on: how often two documents share a cluster
//! (the co-association, or evidence accumulation of Fred and Jain 2005) is clustered once by
//! average linkage, which no seed enters, and its clusters' centres start one last k-means on
//! all documents, which from given centres is deterministic too. Measured on cached vectors
//! (docs/how-it-works.md, "Consensus themes"): this, not the fit of lowest inertia among many restarts, made
//! partitions agree across seeds (restarts: 0.41 → 0.48 on the blogs).
//!
//! The same fits say how far to trust each theme and each document: a theme's stability is how
//! well the fits recover it (best-match Jaccard), a document's confidence the share of fits
//! that put it with its theme.

use linfa_clustering::KMeansInit;
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use super::cluster::{fit, sample_rows, Clustering};
use super::ThemeError;

/// Fits whose agreement makes the partition. Co-association noise falls as 1/√RUNS: on the
/// blogs, 20 fits gave partitions agreeing at ARI 0.67 across seeds, 50 at 0.73, 100 at 0.78
/// (40 iterations each), 200 at 0.88-0.94 (25 iterations each; solutions 0.90).
pub const RUNS: usize = 200;

/// Documents the fits and the co-association are computed on; the rest join by the last
/// k-means. The co-association of 2,000 documents is 2 million pairs.
pub const SAMPLE: usize = 2000;

/// Iterations of each fit: the co-association needs where documents go, not converged centres.
const RUN_ITERATIONS: usize = 25;

/// A theme whose stability is below this is tentative. Calibrated on the shared pages (five
/// seeds, docs/how-it-works.md, "Consensus themes"): themes below it were found again by the other seeds'
/// consensus at a mean best-match Jaccard of 0.70 (blogs) and 0.80 (solutions), themes above it
/// at 0.93 and 0.91.
pub const TENTATIVE_BELOW: f32 = 0.3;

/// A document put with its theme by fewer than this share of the fits has a low confidence:
/// on the shared pages such documents stayed with their theme under another seed 68-84% of the
/// time, the others 89-100%.
pub const LOW_CONFIDENCE: f32 = 0.3;

/// The fits of one number of themes on the sample: each fit's unit centres.
pub struct Runs {
    pub centres: Vec<Array2<f32>>,
    /// Each fit's cluster of each sampled row.
    labels: Vec<Vec<usize>>,
    sample: Vec<usize>,
}

/// [`RUNS`] k-means fits of `k` themes on the fixed sample, seeds `seed`, `seed + 1`, ….
pub fn runs(vectors: ArrayView2<f32>, k: usize, seed: u64) -> Result<Runs, ThemeError> {
    let sample = sample_rows(vectors.nrows(), SAMPLE);
    let rows = vectors.select(Axis(0), &sample);
    let k = k.min(sample.len());
    let norms: Vec<f32> = rows.rows().into_iter().map(|r| r.dot(&r)).collect();
    let (centres, labels) =
        (0..RUNS as u64).into_par_iter().map(|r| lloyd(rows.view(), &norms, k, seed.wrapping_add(r))).unzip();
    Ok(Runs { centres, labels, sample })
}

/// One k-means fit (k-means++ start, then [`RUN_ITERATIONS`] Lloyd steps): unit centres and
/// labels. Written here rather than through linfa because each step's distances are one matrix
/// product (‖x − m‖² = ‖x‖² − 2x·m + ‖m‖²), where linfa measures every point-centre pair apart:
/// the 200 fits of the consensus took 40 s of the solution pages' theme stage that way.
fn lloyd(rows: ArrayView2<f32>, norms: &[f32], k: usize, seed: u64) -> (Array2<f32>, Vec<usize>) {
    use rand_xoshiro::rand_core::{RngCore, SeedableRng};
    let n = rows.nrows();
    let mut rng = rand_xoshiro::Xoshiro256Plus::seed_from_u64(seed);
    let mut uniform = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    // k-means++: each next centre drawn with probability proportional to the squared distance
    // to the nearest centre so far.
    let mut chosen = vec![(uniform() * n as f64) as usize % n];
    let mut nearest: Vec<f32> = vec![f32::MAX; n];
    while chosen.len() < k {
        let last = rows.row(*chosen.last().expect("one centre at least"));
        let last_norm = last.dot(&last);
        for (i, d) in nearest.iter_mut().enumerate() {
            *d = d.min((norms[i] - 2.0 * rows.row(i).dot(&last) + last_norm).max(0.0));
        }
        let total: f64 = nearest.iter().map(|&d| d as f64).sum();
        let mut target = uniform() * total;
        let next = nearest.iter().position(|&d| {
            target -= d as f64;
            target <= 0.0
        });
        chosen.push(next.unwrap_or(n - 1));
    }
    let mut means = rows.select(Axis(0), &chosen);
    let mut labels = vec![0usize; n];
    for _ in 0..RUN_ITERATIONS {
        let scores = rows.dot(&means.t());
        let mean_norms: Vec<f32> = means.rows().into_iter().map(|m| m.dot(&m)).collect();
        for (label, row) in labels.iter_mut().zip(scores.rows()) {
            // argmin ‖x − m‖² = argmax (2x·m − ‖m‖²).
            *label = (0..k)
                .max_by(|&a, &b| (2.0 * row[a] - mean_norms[a]).total_cmp(&(2.0 * row[b] - mean_norms[b])))
                .unwrap_or(0);
        }
        let mut sums = Array2::<f32>::zeros(means.raw_dim());
        let mut counts = vec![0usize; k];
        for (row, &l) in rows.rows().into_iter().zip(&labels) {
            let mut sum = sums.row_mut(l);
            sum += &row;
            counts[l] += 1;
        }
        // An emptied cluster keeps its centre.
        for (c, &count) in counts.iter().enumerate() {
            if count > 0 {
                let mean = &sums.row(c) / count as f32;
                means.row_mut(c).assign(&mean);
            }
        }
    }
    let mut centres = means;
    crate::embed::normalize_rows(&mut centres);
    (centres, labels)
}

/// The consensus of [`RUNS`] fits of `k` themes: [`runs`], then [`partition`].
pub fn consensus(vectors: ArrayView2<f32>, k: usize, seed: u64) -> Result<Clustering, ThemeError> {
    partition(vectors, &runs(vectors, k, seed)?, k)
}

/// The consensus partition of all rows into `k` themes (see the module's documentation).
pub fn partition(vectors: ArrayView2<f32>, runs: &Runs, k: usize) -> Result<Clustering, ThemeError> {
    let m = runs.sample.len();
    let k = k.min(m);
    let mut together = vec![0u32; m * (m - 1) / 2];
    for labels in &runs.labels {
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
        for (i, &l) in labels.iter().enumerate() {
            members[l].push(i);
        }
        for cluster in &members {
            for (a, &i) in cluster.iter().enumerate() {
                for &j in &cluster[a + 1..] {
                    together[condensed(i, j, m)] += 1;
                }
            }
        }
    }
    let runs_f = runs.labels.len() as f32;
    let mut dissimilarity: Vec<f32> = together.iter().map(|&c| 1.0 - c as f32 / runs_f).collect();
    let dendrogram = kodama::linkage(&mut dissimilarity, m, kodama::Method::Average);
    let groups = cut(&dendrogram, m, k);
    let sampled = vectors.select(Axis(0), &runs.sample);
    let mut centres = Array2::<f32>::zeros((groups.len(), vectors.ncols()));
    for (mut centre, group) in centres.rows_mut().into_iter().zip(&groups) {
        for &i in group {
            centre += &sampled.row(i);
        }
    }
    crate::embed::normalize_rows(&mut centres);
    // From given centres k-means draws nothing at random: the seed is not used.
    let mut clustering = fit(vectors, groups.len(), 0, KMeansInit::Precomputed(centres), 200)?;
    clustering.runs = runs.centres.clone();
    Ok(clustering)
}

/// Position of pair (i, j), i < j, in a condensed matrix of `m` observations.
fn condensed(i: usize, j: usize, m: usize) -> usize {
    i * m - i * (i + 1) / 2 + j - i - 1
}

/// The `k` clusters of the dendrogram with the fewest merges undone such that `k` of them are
/// large enough to be a theme: average linkage leaves documents no fit places consistently as
/// clusters of their own until late, and a cut at exactly `k` would make them themes. The small
/// clusters left over are not themes; the last k-means places their documents.
/// Too few documents for `k` clusters that large (a handful of pages) make the plain cut at `k`.
fn cut(dendrogram: &kodama::Dendrogram<f32>, m: usize, k: usize) -> Vec<Vec<usize>> {
    let min_size = (m / k / 5).max(2);
    for clusters in k..=m {
        let mut large: Vec<Vec<usize>> =
            groups_after(dendrogram, m, m - clusters).into_iter().filter(|g| g.len() >= min_size).collect();
        if large.len() >= k {
            large.truncate(k);
            return large;
        }
    }
    groups_after(dendrogram, m, m - k)
}

/// The clusters after the first `merges` steps of the dendrogram, largest first.
fn groups_after(dendrogram: &kodama::Dendrogram<f32>, m: usize, merges: usize) -> Vec<Vec<usize>> {
    // Step s creates cluster m + s; each observation's cluster is found through its parents.
    let mut parent: Vec<usize> = (0..m + merges).collect();
    for (s, step) in dendrogram.steps().iter().take(merges).enumerate() {
        parent[step.cluster1] = m + s;
        parent[step.cluster2] = m + s;
    }
    let root = |mut x: usize| {
        while parent[x] != x {
            x = parent[x];
        }
        x
    };
    let mut by_root: std::collections::BTreeMap<usize, Vec<usize>> = std::collections::BTreeMap::new();
    for i in 0..m {
        by_root.entry(root(i)).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = by_root.into_values().collect();
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a[0].cmp(&b[0])));
    groups
}

/// How well the fits recover each theme, and each document's share of fits that put it with
/// its theme: `labels` gives each row's theme (of `themes`), `runs` each fit's unit centres in
/// the same space as `vectors`. A fit's cluster stands for the theme holding most of its
/// documents.
pub fn agreement(vectors: ArrayView2<f32>, labels: &[usize], themes: usize, runs: &[Array2<f32>]) -> Agreement {
    let n = labels.len();
    let mut with_theme = vec![0u32; n];
    let mut jaccard = vec![0.0f32; themes];
    let mut sizes = vec![0usize; themes];
    labels.iter().for_each(|&t| sizes[t] += 1);
    for centres in runs {
        let fitted: Vec<usize> = vectors
            .dot(&centres.t())
            .rows()
            .into_iter()
            .map(|r| r.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(c, _)| c))
            .collect();
        let clusters = centres.nrows();
        let mut overlap = vec![0usize; clusters * themes];
        let mut cluster_sizes = vec![0usize; clusters];
        for (&c, &t) in fitted.iter().zip(labels) {
            overlap[c * themes + t] += 1;
            cluster_sizes[c] += 1;
        }
        let stands_for: Vec<usize> = (0..clusters)
            .map(|c| (0..themes).max_by_key(|&t| (overlap[c * themes + t], std::cmp::Reverse(t))).unwrap_or(0))
            .collect();
        for (i, (&c, &t)) in fitted.iter().zip(labels).enumerate() {
            with_theme[i] += u32::from(stands_for[c] == t);
        }
        for (t, best) in jaccard.iter_mut().enumerate() {
            let matched = (0..clusters)
                .map(|c| {
                    let both = overlap[c * themes + t];
                    both as f32 / (sizes[t] + cluster_sizes[c] - both).max(1) as f32
                })
                .fold(0.0f32, f32::max);
            *best += matched;
        }
    }
    let r = runs.len().max(1) as f32;
    Agreement {
        confidence: with_theme.iter().map(|&c| c as f32 / r).collect(),
        stability: jaccard.iter().map(|j| j / r).collect(),
    }
}

/// See [`agreement`].
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// Per row.
    pub confidence: Vec<f32>,
    /// Per theme.
    pub stability: Vec<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three tight groups and a loose cloud of points between them.
    fn blobs() -> Array2<f32> {
        let mut rows = Vec::new();
        for g in 0..3 {
            for i in 0..40 {
                let mut v = vec![0.02 * ((i * 7 % 11) as f32 - 5.0); 6];
                v[g] += 1.0;
                v[3 + i % 3] += 0.05;
                rows.push(v);
            }
        }
        for i in 0..12 {
            let mut v = vec![0.3; 6];
            v[i % 3] += 0.2;
            v[3 + i % 3] += 0.3;
            rows.push(v);
        }
        let mut m = Array2::from_shape_vec((rows.len(), 6), rows.concat()).unwrap();
        crate::embed::normalize_rows(&mut m);
        m
    }

    #[test]
    fn the_consensus_does_not_depend_on_the_seed() {
        let v = blobs();
        let a = partition(v.view(), &runs(v.view(), 3, 1).unwrap(), 3).unwrap();
        let b = partition(v.view(), &runs(v.view(), 3, 99).unwrap(), 3).unwrap();
        assert_eq!(crate::stats::ari(&a.labels, &b.labels), 1.0);
        let groups: std::collections::HashSet<usize> = a.labels[..120].iter().copied().collect();
        assert_eq!(groups.len(), 3, "each tight group is a theme");
        assert!((0..3).all(|g| a.labels[g * 40..(g + 1) * 40].iter().all(|&l| l == a.labels[g * 40])));
    }

    #[test]
    fn fits_measure_themes_and_documents() {
        let v = blobs();
        let runs = runs(v.view(), 3, 5).unwrap();
        let clustering = partition(v.view(), &runs, 3).unwrap();
        let measured = agreement(v.view(), &clustering.labels, 3, &runs.centres);
        assert!(measured.stability.iter().all(|&s| s > 0.8), "{:?}", measured.stability);
        let tight = measured.confidence[..120].iter().sum::<f32>() / 120.0;
        assert!(tight > 0.95, "{tight}");

        // A theme made of two groups is recovered by no fit of three.
        let mut merged = clustering.labels.clone();
        let (first, second) = (merged[0], merged[40]);
        merged.iter_mut().filter(|l| **l == second).for_each(|l| *l = first);
        let third = (0..3).find(|t| *t != first && *t != second).unwrap();
        let relabel = |l: usize| {
            if l == first {
                0
            } else if l == third {
                1
            } else {
                2
            }
        };
        let merged: Vec<usize> = merged.into_iter().map(relabel).collect();
        let a = agreement(v.view(), &merged, 2, &runs.centres);
        assert!(a.stability[0] < 0.7 && a.stability[1] > 0.8, "{:?}", a.stability);
    }

    #[test]
    fn one_fit_finds_tight_groups_and_unit_centres() {
        let v = blobs().select(Axis(0), &(0..120).collect::<Vec<_>>());
        let norms: Vec<f32> = v.rows().into_iter().map(|r| r.dot(&r)).collect();
        let (centres, labels) = lloyd(v.view(), &norms, 3, 11);
        for g in 0..3 {
            assert!(labels[g * 40..(g + 1) * 40].iter().all(|&l| l == labels[g * 40]), "group {g}: {labels:?}");
        }
        let distinct: std::collections::HashSet<usize> = labels.iter().copied().collect();
        assert_eq!(distinct.len(), 3);
        assert!(centres.rows().into_iter().all(|c| (c.dot(&c) - 1.0).abs() < 1e-4));
    }

    #[test]
    fn a_handful_of_documents_still_makes_k_themes() {
        let v = blobs().select(Axis(0), &[0, 1, 40, 41]);
        let c = consensus(v.view(), 4, 3).unwrap();
        assert_eq!(c.centroids.nrows(), 4);
    }

    #[test]
    fn pairs_index_a_condensed_matrix() {
        let m = 5;
        let positions: Vec<usize> = (0..m).flat_map(|i| (i + 1..m).map(move |j| condensed(i, j, m))).collect();
        assert_eq!(positions, (0..m * (m - 1) / 2).collect::<Vec<_>>());
    }
}
