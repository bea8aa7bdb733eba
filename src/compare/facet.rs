//! What documents are grouped by, and which groups a comparison compares: those with enough
//! pages to be compared, the rest listed apart, and pages tied to no place set aside.

use std::collections::BTreeMap;

use serde::Serialize;

use super::regions::{place_of, Place};
use crate::ingest::Document;

/// What documents are grouped by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facet {
    /// The page's country, under one name ("Republika Srpska" is Bosnia and Herzegovina).
    Country,
    Continent,
    /// UN M49 region and sub-region of the page's country ("Africa / Eastern Africa").
    Region,
    /// UNDP's regional bureau of the page's country.
    Bureau,
    Year,
    Type,
    Language,
    /// The sub-folder of the input folder a file sits in.
    Folder,
    /// Any `[[key:…]]` metadata key (its first value).
    Key(String),
}

impl std::str::FromStr for Facet {
    type Err = std::convert::Infallible;

    /// A facet's name: country, continent, region, bureau, year, type, language, folder, or any
    /// metadata key.
    fn from_str(name: &str) -> Result<Facet, Self::Err> {
        Ok(match name {
            "country" => Facet::Country,
            "continent" => Facet::Continent,
            "region" => Facet::Region,
            "bureau" => Facet::Bureau,
            "year" => Facet::Year,
            "type" => Facet::Type,
            "language" => Facet::Language,
            "folder" => Facet::Folder,
            key => Facet::Key(key.to_ascii_lowercase()),
        })
    }
}

impl Serialize for Facet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl Facet {
    /// The facet's name as used in flags and, made safe, in file names.
    pub fn name(&self) -> String {
        match self {
            Facet::Country => "country".into(),
            Facet::Continent => "continent".into(),
            Facet::Region => "region".into(),
            Facet::Bureau => "bureau".into(),
            Facet::Year => "year".into(),
            Facet::Type => "type".into(),
            Facet::Language => "language".into(),
            Facet::Folder => "folder".into(),
            Facet::Key(key) => {
                key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect()
            }
        }
    }

    /// The facet's values in words: "countries", "years", "values" (for a metadata key).
    pub fn plural(&self) -> &'static str {
        match self {
            Facet::Country => "countries",
            Facet::Continent => "continents",
            Facet::Region => "regions",
            Facet::Bureau => "bureaux",
            Facet::Year => "years",
            Facet::Type => "types",
            Facet::Language => "languages",
            Facet::Folder => "folders",
            Facet::Key(_) => "values",
        }
    }

    /// Whether the facet says where pages are: pages tied to no country are set apart from it.
    pub fn is_place(&self) -> bool {
        matches!(self, Facet::Country | Facet::Continent | Facet::Region | Facet::Bureau)
    }

    /// A document's value for this facet; `None` when the page does not say, and for a place
    /// facet when the page is tied to no country ([`Facet::is_global`]). Years come from the
    /// (placeholder-free) date when there is one.
    pub fn value(&self, d: &Document) -> Option<String> {
        if self.is_global(d) {
            return None;
        }
        let located = || match d.country.as_deref().and_then(place_of) {
            Some(Place::Country(l)) => Some(l),
            _ => None,
        };
        match self {
            Facet::Country => d.country.as_deref().map(|c| located().map_or_else(|| c.to_string(), |l| l.country)),
            Facet::Continent => d.continent.clone(),
            Facet::Region => located().and_then(|l| l.region),
            Facet::Bureau => located().and_then(|l| l.bureau.map(str::to_string)),
            Facet::Year => d.year.map(|y| y.to_string()),
            Facet::Type => d.doc_type.clone(),
            Facet::Language => d.language.clone(),
            Facet::Folder => d.folder(),
            Facet::Key(key) => crate::ingest::parse::first(&d.metadata, key).map(|v| v.trim().to_string()),
        }
    }

    /// Whether a page of a place facet is tied to no one country ("Global", "Null Island"):
    /// a page about the network, a region or several countries, never compared as a country.
    pub fn is_global(&self, d: &Document) -> bool {
        self.is_place()
            && (d.continent.as_deref() == Some("Global")
                || d.country.as_deref().and_then(place_of) == Some(Place::Global))
    }
}

/// Values compared when neither names nor `--top` are given.
pub const DEFAULT_TOP: usize = 12;

/// Values with fewer pages than this are listed apart, not compared. Measured on the shared
/// solution pages' 24 countries with 40 pages or more (docs/comparisons.md): the main theme of
/// a random 3 of a country's pages is its main theme over all of them 26% of the time, of 10
/// pages 45%, of 15 pages 53%; below 10 a value's own shares say more about which pages it
/// happens to have than about it, and 10 still compares most countries of the shared blogs.
pub const DEFAULT_MIN_DOCUMENTS: usize = 10;

/// A value and its number of documents.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ValueCount {
    pub value: String,
    pub documents: usize,
}

/// What a comparison compares.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The values compared, most documents first (or as named).
    pub values: Vec<String>,
    /// Values named or among the most frequent with fewer than the minimum of documents: listed
    /// apart as too few pages to compare, left out of rankings and similarities.
    pub too_few: Vec<ValueCount>,
    /// The minimum of documents a compared value has.
    pub min_documents: usize,
    /// For a place facet, the pages tied to no country, set apart.
    pub apart: usize,
    /// What was asked and could not be met.
    pub notes: Vec<String>,
}

