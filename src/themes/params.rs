//! Parameters of the stage, with their defaults in one place: the options a caller chooses
//! ([`ThemeOptions`], checked once by [`ThemeOptions::check`] before any work) and the
//! labelling tunables ([`LabelParams`], calibrated on the shared corpora).

use super::label;
use super::ThemeError;

/// How many themes to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeCount {
    /// Chosen by silhouette among sizes around √(n/2).
    Auto,
    /// At least 1. A corpus with fewer documents gets one theme per document at most: that is the
    /// data, not a wrong option, and the analysis notes it.
    Fixed(usize),
}

impl ThemeCount {
    /// "auto", or the number.
    pub fn name(self) -> String {
        match self {
            ThemeCount::Auto => "auto".into(),
            ThemeCount::Fixed(n) => n.to_string(),
        }
    }
}

impl std::str::FromStr for ThemeCount {
    type Err = String;

    fn from_str(s: &str) -> Result<ThemeCount, String> {
        match s {
            "auto" => Ok(ThemeCount::Auto),
            n => n
                .parse()
                .ok()
                .filter(|&n: &usize| n > 0)
                .map(ThemeCount::Fixed)
                .ok_or_else(|| format!("{n:?}: the number of themes is auto or a positive number")),
        }
    }
}

/// Recorded as `"auto"` or the number asked for.
impl serde::Serialize for ThemeCount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ThemeCount::Auto => serializer.serialize_str("auto"),
            ThemeCount::Fixed(n) => serializer.serialize_u64(*n as u64),
        }
    }
}

impl<'de> serde::Deserialize<'de> for ThemeCount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<ThemeCount, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Recorded {
            Number(usize),
            Word(String),
        }
        match Recorded::deserialize(deserializer)? {
            Recorded::Number(n) => Ok(ThemeCount::Fixed(n)),
            Recorded::Word(w) => w.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// Options of theme discovery.
#[derive(Debug, Clone)]
pub struct ThemeOptions {
    pub count: ThemeCount,
    pub seed: u64,
    /// Keywords kept per theme, best first; at least the [`label::HEAD`] that labels and
    /// coherence are made of.
    pub keywords: usize,
    /// Representative documents kept per theme.
    pub representatives: usize,
    /// The model reads every language of the corpus: themes are fitted on all pages together.
    /// Otherwise they are fitted on the pages of the main language and the others join them
    /// (see [`fit_on_main_language`](super::languages::fit_on_main_language)). Either way each
    /// language's mean direction is removed first (see [`language_centred`](super::language_centred)).
    pub multilingual: bool,
}

impl Default for ThemeOptions {
    fn default() -> Self {
        ThemeOptions { count: ThemeCount::Auto, seed: 42, keywords: 30, representatives: 5, multilingual: false }
    }
}

impl ThemeOptions {
    /// Refuses options no corpus can satisfy, as linfa's parameter checks do, so that the
    /// stage never quietly runs with other values than those asked for.
    pub fn check(&self) -> Result<(), ThemeError> {
        if self.count == ThemeCount::Fixed(0) {
            return Err(ThemeError::InvalidParam {
                name: "count",
                why: "a fixed number of themes is at least 1".into(),
            });
        }
        if self.keywords < label::HEAD {
            return Err(ThemeError::InvalidParam {
                name: "keywords",
                why: format!("{} kept, fewer than the {} head keywords labels are made of", self.keywords, label::HEAD),
            });
        }
        Ok(())
    }
}

/// The tunables of theme labelling (see [`Describer`](super::describe::Describer)). Not options:
/// each was set by measuring labels on the shared corpora, as its note says.
#[derive(Debug, Clone)]
pub struct LabelParams {
    /// Candidate terms ranked by c-TF-IDF for each class …
    pub candidates: usize,
    /// … of which the first this many in the class's language are scored for the head.
    pub pool: usize,
    /// Places listed per theme, and subject names.
    pub places: usize,
    /// Keywords listed per other language.
    pub other_language_keywords: usize,
    /// A language needs this many of a theme's documents to get keywords of its own.
    pub min_other_language_docs: usize,
    /// … and each of those keywords must be this many times as common among them as among all
    /// of that language's pages (a language whose pages are nearly all in the theme gets none).
    pub other_language_lift: f32,
    /// Weight of a term's [`association`](super::head::association) with the theme's pages
    /// (coverage × ln lift) against its closeness to the theme centre when scoring head
    /// candidates. It replaced 0.75 × coverage + 0.25 × specificity, which let words every theme
    /// uses lead ("country, offer, skills"): see docs/labels.md, "How labels and names are made"
    /// for the figures.
    pub association_weight: f32,
    /// Weight, when picking each head term after the first, of the share of the theme's pages
    /// using the terms already picked that also use it: a keyword list whose words are said on
    /// the same pages describes those pages (NPMI), where words each from another few pages
    /// describe none of them.
    pub together_weight: f32,
    /// Terms on more than this share of all the corpus's documents are its common vocabulary
    /// ("undp" in a corpus of UNDP pages), not what one theme is about: like CountVectorizer's
    /// `max_df`, they are kept out of the head of keyword lists.
    pub max_corpus_share: f64,
    /// A single word gives way to a pool pair containing it ("intelligence" to "artificial
    /// intelligence") when the pair is on at least this share of the pages the word is on.
    pub pair_over_word: f32,
    /// Relevance against novelty when picking head terms (1 = relevance only).
    pub mmr_lambda: f32,
}

impl Default for LabelParams {
    fn default() -> Self {
        LabelParams {
            candidates: 120,
            pool: 30,
            places: 8,
            other_language_keywords: 10,
            min_other_language_docs: 5,
            other_language_lift: 2.0,
            association_weight: 0.5,
            together_weight: 1.0,
            max_corpus_share: 0.3,
            pair_over_word: 0.5,
            mmr_lambda: 0.85,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(options: ThemeOptions) -> &'static str {
        match options.check() {
            Err(ThemeError::InvalidParam { name, .. }) => name,
            other => panic!("{options:?} gave {other:?}"),
        }
    }

    #[test]
    fn the_defaults_pass() {
        assert!(ThemeOptions::default().check().is_ok());
    }

    #[test]
    fn no_themes_is_refused() {
        assert_eq!(refused(ThemeOptions { count: ThemeCount::Fixed(0), ..ThemeOptions::default() }), "count");
        assert!(ThemeOptions { count: ThemeCount::Fixed(1), ..ThemeOptions::default() }.check().is_ok());
    }

    #[test]
    fn no_keywords_is_refused() {
        assert_eq!(refused(ThemeOptions { keywords: 0, ..ThemeOptions::default() }), "keywords");
    }

    #[test]
    fn fewer_keywords_than_the_head_is_refused() {
        assert_eq!(refused(ThemeOptions { keywords: label::HEAD - 1, ..ThemeOptions::default() }), "keywords");
        assert!(ThemeOptions { keywords: label::HEAD, ..ThemeOptions::default() }.check().is_ok());
    }

    #[test]
    fn any_seed_representatives_and_language_choice_pass() {
        for options in [
            ThemeOptions { seed: 0, ..ThemeOptions::default() },
            ThemeOptions { seed: u64::MAX, ..ThemeOptions::default() },
            ThemeOptions { representatives: 0, ..ThemeOptions::default() },
            ThemeOptions { multilingual: true, ..ThemeOptions::default() },
        ] {
            assert!(options.check().is_ok(), "{options:?}");
        }
    }
}
