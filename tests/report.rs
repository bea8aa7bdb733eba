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
    assert_eq!(kenya.matches("<circle class=\"shown\"").count(), 3, "the map colours the filtered pages");
    assert_eq!(kenya.matches("<circle class=\"faint\"").count(), 2, "and keeps the others faint, for context");
    let counted: usize = kenya
        .match_indices("data-count=\"")
        .map(|(i, m)| kenya[i + m.len()..].split('"').next().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(counted, 3, "theme counts add up to the filtered documents");
    let both = dump_dom(chromium, &format!("file://{}#country=Kenya&q=Wind%20turbines%20power", page.display()));
    assert!(both.contains("<p id=\"count\">1 of 5 documents</p>"), "a phrase of one page, within the filter");
}

/// `%XX` escapes of a `data:` URL read back as text.
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The texts of the table's cells in column `column` (0 = title), row by row.
fn table_column(dom: &str, column: usize) -> Vec<String> {
    dom.split("<tr data-doc=")
        .skip(1)
        .map(|row| {
            let cell = row.split("<td>").nth(column + 1).unwrap_or_default();
            let text = cell.split("</td>").next().unwrap_or_default();
            // A linked title: the anchor's text.
            text.rsplit_once("\">").map_or(text, |(_, t)| t).trim_end_matches("</a>").to_string()
        })
        .collect()
}

/// explore.html's search reads every word of every page (not only titles and key sentences),
/// folds accents as the index does, its table sorts by the column in the URL and its CSV link
/// holds exactly the rows shown, in their order; the map labels each theme it shows.
#[test]
fn explorer_finds_every_word_sorts_and_exports_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    let input = hostile_folder();
    let long = "# Savings groups in informal settlements\n[[country:Argentina]]\n[[year:2020]]\n\
         Neighbours in the settlement meet every week. They pool small savings in a shared box. \
         The group keeps a ledger that every member can read. Loans go to members who need to restock a shop. \
         Most loans are repaid within two months. The lab followed twelve groups for a year. \
         Several groups later opened accounts at a cooperative bank. \
         Microcredits from the cooperative reached two hundred families. \
         Women led most of the groups. Cooperativas de ahorro ofrecen inclusión financiera en las villas.\n";
    std::fs::write(input.path().join("f.txt"), long).unwrap();
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &["--themes", "2"]);
    let page = out.path().join("explore.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // The page's data holds no text but the index: the word sought is in no title.
    let data = html.split("id=\"data\">").nth(1).unwrap().split("</script>").next().unwrap();
    let data: serde_json::Value = serde_json::from_str(data).unwrap();
    let words = data["index"]["words"].as_str().unwrap();
    assert!(
        words.split(' ').any(|w| w == "microcredits") && words.split(' ').any(|w| w == "inclusion"),
        "folded words"
    );
    assert!(data["documents"].as_array().unwrap().iter().all(|d| !d["title"].as_str().unwrap().contains("icrocredit")));
    let url = |hash: &str| format!("file://{}#{hash}", page.display());
    let count = |dom: &str| {
        dom.split("<p id=\"count\">").nth(1).unwrap().split(" of").next().unwrap().parse::<usize>().unwrap()
    };

    // Every page whose text has a word starting with the query, and no other.
    let files: Vec<String> = std::fs::read_dir(input.path())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap().to_lowercase())
        .collect();
    for word in ["microcredit", "water", "kiosk", "diesel", "harvest"] {
        let expected =
            files.iter().filter(|t| t.split(|c: char| !c.is_alphanumeric()).any(|w| w.starts_with(word))).count();
        let dom = dump_dom(chromium, &url(&format!("q={word}")));
        assert_eq!(count(&dom), expected, "pages with a word starting {word:?}");
    }
    let folded = dump_dom(chromium, &url("q=inclusion%20financiera"));
    assert_eq!(table_column(&folded, 0), vec!["Savings groups in informal settlements"], "accents fold: inclusión");
    let ready = dump_dom(chromium, &url(""));
    assert!(ready.contains("data-ready-ms=\""), "the page says when it was ready");

    // Sorted by year, newest first, then by title; the CSV link holds the rows in that order.
    let by_year = dump_dom(chromium, &url("sort=-year"));
    let years: Vec<String> = table_column(&by_year, 3);
    let mut newest_first = years.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(years, newest_first, "rows by year, newest first");
    assert!(by_year.contains("aria-sort=\"descending\""), "the sorted column says so");
    let titles = table_column(&dump_dom(chromium, &url("sort=title")), 0);
    let mut alphabetical = titles.clone();
    alphabetical.sort_by_key(|t| t.to_lowercase());
    assert_eq!(titles, alphabetical);

    let filtered = dump_dom(chromium, &url("country=Kenya&sort=-year"));
    let href = filtered.split("id=\"csv\"").nth(1).unwrap().split("href=\"").nth(1).unwrap().split('"').next().unwrap();
    let csv_text = percent_decoded(href.strip_prefix("data:text/csv;charset=utf-8,").expect("a CSV data URL"));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["doc_id", "title", "theme", "theme_label", "country", "continent", "year", "type", "source"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), count(&filtered), "one CSV row per row shown");
    assert!(rows.iter().all(|r| &r[4] == "Kenya"));
    let row_years: Vec<&str> = rows.iter().map(|r| &r[6]).collect();
    assert_eq!(row_years, table_column(&filtered, 3), "in the table's order");

    // The map writes a label for each theme it shows with at least two pages.
    let all = dump_dom(chromium, &url(""));
    let themes = read_json(&out.path().join("themes.json"));
    for t in themes["themes"].as_array().unwrap().iter().filter(|t| t["size"].as_u64().unwrap() >= 2) {
        let label = format!("{}. {}", t["id"], t["label"].as_str().unwrap());
        let label = label.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(all.contains(&format!("{label}</text>")), "{label} written on the map");
    }
}

