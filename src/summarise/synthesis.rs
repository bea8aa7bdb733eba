//! A theme (or a broad area) in two or three sentences built from the analysis's own facts, so
//! that every number and name in them is right by construction: how many pages and what share
//! of the corpus; where they come from and whether they concentrate in one country; when, with
//! the change the test of themes over time found; what the pages speak of, as the theme's
//! phrases with the number of its pages that use each; and the two pages that show it best.
//! The facts travel with the text (`themes.json`'s `synthesis`), so a reader or a language model
//! can be held to them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ingest::Document;

/// A name and how many of the pages it counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counted {
    pub name: String,
    pub pages: usize,
}

/// A page a synthesis points to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cited {
    pub doc_id: String,
    pub title: String,
    pub source: Option<String>,
}

/// What a synthesis says, as facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub pages: usize,
    /// Its pages over the corpus's.
    pub share: f64,
    /// Countries with most of its pages (one name per country), most first.
    pub countries: Vec<Counted>,
    /// How many countries its pages come from, and whether one holds half of them or more.
    pub country_count: usize,
    pub concentrated: bool,
    /// The first and last year of its pages.
    pub years: Option<(i32, i32)>,
    /// Its share's change over time ("peaked in 2020"), where the test found one; `None` where it
    /// was tested and held, or could not be tested.
    pub change: Option<String>,
    /// Whether its share over time was tested at all.
    pub tested: bool,
    /// What its pages speak of: its phrases, with the number of its pages that use each.
    pub phrases: Vec<Counted>,
    /// The pages that show it best (closest to its centre).
    pub best: Vec<Cited>,
}

/// A synthesis and the facts it was built from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Synthesis {
    pub text: String,
    pub facts: Facts,
}

/// Phrases a synthesis names, and the pages of its theme each must be on.
const PHRASES: usize = 4;
const PHRASE_MIN_PAGES: usize = 3;
/// Countries named.
const COUNTRIES: usize = 3;

/// What a synthesis is built from besides the documents and their terms: the group's pages
/// (positions among the documents), its keywords best first, its change over time ("peaked in
/// 2020") where the test found one and whether it was tested, its best pages (doc ids), and the
/// country of a page under one name (the comparisons' own, given by the caller, which sits above
/// both stages).
pub struct Group<'a> {
    pub members: &'a [usize],
    pub country: &'a dyn Fn(&Document) -> Option<String>,
    pub keywords: &'a [String],
    pub change: Option<String>,
    pub tested: bool,
    pub best: &'a [String],
}

/// The facts of a group of pages.
pub fn facts(documents: &[Document], terms: &[impl TermsOf], group: &Group) -> Facts {
    let members = group.members;
    let mut by_country: BTreeMap<String, usize> = BTreeMap::new();
    for &i in members {
        if let Some(country) = (group.country)(&documents[i]) {
            *by_country.entry(country).or_default() += 1;
        }
    }
    let mut countries: Vec<Counted> = by_country.into_iter().map(|(name, pages)| Counted { name, pages }).collect();
    countries.sort_by(|a, b| b.pages.cmp(&a.pages).then_with(|| a.name.cmp(&b.name)));
    let country_count = countries.len();
    let placed: usize = countries.iter().map(|c| c.pages).sum();
    let concentrated = countries.first().is_some_and(|c| placed > 0 && 2 * c.pages >= placed);
    countries.truncate(COUNTRIES);
    let years: Vec<i32> = members.iter().filter_map(|&i| documents[i].year).collect();
    let years = years.iter().min().zip(years.iter().max()).map(|(&a, &b)| (a, b));
    // Phrases before single words, each on enough of the group's pages; a word inside a phrase
    // already named is not named again.
    let on_pages = |term: &str| members.iter().filter(|&&i| terms[i].has(term)).count();
    let mut candidates: Vec<&String> = group.keywords.iter().filter(|k| k.contains(' ')).collect();
    // A word alone in a past form ("decided", "impaired") says what was done, not to what.
    let past = |k: &str| k.len() >= 6 && k.ends_with("ed") && !k.ends_with("eed");
    candidates.extend(group.keywords.iter().filter(|k| !k.contains(' ') && !past(k)));
    let mut phrases: Vec<Counted> = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    let texts = lowered(documents, members);
    // A word of a phrase already named, or the same word in the plural, is not named again.
    let stem = |w: &str| w.strip_suffix('s').unwrap_or(w).to_string();
    for k in candidates {
        if phrases.len() == PHRASES {
            break;
        }
        let inside = named.iter().any(|n| n.split(' ').any(|w| k.split(' ').any(|x| stem(x) == stem(w))));
        let pages = on_pages(k);
        if !inside && pages >= PHRASE_MIN_PAGES {
            phrases.push(Counted { name: surface(&texts, k), pages });
            named.push(k);
        }
    }
    phrases.sort_by(|a, b| b.pages.cmp(&a.pages).then_with(|| a.name.cmp(&b.name)));
    // The pages cited are in the group's main language where it has such pages among its best,
    // as its phrases are: a briefing in English cites English pages first.
    let main_language = most_common(members.iter().filter_map(|&i| documents[i].language.as_deref()));
    let mut cited: Vec<&Document> =
        group.best.iter().filter_map(|id| documents.iter().find(|d| d.doc_id == *id)).collect();
    cited.sort_by_key(|d| d.language.as_deref() != main_language);
    let best = cited
        .into_iter()
        .take(2)
        .map(|d| Cited { doc_id: d.doc_id.clone(), title: d.title.clone(), source: d.source.clone() })
        .collect();
    Facts {
        pages: members.len(),
        share: members.len() as f64 / documents.len().max(1) as f64,
        countries,
        country_count,
        concentrated,
        years,
        change: group.change.clone(),
        tested: group.tested,
        phrases,
        best,
    }
}

