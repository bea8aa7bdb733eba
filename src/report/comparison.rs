//! `compare-<facet>.html`, `.md` and `.json`: a comparison as a page, a note and data.

use std::fmt::Write;
use std::path::Path;

use super::html::escape;
use super::{charts, markdown, write_atomic};
use crate::analyze::AnalyzeError;
use crate::compare::{Comparison, Distinctive, Pair};

/// Charts of a comparison, as SVG.
struct ComparisonCharts {
    shares: String,
    similarity: String,
    distinctive: Vec<String>,
}

fn draw(c: &Comparison) -> Result<ComparisonCharts, charts::ChartError> {
    let values: Vec<String> = c.values.iter().map(|v| v.value.clone()).collect();
    let themes: Vec<String> = c.themes.iter().enumerate().map(|(i, t)| format!("{i}. {t}")).collect();
    // Rows are themes so long labels sit on the wide axis.
    let shares: Vec<Vec<f64>> = (0..themes.len())
        .map(|t| c.values.iter().map(|v| v.theme_shares.get(t).copied().unwrap_or(0.0)).collect())
        .collect();
    let shares = charts::heatmap(&format!("Theme shares by {}", c.facet.name()), &themes, &values, &shares)?;
    let similarity =
        charts::heatmap("Narrative similarity (Jensen-Shannon, theme shares)", &values, &values, &c.theme_similarity)?;
    let distinctive = c
        .values
        .iter()
        .map(|v| {
            let items: Vec<&Distinctive> = v.over_represented.iter().chain(v.under_represented.iter().rev()).collect();
            let labels: Vec<String> =
                items.iter().map(|d| format!("{}. {}", d.theme_id.unwrap_or(0), d.name)).collect();
            let z: Vec<f64> = items.iter().map(|d| d.z).collect();
            charts::bars(
                &format!("{}: themes over (+) and under (−) represented", v.value),
                "z-score of log-odds",
                &labels,
                &z,
            )
        })
        .collect::<Result<_, _>>()?;
    Ok(ComparisonCharts { shares, similarity, distinctive })
}

fn pair_rows(pairs: &[Pair]) -> String {
    pairs
        .iter()
        .map(|p| {
            format!(
                "<tr><td>{} – {}</td><td>{:.2}</td><td>{:.2}</td></tr>",
                escape(&p.a),
                escape(&p.b),
                p.theme_similarity,
                p.vector_similarity
            )
        })
        .collect()
}

fn render_html(c: &Comparison, ch: &ComparisonCharts) -> String {
    let facet = c.facet.name();
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Comparison by {facet}</title><style>{}</style></head><body><h1>Comparison by {facet}</h1>\
         <p class=\"meta\"><a href=\"index.html\">Back to the report</a> · {} values · {} documents without a {facet} left out</p>",
        super::html::STYLE,
        c.values.len(),
        c.without_value
    );
    let _ = write!(
        h,
        "<h2>How alike are the narratives?</h2><p>Theme similarity is 1 − the Jensen-Shannon divergence (base 2) of two values' theme \
         shares (1 = identical mix); vector similarity is the cosine of their mean document vectors.</p>\
         <h3>Most similar</h3><table><tr><th>Pair</th><th>Theme similarity</th><th>Vector similarity</th></tr>{}</table>\
         <h3>Most different</h3><table><tr><th>Pair</th><th>Theme similarity</th><th>Vector similarity</th></tr>{}</table>\
         <figure>{}</figure><figure>{}</figure>",
        pair_rows(&c.most_similar),
        pair_rows(&c.most_different),
        ch.similarity,
        ch.shares
    );
    for (v, svg) in c.values.iter().zip(&ch.distinctive) {
        let thin = if v.thin_evidence { " <span class=\"badge\">thin evidence</span>" } else { "" };
        let _ = write!(
            h,
            "<section class=\"theme\"><h2>{}{thin}</h2><p class=\"meta\">{} documents</p>",
            escape(&v.value),
            v.documents
        );
        let list = |items: &[Distinctive]| -> String {
            items
                .iter()
                .map(|d| format!("{} ({} docs, z = {:.1})", escape(&d.name), d.count, d.z))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = write!(
            h,
            "<p><b>More than elsewhere:</b> {}</p><p><b>Less than elsewhere:</b> {}</p>",
            list(&v.over_represented),
            list(&v.under_represented)
        );
        let terms: Vec<String> = v.distinctive_terms.iter().map(|d| escape(&d.name)).collect();
        let _ = write!(h, "<p><b>Distinctive terms:</b> {}</p>", terms.join(", "));
        for s in &v.sentences {
            let link = super::html::source_link(&s.title, s.source.as_deref());
            let _ = write!(h, "<blockquote>{}<cite>— {link}</cite></blockquote>", escape(&s.text));
        }
        let _ = write!(h, "<details><summary>Chart</summary>{svg}</details></section>");
    }
    h.push_str(
        "<h2>Method</h2><p>Over- and under-represented themes and distinctive terms: log-odds ratio of each value against all \
         the others with an informative Dirichlet prior and its z-score (Monroe, Colaresi &amp; Quinn 2008); |z| &gt; 1.96 is \
         unlikely by chance. Values with fewer than 5 documents are flagged as thin evidence.</p></body></html>\n",
    );
    h
}

