//! One file or page made into a [`Document`]: split, cleaned, titled, and its metadata read
//! (dates, country and continent, language).

use std::path::Path;

use chrono::Datelike;

use super::decode::read_text;
use super::title::{resolve_title, TitleFrom};
use super::walk::{is_web_page, relative};
use super::{clean, html, lang, meta, parse, table, Document, IngestOptions, Metadata, SkipKind, Skipped};

/// Reads one file under `root` as a document, or says why it is skipped.
pub(super) fn read_document(root: &Path, path: &Path, options: &IngestOptions) -> Result<Document, Skipped> {
    let rel = relative(root, path);
    let mut warnings = Vec::new();
    let (doc_id, raw) = read_text(path, options.max_file_bytes, &mut warnings).map_err(|(kind, message)| Skipped {
        path: rel.clone(),
        kind,
        message,
    })?;
    let (page, markup) = if is_web_page(&rel) {
        (html::page(&raw), Markup::Decoded)
    } else {
        (parse::split_page(&raw), Markup::Encoded)
    };
    let row = options.metadata.as_ref().and_then(|t| t.row(&rel));
    let mut doc = document_from(page, markup, row, doc_id, rel.clone());
    warnings.append(&mut doc.warnings);
    doc.warnings = warnings;
    if doc.text.is_empty() {
        // A title taken from the file name says nothing about the content.
        if doc.title.is_empty() || doc.title_from == TitleFrom::File {
            return Err(Skipped {
                path: rel,
                kind: SkipKind::NoText,
                message: "no text left after removing metadata and site chrome; skipped".into(),
            });
        }
        doc.warnings.push("no body text after removing metadata and site chrome; analysed by its title".into());
    }
    Ok(doc)
}

/// Builds a document from the text of one page. `doc_id` and `path` are given by the caller.
pub fn build_document(raw: &str, doc_id: String, path: String) -> Document {
    document_from(parse::split_page(raw), Markup::Encoded, None, doc_id, path)
}

/// Whether a page's lines still hold HTML entities and Markdown escapes (pages exported as text)
/// or were decoded already (saved web pages, decoded by the HTML parser): decoding twice would
/// turn the text "&lt;" into "<".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    Encoded,
    Decoded,
}

