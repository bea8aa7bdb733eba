//! Theme keywords by class-based TF-IDF over 1-2 word terms (Grootendorst 2022, eq. 1).

use std::collections::HashSet;

use rayon::prelude::*;

/// Maps keyed by terms. foldhash instead of std's SipHash, which was a large share of the time
/// to label themes (millions of short strings hashed several times each); fixed seeds keep runs
/// reproducible.
pub type TermMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// Languages whose stop words are always removed (the labs' four main languages); stop words of
/// any other language present in the corpus are added on top.
pub const BASE_LANGUAGES: &[&str] = &["en", "es", "fr", "pt"];

/// Stop words, looked up once per word of every document.
pub type StopWords = HashSet<String, foldhash::fast::FixedState>;

/// Stop words of the base languages plus `extra` languages (ISO 639-1 codes).
pub fn stop_words<'a>(extra: impl IntoIterator<Item = &'a str>) -> StopWords {
    let mut words = StopWords::default();
    let langs: Vec<&str> = BASE_LANGUAGES.iter().copied().chain(extra).collect();
    for lang in langs {
        if let Some(list) = stop_words::lookup(lang) {
            words.extend(list.iter().map(|w| w.to_lowercase()));
        }
    }
    words
}

/// The raw words of a text: runs of letters, digits and apostrophes, outer apostrophes trimmed.
pub fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|raw| raw.trim_matches(|c| c == '\'' || c == '’'))
        .filter(|raw| !raw.is_empty())
}

/// Writes the term form of a raw word into `buffer`: lower-cased, typographic apostrophes made
/// plain, a French or Italian elided article and an English possessive removed ("l'eau" →
/// "eau", "samoa's" → "samoa").
pub fn normalise_word(raw: &str, buffer: &mut String) {
    buffer.clear();
    for c in raw.chars() {
        if c == '’' {
            buffer.push('\'');
        } else {
            buffer.extend(c.to_lowercase());
        }
    }
    let start = elision_end(buffer);
    buffer.drain(..start);
    if buffer.len() > 2 && buffer.ends_with("'s") {
        buffer.truncate(buffer.len() - 2);
    }
}

/// Calls `f` with each word of `text` in its term form, written into one reused buffer.
fn for_each_word(text: &str, buffer: &mut String, mut f: impl FnMut(&str)) {
    for raw in words_of(text) {
        normalise_word(raw, buffer);
        f(buffer);
    }
}

/// A word that can be (part of) a term: 3+ characters with a letter, not a number with a
/// suffix ("25th", "1990s", "100km": a label "25th and championship" says nothing), not a stop
/// word.
pub fn is_term_word(w: &str, stop: &StopWords) -> bool {
    let after_digits = w.trim_start_matches(|c: char| c.is_ascii_digit());
    let numeric = after_digits.len() < w.len() && after_digits.chars().count() <= 2;
    w.chars().count() >= 3 && w.chars().any(char::is_alphabetic) && !numeric && !stop.contains(w)
}

/// Where the word starts after a French or Italian elided article: "d'une" → "une", "l'eau" →
/// "eau" (the stop-word lists hold the bare words). English contractions ("don't") stay.
fn elision_end(word: &str) -> usize {
    match word.split_once('\'') {
        Some((head, tail)) if !tail.is_empty() && (head.chars().count() <= 2 || head == "qu") => head.len() + 1,
        _ => 0,
    }
}

/// Web addresses and e-mail addresses are not words ("https", "www", "org" made labels).
fn is_address(token: &str) -> bool {
    token.contains("://") || token.starts_with("www.") || token.contains('@')
}

/// Characters that end a clause: a term pair never spans one.
const BREAKS: [char; 12] = ['.', ',', ';', ':', '!', '?', '(', ')', '"', '“', '”', '|'];

