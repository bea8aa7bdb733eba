//! The statistics the stages share, with no dependency on any stage: proportions and their
//! intervals, p-values and their adjustment, log-odds and shrinkage of shares, similarity of
//! distributions, agreement between labelings, and ranking by score.

use std::collections::HashMap;

use ndarray::ArrayView1;
use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

/// A proportion and its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// 95% Wilson score interval of `c` successes in `n` (n > 0).
pub fn wilson(c: usize, n: usize) -> Interval {
    const Z: f64 = 1.959_963_984_540_054;
    let (c, n) = (c as f64, n as f64);
    let p = c / n;
    let denominator = 1.0 + Z * Z / n;
    let centre = (p + Z * Z / (2.0 * n)) / denominator;
    let half = Z / denominator * (p * (1.0 - p) / n + Z * Z / (4.0 * n * n)).sqrt();
    Interval { value: p, low: (centre - half).max(0.0), high: (centre + half).min(1.0) }
}

/// P(Z > z) for a standard normal Z: erfc by its Chebyshev fit (Numerical Recipes' `erfcc`,
/// relative error below 1.2e-7 everywhere), ample for p-values.
pub fn normal_tail(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    0.5 * if x >= 0.0 { erfc } else { 2.0 - erfc }
}

/// Fisher's exact test of 2×2 tables of counts up to a total, with the log-factorials it needs
/// computed once. Used where a count can be zero or tiny: a theme found on 12 pages, all of one
/// country's, is a difference no normal approximation of its log-odds sees (the zero's variance
/// swamps it: z 2.5 where the test gives p < 10⁻¹³).
pub struct Fisher {
    log_factorial: Vec<f64>,
}

impl Fisher {
    /// For tables whose counts add up to at most `total`.
    pub fn new(total: usize) -> Fisher {
        let mut log_factorial = Vec::with_capacity(total + 1);
        log_factorial.push(0.0);
        for i in 1..=total {
            log_factorial.push(log_factorial[i - 1] + (i as f64).ln());
        }
        Fisher { log_factorial }
    }

    /// Two-sided p-value of the table `[[a, b], [c, d]]` (rows: a group and the rest; columns: in
    /// and out of a class): the probability, given the margins, of a table at most as likely as
    /// this one.
    pub fn two_sided(&self, a: usize, b: usize, c: usize, d: usize) -> f64 {
        let (row, column, total) = (a + b, a + c, a + b + c + d);
        let lf = |n: usize| self.log_factorial[n];
        let fixed = lf(row) + lf(total - row) + lf(column) + lf(total - column) - lf(total);
        let log_p = |x: usize| fixed - lf(x) - lf(row - x) - lf(column - x) - lf(total - row - column + x);
        let observed = log_p(a);
        let low = (row + column).saturating_sub(total);
        let p: f64 = (low..=row.min(column)).map(log_p).filter(|&l| l <= observed + 1e-7).map(f64::exp).sum();
        p.min(1.0)
    }
}

/// The normal score of a two-sided p-value: the z ≥ 0 with 2·P(Z > z) = p, so that a difference
/// tested exactly is shown on the familiar scale (1.96 at p = 0.05).
pub fn normal_score(p: f64) -> f64 {
    let (mut low, mut high) = (0.0f64, 40.0f64);
    for _ in 0..80 {
        let mid = 0.5 * (low + high);
        if 2.0 * normal_tail(mid) > p {
            low = mid;
        } else {
            high = mid;
        }
    }
    0.5 * (low + high)
}

/// Benjamini–Hochberg adjusted p-values (`None` stays `None` and does not count as a test).
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    order.sort_by(|&a, &b| p[a].unwrap_or(1.0).total_cmp(&p[b].unwrap_or(1.0)));
    let m = order.len() as f64;
    let mut q = vec![None; p.len()];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(p[i].unwrap_or(1.0) * m / (rank + 1) as f64);
        q[i] = Some(running);
    }
    q
}

/// One item's log-odds against the rest.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogOdds {
    pub delta: f64,
    pub z: f64,
}

