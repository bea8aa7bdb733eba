//! Steps about single lines that any site may have: images and their credits, link-only lines,
//! dates, questionnaire prompts, empty headings, leftover markup, platform notes and teasers.

use crate::ingest::sentences;

use super::{norm, words, Draft};
use crate::ingest::meta::parse_date;

/// Interview transcripts carry `[[0:11]]` markers.
pub(super) fn strip_timestamps(draft: &mut Draft) {
    for line in &mut draft.lines {
        while let Some(start) = line.find("[[") {
            let Some(len) = line[start..].find("]]") else {
                break;
            };
            let inner = &line[start + 2..start + len];
            if !inner.chars().all(|c| c.is_ascii_digit() || c == ':') {
                break;
            }
            line.replace_range(start..start + len + 2, "");
        }
    }
}

pub(super) fn drop_image_lines(draft: &mut Draft) {
    for line in &mut draft.lines {
        if line.contains("--- Image caption ---") {
            *line = line.replace("--- Image caption ---", "");
        }
    }
    draft.lines.retain_mut(|l| {
        // An image's markup goes; text the export left on its line stays.
        if l.trim_start().starts_with("![") || l.trim_start().starts_with("[![") {
            let rest = after_images(l).to_string();
            if rest.is_empty() {
                return false;
            }
            *l = rest;
        }
        let t = l.trim();
        let lower = t.to_lowercase();
        let heading = matches!(lower.trim_start_matches(['>', '#', ' ']), "images" | "image");
        let credit = (lower.starts_with("photo by")
            || lower.starts_with("photo:")
            || lower.starts_with("photo credit")
            || lower.starts_with("image:")
            || lower.starts_with("image credit"))
            && words(t) <= 20;
        !(heading || credit)
    });
}

/// What follows the images a line starts with (`![alt](url)`, `[![alt](url)](link)`), trimmed;
/// nothing when an image's markup is not closed.
fn after_images(line: &str) -> &str {
    let mut rest = line.trim_start();
    loop {
        let linked = rest.starts_with("[![");
        let Some(body) = rest.strip_prefix(if linked { "[![" } else { "![" }) else { return rest.trim_end() };
        let Some((_, target)) = body.split_once("](") else { return "" };
        let Some((_, mut next)) = target.split_once(')') else { return "" };
        if linked {
            let Some((_, after)) = next.strip_prefix("](").and_then(|r| r.split_once(')')) else { return "" };
            next = after;
        }
        rest = next.trim_start();
    }
}

/// A line that is only a link, a bare URL or a link label like "(link is external)".
pub(super) fn is_link_line(line: &str) -> bool {
    let t = line.trim();
    let bare_url = (t.starts_with("http://") || t.starts_with("https://")) && !t.contains(' ');
    let md_link = t.starts_with('[') && t.contains("](") && (t.ends_with(')') || !t.contains(") "));
    bare_url || md_link
}

pub(super) fn drop_link_lines(draft: &mut Draft) {
    for line in &mut draft.lines {
        if line.contains("(link is external)") {
            *line = line.replace("(link is external)", "");
        }
    }
    draft.lines.retain(|l| !is_link_line(l));
}

pub(super) fn drop_date_lines(draft: &mut Draft) {
    draft.lines.retain(|l| match parse_date(l) {
        Some(date) => {
            draft.dates.push(date);
            false
        }
        None => true,
    });
}

/// Form pages (solutions, learning plans, experiments) quote each question with `> `; the
/// answers are the content. Two or more quoted lines mark a form.
pub(super) fn drop_questionnaire_prompts(draft: &mut Draft) {
    let is_prompt = |l: &String| l.trim_start().starts_with('>');
    if draft.lines.iter().filter(|l| is_prompt(l)).count() >= 2 {
        draft.lines.retain(|l| !is_prompt(l));
    }
}

pub(super) fn drop_empty_headings(draft: &mut Draft) {
    draft.lines.retain(|l| !(l.trim_start().starts_with('#') && l.trim().trim_start_matches('#').trim().is_empty()));
}

/// Lines that are only HTML tags (`<div class="group">`), rule characters (`****`, `-`) or a
/// page number.
pub(super) fn drop_markup_lines(draft: &mut Draft) {
    draft.lines.retain(|l| {
        let t = l.trim();
        let tags_only = t.starts_with('<') && t.ends_with('>') && !t[1..t.len() - 1].contains(['<', '>']);
        let rule =
            !t.is_empty() && t.chars().all(|c| matches!(c, '*' | '-' | '_' | '=' | '#' | '~' | '·' | '|' | ')' | '('));
        // Page numbers of reports converted from PDF.
        let page_number = !t.is_empty() && t.len() <= 4 && t.chars().all(|c| c.is_ascii_digit());
        !(tags_only || rule || page_number)
    });
}

/// Inline HTML left by the export (`<span class="x">text</span>`): the tags go, the text stays.
pub(super) fn strip_inline_html(draft: &mut Draft) {
    for line in draft.lines.iter_mut().filter(|l| l.contains('<') && l.contains('>')) {
        let mut out = String::with_capacity(line.len());
        let mut rest = line.as_str();
        while let Some(start) = rest.find('<') {
            let tag = &rest[start + 1..];
            let is_tag = tag.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
            match (is_tag, tag.find('>')) {
                (true, Some(end)) => {
                    out.push_str(&rest[..start]);
                    rest = &tag[end + 1..];
                }
                _ => {
                    out.push_str(&rest[..=start]);
                    rest = tag;
                }
            }
        }
        out.push_str(rest);
        *line = out;
    }
}