/// The most frequent of some values (the first of equals).
fn most_common<'a>(values: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(seen, _)| *seen == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    counts.iter().rev().max_by_key(|(_, n)| *n).map(|(v, _)| *v)
}

/// A term as the group's pages write it. Terms are counted in lower case; an acronym or a name
/// ("ICT", "Decidim") is shown in its written form where two thirds of its occurrences or more
/// have that form, so a sentence start or a heading does not capitalise a common noun. A term
/// that two thirds of its occurrences or more write inside the same longer phrase is a fragment
/// of it ("health organization" of "World Health Organization", "based tourism" of
/// "community-based tourism") and is shown as that phrase, one word longer on each such side.
fn surface(pages: &[(&str, String)], term: &str) -> String {
    let mut forms = Tally::default();
    let mut before = Tally::default();
    let mut after = Tally::default();
    for (text, lower) in pages {
        let is_word = |c: char| c.is_alphanumeric();
        for (at, _) in lower.match_indices(term) {
            let end = at + term.len();
            if text[..at].ends_with(is_word) || text[end..].starts_with(is_word) {
                continue;
            }
            forms.add(&text[at..end]);
            // The word next to it, with the space or hyphen between; none across punctuation,
            // and none that is a function word ("of", "to"): a phrase grows by content only.
            let content = |word: &str| !is_function_word(word);
            let left = text[..at].strip_suffix([' ', '-']).filter(|rest| rest.ends_with(is_word)).map(|rest| {
                let start = rest.trim_end_matches(is_word).len();
                (&text[start..at], &rest[start..])
            });
            before.add(left.filter(|(joint, word)| joint.ends_with('-') || content(word)).map_or("", |(j, _)| j));
            let right = text[end..].strip_prefix([' ', '-']).filter(|rest| rest.starts_with(is_word)).map(|rest| {
                let word = rest.len() - rest.trim_start_matches(is_word).len();
                (&text[end..end + 1 + word], &rest[..word])
            });
            after.add(right.filter(|(joint, word)| joint.starts_with('-') || content(word)).map_or("", |(j, _)| j));
        }
    }
    let form = forms.dominant().unwrap_or_else(|| term.to_string());
    let (left, right) = (before.dominant().unwrap_or_default(), after.dominant().unwrap_or_default());
    format!("{left}{form}{right}")
}

/// Whether a word only joins others ("of", "with", "para"). The stop lists (ISO) also hold
/// content words a phrase needs ("World Health Organization", "early warning systems", "low
/// birth rates"), so of their words only the short ones count, and the longer prepositions,
/// pronouns and conjunctions of the languages themes are described in, listed here.
fn is_function_word(word: &str) -> bool {
    const LONGER: &[&str] = &[
        "about", "also", "among", "been", "between", "both", "could", "each", "from", "have", "into", "more", "most",
        "only", "other", "over", "should", "some", "such", "than", "that", "their", "them", "then", "there", "these",
        "they", "this", "those", "through", "under", "upon", "were", "what", "when", "where", "which", "while", "will",
        "with", "within", "without", "would", "your", "avec", "cette", "comme", "dans", "entre", "leur", "leurs",
        "mais", "pour", "sans", "sous", "vers", "cada", "como", "cuando", "desde", "donde", "esta", "estas", "este",
        "estos", "para", "pela", "pelo", "pero", "sobre", "también",
    ];
    let word = word.to_lowercase();
    (word.chars().count() <= 3 && STOP_WORDS.contains(&word)) || LONGER.contains(&word.as_str())
}

