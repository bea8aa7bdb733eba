//! An analyst's decisions through the binary: each `theme` command changes what it says and
//! nothing else, `theme undo` takes each back, the decisions hold through a refresh with new
//! pages, and OUT/curation.toml reads back (a hand edit applies, a malformed file is refused
//! with its line and nothing changed, a deleted file comes back from the store).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;

/// 60 real blog pages analysed once into 6 themes (the vectors are then in the store's cache,
/// so every copy of the output folder runs from it), and 6 more pages for a refresh.
struct Base {
    _dir: tempfile::TempDir,
    input: PathBuf,
    out: PathBuf,
    later: Vec<PathBuf>,
}

fn base() -> Option<&'static Base> {
    static BASE: OnceLock<Option<Base>> = OnceLock::new();
    BASE.get_or_init(|| {
        let pages = real_blogs(66)?;
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("seeds");
        std::fs::create_dir(&input).unwrap();
        copy_into(&input, &pages[..60]);
        let out = dir.path().join("out");
        analyze_ok(&input, &out, &["--themes", "6"]);
        Some(Base { input, out, later: pages[60..].to_vec(), _dir: dir })
    })
    .as_ref()
}

/// A copy of the base analysis (input and output folders) to change.
fn copy() -> Option<(tempfile::TempDir, PathBuf, PathBuf)> {
    let base = base()?;
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("seeds"), dir.path().join("out"));
    for (from, to) in [(&base.input, &input), (&base.out, &out)] {
        std::fs::create_dir(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    // Later runs read the copied seeds: the first is a plain analyze of the copy.
    analyze_ok(&input, &out, &["--themes", "6"]);
    Some((dir, input, out))
}

/// Runs `themescope theme ARGS… --out OUT`; returns (success, standard output + error).
fn theme(out: &Path, args: &[&str]) -> (bool, String) {
    let o = bin().arg("theme").args(args).arg("--out").arg(out).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    (o.status.success(), text)
}

fn theme_ok(out: &Path, args: &[&str]) -> String {
    let (ok, text) = theme(out, args);
    assert!(ok, "theme {args:?}: {text}");
    text
}

/// theme id → its documents, from documents.csv.
fn members(out: &Path) -> BTreeMap<u32, BTreeSet<String>> {
    let mut by: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for (doc, id) in theme_of(out) {
        by.entry(id.parse().unwrap()).or_default().insert(doc);
    }
    by
}

/// themes.json's themes by id.
fn themes(out: &Path) -> BTreeMap<u32, serde_json::Value> {
    let json = read_json(&out.join("themes.json"));
    json["themes"].as_array().unwrap().iter().map(|t| (t["id"].as_u64().unwrap() as u32, t.clone())).collect()
}

/// Documents whose theme differs between two assignments, among those of `only`.
fn moved(before: &HashMap<String, String>, after: &HashMap<String, String>, only: &dyn Fn(&str) -> bool) -> usize {
    before.iter().filter(|(d, t)| only(d) && after.get(*d) != Some(t)).count()
}

/// The largest themes, by id: (largest, second, third, …).
fn by_size(out: &Path) -> Vec<u32> {
    let mut sizes: Vec<(usize, u32)> = members(out).into_iter().map(|(id, docs)| (docs.len(), id)).collect();
    sizes.sort_by(|a, b| b.cmp(a));
    sizes.into_iter().map(|(_, id)| id).collect()
}

#[test]
fn each_command_changes_what_it_says_and_undo_takes_each_back() {
    let Some((_dir, _input, out)) = copy() else { return };
    let start = theme_of(&out);
    let start_members = members(&out);
    let ids = by_size(&out);
    let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3]);
    let max_id = *ids.iter().max().unwrap();

    theme_ok(&out, &["rename", &d.to_string(), "Circular economy pilots"]);
    let t = themes(&out);
    assert_eq!(t[&d]["label"], "Circular economy pilots");
    assert_eq!(t[&d]["label_source"], "analyst");
    assert_eq!(moved(&start, &theme_of(&out), &|_| true), 0, "a rename moves no document");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("Circular economy pilots") && html.contains("label by the analyst"), "report marks it");

    let said = theme_ok(&out, &["merge", &a.to_string(), &b.to_string()]);
    assert!(said.contains(&format!("now theme {a}")), "{said}");
    let after_merge = members(&out);
    assert!(!after_merge.contains_key(&b), "the smaller theme is retired");
    let union: BTreeSet<String> = start_members[&a].union(&start_members[&b]).cloned().collect();
    assert_eq!(after_merge[&a], union, "the merged theme holds both");
    assert!(themes(&out)[&a]["by_hand"].to_string().contains(&format!("merged with theme {b}")));

    theme_ok(&out, &["split", &c.to_string(), "--into", "2"]);
    let after_split = members(&out);
    assert!(!after_split.contains_key(&c), "the split theme is retired");
    let parts: Vec<u32> = after_split.keys().copied().filter(|&id| id > max_id).collect();
    assert_eq!(parts.len(), 2, "two new themes with new ids: {after_split:?}");
    let joined: BTreeSet<String> = parts.iter().flat_map(|p| after_split[p].iter().cloned()).collect();
    assert_eq!(joined, start_members[&c], "the parts hold the theme's documents");

    let moved_doc = start_members[&d].iter().next().unwrap().clone();
    theme_ok(&out, &["move", &moved_doc, "--to", &a.to_string()]);
    assert_eq!(theme_of(&out)[&moved_doc], a.to_string());

    theme_ok(&out, &["pin", &d.to_string()]);
    assert!(themes(&out)[&d]["by_hand"].to_string().contains("pinned"));
    let file = std::fs::read_to_string(out.join("curation.toml")).unwrap();
    for action in ["rename", "merge", "split", "move", "pin"] {
        assert!(file.contains(&format!("action = \"{action}\"")), "{file}");
    }
    let others = |doc: &str| !union.contains(doc) && !start_members[&c].contains(doc) && doc != moved_doc;
    assert_eq!(moved(&start, &theme_of(&out), &others), 0, "documents no decision names stay put");
    let run = read_json(&out.join("run.json"));
    assert_eq!(run["curation"].as_array().unwrap().len(), 5, "{}", run["curation"]);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("The analyst's decisions"), "the method section lists them");

    for _ in 0..5 {
        theme_ok(&out, &["undo"]);
    }
    assert_eq!(theme_of(&out), start, "undoing every decision gives the analysis back as it was");
    assert!(!out.join("curation.toml").exists());
    let (ok, said) = theme(&out, &["undo"]);
    assert!(!ok && said.contains("no change to the themes to undo"), "{said}");
    let history = bin().arg("history").arg(&out).output().unwrap();
    let history = String::from_utf8_lossy(&history.stdout);
    assert!(history.contains("`themescope theme merge") && history.contains("(undone)"), "{history}");

    // A split again takes ids never used, not the undone split's.
    theme_ok(&out, &["split", &c.to_string(), "--into", "2"]);
    let again: Vec<u32> = members(&out).keys().copied().filter(|&id| id > max_id).collect();
    assert!(again.iter().all(|id| !parts.contains(id)), "{again:?} reuses {parts:?}");
}

