//! Any folder of articles: plain files with no metadata, one folder per category, metadata from a
//! table, saved web pages and Markdown front matter.

mod common;

use common::*;

/// Twelve short news articles in three folders, first line the title, no metadata.
fn news_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let articles = [
        ("sport", "Late goal wins the cup", "The striker scored a late goal and the club won the cup final in front of its fans. The coach praised the players and the goalkeeper."),
        ("sport", "Rugby side beats rivals", "The rugby team beat its rivals after a strong second half. The captain scored a try and the fans sang in the stadium."),
        ("sport", "Tennis champion retires", "The tennis champion announced her retirement after twenty seasons. She won the title three times and thanked her coach and fans."),
        ("sport", "Marathon record falls", "A runner broke the marathon record in the city race. The athletes and the fans celebrated the new record at the finish line."),
        ("business", "Shares rise on profits", "Shares in the bank rose after it reported record profits. Investors welcomed the results and analysts raised their forecasts for the company."),
        ("business", "Retailer cuts jobs", "The retailer will cut jobs as sales fell over the quarter. Its shares dropped and investors asked the board about profits."),
        ("business", "Oil prices climb", "Oil prices climbed as demand grew and supply fell. Energy companies reported higher profits and their shares gained on the market."),
        ("business", "Airline expands routes", "The airline will expand its routes after strong profits. Analysts said investors expect higher revenue and the shares rose."),
        ("politics", "Parliament passes budget", "Parliament passed the budget after a long debate. The minister defended the tax plans and the opposition voted against the bill."),
        ("politics", "Election date announced", "The prime minister announced the election date. Parties began their campaigns and voters will choose a new parliament in spring."),
        ("politics", "Minister resigns", "The minister resigned after criticism of the health policy. The opposition called for a vote in parliament on the government."),
        ("politics", "New law on voting", "A new law changes how citizens vote in elections. The government said the reform will help voters and the parliament approved it."),
    ];
    for (i, (folder, title, text)) in articles.iter().enumerate() {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(format!("{folder}/{i:03}.txt")), format!("{title}\n\n{text}\n")).unwrap();
    }
    dir
}

