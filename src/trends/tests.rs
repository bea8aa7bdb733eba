//! Tests of [`super`]: the trends module's unit tests, kept apart so the module reads on its own.

use super::*;

/// A page of `year`, each its own (no country or folder: each page is its own batch).
fn doc(year: i32) -> Document {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut d = crate::ingest::build_document("Text.", format!("d{n}"), format!("d{n}.txt"));
    d.year = Some(year);
    d
}

/// A deterministic shuffle (a fixed permutation by a multiplicative step).
fn shuffled<T: Clone>(items: &[T], step: usize) -> Vec<T> {
    (0..items.len()).map(|i| items[(i * step) % items.len()].clone()).collect()
}

/// Theme 0 grows from 10% to 60% of the documents over six years; themes 1 and 2 share the
/// rest evenly.
fn planted() -> (Vec<Document>, Vec<usize>) {
    let mut docs = Vec::new();
    let mut themes = Vec::new();
    for (y, share) in (2018..2024).zip([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) {
        let n = 40;
        let growing = (n as f64 * share) as usize;
        for i in 0..n {
            docs.push(doc(y));
            themes.push(if i < growing { 0 } else { 1 + i % 2 });
        }
    }
    (docs, themes)
}

#[test]
fn a_growing_theme_is_found_rising_and_shuffled_dates_find_nothing() {
    let (docs, themes) = planted();
    let ids = [ThemeId(0), ThemeId(1), ThemeId(2)];
    let t = Trends::of(&docs, &themes, &ids, TrendOptions::default());
    assert_eq!(t.periods.len(), 6);
    assert_eq!(t.themes[0].direction, Some(Direction::Rising), "{:?}", t.themes[0]);
    assert!((t.themes[0].slope - 0.1).abs() < 0.01, "ten points a year: {}", t.themes[0].slope);
    assert!(t.themes[1..].iter().all(|x| x.direction == Some(Direction::Falling)), "the others give way");

    assert_eq!(t.part(&doc(2018)), Some(Part::Early));
    assert_eq!(t.part(&doc(2020)), Some(Part::Early));
    assert_eq!(t.part(&doc(2021)), Some(Part::Late));
    assert_eq!(t.part(&doc(2030)), None);

    let years: Vec<Document> = shuffled(&docs, 97);
    let t = Trends::of(&years, &themes, &ids, TrendOptions::default());
    assert!(t.themes.iter().all(|x| x.direction.is_none()), "{:?}", t.themes.iter().map(|x| x.q).collect::<Vec<_>>());
}

#[test]
fn a_rising_themes_new_words_are_read() {
    let (mut docs, themes) = planted();
    for (i, d) in docs.iter_mut().enumerate() {
        d.language = Some("en".into());
        if themes[i] != 0 {
            d.language = Some(if i % 3 == 0 { "fr" } else { "en" }.into());
        }
    }
    let terms: Vec<std::collections::HashSet<String>> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let late = d.year.unwrap() >= 2021;
            let words: &[&str] = match (themes[i], late) {
                (0, false) => &["covid", "online", "digital"],
                (0, true) => &["ai", "generative", "digital"],
                _ => &["water", "farms"],
            };
            words.iter().map(|w| w.to_string()).collect()
        })
        .collect();
    let mut t = Trends::of(&docs, &themes, &[ThemeId(0), ThemeId(1), ThemeId(2)], TrendOptions::default());
    t.read_language(&docs, &themes, &terms);
    let shift = t.themes[0].terms.as_ref().expect("a rising theme's language is read");
    let words = |v: &[ShiftedTerm]| v.iter().map(|s| s.term.clone()).collect::<Vec<_>>();
    assert_eq!(shift.language, "en");
    assert_eq!(words(&shift.gained), ["ai", "generative"]);
    assert_eq!(words(&shift.lost), ["covid", "online"]);
}

