//! Places and proper names in theme terms: where a theme happens belongs to its countries and
//! to `compare`; its keywords must say what it is about.
//!
//! Places come from a gazetteer (the `keshvar` crate: every country's names in several
//! languages and its demonym, ISO 3166-2 subdivisions, continents and UN regions) plus the
//! corpus's own country and continent metadata. Proper names (people, towns, organisations)
//! are recognised by how the corpus writes them: a word capitalised in the middle of
//! sentences and almost never in lower case is a name.

use std::collections::{HashMap, HashSet};

use super::label::{self, StopWords, TermMap};

/// Gazetteer words and phrases, lower-cased and tokenised like theme terms.
#[derive(Debug, Default, Clone)]
pub struct Gazetteer {
    /// Single-word places ("samoa", "iraqi", "kerala").
    words: HashSet<String, foldhash::fast::FixedState>,
    /// Two-word places ("latin america", "south africa", "new guinea").
    phrases: HashSet<String, foldhash::fast::FixedState>,
    /// Subdivision names, which are places only when the corpus writes them as names
    /// (Zambia's "Eastern" province is also an ordinary word), with the names of their country.
    subdivisions: HashMap<String, Vec<String>, foldhash::fast::FixedState>,
    /// How a place term is shown: a demonym as its country ("serbian" → "Serbia"), a pair of a
    /// longer name as the whole name ("arab emirates" → "United Arab Emirates").
    shown: HashMap<String, String, foldhash::fast::FixedState>,
}

/// Regions that development writing names and the gazetteer's UN regions do not.
const REGIONS_IN_USE: &[&str] = &[
    "Latin America",
    "Latin America and the Caribbean",
    "Middle East",
    "Sub-Saharan Africa",
    "West Africa",
    "East Africa",
    "North Africa",
    "Southern Africa",
    "Southeast Asia",
    "South Asia",
    "Arab States",
    "Western Balkans",
    "Balkans",
    "Sahel",
    "Horn of Africa",
    "Pacific Islands",
    "Global South",
    "Global North",
];

/// Words that may stand with a place in one place's name ("east amman", "greater accra"); any
/// other word beside a place (an organisation's: "lab ukraine", "jordan accelerator") is not
/// part of it.
const PLACE_QUALIFIERS: &[&str] = &[
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "upper", "lower",
    "greater", "new", "old", "san", "santa", "saint", "port", "lake", "mount", "city", "province", "region",
    "district", "county",
];

impl Gazetteer {
    /// The built-in gazetteer plus the places of `documents`' own metadata (countries and
    /// continents); "Global" is themescope's word for pages about no country, not a place.
    pub fn with_places_of(documents: &[crate::ingest::Document]) -> Self {
        let places = documents.iter().flat_map(|d| d.country.iter().chain(&d.continent)).map(String::as_str);
        Gazetteer::new(places.filter(|p| *p != "Global"))
    }

    /// The built-in gazetteer plus `extra` place names (e.g. the corpus's countries).
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Self {
        let mut g = Gazetteer::default();
        let stop = label::stop_words([]);
        for country in keshvar::CountryIterator::new() {
            let names: Vec<&str> = [country.iso_short_name(), country.iso_long_name()]
                .into_iter()
                .chain(country.unofficial_name_list().iter().copied())
                .chain(country.maybe_nationality())
                .collect();
            let shown = country.iso_short_name().split(['(', ',']).next().unwrap_or_default().trim();
            let mut terms_of_country = Vec::new();
            for name in &names {
                for term in g.add(name, &stop, None) {
                    g.shown.entry(term.clone()).or_insert_with(|| shown.to_string());
                    terms_of_country.push(term);
                }
            }
            for sub in country.subdivisions().values() {
                for name in std::iter::once(sub.name()).chain(sub.unofficial_name_list().iter().copied()) {
                    g.add(name, &stop, Some(&terms_of_country));
                }
            }
        }
        let regions = keshvar::ContinentIterator::new()
            .map(|c| c.to_string())
            .chain(keshvar::RegionIterator::new().map(|r| r.to_string()))
            .chain(keshvar::SubRegionIterator::new().map(|r| r.to_string()));
        for region in regions.chain(REGIONS_IN_USE.iter().map(|r| r.to_string())) {
            g.add(&region.replace('-', " "), &stop, None);
        }
        for name in extra {
            g.add(name, &stop, None);
        }
        g
    }

