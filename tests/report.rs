//! The reports as a reader gets them: structure, escaping of hostile input, charts, a real
//! browser, and reports that adapt to what the documents say.

mod common;

use std::process::Command;

use common::*;

#[test]
fn report_is_self_contained_complete_and_escaped() {
    let input = hostile_folder();
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &["--themes", "2"]);
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    for section in ["id=\"overview\"", "id=\"themes\"", "id=\"countries\"", "id=\"method\""] {
        assert!(html.contains(section), "missing section {section}");
    }
    let themes = read_json(&out.path().join("themes.json"));
    for t in themes["themes"].as_array().unwrap() {
        assert!(html.contains(&format!("id=\"theme-{}\"", t["id"])), "theme {} missing", t["id"]);
        assert!(!t["summary"].as_array().unwrap().is_empty(), "theme {} has no summary", t["id"]);
        for s in t["summary"].as_array().unwrap() {
            let doc = s["doc_id"].as_str().unwrap();
            assert!(!doc.is_empty() && s["text"].as_str().unwrap().len() > 10);
        }
    }
    // Every chart file is inlined once.
    let charts: Vec<_> = std::fs::read_dir(out.path().join("charts")).unwrap().map(|e| e.unwrap().path()).collect();
    // (Four pages from two countries: too few to chart the countries' themes, or to give a phrase
    // on three pages of a theme.)
    assert!(charts.len() >= 2, "{charts:?}");
    for t in themes["themes"].as_array().unwrap() {
        let phrases = t["synthesis"]["facts"]["phrases"].as_array().unwrap();
        let chart = out.path().join(format!("charts/phrases-theme-{}.svg", t["id"]));
        assert_eq!(chart.is_file(), !phrases.is_empty(), "a theme with phrases has its chart of them");
    }
    assert_eq!(html.matches("<svg").count(), charts.len(), "every chart inlined once");
    // No script, no remote resources; links only to document sources.
    assert!(!html.to_lowercase().contains("<script"), "no script element may appear");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the hostile title is shown as text");
    assert!(!html.contains("href=\"javascript:"));
    for (i, _) in html.match_indices("http") {
        let before = &html[i.saturating_sub(6)..i];
        let svg_ns = html[i..].starts_with("http://www.w3.org/");
        assert!(before.ends_with("href=\"") || svg_ns, "unexpected URL at {}", &html[i.saturating_sub(40)..i + 40]);
    }
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(md.contains("## Themes") && md.contains("\\<script\\>"));
    for chart in &charts {
        let name = chart.file_name().unwrap().to_string_lossy();
        assert!(md.contains(&format!("(charts/{name})")), "report.md links {name}");
    }
}

/// The HTML and Markdown reports come from one page: they name the same sections and themes.
#[test]
fn html_and_markdown_say_the_same_things() {
    let input = hostile_folder();
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &["--themes", "2"]);
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    for heading in ["Overview", "Themes", "Countries", "Method"] {
        assert!(html.contains(&format!(">{heading}</h2>")) && md.contains(&format!("\n## {heading}\n")), "{heading}");
    }
    for t in read_json(&out.path().join("themes.json"))["themes"].as_array().unwrap() {
        let title = format!("{}. {}", t["id"], t["label"].as_str().unwrap());
        assert!(md.contains(&format!("### {title}")), "{title} in report.md");
        assert!(html.contains(&title), "{title} in index.html");
    }
}

/// Documents with no countries and no dates: no empty country section, no "0 countries", no
/// "Most documents come from ." — the missing metadata is said once.
#[test]
fn reports_leave_out_what_the_documents_do_not_say() {
    let input = tempfile::tempdir().unwrap();
    let pages = [
        (
            "a.txt",
            "Markets rally\nShares rose sharply as investors cheered strong company profits and rising exports.\n",
        ),
        ("b.txt", "Profits climb\nThe company reported record profits and its shares rose on the stock exchange.\n"),
        (
            "c.txt",
            "Cup final\nThe football team won the cup final after a late goal in the second half of the match.\n",
        ),
        ("d.txt", "Title race\nThe football club won again and the players celebrated the goal with their fans.\n"),
    ];
    for (name, text) in pages {
        std::fs::write(input.path().join(name), text).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &["--themes", "2"]);
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    let md = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    for text in [&html, &md] {
        assert!(!text.contains("come from ."), "no sentence about absent countries");
        assert!(!text.contains("Top countries"), "no per-theme countries");
        assert!(!text.contains("Over time"), "no per-theme years");
        assert!(!text.contains("id=\"countries\"") && !text.contains("## Countries"), "no country section");
        assert_eq!(text.matches("carry no countries or dates").count(), 1, "said once");
    }
    assert!(!html.contains("<b>0</b>countries"));
    assert!(!out.path().join("charts/themes-by-country.svg").exists());
}

#[test]
fn report_renders_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    let input = hostile_folder();
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &["--themes", "2"]);
    let shot = out.path().join("shot.png");
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", out.path().join("index.html").display()))
        .output()
        .unwrap();
    assert!(shot.is_file(), "no screenshot: {}", String::from_utf8_lossy(&status.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1280, 2400));
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let dark = pixels.chunks(channels).filter(|p| p.iter().take(3).all(|&c| c < 128)).count();
    let total = pixels.len() / channels;
    // Text and charts: a real page has a few percent of dark pixels, a blank one none.
    assert!(dark * 1000 > total, "screenshot looks blank: {dark} dark of {total} pixels");
}

/// explore.html in a real browser: the filters in the URL hash shape every count, row and point;
/// a title that tries to close the inline data cannot run anything.
#[test]
fn explore_page_follows_its_filters_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    let input = hostile_folder();
    std::fs::write(
        input.path().join("e.txt"),
        "# Wind </script><script>document.title='pwned'</script> power\n[[country:Kenya]]\n[[year:2023]]\n\
         Wind turbines power the school and the clinic. The villagers maintain the turbines themselves.\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &["--themes", "2"]);
    let page = out.path().join("explore.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Content-Security-Policy") && html.contains("default-src 'none'"), "no outside requests");
    assert_eq!(html.matches("<script").count(), 2, "the data and the page's own script, nothing else");
    let index = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(
        index.contains("href=\"explore.html\"") && !index.to_lowercase().contains("<script"),
        "the report links it, scriptless"
    );

    let all = dump_dom(chromium, &format!("file://{}", page.display()));
    assert!(all.contains("<p id=\"count\">5 of 5 documents</p>"), "the script ran: {}", &all[..all.len().min(2000)]);
    assert!(!all.contains("<title>pwned</title>"), "the hostile title did not run");
    assert!(all.contains("<title>Explore"), "the page kept its own title");
    assert!(all.contains("Wind &lt;/script&gt;&lt;script&gt;document.title="), "it is shown as text");

    let kenya = dump_dom(chromium, &format!("file://{}#country=Kenya", page.display()));
    assert!(kenya.contains("<p id=\"count\">3 of 5 documents</p>"), "{}", &kenya[..kenya.len().min(2000)]);
    assert_eq!(kenya.matches("<tr data-doc=").count(), 3, "the table follows the filter");
    assert_eq!(kenya.matches("<circle").count(), 3, "the map follows the filter");
    let counted: usize = kenya
        .match_indices("data-count=\"")
        .map(|(i, m)| kenya[i + m.len()..].split('"').next().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(counted, 3, "theme counts add up to the filtered documents");
    let both = dump_dom(chromium, &format!("file://{}#country=Kenya&q=Wind%20turbines%20power", page.display()));
    assert!(both.contains("<p id=\"count\">1 of 5 documents</p>"), "a phrase of one page, within the filter");
}