/// Every chart of a report on real pages, drawn by Chromium: each has words (a title and its
/// labels, axes or scale), and every word lies inside its chart, none cut at an edge.
#[test]
fn every_chart_keeps_its_words_inside_it_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    // 300 blogs: enough countries with ten pages for the heatmap.
    let Some(pages) = real_blogs(300) else { return };
    let input = tempfile::tempdir().unwrap();
    copy_into(input.path(), &pages);
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &["--max-tokens-per-doc", "64"]);
    let mut charts: Vec<(String, String)> = std::fs::read_dir(out.path().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    charts.sort();
    for expected in ["theme-sizes.svg", "document-map.svg", "themes-by-country.svg"] {
        assert!(charts.iter().any(|(f, _)| f == expected), "{expected} drawn");
    }
    // A page of this test's own (no CSP): each chart inline, and a script that measures where
    // the browser put every text of it.
    let script = r#"
const out = [];
for (const box of document.querySelectorAll("div[data-chart]")) {
  const svg = box.querySelector("svg").getBoundingClientRect();
  const texts = [...box.querySelectorAll("text")].filter((t) => t.textContent.trim());
  const outside = texts.filter((t) => {
    const r = t.getBoundingClientRect();
    return r.left < svg.left - 1 || r.right > svg.right + 1 || r.top < svg.top - 1 || r.bottom > svg.bottom + 1;
  }).map((t) => t.textContent.trim());
  out.push({ chart: box.dataset.chart, texts: texts.length, outside });
}
document.getElementById("result").textContent = JSON.stringify(out);
"#;
    let body: String = charts.iter().map(|(f, svg)| format!("<div data-chart=\"{f}\">{svg}</div>\n")).collect();
    let harness = out.path().join("charts-check.html");
    std::fs::write(
        &harness,
        format!("<!DOCTYPE html><html><body style=\"margin:0\">{body}<pre id=\"result\"></pre><script>{script}</script></body></html>"),
    )
    .unwrap();
    let dom = dump_dom(chromium, &format!("file://{}", harness.display()));
    let result = dom.split("<pre id=\"result\">").nth(1).unwrap().split("</pre>").next().unwrap();
    let result: serde_json::Value =
        serde_json::from_str(&result.replace("&quot;", "\"").replace("&amp;", "&")).unwrap();
    assert_eq!(result.as_array().unwrap().len(), charts.len(), "every chart measured");
    let themes = read_json(&out.path().join("themes.json"))["themes"].as_array().unwrap().len() as u64;
    for chart in result.as_array().unwrap() {
        assert!(chart["texts"].as_u64().unwrap() >= 3, "{} has a title and labels", chart["chart"]);
        if chart["chart"] == "document-map.svg" {
            assert!(chart["texts"].as_u64().unwrap() >= themes + 2, "a label for each of {themes} themes on the map");
        }
        assert_eq!(chart["outside"], serde_json::json!([]), "{}: words cut at its edge", chart["chart"]);
    }
}
