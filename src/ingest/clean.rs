//! Removal of website chrome from a page body, as an ordered list of small named steps.
//!
//! Each step sees the whole [`Draft`] and may drop lines or note what it learnt (a title shown
//! in a site header, a date, an author) for later stages. Add a step here when a new source
//! appears; keep each one generic (about a kind of chrome, never about one file).

use chrono::NaiveDate;

use super::meta::parse_date;

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
    Step { name: "drop_platform_notes", apply: drop_platform_notes },
    Step { name: "drop_teasers", apply: drop_teasers },
    Step { name: "find_byline", apply: find_byline },
];

/// Rounds of [`STEPS`] at most: removing one layer of chrome can bring another to the top of
/// the page (a header saved twice), so the steps run again until nothing changes.
const MAX_ROUNDS: usize = 4;

/// Decodes the markup of raw page lines (once: decoding is not idempotent), then removes
/// chrome (see [`strip`]).
pub fn clean(lines: Vec<String>) -> Draft {
    let mut draft = Draft { lines, ..Draft::default() };
    unescape_markup(&mut draft);
    strip(draft)
}

/// Runs [`STEPS`] until the lines stop changing: stripping a stripped page changes nothing. What
/// the steps learn about the page (title shown, author, dates) comes from the first round, which
/// sees the page as published; later rounds only remove lines.
pub fn strip(mut draft: Draft) -> Draft {
    for step in STEPS {
        (step.apply)(&mut draft);
    }
    for _ in 1..MAX_ROUNDS {
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

// ---------------------------------------------------------------------------------------------
// unescape_markup: pages were exported as Markdown with HTML entities left in.

/// Markdown escapes, then every HTML entity (named, decimal, hex) decoded exactly once, by
/// html-escape's full HTML5 table: "&amp;lt;" is the text "&lt;", never "<". No-break spaces
/// become plain spaces, as the words around them are ordinary words.
fn unescape_markup(draft: &mut Draft) {
    for line in &mut draft.lines {
        if line.contains('\\') {
            *line = unescape_markdown(line);
        }
        if line.contains('&') {
            *line = html_escape::decode_html_entities(line.as_str()).replace('\u{a0}', " ");
        }
    }
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

// ---------------------------------------------------------------------------------------------
// strip_timestamps: interview transcripts carry `[[0:11]]` markers.

fn strip_timestamps(draft: &mut Draft) {
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

// ---------------------------------------------------------------------------------------------
// Medium

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
fn unglue_medium_header(draft: &mut Draft) {
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

fn cut_medium_footer(draft: &mut Draft) {
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

/// A person's name as Medium shows it under the header: 2-4 capitalised words.
fn is_name_like(line: &str) -> bool {
    let n = words(line);
    (2..=4).contains(&n)
        && line.split_whitespace().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || c == '-' || c == '.' || c == '\'')
        })
}

fn strip_medium_header(draft: &mut Draft) {
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

// ---------------------------------------------------------------------------------------------
// undp.org

const SKIP_LINKS: &[&str] = &[
    "skip to main content",
    "aller au contenu principal",
    "ir al contenido principal",
    "saltar al contenido principal",
    "pasar al contenido principal",
    "pular para o conteúdo principal",
    "ir para o conteúdo principal",
];

fn is_skip_link(line: &str) -> bool {
    let Some(l) = short_norm(line) else {
        return false;
    };
    let l = l.trim_start_matches("# ");
    SKIP_LINKS.contains(&l)
}

/// Top-level menu entries of undp.org in English, French, Spanish and Portuguese, plus the
/// search box and the teaser links that close related-content blocks.
const MENU_LINES: &[&str] = &[
    "who we are",
    "what we do",
    "our impact",
    "get involved",
    "nous connaître",
    "notre travail",
    "notre impact",
    "nous rejoindre",
    "qui sommes-nous",
    "quiénes somos",
    "quienes somos",
    "qué hacemos",
    "que hacemos",
    "nuestro impacto",
    "participa",
    "involúcrate",
    "quem somos",
    "o que fazemos",
    "nosso impacto",
    "o nosso impacto",
    "participe",
    "envolva-se",
    "global search",
    "search",
    "global",
    "home",
    "accueil",
    "inicio",
    "início",
];

const READ_MORE: &[&str] =
    &["read more", "lire la suite", "en savoir plus", "leer más", "leer mas", "leia mais", "saiba mais"];

fn is_menu_line(line: &str) -> bool {
    short_norm(line).is_some_and(|l| MENU_LINES.contains(&l.as_str()))
}

/// A line in capitals (breadcrumb parts, section banners); needs at least two letters.
fn is_shouting(line: &str) -> bool {
    let mut letters = 0;
    for c in line.chars().filter(|c| c.is_alphabetic()) {
        if c.is_lowercase() {
            return false;
        }
        letters += 1;
    }
    letters >= 2 && words(line) <= 25
}

fn strip_site_header(draft: &mut Draft) {
    let window = draft.lines.len().min(80);
    let Some(skip) = draft.lines[..window].iter().position(|l| is_skip_link(l)) else {
        return;
    };
    let mut end = skip + 1;
    // The site name ("Tanzania", "Algérie") follows the skip link.
    if draft.lines.get(end).is_some_and(|l| words(l) <= 4 && !is_shouting(l)) {
        end += 1;
    }
    while draft.lines.get(end).is_some_and(|l| l.trim().is_empty() || is_menu_line(l) || is_shouting(l)) {
        end += 1;
    }
    if let Some(title) = draft.lines.get(end).map(|l| l.trim().to_string()) {
        if !title.is_empty() && words(&title) <= 40 {
            if draft.shown_title.is_none() {
                draft.shown_title = Some(title);
            }
            end += 1;
        }
    }
    if let Some(date) = draft.lines.get(end).and_then(|l| parse_date(l)) {
        draft.dates.push(date);
        end += 1;
    }
    draft.lines.drain(skip..end);
}

fn cut_related_footer(draft: &mut Draft) {
    let read_more = draft.lines.iter().position(|l| short_norm(l).is_some_and(|l| READ_MORE.contains(&l.as_str())));
    // The site footer repeats the menu right under the programme's name; requiring that keeps
    // a report's cover page ("United Nations / Development Programme") from being cut.
    let footer = draft.lines.windows(4).position(|w| {
        let (Some(a), Some(b)) = (short_norm(&w[0]), short_norm(&w[1])) else {
            return false;
        };
        if !w[2..].iter().any(|l| is_menu_line(l)) {
            return false;
        }
        (a == "united nations" && b == "development programme")
            || (a == "programme des nations unies" && b == "pour le développement")
            || (a == "programa de las naciones unidas" && b == "para el desarrollo")
            || (a == "programa das nações unidas" && b == "para o desenvolvimento")
    });
    let mut cut = match (read_more, footer) {
        (Some(r), Some(f)) => r.min(f),
        (Some(r), None) => r,
        (None, Some(f)) => f,
        (None, None) => return,
    };
    if Some(cut) == read_more {
        // A teaser block is: category banner, headline, teaser text, READ MORE. Without the
        // banner a "Read more" line is ordinary text.
        let floor = cut.saturating_sub(4);
        match (floor..cut).find(|&i| is_shouting(&draft.lines[i])) {
            Some(banner) => cut = banner,
            None if footer.is_some() => cut = footer.unwrap_or(cut),
            None => return,
        }
    }
    draft.lines.truncate(cut);
}

/// The newer undp.org layout: "Home", then the site name and section ("Srbija", "Blog") as
/// short lines, then the title.
fn strip_home_trail(draft: &mut Draft) {
    let window = draft.lines.len().min(60);
    let Some(home) = draft.lines[..window]
        .iter()
        .position(|l| short_norm(l).is_some_and(|l| matches!(l.as_str(), "home" | "inicio" | "início" | "accueil")))
    else {
        return;
    };
    let mut end = home + 1;
    while draft.lines.get(end).is_some_and(|l| words(l) <= 4 && !reads_as_sentence(l)) {
        end += 1;
    }
    draft.lines.drain(home..end);
}

/// A line that reads as a sentence, not a label.
fn reads_as_sentence(line: &str) -> bool {
    let t = line.trim();
    t.ends_with('.') && words(t) >= 3
}

/// "Authors" followed by name and role lines; the first name is the author.
fn strip_author_block(draft: &mut Draft) {
    let window = draft.lines.len().min(80);
    let Some(start) = draft.lines[..window].iter().position(|l| {
        short_norm(l).is_some_and(|l| {
            matches!(
                l.as_str(),
                "author"
                    | "authors"
                    | "autor"
                    | "autores"
                    | "auteur"
                    | "auteurs"
                    | "autora"
                    | "autoras"
                    | "escrito por"
                    | "écrit par"
            )
        })
    }) else {
        return;
    };
    let mut end = start + 1;
    while draft.lines.get(end).is_some_and(|l| words(l) <= 12 && !reads_as_sentence(l)) {
        if draft.author.is_none() && is_name_like(draft.lines[end].trim()) {
            draft.author = Some(draft.lines[end].trim().to_string());
        }
        end += 1;
    }
    draft.lines.drain(start..end);
}

/// Menu lines, and skip links left after the page header (a page saved with its header twice).
fn drop_menu_lines(draft: &mut Draft) {
    draft.lines.retain(|l| !is_menu_line(l) && !is_skip_link(l));
}

/// Breadcrumbs and banners in capitals ("HOME / TANZANIA / BLOG / …", "ACTUALITÉS").
fn drop_breadcrumb_lines(draft: &mut Draft) {
    draft.lines.retain(|l| !is_shouting(l));
}

// ---------------------------------------------------------------------------------------------
// Generic lines

fn drop_image_lines(draft: &mut Draft) {
    for line in &mut draft.lines {
        if line.contains("--- Image caption ---") {
            *line = line.replace("--- Image caption ---", "");
        }
    }
    draft.lines.retain(|l| {
        let t = l.trim();
        let lower = t.to_lowercase();
        let image = t.starts_with("![") || t.starts_with("[![");
        let heading = matches!(lower.trim_start_matches(['>', '#', ' ']), "images" | "image");
        let credit = (lower.starts_with("photo by")
            || lower.starts_with("photo:")
            || lower.starts_with("photo credit")
            || lower.starts_with("image:")
            || lower.starts_with("image credit"))
            && words(t) <= 20;
        !(image || heading || credit)
    });
}

/// A line that is only a link, a bare URL or a link label like "(link is external)".
fn is_link_line(line: &str) -> bool {
    let t = line.trim();
    let bare_url = (t.starts_with("http://") || t.starts_with("https://")) && !t.contains(' ');
    let md_link = t.starts_with('[') && t.contains("](") && (t.ends_with(')') || !t.contains(") "));
    bare_url || md_link
}

fn drop_link_lines(draft: &mut Draft) {
    for line in &mut draft.lines {
        if line.contains("(link is external)") {
            *line = line.replace("(link is external)", "");
        }
    }
    draft.lines.retain(|l| !is_link_line(l));
}

fn drop_date_lines(draft: &mut Draft) {
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
fn drop_questionnaire_prompts(draft: &mut Draft) {
    let is_prompt = |l: &String| l.trim_start().starts_with('>');
    if draft.lines.iter().filter(|l| is_prompt(l)).count() >= 2 {
        draft.lines.retain(|l| !is_prompt(l));
    }
}

fn drop_empty_headings(draft: &mut Draft) {
    draft.lines.retain(|l| !(l.trim_start().starts_with('#') && l.trim().trim_start_matches('#').trim().is_empty()));
}

/// Lines that are only HTML tags (`<div class="group">`), rule characters (`****`, `-`) or a
/// page number.
fn drop_markup_lines(draft: &mut Draft) {
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
fn strip_inline_html(draft: &mut Draft) {
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

/// Notes the SDG Commons platform adds to every tagged page ("Thematic area tags generated
/// using: … KeyBERT …"): about the platform, not the page.
fn drop_platform_notes(draft: &mut Draft) {
    const NOTES: &[&str] = &["thematic area tags generated using"];
    draft.lines.retain(|l| {
        let t = l.trim_start();
        !NOTES.iter().any(|n| t.get(..n.len()).is_some_and(|p| p.eq_ignore_ascii_case(n)))
    });
}

fn is_teaser(line: &str) -> bool {
    let t = line.trim();
    (t.ends_with("...") || t.ends_with('…')) && words(t) <= 25
}

/// Cut-off previews ("How does...", "UNDP...") of lines that appear in full elsewhere.
fn drop_teasers(draft: &mut Draft) {
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

/// undp.org pages sign off with "By Jane Doe, UNDP Tanzania Accelerator Lab, …".
fn find_byline(draft: &mut Draft) {
    if draft.author.is_some() {
        return;
    }
    let byline = draft.lines.iter().rev().take(15).find_map(|l| {
        let t = l.trim();
        let rest = t.strip_prefix("By ").or_else(|| t.strip_prefix("Por "))?;
        let name = rest.split([',', '|', '(']).next()?.trim();
        (words(t) <= 30 && is_name_like(name)).then(|| name.to_string())
    });
    draft.author = byline;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    fn run(step: fn(&mut Draft), text: &str) -> Draft {
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
    fn strip_timestamps_removes_interview_markers() {
        let d = run(strip_timestamps, "### [[0:11]] Could you tell us? [[12:30]]");
        assert_eq!(d.lines, vec!["###  Could you tell us? "]);
    }

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
    fn strip_site_header_drops_menus_breadcrumb_title_and_date() {
        let text = "Skip to main content\nTanzania\nWHO WE ARE\nWHAT WE DO\nOUR IMPACT\nGET INVOLVED\nGlobal\nSearch\nHOME\nTANZANIA\nBLOG\nBREAKING THE OBSCURITY\nBreaking the Obscurity\nFEBRUARY 13, 2020\nWhat sparks grassroots innovation?";
        let d = run(strip_site_header, text);
        assert_eq!(d.lines, vec!["What sparks grassroots innovation?"]);
        assert_eq!(d.shown_title.as_deref(), Some("Breaking the Obscurity"));
        assert_eq!(d.dates, vec![NaiveDate::from_ymd_opt(2020, 2, 13).unwrap()]);
    }

    #[test]
    fn strip_site_header_in_french() {
        let text = "Aller au contenu principal\nAlgérie\nNOUS CONNAÎTRE\nNOTRE TRAVAIL\nHOME\nALGÉRIE\nMENTORSHIP\nMentorship\n8 MARS 2022\nBody.";
        let d = run(strip_site_header, text);
        assert_eq!(d.lines, vec!["Body."]);
    }

    #[test]
    fn cut_related_footer_cuts_at_first_teaser_block() {
        let text = "Body.\nBy Jane Doe\nBLOG\nOther post\nTeaser...\nREAD MORE\nBLOG\nMore\nREAD MORE";
        let d = run(cut_related_footer, text);
        assert_eq!(d.lines, vec!["Body.", "By Jane Doe"]);
    }

    #[test]
    fn cut_related_footer_cuts_site_footer() {
        let text = "Body.\nUnited Nations\nDevelopment Programme\nWHO WE ARE\nAbout Us";
        let d = run(cut_related_footer, text);
        assert_eq!(d.lines, vec!["Body."]);
    }

    #[test]
    fn strip_home_trail_drops_site_and_section() {
        let d = run(strip_home_trail, "Home\n\nSrbija\n\nBlog\n\nA much longer title of the page here\nBody.");
        assert_eq!(d.lines, vec!["A much longer title of the page here", "Body."]);
    }

    #[test]
    fn strip_author_block_reads_first_name() {
        let text = "Authors\n\nKristina Nikolić\n\nHead of Experimentation\n\nRazvojne prilike i izazovi menjaju se usled mnoštva nadolazećih trendova i potencijalnih poremećaja.";
        let d = run(strip_author_block, text);
        assert_eq!(d.author.as_deref(), Some("Kristina Nikolić"));
        assert_eq!(d.lines.len(), 1);
    }

    #[test]
    fn drop_menu_lines_in_four_languages() {
        let d = run(drop_menu_lines, "QUEM SOMOS\nNOUS CONNAÎTRE\nWHO WE ARE\nQUIÉNES SOMOS\nGlobal Search\nText");
        assert_eq!(d.lines, vec!["Text"]);
    }

    #[test]
    fn drop_breadcrumb_lines_keeps_mixed_case() {
        let d = run(drop_breadcrumb_lines, "HOME\nACTUALITÉS\nUNDP works\n2020");
        assert_eq!(d.lines, vec!["UNDP works", "2020"]);
    }

    #[test]
    fn drop_image_lines_removes_images_captions_credits() {
        let d = run(
            drop_image_lines,
            "![alt](x.png)\n--- Image caption ---\n--- Image caption ---A caption\n> Images\nPhoto by: Orkhan Farmali\nText",
        );
        assert_eq!(d.lines, vec!["", "A caption", "Text"]);
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
    fn unglue_medium_header_keeps_the_prose() {
        let d = run(
            unglue_medium_header,
            "Cities UNDP Accelerator Labs·Follow7 min read·Oct 2, 2025--ListenShareMore than half of humanity.",
        );
        assert_eq!(d.lines, vec!["More than half of humanity."]);
        assert_eq!(d.dates, vec![NaiveDate::from_ymd_opt(2025, 10, 2).unwrap()]);
    }

    #[test]
    fn report_cover_is_not_a_site_footer() {
        let d = run(cut_related_footer, "Cover\nUnited Nations\nDevelopment Programme\nChapter 1 text.\nMore text.");
        assert_eq!(d.lines.len(), 5);
    }

    #[test]
    fn read_more_without_banner_is_text() {
        let d = run(cut_related_footer, "Body.\nRead more\nMore body.");
        assert_eq!(d.lines.len(), 3);
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
    fn a_single_quote_is_not_a_questionnaire() {
        let d = run(drop_questionnaire_prompts, "> To be or not to be\nText");
        assert_eq!(d.lines.len(), 2);
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

    #[test]
    fn find_byline_reads_undp_signature() {
        let d = run(find_byline, "Text\nBy Ghati Horombe, UNDP Tanzania Accelerator Lab, Head");
        assert_eq!(d.author.as_deref(), Some("Ghati Horombe"));
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
