//! `compare-<facet>.html`, `.md` and `.json`: a comparison as a page (the same [`Page`] model as
//! the main report, rendered twice) and as data. Themes are named by their stable ids throughout.

use std::path::{Path, PathBuf};

use super::model::{Block, Inline, Page, Section};
use super::{charts, html, markdown, write_atomic, Charts, ReportError};
use crate::compare::{Comparison, Distinctive, Pair, ValueOverTime};
use crate::trends::Period;

fn theme_titles(c: &Comparison) -> Vec<String> {
    c.themes.iter().map(|t| format!("{}. {}", t.id, t.label)).collect()
}

fn draw(c: &Comparison) -> Result<Charts, charts::ChartError> {
    let facet = c.facet.name();
    let values: Vec<String> = c.values.iter().map(|v| v.value.clone()).collect();
    let titles = theme_titles(c);
    // Rows are themes so long labels sit on the wide axis.
    let shares: Vec<Vec<f64>> = (0..titles.len())
        .map(|t| c.values.iter().map(|v| v.themes.get(t).map_or(0.0, |s| s.estimate)).collect())
        .collect();
    let mut out = Charts::default();
    out.add(
        format!("compare-{facet}-shares.svg"),
        charts::heatmap(&format!("Theme shares by {facet}"), &titles, &values, &shares, charts::Cells::Shares)?,
    );
    out.add(
        format!("compare-{facet}-similarity.svg"),
        charts::heatmap(
            "Narrative similarity (Jensen-Shannon, theme shares)",
            &values,
            &values,
            &c.theme_similarity,
            charts::Cells::Similarities,
        )?,
    );
    for (i, v) in c.values.iter().enumerate() {
        let items: Vec<&Distinctive> = v.over_represented.iter().chain(v.under_represented.iter().rev()).collect();
        if items.is_empty() {
            continue;
        }
        let labels: Vec<String> = items.iter().map(|d| distinctive_title(d)).collect();
        let z: Vec<f64> = items.iter().map(|d| d.z).collect();
        out.add(
            format!("compare-{facet}-{i}.svg"),
            charts::bars(
                &format!("{}: themes over (+) and under (−) represented", v.value),
                "z (Fisher's exact test, as a normal score)",
                &labels,
                &z,
            )?,
        );
    }
    Ok(out)
}

/// "Over years (2019–2024, 5 with enough documents): rising: 3. Solar (4% → 30%); …"
fn over_time(c: &Comparison, over: &ValueOverTime, period: Period) -> Vec<Inline> {
    let name = period.name();
    let span = match (over.periods.first(), over.periods.last()) {
        (Some(a), Some(b)) => format!("{}–{}, ", a.0, b.0),
        _ => String::new(),
    };
    let mut out = vec![Inline::Strong(format!("Over {name}s ({span}{} with enough documents): ", over.tested))];
    if over.moving.is_empty() {
        out.push(Inline::text("none of its themes changes beyond chance."));
        return out;
    }
    let each: Vec<String> = over
        .moving
        .iter()
        .map(|t| {
            let label = c.themes.iter().find(|r| r.id == t.theme_id).map_or("", |r| r.label.as_str());
            match t.direction {
                Some(d) => format!(
                    "{}. {label} {} ({:.0}% → {:.0}%)",
                    t.theme_id,
                    d.name(),
                    100.0 * t.fitted_first,
                    100.0 * t.fitted_last
                ),
                None => format!("{}. {label} {}", t.theme_id, t.describe().unwrap_or_default()),
            }
        })
        .collect();
    out.push(Inline::text(format!("{}.", each.join("; "))));
    out
}

fn distinctive_title(d: &Distinctive) -> String {
    match d.theme_id {
        Some(id) => format!("{id}. {}", d.name),
        None => d.name.clone(),
    }
}

