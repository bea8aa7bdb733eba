//! Choosing a document's title among the page heading, the title its site's header shows, the
//! first short line and the file name.

use std::path::Path;

use super::clean;
use super::params::{FALLBACK_TITLE_MAX_WORDS, TITLE_MAX_WORDS};

fn is_ellipsis(s: &str) -> bool {
    s.ends_with('…') || s.ends_with("...")
}

/// The article's real title: the page heading unless it is chrome, completed from the body when
/// the heading was cut off with an ellipsis; else the title shown by the site's header; else
/// the first short line; else the file name.
pub(super) fn resolve_title(heading: Option<&str>, shown: Option<&str>, lines: &[String], path: &str) -> String {
    let heading = heading.map(str::trim).filter(|h| !h.is_empty() && !clean::is_chrome_heading(h));
    let candidate = heading.or(shown.map(str::trim).filter(|s| !s.is_empty())).map(unglue_medium_title);
    if let Some(title) = candidate {
        if !is_ellipsis(title) {
            return title.to_string();
        }
        let prefix = title.trim_end_matches('…').trim_end_matches("...").trim().to_lowercase();
        let full = shown
            .into_iter()
            .chain(lines.iter().map(String::as_str))
            .map(|l| l.trim().trim_start_matches('#').trim())
            .find(|l| {
                l.len() > prefix.len()
                    && l.to_lowercase().starts_with(&prefix)
                    && l.split_whitespace().count() <= TITLE_MAX_WORDS
            });
        return full.unwrap_or(title).to_string();
    }
    lines
        .iter()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .find(|l| !l.is_empty() && l.split_whitespace().count() <= FALLBACK_TITLE_MAX_WORDS)
        .map(str::to_string)
        .unwrap_or_else(|| path_stem(path))
}

/// Some Medium headings run the byline into the title: "Cities in MotionUNDP Accelerator
/// LabsFollow7 min read·…". The title ends where a lower-case letter touches a capital.
fn unglue_medium_title(title: &str) -> &str {
    if !title.contains("min read") {
        return title;
    }
    let chars: Vec<(usize, char)> = title.char_indices().collect();
    chars.windows(2).find(|w| w[0].1.is_lowercase() && w[1].1.is_uppercase()).map_or(title, |w| title[..w[1].0].trim())
}

pub(super) fn path_stem(path: &str) -> String {
    Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsis_heading_is_completed_from_body() {
        let lines = vec![
            "Synergy in Circularity: Unleashing the Power of Co-creation for Scaling Circular Economy".to_string()
        ];
        let t = resolve_title(
            Some("Synergy in Circularity: Unleashing the Power of Co-creation for Scaling Ci…"),
            None,
            &lines,
            "a.txt",
        );
        assert_eq!(t, lines[0]);
    }

    #[test]
    fn glued_medium_heading_is_cut_at_the_byline() {
        let t = resolve_title(
            Some("Cities in Motion: Reimagining Urban InnovationUNDP Accelerator LabsFollow7 min read·Oct 2"),
            None,
            &[],
            "a.txt",
        );
        assert_eq!(t, "Cities in Motion: Reimagining Urban Innovation");
    }

    #[test]
    fn chrome_heading_falls_back_to_shown_title() {
        assert_eq!(resolve_title(Some("Write"), Some("Real"), &[], "a.txt"), "Real");
        assert_eq!(resolve_title(None, None, &[], "dir/a.txt"), "a");
    }
}