/// Calls `f` with each 1-2 word term of a text, in order: words that are not stop words, and
/// pairs of such words that stand next to each other (a stop word, punctuation, a line break or
/// a web address between them breaks the pair). Terms are lent, not allocated: a corpus has
/// millions of them.
pub fn for_each_term(text: &str, stop: &StopWords, mut f: impl FnMut(&str)) {
    let (mut word, mut prev, mut pair) = (String::new(), String::new(), String::new());
    for line in text.lines() {
        prev.clear();
        for token in line.split_whitespace() {
            if is_address(token) {
                prev.clear();
                continue;
            }
            for (i, piece) in token.split(BREAKS).enumerate() {
                if i > 0 {
                    prev.clear();
                }
                for_each_word(piece, &mut word, |w| {
                    // Anything else (a stop word, "à", a number) breaks the pair.
                    if !is_term_word(w, stop) {
                        prev.clear();
                        return;
                    }
                    if !prev.is_empty() {
                        pair.clear();
                        pair.push_str(&prev);
                        pair.push(' ');
                        pair.push_str(w);
                        f(&pair);
                    }
                    f(w);
                    prev.clear();
                    prev.push_str(w);
                });
            }
        }
    }
}

/// Term counts per class (theme), and in how many of its documents each term occurs. Terms
/// are borrowed from the documents' term counts: a corpus has millions of term occurrences, and
/// copying each string into every map was most of the labelling time.
#[derive(Debug, Default, Clone)]
pub struct ClassTerms<'a> {
    pub counts: Vec<TermMap<&'a str, f64>>,
    pub doc_counts: Vec<TermMap<&'a str, usize>>,
    pub sizes: Vec<usize>,
}

impl<'a> ClassTerms<'a> {
    /// Sums each document's term counts into its class (`classes[i]` < `k`), one class per
    /// thread, keeping only terms used by at least `min_docs` documents of the whole corpus.
    pub fn build(k: usize, documents: &'a [TermMap<String, f64>], classes: &[usize], min_docs: usize) -> Self {
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
        for (i, &c) in classes.iter().enumerate() {
            members[c].push(i);
        }
        let (mut counts, mut doc_counts): (Vec<_>, Vec<_>) = members
            .par_iter()
            .map(|docs| {
                let mut counts: TermMap<&str, f64> = TermMap::default();
                let mut doc_counts: TermMap<&str, usize> = TermMap::default();
                for &i in docs {
                    for (t, n) in &documents[i] {
                        *counts.entry(t.as_str()).or_insert(0.0) += n;
                        *doc_counts.entry(t.as_str()).or_insert(0) += 1;
                    }
                }
                (counts, doc_counts)
            })
            .unzip();
        if min_docs > 1 {
            let mut corpus_docs: TermMap<&str, usize> = TermMap::default();
            for class in &doc_counts {
                for (t, n) in class {
                    *corpus_docs.entry(t).or_insert(0) += n;
                }
            }
            counts.par_iter_mut().for_each(|c| c.retain(|t, _| corpus_docs[t] >= min_docs));
            doc_counts.par_iter_mut().for_each(|c| c.retain(|t, _| corpus_docs[t] >= min_docs));
        }
        ClassTerms { counts, doc_counts, sizes: members.iter().map(Vec::len).collect() }
    }
}

/// c-TF-IDF weight of each term in each class:
/// W(t, c) = tf(t, c) · ln(1 + A / f(t)), with tf the count of t in c, f(t) the count of t in
/// all classes and A the average number of terms per class. Terms frequent everywhere ("undp",
/// "accelerator lab") get small weights from the formula itself, with no hand-made list.
pub fn c_tf_idf<'a>(classes: &ClassTerms<'a>) -> Vec<Vec<(&'a str, f64)>> {
    let mut total: TermMap<&str, f64> = TermMap::default();
    let mut words_all = 0.0;
    for class in &classes.counts {
        for (t, n) in class {
            *total.entry(t).or_insert(0.0) += n;
            words_all += n;
        }
    }
    let average = words_all / classes.counts.len().max(1) as f64;
    classes
        .counts
        .par_iter()
        .map(|class| {
            let mut weights: Vec<(&str, f64)> =
                class.iter().map(|(&t, &n)| (t, n * (1.0 + average / total[t]).ln())).collect();
            weights.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            weights
        })
        .collect()
}

/// Exponent of the class share in [`distinctive`].
pub const DISTINCTIVENESS: f64 = 2.0;
/// Keywords at the head of each list: frequent in the theme, used for its label and judged
/// by NPMI coherence.
pub const HEAD: usize = 10;
/// A head keyword occurs in at least this share of the theme's documents.
pub const HEAD_MIN_DOC_SHARE: f64 = 0.10;

