//! Theme keywords by class-based TF-IDF over 1-2 word terms (Grootendorst 2022, eq. 1).

use std::collections::{HashMap, HashSet};

/// Languages whose stop words are always removed (the labs' four main languages); stop words of
/// any other language present in the corpus are added on top.
pub const BASE_LANGUAGES: &[&str] = &["en", "es", "fr", "pt"];

/// Stop words of the base languages plus `extra` languages (ISO 639-1 codes).
pub fn stop_words<'a>(extra: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    let mut words = HashSet::new();
    let langs: Vec<&str> = BASE_LANGUAGES.iter().copied().chain(extra).collect();
    for lang in langs {
        if let Some(list) = stop_words::lookup(lang) {
            words.extend(list.iter().map(|w| w.to_lowercase()));
        }
    }
    words
}

/// Lower-cased word tokens: runs of letters and digits that contain a letter, 2+ characters.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '’'))
        .filter(|w| w.chars().count() >= 2 && w.chars().any(char::is_alphabetic))
        .map(str::to_lowercase)
}

/// The 1-2 word terms of a text: words that are not stop words, and pairs of such words that
/// stand next to each other (a stop word or punctuation between them breaks the pair).
pub fn terms(text: &str, stop: &HashSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for sentence in text.split(['.', ',', ';', ':', '!', '?', '\n', '(', ')', '"', '“', '”']) {
        let mut prev: Option<String> = None;
        for w in words(sentence) {
            let is_stop = stop.contains(&w) || w.chars().count() < 3;
            if is_stop {
                prev = None;
                continue;
            }
            if let Some(p) = &prev {
                out.push(format!("{p} {w}"));
            }
            out.push(w.clone());
            prev = Some(w);
        }
    }
    out
}

/// Term counts per class.
#[derive(Debug, Default, Clone)]
pub struct ClassTerms {
    pub counts: Vec<HashMap<String, f64>>,
}

/// c-TF-IDF weight of each term in each class:
/// W(t, c) = tf(t, c) · ln(1 + A / f(t)), with tf the count of t in c, f(t) the count of t in
/// all classes and A the average number of terms per class. Terms frequent everywhere ("undp",
/// "accelerator lab") get small weights from the formula itself, with no hand-made list.
pub fn c_tf_idf(classes: &ClassTerms) -> Vec<Vec<(String, f64)>> {
    let mut total: HashMap<&str, f64> = HashMap::new();
    let mut words_all = 0.0;
    for class in &classes.counts {
        for (t, n) in class {
            *total.entry(t.as_str()).or_insert(0.0) += n;
            words_all += n;
        }
    }
    let average = words_all / classes.counts.len().max(1) as f64;
    classes
        .counts
        .iter()
        .map(|class| {
            let mut weights: Vec<(String, f64)> = class
                .iter()
                .map(|(t, &n)| (t.clone(), n * (1.0 + average / total[t.as_str()]).ln()))
                .collect();
            weights.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            weights
        })
        .collect()
}

/// A short readable name from the best terms: up to three, skipping a word already said by a
/// chosen pair and a pair whose words were both chosen.
pub fn label_from(keywords: &[String]) -> String {
    let mut chosen: Vec<&str> = Vec::new();
    for term in keywords {
        let covered = chosen.iter().any(|c| {
            let cw: Vec<&str> = c.split(' ').collect();
            term.split(' ').all(|w| cw.contains(&w))
                || c.split(' ').all(|w| term.split(' ').any(|t| t == w))
        });
        if covered {
            if let Some(pos) = chosen.iter().position(|c| {
                !c.contains(' ') && term.contains(' ') && term.split(' ').any(|t| t == *c)
            }) {
                // A pair is more readable than its single word: upgrade in place.
                chosen[pos] = term;
            }
            continue;
        }
        chosen.push(term);
        if chosen.len() == 3 {
            break;
        }
    }
    chosen.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_tf_idf_hand_computed() {
        let mut c0 = HashMap::new();
        c0.insert("a".to_string(), 2.0);
        c0.insert("b".to_string(), 1.0);
        let mut c1 = HashMap::new();
        c1.insert("a".to_string(), 1.0);
        c1.insert("c".to_string(), 3.0);
        let w = c_tf_idf(&ClassTerms {
            counts: vec![c0, c1],
        });
        // A = (3 + 4) / 2 = 3.5; f(a) = 3, f(b) = 1, f(c) = 3.
        let get = |class: usize, t: &str| w[class].iter().find(|(x, _)| x == t).unwrap().1;
        assert!((get(0, "a") - 2.0 * (1.0f64 + 3.5 / 3.0).ln()).abs() < 1e-12);
        assert!((get(0, "b") - (4.5f64).ln()).abs() < 1e-12);
        assert!((get(1, "c") - 3.0 * (1.0f64 + 3.5 / 3.0).ln()).abs() < 1e-12);
        assert_eq!(w[0][0].0, "a"); // 1.546 > 1.504
        assert_eq!(w[1][0].0, "c");
    }

    #[test]
    fn terms_are_unigrams_and_adjacent_pairs_without_stop_words() {
        let stop = stop_words([]);
        let t = terms("Youth entrepreneurship and the circular economy.", &stop);
        assert_eq!(
            t,
            vec![
                "youth",
                "youth entrepreneurship",
                "entrepreneurship",
                "circular",
                "circular economy",
                "economy"
            ]
        );
    }

    #[test]
    fn stop_words_cover_four_languages() {
        let stop = stop_words([]);
        for w in ["the", "los", "les", "não", "para", "dans"] {
            assert!(stop.contains(w), "{w}");
        }
    }

    #[test]
    fn label_prefers_pairs_and_skips_repeats() {
        let k: Vec<String> = [
            "waste",
            "plastic waste",
            "plastic",
            "recycling",
            "circular economy",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(label_from(&k), "plastic waste, recycling, circular economy");
    }
}
