//! Themes over time: each theme's share of every period's documents with an interval, and a
//! test of whether that share rises or falls across the periods that is more than noise.
//!
//! Whether a theme's share changes at all is a test of homogeneity across the periods whose
//! null distribution permutes batches of pages, not pages (see [`shape`]); its shape (rising,
//! falling, peaked, new) is read where the change holds. The straight line is still fitted and
//! tested (Cochran–Armitage, the variance inflated by the Pearson dispersion of the periods
//! around the line): its slope and fitted shares describe rising and falling themes. The
//! p-values of all themes are adjusted together (Benjamini–Hochberg), so that among the themes
//! marked as changing about 5% at most are expected to be noise.

mod shape;
mod since;

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use crate::ingest::Document;
use crate::stats::{benjamini_hochberg, normal_tail, wilson, Interval};
use crate::themes::ThemeId;

pub use shape::{Change, Shape};
pub use since::{CountryMove, Joined, PreviousThemes, SinceLast};

/// The length of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    #[default]
    Year,
    Quarter,
    Month,
}

impl Period {
    pub fn name(self) -> &'static str {
        match self {
            Period::Year => "year",
            Period::Quarter => "quarter",
            Period::Month => "month",
        }
    }

    /// The period a document falls in, as a number that counts periods (so that consecutive
    /// periods differ by one): from its date, or for years from its year alone. A document
    /// without a full date has no quarter or month.
    pub fn index(self, d: &Document) -> Option<i64> {
        match self {
            Period::Year => d.date.map(|x| x.year()).or(d.year).map(i64::from),
            Period::Quarter => d.date.map(|x| i64::from(x.year()) * 4 + i64::from(x.month0() / 3)),
            Period::Month => d.date.map(|x| i64::from(x.year()) * 12 + i64::from(x.month0())),
        }
    }

    /// "2021", "2021-Q3", "2021-07".
    pub fn label(self, index: i64) -> String {
        match self {
            Period::Year => index.to_string(),
            Period::Quarter => format!("{}-Q{}", index.div_euclid(4), index.rem_euclid(4) + 1),
            Period::Month => format!("{}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1),
        }
    }
}

impl std::str::FromStr for Period {
    type Err = String;

    fn from_str(s: &str) -> Result<Period, String> {
        match s {
            "year" => Ok(Period::Year),
            "quarter" => Ok(Period::Quarter),
            "month" => Ok(Period::Month),
            other => Err(format!("unknown period {other:?}: year, quarter or month")),
        }
    }
}

/// How trends are measured.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrendOptions {
    pub period: Period,
    /// A period with fewer documents than this is too thin to give a share: it is shown as
    /// such and left out of the test.
    pub min_documents: usize,
    /// The false discovery rate across themes at which a trend is marked.
    pub level: f64,
}

impl TrendOptions {
    /// Refuses options no test can work with.
    pub fn check(&self) -> Result<(), TrendParamError> {
        if self.min_documents == 0 {
            return Err(TrendParamError::MinDocuments);
        }
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(TrendParamError::Level(self.level));
        }
        Ok(())
    }
}

/// Options of the themes over time that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TrendParamError {
    #[error("--period-min-pages must be 1 or more: a period without pages has no share")]
    MinDocuments,
    #[error("the false discovery rate of trends must be between 0 and 1, not {0}")]
    Level(f64),
}

impl Default for TrendOptions {
    fn default() -> Self {
        TrendOptions { period: Period::Year, min_documents: 5, level: 0.05 }
    }
}

/// A theme's documents in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodShare {
    pub period: String,
    /// The theme's documents in the period …
    pub documents: usize,
    /// … of all the period's documents.
    pub total: usize,
    /// The share with its 95% Wilson interval; `None` when the period is too thin.
    pub share: Option<Interval>,
}

/// Which way a theme's share moves, where the test says it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Rising,
    Falling,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::Rising => "rising",
            Direction::Falling => "falling",
        }
    }
}