fn pair_table(pairs: &[Pair]) -> Block {
    let rows = pairs
        .iter()
        .map(|p| {
            let s = &p.theme_similarity;
            vec![
                vec![Inline::text(format!("{} – {}", p.a, p.b))],
                vec![Inline::text(format!("{:.2} [{:.2}–{:.2}]", s.value, s.low, s.high))],
                vec![Inline::text(if p.different { format!("yes (q = {:.3})", p.q) } else { "within chance".into() })],
                vec![Inline::text(format!("{:.2}", p.vector_similarity))],
            ]
        })
        .collect();
    Block::Table {
        header: vec![
            "Pair".into(),
            "Theme similarity [95% interval]".into(),
            "Different beyond chance".into(),
            "Vector similarity".into(),
        ],
        rows,
    }
}

/// "2. Waste and recycling (12 pages, 29% [18–43%] against 8% elsewhere)".
fn difference(c: &crate::compare::ValueProfile, d: &Distinctive) -> String {
    let share = d.theme_id.and_then(|id| c.themes.iter().find(|s| s.theme_id == id));
    match share {
        Some(s) => format!(
            "{} ({}, {} [{:.0}–{:.0}%] against {} elsewhere)",
            distinctive_title(d),
            crate::plural(d.count, "page"),
            crate::stats::percent(s.share),
            100.0 * s.low,
            100.0 * s.high,
            crate::stats::percent(s.elsewhere)
        ),
        None => distinctive_title(d),
    }
}

