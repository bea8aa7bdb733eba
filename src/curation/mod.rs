//! An analyst's decisions on the themes: rename, merge, split, move documents, pin. They are
//! kept in `OUT/curation.toml` (readable, editable, fit for version control) and in the store,
//! and applied by every run after the clustering (see [`apply`]), so that they last across
//! refreshes instead of being redrawn with the themes.

mod apply;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::themes::ThemeId;
pub use apply::{apply, Applied, Before};

/// Ids beyond this are typing errors, not themes: a run makes at most a few hundred.
const MAX_THEME_ID: u32 = 1_000_000;

/// File name of the decisions inside the output folder.
pub const CURATION_FILE: &str = "curation.toml";

/// One decision, as the file holds it. Decisions apply in the order of the file, so a later
/// one can build on an earlier one (split a theme, then merge one of its parts elsewhere).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "lowercase", deny_unknown_fields)]
pub enum Decision {
    /// The theme is called `label`, whatever its keywords say.
    Rename { theme: ThemeId, label: String },
    /// The themes become one, `into` (the largest when the command made it); the others are
    /// retired and their ids never used again.
    Merge {
        themes: Vec<ThemeId>,
        into: ThemeId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// The theme's documents, clustered alone, become the themes `into` (largest first); the
    /// theme is retired.
    Split { theme: ThemeId, into: Vec<ThemeId> },
    /// The documents (by `doc_id`) belong to theme `to`.
    Move { documents: Vec<String>, to: ThemeId },
    /// The theme keeps its members (new pages may join it, none leave) and its label.
    Pin { theme: ThemeId, label: String },
}

impl Decision {
    /// The decision in a few words, for the report's method section and notes.
    pub fn describe(&self) -> String {
        let list = |ids: &[ThemeId]| ids.iter().map(ThemeId::to_string).collect::<Vec<_>>().join(", ");
        match self {
            Decision::Rename { theme, label } => format!("theme {theme} named “{label}”"),
            Decision::Merge { themes, into, label } => {
                let named = label.as_ref().map(|l| format!(", named “{l}”")).unwrap_or_default();
                format!("themes {} merged into theme {into}{named}", list(themes))
            }
            Decision::Split { theme, into } => format!("theme {theme} split into themes {}", list(into)),
            Decision::Move { documents, to } => {
                format!("{} put in theme {to}", crate::plural(documents.len(), "document"))
            }
            Decision::Pin { theme, label } => format!("theme {theme} (“{label}”) pinned"),
        }
    }

    /// Every theme id the decision names.
    fn ids(&self) -> Vec<ThemeId> {
        match self {
            Decision::Rename { theme, .. } | Decision::Pin { theme, .. } => vec![*theme],
            Decision::Merge { themes, into, .. } => themes.iter().copied().chain([*into]).collect(),
            Decision::Split { theme, into } => into.iter().copied().chain([*theme]).collect(),
            Decision::Move { to, .. } => vec![*to],
        }
    }

    /// What makes the decision unusable whatever the analysis (an empty label, a merge of one
    /// theme), if anything.
    fn problem(&self) -> Option<String> {
        let blank = |l: &str| l.trim().is_empty();
        if let Some(id) = self.ids().into_iter().find(|id| id.0 > MAX_THEME_ID) {
            return Some(format!("theme id {id} is not a theme's id (see themes.json)"));
        }
        match self {
            Decision::Rename { label, .. } | Decision::Pin { label, .. } if blank(label) => {
                Some("the label is empty".into())
            }
            Decision::Merge { label: Some(label), .. } if blank(label) => Some("the label is empty".into()),
            Decision::Merge { themes, into, .. } => {
                if distinct(themes).len() < 2 {
                    Some("a merge needs at least two different themes".into())
                } else if !themes.contains(into) {
                    Some(format!("`into` ({into}) must be one of the merged themes"))
                } else {
                    None
                }
            }
            Decision::Split { theme, into } => {
                if into.len() < 2 || distinct(into).len() < into.len() {
                    Some("a split needs at least two different new ids".into())
                } else if into.contains(theme) {
                    Some("a split's new themes need new ids".into())
                } else {
                    None
                }
            }
            Decision::Move { documents, .. } if documents.is_empty() => Some("no documents are named".into()),
            _ => None,
        }
    }
}

/// The ids, each once, in order.
pub fn distinct(ids: &[ThemeId]) -> Vec<ThemeId> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    ids
}

/// The analyst's decisions on one analysis, in the order they apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Curation {
    #[serde(default, rename = "decision")]
    pub decisions: Vec<Decision>,
}

