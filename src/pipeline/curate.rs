//! The `themescope theme …` commands: an analyst's change to the decisions on the stored
//! analysis, checked against it, then applied by a run on the same folder and options (from the
//! cache: nothing is embedded again), and kept in the store and in OUT/curation.toml.

use std::path::Path;

use super::{lock_out, run, stored, AnalyzeError, AnalyzeOptions, Request, STORE_FILE};
use crate::analysis::Analysis;
use crate::curation::{Curation, Decision, CURATION_FILE};
use crate::store::Store;
use crate::themes::{self, ThemeId, ThemeOptions};

/// A change an analyst asks for.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Give the theme this label (`None`: take back the label given, the extracted one returns).
    Rename { theme: ThemeId, label: Option<String> },
    /// One theme from several; it keeps the id of the largest.
    Merge { themes: Vec<ThemeId>, label: Option<String> },
    /// The theme's documents clustered alone into `into` themes (`None`: 2 to 5, see
    /// [`themes::split_theme`]).
    Split { theme: ThemeId, into: Option<usize> },
    /// Documents (by doc_id or path) into a theme.
    Move { documents: Vec<String>, to: ThemeId },
    /// Keep the theme's members and label through refreshes (`clear`: no longer).
    Pin { theme: ThemeId, clear: bool },
    /// Take back the last change to the decisions.
    Undo,
}

impl Edit {
    /// The command as the history shows it.
    fn command(&self) -> String {
        let ids = |t: &[ThemeId]| t.iter().map(ThemeId::to_string).collect::<Vec<_>>().join(" ");
        match self {
            Edit::Rename { theme, label: Some(label) } => format!("theme rename {theme} {label:?}"),
            Edit::Rename { theme, label: None } => format!("theme rename {theme} --clear"),
            Edit::Merge { themes, label } => {
                let named = label.as_ref().map(|l| format!(" --label {l:?}")).unwrap_or_default();
                format!("theme merge {}{named}", ids(themes))
            }
            Edit::Split { theme, into } => {
                format!("theme split {theme}{}", into.map(|n| format!(" --into {n}")).unwrap_or_default())
            }
            Edit::Move { documents, to } => format!("theme move {} --to {to}", documents.join(" ")),
            Edit::Pin { theme, clear } => format!("theme pin {theme}{}", if *clear { " --clear" } else { "" }),
            Edit::Undo => "theme undo".into(),
        }
    }
}

/// Carries out `edit` on the analysis stored in `out` and makes the analysis again with the
/// decisions changed; returns it and what was done, in words. Nothing changes when the edit is
/// refused or the run fails.
pub fn curate(out: &Path, edit: &Edit, progress: bool) -> Result<(Analysis, String), AnalyzeError> {
    let lock = lock_out(out)?;
    let analysis = stored::open(out)?;
    let mut store = Store::open(&out.join(STORE_FILE))?;
    let options = AnalyzeOptions { progress, ..AnalyzeOptions::of_stored(&analysis.run, out) };
    let refuse = |why: String| AnalyzeError::Refused { out: out.display().to_string(), why };
    if !options.settings.input.is_dir() {
        return Err(refuse(format!(
            "the analysis was made from {}, which is not a folder from here: run the command where `analyze` ran",
            options.settings.input.display()
        )));
    }
    let mut notes = Vec::new();
    let (mut curation, edited) = decisions_in(out, &store, &mut notes)?;
    // A hand edit no run has applied yet is a change of its own: recorded first, so that the
    // command builds on it and `theme undo` takes back one at a time.
    if let Some(text) = edited {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        store.record_curation(&now, HAND_EDIT, &text, None)?;
    }
    let mut undoes = None;
    let mut taken_back: Vec<i64> = Vec::new();
    let done = match edit {
        Edit::Undo => {
            let records = store.curation()?;
            let Some(last) = records.last() else {
                return Err(refuse("there is no change to the themes to undo".into()));
            };
            curation = match records.len().checked_sub(2).map(|i| &records[i]) {
                Some(before) => Curation::parse(&before.decisions, "the store's earlier decisions")?,
                None => Curation::default(),
            };
            // While only `theme` commands ran since the change, the runs they made are taken
            // back too, so the themes are made again from the run before it, as they were; after
            // a plain `analyze` the decision is only dropped from then on.
            if let Some(run_id) = last.run_id {
                let since = store.runs_since(run_id)?;
                if since.first().is_some_and(|(id, _)| *id == run_id) && since.iter().all(|(_, c)| c.is_some()) {
                    taken_back = since.into_iter().map(|(id, _)| id).collect();
                }
            }
            undoes = Some(last.id);
            format!("undid `{}`", last.command)
        }
        edit => {
            let next = curation.next_id(store.next_theme_id()?);
            change(&mut curation, edit, &analysis, next, &options.themes()).map_err(refuse)?
        }
    };
    drop(analysis);
    for &id in &taken_back {
        store.set_run_undone(id, true)?;
    }
    let last = store.last_run_id()?;
    let request = Request { curation, command: edit.command(), undoes };
    let made = run(&options, &lock, Some(&request));
    // Taken-back runs come back only when the run recorded nothing (it failed before the store).
    if made.is_err() && store.last_run_id()? == last {
        for &id in &taken_back {
            store.set_run_undone(id, false)?;
        }
    }
    let mut analysis = made?;
    analysis.run.notes.splice(0..0, notes);
    Ok((analysis, done))
}

