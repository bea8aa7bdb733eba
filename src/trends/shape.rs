//! Whether a theme's share changes across the periods at all, and how: rising, falling, peaked
//! in one period, or new since one.
//!
//! A straight-line test (Cochran–Armitage) cannot see a theme that rose and fell, such as the
//! pandemic's pages from 2020 to 2022. The test here is one of homogeneity: the Pearson
//! chi-square of the theme's count in each period against its overall share, its null
//! distribution drawn by permuting the periods of *batches* of pages (a country's pages of one
//! period, or a folder's) rather than of single pages: pages come in batches (one lab writes
//! five pages on one subject in one year), and a test that took each page as independent would
//! take every batch for a change. The shape is then read from the shares and their intervals.

use rand_xoshiro::rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use crate::stats::Interval;

/// Permutations drawn for a theme's test.
const PERMUTATIONS: usize = 999;

/// How a theme's share moved across the periods, where it moved beyond chance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Shape {
    Rising,
    Falling,
    /// Highest in an inner period, lower before and after.
    Peaked {
        peak: String,
    },
    /// Absent in the first periods, present from one on.
    New {
        since: String,
    },
    /// It changes, in no simple way.
    Shifting,
}

impl Shape {
    /// "rising", "peaked in 2020", "new since 2023".
    pub fn describe(&self) -> String {
        match self {
            Shape::Rising => "rising".into(),
            Shape::Falling => "falling".into(),
            Shape::Peaked { peak } => format!("peaked in {peak}"),
            Shape::New { since } => format!("new since {since}"),
            Shape::Shifting => "shifting".into(),
        }
    }
}

/// A theme's change across the periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The p-value of a change: the smaller of the homogeneity test's (permuting batches) and
    /// the straight line's, doubled (Bonferroni); and that p-value adjusted across themes.
    pub p: f64,
    pub q: Option<f64>,
    /// Set where the change holds at the chosen false discovery rate.
    pub shape: Option<Shape>,
    /// The periods whose share is above the theme's share over all periods (their 95% intervals
    /// entirely above it).
    pub above: Vec<String>,
}

/// One tested period of one theme: its label, the theme's pages and all pages there.
pub(super) struct Cell<'a> {
    pub label: &'a str,
    pub count: usize,
    pub total: usize,
    pub share: Interval,
}

/// The homogeneity test's p-value for one theme: `batches` holds, for each batch of pages in a
/// tested period, its period (index into the tested periods), its pages and the theme's pages
/// among them.
pub(super) fn homogeneity_p(batches: &[(usize, usize, usize)], periods: usize, seed: u64) -> Option<f64> {
    let pages: usize = batches.iter().map(|b| b.1).sum();
    let theme: usize = batches.iter().map(|b| b.2).sum();
    if periods < 2 || theme == 0 || theme == pages {
        return None;
    }
    let share = theme as f64 / pages as f64;
    let statistic = |period_of: &dyn Fn(usize) -> usize| {
        let (mut count, mut total) = (vec![0usize; periods], vec![0usize; periods]);
        for (i, b) in batches.iter().enumerate() {
            count[period_of(i)] += b.2;
            total[period_of(i)] += b.1;
        }
        count
            .iter()
            .zip(&total)
            .filter(|(_, &n)| n > 0)
            .map(|(&c, &n)| (c as f64 - n as f64 * share).powi(2) / (n as f64 * share * (1.0 - share)))
            .sum::<f64>()
    };
    let observed = statistic(&|i| batches[i].0);
    let mut labels: Vec<usize> = batches.iter().map(|b| b.0).collect();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut as_large = 0;
    for _ in 0..PERMUTATIONS {
        for i in (1..labels.len()).rev() {
            labels.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        if statistic(&|i| labels[i]) >= observed - 1e-9 {
            as_large += 1;
        }
    }
    Some((as_large + 1) as f64 / (PERMUTATIONS + 1) as f64)
}

/// The shape of a theme that changes, from its tested periods (`cells`, in order), its share
/// over all of them (`overall`) and the straight line's slope.
pub(super) fn shape_of(cells: &[Cell], overall: f64, slope: f64) -> Shape {
    let Some(peak) = (0..cells.len()).max_by(|&a, &b| cells[a].share.value.total_cmp(&cells[b].share.value)) else {
        return Shape::Shifting;
    };
    let last = cells.len() - 1;
    let clearly_above = |a: &Cell, b: &Cell| a.share.low > b.share.high;
    if peak > 0 && peak < last && clearly_above(&cells[peak], &cells[0]) && clearly_above(&cells[peak], &cells[last]) {
        return Shape::Peaked { peak: cells[peak].label.to_string() };
    }
    if let Some(start) = cells.iter().position(|c| c.count > 0) {
        let absent_before = start > 0 && cells[..start].iter().map(|c| c.total).sum::<usize>() >= 10;
        if absent_before && cells[start..].iter().all(|c| c.count > 0 && c.share.high > overall / 2.0) {
            return Shape::New { since: cells[start].label.to_string() };
        }
    }
    let rising = cells[last].share.value > cells[0].share.value;
    match (slope > 0.0, rising) {
        (true, true) => Shape::Rising,
        (false, false) => Shape::Falling,
        _ => Shape::Shifting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::wilson;

    fn cells<'a>(labels: &'a [&'a str], counts: &[usize], total: usize) -> Vec<Cell<'a>> {
        labels
            .iter()
            .zip(counts)
            .map(|(label, &count)| Cell { label, count, total, share: wilson(count, total) })
            .collect()
    }

    #[test]
    fn shapes_are_read_from_the_shares() {
        let years = ["2019", "2020", "2021", "2022", "2023", "2024", "2025"];
        let pandemic = cells(&years, &[0, 19, 12, 6, 0, 0, 0], 45);
        assert_eq!(shape_of(&pandemic, 37.0 / 315.0, -0.01), Shape::Peaked { peak: "2020".into() });
        let ai = cells(&years, &[0, 0, 0, 0, 4, 9, 12], 45);
        assert_eq!(shape_of(&ai, 25.0 / 315.0, 0.03), Shape::New { since: "2023".into() });
        let growing = cells(&years, &[2, 4, 6, 8, 10, 12, 14], 45);
        assert_eq!(shape_of(&growing, 56.0 / 315.0, 0.04), Shape::Rising);
    }

    #[test]
    fn batches_moved_together_are_no_change() {
        // Each period holds one big batch of a theme and a mix elsewhere: by pages the shares
        // differ wildly, by batches nothing does.
        let mut batches = Vec::new();
        for period in 0..6 {
            batches.push((period, 20, if period % 2 == 0 { 18 } else { 0 }));
            for _ in 0..4 {
                batches.push((period, 5, 1));
            }
        }
        let by_batch = homogeneity_p(&batches, 6, 7).unwrap();
        let pages: Vec<(usize, usize, usize)> =
            batches.iter().flat_map(|&(p, n, c)| (0..n).map(move |i| (p, 1, usize::from(i < c)))).collect();
        let by_page = homogeneity_p(&pages, 6, 7).unwrap();
        assert!(by_page < 0.01, "page by page the shares differ: {by_page}");
        assert!(by_batch > 0.05, "batch by batch they do not: {by_batch}");
    }
}
