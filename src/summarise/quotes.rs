//! What makes a sentence worth quoting, and worth quoting under one theme: it stands alone
//! (not a caption, byline, question, lead-in, or a sentence leaning on the one before) and it
//! speaks of the theme in the theme's own terms.

use crate::ingest::Document;

/// Openings of sentences that credit, caption or ask rather than say (lower-cased).
const NOT_SAYING: &[&str] = &[
    "photo",
    "foto",
    "image",
    "figure",
    "fig.",
    "source:",
    "fuente:",
    "credit",
    "crédit",
    "caption",
    "©",
    "click",
    "follow us",
    "subscribe",
    "sign up",
    "read more",
    "learn more",
    "visit ",
    "contact us",
    "share this",
    "listen to",
    "download",
    "haga clic",
    "suscríbete",
    "suivez",
    "abonnez",
];

/// Openings that lean on what came before ("It", "This", "However,"): a quote must stand alone
/// (English, Spanish, French, Portuguese), compared with the sentence's first word or two.
const LEANING: &[&str] = &[
    "it",
    "its",
    "this",
    "these",
    "that",
    "those",
    "they",
    "their",
    "them",
    "he",
    "she",
    "his",
    "her",
    "such",
    "however",
    "but",
    "and",
    "so",
    "also",
    "moreover",
    "furthermore",
    "in addition",
    "finally",
    "then",
    "thus",
    "therefore",
    "similarly",
    "instead",
    "still",
    "yet",
    "here",
    "as a result",
    "for this reason",
    "in this",
    "as such",
    "esto",
    "este",
    "esta",
    "estos",
    "estas",
    "ello",
    "eso",
    "además",
    "sin embargo",
    "por eso",
    "así",
    "cela",
    "ce",
    "cette",
    "ces",
    "il",
    "elle",
    "ils",
    "elles",
    "de plus",
    "cependant",
    "ainsi",
    "isso",
    "isto",
    "além disso",
    "assim",
    "por isso",
];

/// Sentences about the text itself rather than its subject.
const ABOUT_THE_TEXT: &[&str] = &[
    "this blog",
    "this post",
    "this article",
    "this piece",
    "this series",
    "this story",
    "in this report",
    "we will share",
    "we share",
    "read on",
    "este blog",
    "este artículo",
    "ce blog",
    "cet article",
    "este artigo",
];

/// Words of a role in a byline ("Ramiz Uddin, PhD, Head of Experimentation, …").
const ROLES: &[&str] = &[
    "head of",
    "coordinator",
    "specialist",
    "officer",
    "analyst",
    "director",
    "manager",
    "consultant",
    "representative",
    "phd",
    "jefe de",
    "jefa de",
    "responsable",
    "coordinador",
    "coordinadora",
    "chargé",
];

/// Whether a sentence of `doc` says something a reader can quote as it is: not a caption, credit
/// or call to act, not a byline ("Name, PhD, Head of …"), not the page's title again, not a
/// question or a lead-in to a list, not leaning on the sentence before ("It", "This",
/// "However,"), not about the text itself ("In this blog…"), not one person's story ("I").
pub fn is_informative(sentence: &str, doc: &Document) -> bool {
    let lower = sentence.to_lowercase();
    if NOT_SAYING.iter().any(|s| lower.starts_with(s)) || lower.contains('©') || lower.contains("photo:") {
        return false;
    }
    let trimmed = sentence.trim();
    if trimmed.ends_with([':', '?', ';'])
        || !trimmed.ends_with(['.', '!', '…', '"', '”', ')', '»'])
        || ABOUT_THE_TEXT.iter().any(|t| lower.contains(t))
    {
        return false;
    }
    // A form's answers: lower-case or listed openings, a field's label before a colon, and
    // sentences run into each other ("… and emb. she collects …").
    let opens_badly = trimmed.starts_with(|c: char| c.is_lowercase() || c == '-' || c.is_ascii_digit());
    let label = trimmed
        .split(':')
        .next()
        .is_some_and(|head| head.len() < trimmed.len() && head.split_whitespace().count() <= 5);
    let run_on = trimmed.match_indices(". ").any(|(i, _)| trimmed[i + 2..].starts_with(char::is_lowercase));
    if opens_badly || label || run_on {
        return false;
    }
    // "this issue", "these efforts" near the start point back to a sentence the reader has not
    // seen ("this year" points nowhere).
    let words: Vec<&str> = lower.split_whitespace().take(8).collect();
    let points_back = words.windows(2).any(|w| {
        matches!(
            w[0],
            "this" | "these" | "those" | "such" | "ce" | "cette" | "ces" | "este" | "esta" | "estos" | "estas"
        ) && !matches!(
            w[1].trim_matches(|c: char| !c.is_alphanumeric()),
            "year" | "month" | "week" | "time" | "año" | "mes" | "année"
        )
    });
    if points_back {
        return false;
    }
    let opening: Vec<String> =
        lower.split_whitespace().take(2).map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string()).collect();
    let first_two = opening.join(" ");
    let personal = lower.split(|c: char| !c.is_alphanumeric()).any(|w| matches!(w, "i" | "me" | "my"));
    if personal
        || opening.first().is_some_and(|w| LEANING.contains(&w.as_str()))
        || LEANING.contains(&first_two.as_str())
    {
        return false;
    }
    let head: String = lower.split_whitespace().take(12).collect::<Vec<_>>().join(" ");
    let opens_with_name = sentence.split_whitespace().take(2).all(|w| w.starts_with(char::is_uppercase))
        && sentence.split_whitespace().take(4).any(|w| w.ends_with(','));
    if opens_with_name && ROLES.iter().any(|r| head.contains(r)) {
        return false;
    }
    let key = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let title = key(&doc.title);
    title.chars().count() < 20 || !key(sentence).contains(&title)
}