/// The comparison as a page.
pub fn page(c: &Comparison, charts: &Charts) -> Page {
    let facet = c.facet.name();
    let mut intro = Section::new(None, "What is compared");
    let mut said = vec![format!(
        "{} with {} or more documents {} compared",
        crate::plural(c.values.len(), "value"),
        c.min_documents,
        if c.values.len() == 1 { "is" } else { "are" }
    )];
    if !c.too_few.is_empty() {
        let few: Vec<String> = c.too_few.iter().map(|v| format!("{} ({})", v.value, v.documents)).collect();
        said.push(format!("too few pages to compare: {}", few.join(", ")));
    }
    if c.apart > 0 {
        said.push(format!("{} tied to no one country (Global) set apart", crate::plural(c.apart, "page")));
    }
    intro.push(Block::Paragraph(vec![Inline::text(format!("{}.", said.join("; ")))]));
    let mut similar = Section::new(None, "How alike are the narratives?");
    similar.push(Block::Paragraph(vec![Inline::text(
        "Theme similarity is 1 − the Jensen-Shannon divergence (base 2) of two values' theme shares, each shrunk \
         towards the corpus's (1 = identical mix), with a 95% bootstrap interval over their pages; a pair is called \
         different only where a permutation test of the difference holds after correction. Vector similarity is the \
         cosine of their mean document vectors.",
    )]));
    let mut most = Section::new(None, "Most similar");
    most.push(pair_table(&c.most_similar));
    let mut least = Section::new(None, "Most different");
    if c.most_different.is_empty() {
        least
            .push(Block::Paragraph(vec![Inline::text("No pair differs beyond what chance and sample sizes explain.")]));
    } else {
        least.push(pair_table(&c.most_different));
    }
    least.blocks.extend(charts.block(
        &format!("compare-{facet}-similarity.svg"),
        "Narrative similarity of each pair.",
        None,
    ));
    least.blocks.extend(charts.block(
        &format!("compare-{facet}-shares.svg"),
        "Share of each value's documents in each theme (shrunk towards the corpus's).",
        None,
    ));
    similar.subsections = vec![most, least];
    let mut sections = vec![intro, similar];
    for (i, v) in c.values.iter().enumerate() {
        let mut card = Section { title: vec![Inline::text(&v.value)], card: true, ..Section::default() };
        card.push(Block::Meta(vec![Inline::text(crate::plural(v.documents, "document"))]));
        card.push(Block::Paragraph(vec![Inline::text(&v.profile)]));
        let list = |items: &[Distinctive]| items.iter().map(|d| difference(v, d)).collect::<Vec<_>>().join("; ");
        if !v.over_represented.is_empty() {
            card.push(Block::Paragraph(vec![
                Inline::Strong("More than elsewhere: ".into()),
                Inline::text(list(&v.over_represented)),
            ]));
        }
        if !v.under_represented.is_empty() {
            card.push(Block::Paragraph(vec![
                Inline::Strong("Less than elsewhere: ".into()),
                Inline::text(list(&v.under_represented)),
            ]));
        }
        card.push(Block::Meta(vec![Inline::text(format!(
            "{} within chance.",
            if v.over_represented.is_empty() && v.under_represented.is_empty() {
                format!("All {} themes' shares", v.within_chance)
            } else {
                format!("The other {} themes' differences", v.within_chance)
            }
        ))]));
        // Terms are measured within each language: shown per language when there are several.
        for group in &v.distinctive_terms_by_language {
            let terms: Vec<&str> = group.terms.iter().map(|d| d.name.as_str()).collect();
            let heading = if v.distinctive_terms_by_language.len() > 1 {
                let thin = if group.thin_evidence { ", thin evidence" } else { "" };
                format!("Distinctive terms ({}, {} pages{thin}): ", group.language, group.documents)
            } else {
                "Distinctive terms: ".to_string()
            };
            let terms = if terms.is_empty() { "none beyond chance".to_string() } else { terms.join(", ") };
            card.push(Block::Paragraph(vec![Inline::Strong(heading), Inline::text(terms)]));
        }
        if let (Some(over), Some(period)) = (&v.over_time, c.over) {
            card.push(Block::Paragraph(over_time(c, over, period)));
        }
        for s in &v.sentences {
            card.push(Block::Quote {
                text: s.text.clone(),
                cite: super::model::cited(&s.title, s.source.as_deref(), &[]),
            });
        }
        card.blocks.extend(charts.block(&format!("compare-{facet}-{i}.svg"), "", Some("Chart")));
        sections.push(card);
    }
    let mut method = Section::new(None, "Method");
    method.push(Block::Paragraph(vec![Inline::text(format!(
        "Shares are each value's documents in a theme over its documents, with a 95% Wilson interval; tables and \
         similarities use them shrunk towards the corpus's shares (a Dirichlet-multinomial prior worth {:.0} \
         documents, estimated from how much the values differ), so that a value of few pages cannot lead them. \
         Over- and under-represented themes: log-odds ratio of each value against all the others with an \
         informative Dirichlet prior and its z-score (Monroe, Colaresi & Quinn 2008), listed only where the \
         difference holds at a false discovery rate of {:.0}% after the Benjamini–Hochberg correction across every \
         value and theme compared. Distinctive terms are measured the same way against the other documents in the \
         same language, corrected across the terms tested, and shown per language, so that writing in Spanish is \
         never mistaken for a narrative; a term must be on {} or more of the value's pages, be a content word or \
         phrase, and not a place, a personal name or a word of the value's own name. Values with fewer than {} \
         documents are listed apart and not compared; pages tied to no one country are never compared as a country.",
        c.prior_strength,
        100.0 * c.false_discovery_rate,
        3,
        c.min_documents
    ))]));
    sections.push(method);
    Page {
        title: format!("Comparison by {facet}"),
        subtitle: vec![
            Inline::Link { text: "Back to the report".into(), url: "index.html".into() },
            Inline::text(format!(
                " · {} values · {} documents without a {facet} left out",
                c.values.len(),
                c.without_value
            )),
        ],
        nav: false,
        sections,
    }
}

/// Writes `compare-<facet>.json`, `.html` and `.md` (and their charts) into `out`; returns the
/// HTML path.
pub fn write(out: &Path, c: &Comparison) -> Result<PathBuf, ReportError> {
    let stem = format!("compare-{}", c.facet.name());
    let charts = draw(c)?;
    charts.write(out)?;
    let page = page(c, &charts);
    write_atomic(&out.join(format!("{stem}.json")), &serde_json::to_vec_pretty(c).expect("comparisons serialise"))?;
    write_atomic(&out.join(format!("{stem}.md")), markdown::render(&page).as_bytes())?;
    let html_path = out.join(format!("{stem}.html"));
    write_atomic(&html_path, html::render(&page).as_bytes())?;
    Ok(html_path)
}