/// Line breaks and spaces the page's export lost: a heading run into the paragraph after it
/// becomes a line of its own, and a sentence run into the next one gets its space back (see
/// [`sentences`]).
pub(super) fn restore_lost_breaks(draft: &mut Draft) {
    let mut out = Vec::with_capacity(draft.lines.len());
    for line in draft.lines.drain(..) {
        let mut line = sentences::restore_breaks(&line).unwrap_or(line);
        while let Some((heading, rest)) = sentences::split_glued_heading(&line) {
            out.push(heading);
            line = rest;
        }
        out.push(line);
    }
    draft.lines = out;
}

/// Notes the SDG Commons platform adds to every tagged page ("Thematic area tags generated
/// using: … KeyBERT …"): about the platform, not the page.
pub(super) fn drop_platform_notes(draft: &mut Draft) {
    const NOTES: &[&str] = &["thematic area tags generated using"];
    draft.lines.retain(|l| {
        let t = l.trim_start();
        !NOTES.iter().any(|n| t.get(..n.len()).is_some_and(|p| p.eq_ignore_ascii_case(n)))
    });
}

pub(super) fn is_teaser(line: &str) -> bool {
    let t = line.trim();
    (t.ends_with("...") || t.ends_with('…')) && words(t) <= 25
}

/// Cut-off previews ("How does...", "UNDP...") of lines that appear in full elsewhere.
pub(super) fn drop_teasers(draft: &mut Draft) {
    if !draft.lines.iter().any(|l| is_teaser(l)) {
        return;
    }
    let full: Vec<String> = draft.lines.iter().map(|l| norm(l)).collect();
    let mut index = 0;
    draft.lines.retain(|l| {
        let i = index;
        index += 1;
        if !is_teaser(l) {
            return true;
        }
        let prefix = norm(l.trim().trim_end_matches('…').trim_end_matches("..."));
        !full.iter().enumerate().any(|(j, other)| j != i && other.len() > prefix.len() && other.starts_with(&prefix))
    });
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::ingest::clean::tests::run;

    #[test]
    fn strip_timestamps_removes_interview_markers() {
        let d = run(strip_timestamps, "### [[0:11]] Could you tell us? [[12:30]]");
        assert_eq!(d.lines, vec!["###  Could you tell us? "]);
    }

    #[test]
    fn drop_image_lines_removes_images_captions_credits() {
        let d = run(
            drop_image_lines,
            "![alt](x.png)\n--- Image caption ---\n--- Image caption ---A caption\n> Images\nPhoto by: Orkhan Farmali\nText",
        );
        assert_eq!(d.lines, vec!["", "A caption", "Text"]);
        let d = run(
            drop_image_lines,
            "![Missing alt text](https://x.org/a.png)   This necklace is hand-made.\n[![a](i.png)](https://l.org) ![b](j.png)\n![broken(x.png\nEnd",
        );
        assert_eq!(d.lines, vec!["This necklace is hand-made.", "End"], "text after an image stays");
    }

    #[test]
    fn drop_link_lines_removes_link_only_lines_and_labels() {
        let d = run(
            drop_link_lines,
            "[Original article published here](https://x.org/a)\nhttps://x.org\nSee the site (link is external) now",
        );
        assert_eq!(d.lines, vec!["See the site  now"]);
    }

    #[test]
    fn drop_date_lines_records_dates() {
        let d = run(drop_date_lines, "MAY 30, 2023\nText");
        assert_eq!(d.lines, vec!["Text"]);
        assert_eq!(d.dates, vec![NaiveDate::from_ymd_opt(2023, 5, 30).unwrap()]);
    }

    #[test]
    fn drop_questionnaire_prompts_keeps_answers() {
        let text = "> Please provide a name for your action learning plan.\nPlan A\n> Challenge?\nWater\n> Background\nLong story";
        let d = run(drop_questionnaire_prompts, text);
        assert_eq!(d.lines, vec!["Plan A", "Water", "Long story"]);
    }

    #[test]
    fn a_single_quote_is_not_a_questionnaire() {
        let d = run(drop_questionnaire_prompts, "> To be or not to be\nText");
        assert_eq!(d.lines.len(), 2);
    }

    #[test]
    fn drop_markup_lines_removes_tags_and_rules() {
        let d = run(drop_markup_lines, "<div class=\"group\">\n****\n-\n- yes\n</div>\nText <b>bold</b>");
        assert_eq!(d.lines, vec!["- yes", "Text <b>bold</b>"]);
    }

    #[test]
    fn strip_inline_html_keeps_text() {
        let d = run(strip_inline_html, "A <span class=\"x\">moringa</span> plant, 3 < 4 and 5 > 2");
        assert_eq!(d.lines, vec!["A moringa plant, 3 < 4 and 5 > 2"]);
    }

    #[test]
    fn drop_platform_notes_removes_tagging_note() {
        let d =
            run(drop_platform_notes, "Thematic area tags generated using: Maarten Grootendorst, KeyBERT. 2020\nText");
        assert_eq!(d.lines, vec!["Text"]);
    }

    #[test]
    fn drop_empty_headings_keeps_real_ones() {
        let d = run(drop_empty_headings, "## \n##\n## Title\nText");
        assert_eq!(d.lines, vec!["## Title", "Text"]);
    }

    #[test]
    fn drop_teasers_only_when_full_line_exists() {
        let d = run(drop_teasers, "How does...\nHow does the market work?\nAnd then…");
        assert_eq!(d.lines, vec!["How does the market work?", "And then…"]);
    }
}
