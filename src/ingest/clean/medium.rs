//! Medium's page chrome: the header (buttons, reading time, claps, date, author) and the
//! footer (author box, "More from", recommendations), recognised on pages that show Medium's
//! reading time or sign-in button.

use super::lines::{is_link_line, is_teaser};
use super::{is_name_like, short_norm, Draft};
use crate::ingest::meta::parse_date;

const MEDIUM_FOOTER_STARTS: &[&str] =
    &["support independent authors", "written by ", "more from ", "recommended from medium", "get the medium app"];

fn is_medium(draft: &Draft) -> bool {
    draft.lines.iter().take(80).any(|l| is_min_read(l)) || draft.lines.iter().take(20).any(|l| l.trim() == "Sign In")
}

fn is_min_read(line: &str) -> bool {
    let Some(l) = short_norm(line) else {
        return false;
    };
    l.strip_suffix(" min read").is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty())
}

/// Some Medium exports run the header into the first paragraph on one line:
/// "Title UNDP Accelerator Labs·Follow7 min read·Oct 2, 2025--ListenShareBy …".
pub(super) fn unglue_medium_header(draft: &mut Draft) {
    const GLUE: &str = "ListenShare";
    for line in draft.lines.iter_mut().take(60) {
        if !(line.contains("min read·") && line.contains(GLUE)) {
            continue;
        }
        let head_end = line.find(GLUE).unwrap_or(0);
        let date = line[..head_end].rsplit('·').next().map(|d| d.trim_end_matches('-').trim());
        if let Some(date) = date.and_then(parse_date) {
            draft.dates.push(date);
        }
        *line = line[head_end + GLUE.len()..].to_string();
    }
    for line in &mut draft.lines {
        if line.contains("Press enter or click to view image in full size") {
            *line = line.replace("Press enter or click to view image in full size", " ");
        }
    }
}

pub(super) fn cut_medium_footer(draft: &mut Draft) {
    if !is_medium(draft) {
        return;
    }
    if let Some(cut) = draft.lines.iter().position(|l| {
        let l = l.trim_start().get(..40).unwrap_or(l.trim_start()).to_lowercase();
        MEDIUM_FOOTER_STARTS.iter().any(|start| l.starts_with(start))
    }) {
        draft.lines.truncate(cut);
    }
}

/// Lines of Medium's header: buttons, separators, reading time, clap counts and the date.
fn is_medium_marker(line: &str) -> bool {
    let Some(l) = short_norm(line) else {
        return false;
    };
    matches!(
        l.as_str(),
        "write" | "# write" | "sign up" | "sign in" | "follow" | "·" | "listen" | "share" | "member-only story" | "--"
    ) || is_min_read(&l)
        || is_count(&l)
        || parse_date(&l).is_some()
}

/// Clap and response counts: "10", "1.2K".
fn is_count(line: &str) -> bool {
    let digits = line.trim_end_matches(['k', 'K', 'm', 'M']);
    !digits.is_empty() && digits.len() < 8 && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
}

pub(super) fn strip_medium_header(draft: &mut Draft) {
    if !is_medium(draft) {
        return;
    }
    let window = draft.lines.len().min(60);
    let Some(last_marker) = draft.lines[..window].iter().rposition(|l| is_medium_marker(l)) else {
        return;
    };
    let zone = &draft.lines[..=last_marker];
    if draft.shown_title.is_none() {
        draft.shown_title = zone
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty() && !is_medium_marker(l) && !is_link_line(l) && !is_teaser(l))
            .map(str::to_string);
    }
    draft.dates.extend(zone.iter().filter_map(|l| parse_date(l)));
    let mut end = last_marker + 1;
    if let Some(next) = draft.lines.get(end) {
        if is_name_like(next.trim()) {
            draft.author = Some(next.trim().to_string());
            end += 1;
        }
    }
    draft.lines.drain(..end);
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::ingest::clean::tests::run;

    #[test]
    fn cut_medium_footer_drops_everything_from_support_on() {
        let d = run(cut_medium_footer, "5 min read\nBody.\nSupport independent authors and access\nWritten by X");
        assert_eq!(d.lines, vec!["5 min read", "Body."]);
    }

    #[test]
    fn cut_medium_footer_leaves_other_pages_alone() {
        let d = run(cut_medium_footer, "Body.\nMore from the field: a story.");
        assert_eq!(d.lines.len(), 2);
    }

    #[test]
    fn strip_medium_header_reads_title_date_author() {
        let text = "Write\nSign up\nSign In\nA Title Here\nUNDP Accelerator Labs\n·\nFollow\n5 min read\n·\nMay 29, 2019\n10\nAlessandro Fracassetti\nAzerbaijan, a resource rich economy, grew.";
        let d = run(strip_medium_header, text);
        assert_eq!(d.lines, vec!["Azerbaijan, a resource rich economy, grew."]);
        assert_eq!(d.shown_title.as_deref(), Some("A Title Here"));
        assert_eq!(d.author.as_deref(), Some("Alessandro Fracassetti"));
        assert_eq!(d.dates, vec![NaiveDate::from_ymd_opt(2019, 5, 29).unwrap()]);
    }

    #[test]
    fn unglue_medium_header_keeps_the_prose() {
        let d = run(
            unglue_medium_header,
            "Cities UNDP Accelerator Labs·Follow7 min read·Oct 2, 2025--ListenShareMore than half of humanity.",
        );
        assert_eq!(d.lines, vec!["More than half of humanity."]);
        assert_eq!(d.dates, vec![NaiveDate::from_ymd_opt(2025, 10, 2).unwrap()]);
    }
}