/// The group's pages as written and in lower case, lowered once for all its phrases. Lower-casing
/// can change byte lengths outside ASCII; only such a page is left out.
fn lowered<'a>(documents: &'a [Document], members: &[usize]) -> Vec<(&'a str, String)> {
    members
        .iter()
        .map(|&i| (documents[i].text.as_str(), documents[i].text.to_lowercase()))
        .filter(|(text, lower)| text.len() == lower.len())
        .collect()
}

/// Function words of the languages themes are described in.
static STOP_WORDS: std::sync::LazyLock<crate::themes::label::StopWords> =
    std::sync::LazyLock::new(|| crate::themes::label::stop_words([]));

/// How often each of some strings was seen, in lower case and as written.
#[derive(Default)]
struct Tally<'a> {
    seen: Vec<(String, Vec<(&'a str, usize)>)>,
    total: usize,
}

impl<'a> Tally<'a> {
    fn add(&mut self, written: &'a str) {
        self.total += 1;
        let key = written.to_lowercase();
        let at = match self.seen.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                self.seen.push((key, Vec::new()));
                self.seen.len() - 1
            }
        };
        let forms = &mut self.seen[at].1;
        match forms.iter_mut().find(|(f, _)| *f == written) {
            Some((_, n)) => *n += 1,
            None => forms.push((written, 1)),
        }
    }

    /// The string seen two thirds of the times or more, if any, as two thirds of its
    /// occurrences write it, or else in lower case.
    fn dominant(&self) -> Option<String> {
        let twice_over = |n: usize, of: usize| 3 * n >= 2 * of;
        let (key, forms) = self.seen.iter().find(|(_, f)| twice_over(f.iter().map(|x| x.1).sum(), self.total))?;
        let of = forms.iter().map(|x| x.1).sum();
        Some(forms.iter().find(|(_, n)| twice_over(*n, of)).map_or_else(|| key.clone(), |(f, _)| f.to_string()))
    }
}

/// Whether a document's terms hold a term.
pub trait TermsOf {
    fn has(&self, term: &str) -> bool;
}

impl<S: std::hash::BuildHasher> TermsOf for std::collections::HashMap<String, f64, S> {
    fn has(&self, term: &str) -> bool {
        self.contains_key(term)
    }
}

/// The facts in words.
pub fn write(facts: &Facts) -> String {
    let mut sentences = Vec::new();
    let share = crate::stats::percent(facts.share);
    let first = crate::plural(facts.pages, "page");
    let listed = |items: &[Counted]| {
        let each: Vec<String> = items.iter().map(|c| format!("{} ({})", c.name, c.pages)).collect();
        join(&each)
    };
    let place = match (facts.country_count, facts.countries.first()) {
        (0, _) | (_, None) => String::new(),
        (1, Some(c)) => format!(", all from {}", c.name),
        (n, Some(c)) if facts.concentrated => {
            format!(", most from {} ({} of them; {} countries in all)", c.name, c.pages, n)
        }
        (n, _) => format!(", from {n} countries, most from {}", listed(&facts.countries)),
    };
    sentences.push(format!("{first} ({share} of the corpus){place}."));
    if let Some((a, b)) = facts.years {
        let span = if a == b { format!("Its pages date from {a}") } else { format!("Its pages date from {a} to {b}") };
        let change = match facts.change.as_deref() {
            Some(change) if change.starts_with("new ") => format!("; it is {change}"),
            Some(change) if change.starts_with("peaked") => format!("; its share {change}"),
            Some(change) => format!("; its share is {change}"),
            None if facts.tested => "; its share holds within chance over the years".to_string(),
            None => String::new(),
        };
        sentences.push(format!("{span}{change}."));
    }
    if !facts.phrases.is_empty() {
        let each: Vec<String> = facts
            .phrases
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if i == 0 {
                    format!("{} ({})", p.name, crate::plural(p.pages, "page"))
                } else {
                    format!("{} ({})", p.name, p.pages)
                }
            })
            .collect();
        sentences.push(format!("They speak of {}.", join(&each)));
    }
    if !facts.best.is_empty() {
        let titles: Vec<String> = facts.best.iter().map(|b| format!("“{}”", b.title)).collect();
        sentences.push(format!("The pages that show it best: {}.", join(&titles)));
    }
    sentences.join(" ")
}

