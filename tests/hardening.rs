//! The files people really have: other encodings, huge exports, links leaving the folder, a
//! damaged store, a full disk.

mod common;

use std::path::Path;

use common::*;

fn ingest(dir: &Path, extra: &[&str]) -> (Vec<serde_json::Value>, String) {
    let out = bin().args(["ingest", "--format", "jsonl"]).args(extra).arg(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let docs = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (docs, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn doc<'a>(docs: &'a [serde_json::Value], path: &str) -> &'a serde_json::Value {
    docs.iter().find(|d| d["path"] == path).unwrap_or_else(|| panic!("{path} not ingested"))
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mark: &[u8] = if big_endian { &[0xfe, 0xff] } else { &[0xff, 0xfe] };
    let units = text.encode_utf16().flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    mark.iter().copied().chain(units).collect()
}

#[test]
fn files_in_other_encodings_are_decoded_and_named() {
    let dir = tempfile::tempdir().unwrap();
    // The same page in each encoding, each with a line of its own (identical texts would be
    // duplicates of one another).
    let page = |tag: &str| {
        format!("# Café naïve\r\n[[country:Kenya]]\r\nLes coopératives de café du quartier gèrent leurs déchets ({tag}).\r\n")
    };
    let latin = |s: &str| s.chars().map(|c| c as u32 as u8).collect::<Vec<u8>>();
    // Windows-1252 has curly quotes where Latin-1 has control codes.
    std::fs::write(
        dir.path().join("cp1252.txt"),
        b"# Caf\xe9 \x93quoted\x94\r\nLes coop\xe9ratives de caf\xe9 du quartier g\xe8rent leurs d\xe9chets.\r\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("latin1.txt"), latin(&page("latin"))).unwrap();
    std::fs::write(dir.path().join("utf16le.txt"), utf16(&page("utf16le"), false)).unwrap();
    std::fs::write(dir.path().join("utf16be.txt"), utf16(&page("utf16be"), true)).unwrap();
    std::fs::write(dir.path().join("utf8bom.txt"), [&[0xef, 0xbb, 0xbf][..], page("bom").as_bytes()].concat()).unwrap();
    let (docs, stderr) = ingest(dir.path(), &[]);
    for path in ["latin1.txt", "utf16le.txt", "utf16be.txt", "utf8bom.txt"] {
        let d = doc(&docs, path);
        assert_eq!(d["title"], "Café naïve", "{path}");
        assert_eq!(d["country"], "Kenya", "{path}");
        let text = d["text"].as_str().unwrap();
        assert!(
            text.contains("coopératives de café") && !text.contains('\u{fffd}') && !text.contains('\r'),
            "{path}: {text}"
        );
    }
    assert!(stderr.contains("latin1.txt: not UTF-8: decoded as windows-1252 (detected)"), "{stderr}");
    assert!(stderr.contains("utf16le.txt: not UTF-8: decoded as UTF-16LE (byte-order mark)"), "{stderr}");
    assert!(stderr.contains("utf16be.txt: not UTF-8: decoded as UTF-16BE (byte-order mark)"), "{stderr}");
    assert!(!stderr.contains("utf8bom.txt"), "a UTF-8 byte-order mark is not worth a warning: {stderr}");
    assert_eq!(doc(&docs, "cp1252.txt")["title"], "Café “quoted”");
}

#[test]
fn a_huge_file_is_sampled_and_said_to_be() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "# Solar\nSolar kiosks bring electricity to rural villages.\n").unwrap();
    let paragraph = "Farmers in the valley share water pumps, seeds and market prices through a cooperative. ";
    let body: String = (0..40_000).map(|i| format!("{paragraph}Entry {i}.\n")).collect();
    std::fs::write(dir.path().join("export.txt"), format!("# An export\n{body}")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let o = analyze_with(dir.path(), out.path(), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("export.txt: long document: embedded 16 of its about")
            && stderr.contains("--max-tokens-per-doc 0 reads all of it"),
        "{stderr}"
    );
    let notes = read_json(&out.path().join("run.json"))["notes"].to_string();
    assert!(notes.contains("export.txt: long document"), "{notes}");
    // Not a timing test: a guard against reading all 4 MB of windows (minutes) by accident.
    assert!(started.elapsed().as_secs() < 120);

    // `--max-tokens-per-doc 0` reads every window of a long (here 40-window) file, and so
    // samples nothing.
    let long: String = (0..700).map(|i| format!("{paragraph}Entry {i}.\n")).collect();
    std::fs::write(dir.path().join("export.txt"), format!("# An export\n{long}")).unwrap();
    let o = analyze_with(dir.path(), out.path(), &["--max-tokens-per-doc", "0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("long document"), "{stderr}");
    assert_eq!(read_json(&out.path().join("run.json"))["params"]["max_tokens_per_doc"], 0);
}

#[test]
fn links_leaving_the_folder_are_not_followed_unless_asked() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "# Secret\nThe password of the server is hunter2.\n").unwrap();
    std::fs::create_dir(outside.path().join("more")).unwrap();
    std::fs::write(outside.path().join("more/other.txt"), "# Other\nAnother file outside the folder.\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "# Water\nCommunities built sand filters for drinking water.\n").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/b.txt"), "# Solar\nSolar pumps irrigate small plots.\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), dir.path().join("secret.txt")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("more"), dir.path().join("linked")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("sub/b.txt"), dir.path().join("inside.txt")).unwrap();
    let (docs, stderr) = ingest(dir.path(), &[]);
    let paths: Vec<&str> = docs.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert!(!paths.contains(&"secret.txt") && !paths.iter().any(|p| p.starts_with("linked")), "{paths:?}");
    // A link inside the folder is followed (here it comes first; its target is its duplicate).
    assert!(paths.contains(&"a.txt") && paths.contains(&"inside.txt"), "{paths:?}");
    for skipped in ["secret.txt", "linked"] {
        assert!(
            stderr.contains(&format!("{skipped}: symbolic link to a place outside the folder; skipped")),
            "{stderr}"
        );
    }
    let (docs, _) = ingest(dir.path(), &["--follow-links"]);
    let paths: Vec<&str> = docs.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"secret.txt") && paths.contains(&"linked/other.txt"), "{paths:?}");
}