#[test]
fn folders_are_a_facet() {
    let input = news_folder();
    let out = tempfile::tempdir().unwrap();
    analyze_ok(input.path(), out.path(), &["--themes", "3"]);
    let rows = read_csv(&out.path().join("documents.csv"));
    assert!(rows.iter().all(|r| ["sport", "business", "politics"].contains(&r["folder"].as_str())), "folder column");
    let o =
        bin().args(["compare", "--by", "folder", "--min-documents", "2", "--out"]).arg(out.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let comparison = read_json(&out.path().join("compare-folder.json"));
    let values: Vec<&str> =
        comparison["values"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
    assert_eq!(values.len(), 3, "{values:?}");
    let sport = comparison["values"].as_array().unwrap().iter().find(|v| v["value"] == "sport").unwrap();
    let terms: Vec<&str> =
        sport["distinctive_terms"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(terms.iter().any(|t| ["fans", "coach", "record", "title"].contains(t)), "sport's terms: {terms:?}");
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(
        html.contains("href=\"compare-folder.html\""),
        "the report links the comparison without a countries section"
    );
}

#[test]
fn metadata_from_a_table_fills_what_files_do_not_say() {
    let input = news_folder();
    let table = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        table.path(),
        "file,country,date,desk,ref\n\
         sport/000.txt,Kenya,2021-03-08,Sports desk,A1\n\
         001.txt,Null Island,2021-04-01,Sports desk,A2\n\
         business/004.txt,Peru,yesterday,Money,A3\n\
         business/004.txt,Chile,2022-01-01,Money,A4\n\
         politics/999.txt,France,2022-02-02,Politics,A5\n",
    )
    .unwrap();
    std::fs::write(input.path().join("sport/002.txt"), "Tennis champion retires\n[[country:Ghana]]\n\nThe tennis champion announced her retirement after twenty seasons. She thanked her fans.\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let table_arg = table.path().to_str().unwrap();
    let stderr = analyze_ok(input.path(), out.path(), &["--themes", "3", "--metadata", table_arg]);
    assert!(stderr.contains("yesterday") && stderr.contains("not understood"), "{stderr}");
    assert!(stderr.contains("a second row for business/004.txt"), "{stderr}");
    assert!(stderr.contains("a row for politics/999.txt, which is not a file"), "{stderr}");
    let rows = read_csv(&out.path().join("documents.csv"));
    let row = |path: &str| rows.iter().find(|r| r["path"] == path).unwrap();
    assert_eq!(
        (row("sport/000.txt")["country"].as_str(), row("sport/000.txt")["continent"].as_str()),
        ("Kenya", "Africa")
    );
    assert_eq!(row("sport/000.txt")["date"], "2021-03-08");
    assert_eq!(row("sport/001.txt")["country"], "Global", "matched by file name, normalised as inline metadata");
    assert_eq!(row("business/004.txt")["country"], "Chile", "the last row wins");
    assert_eq!(row("sport/002.txt")["country"], "Ghana", "the file's own value wins");
    // Any key with repeated values is a facet.
    let o = bin().args(["compare", "--by", "desk", "--min-documents", "2", "--out"]).arg(out.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let comparison = read_json(&out.path().join("compare-desk.json"));
    assert!(comparison["values"].as_array().unwrap().iter().any(|v| v["value"] == "Sports desk"));
    // A key whose every value is its own has nothing to compare.
    let o = bin().args(["compare", "--by", "ref", "--min-documents", "2", "--out"]).arg(out.path()).output().unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("occurs once"));
    // Analysed again without the table, no document has a desk: the comparison by desk would
    // describe documents and themes that are gone, so it goes, and the run says so.
    let stderr = analyze_ok(input.path(), out.path(), &["--themes", "3"]);
    assert!(stderr.contains("the comparison by desk was removed"), "{stderr}");
    for ext in ["json", "md", "html"] {
        assert!(!out.path().join(format!("compare-desk.{ext}")).exists());
    }
    assert!(!std::fs::read_to_string(out.path().join("index.html")).unwrap().contains("compare-desk.html"));
}

#[test]
fn saved_web_pages_and_front_matter_are_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("page.html"),
        r#"<html lang="fr"><head><title>Recyclage à Dakar</title><meta name="date" content="2023-06-01">
        <link rel="canonical" href="https://example.org/recyclage"><script>tracker()</script></head>
        <body><nav>Accueil Blog Contact</nav><article><h1>Recyclage à Dakar</h1>
        <p>Les collecteurs de déchets &amp; les coopératives trient le plastique dans les quartiers de la ville.</p>
        </article><footer>Tous droits réservés</footer></body></html>"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("note.md"),
        "---\ntitle: Solar kiosks in Kisumu\ncountry: Kenya\ndate: 2021-03-08\ntype: blog\n---\n\nSolar kiosks bring electricity to rural villages around the lake.\n",
    )
    .unwrap();
    let out = bin().args(["ingest", "--format", "jsonl"]).arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let docs: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let page = docs.iter().find(|d| d["path"] == "page.html").unwrap();
    assert_eq!(page["title"], "Recyclage à Dakar");
    assert_eq!(page["language"], "fr");
    assert_eq!(page["date"], "2023-06-01");
    assert_eq!(page["source"], "https://example.org/recyclage");
    let text = page["text"].as_str().unwrap();
    assert!(text.starts_with("Les collecteurs de déchets & les coopératives"), "{text}");
    for chrome in ["tracker", "Accueil", "droits"] {
        assert!(!text.contains(chrome), "{chrome} in {text}");
    }
    let note = docs.iter().find(|d| d["path"] == "note.md").unwrap();
    assert_eq!(
        (note["title"].as_str(), note["country"].as_str(), note["date"].as_str()),
        (Some("Solar kiosks in Kisumu"), Some("Kenya"), Some("2021-03-08"))
    );
    assert_eq!(note["type"], "blog");
    assert!(note["text"].as_str().unwrap().starts_with("Solar kiosks bring electricity"));
}