    /// Adds a name: a one-word name as a place word, a longer name as its adjacent word pairs
    /// (never its single words: "South Africa" makes no place of "south"; but see below for a
    /// name that makes no pair), each pair shown as the whole name. A subdivision's name is
    /// kept with the terms of its country (`country`). Returns the terms added.
    fn add(&mut self, name: &str, stop: &StopWords, country: Option<&[String]>) -> Vec<String> {
        let name = name.split(['(', '[', ',']).next().unwrap_or(name).trim();
        let mut terms = Vec::new();
        label::for_each_term(name, stop, |t| terms.push(t.to_string()));
        if terms.iter().any(|t| t.contains(' ')) {
            let pairs: Vec<String> = terms.into_iter().filter(|t| t.contains(' ')).collect();
            if country.is_none() {
                let whole = if name.chars().any(char::is_uppercase) { name.to_string() } else { display_name(name) };
                for pair in &pairs {
                    self.shown.entry(pair.clone()).or_insert_with(|| whole.clone());
                }
            }
            self.phrases.extend(pairs.iter().cloned());
            return pairs;
        }
        // A one-word name stands for the place, and so does a country's last word when the
        // words before it are stop words ("New Zealand", "El Salvador": the corpus's terms have
        // "zealand"). Not "Isle of Man" (two words, no pair), nor "Pays-Bas" ("pays" is French
        // for country), nor a subdivision's last word, which is often a first name ("São
        // Paulo", "St. Martin": "martin scorsese" is no place).
        let one_word = label::words_of(name).count() == 1;
        let last_stands = country.is_none() && terms.len() == 1 && last_word_is(name, &terms[0]);
        if !(one_word || last_stands) {
            return Vec::new();
        }
        let Some(word) = terms.pop() else { return Vec::new() };
        match country {
            Some(country) => {
                self.subdivisions.entry(word.clone()).or_default().extend(country.iter().cloned());
            }
            None => {
                self.words.insert(word.clone());
            }
        }
        vec![word]
    }

    /// Whether a term is a place's whole name ("north macedonia", "samoa"), not a term with a
    /// place in it.
    pub fn is_place_name(&self, term: &str) -> bool {
        self.phrases.contains(term)
            || (!term.contains(' ') && (self.has_word(term) || self.subdivisions.contains_key(term)))
    }

    /// The country a subdivision belongs to, by its terms (empty for any other place).
    pub fn country_of(&self, term: &str) -> &[String] {
        self.subdivisions.get(term).map_or(&[], Vec::as_slice)
    }

    /// A place term as a list shows it: a demonym as its country, a pair of a longer name as the
    /// whole name, any other as its words capitalised.
    pub fn display(&self, term: &str) -> String {
        self.shown.get(term).cloned().unwrap_or_else(|| display_name(term))
    }

    /// Whether a 1-2 word term names or contains a place, given how the corpus writes words
    /// (`names`): a gazetteer word the corpus mostly writes in lower case is an ordinary word
    /// there ("island" is also German for Iceland), and a subdivision name counts only where
    /// the corpus writes it as a name (Zambia's "Eastern" province).
    pub fn is_place(&self, term: &str, names: &ProperNames) -> bool {
        self.phrases.contains(term)
            || term.split(' ').any(|w| {
                (self.has_word(w) && !names.mostly_lower(w)) || (self.subdivisions.contains_key(w) && names.contains(w))
            })
    }

    /// A place word in either number ("america" for the region "Americas").
    fn has_word(&self, w: &str) -> bool {
        self.words.contains(w)
            || w.strip_suffix('s').is_some_and(|singular| self.words.contains(singular))
            || self.words.contains(&format!("{w}s"))
    }

    /// The places inside a term: the whole term when it is a place name or a place word with a
    /// qualifier ("latin america", "east amman"), else its place words ("undp samoa" → "samoa",
    /// "lab ukraine" → "ukraine").
    pub fn places_in<'t>(&self, term: &'t str, names: &ProperNames) -> Vec<&'t str> {
        let places: Vec<&str> = term.split(' ').filter(|w| self.is_place(w, names)).collect();
        let named = !places.is_empty() && term.split(' ').all(|w| places.contains(&w) || PLACE_QUALIFIERS.contains(&w));
        if self.phrases.contains(term) || named {
            vec![term]
        } else {
            places
        }
    }
}

/// Whether the last word of `name`, in its term form, is `term`.
fn last_word_is(name: &str, term: &str) -> bool {
    let mut last = String::new();
    label::words_of(name).last().is_some_and(|w| {
        label::normalise_word(w, &mut last);
        last == term
    })
}

/// Words that are proper names in a corpus, from how its prose writes them.
#[derive(Debug, Default, Clone)]
pub struct ProperNames {
    names: HashSet<String, foldhash::fast::FixedState>,
    /// Words the corpus writes in lower case in more documents than capitalised.
    lower: HashSet<String, foldhash::fast::FixedState>,
}