/// The values to compare: those named (each said when it has no documents) or the `top` most
/// frequent ones ([`DEFAULT_TOP`] unless asked) among those with at least `min_documents`;
/// values below it are listed apart. An error when no value repeats: a facet whose every value
/// is its own (a URL, a title) has nothing to compare.
pub fn choose_values(
    documents: &[Document],
    facet: &Facet,
    named: Vec<String>,
    top: Option<usize>,
    min_documents: usize,
) -> Result<Selection, String> {
    let counts = value_counts(documents, facet);
    let name = facet.name();
    if counts.is_empty() {
        return Err(format!("no document has a {name}; nothing to compare"));
    }
    if counts[0].1 < 2 {
        return Err(format!("every {name} occurs once ({} values): nothing to compare", counts.len()));
    }
    let apart = documents.iter().filter(|d| facet.is_global(d)).count();
    let mut notes = Vec::new();
    let count_of = |v: &str| counts.iter().find(|(c, _)| c == v).map_or(0, |(_, n)| *n);
    let candidates: Vec<String> = if named.is_empty() {
        let enough = counts.iter().filter(|(_, n)| *n >= min_documents).count();
        let top = top.unwrap_or(DEFAULT_TOP);
        if top > enough {
            notes.push(format!(
                "{} of {name} {} {min_documents} or more documents{}",
                crate::plural(enough, "value"),
                if enough == 1 { "has" } else { "have" },
                if top > counts.len() { String::new() } else { format!("; --top {top} compares those") }
            ));
        }
        counts.iter().take_while(|(_, n)| *n >= min_documents).take(top).map(|(v, _)| v.clone()).collect()
    } else {
        for v in named.iter().filter(|v| count_of(v) == 0) {
            notes.push(format!("no document has {name} {v:?}; it is not compared"));
        }
        named.into_iter().filter(|v| count_of(v) > 0).collect()
    };
    let (values, thin): (Vec<String>, Vec<String>) = candidates.into_iter().partition(|v| count_of(v) >= min_documents);
    let too_few: Vec<ValueCount> = if thin.is_empty() {
        counts
            .iter()
            .filter(|(_, n)| *n < min_documents)
            .map(|(v, n)| ValueCount { value: v.clone(), documents: *n })
            .collect()
    } else {
        thin.into_iter().map(|v| ValueCount { documents: count_of(&v), value: v }).collect()
    };
    if values.is_empty() {
        return Err(format!(
            "no value of {name} has {min_documents} or more documents to compare (--min-documents sets the minimum)"
        ));
    }
    Ok(Selection { values, too_few, min_documents, apart, notes })
}

/// Documents per value of a facet, most frequent first (ties by name).
fn value_counts(documents: &[Document], facet: &Facet) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in documents.iter().filter_map(|d| facet.value(d)) {
        *counts.entry(v).or_insert(0) += 1;
    }
    let mut rows: Vec<(String, usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(country: Option<&str>, year: Option<i32>) -> Document {
        let mut d = crate::ingest::build_document("# T\nSome text here.", "x".into(), "a.txt".into());
        d.country = country.map(str::to_string);
        d.continent = country.and_then(crate::ingest::meta::continent_of).map(str::to_string);
        d.year = year;
        d
    }

    #[test]
    fn facets_read_documents_and_set_global_pages_apart() {
        let global = crate::ingest::build_document("# T\n[[country:Null Island]]\nText.", "x".into(), "a.txt".into());
        assert_eq!(Facet::Country.value(&global), None, "a page tied to no country is not a country");
        assert!(Facet::Country.is_global(&global) && Facet::Continent.is_global(&global));
        assert!(!Facet::Type.is_global(&global));
        assert_eq!(
            Facet::Country.value(&doc(Some("Republika Srpska"), None)).as_deref(),
            Some("Bosnia and Herzegovina")
        );
        assert_eq!(Facet::Bureau.value(&doc(Some("Iraq"), None)).as_deref(), Some("Arab States"));
        assert_eq!(Facet::Region.value(&doc(Some("Haiti"), None)).as_deref(), Some("Americas / Caribbean"));
        let dated =
            crate::ingest::build_document("# T\n[[year:1970]]\nMAY 30, 2023\nText here.", "x".into(), "a.txt".into());
        assert_eq!(Facet::Year.value(&dated).as_deref(), Some("2023"));
    }

    #[test]
    fn values_with_too_few_pages_are_listed_apart() {
        let mut docs: Vec<Document> = (0..12).map(|_| doc(Some("Kenya"), None)).collect();
        docs.extend((0..3).map(|_| doc(Some("Peru"), None)));
        docs.push(doc(Some("Null Island"), None));
        let chosen = choose_values(&docs, &Facet::Country, Vec::new(), None, 10).unwrap();
        assert_eq!(chosen.values, vec!["Kenya"]);
        assert_eq!(chosen.too_few, vec![ValueCount { value: "Peru".into(), documents: 3 }]);
        assert_eq!(chosen.apart, 1);
        let named = choose_values(&docs, &Facet::Country, vec!["Peru".into(), "Kenya".into(), "Chad".into()], None, 10)
            .unwrap();
        assert_eq!(named.values, vec!["Kenya"]);
        assert_eq!(named.too_few, vec![ValueCount { value: "Peru".into(), documents: 3 }]);
        assert_eq!(named.notes, vec!["no document has country \"Chad\"; it is not compared"]);
        assert!(choose_values(&docs, &Facet::Country, Vec::new(), None, 20).unwrap_err().contains("--min-documents"));
        let unique = vec![doc(Some("Peru"), None), doc(Some("Kenya"), None)];
        assert!(choose_values(&unique, &Facet::Country, Vec::new(), None, 1).unwrap_err().contains("occurs once"));
    }
}