/// Log-odds ratio of an item between a group and the rest, with an informative Dirichlet
/// prior (Monroe et al. 2008, eqs. 16-22): `y_*` are the item's counts, `n_*` the totals,
/// `alpha` the item's prior count and `alpha0` the prior's total.
pub fn log_odds(y_group: f64, n_group: f64, y_rest: f64, n_rest: f64, alpha: f64, alpha0: f64) -> LogOdds {
    let odds = |y: f64, n: f64| ((y + alpha) / (n + alpha0 - y - alpha)).ln();
    let delta = odds(y_group, n_group) - odds(y_rest, n_rest);
    let variance = 1.0 / (y_group + alpha) + 1.0 / (y_rest + alpha);
    LogOdds { delta, z: delta / variance.sqrt() }
}

/// Jensen-Shannon similarity of two distributions: 1 − JSD with base-2 logarithms (in 0..=1).
pub fn js_similarity(p: &[f64], q: &[f64]) -> f64 {
    let kl = |a: &[f64], m: &[f64]| -> f64 {
        a.iter().zip(m).filter(|(x, _)| **x > 0.0).map(|(x, y)| x * (x / y).log2()).sum()
    };
    let m: Vec<f64> = p.iter().zip(q).map(|(a, b)| (a + b) / 2.0).collect();
    1.0 - (0.5 * kl(p, &m) + 0.5 * kl(q, &m))
}

/// How strongly each group's theme shares lean on the corpus's, in pseudo-documents: the
/// Dirichlet-multinomial's α estimated by the method of moments from how much the groups'
/// shares spread beyond binomial sampling (`counts[g][t]`, `corpus[t]` the corpus's shares).
/// Clamped to 1..=1000: groups that differ as much as chance allows borrow much from the corpus;
/// groups that differ a lot borrow little.
pub fn prior_strength(counts: &[Vec<usize>], corpus: &[f64]) -> f64 {
    let mut sum = 0.0;
    let mut weight = 0.0;
    for group in counts {
        let n: usize = group.iter().sum();
        if n < 2 {
            continue;
        }
        let n = n as f64;
        for (&c, &pi) in group.iter().zip(corpus) {
            if pi <= 0.0 || pi >= 1.0 {
                continue;
            }
            let x = c as f64 / n;
            // E[(x − π)²] = π(1−π)·(1/n + (n−1)/n · ρ), with ρ = 1/(α+1).
            let rho = ((x - pi).powi(2) / (pi * (1.0 - pi)) - 1.0 / n) * n / (n - 1.0);
            sum += rho * n;
            weight += n;
        }
    }
    let rho = if weight > 0.0 { (sum / weight).clamp(1e-3, 0.5) } else { 1e-3 };
    (1.0 / rho - 1.0).clamp(1.0, 1000.0)
}

/// A group's theme shares shrunk towards the corpus's: (count + α·π) / (n + α). A group of three
/// pages cannot top a table on the strength of one page; one of three hundred barely moves.
pub fn shrunk(counts: &[usize], corpus: &[f64], alpha: f64) -> Vec<f64> {
    let n: usize = counts.iter().sum();
    counts.iter().zip(corpus).map(|(&c, &pi)| (c as f64 + alpha * pi) / (n as f64 + alpha)).collect()
}

/// Resamples drawn for a similarity's interval and its permutation test.
pub const RESAMPLES: usize = 199;

/// A similarity between two groups and how sure it is.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Similarity {
    /// Jensen-Shannon similarity of the two groups' shrunk theme shares.
    pub value: f64,
    /// 95% bootstrap interval (the pages of each group resampled).
    pub low: f64,
    pub high: f64,
    /// Permutation p-value of the difference (the two groups' pages shuffled between them):
    /// how often groups drawn from one pool differ as much.
    pub p: f64,
}