/// One theme's course over the periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeTrend {
    pub theme_id: ThemeId,
    pub series: Vec<PeriodShare>,
    /// Set when the trend holds at the chosen false discovery rate.
    pub direction: Option<Direction>,
    /// The fitted change of the share per period (0.02: two percentage points a period).
    pub slope: f64,
    /// The fitted share in the first and the last period tested.
    pub fitted_first: f64,
    pub fitted_last: f64,
    /// The test statistic after the dispersion correction, its two-sided p-value and the
    /// p-value adjusted across themes (Benjamini–Hochberg); `None` where nothing could be tested
    /// (fewer than three periods with enough documents, or a share of 0 or 1 throughout).
    pub z: Option<f64>,
    pub p: Option<f64>,
    pub q: Option<f64>,
    /// For a rising or falling theme: the terms its pages use more and less in the last part
    /// of the periods than in the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<TermShift>,
    /// Whether its share changes across the periods at all (a test that sees peaks as well as
    /// lines), and the shape of the change where it does; `None` where nothing could be tested.
    #[serde(default)]
    pub change: Option<Change>,
}

impl ThemeTrend {
    /// How its share changed, where the change holds.
    pub fn shape(&self) -> Option<&Shape> {
        self.change.as_ref().and_then(|c| c.shape.as_ref())
    }

    /// "rising", "peaked in 2020", …, where its share changed beyond chance.
    pub fn describe(&self) -> Option<String> {
        self.shape().map(Shape::describe)
    }
}

/// How the change test behaves on a corpus: how often it finds a change where there is none
/// (the pages' periods shuffled) and how often it finds a peak of a given size (planted).
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// Corpora drawn of each kind.
    pub draws: usize,
    /// Share of the themes found changing once the periods are shuffled (aimed at: at most the
    /// false discovery rate).
    pub false_positive_rate: f64,
    /// Share of shuffled corpora in which any theme was found changing.
    pub any_false_positive: f64,
    /// The planted peak: a theme holding this many pages of each period …
    pub planted: Vec<(String, usize)>,
    /// … and the share of draws in which it was found changing (peaked, for `found_peaked`).
    pub power: f64,
    pub found_peaked: f64,
}

impl Trends {
    /// Calibrates the change test on `documents` as they are assigned (`assignments`, theme
    /// positions among `themes`): the periods shuffled `draws` times; and a theme planted
    /// `draws` times, holding `planted[i]` pages (picked at random) of the i-th period.
    pub fn calibrate(
        documents: &[Document],
        assignments: &[usize],
        themes: &[ThemeId],
        options: TrendOptions,
        planted: &[usize],
        draws: usize,
    ) -> Calibration {
        use rand_xoshiro::rand_core::{RngCore, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(29);
        let shuffle = |items: &mut Vec<usize>, rng: &mut rand_xoshiro::Xoshiro256PlusPlus| {
            for i in (1..items.len()).rev() {
                items.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
            }
        };
        let base = Trends::of(documents, assignments, themes, options);
        if base.periods.is_empty() {
            // No page has a period: nothing to shuffle or plant.
            return Calibration {
                draws: 0,
                false_positive_rate: 0.0,
                any_false_positive: 0.0,
                planted: Vec::new(),
                power: 0.0,
                found_peaked: 0.0,
            };
        }
        let (mut flagged, mut any) = (0usize, 0usize);
        let mut order: Vec<usize> = (0..documents.len()).collect();
        for _ in 0..draws {
            shuffle(&mut order, &mut rng);
            let moved: Vec<Document> = documents
                .iter()
                .zip(&order)
                .map(|(d, &j)| Document { year: documents[j].year, date: documents[j].date, ..d.clone() })
                .collect();
            let found =
                Trends::of(&moved, assignments, themes, options).themes.iter().filter(|t| t.shape().is_some()).count();
            flagged += found;
            any += usize::from(found > 0);
        }
        let tested = base.tested_periods();
        let mut planted_at = vec![0usize; base.periods.len()];
        for (&p, &n) in tested.iter().zip(planted) {
            planted_at[p] = n;
        }
        let (mut found, mut peaked) = (0usize, 0usize);
        let extra = ThemeId(u32::MAX);
        let with_extra: Vec<ThemeId> = themes.iter().copied().chain([extra]).collect();
        for _ in 0..draws {
            let mut assigned = assignments.to_vec();
            for (p, &n) in planted_at.iter().enumerate() {
                let mut in_period: Vec<usize> = (0..documents.len())
                    .filter(|&i| options.period.index(&documents[i]) == Some(base.first_index + p as i64))
                    .collect();
                shuffle(&mut in_period, &mut rng);
                in_period.into_iter().take(n).for_each(|i| assigned[i] = themes.len());
            }
            let trend = Trends::of(documents, &assigned, &with_extra, options).themes.pop().expect("the planted theme");
            found += usize::from(trend.shape().is_some());
            peaked += usize::from(matches!(trend.shape(), Some(Shape::Peaked { .. })));
        }
        let per = |n: usize| n as f64 / draws.max(1) as f64;
        Calibration {
            draws,
            false_positive_rate: flagged as f64 / (draws * themes.len()).max(1) as f64,
            any_false_positive: per(any),
            planted: tested.iter().zip(planted).map(|(&p, &n)| (base.periods[p].0.clone(), n)).collect(),
            power: per(found),
            found_peaked: per(peaked),
        }
    }
}

/// How a theme's language moved between the first and the last part of the periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermShift {
    /// The language of the pages compared (the theme's main one).
    pub language: String,
    pub early_documents: usize,
    pub late_documents: usize,
    pub gained: Vec<ShiftedTerm>,
    pub lost: Vec<ShiftedTerm>,
}

