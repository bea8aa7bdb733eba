//! Removal of website chrome from a page body, as an ordered list of small named steps.
//!
//! Each step sees the whole [`Draft`] and may drop lines or note what it learnt (a title shown
//! in a site header, a date, an author) for later stages. The steps live by the kind of chrome
//! they remove: `medium.rs` (Medium), `site.rs` (undp.org) and `lines.rs` (lines any site may
//! have); this module runs them in order and decodes the markup they read. When a new source
//! appears, add its steps to the file of their kind (or a new file for a new site) and to
//! [`STEPS`]; keep each one generic (about a kind of chrome, never about one file).

mod lines;
mod medium;
mod site;

use chrono::NaiveDate;

use super::params::MAX_CLEAN_ROUNDS;

use lines::{
    drop_date_lines, drop_empty_headings, drop_image_lines, drop_link_lines, drop_markup_lines, drop_platform_notes,
    drop_questionnaire_prompts, drop_teasers, restore_lost_breaks, strip_inline_html, strip_timestamps,
};
use medium::{cut_medium_footer, strip_medium_header, unglue_medium_header};
use site::{
    cut_related_footer, drop_breadcrumb_lines, drop_menu_lines, find_byline, is_skip_link, strip_author_block,
    strip_home_trail, strip_site_header,
};

/// A body being cleaned, plus what the steps learnt about the page on the way.
#[derive(Debug, Default, Clone)]
pub struct Draft {
    pub lines: Vec<String>,
    /// The page's title as shown by the site's own header (Medium, undp.org).
    pub shown_title: Option<String>,
    pub author: Option<String>,
    /// Dates shown in the page (header bylines first).
    pub dates: Vec<NaiveDate>,
}

/// One cleaning step.
pub struct Step {
    pub name: &'static str,
    pub apply: fn(&mut Draft),
}

/// The chrome-removal steps, in the order they run. Order matters: footers are cut before menus
/// are matched line by line, and headers are read before generic line filters remove their parts.
pub const STEPS: &[Step] = &[
    Step { name: "strip_timestamps", apply: strip_timestamps },
    Step { name: "unglue_medium_header", apply: unglue_medium_header },
    Step { name: "cut_medium_footer", apply: cut_medium_footer },
    Step { name: "strip_medium_header", apply: strip_medium_header },
    Step { name: "strip_site_header", apply: strip_site_header },
    Step { name: "cut_related_footer", apply: cut_related_footer },
    Step { name: "strip_home_trail", apply: strip_home_trail },
    Step { name: "strip_author_block", apply: strip_author_block },
    Step { name: "drop_menu_lines", apply: drop_menu_lines },
    Step { name: "drop_date_lines", apply: drop_date_lines },
    Step { name: "drop_breadcrumb_lines", apply: drop_breadcrumb_lines },
    Step { name: "drop_image_lines", apply: drop_image_lines },
    Step { name: "drop_link_lines", apply: drop_link_lines },
    Step { name: "drop_questionnaire_prompts", apply: drop_questionnaire_prompts },
    Step { name: "drop_empty_headings", apply: drop_empty_headings },
    Step { name: "drop_markup_lines", apply: drop_markup_lines },
    Step { name: "strip_inline_html", apply: strip_inline_html },
    Step { name: "restore_lost_breaks", apply: restore_lost_breaks },
    Step { name: "drop_platform_notes", apply: drop_platform_notes },
    Step { name: "drop_teasers", apply: drop_teasers },
    Step { name: "find_byline", apply: find_byline },
];

/// Decodes the markup of raw page lines (once: decoding is not idempotent), then removes
/// chrome (see [`strip`]).
pub fn clean(lines: Vec<String>) -> Draft {
    let mut draft = Draft { lines, ..Draft::default() };
    unescape_markup(&mut draft);
    strip(draft)
}

