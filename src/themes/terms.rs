//! Term statistics of a corpus, gathered once for labels, evaluation and comparison: each
//! page's 1-2 word terms (template lines left out), which words are proper names, and which
//! language each term belongs to.

use std::collections::{BTreeMap, HashMap, HashSet};

use ndarray::Array2;
use rayon::prelude::*;

use super::label::{self, StopWords, TermMap};
use super::places::{self, ProperNames};
use super::ThemeError;
use crate::ingest::Document;

/// Vectors of short texts (terms, taxonomy entries), one unit row per text, in the model's
/// space. The analysis gives the sentence model (through the vector cache).
pub trait TermVectors {
    fn vectors(&self, terms: &[&str]) -> Result<Array2<f32>, ThemeError>;
}

/// Term statistics of a corpus, gathered once and shared by theme and parent labels,
/// evaluation and comparison.
pub struct TermStats {
    /// The 1-2 word terms of each document with their counts.
    pub per_doc: Vec<TermMap<String, f64>>,
    pub proper: ProperNames,
    pub stop: StopWords,
}

/// Stop words for a corpus: the base languages plus every language detected in it.
pub fn corpus_stop_words(documents: &[Document]) -> StopWords {
    let langs: HashSet<&str> = documents.iter().filter_map(|d| d.language.as_deref()).collect();
    label::stop_words(langs)
}

/// A line is a template's when this many documents (or more) carry it word for word …
const TEMPLATE_MIN_DOCS: usize = 5;
/// … or this share of the corpus, when that is more …
const TEMPLATE_MIN_SHARE: f64 = 0.005;
/// … and it is at most this long (a long line repeated is a copied paragraph, said on purpose).
const TEMPLATE_MAX_CHARS: usize = 120;

/// Lines that many pages carry word for word: a form's fields and answers ("- short term (up to
/// 1 year)", "## Time Frame"), a site's leftovers. They say how a page was made, not what it is
/// about, so their words are no theme's terms (on the solution pages they gave labels such as
/// "Farm managemnt and short term").
fn template_lines(documents: &[Document]) -> HashSet<&str> {
    let min = TEMPLATE_MIN_DOCS.max((TEMPLATE_MIN_SHARE * documents.len() as f64).ceil() as usize);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for d in documents {
        let lines: HashSet<&str> = d
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && l.chars().count() <= TEMPLATE_MAX_CHARS)
            .collect();
        lines.into_iter().for_each(|l| *counts.entry(l).or_insert(0) += 1);
    }
    counts.into_iter().filter(|&(_, n)| n >= min).map(|(l, _)| l).collect()
}

/// Words that say how something was said or written, not what it is about: verbs of saying,
/// discourse and stance adverbs, and the vocabulary of pages and their chrome (English, Spanish,
/// French, Portuguese). A country's or a year's distinctive terms are read as what it talks
/// about; these say nothing of that ("told", "undoubtedly", "siguientes", "author").
const FILLER: &[&str] = &[
    // saying and thinking
    "said",
    "says",
    "say",
    "told",
    "tell",
    "tells",
    "explain",
    "explained",
    "explains",
    "mentioned",
    "noted",
    "stated",
    "asked",
    "added",
    "argued",
    "claimed",
    "claim",
    "believe",
    "believed",
    "think",
    "thought",
    "hear",
    "heard",
    "know",
    "knew",
    "learned",
    "learnt",
    "shared",
    "share",
    "discussed",
    "highlighted",
    "emphasized",
    "stressed",
    "pointed",
    "captured",
    "dijo",
    "explicó",
    "señaló",
    "comentó",
    "afirmó",
    "indicó",
    "destacó",
    "mencionó",
    "generó",
    "realizó",
    "permitió",
    "dit",
    "explique",
    "expliqué",
    "souligné",
    "disse",
    "explicou",
    // stance and discourse
    "undoubtedly",
    "indeed",
    "actually",
    "basically",
    "certainly",
    "clearly",
    "obviously",
    "really",
    "simply",
    "pretty",
    "quite",
    "rather",
    "purely",
    "mainly",
    "mostly",
    "especially",
    "particularly",
    "closest",
    "coming",
    "siguientes",
    "siguiente",
    "anterior",
    "mismo",
    "misma",
    "cada",
    "través",
    "suivants",
    "seguintes",
    // pages, posts and their chrome
    "author",
    "authors",
    "autor",
    "autores",
    "auteur",
    "blog",
    "blogs",
    "blogpost",
    "post",
    "posts",
    "article",
    "content",
    "contexts",
    "context",
    "details",
    "detail",
    "topic",
    "topics",
    "terms",
    "purposes",
    "purpose",
    "email",
    "e-mail",
    "photo",
    "photos",
    "credit",
    "credits",
    "image",
    "images",
    "picture",
    "click",
    "link",
    "links",
    "read",
    "page",
    "pages",
    "website",
    "subscribe",
    "follow",
    "newsletter",
    "contact",
    "comments",
    "suggestion",
    "suggestions",
    "diagram",
    "figure",
    "table",
    "annex",
    "eyes",
    "love",
    "misses",
    "blowing",
    // generic nouns of reporting
    "main",
    "findings",
    "type",
    "types",
    "sort",
    "kind",
    "kinds",
    "perspective",
    "learnings",
    "percent",
    "inability",
    "closer",
    "improve",
    "facing",
    "reflecting",
    "editing",
];