/// A term and how much more (z > 0) or less its theme's late pages use it than its early ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftedTerm {
    pub term: String,
    pub early: usize,
    pub late: usize,
    pub z: f64,
}

/// Terms listed per direction of a [`TermShift`].
const SHIFTED_TERMS: usize = 8;
/// Strength of the Dirichlet prior (α₀) of the term shifts, as in `compare`.
const TERM_PRIOR: f64 = 500.0;
/// |z| a term's shift must reach (two-sided 5%).
const TERM_Z: f64 = 1.96;

/// Every theme's course over the periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trends {
    pub options: TrendOptions,
    /// Every period from the first to the last that any document falls in, with its number of
    /// documents (periods without any are listed too: a gap is not a zero).
    pub periods: Vec<(String, usize)>,
    /// Documents without a date of that precision, left out.
    pub undated: usize,
    /// By theme position.
    pub themes: Vec<ThemeTrend>,
    /// The index of the first period (see [`Period::index`]), where `periods` begin.
    pub first_index: i64,
}

/// The early or the late part of the tested periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Early,
    Late,
}

impl Trends {
    /// The trends of `themes` (ids by position), whose documents are `assignments` (a position
    /// per document).
    pub fn of(documents: &[Document], assignments: &[usize], themes: &[ThemeId], options: TrendOptions) -> Trends {
        let index: Vec<Option<i64>> = documents.iter().map(|d| options.period.index(d)).collect();
        let undated = index.iter().filter(|i| i.is_none()).count();
        let (Some(first), Some(last)) = (index.iter().flatten().min().copied(), index.iter().flatten().max().copied())
        else {
            return Trends { options, periods: Vec::new(), undated, themes: Vec::new(), first_index: 0 };
        };
        let width = (last - first + 1) as usize;
        let mut totals = vec![0usize; width];
        let mut counts = vec![vec![0usize; width]; themes.len()];
        for (i, &t) in index.iter().zip(assignments) {
            if let Some(i) = i {
                let p = (i - first) as usize;
                totals[p] += 1;
                counts[t][p] += 1;
            }
        }
        let labels: Vec<String> = (first..=last).map(|i| options.period.label(i)).collect();
        let mut trends: Vec<ThemeTrend> = themes
            .iter()
            .zip(&counts)
            .map(|(&id, counts)| {
                let series = labels
                    .iter()
                    .zip(counts.iter().zip(&totals))
                    .map(|(label, (&c, &n))| PeriodShare {
                        period: label.clone(),
                        documents: c,
                        total: n,
                        share: (n >= options.min_documents).then(|| wilson(c, n)),
                    })
                    .collect();
                let tested: Vec<(f64, f64, f64)> = counts
                    .iter()
                    .zip(&totals)
                    .enumerate()
                    .filter(|(_, (_, &n))| n >= options.min_documents)
                    .map(|(x, (&c, &n))| (x as f64, c as f64, n as f64))
                    .collect();
                let fit = linear_trend(&tested);
                ThemeTrend {
                    theme_id: id,
                    series,
                    direction: None,
                    slope: fit.map_or(0.0, |f| f.slope),
                    fitted_first: fit.map_or(0.0, |f| f.first),
                    fitted_last: fit.map_or(0.0, |f| f.last),
                    z: fit.and_then(|f| f.z),
                    p: fit.and_then(|f| f.z).map(|z| 2.0 * normal_tail(z.abs())),
                    q: None,
                    terms: None,
                    change: None,
                }
            })
            .collect();
        let p: Vec<Option<f64>> = trends.iter().map(|t| t.p).collect();
        for (t, q) in trends.iter_mut().zip(benjamini_hochberg(&p)) {
            t.q = q;
        }
        // The change test: batches of pages (a country's, or a folder's, in one tested period)
        // and each theme's pages among them.
        let tested: Vec<usize> = (0..width).filter(|&p| totals[p] >= options.min_documents).collect();
        let mut batches: std::collections::BTreeMap<(usize, String), (usize, Vec<usize>)> = Default::default();
        for ((d, i), &t) in documents.iter().zip(&index).zip(assignments) {
            let Some(position) = i.and_then(|i| tested.iter().position(|&p| p as i64 == i - first)) else { continue };
            let key = d.country.clone().or_else(|| d.folder()).unwrap_or_else(|| d.doc_id.clone());
            let (n, counts) = batches.entry((position, key)).or_insert_with(|| (0, vec![0; themes.len()]));
            *n += 1;
            counts[t] += 1;
        }
        // A change is a line (more power against a steady rise) or any departure from one share
        // (which sees a peak): the smaller p of the two tests, Bonferroni-corrected for taking it.
        let change_p: Vec<Option<f64>> = (0..themes.len())
            .map(|t| {
                let theirs: Vec<(usize, usize, usize)> =
                    batches.iter().map(|((position, _), (n, counts))| (*position, *n, counts[t])).collect();
                let homogeneity = shape::homogeneity_p(&theirs, tested.len(), t as u64)?;
                let line = trends[t].p.unwrap_or(1.0);
                Some((2.0 * homogeneity.min(line)).min(1.0))
            })
            .collect();
        for ((trend, p), q) in trends.iter_mut().zip(&change_p).zip(benjamini_hochberg(&change_p)) {
            let Some(p) = *p else { continue };
            let cells: Vec<shape::Cell> = tested
                .iter()
                .map(|&x| {
                    let cell = &trend.series[x];
                    shape::Cell {
                        label: &cell.period,
                        count: cell.documents,
                        total: cell.total,
                        share: wilson(cell.documents, cell.total),
                    }
                })
                .collect();
            let (pages, own): (usize, usize) = cells.iter().fold((0, 0), |(n, c), x| (n + x.total, c + x.count));
            let overall = own as f64 / pages.max(1) as f64;
            let holds = q.is_some_and(|q| q <= options.level);
            let shape = holds.then(|| shape::shape_of(&cells, overall, trend.slope));
            trend.direction = match shape {
                Some(Shape::Rising) => Some(Direction::Rising),
                Some(Shape::Falling) => Some(Direction::Falling),
                _ => None,
            };
            let above = cells.iter().filter(|c| c.share.low > overall).map(|c| c.label.to_string()).collect();
            trend.change = Some(Change { p, q, shape, above });
        }
        Trends {
            options,
            periods: labels.into_iter().zip(totals).collect(),
            undated,
            themes: trends,
            first_index: first,
        }
    }