fn render_markdown(c: &Comparison) -> String {
    let facet = c.facet.name();
    let mut m = format!(
        "# Comparison by {facet}\n\n{} values; {} documents without a {facet} left out.\n\n",
        c.values.len(),
        c.without_value
    );
    let pairs = |title: &str, ps: &[Pair], m: &mut String| {
        let _ = writeln!(m, "## {title}\n\n| Pair | Theme similarity | Vector similarity |\n|---|---|---|");
        for p in ps {
            let _ = writeln!(
                m,
                "| {} – {} | {:.2} | {:.2} |",
                markdown::escape(&p.a),
                markdown::escape(&p.b),
                p.theme_similarity,
                p.vector_similarity
            );
        }
        m.push('\n');
    };
    pairs("Most similar", &c.most_similar, &mut m);
    pairs("Most different", &c.most_different, &mut m);
    for v in &c.values {
        let thin = if v.thin_evidence { " (thin evidence)" } else { "" };
        let _ = writeln!(m, "## {}{thin}\n\n{} documents\n", markdown::escape(&v.value), v.documents);
        let list = |items: &[Distinctive]| {
            items
                .iter()
                .map(|d| format!("{} (z = {:.1})", markdown::escape(&d.name), d.z))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = writeln!(
            m,
            "- More than elsewhere: {}\n- Less than elsewhere: {}",
            list(&v.over_represented),
            list(&v.under_represented)
        );
        let _ = writeln!(
            m,
            "- Distinctive terms: {}\n",
            v.distinctive_terms.iter().map(|d| markdown::escape(&d.name)).collect::<Vec<_>>().join(", ")
        );
        for s in &v.sentences {
            let _ = writeln!(m, "> {}\n> — {}\n", markdown::escape(&s.text), markdown::escape(&s.title));
        }
    }
    m
}

/// Writes `compare-<facet>.json`, `.html` and `.md` into `out`; returns the HTML path.
pub fn write(out: &Path, c: &Comparison) -> Result<std::path::PathBuf, AnalyzeError> {
    let stem = format!("compare-{}", c.facet.name());
    let ch = draw(c).map_err(|e| AnalyzeError::Report(e.to_string()))?;
    write_atomic(&out.join(format!("{stem}.json")), &serde_json::to_vec_pretty(c).expect("comparisons serialise"))?;
    write_atomic(&out.join(format!("{stem}.md")), render_markdown(c).as_bytes())?;
    let html = out.join(format!("{stem}.html"));
    write_atomic(&html, render_html(c, &ch).as_bytes())?;
    Ok(html)
}
