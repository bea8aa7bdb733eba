//! Themes over time through the binary: a subject planted to grow year by year is found rising
//! (and its counterpart falling) in themes.json and the report; the same pages with their years
//! shuffled show no trend.

mod common;

use common::*;

/// Ten pages a year over six years, on solar kiosks or on clean water; the share of solar pages
/// grows from 1 in 10 to 9 in 10 (with `shuffled`, the years are dealt out of order instead).
fn planted(shuffled: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let solar = [
        "Solar kiosks bring electricity to rural villages and charge phones for a small fee.",
        "The lab tested solar home systems with pay-as-you-go payments for off-grid households.",
        "Solar panels on clinics keep vaccines cold where the grid does not reach.",
        "Mini-grids powered by solar energy light up market stalls after dark.",
    ];
    let water = [
        "Communities built sand filters so that families have clean drinking water.",
        "Rainwater tanks at schools give pupils safe water during the school day.",
        "Boreholes and hand pumps were repaired by trained village water committees.",
        "Chlorine dispensers at wells cut the cases of waterborne disease.",
    ];
    let mut pages = Vec::new();
    for year in 0..6 {
        for i in 0..10 {
            let is_solar = i < 1 + (year * 8) / 5;
            pages.push((year, is_solar, i));
        }
    }
    for (n, &(year, is_solar, i)) in pages.iter().enumerate() {
        let year = if shuffled { (n * 7 + 3) % 6 } else { year };
        let texts = if is_solar { &solar } else { &water };
        let body = format!("{} {} {}", texts[i % 4], texts[(i + 1) % 4], texts[(i + 2) % 4]);
        let title = if is_solar { "Solar energy" } else { "Clean water" };
        let country = if n % 2 == 0 { "Kenya" } else { "Peru" };
        let page = format!("# {title} {n}\n[[year:{}]]\n[[country:{country}]]\n{body}\n", 2018 + year);
        std::fs::write(dir.path().join(format!("{n:03}.txt")), page).unwrap();
    }
    dir
}

#[test]
fn a_growing_subject_is_found_rising_and_shuffled_years_show_nothing() {
    let input = planted(false);
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &["--themes", "2"]);
    let themes = read_json(&out.path().join("themes.json"));
    let list = themes["themes"].as_array().unwrap();
    let trend = |word: &str| {
        list.iter()
            .find(|t| t["keywords"].as_array().unwrap().iter().any(|k| k == word))
            .map(|t| t["trend"].clone())
            .unwrap_or_else(|| panic!("no theme has {word}: {themes}"))
    };
    assert_eq!(trend("solar"), "rising");
    assert_eq!(trend("water"), "falling");
    assert_eq!(themes["over_time"]["periods"].as_array().unwrap().len(), 6);
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.contains("Rising: ") && html.contains("Falling: "), "the theme cards say so");
    assert!(out.path().join("charts/themes-over-years.svg").is_file(), "the chart is drawn");
    let solar = list.iter().find(|t| t["trend"] == "rising").unwrap()["id"].clone();

    // Each country's own themes over time: solar grows in both.
    let o = bin().args(["compare", "--by", "country", "--over", "year", "--out"]).arg(out.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let comparison = read_json(&out.path().join("compare-country.json"));
    assert_eq!(comparison["over"], "year");
    for value in comparison["values"].as_array().unwrap() {
        let moving = value["over_time"]["moving"].as_array().unwrap();
        assert!(moving.iter().any(|t| t["theme_id"] == solar && t["direction"] == "rising"), "{value}");
    }
    let page = std::fs::read_to_string(out.path().join("compare-country.html")).unwrap();
    assert!(page.contains("Over years (2018–2023"), "the page says it");

    // The explore page draws the intervals and marks the rising theme.
    if let Some(chromium) = chromium() {
        let explore = dump_dom(chromium, &format!("file://{}", out.path().join("explore.html").display()));
        assert_eq!(explore.matches("<polygon").count(), 2, "a band per theme: {}", &explore[..explore.len().min(3000)]);
        assert!(
            explore.contains("data-trend=\"rising\"") && explore.contains("(rising)</text>"),
            "the rising theme's panel is marked"
        );
        assert!(explore.contains("the whole analysis by year"), "the marks are the analysis's, not the filter's");
    }

    let input = planted(true);
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &["--themes", "2"]);
    let themes = read_json(&out.path().join("themes.json"));
    for t in themes["themes"].as_array().unwrap() {
        assert!(t["trend"].is_null(), "shuffled years, no trend: {}", t["over_time"]);
    }
}

/// The first 500 shared blogs (by file name) with their own years; with `shuffle`, each page
/// takes another page's year (a fixed permutation), its dates rewritten to match.
fn real_blogs_over_years(shuffle: bool) -> Option<tempfile::TempDir> {
    let pages = real_blogs(500)?;
    let dir = tempfile::tempdir().unwrap();
    let texts: Vec<String> = pages.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let year_of = |t: &str| t.lines().find_map(|l| l.strip_prefix("[[year:")?.strip_suffix("]]")?.parse::<i32>().ok());
    let years: Vec<Option<i32>> = texts.iter().map(|t| year_of(t)).collect();
    for (n, (page, text)) in pages.iter().zip(&texts).enumerate() {
        let text = match (shuffle, years[(n * 211 + 17) % years.len()]) {
            (true, Some(year)) => {
                let kept: Vec<&str> =
                    text.lines().filter(|l| !l.starts_with("[[year:") && !l.starts_with("[[date:")).collect();
                format!("[[year:{year}]]\n[[date:{year}-06-01]]\n{}", kept.join("\n"))
            }
            _ => text.clone(),
        };
        std::fs::write(dir.path().join(page.file_name().unwrap()), text).unwrap();
    }
    Some(dir)
}

/// The shared blogs' pandemic theme rose and fell: a straight line misses it, the change test
/// finds it peaked in 2020; the same pages with their years dealt out again show no change.
#[test]
fn real_pages_pandemic_theme_is_found_peaked_and_shuffled_years_show_nothing() {
    let Some(input) = real_blogs_over_years(false) else { return };
    let out = tempfile::tempdir().unwrap();
    let args = ["--themes", "12", "--max-tokens-per-doc", "64"];
    analyze_ok(input.path(), out.path(), &args);
    let themes = read_json(&out.path().join("themes.json"));
    let pandemic = themes["themes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["keywords"].as_array().unwrap().iter().take(5).any(|k| k == "pandemic" || k == "covid"))
        .unwrap_or_else(|| panic!("no pandemic theme: {themes}"));
    let change = &pandemic["over_time"]["change"];
    assert_eq!(
        (change["shape"]["kind"].as_str(), change["shape"]["peak"].as_str()),
        (Some("peaked"), Some("2020")),
        "{change}"
    );
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.contains("Peaked in 2020: "), "the theme card says so");

    let Some(input) = real_blogs_over_years(true) else { return };
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &args);
    let themes = read_json(&out.path().join("themes.json"));
    for t in themes["themes"].as_array().unwrap() {
        assert!(t["over_time"]["change"]["shape"].is_null(), "shuffled years, no change: {}", t["over_time"]);
    }
}