#[test]
fn a_theme_that_rose_and_fell_is_found_peaked() {
    // The shared blogs' pandemic theme: 0, 19, 12, 6, 0, 0, 0 pages of about 45 a year.
    let mut docs = Vec::new();
    let mut themes = Vec::new();
    for (y, peak) in (2019..2026).zip([0, 19, 12, 6, 0, 0, 0]) {
        for i in 0..45 {
            docs.push(doc(y));
            themes.push(if i < peak { 0 } else { 1 + i % 3 });
        }
    }
    let ids = [ThemeId(0), ThemeId(1), ThemeId(2), ThemeId(3)];
    let t = Trends::of(&docs, &themes, &ids, TrendOptions::default());
    assert_eq!(t.themes[0].shape(), Some(&Shape::Peaked { peak: "2020".into() }), "{:?}", t.themes[0].change);
    assert_eq!(t.themes[0].direction, None, "a peak is no line");
    let calibration = Trends::calibrate(&docs, &themes, &ids, TrendOptions::default(), &[0, 19, 12, 6, 0, 0, 0], 20);
    assert!(calibration.false_positive_rate <= 0.05, "{calibration:?}");
    assert!(calibration.found_peaked >= 0.9, "{calibration:?}");
}

#[test]
fn a_corpus_without_dates_calibrates_to_nothing_rather_than_failing() {
    let docs: Vec<Document> = (0..20).map(|_| Document { year: None, ..doc(2020) }).collect();
    let calibration = Trends::calibrate(&docs, &[0; 20], &[ThemeId(0)], TrendOptions::default(), &[3, 5], 10);
    assert_eq!((calibration.draws, calibration.planted.len()), (0, 0));
}

#[test]
fn thin_periods_and_gaps_are_shown_as_such() {
    let mut docs: Vec<Document> = (0..10).map(|_| doc(2019)).collect();
    docs.extend((0..2).map(|_| doc(2021)));
    let themes = vec![0; docs.len()];
    let t = Trends::of(&docs, &themes, &[ThemeId(4)], TrendOptions::default());
    let labels: Vec<&str> = t.periods.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(labels, ["2019", "2020", "2021"]);
    let series = &t.themes[0].series;
    assert!(series[0].share.is_some());
    assert_eq!((series[1].total, series[1].share), (0, None), "a year without documents is no zero");
    assert_eq!((series[2].total, series[2].share), (2, None), "two documents give no share");
    assert_eq!(t.themes[0].z, None, "one period cannot show a trend");
}

#[test]
fn batches_of_pages_are_not_taken_for_a_trend() {
    // Shares jumping between periods far beyond binomial noise, with no direction: the
    // dispersion correction must keep the test quiet where the plain binomial one is not.
    let points: Vec<(f64, f64, f64)> =
        [0.05, 0.45, 0.1, 0.5, 0.15, 0.55].iter().enumerate().map(|(x, &s)| (x as f64, s * 200.0, 200.0)).collect();
    let fit = linear_trend(&points).unwrap();
    let p = 2.0 * normal_tail(fit.z.unwrap().abs());
    assert!(p > 0.05, "p = {p}");
}

#[test]
fn the_statistics_match_known_values() {
    assert!((normal_tail(1.959_964) - 0.025).abs() < 1e-6);
    assert!((normal_tail(0.0) - 0.5).abs() < 1e-7);
    assert!((normal_tail(-1.0) - 0.841_344_746).abs() < 1e-6);
    let w = wilson(5, 10);
    assert!((w.low - 0.236_593).abs() < 1e-5 && (w.high - 0.763_407).abs() < 1e-5, "{w:?}");
    let q = benjamini_hochberg(&[Some(0.01), None, Some(0.04), Some(0.03)]);
    assert_eq!(q[1], None);
    for (got, want) in [(q[0], 0.03), (q[2], 0.04), (q[3], 0.04)] {
        assert!((got.unwrap() - want).abs() < 1e-12, "{q:?}");
    }
}

#[test]
fn periods_count_and_label_consecutively() {
    let date = |s: &str| {
        let mut d = doc(2000);
        d.date = Some(s.parse().unwrap());
        d
    };
    let (a, b) = (date("2021-12-31"), date("2022-01-01"));
    for period in [Period::Year, Period::Quarter, Period::Month] {
        assert_eq!(period.index(&b).unwrap() - period.index(&a).unwrap(), 1, "{period:?}");
    }
    assert_eq!(Period::Quarter.label(Period::Quarter.index(&a).unwrap()), "2021-Q4");
    assert_eq!(Period::Month.label(Period::Month.index(&b).unwrap()), "2022-01");
    assert_eq!(Period::Quarter.index(&doc(2020)), None, "a year alone has no quarter");
    assert!("week".parse::<Period>().is_err());
}