#[test]
fn a_damaged_store_is_moved_aside_and_the_run_succeeds() {
    let input = hostile_folder();
    for damage in ["truncate", "overwrite"] {
        let out = tempfile::tempdir().unwrap();
        let run = || analyze_with(input.path(), out.path(), &["--themes", "2"]);
        assert!(run().status.success());
        let store = out.path().join("themescope.sqlite");
        // The write-ahead log holds recent pages: damage the database as a whole.
        let _ = std::fs::remove_file(out.path().join("themescope.sqlite-wal"));
        let _ = std::fs::remove_file(out.path().join("themescope.sqlite-shm"));
        match damage {
            "truncate" => {
                let len = std::fs::metadata(&store).unwrap().len();
                std::fs::OpenOptions::new().write(true).open(&store).unwrap().set_len(len / 3).unwrap();
            }
            _ => std::fs::write(&store, b"not a database at all, just text").unwrap(),
        }
        let o = run();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{damage}: {stderr}");
        assert!(
            stderr.contains("the store could not be read") && stderr.contains("started a new one"),
            "{damage}: {stderr}"
        );
        let kept = std::fs::read_dir(out.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("themescope.sqlite.broken-"))
            .count();
        assert!(kept >= 1, "{damage}: the damaged store is kept");
        assert!(out.path().join("themes.json").is_file());
    }
}

/// A disk that fills up while the outputs are written: the run fails naming the file and the
/// cause, and the previous report and store are as they were. Needs root (a small tmpfs).
#[test]
fn a_full_disk_leaves_the_previous_outputs_as_they_were() {
    let root_user = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout == b"0\n");
    if !prerequisite("root, to mount a small tmpfs", root_user) {
        return;
    }
    let mount = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=12m", "tmpfs"])
        .arg(mount.path())
        .status()
        .is_ok_and(|s| s.success());
    if !prerequisite("mount -t tmpfs", mounted) {
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(mount.path());
    let input = hostile_folder();
    let out = mount.path().join("out");
    let run = || analyze_with(input.path(), &out, &["--themes", "2"]);
    assert!(run().status.success());
    let before: Vec<(String, Vec<u8>)> = ["index.html", "report.md", "themes.json", "documents.csv", "run.json"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(out.join(f)).unwrap()))
        .collect();
    // Change the input so that every output would change, then fill the disk.
    std::fs::write(input.path().join("e.txt"), "# Wind\nWind turbines power the school and the clinic.\n").unwrap();
    let filler = mount.path().join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while std::io::Write::write_all(&mut f, &chunk).is_ok() {}
    drop(f);
    let o = run();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "a full disk must fail the run: {stderr}");
    assert!(stderr.contains("No space left on device") || stderr.contains("database or disk is full"), "{stderr}");
    assert!(stderr.contains(&out.display().to_string()), "the message names the path: {stderr}");
    for (file, bytes) in &before {
        assert_eq!(&std::fs::read(out.join(file)).unwrap(), bytes, "{file} is as it was");
    }
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files removed: {leftovers:?}");
    // With room again, the same run succeeds on the same store.
    std::fs::remove_file(&filler).unwrap();
    let o = run();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(read_json(&out.join("run.json"))["documents"]["total"] == 5);
}