/// Whether a term can say what a group of pages talks about: no word of it is a filler word
/// ([`FILLER`]) or a stance adverb ("-ly", "-mente"), and it does not end with an English past
/// form ("captured", "challenges faced") or a Spanish or Portuguese preterite ("generó"): a noun,
/// a noun phrase or a name as far as spelling tells without a tagger.
pub fn is_content_term(term: &str) -> bool {
    let words: Vec<&str> = term.split(' ').collect();
    let adverb = |w: &str| (w.len() > 4 && w.ends_with("ly")) || (w.len() > 7 && w.ends_with("mente"));
    let past = |w: &str| (w.len() > 4 && w.ends_with("ed")) || w.ends_with(['ó', 'ô']);
    let last = words.last().copied().unwrap_or_default();
    !words.iter().any(|w| FILLER.contains(w) || adverb(w)) && !past(last)
}

/// A word said inside a place's name is not said on its own: "north" of "North Macedonia",
/// "costa" of "Costa Rica" count only where the page uses them outside the name. A term pair
/// counts each time its words stand together, so a word's uses outside a place name are its
/// count less the place's.
fn without_place_words(counts: &mut TermMap<String, f64>, gazetteer: &super::places::Gazetteer) {
    let places: Vec<(String, f64)> = counts
        .iter()
        .filter(|(t, _)| t.contains(' ') && gazetteer.is_place_name(t))
        .map(|(t, &n)| (t.clone(), n))
        .collect();
    for (place, n) in places {
        for word in place.split(' ') {
            if let Some(count) = counts.get_mut(word) {
                *count -= n;
                if *count <= 0.0 {
                    counts.remove(word);
                }
            }
        }
    }
}

impl TermStats {
    pub fn gather(documents: &[Document], gazetteer: &super::places::Gazetteer) -> TermStats {
        let stop = corpus_stop_words(documents);
        let template = template_lines(documents);
        let per_doc = documents
            .par_iter()
            .map(|d| {
                let mut counts: TermMap<String, f64> = TermMap::default();
                let own: Vec<&str> = d.text.lines().filter(|l| !template.contains(l.trim())).collect();
                let text = format!("{}\n{}", d.stated_title().unwrap_or_default(), own.join("\n"));
                label::for_each_term(&text, &stop, |t| match counts.get_mut(t) {
                    Some(n) => *n += 1.0,
                    None => {
                        counts.insert(t.to_string(), 1.0);
                    }
                });
                without_place_words(&mut counts, gazetteer);
                counts
            })
            .collect();
        type Evidence = (TermMap<String, usize>, TermMap<String, usize>);
        let add = |mut into: TermMap<String, usize>, from: TermMap<String, usize>| {
            for (w, n) in from {
                *into.entry(w).or_insert(0) += n;
            }
            into
        };
        let (capitalised, lower): Evidence = documents
            .par_iter()
            .fold(Evidence::default, |(mut cap, mut low), d| {
                let (c, l) = places::case_evidence(&d.text);
                c.into_iter().for_each(|w| *cap.entry(w).or_insert(0) += 1);
                l.into_iter().for_each(|w| *low.entry(w).or_insert(0) += 1);
                (cap, low)
            })
            .reduce(Evidence::default, |a, b| (add(a.0, b.0), add(a.1, b.1)));
        TermStats { per_doc, proper: ProperNames::from_counts(&capitalised, &lower), stop }
    }

