//! What the commands print: a finished run's summary, search hits, the history of runs and a
//! distilled model, kept apart from the arguments (`main.rs`) so either reads on its own.

use std::io::Write;
use std::path::Path;

use themescope::analysis::Analysis;
use themescope::embed::model2vec::Distilled;
use themescope::plural;
use themescope::search::Found;
use themescope::settings::Settings;
use themescope::store::Store;

/// Reports a finished run's warnings, notes, counts and (verbose) stage times on standard error.
pub fn tell(analysis: &Analysis, verbose: bool) {
    for warning in analysis.corpus.warnings() {
        eprintln!("warning: {warning}");
    }
    let run = &analysis.run;
    for note in &run.notes {
        eprintln!("note: {note}");
    }
    let docs = analysis.corpus.documents.len();
    let (changes, continuity) = (&run.changes, &run.continuity);
    let themes = analysis.model.themes.len();
    // Kept/new/retired only mean something against an earlier run.
    let since = if run.previous_run.is_some() {
        format!(" ({} kept, {} new, {} retired)", continuity.kept.len(), continuity.new.len(), continuity.retired.len())
    } else {
        String::new()
    };
    eprintln!(
        "{} ({} embedded, {} from cache; {} new, {} changed, {} removed), {}{since} in {:.1} s",
        plural(docs, "document"),
        run.embedded,
        docs - run.embedded.min(docs),
        changes.new.len(),
        changes.changed.len(),
        changes.removed.len(),
        plural(themes, "theme"),
        run.seconds
    );
    if let Some(g) = &run.generation {
        let speed = match g.tokens_per_second {
            Some(rate) => format!("{} answers generated in {:.1} s, {rate:.0} tokens/s", g.asked, g.seconds),
            None => "nothing generated".to_string(),
        };
        let areas = match g.areas {
            0 => String::new(),
            n => format!(", {} of {}", g.areas_generated, plural(n, "broad area")),
        };
        eprintln!(
            "labels by {}: {} of {} themes ({} kept from the previous run), {} extracted{areas}; {}, {} from the \
             store",
            g.model, g.generated, g.themes, g.kept, g.fell_back, speed, g.cached
        );
    }
    if verbose {
        match run.tokens_per_second {
            Some(rate) => eprintln!("  vectors computed by {} ({}), {rate:.0} tokens/s", run.kernel, run.model),
            None => eprintln!("  vectors computed by {} ({}); all from the cache", run.kernel, run.model),
        }
        for (stage, seconds) in &run.seconds_by_stage {
            match run.peak_mb_by_stage.iter().find(|(s, _)| s == stage) {
                Some((_, mb)) => eprintln!("  {stage:<16} {seconds:>8.2} s  peak {mb:>6.0} MB"),
                None => eprintln!("  {stage:<16} {seconds:>8.2} s"),
            }
        }
    }
}

/// Search hits, best first: a line of JSON each, or for a reader.
pub fn hits(found: &Found, floor: Option<f32>, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if found.hits.is_empty() && found.below_floor == 0 {
        eprintln!("no document passes the filters");
    }
    for hit in &found.hits {
        if json {
            writeln!(out, "{}", serde_json::to_string(hit)?)?;
            continue;
        }
        let place: Vec<&str> = hit.country.iter().chain(&hit.date).map(String::as_str).collect();
        writeln!(out, "{:>2}. {:.3}  {}  [{}]", hit.rank, hit.score, hit.title, place.join(", "))?;
        writeln!(
            out,
            "    theme {}: {}  ·  {}",
            hit.theme_id,
            hit.theme_label,
            hit.source.as_deref().unwrap_or(&hit.path)
        )?;
        if let Some(sentence) = &hit.sentence {
            writeln!(out, "    “{sentence}”")?;
        }
    }
    out.flush()?;
    if let (Some(floor), n @ 1..) = (floor, found.below_floor) {
        eprintln!(
            "{n} more below {floor:.3}, the score questions on unrelated subjects reach in this analysis; --all lists them"
        );
    }
    Ok(())
}

/// The runs stored in an output folder, one line each with the settings that changed.
pub fn history(store: &Store) -> anyhow::Result<()> {
    let mut before: Option<Settings> = None;
    for run in store.runs()? {
        let finished = &run.finished;
        let undone = if run.undone { "  (undone)" } else { "" };
        let Some(s) = run.summary else {
            println!("{finished}  (recorded by an older themescope){undone}");
            continue;
        };
        if let Some(command) = &s.command {
            println!("{finished}  `themescope {command}`{undone}");
        }
        let (d, t) = (&s.documents, &s.themes);
        let settings = &s.params.settings;
        // The first run's settings that are not the defaults; after it, those that changed.
        let changed: Vec<String> = match &before {
            None => settings
                .changed_from(&Settings::default())
                .into_iter()
                .map(|(flag, now, _)| format!("{flag} {now}"))
                .collect(),
            Some(b) => settings
                .changed_from(b)
                .into_iter()
                .map(|(flag, now, was)| format!("{flag} {now} (was {was})"))
                .collect(),
        };
        let changed = if changed.is_empty() { String::new() } else { format!("  {}", changed.join(", ")) };
        println!(
            "{finished}  {} documents ({} new, {} changed, {} removed, {} embedded), {} themes ({} kept, {} new, {} \
             retired){changed}",
            d.total, d.new, d.changed, d.removed, d.embedded, t.count, t.kept, t.new, t.retired
        );
        before = Some(settings.clone());
        if !s.curation.is_empty() {
            println!("    decisions: {}", s.curation.join("; "));
        }
    }
    Ok(())
}

/// What `distill` made, and how to use it.
pub fn distilled(made: &Distilled, source: &str, out: &Path) {
    if let Some(f) = &made.fit {
        println!(
            "fitted to {} pages: on {} held out, mean cosine to {}'s vectors {:.3} → {:.3} (ridge {})",
            f.pages, f.held_out, source, f.cosine_before, f.cosine_after, f.ridge
        );
    }
    println!(
        "{}: static model of {} tokens × {} dimensions from {} (PCA keeps {:.1}% of the variance); use it with --model {}",
        out.display(),
        made.tokens,
        made.dim,
        source,
        100.0 * made.variance_kept,
        out.display()
    );
}
