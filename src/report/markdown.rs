//! Pages as Markdown, for a wiki or an email: the same content as the HTML, charts linked from
//! `charts/`.

use std::fmt::Write;

use super::model::{safe_url, Block, Inline, Page, Section};

/// Escapes characters Markdown would read as formatting or HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_[]<>#|".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Renders a page as Markdown.
pub fn render(page: &Page) -> String {
    let mut m = format!("# {}\n\n{}\n\n", escape(&page.title), inlines(&page.subtitle));
    for section in &page.sections {
        render_section(&mut m, section, 2);
    }
    m
}

fn render_section(m: &mut String, s: &Section, level: usize) {
    let _ = writeln!(m, "{} {}\n", "#".repeat(level), inlines(&s.title));
    for block in &s.blocks {
        render_block(m, block);
    }
    for sub in &s.subsections {
        render_section(m, sub, (level + 1).min(6));
    }
}

fn render_block(m: &mut String, block: &Block) {
    match block {
        Block::Paragraph(parts) | Block::Meta(parts) => {
            let _ = writeln!(m, "{}\n", inlines(parts));
        }
        Block::List(items) => {
            for item in items {
                let _ = writeln!(m, "- {}", inlines(item));
            }
            m.push('\n');
        }
        Block::Table { header, rows } => {
            let _ = writeln!(m, "| {} |", header.iter().map(|h| escape(h)).collect::<Vec<_>>().join(" | "));
            let _ = writeln!(m, "|{}", "---|".repeat(header.len()));
            for row in rows {
                let _ = writeln!(m, "| {} |", row.iter().map(|c| inlines(c)).collect::<Vec<_>>().join(" | "));
            }
            m.push('\n');
        }
        Block::Stats(stats) => {
            let line: Vec<String> = stats.iter().map(|(v, what)| format!("{} {}", escape(v), escape(what))).collect();
            let _ = writeln!(m, "{}\n", line.join(" · "));
        }
        Block::Chart { file, caption, folded, .. } => {
            let alt = folded.as_deref().unwrap_or(caption);
            let _ = writeln!(m, "![{}](charts/{file})\n", escape(alt));
        }
        Block::Quote { text, cite } => {
            let _ = writeln!(m, "> {}\n> — {}\n", escape(text), inlines(cite));
        }
        Block::Keywords(words) => {
            let _ = writeln!(m, "**Keywords:** {}\n", words.iter().map(|k| escape(k)).collect::<Vec<_>>().join(", "));
        }
        Block::Code(text) => {
            let _ = writeln!(m, "```\n{}\n```\n", text.replace("```", "'''"));
        }
    }
}

fn inlines(parts: &[Inline]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => escape(t),
            Inline::Strong(t) => strong(t),
            Inline::Em(t) => format!("*{}*", escape(t)),
            Inline::Link { text, url } if safe_url(url) => {
                format!("[{}](<{}>)", escape(text), url.replace(['<', '>', ' '], ""))
            }
            Inline::Link { text, .. } => escape(text),
            Inline::Badge(t) => format!(" *({})*", escape(t)),
        })
        .collect()
}

/// Bold text, with its outer spaces outside the asterisks: CommonMark does not close `**` after
/// a space, so "**Places: **Samoa" showed its asterisks instead of bold.
fn strong(t: &str) -> String {
    let inner = t.trim();
    if inner.is_empty() {
        return escape(t);
    }
    let start = t.len() - t.trim_start().len();
    format!("{}**{}**{}", &t[..start], escape(inner), &t[start + inner.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_text_literal() {
        assert_eq!(escape("<b>*x*</b> [a](b)"), "\\<b\\>\\*x\\*\\</b\\> \\[a\\](b)");
    }

    #[test]
    fn bold_text_keeps_its_spaces_outside_the_asterisks() {
        assert_eq!(inlines(&[Inline::Strong("Places: ".into()), Inline::text("Samoa")]), "**Places:** Samoa");
        assert_eq!(strong(" a b "), " **a b** ");
        assert_eq!(strong(" "), " ");
    }

    #[test]
    fn blocks_render_as_markdown() {
        let mut s = Section::new(None, "Themes");
        s.push(Block::List(vec![vec![Inline::Link { text: "T".into(), url: "https://x.org/a b".into() }]]))
            .push(Block::List(vec![vec![Inline::Link { text: "T".into(), url: "javascript:alert(1)".into() }]]))
            .push(Block::Table { header: vec!["a|b".into()], rows: vec![vec![vec![Inline::text("*c*")]]] })
            .push(Block::Chart { file: "x.svg".into(), svg: String::new(), caption: "Sizes".into(), folded: None });
        let md = render(&Page { title: "R".into(), subtitle: vec![], nav: false, sections: vec![s] });
        assert!(md.contains("## Themes"));
        assert!(md.contains("- [T](<https://x.org/ab>)") && md.contains("- T\n"));
        assert!(md.contains("| a\\|b |") && md.contains("| \\*c\\* |"));
        assert!(md.contains("![Sizes](charts/x.svg)"));
    }
}
