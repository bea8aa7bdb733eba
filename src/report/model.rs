//! A report as a document: a page of sections made of blocks (paragraphs, lists, tables,
//! charts, quotes). The HTML and Markdown renderers walk the same page, so every report says
//! the same things in both formats; what a section says is decided once, where the page is
//! built.

/// A whole report page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub title: String,
    /// The line under the title (input, date, model).
    pub subtitle: Vec<Inline>,
    /// Links to the top-level sections that have an id.
    pub nav: bool,
    pub sections: Vec<Section>,
}

/// A titled part of a page; subsections are one level deeper.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// Anchor for links (`#themes`, `#theme-3`).
    pub id: Option<String>,
    pub title: Vec<Inline>,
    /// Shown as a framed card in HTML (a theme, a compared value).
    pub card: bool,
    pub blocks: Vec<Block>,
    pub subsections: Vec<Section>,
}

impl Section {
    pub fn new(id: Option<&str>, title: impl Into<String>) -> Self {
        Section { id: id.map(str::to_string), title: vec![Inline::Text(title.into())], ..Section::default() }
    }

    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }
}

/// A block of content.
#[derive(Debug, Clone)]
pub enum Block {
    Paragraph(Vec<Inline>),
    /// A paragraph in the muted "meta" style (counts, provenance).
    Meta(Vec<Inline>),
    List(Vec<Vec<Inline>>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// Big numbers with a word under each: (value, what it counts).
    Stats(Vec<(String, String)>),
    /// A chart: its file under `charts/`, its SVG for inlining, a caption; `folded` charts are
    /// behind a disclosure (HTML) with that summary.
    Chart {
        file: String,
        svg: String,
        caption: String,
        folded: Option<String>,
    },
    /// A sentence quoted verbatim, with where it comes from.
    Quote {
        text: String,
        cite: Vec<Inline>,
    },
    /// Keyword chips.
    Keywords(Vec<String>),
    /// Preformatted text (parameters).
    Code(String),
}

/// Inline content: text is always text (escaped by each renderer), links are checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Strong(String),
    Em(String),
    /// A link; only web addresses, in-page anchors and plain relative file names become links,
    /// anything else (`javascript:`, `data:`) is shown as text.
    Link {
        text: String,
        url: String,
    },
    /// A small label beside a title (a taxonomy name, "thin evidence").
    Badge(String),
}

impl Inline {
    pub fn text(s: impl Into<String>) -> Inline {
        Inline::Text(s.into())
    }
}

/// Whether `url` may become a link: http(s), an anchor, or a relative file name without a
/// scheme.
pub fn safe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || url.starts_with('#')
        || (!url.contains(':') && !url.starts_with('/') && !url.is_empty() && !url.contains("//"))
}

/// A document's title linked to its source when that is a web address, then where and when it
/// is from: "Title (Kenya, 2021-03-08)".
pub fn cited(title: &str, source: Option<&str>, place: &[&str]) -> Vec<Inline> {
    let mut out = vec![match source.filter(|s| s.starts_with("http://") || s.starts_with("https://")) {
        Some(url) => Inline::Link { text: title.to_string(), url: url.to_string() },
        None => Inline::text(title),
    }];
    if !place.is_empty() {
        out.push(Inline::text(format!(" ({})", place.join(", "))));
    }
    out
}

/// "name (n), name (n)" for the first `max` counts.
pub fn counts(items: &[(String, usize)], max: usize) -> String {
    items.iter().take(max).map(|(k, n)| format!("{k} ({n})")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_anchors_and_relative_files_are_links() {
        for ok in ["https://undp.org/x", "HTTP://a.b", "#theme-3", "compare-country.html"] {
            assert!(safe_url(ok), "{ok}");
        }
        for bad in ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "/etc/passwd", "//evil.org", ""] {
            assert!(!safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn citations_link_web_sources_only() {
        assert_eq!(
            cited("T", Some("https://x.org"), &["Kenya", "2021"]),
            vec![Inline::Link { text: "T".into(), url: "https://x.org".into() }, Inline::text(" (Kenya, 2021)")]
        );
        assert_eq!(cited("T", Some("javascript:alert(1)"), &[]), vec![Inline::text("T")]);
    }
}