/// Re-ranks c-TF-IDF weights by how much of a term's weight sits in each class:
/// score(t, c) = W(t, c) · (W(t, c) / Σc' W(t, c'))^[`DISTINCTIVENESS`]. A term spread over many
/// themes ("people", "community") drops down every list, one concentrated in a theme keeps its
/// place, so the themes' keyword lists overlap less (topic diversity) without a hand-made list.
pub fn distinctive<'a>(weights: &[Vec<(&'a str, f64)>]) -> Vec<Vec<(&'a str, f64)>> {
    let mut total: TermMap<&str, f64> = TermMap::default();
    for class in weights {
        for (t, w) in class {
            *total.entry(t).or_insert(0.0) += w;
        }
    }
    weights
        .par_iter()
        .map(|class| {
            let mut scored: Vec<(&str, f64)> = class
                .iter()
                .map(|&(t, w)| {
                    let share = w / total[t];
                    (t, w * share.powf(DISTINCTIVENESS))
                })
                .collect();
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            scored
        })
        .collect()
}

/// Keyword lists, best first, with their c-TF-IDF weights: first up to [`HEAD`] terms that
/// occur in at least [`HEAD_MIN_DOC_SHARE`] of the theme's documents (by distinctive score),
/// then terms whose c-TF-IDF weight is highest in this theme, then the rest.
///
/// Measured on the 4,900 solution pages (48 themes, first 256 tokens): plain c-TF-IDF gives
/// NPMI 0.147 / diversity 0.689; the distinctive score alone 0.107 / 0.916 (rare terms that
/// never co-occur); this ordering 0.242 / 0.926.
pub fn rank_keywords(classes: &ClassTerms, keep: usize) -> Vec<Vec<(String, f64)>> {
    let weights = c_tf_idf(classes);
    let mut owner: TermMap<&str, (usize, f64)> = TermMap::default();
    for (c, class) in weights.iter().enumerate() {
        for &(t, w) in class {
            let best = owner.entry(t).or_insert((c, w));
            if w > best.1 {
                *best = (c, w);
            }
        }
    }
    let plain: Vec<TermMap<&str, f64>> = weights.par_iter().map(|class| class.iter().copied().collect()).collect();
    distinctive(&weights)
        .into_par_iter()
        .enumerate()
        .map(|(c, scored)| {
            let floor = (HEAD_MIN_DOC_SHARE * classes.sizes[c] as f64).max(1.0);
            let docs = |t: &str| classes.doc_counts[c].get(t).copied().unwrap_or(0) as f64;
            let (common, rare): (Vec<&str>, Vec<&str>) =
                scored.into_iter().map(|(t, _)| t).partition(|t| docs(t) >= floor);
            let head = common.iter().take(HEAD).copied();
            let (own, shared): (Vec<&str>, Vec<&str>) =
                common.iter().skip(HEAD).copied().chain(rare).partition(|t| owner[t].0 == c);
            head.chain(own).chain(shared).take(keep).map(|t| (t.to_string(), plain[c][t])).collect()
        })
        .collect()
}

/// Two forms of one word, so a label does not say both: the same word or its plural in -s/-es
/// ("innovation", "innovations"), or words sharing a stem of five or more letters that makes up
/// at least three quarters of the shorter one ("tourists", "tourism"; "digital",
/// "digitalization"). A light rule rather than a stemmer: labels are made of a handful of words
/// in several languages, and a wrong merge only costs a label its second-best word.
pub(crate) fn same_word(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.strip_prefix(short).is_some_and(|rest| rest.is_empty() || rest == "s" || rest == "es") {
        return true;
    }
    // "city" and "cities", "policy" and "policies".
    if short.strip_suffix('y').is_some_and(|stem| long.strip_prefix(stem) == Some("ies")) {
        return true;
    }
    let common = short.chars().zip(long.chars()).take_while(|(x, y)| x == y).count();
    common >= 5 && common * 4 >= short.chars().count() * 3
}

/// Whether two terms share a word, in singular or plural: a label names each idea once.
pub fn overlaps(a: &str, b: &str) -> bool {
    a.split(' ').any(|x| b.split(' ').any(|y| same_word(x, y)))
}

/// Keywords a label's words are looked for in by [`grounded`]: about the terms a label is
/// chosen from.
const GROUNDING_KEYWORDS: usize = 15;

