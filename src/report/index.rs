//! The main report (`index.html`, `report.md`) as a [`Page`]: what changed, an overview, each
//! theme, countries, method. Sections and sentences without data are left out, and what is
//! missing is said once, in plain words.

use std::collections::BTreeMap;

use super::model::{cited, counts, Block, Inline, Page, Section};
use super::Charts;
use crate::analysis::Analysis;
use crate::ingest::Document;
use crate::summarise::SummarySentence;

/// Countries shown in the report's country section and heatmap.
pub const TOP_COUNTRIES: usize = 15;

/// Counts of documents by a value, largest first (ties by name).
pub fn count_by<'a>(
    docs: impl Iterator<Item = &'a Document>,
    value: impl Fn(&Document) -> Option<String>,
) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for d in docs {
        if let Some(v) = value(d) {
            *counts.entry(v).or_insert(0) += 1;
        }
    }
    let mut rows: Vec<(String, usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

/// Documents per year, in year order.
pub fn years(docs: impl Iterator<Item = impl std::borrow::Borrow<Document>>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
    for d in docs {
        if let Some(y) = d.borrow().year {
            *counts.entry(y).or_insert(0) += 1;
        }
    }
    counts.into_iter().map(|(y, n)| (y.to_string(), n)).collect()
}

/// "3. Waste management and recycling": how a theme is named in lists and charts.
pub fn theme_title(analysis: &Analysis, position: usize) -> String {
    let t = &analysis.model.themes[position];
    format!("{}. {}", t.id, t.label)
}

/// A theme's title with the taxonomy name it matched, for tables.
fn theme_with_name(analysis: &Analysis, position: usize) -> String {
    let t = &analysis.model.themes[position];
    match &t.named_as {
        Some(named) => format!("{} ({})", theme_title(analysis, position), named.name),
        None => theme_title(analysis, position),
    }
}

pub(super) fn doc_cited(d: &Document) -> Vec<Inline> {
    let date = d.date.map(|x| x.to_string());
    let place: Vec<&str> = d.country.iter().map(String::as_str).chain(date.as_deref()).collect();
    cited(&d.title, d.source.as_deref(), &place)
}

fn quote(s: &SummarySentence) -> Block {
    let place: Vec<&str> = s.country.iter().chain(&s.date).map(String::as_str).collect();
    Block::Quote { text: s.text.clone(), cite: cited(&s.title, s.source.as_deref(), &place) }
}

/// The main report of an analysis; `comparisons` are (facet, file) of the comparison pages
/// written beside it.
pub fn page(analysis: &Analysis, charts: &Charts, comparisons: &[(String, String)]) -> Page {
    let docs = &analysis.corpus.documents;
    let countries = count_by(docs.iter(), |d| d.country.clone());
    let years = years(docs.iter());
    let mut sections = Vec::new();
    if let Some(previous) = &analysis.run.previous_run {
        sections.push(super::changes::what_changed(analysis, previous));
    }
    sections.push(overview(analysis, charts, &countries, &years));
    sections.push(themes(analysis, charts, !countries.is_empty(), years.len()));
    if !countries.is_empty() {
        sections.push(countries_section(analysis, charts, &countries, comparisons));
    }
    if !comparisons.is_empty() && countries.is_empty() {
        sections.push(comparisons_section(comparisons));
    }
    sections.push(method(analysis));
    Page {
        title: "Theme report".into(),
        subtitle: vec![
            Inline::text(format!(
                "{} · generated {} · model {} · ",
                analysis.corpus.root.display(),
                analysis.run.finished,
                analysis.run.model
            )),
            Inline::Link { text: "explore the documents".into(), url: "explore.html".into() },
        ],
        nav: true,
        sections,
    }
}

fn overview(analysis: &Analysis, charts: &Charts, countries: &[(String, usize)], years: &[(String, usize)]) -> Section {
    let docs = &analysis.corpus.documents;
    let languages = count_by(docs.iter(), |d| Some(d.language.clone().unwrap_or_else(|| "unknown".into())));
    let mut s = Section::new(Some("overview"), "Overview");
    let mut stats = vec![
        (docs.len().to_string(), "documents".to_string()),
        (analysis.model.themes.len().to_string(), "themes".to_string()),
    ];
    if !analysis.model.parents.is_empty() {
        stats.push((analysis.model.parents.len().to_string(), "broad areas".into()));
    }
    if !countries.is_empty() {
        stats.push((countries.len().to_string(), "countries".into()));
    }
    if let (Some(first), Some(last)) = (years.first(), years.last()) {
        stats.push((format!("{}–{}", first.0, last.0), "years".into()));
    }
    stats.push((languages.len().to_string(), "languages".into()));
    s.push(Block::Stats(stats));
    s.push(Block::Paragraph(vec![Inline::text(format!("Languages: {}.", counts(&languages, 8)))]));
    if !countries.is_empty() {
        s.push(Block::Paragraph(vec![Inline::text(format!("Most documents come from {}.", counts(countries, 8)))]));
    }
    let missing: Vec<&str> = [(countries.is_empty(), "countries"), (years.is_empty(), "dates")]
        .into_iter()
        .filter_map(|(absent, what)| absent.then_some(what))
        .collect();
    if !missing.is_empty() {
        s.push(Block::Meta(vec![Inline::text(format!(
            "The documents carry no {}, so this report says nothing about {}. Add them as [[country:…]] and \
             [[date:…]] lines in the files, or in a table given with --metadata FILE.csv.",
            missing.join(" or "),
            if missing.len() == 2 {
                "places or time"
            } else if countries.is_empty() {
                "places"
            } else {
                "time"
            }
        ))]));
    }
    if !analysis.model.parents.is_empty() {
        let items = analysis
            .model
            .parents
            .iter()
            .map(|p| {
                let children: Vec<String> = p
                    .children
                    .iter()
                    .filter_map(|&id| analysis.model.position(id))
                    .map(|i| theme_title(analysis, i))
                    .collect();
                let mut item = vec![Inline::Strong(p.label.clone())];
                if let (crate::themes::LabelOrigin::Generated, Some(generation)) =
                    (p.label_source, &analysis.run.generation)
                {
                    item.push(Inline::Badge(format!("label by {}", generation.model)));
                }
                if let Some(description) = &p.description {
                    item.push(Inline::text(format!(" {description}")));
                }
                if let Some(synthesis) = analysis.summaries.area_syntheses.get(p.id) {
                    item.push(Inline::text(format!(" {}", synthesis.text)));
                }
                item.push(Inline::text(format!(" Themes: {} (alike at {:.2})", children.join("; "), p.similarity)));
                item
            })
            .collect();
        s.push(Block::Paragraph(vec![Inline::text("Broad areas (groups of related themes):")]))
            .push(Block::List(items));
    }
    s.blocks.extend(charts.block("theme-sizes.svg", "Number of documents in each theme.", None));
    s.blocks.extend(charts.block(
        "document-map.svg",
        "Each dot is a document, coloured by its theme, with each theme's name at the middle of its pages. Pages \
         close together read alike (a UMAP layout of their vectors, which keeps each page's nearest neighbours); \
         distances between distant groups mean little.",
        None,
    ));
    s
}

fn themes(analysis: &Analysis, charts: &Charts, with_countries: bool, years: usize) -> Section {
    let mut s = Section::new(Some("themes"), "Themes");
    let index: std::collections::HashMap<&str, &Document> =
        analysis.corpus.documents.iter().map(|d| (d.doc_id.as_str(), d)).collect();
    for (position, t) in analysis.model.themes.iter().enumerate() {
        let mut card = Section {
            id: Some(format!("theme-{}", t.id)),
            title: vec![Inline::text(theme_title(analysis, position))],
            card: true,
            ..Section::default()
        };
        if let Some(named) = &t.named_as {
            card.title.push(Inline::Badge(format!("{} · {:.2}", named.name, named.similarity)));
        }
        if let Some(synthesis) = analysis.summaries.syntheses.get(position) {
            card.push(Block::Paragraph(vec![Inline::text(&synthesis.text)]));
        }
        if let Some(description) = &t.description {
            card.push(Block::Paragraph(vec![Inline::text(description.clone())]));
        }
        let parent = t
            .parent
            .and_then(|p| analysis.model.parents.get(p))
            .map(|p| format!(" · broad area: {}", p.label))
            .unwrap_or_default();
        let languages: Vec<(String, usize)> = t.languages.iter().map(|(l, n)| (l.clone(), *n)).collect();
        let stability = t.stability.map(|v| format!(" · stability {v:.2}")).unwrap_or_default();
        let unsure = analysis.model.confidence.as_ref().map_or(0, |c| {
            (0..c.len())
                .filter(|&i| {
                    analysis.model.assignments[i] == position && c[i] < crate::themes::consensus::LOW_CONFIDENCE
                })
                .count()
        });
        let stability = if unsure > 0 {
            format!("{stability} ({unsure} of its documents placed with low confidence)")
        } else {
            stability
        };
        card.push(Block::Meta(vec![Inline::text(format!(
            "{} documents{stability}{parent} · languages: {}",
            t.size,
            counts(&languages, 4)
        ))]));
        if t.tentative {
            card.title.push(Inline::Badge("tentative".into()));
            card.push(Block::Meta(vec![Inline::text(
                "Tentative: fits of the same number of themes with other seeds recover it poorly, so its \
                 borders are not a finding.",
            )]));
        }
        match (t.label_source, &analysis.run.generation) {
            (crate::themes::LabelOrigin::Analyst, _) => card.title.push(Inline::Badge("label by the analyst".into())),
            (crate::themes::LabelOrigin::Generated, Some(generation)) => {
                card.title.push(Inline::Badge(format!("label by {}", generation.model)))
            }
            _ => {}
        }
        if !t.by_hand.is_empty() {
            card.title.push(Inline::Badge("changed by hand".into()));
            card.push(Block::Meta(vec![Inline::text(format!("Changed by hand: {}.", t.by_hand.join("; ")))]));
        }
        if t.catch_all {
            card.push(Block::Meta(vec![Inline::text(
                "A catch-all: its pages share much less than those of other themes (cohesion far below the \
                 others'), so it is not one subject.",
            )]));
        }
        card.push(Block::Keywords(t.keywords.iter().take(15).cloned().collect()));
        for (language, words) in &t.keywords_by_language {
            card.push(Block::Paragraph(vec![
                Inline::Strong(format!("Keywords of its pages in {language}: ")),
                Inline::text(words.join(", ")),
            ]));
        }
        if !t.subjects.is_empty() {
            card.push(Block::Paragraph(vec![Inline::Strong("Names: ".into()), Inline::text(t.subjects.join(", "))]));
        }
        if !t.places.is_empty() {
            card.push(Block::Paragraph(vec![Inline::Strong("Places: ".into()), Inline::text(t.places.join(", "))]));
        }
        let mut facts = Vec::new();
        let theme_years = self::years(analysis.members(position));
        if years >= 1 && !theme_years.is_empty() {
            let by_year: Vec<String> = theme_years.iter().map(|(y, n)| format!("{y}: {n}")).collect();
            facts.push(Inline::Strong("Over time: ".into()));
            facts.push(Inline::text(format!("{}. ", by_year.join(", "))));
        }
        let theme_countries = count_by(analysis.members(position), |d| d.country.clone());
        if with_countries && !theme_countries.is_empty() {
            facts.push(Inline::Strong("Top countries: ".into()));
            facts.push(Inline::text(format!("{}.", counts(&theme_countries, 5))));
        }
        if !facts.is_empty() {
            card.push(Block::Paragraph(facts));
        }
        if let Some(trend) = analysis.trends.themes.get(position).filter(|t| t.shape().is_some()) {
            card.push(Block::Paragraph(trend_sentence(analysis, trend)));
        }
        if let Some(summary) = analysis.summaries.themes.get(position).filter(|s| !s.is_empty()) {
            card.push(Block::Paragraph(vec![Inline::Strong("Summary".into())]));
            for sentence in summary {
                card.push(quote(sentence));
            }
        }
        let representatives: Vec<Vec<Inline>> =
            t.representative_docs.iter().filter_map(|id| index.get(id.as_str())).map(|d| doc_cited(d)).collect();
        card.push(Block::Paragraph(vec![Inline::Strong("Representative documents".into())]))
            .push(Block::List(representatives));
        card.blocks.extend(charts.block(&format!("phrases-theme-{}.svg", t.id), "", Some("Pages using each phrase")));
        s.subsections.push(card);
    }
    if years >= 2 {
        let trends = &analysis.trends;
        let moving: Vec<usize> = (0..trends.themes.len()).filter(|&p| trends.themes[p].shape().is_some()).collect();
        let tested = trends.tested_periods().len();
        if tested >= 3 {
            let mut line = vec![Inline::Strong("Over time: ".into())];
            if moving.is_empty() {
                line.push(Inline::text(format!(
                    "no theme's share changes (rises, falls or peaks) beyond what chance and batches of pages \
                     explain, over {tested} {}s with at least {} documents.",
                    trends.options.period.name(),
                    trends.options.min_documents
                )));
            } else {
                for (i, &p) in moving.iter().enumerate() {
                    if i > 0 {
                        line.push(Inline::text("; "));
                    }
                    let t = &trends.themes[p];
                    line.push(Inline::Link { text: theme_title(analysis, p), url: format!("#theme-{}", t.theme_id) });
                    line.push(Inline::text(match t.direction {
                        Some(d) => {
                            format!(" {} ({:.0}% → {:.0}%)", d.name(), 100.0 * t.fitted_first, 100.0 * t.fitted_last)
                        }
                        None => format!(" {}", t.describe().unwrap_or_default()),
                    }));
                }
                line.push(Inline::text(format!(
                    ", over {tested} {}s with at least {} documents (false discovery rate {:.0}%).",
                    trends.options.period.name(),
                    trends.options.min_documents,
                    100.0 * trends.options.level
                )));
            }
            s.push(Block::Paragraph(line));
        }
        s.blocks.extend(charts.block(
            "themes-over-years.svg",
            "One panel per theme, on the same axes: its share of each period's documents, with 95% intervals \
             (Wilson); the themes whose share changed come first, then the largest. Periods with too few \
             documents are left as gaps, not zeros.",
            None,
        ));
    }
    s
}

/// "Rising: its share went from 8% to 21% …", "Peaked in 2020: its share was above its usual 6%
/// in 2020 and 2021 …", with the words a rising or falling theme gained and lost.
fn trend_sentence(analysis: &Analysis, trend: &crate::trends::ThemeTrend) -> Vec<Inline> {
    let tested = analysis.trends.tested_periods();
    let period = |i: Option<&usize>| i.map(|&p| analysis.trends.periods[p].0.clone()).unwrap_or_default();
    let name = analysis.trends.options.period.name();
    let (shape, change) = match (trend.describe(), &trend.change) {
        (Some(shape), Some(change)) => (shape, change),
        _ => return Vec::new(),
    };
    let q = change.q.unwrap_or(1.0);
    let (pages, own) =
        trend.series.iter().filter(|s| s.share.is_some()).fold((0, 0), |(n, c), s| (n + s.total, c + s.documents));
    let usual = 100.0 * own as f64 / pages.max(1) as f64;
    let said = match trend.direction {
        Some(_) => format!(
            "its share of each {name}'s documents went from {:.0}% ({}) to {:.0}% ({}) on the fitted trend \
             (change across {name}s: adjusted p = {q:.3}).",
            100.0 * trend.fitted_first,
            period(tested.first()),
            100.0 * trend.fitted_last,
            period(tested.last()),
        ),
        None if change.above.is_empty() => {
            format!("its share of each {name}'s documents changes beyond chance (adjusted p = {q:.3}).")
        }
        None => {
            format!("its share was above its usual {usual:.0}% in {} (adjusted p = {q:.3}).", change.above.join(", "))
        }
    };
    let mut out = vec![Inline::Strong(format!("{}{}: ", shape[..1].to_uppercase(), &shape[1..])), Inline::text(said)];
    if let Some(terms) = &trend.terms {
        let words = |v: &[crate::trends::ShiftedTerm]| v.iter().map(|t| t.term.as_str()).collect::<Vec<_>>().join(", ");
        if !terms.gained.is_empty() {
            out.push(Inline::text(format!(" Its later pages use more: {}.", words(&terms.gained))));
        }
        if !terms.lost.is_empty() {
            out.push(Inline::text(format!(" Less: {}.", words(&terms.lost))));
        }
    }
    out
}

fn comparison_links(comparisons: &[(String, String)]) -> Vec<Inline> {
    let mut out = vec![Inline::text("Comparisons: ")];
    for (i, (facet, file)) in comparisons.iter().enumerate() {
        if i > 0 {
            out.push(Inline::text(", "));
        }
        out.push(Inline::Link { text: format!("by {facet}"), url: file.clone() });
    }
    out.push(Inline::text(" (distinctive themes and terms, narrative similarity)."));
    out
}

fn comparisons_section(comparisons: &[(String, String)]) -> Section {
    let mut s = Section::new(Some("comparisons"), "Comparisons");
    s.push(Block::Paragraph(comparison_links(comparisons)));
    s
}

fn countries_section(
    analysis: &Analysis,
    charts: &Charts,
    countries: &[(String, usize)],
    comparisons: &[(String, String)],
) -> Section {
    let mut s = Section::new(Some("countries"), "Countries");
    if comparisons.is_empty() {
        s.push(Block::Meta(vec![Inline::text(
            "For what each country writes about more than the rest, and its distinctive terms, run `themescope \
             compare --by country` (or by region or bureau).",
        )]));
    } else {
        s.push(Block::Paragraph(comparison_links(comparisons)));
    }
    let facet = crate::compare::Facet::Country;
    let Some((selection, shares)) = crate::compare::overview(analysis, &facet, TOP_COUNTRIES) else {
        s.push(Block::Paragraph(vec![Inline::text(format!(
            "No country has {} or more documents: {}.",
            crate::compare::DEFAULT_MIN_DOCUMENTS,
            counts(countries, 10)
        ))]));
        return s;
    };
    let rows = selection
        .values
        .iter()
        .enumerate()
        .map(|(v, name)| {
            let mut top: Vec<(usize, usize)> =
                shares.counts[v].iter().copied().enumerate().filter(|&(_, c)| c > 0).collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let main: Vec<String> =
                top.iter().take(3).map(|&(t, c)| format!("{} ({c})", theme_with_name(analysis, t))).collect();
            vec![
                vec![Inline::text(name)],
                vec![Inline::text(shares.members[v].len().to_string())],
                vec![Inline::text(main.join("; "))],
            ]
        })
        .collect();
    s.push(Block::Table { header: vec!["Country".into(), "Documents".into(), "Main themes".into()], rows });
    let mut apart = Vec::new();
    if !selection.too_few.is_empty() {
        let few: Vec<String> =
            selection.too_few.iter().take(20).map(|v| format!("{} ({})", v.value, v.documents)).collect();
        let more = selection.too_few.len().saturating_sub(20);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        apart.push(format!("fewer than {} documents, not compared: {}{more}", selection.min_documents, few.join(", ")));
    }
    if selection.apart > 0 {
        apart
            .push(format!("{} tied to no one country (Global), set apart", crate::plural(selection.apart, "document")));
    }
    if !apart.is_empty() {
        s.push(Block::Meta(vec![Inline::text(format!("{}.", apart.join("; ")))]));
    }
    s.blocks.extend(charts.block(
        "themes-by-country.svg",
        "Darker cells: a larger share of that country's documents is in that theme (shares shrunk towards the \
         corpus's, so that a country of few pages cannot lead).",
        None,
    ));
    s
}

fn method(analysis: &Analysis) -> Section {
    let corpus = &analysis.corpus;
    let mut s = Section::new(Some("method"), "Method");
    s.push(Block::Paragraph(vec![Inline::text(format!(
        "Documents were cleaned of website chrome, embedded whole with {} (windows of the model's length, pooled), \
         clustered with k-means (linfa) on unit vectors as the consensus of {} fits with different seeds (how often \
         two documents share a cluster, grouped by average linkage), and described by class-based TF-IDF over 1-2 word terms, \
         re-ranked by closeness to each theme's centre and by how many of its pages use them; places and names are \
         listed apart. Summaries are sentences quoted verbatim, chosen for closeness to the theme centre and \
         variety (maximal marginal relevance). A theme's stability is how well those fits recover it (mean \
         best-match Jaccard); below {} it is marked tentative. A document's confidence (documents.csv) is the \
         share of fits that put it with its theme; below {} it is low.",
        analysis.run.model,
        crate::themes::consensus::RUNS,
        crate::themes::consensus::TENTATIVE_BELOW,
        crate::themes::consensus::LOW_CONFIDENCE,
    ))]));
    s.push(Block::Paragraph(vec![Inline::text(format!(
        "{} documents analysed; {} exact duplicates analysed once; {} files skipped; {} warnings (see run.json).",
        corpus.documents.len(),
        corpus.duplicates.len(),
        corpus.skipped.len(),
        corpus.warnings().len()
    ))]));
    if !analysis.run.curation.is_empty() {
        s.push(Block::Paragraph(vec![Inline::text(format!(
            "The analyst's decisions ({}), applied in this order after the clustering on every run; a theme \
             they made keeps the documents it held, and new pages join the theme the clustering puts them in:",
            crate::curation::CURATION_FILE
        ))]));
        s.push(Block::List(analysis.run.curation.iter().map(|d| vec![Inline::text(d.clone())]).collect()));
    }
    s.push(Block::Code(serde_json::to_string_pretty(&analysis.run.params).unwrap_or_default()));
    s
}
