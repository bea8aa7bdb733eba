//! Finding the files of a folder: which files are read, links that lead outside it, and the
//! stamp that tells an unchanged file from a changed one.

use std::path::{Path, PathBuf};

use super::{IngestOptions, SkipKind, Skipped, Stamp};

/// Size and modification time of a file (nanoseconds since the epoch; 0 when unknown).
pub(super) fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    Some((meta.len(), mtime))
}

/// Extensions of the files read: plain text and Markdown pages, and saved web pages.
const EXTENSIONS: &[&str] = &["txt", "md", "html", "htm"];

fn is_candidate(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

pub(super) fn is_web_page(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, e)| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// The candidate files under `dir`, in file-name order, and the entries skipped: links leading
/// outside it (unless [`IngestOptions::follow_links`]), link loops and unreadable entries.
pub(super) fn find_files(dir: &Path, options: &IngestOptions) -> (Vec<PathBuf>, Vec<Skipped>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let excluded: Vec<PathBuf> = options.exclude.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    // Where an entry really is: a link, or anything under a linked folder, may lead elsewhere.
    let outside = |e: &walkdir::DirEntry| -> bool {
        !options.follow_links && e.path().canonicalize().is_ok_and(|real| !real.starts_with(&root))
    };
    let walker = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter();
    let mut walker = walker
        .filter_entry(|e| !(e.file_type().is_dir() && e.path().canonicalize().is_ok_and(|c| excluded.contains(&c))));
    while let Some(entry) = walker.next() {
        match entry {
            Ok(e) if (e.path_is_symlink() || e.file_type().is_dir()) && e.depth() > 0 && outside(&e) => {
                if e.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                if e.file_type().is_dir() || is_candidate(e.path()) {
                    skipped.push(Skipped {
                        path: relative(dir, e.path()),
                        kind: SkipKind::OutsideLink,
                        message: "symbolic link to a place outside the folder; skipped (use --follow-links to read it)"
                            .into(),
                    });
                }
            }
            Ok(e) if e.file_type().is_file() && is_candidate(e.path()) => files.push(e.into_path()),
            Ok(_) => {}
            Err(err) => {
                let path = err.path().map(|p| relative(dir, p)).unwrap_or_else(|| relative(dir, dir));
                let (kind, message) = if err.loop_ancestor().is_some() {
                    (SkipKind::SymlinkLoop, "symbolic link loop; skipped".to_string())
                } else {
                    (SkipKind::Unreadable, format!("cannot read ({err}); skipped"))
                };
                skipped.push(Skipped { path, kind, message });
            }
        }
    }
    (files, skipped)
}

pub(super) fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let text = rel.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_leaving_the_folder_are_skipped_unless_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "Not for the report.").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# A\nText.").unwrap();
        std::fs::write(dir.path().join("notes.pdf"), "not read").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), dir.path().join("link.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("a.md"), dir.path().join("inside.txt")).unwrap();
        let names = |files: &[PathBuf]| files.iter().map(|f| relative(dir.path(), f)).collect::<Vec<_>>();

        let (files, skipped) = find_files(dir.path(), &IngestOptions::default());
        assert_eq!(names(&files), vec!["a.md", "inside.txt"], "a link inside the folder is read");
        assert_eq!((skipped[0].path.as_str(), skipped[0].kind), ("link.txt", SkipKind::OutsideLink));

        let (files, skipped) =
            find_files(dir.path(), &IngestOptions { follow_links: true, ..IngestOptions::default() });
        assert_eq!(names(&files), vec!["a.md", "inside.txt", "link.txt"]);
        assert!(skipped.is_empty());
    }
}