    /// Terms used by at least this many documents of the corpus are theme candidates: a term of
    /// one page names that page, not a theme (in a tiny corpus every term is rare).
    pub(super) fn min_docs(&self) -> usize {
        if self.per_doc.len() >= 20 {
            2
        } else {
            1
        }
    }
}

/// Which language a term belongs to, from the languages of the documents that use it.
pub struct TermLanguages<'a> {
    /// Documents using each term, in all.
    total: TermMap<&'a str, usize>,
    /// … and per language, for every language but the corpus's main one (derived).
    by_language: BTreeMap<&'a str, TermMap<&'a str, usize>>,
    /// Documents per language.
    pub(super) sizes: BTreeMap<&'a str, usize>,
    main: Option<&'a str>,
}

/// A term belongs to a language when at least this share of its use (see
/// [`TermLanguages::share`]) is there …
const OWN_LANGUAGE_SHARE: f64 = 0.8;
/// … and may describe pages of a language when at least this share is.
const MIN_LANGUAGE_SHARE: f64 = 0.2;

impl<'a> TermLanguages<'a> {
    pub fn new(documents: &'a [Document], stats: &'a TermStats) -> Self {
        let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
        for d in documents {
            *sizes.entry(language_of(d)).or_insert(0) += 1;
        }
        let main = sizes.iter().filter(|(l, _)| **l != UNKNOWN).max_by_key(|(_, n)| **n).map(|(l, _)| *l);
        let mut total: TermMap<&str, usize> = TermMap::default();
        let mut by_language: BTreeMap<&str, TermMap<&str, usize>> = BTreeMap::new();
        for (d, terms) in documents.iter().zip(&stats.per_doc) {
            let lang = language_of(d);
            let own = (Some(lang) != main).then(|| by_language.entry(lang).or_default());
            if let Some(own) = own {
                terms.keys().for_each(|t| *own.entry(t.as_str()).or_insert(0) += 1);
            }
            terms.keys().for_each(|t| *total.entry(t.as_str()).or_insert(0) += 1);
        }
        TermLanguages { total, by_language, sizes, main }
    }

    /// Documents in `language` that use `term`.
    pub(super) fn df(&self, term: &str, language: &str) -> usize {
        if Some(language) == self.main {
            let others: usize = self.by_language.values().map(|m| m.get(term).copied().unwrap_or(0)).sum();
            self.total.get(term).copied().unwrap_or(0).saturating_sub(others)
        } else {
            self.by_language.get(language).and_then(|m| m.get(term)).copied().unwrap_or(0)
        }
    }

    /// Documents of the corpus that use a term.
    pub fn documents_using(&self, term: &str) -> usize {
        self.total.get(term).copied().unwrap_or(0)
    }

    /// How much of a term's use is in `language`: the share of its rate of use (documents using
    /// it over the language's documents) that falls to that language, so that a small language is
    /// weighed as much as a large one.
    pub fn share(&self, term: &str, language: &str) -> f64 {
        let rate = |l: &str| self.df(term, l) as f64 / self.sizes.get(l).copied().unwrap_or(1).max(1) as f64;
        let total: f64 = self.sizes.keys().filter(|l| **l != UNKNOWN).map(|l| rate(l)).sum();
        if total == 0.0 {
            return 0.0;
        }
        rate(language) / total
    }

    /// Whether a term is used in `language` enough to describe its pages: at least
    /// [`MIN_LANGUAGE_SHARE`] of its use ("covid" is, in English and in Spanish pages; "pnud", the
    /// Spanish and French "UNDP", is not, in English ones).
    pub fn used_in(&self, term: &str, language: &str) -> bool {
        self.share(term, language) >= MIN_LANGUAGE_SHARE
    }