/// Errors of reading or writing the decisions.
#[derive(Debug, thiserror::Error)]
pub enum CurationError {
    /// The file cannot be used; `line` is where the problem is. Nothing is changed.
    #[error("{path}:{line}: {why}; nothing was changed (correct the file, or remove the decision)")]
    Malformed { path: String, line: usize, why: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// The file's form: each decision as a table, with where it stands, for messages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Spans {
    #[serde(default)]
    decision: Vec<toml::Spanned<toml::Table>>,
}

/// Every field a decision may have, typed but untagged: read only to place a wrong value.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Fields {
    action: String,
    theme: Option<ThemeId>,
    themes: Option<Vec<ThemeId>>,
    into: Option<toml::Value>,
    label: Option<String>,
    documents: Option<Vec<String>>,
    to: Option<ThemeId>,
}

/// What heads the file, so that a reader knows what it is and how it is used.
const HEADER: &str = "\
# Decisions an analyst made on the themes of this analysis, applied in this order on every
# `themescope analyze` of this output folder (see `themescope theme --help`). The `theme`
# commands write this file; it may also be edited by hand: a file themescope cannot read is
# refused with its line, and nothing is changed. Ids are the themes' ids in themes.json.
";

impl Curation {
    /// Reads decisions from TOML text (`path` names it in messages). A malformed file, an
    /// unknown action or field, or a decision that could never apply is refused with its line.
    pub fn parse(text: &str, path: &str) -> Result<Curation, CurationError> {
        let line_at = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let malformed = |line, why| CurationError::Malformed { path: path.to_string(), line, why };
        let spans: Spans = toml::from_str(text)
            .map_err(|e| malformed(e.span().map_or(1, |s| line_at(s.start)), e.message().trim().to_string()))?;
        let mut split_ids: Vec<ThemeId> = Vec::new();
        let mut decisions = Vec::with_capacity(spans.decision.len());
        for spanned in spans.decision {
            let span = spanned.span();
            let line = line_at(span.start);
            drop(spanned);
            // The table read again alone, from the line after its header to the next header,
            // so that a wrong field or value is named at its own line.
            let body: String = text[span.start..]
                .lines()
                .enumerate()
                .skip(1)
                .take_while(|(_, l)| !l.trim_start().starts_with('['))
                .map(|(_, l)| format!("{l}\n"))
                .collect();
            let decision: Decision = toml::from_str(&body).map_err(|e| {
                let why = e.message().trim().to_string();
                // A wrong value comes with its place; an unknown field or action (the tag is read
                // before the fields, without places) is found by its key.
                let key = match why.split('`').nth(1) {
                    Some(field) if why.starts_with("unknown field") => Some(field),
                    _ if why.starts_with("unknown variant") => Some("action"),
                    _ => None,
                };
                let keyed = |key: &str| {
                    body.lines().position(|l| {
                        l.trim_start().strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='))
                    })
                };
                // Read without the tag, the fields' values come with their places.
                let span = e.span().or_else(|| toml::from_str::<Fields>(&body).err().and_then(|e| e.span()));
                let within = match span {
                    Some(s) => Some(body[..s.start.min(body.len())].matches('\n').count()),
                    None => key.and_then(keyed),
                };
                malformed(within.map_or(line, |n| line + 1 + n), why)
            })?;
            let reused = match &decision {
                Decision::Split { into, .. } => into.iter().find(|id| split_ids.contains(id)).copied(),
                _ => None,
            };
            let why = decision
                .problem()
                .or_else(|| reused.map(|id| format!("theme id {id} is already given to another split's part")));
            if let Some(why) = why {
                return Err(malformed(line, why));
            }
            if let Decision::Split { into, .. } = &decision {
                split_ids.extend(into);
            }
            decisions.push(decision);
        }
        Ok(Curation { decisions })
    }