    /// The periods with enough documents to give shares, by position in `periods`.
    pub fn tested_periods(&self) -> Vec<usize> {
        (0..self.periods.len()).filter(|&p| self.periods[p].1 >= self.options.min_documents).collect()
    }

    /// Whether a document falls in the first half of the tested periods or in the last (the
    /// middle one left out when their number is odd): where a theme's change of language is read.
    pub fn part(&self, d: &Document) -> Option<Part> {
        let position = usize::try_from(self.options.period.index(d)? - self.first_index).ok()?;
        let tested = self.tested_periods();
        let half = tested.len() / 2;
        if tested[..half].contains(&position) {
            Some(Part::Early)
        } else if tested[tested.len() - half..].contains(&position) {
            Some(Part::Late)
        } else {
            None
        }
    }
}

impl Trends {
    /// Reads, for each rising or falling theme, how its language moved: the terms (of its pages
    /// in its main language, `terms[i]` those of document i) that its late pages use more or less
    /// than its early ones, by log-odds with an informative Dirichlet prior from all of the
    /// theme's pages (Monroe et al. 2008, as `compare` does between groups).
    pub fn read_language(
        &mut self,
        documents: &[Document],
        assignments: &[usize],
        terms: &[std::collections::HashSet<String>],
    ) {
        let parts: Vec<Option<Part>> = documents.iter().map(|d| self.part(d)).collect();
        for (position, trend) in self.themes.iter_mut().enumerate() {
            if trend.direction.is_none() {
                continue;
            }
            let members: Vec<usize> = (0..documents.len()).filter(|&i| assignments[i] == position).collect();
            let mut languages: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
            for &i in &members {
                *languages.entry(documents[i].language.as_deref().unwrap_or("unknown")).or_default() += 1;
            }
            let Some((&language, _)) = languages.iter().max_by_key(|(l, n)| (**n, std::cmp::Reverse(**l))) else {
                continue;
            };
            let (mut early, mut late) = (Vec::new(), Vec::new());
            for &i in members.iter().filter(|&&i| documents[i].language.as_deref().unwrap_or("unknown") == language) {
                match parts[i] {
                    Some(Part::Early) => early.push(i),
                    Some(Part::Late) => late.push(i),
                    None => {}
                }
            }
            trend.terms = Some(term_shift(language, &early, &late, terms));
        }
    }
}