#[test]
fn what_cannot_be_done_is_refused_and_nothing_changes() {
    let Some((_dir, _input, out)) = copy() else { return };
    let before = std::fs::read(out.join("themes.json")).unwrap();
    let ids = by_size(&out);
    let (ok, said) = theme(&out, &["rename", "999", "X"]);
    assert!(!ok && said.contains("no theme 999"), "{said}");
    let (ok, said) = theme(&out, &["merge", &ids[0].to_string(), &ids[0].to_string()]);
    assert!(!ok && said.contains("two different themes"), "{said}");
    let (ok, said) = theme(&out, &["move", "no-such-document", "--to", &ids[0].to_string()]);
    assert!(!ok && said.contains("no document no-such-document"), "{said}");
    let label = themes(&out)[&ids[1]]["label"].as_str().unwrap().to_string();
    let (ok, said) = theme(&out, &["rename", &ids[0].to_string(), &label]);
    assert!(!ok && said.contains("already called"), "{said}");
    let (ok, said) = theme(&out, &["pin", &ids[0].to_string(), "--clear"]);
    assert!(!ok && said.contains("not pinned"), "{said}");
    assert_eq!(std::fs::read(out.join("themes.json")).unwrap(), before);
    assert!(!out.join("curation.toml").exists());
}