/// A word is a name when it is capitalised mid-sentence in at least this many documents …
const MIN_NAME_DOCS: usize = 2;
/// … and written in lower case in at most this share of the documents that use it either way.
const MAX_LOWER_SHARE: f64 = 0.2;

impl ProperNames {
    /// Decides from per-document evidence: for each document, the words it capitalises
    /// mid-sentence and never writes in lower case, and the words it writes in lower case.
    pub fn from_counts(capitalised: &TermMap<String, usize>, lower: &TermMap<String, usize>) -> Self {
        let cap = |w: &str| capitalised.get(w).copied().unwrap_or(0);
        let names = capitalised
            .iter()
            .filter(|(word, &cap)| {
                let low = lower.get(word.as_str()).copied().unwrap_or(0);
                cap >= MIN_NAME_DOCS && (low as f64) <= MAX_LOWER_SHARE * (cap + low) as f64
            })
            .map(|(w, _)| w.clone())
            .collect();
        let lower = lower.iter().filter(|(w, &low)| low > cap(w)).map(|(w, _)| w.clone()).collect();
        ProperNames { names, lower }
    }

    /// Whether a word is a proper name in this corpus.
    pub fn contains(&self, word: &str) -> bool {
        self.names.contains(word)
    }

    /// Whether the corpus mostly writes a word in lower case.
    pub fn mostly_lower(&self, word: &str) -> bool {
        self.lower.contains(word)
    }

    /// Whether any word of a term is a proper name.
    pub fn in_term(&self, term: &str) -> bool {
        term.split(' ').any(|w| self.names.contains(w))
    }

    /// Whether every word of a term is a proper name ("malcolm glazer", not "glazer family").
    pub fn all_names(&self, term: &str) -> bool {
        term.split(' ').all(|w| self.names.contains(w))
    }
}

/// How a document writes its words: those capitalised mid-sentence (and never in lower case
/// in this document) and those written in lower case. Only prose counts: a line of eight or
/// more words; headings and titles capitalise every word. All-capital words (acronyms) and
/// mixed forms ("SDGs") are evidence of neither.
pub fn case_evidence(text: &str) -> (HashSet<String>, HashSet<String>) {
    let (mut capitalised, mut lower) = (HashSet::new(), HashSet::new());
    let mut word = String::new();
    for line in text.lines().filter(|l| l.split_whitespace().count() >= 8) {
        let mut sentence_start = true;
        for token in line.split_whitespace() {
            let starts = sentence_start || token.starts_with(['"', '“', '‘', '(', '¿', '¡', '«']);
            sentence_start = token.ends_with(['.', '!', '?', ':', '…']);
            for raw in label::words_of(token) {
                let mut chars = raw.chars();
                let Some(first) = chars.next() else { continue };
                let rest_lower = chars.clone().all(|c| !c.is_uppercase()) && chars.any(char::is_lowercase);
                label::normalise_word(raw, &mut word);
                if word.chars().count() < 3 {
                    continue;
                }
                if first.is_lowercase() {
                    lower.insert(word.clone());
                } else if first.is_uppercase() && rest_lower && !starts {
                    capitalised.insert(word.clone());
                }
            }
        }
    }
    capitalised.retain(|w| !lower.contains(w));
    (capitalised, lower)
}

/// The first `limit` places in rank order, each once: a place that shares a word with an
/// earlier one is dropped, unless it is the longer name those words were parts of ("south"
/// and "africa" ranked apart, then "south africa": one place).
pub fn distinct_places<'t>(found: impl Iterator<Item = &'t str>, limit: usize) -> Vec<&'t str> {
    let words = |p: &str| p.split(' ').count();
    let mut out: Vec<&str> = Vec::new();
    for place in found {
        let overlapping: Vec<usize> = (0..out.len()).filter(|&i| label::overlaps(out[i], place)).collect();
        match overlapping.split_first() {
            None => out.push(place),
            Some((&first, rest)) if overlapping.iter().all(|&i| words(out[i]) < words(place)) => {
                out[first] = place;
                for &i in rest.iter().rev() {
                    out.remove(i);
                }
            }
            Some(_) => {}
        }
        if out.len() == limit {
            break;
        }
    }
    out
}