/// The terms the `late` documents use more and less than the `early` ones.
fn term_shift(
    language: &str,
    early: &[usize],
    late: &[usize],
    terms: &[std::collections::HashSet<String>],
) -> TermShift {
    let count = |docs: &[usize]| {
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for &i in docs {
            for t in &terms[i] {
                *counts.entry(t.as_str()).or_default() += 1;
            }
        }
        counts
    };
    let (e, l) = (count(early), count(late));
    let (n_e, n_l) = (e.values().sum::<usize>() as f64, l.values().sum::<usize>() as f64);
    let mut all: Vec<&str> = e.keys().chain(l.keys()).copied().collect();
    all.sort_unstable();
    all.dedup();
    let mut shifted: Vec<ShiftedTerm> = all
        .into_iter()
        .map(|t| {
            let (ye, yl) = (e.get(t).copied().unwrap_or(0), l.get(t).copied().unwrap_or(0));
            let alpha = TERM_PRIOR * (ye + yl) as f64 / (n_e + n_l);
            let lo = crate::stats::log_odds(yl as f64, n_l, ye as f64, n_e, alpha, TERM_PRIOR);
            ShiftedTerm { term: t.to_string(), early: ye, late: yl, z: lo.z }
        })
        .collect();
    shifted.sort_by(|a, b| b.z.total_cmp(&a.z).then_with(|| a.term.cmp(&b.term)));
    let gained = shifted.iter().filter(|s| s.z >= TERM_Z && s.late >= 2).take(SHIFTED_TERMS).cloned().collect();
    let mut lost: Vec<ShiftedTerm> = shifted.iter().filter(|s| s.z <= -TERM_Z && s.early >= 2).cloned().collect();
    lost.sort_by(|a, b| a.z.total_cmp(&b.z).then_with(|| a.term.cmp(&b.term)));
    lost.truncate(SHIFTED_TERMS);
    TermShift { language: language.to_string(), early_documents: early.len(), late_documents: late.len(), gained, lost }
}

/// A weighted line through the shares of the tested periods.
#[derive(Debug, Clone, Copy)]
struct Fit {
    slope: f64,
    first: f64,
    last: f64,
    /// The trend statistic, dispersion-corrected; `None` when it cannot be computed.
    z: Option<f64>,
}

/// Cochran–Armitage trend statistic on (period, count, total) triples, with the variance
/// scaled by the Pearson dispersion around the weighted least-squares line when the periods
/// scatter more than binomial sampling would make them (never scaled below 1).
fn linear_trend(points: &[(f64, f64, f64)]) -> Option<Fit> {
    if points.len() < 2 {
        return None;
    }
    let n: f64 = points.iter().map(|p| p.2).sum();
    let c: f64 = points.iter().map(|p| p.1).sum();
    let mean_share = c / n;
    let mean_x = points.iter().map(|p| p.0 * p.2).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| p.2 * (p.0 - mean_x).powi(2)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let t: f64 = points.iter().map(|p| p.1 * (p.0 - mean_x)).sum();
    let slope = t / sxx;
    let fitted = |x: f64| mean_share + slope * (x - mean_x);
    // A straight line can leave 0..1 at its ends; a share cannot.
    let (first, last) = (fitted(points[0].0).clamp(0.0, 1.0), fitted(points[points.len() - 1].0).clamp(0.0, 1.0));
    let binomial = mean_share * (1.0 - mean_share);
    if points.len() < 3 || binomial <= 0.0 {
        return Some(Fit { slope, first, last, z: None });
    }
    let pearson: f64 = points.iter().map(|p| p.2 * (p.1 / p.2 - fitted(p.0)).powi(2)).sum::<f64>() / binomial;
    let dispersion = (pearson / (points.len() - 2) as f64).max(1.0);
    let z = t / (binomial * sxx * dispersion).sqrt();
    Some(Fit { slope, first, last, z: Some(z) })
}

#[cfg(test)]
mod tests;