/// Whether every word of `label` (but the conjunctions [`phrase`] joins with) is, in singular
/// or plural, a word of one of the theme's first keywords: a label made from the theme's terms
/// as they were still names the theme as it is.
pub fn grounded(label: &str, keywords: &[String]) -> bool {
    let words: Vec<String> =
        keywords.iter().take(GROUNDING_KEYWORDS).flat_map(|k| k.split(' ').map(str::to_lowercase)).collect();
    let mut content =
        label.split(' ').map(str::to_lowercase).filter(|w| !w.is_empty() && !CONJUNCTIONS.contains(&w.as_str()));
    content.all(|w| words.iter().any(|k| same_word(&w, k)))
}

/// What [`conjunction`] joins with.
const CONJUNCTIONS: [&str; 6] = ["and", "y", "et", "e", "und", "&"];

/// "and" in the languages the labs write in most; other languages get an ampersand.
fn conjunction(language: Option<&str>) -> &'static str {
    CONJUNCTIONS[match language {
        Some("en") | None => 0,
        Some("es") => 1,
        Some("fr") => 2,
        Some("pt") | Some("it") => 3,
        Some("de") => 4,
        Some(_) => 5,
    }]
}

/// A readable label from a theme's best terms, best first: the first term and the next one
/// that names something else, joined as an analyst would write them ("Waste management and
/// recycling"), in the theme's language. Two words that the theme's terms also hold as one
/// phrase are that phrase ("strategic" and "thinking": "Strategic thinking and …").
pub fn phrase(terms: &[String], language: Option<&str>) -> String {
    let Some(mut first) = terms.first() else { return String::new() };
    if let Some(second) = terms[1..].iter().find(|t| !overlaps(first, t)) {
        let joined = [format!("{first} {second}"), format!("{second} {first}")];
        if let Some(pair) = terms.iter().find(|t| joined.contains(t)) {
            first = pair;
        }
    }
    let text = match terms.iter().find(|t| !overlaps(first, t)) {
        Some(second) => format!("{first} {} {second}", conjunction(language)),
        None => first.clone(),
    };
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_grounded_when_its_words_are_among_the_keywords() {
        let keywords: Vec<String> = ["waste management", "recycling", "plastic", "cities"].map(String::from).to_vec();
        assert!(grounded("Waste management and recycling", &keywords));
        assert!(grounded("Plastics y city", &keywords), "plurals, singulars and conjunctions");
        assert!(!grounded("Waste and money", &keywords));
    }

    fn doc(terms: &[(&str, f64)]) -> TermMap<String, f64> {
        terms.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    }

    #[test]
    fn c_tf_idf_hand_computed() {
        let docs = [doc(&[("a", 2.0), ("b", 1.0)]), doc(&[("a", 1.0), ("c", 3.0)])];
        let w = c_tf_idf(&ClassTerms::build(2, &docs, &[0, 1], 1));
        // A = (3 + 4) / 2 = 3.5; f(a) = 3, f(b) = 1, f(c) = 3.
        let get = |class: usize, t: &str| w[class].iter().find(|(x, _)| *x == t).unwrap().1;
        assert!((get(0, "a") - 2.0 * (1.0f64 + 3.5 / 3.0).ln()).abs() < 1e-12);
        assert!((get(0, "b") - (4.5f64).ln()).abs() < 1e-12);
        assert!((get(1, "c") - 3.0 * (1.0f64 + 3.5 / 3.0).ln()).abs() < 1e-12);
        assert_eq!(w[0][0].0, "a"); // 1.546 > 1.504
        assert_eq!(w[1][0].0, "c");
    }

    #[test]
    fn classes_sum_their_documents_and_drop_terms_of_one_document() {
        let docs = [doc(&[("solar", 2.0), ("once", 1.0)]), doc(&[("solar", 1.0)]), doc(&[("solar", 4.0)])];
        let all = ClassTerms::build(2, &docs, &[0, 0, 1], 1);
        assert_eq!(all.counts[0]["solar"], 3.0);
        assert_eq!(all.doc_counts[0]["solar"], 2);
        assert_eq!(all.sizes, vec![2, 1]);
        let common = ClassTerms::build(2, &docs, &[0, 0, 1], 2);
        assert!(!common.counts[0].contains_key("once"));
        assert_eq!(common.counts[1]["solar"], 4.0);
    }

    #[test]
    fn distinctive_pushes_shared_terms_down() {
        let weights = vec![vec![("shared", 3.0), ("own", 2.0)], vec![("shared", 3.0), ("other", 1.0)]];
        let d = distinctive(&weights);
        // shared: 3 · (3/6)² = 0.75 < own: 2 · 1² = 2.
        assert_eq!(d[0][0], ("own", 2.0));
        assert_eq!(d[0][1], ("shared", 0.75));
    }

    #[test]
    fn head_keywords_are_frequent_in_the_theme() {
        // "rare" has the larger count but sits in one of twenty documents of class 0.
        let mut docs = vec![doc(&[("rare", 30.0), ("solar", 1.0)])];
        docs.extend((0..19).map(|_| doc(&[("solar", 1.0)])));
        docs.push(doc(&[("water", 2.0)]));
        let mut classes = vec![0; 20];
        classes.push(1);
        let ranked = rank_keywords(&ClassTerms::build(2, &docs, &classes, 1), 5);
        assert_eq!(ranked[0].iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(), vec!["solar", "rare"]);
        assert_eq!(ranked[1][0].0, "water");
    }

    fn terms(text: &str, stop: &StopWords) -> Vec<String> {
        let mut out = Vec::new();
        for_each_term(text, stop, |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn terms_are_unigrams_and_adjacent_pairs_without_stop_words() {
        let stop = stop_words([]);
        let t = terms("Youth entrepreneurship and the circular economy.", &stop);
        assert_eq!(
            t,
            vec!["youth", "youth entrepreneurship", "entrepreneurship", "circular", "circular economy", "economy"]
        );
    }

    #[test]
    fn elided_articles_are_removed() {
        let stop = stop_words([]);
        assert_eq!(terms("L’accès à l'eau d’une ville", &stop), vec!["accès", "eau", "ville"]);
        let mut words = Vec::new();
        for_each_word("Don’t", &mut String::new(), |w| words.push(w.to_string()));
        assert_eq!(words, vec!["don't"]);
    }

    #[test]
    fn stop_words_cover_four_languages() {
        let stop = stop_words([]);
        for w in ["the", "los", "les", "não", "para", "dans"] {
            assert!(stop.contains(w), "{w}");
        }
    }

    #[test]
    fn forms_of_one_word_are_the_same_word() {
        for (a, b) in [
            ("innovation", "innovations"),
            ("tourists", "tourism"),
            ("digital", "digitalization"),
            ("box", "boxes"),
            ("city", "cities"),
        ] {
            assert!(same_word(a, b), "{a} {b}");
        }
        for (a, b) in [("water", "waste"), ("farm", "farmers"), ("solar", "social")] {
            assert!(!same_word(a, b), "{a} {b}");
        }
    }

    #[test]
    fn phrases_name_two_different_ideas_in_the_theme_language() {
        let k = |terms: &[&str]| terms.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            phrase(&k(&["waste management", "waste", "recycling"]), Some("en")),
            "Waste management and recycling"
        );
        assert_eq!(phrase(&k(&["stove", "stoves", "boiler"]), Some("en")), "Stove and boiler");
        assert_eq!(phrase(&k(&["city", "cities", "planning"]), Some("en")), "City and planning");
        assert_eq!(
            phrase(&k(&["strategic", "thinking", "futures", "strategic thinking"]), Some("en")),
            "Strategic thinking and futures"
        );
        assert_eq!(phrase(&k(&["innovación", "capacidades"]), Some("es")), "Innovación y capacidades");
        assert_eq!(phrase(&k(&["énergie"]), Some("fr")), "Énergie");
        assert_eq!(phrase(&[], Some("en")), "");
    }

    #[test]
    fn addresses_and_possessives_are_not_terms() {
        let stop = stop_words([]);
        assert_eq!(
            terms("See https://www.undp.org/samoa for Samoa's plan.", &stop),
            vec!["samoa", "samoa plan", "plan"]
        );
        assert_eq!(terms("solar\npanels", &stop), vec!["solar", "panels"], "a line break ends a pair");
        assert_eq!(terms("the 25th championship of the 1990s", &stop), vec!["championship"]);
        assert_eq!(terms("covid19 and g20 meetings", &stop), vec!["covid19", "g20", "g20 meetings", "meetings"]);
    }
}