    /// The decisions as the file holds them, with its header.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("decisions serialise");
        format!("{HEADER}\n{body}")
    }

    /// Reads `OUT/curation.toml`; `None` when there is no such file.
    pub fn load(out: &Path) -> Result<Option<(Curation, String)>, CurationError> {
        let path = out.join(CURATION_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some((Curation::parse(&text, &path.display().to_string())?, text))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(CurationError::Io { path: path.display().to_string(), source }),
        }
    }

    /// Writes `OUT/curation.toml` whole or not at all (a temporary file renamed over it), or
    /// removes it when there are no decisions left.
    pub fn save(&self, out: &Path) -> Result<(), CurationError> {
        let path = out.join(CURATION_FILE);
        let io = |source| CurationError::Io { path: path.display().to_string(), source };
        if self.decisions.is_empty() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
                _ => Ok(()),
            };
        }
        let temporary = out.join(format!(".{CURATION_FILE}.tmp"));
        std::fs::write(&temporary, self.to_toml()).map_err(io)?;
        std::fs::rename(&temporary, &path).map_err(io)
    }

    /// The first theme id no decision names (split parts are ids no run has used yet), given
    /// `used`, the first id no run used.
    pub fn next_id(&self, used: u32) -> u32 {
        let named = self.decisions.iter().flat_map(Decision::ids).max().map_or(0, |id| id.0.saturating_add(1));
        used.max(named)
    }

    /// The themes whose members the analyst decided (merged, split, pinned).
    fn curated(&self) -> Vec<ThemeId> {
        self.curated_and_retired().0
    }

    /// [`Curation::curated`], and the ids retired by merges and splits.
    fn curated_and_retired(&self) -> (Vec<ThemeId>, Vec<ThemeId>) {
        let (mut curated, mut retired) = (Vec::new(), Vec::new());
        for d in &self.decisions {
            match d {
                Decision::Merge { themes, into, .. } => {
                    curated.push(*into);
                    retired.extend(themes.iter().filter(|t| *t != into));
                }
                Decision::Split { theme, into } => {
                    curated.extend(into);
                    retired.push(*theme);
                }
                Decision::Pin { theme, .. } => curated.push(*theme),
                Decision::Rename { .. } | Decision::Move { .. } => {}
            }
        }
        curated.retain(|t| !retired.contains(t));
        (curated, retired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[u32]) -> Vec<ThemeId> {
        v.iter().copied().map(ThemeId).collect()
    }

    #[test]
    fn every_kind_of_decision_round_trips_through_the_file() {
        let curation = Curation {
            decisions: vec![
                Decision::Rename { theme: ThemeId(3), label: "Circular economy pilots".into() },
                Decision::Merge { themes: ids(&[4, 7]), into: ThemeId(4), label: None },
                Decision::Merge {
                    themes: ids(&[1, 2]),
                    into: ThemeId(2),
                    label: Some("Water \"and\" sanitation".into()),
                },
                Decision::Split { theme: ThemeId(5), into: ids(&[21, 22]) },
                Decision::Move { documents: vec!["ab12".into(), "cd34".into()], to: ThemeId(8) },
                Decision::Pin { theme: ThemeId(8), label: "Mobile money".into() },
            ],
        };
        let text = curation.to_toml();
        assert!(text.starts_with("# Decisions"), "{text}");
        assert_eq!(Curation::parse(&text, "curation.toml").unwrap(), curation);
        assert_eq!((curation.next_id(0), curation.next_id(40)), (23, 40));
        let (curated, retired) = curation.curated_and_retired();
        assert_eq!((curated, retired), (ids(&[4, 2, 21, 22, 8]), ids(&[7, 1, 5])));
    }

    #[test]
    fn an_empty_file_holds_no_decisions() {
        assert_eq!(Curation::parse("# nothing yet\n", "c").unwrap(), Curation::default());
    }

    #[test]
    fn a_malformed_file_is_refused_with_its_line() {
        let line = |text: &str| match Curation::parse(text, "curation.toml") {
            Err(CurationError::Malformed { line, why, .. }) => (line, why),
            other => panic!("{other:?}"),
        };
        let unknown_action = "# x\n\n[[decision]]\naction = \"rename\"\ntheme = 1\nlabel = \"A\"\n\n[[decision]]\naction = \"recolour\"\ntheme = 2\n";
        assert_eq!(line(unknown_action).0, 9, "{:?}", line(unknown_action));
        let bad_syntax = "[[decision]]\naction = \"pin\"\ntheme = = 3\n";
        assert_eq!(line(bad_syntax).0, 3);
        let typo = "[[decision]]\naction = \"rename\"\ntheme = 1\nlable = \"A\"\n";
        assert_eq!(line(typo).0, 4, "{:?}", line(typo));
        assert!(line(typo).1.contains("lable"), "{:?}", line(typo));
        let wrong_type = "[[decision]]\naction = \"pin\"\nlabel = \"x\"\ntheme = \"three\"\n";
        assert_eq!(line(wrong_type).0, 4, "{:?}", line(wrong_type));
        let missing = "[[decision]]\naction = \"pin\"\n";
        assert_eq!(line(missing).0, 1, "{:?}", line(missing));
        let other_table = "[[decisions]]\naction = \"pin\"\n";
        assert_eq!(line(other_table).0, 1, "{:?}", line(other_table));
        let one_theme = "[[decision]]\naction = \"rename\"\ntheme = 1\nlabel = \"A\"\n[[decision]]\naction = \"merge\"\nthemes = [4, 4]\ninto = 4\n";
        assert_eq!(line(one_theme), (5, "a merge needs at least two different themes".into()));
        let blank = "[[decision]]\naction = \"rename\"\ntheme = 1\nlabel = \"  \"\n";
        assert_eq!(line(blank).1, "the label is empty");
        let reused = "[[decision]]\naction = \"split\"\ntheme = 1\ninto = [8, 9]\n[[decision]]\naction = \"split\"\ntheme = 2\ninto = [9, 10]\n";
        assert_eq!(line(reused).0, 5);
    }

    #[test]
    fn saving_no_decisions_removes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let curation = Curation { decisions: vec![Decision::Pin { theme: ThemeId(1), label: "A".into() }] };
        curation.save(dir.path()).unwrap();
        assert_eq!(Curation::load(dir.path()).unwrap().unwrap().0, curation);
        Curation::default().save(dir.path()).unwrap();
        assert!(Curation::load(dir.path()).unwrap().is_none());
    }
}
