//! Saved web pages (`.html`, `.htm`) read as pages: the title, the main content as text lines
//! (scripts, styles, navigation, headers and footers dropped), and what the page's `<meta>` tags
//! say (date, language, source), parsed with html5ever (through `scraper`), the parser browsers
//! use, so broken markup reads as a browser would read it.

use scraper::{ElementRef, Html, Node, Selector};

use super::parse::{Metadata, RawPage};

/// Elements whose content is never the article's text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form", "button", "iframe",
    "select", "head",
];

/// Elements that start a line of their own.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "br",
    "tr",
    "table",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
];

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("the selectors here are valid CSS")
}

/// The first `content` (or `attr`) of the elements matching each selector, in order.
fn first_attr(doc: &Html, selectors: &[(&str, &str)]) -> Option<String> {
    selectors.iter().find_map(|(css, attr)| {
        doc.select(&selector(css))
            .filter_map(|e| e.value().attr(attr))
            .map(|v| v.trim().to_string())
            .find(|v| !v.is_empty())
    })
}

fn text_of(e: ElementRef) -> String {
    e.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads a saved web page. Entities are decoded by the parser, so neither the lines nor the
/// title need further decoding.
pub fn page(html: &str) -> RawPage {
    let doc = Html::parse_document(html);
    let mut metadata = Metadata::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            metadata.entry(key.to_string()).or_default().push(v);
        }
    };
    put(
        "date",
        first_attr(
            &doc,
            &[
                ("meta[property='article:published_time']", "content"),
                ("meta[name='date']", "content"),
                ("meta[name='dc.date']", "content"),
                ("meta[name='DC.date']", "content"),
                ("meta[itemprop='datePublished']", "content"),
                ("time[datetime]", "datetime"),
            ],
        ),
    );
    put(
        "language",
        first_attr(&doc, &[("html[lang]", "lang"), ("meta[http-equiv='content-language']", "content")])
            .map(|l| l.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase()),
    );
    put("source", first_attr(&doc, &[("link[rel='canonical']", "href"), ("meta[property='og:url']", "content")]));
    put("author", first_attr(&doc, &[("meta[name='author']", "content")]));
    let title = doc
        .select(&selector("title"))
        .map(text_of)
        .find(|t| !t.is_empty())
        .or_else(|| first_attr(&doc, &[("meta[property='og:title']", "content")]))
        .or_else(|| doc.select(&selector("h1")).map(text_of).find(|t| !t.is_empty()));
    let root = ["main", "article", "[role='main']", "body"]
        .iter()
        .find_map(|css| doc.select(&selector(css)).next())
        .unwrap_or_else(|| doc.root_element());
    let mut lines = vec![String::new()];
    walk(root, &mut lines);
    let lines = lines.into_iter().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty());
    RawPage { metadata, heading: title, lines: lines.collect(), warnings: Vec::new() }
}

/// Appends the text under `element` to `lines`, a block element starting a new line, a heading
/// marked as in Markdown and a list item as a bullet.
fn walk(element: ElementRef, lines: &mut Vec<String>) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => {
                let current = lines.last_mut().expect("there is always a current line");
                current.push_str(text);
            }
            Node::Element(e) => {
                let name = e.name();
                if SKIPPED.contains(&name) {
                    continue;
                }
                let Some(child) = ElementRef::wrap(child) else { continue };
                if !BLOCKS.contains(&name) {
                    walk(child, lines);
                    continue;
                }
                lines.push(match name {
                    "h1" => "# ".into(),
                    "h2" | "h3" | "h4" | "h5" | "h6" => "## ".into(),
                    "li" => "- ".into(),
                    _ => String::new(),
                });
                walk(child, lines);
                lines.push(String::new());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!DOCTYPE html><html lang="es-PY"><head><title>Reciclaje en Asunción</title>
        <meta property="article:published_time" content="2022-05-04T10:00:00Z">
        <link rel="canonical" href="https://example.org/reciclaje">
        <script>var tracking = "do not read";</script><style>p { color: red }</style></head>
        <body><header><nav><a href="/">Inicio</a> <a href="/blog">Blog</a></nav></header>
        <main><h1>Reciclaje en Asunción</h1><p>Los recicladores de la ciudad &amp; sus cooperativas
        separan <b>plástico</b> y cartón.</p><ul><li>Primera idea</li><li>Segunda idea</li></ul></main>
        <footer>© 2022 Todos los derechos</footer></body></html>"#;

    #[test]
    fn main_content_title_and_meta_are_read() {
        let page = page(PAGE);
        assert_eq!(page.heading.as_deref(), Some("Reciclaje en Asunción"));
        assert_eq!(page.metadata["language"], vec!["es"]);
        assert_eq!(page.metadata["date"], vec!["2022-05-04T10:00:00Z"]);
        assert_eq!(page.metadata["source"], vec!["https://example.org/reciclaje"]);
        assert_eq!(
            page.lines,
            vec![
                "# Reciclaje en Asunción",
                "Los recicladores de la ciudad & sus cooperativas separan plástico y cartón.",
                "- Primera idea",
                "- Segunda idea"
            ]
        );
        let all = page.lines.join(" ");
        for chrome in ["tracking", "color", "Inicio", "derechos"] {
            assert!(!all.contains(chrome), "{chrome} left in {all}");
        }
    }

    #[test]
    fn broken_markup_reads_as_a_browser_reads_it() {
        let page = page("<p>One <b>bold<p>Two &lt;not a tag&gt;");
        assert_eq!(page.lines, vec!["One bold", "Two <not a tag>"]);
        assert_eq!(page.heading, None);
    }
}