/// A document from a page split into metadata, heading and lines; `row` adds a metadata table's
/// values for the keys the page does not state.
fn document_from(
    page: parse::RawPage,
    markup: Markup,
    row: Option<&Metadata>,
    doc_id: String,
    path: String,
) -> Document {
    let mut warnings = page.warnings;
    let mut metadata = page.metadata;
    // The title the page states (its heading, its own title tag or front matter) is written in
    // the page's markup, as its body is; a metadata table's title is plain text.
    let stated_title = page.heading.or_else(|| parse::first(&metadata, "title").map(str::to_string));
    let stated_title = match markup {
        Markup::Encoded => stated_title.as_deref().map(clean::unescape),
        Markup::Decoded => stated_title,
    };
    if let Some(row) = row {
        table::fill(&mut metadata, row);
    }
    let draft = match markup {
        Markup::Encoded => clean::clean(page.lines),
        Markup::Decoded => clean::strip(clean::Draft { lines: page.lines, ..clean::Draft::default() }),
    };
    let heading = stated_title.or_else(|| parse::first(&metadata, "title").map(str::to_string));
    let (title, title_from) = resolve_title(heading.as_deref(), draft.shown_title.as_deref(), &draft.lines, &path);
    let title_key = title.to_lowercase();
    let body: Vec<String> = draft
        .lines
        .into_iter()
        .filter(|l| {
            l.len() < title_key.len() / 2 || l.trim().trim_start_matches('#').trim().to_lowercase() != title_key
        })
        .collect();
    let text = clean::join_text(&body);

    let meta_date = parse::first(&metadata, "date").and_then(meta::parse_date);
    let date = meta_date.into_iter().chain(draft.dates.iter().copied()).find(|d| !meta::is_placeholder(*d));
    let meta_year = parse::first(&metadata, "year").and_then(|y| y.trim().parse::<i32>().ok()).filter(|&y| y != 1970);
    let year = date.map(|d| d.year()).or(meta_year);

    let raw_country = parse::first(&metadata, "country").map(str::trim);
    let country = raw_country.map(|c| if meta::is_global_country(c) { "Global".to_string() } else { c.to_string() });
    let continent = parse::first(&metadata, "continent")
        .and_then(meta::canonical_continent)
        .or_else(|| raw_country.and_then(meta::continent_of));
    if let (Some(c), None) = (raw_country, continent) {
        warnings.push(format!("country {c:?} is not in the continent table; continent unknown"));
    }

    let language = match parse::first(&metadata, "language") {
        Some(given) => lang::normalise(given).or_else(|| {
            warnings.push(format!("language {given:?} not understood; detected from the text instead"));
            lang::detect(if text.is_empty() { &title } else { &text })
        }),
        None => lang::detect(if text.is_empty() { &title } else { &text }),
    };
    Document {
        doc_id,
        path,
        title,
        title_from,
        doc_type: parse::first(&metadata, "type").map(str::to_string),
        country,
        continent: continent.map(str::to_string),
        date,
        year,
        language,
        author: draft.author.or_else(|| parse::first(&metadata, "author").map(str::to_string)),
        source: parse::first(&metadata, "source").map(str::to_string),
        words: text.split_whitespace().count(),
        text,
        metadata,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn placeholder_date_falls_back_to_body_date() {
        let doc = build_document(
            "# T\n[[year:1970]]\n[[date:January 1, 1970]]\n[[country:Null Island]]\nMAY 30, 2023\nSome words here for text.",
            "x".into(),
            "a.txt".into(),
        );
        assert_eq!(doc.date, NaiveDate::from_ymd_opt(2023, 5, 30));
        assert_eq!(doc.year, Some(2023));
        assert_eq!(doc.country.as_deref(), Some("Global"));
        assert_eq!(doc.continent.as_deref(), Some("Global"));
    }

    #[test]
    fn placeholder_without_body_date_is_null() {
        let doc =
            build_document("# T\n[[year:1970]]\n[[date:January 1, 1970]]\nText only.", "x".into(), "a.txt".into());
        assert_eq!(doc.date, None);
        assert_eq!(doc.year, None);
    }

    #[test]
    fn seven_seas_continent_resolves_from_country() {
        let doc = build_document(
            "# T\n[[continent:Seven seas (open ocean)]]\n[[country:Maldives]]\nText.",
            "x".into(),
            "a.txt".into(),
        );
        assert_eq!(doc.continent.as_deref(), Some("Asia"));
    }

    const ENCODED_TITLE: &str = "Entities&rsquo; test &amp;lt;b&amp;gt; caf&eacute;";

    #[test]
    fn title_entities_are_decoded_once_as_the_body_is() {
        let doc = build_document(&format!("# {ENCODED_TITLE}\n\nSome body text."), "x".into(), "a.txt".into());
        assert_eq!(doc.title, "Entities’ test &lt;b&gt; café");
        let body = build_document(&format!("# T\n\n{ENCODED_TITLE}"), "x".into(), "a.txt".into());
        assert_eq!(body.text, doc.title, "the title reads as the same line in the body would");
        for page in [format!("[[title:{ENCODED_TITLE}]]\nBody."), format!("---\ntitle: {ENCODED_TITLE}\n---\nBody.")] {
            assert_eq!(build_document(&page, "x".into(), "a.txt".into()).title, doc.title, "{page}");
        }
    }

    #[test]
    fn decoded_and_plain_titles_are_not_decoded_again() {
        let web = html::page("<title>Entities’ test &amp;lt;b&amp;gt;</title><p>Body.</p>");
        let doc = document_from(web, Markup::Decoded, None, "x".into(), "a.html".into());
        assert_eq!(doc.title, "Entities’ test &lt;b&gt;");
        let row = Metadata::from([("title".to_string(), vec!["AT&amp;T".to_string()])]);
        let doc = document_from(parse::split_page("Body."), Markup::Encoded, Some(&row), "x".into(), "a.txt".into());
        assert_eq!(doc.title, "AT&amp;T", "a metadata table is plain text, not markup");
    }
}