/// The similarity of groups `a` and `b` (each page's theme, by position among `themes`), their
/// shares shrunk with `alpha` towards `corpus`; resampled with a fixed seed, so a run is
/// repeatable.
pub fn similarity(a: &[usize], b: &[usize], themes: usize, corpus: &[f64], alpha: f64, seed: u64) -> Similarity {
    let counts = |pages: &mut dyn Iterator<Item = usize>| {
        let mut c = vec![0usize; themes];
        pages.for_each(|t| c[t] += 1);
        c
    };
    let sim = |x: &[usize], y: &[usize]| js_similarity(&shrunk(x, corpus, alpha), &shrunk(y, corpus, alpha));
    let (ca, cb) = (counts(&mut a.iter().copied()), counts(&mut b.iter().copied()));
    let value = sim(&ca, &cb);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut draw = |n: usize| (rng.next_u64() % n as u64) as usize;
    let mut boot: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let ra = counts(&mut (0..a.len()).map(|_| a[draw(a.len())]));
            let rb = counts(&mut (0..b.len()).map(|_| b[draw(b.len())]));
            sim(&ra, &rb)
        })
        .collect();
    boot.sort_by(f64::total_cmp);
    let quantile = |q: f64| boot[((q * (boot.len() - 1) as f64).round() as usize).min(boot.len() - 1)];
    let mut pool: Vec<usize> = a.iter().chain(b).copied().collect();
    let mut as_far = 0;
    for _ in 0..RESAMPLES {
        for i in (1..pool.len()).rev() {
            pool.swap(i, draw(i + 1));
        }
        let (pa, pb) = pool.split_at(a.len());
        if sim(&counts(&mut pa.iter().copied()), &counts(&mut pb.iter().copied())) <= value {
            as_far += 1;
        }
    }
    Similarity { value, low: quantile(0.025), high: quantile(0.975), p: (as_far + 1) as f64 / (RESAMPLES + 1) as f64 }
}

/// A share in words: "13%", "<1%" for a share above nothing that rounds to it.
pub fn percent(share: f64) -> String {
    if share > 0.0 && share < 0.005 {
        "<1%".into()
    } else {
        format!("{:.0}%", 100.0 * share)
    }
}

/// Joint and marginal counts of two labelings.
type Contingency<A, B> = (HashMap<(A, B), f64>, HashMap<A, f64>, HashMap<B, f64>);

/// Contingency counts of two labelings.
fn contingency<A: Eq + std::hash::Hash + Copy, B: Eq + std::hash::Hash + Copy>(a: &[A], b: &[B]) -> Contingency<A, B> {
    let mut joint = HashMap::new();
    let mut ma = HashMap::new();
    let mut mb = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *joint.entry((x, y)).or_insert(0.0) += 1.0;
        *ma.entry(x).or_insert(0.0) += 1.0;
        *mb.entry(y).or_insert(0.0) += 1.0;
    }
    (joint, ma, mb)
}

fn entropy<K>(counts: &HashMap<K, f64>, n: f64) -> f64 {
    counts.values().map(|&c| -(c / n) * (c / n).ln()).sum()
}

/// Normalised mutual information with the arithmetic-mean normaliser (scikit-learn's default).
pub fn nmi<A: Eq + std::hash::Hash + Copy, B: Eq + std::hash::Hash + Copy>(a: &[A], b: &[B]) -> f64 {
    let n = a.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    let (joint, ma, mb) = contingency(a, b);
    let mi: f64 = joint.iter().map(|(&(x, y), &c)| (c / n) * ((c * n) / (ma[&x] * mb[&y])).ln()).sum();
    let (ha, hb) = (entropy(&ma, n), entropy(&mb, n));
    if ha + hb == 0.0 {
        return 1.0;
    }
    (2.0 * mi / (ha + hb)).max(0.0)
}

