//! Catch-all themes: large, loose themes of pages about nothing in particular.

use super::Theme;

/// A theme holding at least this share of the documents may be a catch-all …
const CATCH_ALL_MIN_SHARE: f64 = 0.12;
/// … when its cohesion lies this many median absolute deviations below the median theme's.
const CATCH_ALL_DEVIATIONS: f32 = 2.0;

/// Marks large themes whose pages share much less than the others' do: k-means has to put
/// every page somewhere, and pages about nothing in particular gather in one big loose
/// theme that reads as a topic when it is not.
pub(super) fn mark_catch_all(themes: &mut [Theme]) {
    if themes.len() < 4 {
        return;
    }
    let total: usize = themes.iter().map(|t| t.size).sum();
    let mut cohesions: Vec<f32> = themes.iter().map(|t| t.cohesion).collect();
    let middle = median(&mut cohesions);
    let mut deviations: Vec<f32> = themes.iter().map(|t| (t.cohesion - middle).abs()).collect();
    let spread = median(&mut deviations).max(1e-3);
    for theme in themes {
        theme.catch_all = theme.size as f64 >= CATCH_ALL_MIN_SHARE * total as f64
            && theme.cohesion < middle - CATCH_ALL_DEVIATIONS * spread;
    }
}

/// Median of `values` (sorted in place); 0 for none.
fn median(values: &mut [f32]) -> f32 {
    values.sort_by(f32::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// How a catch-all theme's label starts.
pub(super) const CATCH_ALL_PREFIX: &str = "Various subjects: ";

/// The label of a catch-all theme: what its pages mention most, said not to be one subject.
pub(super) fn catch_all_label(label: &str) -> String {
    let mut chars = label.chars();
    let lowered: String = chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default();
    format!("{CATCH_ALL_PREFIX}{lowered}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A theme is a catch-all only when it is both large and much looser than the others.
    #[test]
    fn large_loose_themes_are_catch_alls() {
        let mut themes: Vec<Theme> = (0..8).map(|i| Theme::for_test("t", 10 + i)).collect();
        for (i, theme) in themes.iter_mut().enumerate() {
            theme.cohesion = 0.5 + 0.01 * i as f32;
        }
        themes[0].size = 40;
        themes[0].cohesion = 0.3;
        themes[1].cohesion = 0.3;
        themes[2].size = 40;
        mark_catch_all(&mut themes);
        let marked: Vec<bool> = themes.iter().map(|t| t.catch_all).collect();
        assert_eq!(marked, [true, false, false, false, false, false, false, false]);
    }
}
