//! Pages as self-contained HTML: inline CSS and SVG, no script, nothing from the network.

use std::fmt::Write;

use super::model::{safe_url, Block, Inline, Page, Section};

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The reports' stylesheet.
const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:0 auto;padding:1.5rem;color:#1f2933;line-height:1.5}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #d9e2ec;padding-bottom:.3rem;margin-top:2.5rem}
.meta{color:#52606d}.stats{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}
.stat{background:#f0f4f8;border-radius:8px;padding:.6rem 1rem;min-width:8rem}.stat b{display:block;font-size:1.5rem}
.card{border:1px solid #d9e2ec;border-radius:10px;padding:1rem 1.2rem;margin:1.2rem 0;page-break-inside:avoid}
.card h3{margin-top:.2rem}
.badge{display:inline-block;background:#e3f8ff;color:#0b69a3;border-radius:12px;padding:0 .6rem;font-size:.85rem;margin-left:.4rem}
.kw span{display:inline-block;background:#f0f4f8;border-radius:4px;padding:0 .35rem;margin:.1rem;color:#334e68}
blockquote{margin:.4rem 0;padding:.3rem .8rem;border-left:3px solid #9fb3c8;background:#fafcfe}
cite{display:block;color:#627d98;font-size:.85rem;font-style:normal}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d9e2ec;padding:.25rem .6rem;text-align:left}
figure{margin:1rem 0;overflow-x:auto}svg{max-width:100%;height:auto}
nav a{margin-right:1rem}
@media print{nav{display:none}.card{border-color:#999}}
";

/// Renders a page as one HTML document.
pub fn render(page: &Page) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\n<h1>{title}</h1>\
         <p class=\"meta\">{subtitle}</p>\n",
        title = escape(&page.title),
        subtitle = inlines(&page.subtitle),
    );
    if page.nav {
        h.push_str("<nav>");
        for s in page.sections.iter().filter(|s| s.id.is_some()) {
            let _ = write!(h, "<a href=\"#{}\">{}</a>", escape(s.id.as_deref().unwrap_or("")), inlines(&s.title));
        }
        h.push_str("</nav>\n");
    }
    for section in &page.sections {
        render_section(&mut h, section, 2);
    }
    h.push_str("</body></html>\n");
    h
}

fn render_section(h: &mut String, s: &Section, level: usize) {
    let id = s.id.as_deref().map(|i| format!(" id=\"{}\"", escape(i))).unwrap_or_default();
    if s.card {
        let _ = write!(h, "<section class=\"card\"{id}><h{level}>{}</h{level}>", inlines(&s.title));
    } else {
        let _ = write!(h, "<h{level}{id}>{}</h{level}>", inlines(&s.title));
    }
    for block in &s.blocks {
        render_block(h, block);
    }
    for sub in &s.subsections {
        render_section(h, sub, (level + 1).min(6));
    }
    if s.card {
        h.push_str("</section>");
    }
    h.push('\n');
}

fn render_block(h: &mut String, block: &Block) {
    match block {
        Block::Paragraph(parts) => {
            let _ = write!(h, "<p>{}</p>", inlines(parts));
        }
        Block::Meta(parts) => {
            let _ = write!(h, "<p class=\"meta\">{}</p>", inlines(parts));
        }
        Block::List(items) => {
            h.push_str("<ul>");
            for item in items {
                let _ = write!(h, "<li>{}</li>", inlines(item));
            }
            h.push_str("</ul>");
        }
        Block::Table { header, rows } => {
            h.push_str("<table><tr>");
            for col in header {
                let _ = write!(h, "<th>{}</th>", escape(col));
            }
            h.push_str("</tr>");
            for row in rows {
                h.push_str("<tr>");
                for cell in row {
                    let _ = write!(h, "<td>{}</td>", inlines(cell));
                }
                h.push_str("</tr>");
            }
            h.push_str("</table>");
        }
        Block::Stats(stats) => {
            h.push_str("<div class=\"stats\">");
            for (value, what) in stats {
                let _ = write!(h, "<div class=\"stat\"><b>{}</b>{}</div>", escape(value), escape(what));
            }
            h.push_str("</div>");
        }
        Block::Chart { svg, caption, folded, .. } => match folded {
            Some(summary) => {
                let _ = write!(h, "<details><summary>{}</summary>{svg}</details>", escape(summary));
            }
            None => {
                let _ = write!(h, "<figure>{svg}<figcaption class=\"meta\">{}</figcaption></figure>", escape(caption));
            }
        },
        Block::Quote { text, cite } => {
            let _ = write!(h, "<blockquote>{}<cite>— {}</cite></blockquote>", escape(text), inlines(cite));
        }
        Block::Keywords(words) => {
            let chips: String = words.iter().map(|k| format!("<span>{}</span>", escape(k))).collect();
            let _ = write!(h, "<p class=\"kw\">{chips}</p>");
        }
        Block::Code(text) => {
            let _ = write!(h, "<pre>{}</pre>", escape(text));
        }
    }
}

fn inlines(parts: &[Inline]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => escape(t),
            Inline::Strong(t) => format!("<b>{}</b>", escape(t)),
            Inline::Em(t) => format!("<i>{}</i>", escape(t)),
            Inline::Link { text, url } if safe_url(url) => format!("<a href=\"{}\">{}</a>", escape(url), escape(text)),
            Inline::Link { text, .. } => escape(text),
            Inline::Badge(t) => format!("<span class=\"badge\">{}</span>", escape(t)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn every_block_renders_escaped() {
        let mut s = Section::new(Some("t"), "<Title>");
        s.card = true;
        s.push(Block::Paragraph(vec![Inline::Strong("a<b".into()), Inline::text(" & c")]))
            .push(Block::List(vec![vec![Inline::Link { text: "x".into(), url: "javascript:alert(1)".into() }]]))
            .push(Block::Table { header: vec!["<h>".into()], rows: vec![vec![vec![Inline::text("<td>")]]] })
            .push(Block::Quote { text: "\"q\"".into(), cite: vec![Inline::Badge("<b>".into())] })
            .push(Block::Keywords(vec!["<k>".into()]))
            .push(Block::Chart {
                file: "c.svg".into(),
                svg: "<svg></svg>".into(),
                caption: "<c>".into(),
                folded: None,
            });
        let page = Page { title: "<T>".into(), subtitle: vec![], nav: true, sections: vec![s] };
        let html = render(&page);
        assert!(html.contains("<b>a&lt;b</b> &amp; c"));
        assert!(html.contains("<li>x</li>"), "unsafe links are text: {html}");
        assert!(html.contains("<th>&lt;h&gt;</th>") && html.contains("<td>&lt;td&gt;</td>"));
        assert!(html.contains("&quot;q&quot;") && html.contains("&lt;k&gt;") && html.contains("&lt;c&gt;"));
        assert!(html.contains("<section class=\"card\" id=\"t\"><h2>&lt;Title&gt;</h2>"));
        assert!(html.contains("<nav><a href=\"#t\">&lt;Title&gt;</a></nav>"));
        assert!(html.contains("<svg></svg>"), "charts are inlined as SVG");
        assert!(!html.contains("<script"));
    }
}