/// A place or name word as shown in a list: "samoa" → "Samoa", "latin america" → "Latin America".
pub fn display_name(term: &str) -> String {
    term.split(' ')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How a corpus writes words: `names` as names, `lower` mostly in lower case.
    fn written(names: &[&str], lower: &[&str]) -> ProperNames {
        let count = |words: &[&str]| words.iter().map(|w| (w.to_string(), 5)).collect::<TermMap<String, usize>>();
        ProperNames::from_counts(&count(names), &count(lower))
    }

    #[test]
    fn countries_demonyms_regions_and_subdivisions_are_places() {
        let g = Gazetteer::new(["Ruritania"]);
        let plain = written(&[], &["island", "eastern"]);
        for term in ["samoa", "iraqi", "iraq", "angola", "bangladesh", "zambia", "latin america", "africa", "undp iraq"]
        {
            assert!(g.is_place(term, &plain), "{term}");
        }
        assert!(g.is_place("ruritania", &plain), "corpus metadata adds places");
        // Kerala is an Indian state: a place when the corpus writes it as a name.
        assert!(g.is_place("kerala", &written(&["kerala"], &[])) && !g.is_place("kerala", &plain));
        for term in ["waste management", "education", "youth", "solar energy", "south", "eastern", "island", "pays"] {
            assert!(!g.is_place(term, &plain), "{term}");
        }
        assert_eq!(g.places_in("undp samoa", &plain), vec!["samoa"]);
        assert_eq!(g.places_in("latin america", &written(&["latin"], &[])), vec!["latin america"]);
        assert_eq!(g.places_in("south africa", &plain), vec!["south africa"]);
        let lab = written(&["lab", "accelerator", "amman"], &[]);
        assert_eq!(g.places_in("lab ukraine", &lab), vec!["ukraine"], "an organisation's word is no part of a place");
        assert_eq!(g.places_in("jordan accelerator", &lab), vec!["jordan"]);
        assert_eq!(g.places_in("east amman", &lab), vec!["east amman"]);
        assert_eq!(g.display("serbian"), "Serbia", "a demonym is shown as its country");
        assert_eq!(g.display("arab emirates"), "United Arab Emirates", "a pair as the whole name");
        assert!(g.country_of("quthing").contains(&"lesotho".to_string()), "a subdivision knows its country");
    }

    #[test]
    fn capitalised_mid_sentence_and_never_lower_is_a_name() {
        let (cap, lower) = case_evidence(
            "The team met Anastasia Singh in Kuakata to talk about the turtle project and the beach.\n\
             Turtle nests were counted by volunteers who walked the beach every single morning.\n\
             A Title Line",
        );
        assert!(cap.contains("anastasia") && cap.contains("singh") && cap.contains("kuakata"));
        // Sentence-initial capitals prove nothing; the word is also written in lower case.
        assert!(!cap.contains("turtle") && lower.contains("turtle"));
        assert!(!cap.contains("title"), "short lines (headings) are not prose");
        let mut capitalised: TermMap<String, usize> = TermMap::default();
        let mut low: TermMap<String, usize> = TermMap::default();
        capitalised.insert("indigenous".into(), 4);
        low.insert("indigenous".into(), 10);
        let names = ProperNames::from_counts(&capitalised, &low);
        assert!(!names.contains("indigenous") && names.mostly_lower("indigenous"));
        assert!(!names.in_term("indigenous communities"));
        assert!(written(&["singh"], &[]).in_term("minister singh"));
    }

    #[test]
    fn acronyms_are_not_evidence() {
        let (cap, lower) =
            case_evidence("The response to COVID-19 and the SDGs was discussed with partners in the region today.");
        assert!(!cap.contains("covid") && !cap.contains("sdgs") && !lower.contains("covid"));
    }

    #[test]
    fn a_place_whose_other_words_are_stop_words_is_its_last_word() {
        let g = Gazetteer::new([]);
        let plain = written(&[], &[]);
        for word in ["zealand", "salvador"] {
            assert!(g.is_place(word, &plain), "{word}");
        }
        assert!(!g.is_place("isle", &plain) && !g.is_place("man", &plain), "Isle of Man makes no place of its words");
        assert!(!g.is_place("pays", &plain), "nor Pays-Bas");
        let paulo = written(&["paulo"], &[]);
        assert!(!g.is_place("paulo", &paulo), "São Paulo makes no place of a first name");
    }

    #[test]
    fn display_names_are_capitalised() {
        assert_eq!(display_name("latin america"), "Latin America");
        assert_eq!(display_name("áfrica"), "África");
    }

    #[test]
    fn a_longer_place_name_replaces_its_parts() {
        let found = ["uganda", "south", "kampala", "africa", "south africa", "africa", "east amman", "amman"];
        assert_eq!(distinct_places(found.into_iter(), 8), ["uganda", "south africa", "kampala", "east amman"]);
    }
}