/// Whether a sentence speaks of the labs themselves (their network, teams and roles).
fn about_the_labs(lower: &str) -> bool {
    const LABS: &[&str] = &[
        "accelerator lab",
        "acclab",
        "the lab ",
        "the lab,",
        "the lab.",
        "the labs",
        "our lab",
        "head of exploration",
        "head of experimentation",
        "head of solutions mapping",
        "laboratorio de aceleración",
        "laboratoire d",
        "laboratório de aceleração",
    ];
    LABS.iter().any(|l| lower.contains(l))
}

/// What a theme's quotes must speak of: its first keywords, the names of its subjects and its
/// keywords in other languages, each as lower-case words.
#[derive(Debug, Clone, Default)]
pub struct ThemeTerms {
    terms: Vec<Vec<String>>,
    /// The theme is about the labs themselves: sentences about them may be quoted.
    about_labs: bool,
}

/// Keywords of a theme a quote may carry.
const QUOTE_KEYWORDS: usize = 15;

impl ThemeTerms {
    pub fn of(theme: &crate::themes::Theme) -> ThemeTerms {
        let words = |t: &str| {
            let mut buffer = String::new();
            crate::themes::label::words_of(t)
                .map(|w| {
                    crate::themes::label::normalise_word(w, &mut buffer);
                    buffer.clone()
                })
                .collect::<Vec<String>>()
        };
        let listed = theme.keywords.iter().take(QUOTE_KEYWORDS);
        let other = theme.keywords_by_language.values().flat_map(|k| k.iter().take(QUOTE_KEYWORDS));
        let terms: Vec<Vec<String>> =
            listed.chain(&theme.subjects).chain(other).map(|t| words(t)).filter(|w| !w.is_empty()).collect();
        let about_labs = theme.keywords.iter().take(10).any(|k| {
            k.split(' ').any(|w| matches!(w, "lab" | "labs" | "accelerator" | "network" | "teams" | "exploration"))
        });
        ThemeTerms { terms, about_labs }
    }

    /// How many of the theme's terms a sentence carries.
    fn carried(&self, sentence: &str) -> usize {
        let mut buffer = String::new();
        let words: Vec<String> = crate::themes::label::words_of(sentence)
            .map(|w| {
                crate::themes::label::normalise_word(w, &mut buffer);
                buffer.clone()
            })
            .collect();
        self.terms.iter().filter(|t| words.windows(t.len()).any(|w| w == t.as_slice())).count()
    }

    /// Whether a sentence is on the theme by its words: it carries two of the theme's terms, or
    /// three where it speaks of the labs and the theme does not. One term let sentences that
    /// name the subject in passing through ("… such as climate change, disaster risk, water
    /// security …" under air pollution); blind raters turned those down.
    pub fn speaks_of(&self, sentence: &str) -> bool {
        let needed = if !self.about_labs && about_the_labs(&sentence.to_lowercase()) { 3 } else { 2 };
        self.carried(sentence) >= needed.min(self.terms.len())
    }
}

/// Two quotes that say nearly the same: most of their words in common.
pub(super) fn repeats(a: &str, b: &str) -> bool {
    let words = |s: &str| s.split_whitespace().map(str::to_lowercase).collect::<std::collections::HashSet<String>>();
    let (a, b) = (words(a), words(b));
    let common = a.intersection(&b).count();
    common * 5 >= a.len().min(b.len()) * 3
}