/// "a", "a and b", "a, b and c".
fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_and_name_comes_from_the_facts() {
        let facts = Facts {
            pages: 98,
            share: 0.081,
            countries: vec![
                Counted { name: "Uganda".into(), pages: 9 },
                Counted { name: "Ghana".into(), pages: 7 },
                Counted { name: "Serbia".into(), pages: 5 },
            ],
            country_count: 31,
            concentrated: false,
            years: Some((2019, 2025)),
            change: Some("peaked in 2020".into()),
            tested: true,
            phrases: vec![
                Counted { name: "waste management".into(), pages: 61 },
                Counted { name: "plastic bags".into(), pages: 18 },
            ],
            best: vec![Cited { doc_id: "a".into(), title: "Changing behaviour".into(), source: None }],
        };
        assert_eq!(
            write(&facts),
            "98 pages (8% of the corpus), from 31 countries, most from Uganda (9), Ghana (7) and Serbia (5). Its \
             pages date from 2019 to 2025; its share peaked in 2020. They speak of waste management (61 \
             pages) and plastic bags (18). The pages that show it best: “Changing behaviour”."
        );
        let one = Facts { country_count: 1, countries: facts.countries[..1].to_vec(), change: None, ..facts.clone() };
        assert!(write(&one).contains(", all from Uganda.") && write(&one).contains("holds within chance"));
    }

    #[test]
    fn phrases_come_first_and_are_counted_on_the_groups_pages() {
        let docs: Vec<Document> = (0..6)
            .map(|i| {
                crate::ingest::build_document(
                    &format!("# T{i}\n[[country:Kenya]]\nText."),
                    format!("d{i}"),
                    "a.txt".into(),
                )
            })
            .collect();
        let terms: Vec<std::collections::HashMap<String, f64>> = (0..6)
            .map(|i| {
                let mut t = std::collections::HashMap::new();
                t.insert("waste".to_string(), 1.0);
                if i < 4 {
                    t.insert("waste management".to_string(), 1.0);
                }
                if i < 2 {
                    t.insert("landfill".to_string(), 1.0);
                }
                t
            })
            .collect();
        let keywords = vec!["waste".to_string(), "landfill".to_string(), "waste management".to_string()];
        let group = Group {
            members: &[0, 1, 2, 3, 4, 5],
            country: &|d: &Document| d.country.clone(),
            keywords: &keywords,
            change: None,
            tested: false,
            best: &[],
        };
        let f = facts(&docs, &terms, &group);
        assert_eq!(
            f.phrases,
            vec![Counted { name: "waste management".into(), pages: 4 }],
            "a word of a named phrase and a word of two pages are not named"
        );
        assert!(f.concentrated && f.country_count == 1);
    }

    /// Pages with these bodies.
    fn pages(bodies: &[&str]) -> Vec<Document> {
        bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                crate::ingest::build_document(&format!("# Page {i}\n\n{body}\n"), format!("d{i}"), format!("{i}.txt"))
            })
            .collect()
    }

    #[test]
    fn a_term_is_shown_as_the_pages_mostly_write_it() {
        let docs = pages(&[
            "The ICT plan. ICT for all. Sustainable development matters.",
            "ICT budgets; sustainable development. Sustainable Development Goals.",
            "A dictum: ict is short. Sustainable development.",
        ]);
        assert!(
            docs.iter().all(|d| d.text.contains("ustainable")),
            "{:?}",
            docs.iter().map(|d| &d.text).collect::<Vec<_>>()
        );
        assert_eq!(surface(&lowered(&docs, &[0, 1, 2]), "ict"), "ICT", "3 of 4, and 'dictum' is not a match");
        assert_eq!(surface(&lowered(&docs, &[0, 1, 2]), "sustainable development"), "sustainable development");
        let fragments = pages(&[
            "The World Health Organization said so. Community-based tourism grows. Use of nature based solutions.",
            "The World Health Organization agrees; community-based tourism pays. Made of nature based solutions.",
            "Health organization reforms. Community based tourism: a guide. Lots of nature based solutions.",
        ]);
        assert_eq!(surface(&lowered(&fragments, &[0, 1, 2]), "health organization"), "World Health Organization");
        assert_eq!(surface(&lowered(&fragments, &[0, 1, 2]), "based tourism"), "community-based tourism");
        assert_eq!(
            surface(&lowered(&fragments, &[0, 1, 2]), "nature based"),
            "nature based solutions",
            "not 'of nature…'"
        );
    }
}