/// Changes the decisions as `edit` asks, after checking it against the stored analysis;
/// returns what was done, in words, or why it cannot be.
/// `next` is the first theme id never used.
fn change(
    curation: &mut Curation,
    edit: &Edit,
    analysis: &Analysis,
    next: u32,
    options: &ThemeOptions,
) -> Result<String, String> {
    let themes = &analysis.model.themes;
    let theme = |id: ThemeId| {
        themes.iter().find(|t| t.id == id).ok_or_else(|| {
            let ids: Vec<String> = themes.iter().map(|t| t.id.to_string()).collect();
            format!("there is no theme {id} in this analysis (its themes: {}; see themes.json)", ids.join(", "))
        })
    };
    let decisions = &mut curation.decisions;
    match edit {
        Edit::Rename { theme: id, label: Some(label) } => {
            let label = label.trim().to_string();
            if label.is_empty() {
                return Err("the label is empty".into());
            }
            theme(*id)?;
            if let Some(other) = themes.iter().find(|t| t.id != *id && t.label.eq_ignore_ascii_case(&label)) {
                return Err(format!(
                    "theme {} is already called “{}”: labels must tell themes apart",
                    other.id, other.label
                ));
            }
            decisions.retain(|d| !matches!(d, Decision::Rename { theme, .. } if theme == id));
            decisions.push(Decision::Rename { theme: *id, label: label.clone() });
            Ok(format!("theme {id} is now called “{label}”"))
        }
        Edit::Rename { theme: id, label: None } => {
            if decisions.iter().any(|d| matches!(d, Decision::Pin { theme, .. } if theme == id)) {
                return Err(format!(
                    "theme {id} is pinned, label included: unpin it (`theme pin {id} --clear`) to let its keywords label it"
                ));
            }
            let before = decisions.clone();
            decisions.retain(|d| !matches!(d, Decision::Rename { theme, .. } if theme == id));
            for d in decisions.iter_mut() {
                if let Decision::Merge { into, label, .. } = d {
                    if into == id {
                        *label = None;
                    }
                }
            }
            if *decisions == before {
                return Err(format!("theme {id} has no label given by the analyst to take back"));
            }
            Ok(format!("theme {id} is labelled from its keywords again"))
        }
        Edit::Merge { themes: ids, label } => {
            let ids = crate::curation::distinct(ids);
            if ids.len() < 2 {
                return Err("a merge needs at least two different themes".into());
            }
            let merged = ids.iter().map(|&id| theme(id)).collect::<Result<Vec<_>, _>>()?;
            let largest = merged.iter().max_by_key(|t| (t.size, std::cmp::Reverse(t.id))).expect("two themes");
            let label = label.as_ref().map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
            decisions.push(Decision::Merge { themes: ids.clone(), into: largest.id, label });
            let size: usize = merged.iter().map(|t| t.size).sum();
            Ok(format!("themes {} are now theme {} ({} documents)", list(&ids), largest.id, size))
        }
        Edit::Split { theme: id, into } => {
            let t = theme(*id)?;
            if let Some(n) = into.filter(|&n| n < 2 || n > t.size) {
                return Err(format!("theme {id} has {} documents: --into {n} needs 2 to {}", t.size, t.size));
            }
            if t.size < 4 {
                return Err(format!("theme {id} has only {} documents, too few to split", t.size));
            }
            let parts = match into {
                Some(n) => *n,
                None => {
                    let docs = &analysis.corpus.documents;
                    let members: Vec<usize> =
                        (0..docs.len()).filter(|&i| themes[analysis.model.assignments[i]].id == *id).collect();
                    let found = themes::split_members(docs, analysis.vectors.view(), &members, None, options)
                        .map_err(|e| e.to_string())?;
                    let n = found.iter().max().map_or(1, |m| m + 1);
                    if n < 2 {
                        return Err(format!("theme {id}'s documents form one group; give --into N to split it anyway"));
                    }
                    n
                }
            };
            let ids: Vec<ThemeId> = (next..next + parts as u32).map(ThemeId).collect();
            decisions.push(Decision::Split { theme: *id, into: ids.clone() });
            Ok(format!("theme {id} is split into themes {}", list(&ids)))
        }
        Edit::Move { documents, to } => {
            theme(*to)?;
            if documents.is_empty() {
                return Err("name the documents to move (their doc_id in documents.csv, or their path)".into());
            }
            let docs = &analysis.corpus.documents;
            let mut paths = Vec::new();
            for wanted in documents {
                let doc = docs.iter().find(|d| d.doc_id == *wanted || d.path == *wanted).ok_or_else(|| {
                    format!("no document {wanted} in this analysis (give its doc_id in documents.csv, or its path)")
                })?;
                // By path: a doc_id is the hash of the file, which an edit of the page changes.
                paths.push(doc.path.clone());
            }
            let n = paths.len();
            decisions.push(Decision::Move { documents: paths, to: *to });
            Ok(format!("{} put in theme {to}", crate::plural(n, "document")))
        }
        Edit::Pin { theme: id, clear: false } => {
            let t = theme(*id)?;
            if decisions.iter().any(|d| matches!(d, Decision::Pin { theme, .. } if theme == id)) {
                return Err(format!("theme {id} is pinned already"));
            }
            decisions.push(Decision::Pin { theme: *id, label: t.label.clone() });
            Ok(format!("theme {id} (“{}”, {} documents) is pinned", t.label, t.size))
        }
        Edit::Pin { theme: id, clear: true } => {
            let before = decisions.len();
            decisions.retain(|d| !matches!(d, Decision::Pin { theme, .. } if theme == id));
            if decisions.len() == before {
                return Err(format!("theme {id} is not pinned"));
            }
            Ok(format!("theme {id} is no longer pinned"))
        }
        Edit::Undo => unreachable!("undo changes no decision"),
    }
}

