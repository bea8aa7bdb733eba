//! The Markdown report: the HTML report's content for a wiki or an email, charts linked from
//! `charts/`.

use std::fmt::Write;

use super::{DocLink, ReportView};

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

fn link(title: &str, url: Option<&str>) -> String {
    match url.filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
        Some(u) => format!("[{}](<{}>)", escape(title), u.replace(['<', '>', ' '], "")),
        None => escape(title),
    }
}

fn doc(d: &DocLink) -> String {
    let place: Vec<String> = super::place(&d.country, &d.date).map(escape).collect();
    let place = if place.is_empty() { String::new() } else { format!(" ({})", place.join(", ")) };
    format!("{}{place}", link(&d.title, d.source.as_deref()))
}

fn counts(items: &[(String, usize)], max: usize) -> String {
    items.iter().take(max).map(|(k, n)| format!("{} ({n})", escape(k))).collect::<Vec<_>>().join(", ")
}

/// Renders the report; `chart_files` are paths relative to the report (e.g. `charts/x.svg`).
pub fn render(v: &ReportView, chart_files: &[(String, String)]) -> String {
    let chart = |name: &str| chart_files.iter().find(|(n, _)| n == name).map(|(_, p)| p.clone()).unwrap_or_default();
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# Theme report\n\n{} · generated {} · model {}\n",
        escape(&v.input),
        escape(&v.generated),
        escape(&v.model)
    );
    if let Some(c) = &v.changes {
        let _ = writeln!(m, "## What changed since {}\n\n{}\n", escape(&c.previous), c.headline());
        for d in &c.new_documents {
            let _ = writeln!(m, "- New: {}", doc(d));
        }
        for (label, before, after) in &c.moved {
            let _ = writeln!(m, "- {}: {before} → {after} documents", escape(label));
        }
        for (label, size, _, from) in &c.new_themes {
            let from = from.as_ref().map(|f| format!(", grew out of {}", escape(f))).unwrap_or_default();
            let _ = writeln!(m, "- New theme: {} ({size} documents{from})", escape(label));
        }
        for (label, size, into) in &c.retired {
            let into = into.as_ref().map(|i| format!(", went into {}", escape(i))).unwrap_or_default();
            let _ = writeln!(m, "- Retired theme: {} (had {size} documents{into})", escape(label));
        }
        m.push('\n');
    }
    let _ = writeln!(m, "## Overview\n");
    let _ = writeln!(
        m,
        "- {} documents, {} themes in {} broad areas\n- {} countries; most documents from {}\n- Languages: {}\n- Years: {}\n",
        v.documents,
        v.themes.len(),
        v.parents.len(),
        v.countries.len(),
        counts(&v.countries, 6),
        counts(&v.languages, 6),
        counts(&v.years, 12),
    );
    let _ = writeln!(
        m,
        "![Documents per theme]({})\n\n![Document map]({})\n",
        chart("theme-sizes.svg"),
        chart("document-map.svg")
    );
    let _ = writeln!(m, "## Themes\n");
    for t in &v.themes {
        let named = t.named.as_ref().map(|(n, s)| format!(" — *{}* ({s:.2})", escape(n))).unwrap_or_default();
        let _ = writeln!(m, "### {}. {}{named}\n", t.id, escape(&t.label));
        let parent = t.parent.as_ref().map(|p| format!(" · broad area: {}", escape(p))).unwrap_or_default();
        let _ = writeln!(m, "{} documents{parent} · languages: {}\n", t.size, counts(&t.languages, 4));
        let _ = writeln!(
            m,
            "**Keywords:** {}\n",
            t.keywords.iter().take(15).map(|k| escape(k)).collect::<Vec<_>>().join(", ")
        );
        let years: Vec<String> = t.years.iter().map(|(y, n)| format!("{y}: {n}")).collect();
        let _ = writeln!(
            m,
            "**Over time:** {}. **Top countries:** {}.\n",
            if years.is_empty() { "no dates".into() } else { years.join(", ") },
            counts(&t.countries, 5)
        );
        if !t.summary.is_empty() {
            let _ = writeln!(m, "**Summary**\n");
            for s in &t.summary {
                let place: Vec<String> = super::place(&s.country, &s.date).map(escape).collect();
                let _ = writeln!(
                    m,
                    "> {}\n> — {}{}\n",
                    escape(&s.text),
                    link(&s.title, s.source.as_deref()),
                    if place.is_empty() { String::new() } else { format!(", {}", place.join(", ")) }
                );
            }
        }
        let _ = writeln!(m, "**Representative documents**\n");
        for d in &t.representatives {
            let _ = writeln!(m, "- {}", doc(d));
        }
        m.push('\n');
    }
    let _ = writeln!(m, "![Themes over years]({})\n", chart("themes-over-years.svg"));
    let _ = writeln!(m, "## Countries\n");
    if let Some(file) = &v.comparison {
        let _ = writeln!(m, "See the [country comparison]({file}).\n");
    }
    let _ = writeln!(m, "| Country | Documents | Main themes |\n|---|---|---|");
    for c in &v.country_views {
        let top: Vec<String> = c.top_themes.iter().map(|(t, n)| format!("{} ({n})", escape(t))).collect();
        let _ = writeln!(m, "| {} | {} | {} |", escape(&c.name), c.documents, top.join("; "));
    }
    let _ = writeln!(m, "\n![Themes by country]({})\n", chart("themes-by-country.svg"));
    let _ = writeln!(
        m,
        "## Method\n\n{} documents analysed ({} duplicates analysed once, {} files skipped, {} warnings; see run.json) with {}. \
         Parameters:\n\n```json\n{}\n```",
        v.documents,
        v.duplicates,
        v.skipped,
        v.warnings,
        escape(&v.model),
        serde_json::to_string_pretty(&v.params).unwrap_or_default()
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_text_literal() {
        assert_eq!(escape("<b>*x*</b> [a](b)"), "\\<b\\>\\*x\\*\\</b\\> \\[a\\](b)");
    }

    #[test]
    fn links_only_for_web_urls() {
        assert_eq!(link("T", Some("https://x.org/a b")), "[T](<https://x.org/ab>)");
        assert_eq!(link("T", Some("javascript:alert(1)")), "T");
    }
}
