//! The self-contained HTML report: inline CSS and SVG, no script, nothing from the network.

use std::fmt::Write;

use super::{Charts, DocLink, ReportView};
use crate::summarise::SummarySentence;

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

/// Only web links become hrefs; anything else (javascript:, data:) is shown as text.
fn safe_url(url: &str) -> Option<&str> {
    (url.starts_with("https://") || url.starts_with("http://")).then_some(url)
}

/// The report's stylesheet, shared by every page.
pub const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:0 auto;padding:1.5rem;color:#1f2933;line-height:1.5}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #d9e2ec;padding-bottom:.3rem;margin-top:2.5rem}
.meta{color:#52606d}.stats{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}
.stat{background:#f0f4f8;border-radius:8px;padding:.6rem 1rem;min-width:8rem}.stat b{display:block;font-size:1.5rem}
.theme{border:1px solid #d9e2ec;border-radius:10px;padding:1rem 1.2rem;margin:1.2rem 0;page-break-inside:avoid}
.badge{display:inline-block;background:#e3f8ff;color:#0b69a3;border-radius:12px;padding:0 .6rem;font-size:.85rem;margin-left:.4rem}
.kw{color:#334e68}.kw span{display:inline-block;background:#f0f4f8;border-radius:4px;padding:0 .35rem;margin:.1rem}
blockquote{margin:.4rem 0;padding:.3rem .8rem;border-left:3px solid #9fb3c8;background:#fafcfe}
cite{display:block;color:#627d98;font-size:.85rem;font-style:normal}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d9e2ec;padding:.25rem .6rem;text-align:left}
figure{margin:1rem 0;overflow-x:auto}svg{max-width:100%;height:auto}
nav a{margin-right:1rem}
@media print{nav{display:none}.theme{border-color:#999}}
";

/// Renders the whole report.
pub fn render(view: &ReportView, charts: &Charts) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>themescope report: {input}</title><style>{STYLE}</style></head><body>\n\
         <h1>Theme report</h1><p class=\"meta\">{input} · generated {generated} · model {model}</p>\n\
         <nav><a href=\"#overview\">Overview</a><a href=\"#themes\">Themes</a><a href=\"#countries\">Countries</a><a href=\"#method\">Method</a></nav>\n",
        input = escape(&view.input),
        generated = escape(&view.generated),
        model = escape(&view.model),
    );
    if let Some(changes) = &view.changes {
        what_changed(&mut h, changes);
    }
    overview(&mut h, view, charts);
    themes(&mut h, view, charts);
    countries(&mut h, view, charts);
    method(&mut h, view);
    h.push_str("</body></html>\n");
    h
}

fn figure(h: &mut String, svg: &str, caption: &str) {
    let _ = writeln!(h, "<figure>{svg}<figcaption class=\"meta\">{}</figcaption></figure>", escape(caption));
}

fn list_counts(items: &[(String, usize)], max: usize) -> String {
    items.iter().take(max).map(|(k, n)| format!("{} ({n})", escape(k))).collect::<Vec<_>>().join(", ")
}

fn what_changed(h: &mut String, c: &super::WhatChanged) {
    let _ = write!(h, "<h2 id=\"changes\">What changed since {}</h2><p>{}</p>", escape(&c.previous), c.headline());
    if !c.new_documents.is_empty() {
        h.push_str("<p><b>New documents</b></p><ul>");
        c.new_documents.iter().for_each(|d| {
            let _ = write!(h, "<li>{}</li>", doc_link(d));
        });
        h.push_str("</ul>");
    }
    if !c.removed.is_empty() {
        let shown: Vec<String> = c.removed.iter().take(10).map(|p| escape(p)).collect();
        let _ = write!(h, "<p><b>Removed:</b> {}</p>", shown.join(", "));
    }
    if !c.moved.is_empty() {
        h.push_str("<p><b>Themes that grew or shrank most</b></p><ul>");
        for (label, before, after) in &c.moved {
            let _ = write!(h, "<li>{}: {before} → {after} documents</li>", escape(label));
        }
        h.push_str("</ul>");
    }
    for (label, size, first, from) in &c.new_themes {
        let from = from.as_ref().map(|f| format!(", grew out of {}", escape(f))).unwrap_or_default();
        let summary = first.as_ref().map(|s| format!(" — “{}”", escape(s))).unwrap_or_default();
        let _ = write!(h, "<p><b>New theme:</b> {} ({size} documents{from}){summary}</p>", escape(label));
    }
    for (label, size, into) in &c.retired {
        let into = into.as_ref().map(|i| format!(", went into {}", escape(i))).unwrap_or_default();
        let _ = write!(h, "<p><b>Retired theme:</b> {} (had {size} documents{into})</p>", escape(label));
    }
}

fn overview(h: &mut String, v: &ReportView, charts: &Charts) {
    let years = match (v.years.first(), v.years.last()) {
        (Some(a), Some(b)) => format!("{}–{}", a.0, b.0),
        _ => "—".into(),
    };
    let _ = write!(
        h,
        "<h2 id=\"overview\">Overview</h2><div class=\"stats\">\
         <div class=\"stat\"><b>{}</b>documents</div><div class=\"stat\"><b>{}</b>themes</div>\
         <div class=\"stat\"><b>{}</b>broad areas</div><div class=\"stat\"><b>{}</b>countries</div>\
         <div class=\"stat\"><b>{}</b>years</div><div class=\"stat\"><b>{}</b>languages</div></div>\n\
         <p>Languages: {}.</p><p>Most documents come from {}.</p>\n",
        v.documents,
        v.themes.len(),
        v.parents.len(),
        v.countries.len(),
        years,
        v.languages.len(),
        list_counts(&v.languages, 8),
        list_counts(&v.countries, 8),
    );
    if !v.parents.is_empty() {
        h.push_str("<p>Broad areas (groups of related themes):</p><ul>");
        for (label, children) in &v.parents {
            let names: Vec<String> = children
                .iter()
                .filter_map(|&c| v.themes.get(c))
                .map(|t| format!("{}. {}", t.id, escape(&t.label)))
                .collect();
            let _ = write!(h, "<li><b>{}</b>: {}</li>", escape(label), names.join("; "));
        }
        h.push_str("</ul>\n");
    }
    figure(h, &charts.theme_sizes, "Number of documents in each theme.");
    figure(h, &charts.map, "Each dot is a document, placed by the first two principal components of its vector and coloured by theme (legend: the ten largest themes).");
}

/// A document's title, linked to its source when that is a web address.
pub fn source_link(title: &str, source: Option<&str>) -> String {
    match source.and_then(safe_url) {
        Some(url) => format!("<a href=\"{}\">{}</a>", escape(url), escape(title)),
        None => escape(title),
    }
}

fn escaped_place(country: &Option<String>, date: &Option<String>) -> Vec<String> {
    super::place(country, date).map(escape).collect()
}

fn sentence(h: &mut String, s: &SummarySentence) {
    let linked = source_link(&s.title, s.source.as_deref());
    let place = escaped_place(&s.country, &s.date);
    let _ = write!(
        h,
        "<blockquote>{}<cite>— {linked}{}</cite></blockquote>",
        escape(&s.text),
        if place.is_empty() { String::new() } else { format!(", {}", place.join(", ")) }
    );
}

fn doc_link(d: &DocLink) -> String {
    let linked = source_link(&d.title, d.source.as_deref());
    let place = escaped_place(&d.country, &d.date);
    if place.is_empty() {
        linked
    } else {
        format!("{linked} <span class=\"meta\">({})</span>", place.join(", "))
    }
}

fn themes(h: &mut String, v: &ReportView, charts: &Charts) {
    h.push_str("<h2 id=\"themes\">Themes</h2>\n");
    for t in &v.themes {
        let named = t
            .named
            .as_ref()
            .map(|(n, s)| format!("<span class=\"badge\">{} · {:.2}</span>", escape(n), s))
            .unwrap_or_default();
        let _ =
            write!(h, "<section class=\"theme\" id=\"theme-{}\"><h3>{}. {}{named}</h3>", t.id, t.id, escape(&t.label));
        let parent = t.parent.as_ref().map(|p| format!(" · broad area: {}", escape(p))).unwrap_or_default();
        let _ = write!(
            h,
            "<p class=\"meta\">{} documents{parent} · languages: {}</p>",
            t.size,
            list_counts(&t.languages, 4)
        );
        let kws: String = t.keywords.iter().take(15).map(|k| format!("<span>{}</span>", escape(k))).collect();
        let _ = write!(h, "<p class=\"kw\">{kws}</p>");
        let years: Vec<String> = t.years.iter().map(|(y, n)| format!("{y}: {n}")).collect();
        let _ = write!(
            h,
            "<p><b>Over time:</b> {}. <b>Top countries:</b> {}.</p>",
            if years.is_empty() { "no dates".into() } else { years.join(", ") },
            list_counts(&t.countries, 5)
        );
        if !t.summary.is_empty() {
            h.push_str("<p><b>Summary</b></p>");
            t.summary.iter().for_each(|s| sentence(h, s));
        }
        h.push_str("<p><b>Representative documents</b></p><ul>");
        for d in &t.representatives {
            let _ = write!(h, "<li>{}</li>", doc_link(d));
        }
        h.push_str("</ul>");
        if let Some(svg) = charts.keywords.get(t.position) {
            let _ = write!(h, "<details><summary>Keyword weights</summary>{svg}</details>");
        }
        h.push_str("</section>\n");
    }
    figure(h, &charts.years, "Share of each year's documents that falls in each of the largest themes.");
}

fn countries(h: &mut String, v: &ReportView, charts: &Charts) {
    h.push_str("<h2 id=\"countries\">Countries</h2>\n");
    if let Some(file) = &v.comparison {
        let _ = write!(
            h,
            "<p>See the <a href=\"{}\">country comparison</a> for distinctive themes and terms.</p>",
            escape(file)
        );
    }
    h.push_str("<table><tr><th>Country</th><th>Documents</th><th>Main themes</th></tr>");
    for c in &v.country_views {
        let top: Vec<String> = c.top_themes.iter().map(|(t, n)| format!("{} ({n})", escape(t))).collect();
        let _ = write!(h, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", escape(&c.name), c.documents, top.join("; "));
    }
    h.push_str("</table>\n");
    figure(h, &charts.countries, "Darker cells: a larger share of that country's documents is in that theme.");
}

fn method(h: &mut String, v: &ReportView) {
    let params = serde_json::to_string_pretty(&v.params).unwrap_or_default();
    let _ = writeln!(
        h,
        "<h2 id=\"method\">Method</h2><p>Documents were cleaned of website chrome, embedded whole with {model} \
         (windows of the model's length, pooled), clustered with k-means (linfa) on unit vectors, and labelled \
         by class-based TF-IDF over 1-2 word terms. Summaries are sentences quoted verbatim, chosen for \
         closeness to the theme centre and variety (maximal marginal relevance).</p>\
         <p>{docs} documents analysed; {dups} exact duplicates analysed once; {skipped} files skipped; {warnings} warnings \
         (see run.json). Generated {generated}.</p><pre>{params}</pre>",
        model = escape(&v.model),
        docs = v.documents,
        dups = v.duplicates,
        skipped = v.skipped,
        warnings = v.warnings,
        generated = escape(&v.generated),
        params = escape(&params),
    );
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
    fn only_web_links_are_links() {
        assert_eq!(safe_url("https://undp.org/x"), Some("https://undp.org/x"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
    }
}