#[test]
fn decisions_hold_through_a_refresh_with_new_pages() {
    let Some((_dir, input, out)) = copy() else { return };
    let ids = by_size(&out);
    let (a, b, c, d, e) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    theme_ok(&out, &["merge", &a.to_string(), &b.to_string(), "--label", "Merged programme"]);
    theme_ok(&out, &["split", &c.to_string(), "--into", "2"]);
    let doc = members(&out)[&d].iter().next().unwrap().clone();
    theme_ok(&out, &["move", &doc, "--to", &e.to_string()]);
    theme_ok(&out, &["pin", &d.to_string()]);
    theme_ok(&out, &["rename", &e.to_string(), "Analyst's name"]);
    let before = theme_of(&out);
    let held = members(&out);
    let parts: Vec<u32> = held.keys().copied().filter(|id| !ids.contains(id)).collect();

    copy_into(&input, &base().unwrap().later);
    analyze_ok(&input, &out, &["--themes", "6"]);
    let now = members(&out);
    let t = themes(&out);
    assert!(!now.contains_key(&b) && !now.contains_key(&c), "retired ids stay retired: {:?}", now.keys());
    assert!(held[&a].is_subset(&now[&a]), "the merge stays merged");
    assert_eq!(t[&a]["label"], "Merged programme");
    for p in &parts {
        assert!(held[p].is_subset(&now[p]), "split part {p} keeps its documents");
    }
    assert!(held[&d].is_subset(&now[&d]), "the pinned theme loses no member");
    assert_eq!(theme_of(&out)[&doc], e.to_string(), "the moved document stays");
    assert_eq!((t[&e]["label"].as_str(), t[&e]["label_source"].as_str()), (Some("Analyst's name"), Some("analyst")));
    let after = theme_of(&out);
    let stayed = before.iter().filter(|(doc, id)| after.get(*doc) == Some(id)).count();
    assert!(stayed as f64 >= 0.85 * before.len() as f64, "{stayed} of {} stayed", before.len());
    assert_eq!(after.len(), 66);

    // A decision whose document is gone is said, not dropped.
    let path = read_csv(&out.join("documents.csv")).into_iter().find(|r| r["doc_id"] == doc).unwrap()["path"].clone();
    std::fs::remove_file(input.join(&path)).unwrap();
    let said = analyze_ok(&input, &out, &["--themes", "6"]);
    assert!(said.contains("no longer in the folder") && said.contains(&path), "{said}");
    assert!(std::fs::read_to_string(out.join("curation.toml")).unwrap().contains(&path), "the decision is kept");
}

#[test]
fn the_file_reads_back_and_a_malformed_one_changes_nothing() {
    let Some((_dir, input, out)) = copy() else { return };
    let ids = by_size(&out);
    let file = out.join("curation.toml");
    std::fs::write(
        &file,
        format!("[[decision]]\naction = \"rename\"\ntheme = {}\nlabel = \"Named by hand\"\n", ids[2]),
    )
    .unwrap();
    analyze_ok(&input, &out, &["--themes", "6"]);
    assert_eq!(themes(&out)[&ids[2]]["label"], "Named by hand");
    let history = String::from_utf8_lossy(&bin().arg("history").arg(&out).output().unwrap().stdout).into_owned();
    assert!(history.contains("Named by hand"), "{history}");

    let before = std::fs::read(out.join("themes.json")).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n[[decision]]\naction = \"pin\"\ntheme = \"three\"\nlabel = \"x\"\n"))
        .unwrap();
    let o = analyze_with(&input, &out, &["--themes", "6"]);
    let said = String::from_utf8_lossy(&o.stderr);
    let line = text.lines().count() + 4;
    assert!(!o.status.success() && said.contains(&format!("curation.toml:{line}")), "{said}");
    assert_eq!(std::fs::read(out.join("themes.json")).unwrap(), before, "nothing was changed");
    let (ok, said) = theme(&out, &["pin", &ids[0].to_string()]);
    assert!(!ok && said.contains("curation.toml"), "commands refuse it too: {said}");

    std::fs::remove_file(&file).unwrap();
    let said = analyze_ok(&input, &out, &["--themes", "6"]);
    assert!(said.contains("written again from the store"), "{said}");
    assert!(std::fs::read_to_string(&file).unwrap().contains("Named by hand"));
    assert_eq!(themes(&out)[&ids[2]]["label"], "Named by hand");
}

#[test]
fn a_hand_edit_not_yet_applied_is_kept_by_the_next_command_and_undone_on_its_own() {
    let Some((_dir, _input, out)) = copy() else { return };
    let ids = by_size(&out);
    let (renamed, pinned) = (ids[1].to_string(), ids[0].to_string());
    std::fs::write(
        out.join("curation.toml"),
        format!("# ours\n[[decision]]\naction = \"rename\"\ntheme = {renamed}\nlabel = \"Edited first\"\n"),
    )
    .unwrap();
    theme_ok(&out, &["pin", &pinned]);
    let label = |out: &Path| themes(out)[&ids[1]]["label"].as_str().unwrap().to_string();
    assert_eq!(label(&out), "Edited first", "the command builds on the edit");
    theme_ok(&out, &["undo"]);
    assert_eq!(label(&out), "Edited first", "undo takes back the pin only");
    assert!(themes(&out)[&ids[0]]["by_hand"].as_array().unwrap().is_empty());
    let said = theme_ok(&out, &["undo"]);
    assert!(said.contains("edited by hand"), "{said}");
    assert_ne!(label(&out), "Edited first");
}
