//! The report's "What changed" section: the pages and themes that changed since the previous
//! run, and how each theme's share moved.

use super::index::{doc_cited, theme_title};
use super::model::{Block, Inline, Section};
use crate::analysis::Analysis;

/// The section that opens a report made on top of an earlier run.
pub(super) fn what_changed(analysis: &Analysis, previous: &str) -> Section {
    let c = &analysis.run.changes;
    let k = &analysis.run.continuity;
    let mut s = Section::new(Some("changes"), format!("Since {previous}"));
    s.push(Block::Paragraph(vec![Inline::text(format!(
        "{} new documents, {} changed, {} removed; {} new themes, {} retired.",
        c.new.len(),
        c.changed.len(),
        c.removed.len(),
        k.new.len(),
        k.retired.len()
    ))]));
    if let Some(since) = &analysis.run.since_last {
        s.blocks.extend(since_last(analysis, since));
    }
    let new_paths: std::collections::HashSet<&str> = c.new.iter().map(String::as_str).collect();
    let new_docs: Vec<Vec<Inline>> = analysis
        .corpus
        .documents
        .iter()
        .filter(|d| new_paths.contains(d.path.as_str()))
        .take(10)
        .map(doc_cited)
        .collect();
    if !new_docs.is_empty() {
        s.push(Block::Paragraph(vec![Inline::Strong("New documents".into())])).push(Block::List(new_docs));
    }
    if !c.removed.is_empty() {
        let shown: Vec<&str> = c.removed.iter().take(10).map(String::as_str).collect();
        s.push(Block::Paragraph(vec![Inline::Strong("Removed: ".into()), Inline::text(shown.join(", "))]));
    }
    let mut moved: Vec<_> = k.kept.iter().filter(|t| t.size_before != t.size_after).collect();
    moved.sort_by_key(|t| std::cmp::Reverse(t.size_before.abs_diff(t.size_after)));
    if !moved.is_empty() {
        let items = moved
            .iter()
            .take(8)
            .map(|t| {
                vec![Inline::text(format!("{}. {}: {} → {} documents", t.id, t.label, t.size_before, t.size_after))]
            })
            .collect();
        s.push(Block::Paragraph(vec![Inline::Strong("Themes that grew or shrank most".into())]))
            .push(Block::List(items));
    }
    for t in &k.new {
        let from = t.related.as_ref().map(|r| format!(", grew out of {}", r.label)).unwrap_or_default();
        let first = analysis
            .model
            .themes
            .iter()
            .position(|x| x.id == t.id)
            .and_then(|p| analysis.summaries.themes.get(p))
            .and_then(|s| s.first())
            .map(|s| format!(" — “{}”", s.text))
            .unwrap_or_default();
        s.push(Block::Paragraph(vec![
            Inline::Strong("New theme: ".into()),
            Inline::text(format!("{}. {} ({} documents{from}){first}", t.id, t.label, t.size)),
        ]));
    }
    for t in &k.retired {
        let into = t.related.as_ref().map(|r| format!(", went into {}. {}", r.id, r.label)).unwrap_or_default();
        s.push(Block::Paragraph(vec![
            Inline::Strong("Retired theme: ".into()),
            Inline::text(format!("{} (had {} documents{into})", t.label, t.size)),
        ]));
    }
    s
}

/// Sentences on what the new pages are about and whose narratives moved, linked to the themes.
fn since_last(analysis: &Analysis, since: &crate::trends::SinceLast) -> Vec<Block> {
    let link = |id: crate::themes::ThemeId| {
        let position = analysis.model.position(id);
        Inline::Link {
            text: position.map_or_else(|| id.to_string(), |p| theme_title(analysis, p)),
            url: format!("#theme-{id}"),
        }
    };
    let mut blocks = Vec::new();
    if since.new_documents == 0 || since.joined.is_empty() {
        return blocks;
    }
    let mut line = vec![Inline::text(format!("The {} new pages joined ", since.new_documents))];
    for (i, j) in since.joined.iter().take(5).enumerate() {
        if i > 0 {
            line.push(Inline::text(", "));
        }
        line.push(link(j.theme_id));
        line.push(Inline::text(format!(
            " ({}, {:.0}% of the new pages against {:.0}% of the documents before)",
            j.new,
            100.0 * j.share_of_new,
            100.0 * j.share_before
        )));
    }
    if since.joined.len() > 5 {
        line.push(Inline::text(format!(" and {} other themes", since.joined.len() - 5)));
    }
    line.push(Inline::text("."));
    blocks.push(Block::Paragraph(line));
    let fresh: Vec<&crate::trends::Joined> = since
        .joined
        .iter()
        .filter(|j| j.new_share_of_theme > 0.5 && analysis.run.continuity.new.iter().any(|t| t.id == j.theme_id))
        .collect();
    if !fresh.is_empty() {
        let mut line = vec![Inline::text("New themes formed mostly of new pages: ")];
        for (i, j) in fresh.iter().enumerate() {
            if i > 0 {
                line.push(Inline::text(", "));
            }
            line.push(link(j.theme_id));
            line.push(Inline::text(format!(" ({:.0}% new)", 100.0 * j.new_share_of_theme)));
        }
        line.push(Inline::text("."));
        blocks.push(Block::Paragraph(line));
    }
    for m in &since.countries {
        let mut line = vec![Inline::text(format!(
            "{}: {} new pages ({} → {} documents); its mix of themes moved by {:.2} (Jensen-Shannon divergence, 0 \
             to 1)",
            m.country, m.new, m.before, m.after, m.divergence
        ))];
        if let Some((id, by)) = m.gained {
            line.push(Inline::text(", most towards "));
            line.push(link(id));
            line.push(Inline::text(format!(" (+{:.0} points)", 100.0 * by)));
        }
        line.push(Inline::text("."));
        blocks.push(Block::Paragraph(line));
    }
    blocks
}