/// Runs [`STEPS`] until the lines stop changing (at most [`MAX_CLEAN_ROUNDS`] times): stripping a stripped page changes nothing. What
/// the steps learn about the page (title shown, author, dates) comes from the first round, which
/// sees the page as published; later rounds only remove lines.
pub fn strip(mut draft: Draft) -> Draft {
    for step in STEPS {
        (step.apply)(&mut draft);
    }
    for _ in 1..MAX_CLEAN_ROUNDS {
        let mut again = Draft { lines: draft.lines.clone(), ..Draft::default() };
        for step in STEPS {
            (step.apply)(&mut again);
        }
        if again.lines == draft.lines {
            break;
        }
        draft.lines = again.lines;
    }
    draft
}

/// Joins cleaned lines into text: trimmed lines, runs of spaces collapsed, at most one blank
/// line between paragraphs.
pub fn join_text(lines: &[String]) -> String {
    let mut out = String::new();
    let mut blank = true;
    for line in lines {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            if !blank {
                out.push('\n');
                blank = true;
            }
            continue;
        }
        out.push_str(&line);
        out.push('\n');
        blank = false;
    }
    out.trim_end().to_string()
}

/// Headings that are site chrome, not titles (Medium's "Write" button, undp.org's skip link).
pub fn is_chrome_heading(heading: &str) -> bool {
    let h = heading.trim();
    h.eq_ignore_ascii_case("write") || is_skip_link(h)
}

fn norm(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// [`norm`] for matching against short fixed phrases: long lines can never match, and skipping
/// them keeps cleaning fast on report-sized pages.
fn short_norm(line: &str) -> Option<String> {
    (line.len() <= 64).then(|| norm(line))
}

fn words(line: &str) -> usize {
    line.split_whitespace().count()
}

/// A person's name as Medium shows it under the header and undp.org in bylines: 2-4
/// capitalised words.
fn is_name_like(line: &str) -> bool {
    let n = words(line);
    (2..=4).contains(&n)
        && line.split_whitespace().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || c == '-' || c == '.' || c == '\'')
        })
}

// ---------------------------------------------------------------------------------------------
// unescape_markup: pages were exported as Markdown with HTML entities left in.

/// Markdown escapes, then every HTML entity (named, decimal, hex) decoded exactly once, by
/// html-escape's full HTML5 table: "&amp;lt;" is the text "&lt;", never "<". No-break spaces
/// become plain spaces, as the words around them are ordinary words.
fn unescape_markup(draft: &mut Draft) {
    for line in draft.lines.iter_mut().filter(|l| l.contains(['\\', '&'])) {
        *line = unescape(line);
    }
}

/// One line of an exported page as text (see [`unescape_markup`]): what every body line and the
/// page's title go through, so that both read the same.
pub fn unescape(line: &str) -> String {
    let mut line = if line.contains('\\') { unescape_markdown(line) } else { line.to_string() };
    if line.contains('&') {
        line = html_escape::decode_html_entities(line.as_str()).replace('\u{a0}', " ");
    }
    line
}

fn unescape_markdown(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if next.is_ascii_punctuation() {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    /// One step run on the lines of `text`.
    pub(super) fn run(step: fn(&mut Draft), text: &str) -> Draft {
        let mut draft = Draft { lines: lines(text), ..Draft::default() };
        step(&mut draft);
        draft
    }

    #[test]
    fn unescape_markup_handles_markdown_and_entities() {
        let d = run(unescape_markup, "Hi\\. A \\- B &amp; C&nbsp;D");
        assert_eq!(d.lines, vec!["Hi. A - B & C D"]);
        let d = run(unescape_markup, "l&rsquo;eau &eacute;t&eacute; &#8217; &#x41; &amp;lt;b&amp;gt; &unknown;");
        assert_eq!(d.lines, vec!["l’eau été ’ A &lt;b&gt; &unknown;"], "every entity, each decoded once");
    }

    #[test]
    fn join_text_collapses_whitespace_and_blank_runs() {
        let text = join_text(&lines("  a   b \n\n\n\nc\t d\n\n"));
        assert_eq!(text, "a b\n\nc d");
    }

    #[test]
    fn chrome_headings() {
        assert!(is_chrome_heading("Write"));
        assert!(is_chrome_heading("Skip to main content"));
        assert!(!is_chrome_heading("Breaking the Obscurity"));
    }
}