    /// The language a term belongs to: the one with at least [`OWN_LANGUAGE_SHARE`] of its use,
    /// or `None` for a term shared by several ("covid").
    pub fn of(&self, term: &str) -> Option<&'a str> {
        self.sizes.keys().copied().filter(|l| *l != UNKNOWN).find(|l| self.share(term, l) >= OWN_LANGUAGE_SHARE)
    }

    /// The corpus's main language.
    pub fn main(&self) -> Option<&'a str> {
        self.main
    }
}

pub(super) const UNKNOWN: &str = "unknown";

pub(super) fn language_of(d: &Document) -> &str {
    d.language.as_deref().unwrap_or(UNKNOWN)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::themes) fn doc(text: &str, language: &str, i: usize) -> Document {
        let mut d = crate::ingest::build_document(text, format!("d{i}"), format!("{i}.txt"));
        d.language = Some(language.to_string());
        d
    }

    /// Theme 0: English pages about waste in Samoa; theme 1: solar; six Spanish pages in each.
    pub(in crate::themes) fn corpus() -> (Vec<Document>, Vec<Option<usize>>) {
        let mut docs = Vec::new();
        let mut classes = Vec::new();
        for i in 0..12 {
            docs.push(doc(
                "# Waste\nThe lab in Samoa studied waste management and recycling of plastic with Anastasia and local families in every village of the island.",
                "en",
                docs.len(),
            ));
            classes.push(Some(0));
            // Spanish pages in both themes: a language's line is told from its common words
            // by the pages of that language outside the theme.
            if i < 6 {
                docs.push(doc(
                    "# Residuos\nEl laboratorio estudió la gestión de residuos y el reciclaje de plástico con familias de cada comunidad del país.",
                    "es",
                    docs.len(),
                ));
                classes.push(Some(0));
                docs.push(doc(
                    "# Solar\nLos agricultores instalaron paneles solares y bombas para regar los campos durante la larga estación seca.",
                    "es",
                    docs.len(),
                ));
                classes.push(Some(1));
            }
            docs.push(doc(
                "# Solar\nFarmers installed solar panels and solar pumps to irrigate fields during the long dry season in every district we visited.",
                "en",
                docs.len(),
            ));
            classes.push(Some(1));
        }
        (docs, classes)
    }

    #[test]
    fn filler_words_say_nothing_of_what_pages_are_about() {
        for filler in [
            "told",
            "explain",
            "undoubtedly",
            "siguientes",
            "generó",
            "captured",
            "author",
            "photo credit",
            "challenges faced",
        ] {
            assert!(!is_content_term(filler), "{filler}");
        }
        for content in
            ["solid waste", "depopulation", "informed consent", "farming", "diaspora", "inclusión financiera"]
        {
            assert!(is_content_term(content), "{content}");
        }
    }

    #[test]
    fn term_languages_follow_the_documents_that_use_them() {
        let (docs, _) = corpus();
        let stats = TermStats::gather(&docs, &crate::themes::places::Gazetteer::default());
        let languages = TermLanguages::new(&docs, &stats);
        assert_eq!(languages.main(), Some("en"));
        assert_eq!(languages.of("residuos"), Some("es"));
        assert_eq!(languages.of("recycling"), Some("en"));
    }

    #[test]
    fn lines_many_pages_carry_word_for_word_give_no_terms() {
        let page = |i: usize, subject: &str| {
            let text = format!(
                "# Page {i}\n{subject} bring electricity and water to the villages around the lake.\n\n\
                 - Duration of the solution: short term, up to one year from its start.\n"
            );
            crate::ingest::build_document(&text, format!("d{i}"), format!("{i}.txt"))
        };
        let docs: Vec<Document> =
            (0..6).map(|i| page(i, if i % 2 == 0 { "Solar kiosks" } else { "Water pumps" })).collect();
        let stats = TermStats::gather(&docs, &crate::themes::places::Gazetteer::default());
        assert!(stats.per_doc[0].contains_key("solar kiosks"), "{:?}", stats.per_doc[0]);
        assert!(stats.per_doc.iter().all(|c| !c.keys().any(|t| t.contains("short") || t.contains("year"))));
        // On fewer pages than that, a shared line is still the pages' own words.
        let few = TermStats::gather(&docs[..4], &crate::themes::places::Gazetteer::default());
        assert!(few.per_doc[0].keys().any(|t| t.contains("short term")), "{:?}", few.per_doc[0]);
    }
}