/// Adjusted Rand index (Hubert & Arabie 1985).
pub fn ari<A: Eq + std::hash::Hash + Copy, B: Eq + std::hash::Hash + Copy>(a: &[A], b: &[B]) -> f64 {
    let n = a.len() as f64;
    let pairs = |c: f64| c * (c - 1.0) / 2.0;
    let (joint, ma, mb) = contingency(a, b);
    let index: f64 = joint.values().map(|&c| pairs(c)).sum();
    let sa: f64 = ma.values().map(|&c| pairs(c)).sum();
    let sb: f64 = mb.values().map(|&c| pairs(c)).sum();
    let expected = sa * sb / pairs(n).max(1.0);
    let max = (sa + sb) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// The `top` candidates with the highest scores, best first (ties by position): a partial
/// selection, then a sort of the few kept, so the cost grows linearly with the documents.
pub fn rank(scores: ArrayView1<f32>, mut candidates: Vec<usize>, top: usize) -> Vec<usize> {
    let better = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    let k = top.min(candidates.len());
    if k > 0 && k < candidates.len() {
        candidates.select_nth_unstable_by(k - 1, better);
    }
    candidates.truncate(k);
    candidates.sort_by(better);
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fisher_matches_hand_computed_tables() {
        let fisher = Fisher::new(2000);
        // The tea-tasting table [[3, 1], [1, 3]]: two-sided p = 34/70.
        assert!((fisher.two_sided(3, 1, 1, 3) - 34.0 / 70.0).abs() < 1e-12);
        // [[1, 9], [11, 3]]: two-sided p = 0.002759 (R's fisher.test).
        assert!((fisher.two_sided(1, 9, 11, 3) - 0.002_759_5).abs() < 1e-6);
        // A theme on 12 pages, all of one country's 46, of 1,213: far beyond chance.
        assert!(fisher.two_sided(12, 34, 0, 1167) < 1e-13);
        assert!((fisher.two_sided(0, 10, 0, 10) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn normal_score_inverts_the_normal_tail() {
        assert!((normal_score(0.05) - 1.959_964).abs() < 1e-5);
        assert!(normal_score(1.0).abs() < 1e-6);
        assert!(normal_score(1e-20) > 9.0);
    }

    #[test]
    fn log_odds_hand_computed() {
        // Group: 30 of 100 documents in the theme; rest: 70 of 900; prior α = 10·100/1000 = 1, α₀ = 10.
        let lo = log_odds(30.0, 100.0, 70.0, 900.0, 1.0, 10.0);
        let group = (31.0f64 / (100.0 + 10.0 - 30.0 - 1.0)).ln(); // ln(31/79)
        let rest = (71.0f64 / (900.0 + 10.0 - 70.0 - 1.0)).ln(); // ln(71/839)
        assert!((lo.delta - (group - rest)).abs() < 1e-12);
        let sigma = (1.0 / 31.0 + 1.0 / 71.0f64).sqrt();
        assert!((lo.z - (group - rest) / sigma).abs() < 1e-12);
        assert!(lo.z > 5.0, "a theme three times as common is clearly distinctive: {}", lo.z);
    }

    #[test]
    fn log_odds_is_zero_for_equal_rates() {
        let lo = log_odds(10.0, 100.0, 90.0, 900.0, 1.0, 10.0);
        assert!(lo.delta.abs() < 0.01 && lo.z.abs() < 0.05, "{lo:?}");
    }

    #[test]
    fn js_similarity_bounds() {
        assert!((js_similarity(&[0.5, 0.5], &[0.5, 0.5]) - 1.0).abs() < 1e-12);
        assert!(js_similarity(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-12);
        assert!(js_similarity(&[0.0, 0.0], &[0.5, 0.5]).is_finite());
    }

    #[test]
    fn shrinkage_holds_small_groups_near_the_corpus() {
        let corpus = [0.5, 0.5];
        let small = shrunk(&[3, 0], &corpus, 10.0);
        let large = shrunk(&[300, 0], &corpus, 10.0);
        assert!((small[0] - 8.0 / 13.0).abs() < 1e-12, "{small:?}");
        assert!(large[0] > 0.98 && small[0] < 0.65, "three pages barely move a share, three hundred do");
    }

    #[test]
    fn groups_that_differ_more_than_sampling_borrow_less() {
        let corpus = [0.5, 0.5];
        let alike: Vec<Vec<usize>> = (0..20).map(|i| vec![50 + (i % 3), 50 - (i % 3)]).collect();
        let apart: Vec<Vec<usize>> = (0..20).map(|i| if i % 2 == 0 { vec![90, 10] } else { vec![10, 90] }).collect();
        assert!(prior_strength(&alike, &corpus) > 100.0 * prior_strength(&apart, &corpus));
    }

    #[test]
    fn a_real_difference_is_found_and_samples_of_one_pool_are_not_called_different() {
        let corpus = [0.5, 0.5];
        let a: Vec<usize> = (0..40).map(|i| usize::from(i % 5 == 0)).collect();
        let b: Vec<usize> = (0..40).map(|i| usize::from(i % 5 != 0)).collect();
        let differ = similarity(&a, &b, 2, &corpus, 5.0, 1);
        assert!(differ.p < 0.01 && differ.low <= differ.value && differ.value <= differ.high, "{differ:?}");
        let c: Vec<usize> = (0..40).map(|i| usize::from(i % 2 == 0)).collect();
        let d: Vec<usize> = (0..40).map(|i| usize::from(i % 2 == 1)).collect();
        assert!(similarity(&c, &d, 2, &corpus, 5.0, 1).p > 0.2);
    }
}
