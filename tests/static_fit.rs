//! A static model fitted to the pages of an analysis (`distill --fit OUT`): the fit reproduces
//! held-out pages' vectors better than the vocabulary alone, the model loads, and an analysis
//! runs with it.

mod common;

use common::*;

#[test]
fn a_static_model_fitted_to_an_analysis_pages_beats_the_vocabulary_alone_and_runs() {
    let Some(pages) = real_blogs(40) else { return };
    let dir = tempfile::tempdir().unwrap();
    let (input, out, model) = (dir.path().join("seeds"), dir.path().join("out"), dir.path().join("static"));
    std::fs::create_dir(&input).unwrap();
    copy_into(&input, &pages);
    analyze_ok(&input, &out, &["--themes", "3"]);
    let o =
        bin().arg("distill").arg("--out").arg(&model).arg("--fit").arg(&out).arg("--dims").arg("64").output().unwrap();
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // "fitted to 36 pages: on 4 held out, mean cosine to all-MiniLM-L6-v2's vectors 0.31 → 0.83 (ridge 0.3)"
    let cosines = said.split("vectors ").nth(1).and_then(|rest| rest.split(" (").next()).unwrap_or_default();
    let numbers: Vec<f64> = cosines.split(" → ").filter_map(|w| w.trim().parse().ok()).collect();
    assert!(said.starts_with("fitted to 36 pages: on 4 held out"), "{said}");
    let [before, after] = numbers[..] else { panic!("{said}") };
    assert!(after > before + 0.1, "{said}");
    assert!(std::fs::read_to_string(model.join("README.md")).unwrap().contains("fitted to 36 pages"));

    let static_out = dir.path().join("static-out");
    analyze_ok(&input, &static_out, &["--themes", "3", "--model", model.to_str().unwrap()]);
    assert_eq!(read_json(&static_out.join("run.json"))["kernel"], "static");

    let other = tempfile::tempdir().unwrap();
    let o =
        bin().arg("distill").arg("--out").arg(other.path().join("m")).arg("--fit").arg(other.path()).output().unwrap();
    assert!(
        !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("no analysis"),
        "an empty folder is refused"
    );
}