fn list(ids: &[ThemeId]) -> String {
    ids.iter().map(ThemeId::to_string).collect::<Vec<_>>().join(", ")
}

/// How the store names a change made by editing the file.
pub(super) const HAND_EDIT: &str = "curation.toml edited by hand";

/// The decisions a plain run applies: those of OUT/curation.toml, or, when the file is missing
/// but the store has decisions, the store's (the file is written again, and a note says so).
/// The second value is the file's text when it differs from what the store has, that is, when
/// it was edited by hand since.
pub(super) fn decisions_in(
    out: &Path,
    store: &Store,
    notes: &mut Vec<String>,
) -> Result<(Curation, Option<String>), AnalyzeError> {
    let recorded = store.curation()?.pop();
    match Curation::load(out)? {
        Some((curation, text)) => {
            // Decisions compared, not text: a comment or a blank line is no change.
            let edited = match &recorded {
                Some(r) => Curation::parse(&r.decisions, "the store's decisions").ok().as_ref() != Some(&curation),
                None => !curation.decisions.is_empty(),
            };
            Ok((curation, edited.then_some(text)))
        }
        None => {
            let Some(record) = recorded else { return Ok((Curation::default(), None)) };
            let curation = Curation::parse(&record.decisions, "the store's decisions")?;
            if !curation.decisions.is_empty() {
                curation.save(out)?;
                notes.push(format!(
                    "{}: {} was missing and was written again from the store ({}); to drop them, empty the file instead",
                    out.display(),
                    CURATION_FILE,
                    crate::plural(curation.decisions.len(), "decision")
                ));
            }
            Ok((curation, None))
        }
    }
}
