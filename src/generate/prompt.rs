//! What the language model is told about a theme, and how its answer is read.
//!
//! The instructions and worked examples come first and are the same for every theme, so the
//! model's cache of them is reused from one theme to the next (see the runtime); the theme's
//! own evidence follows. The answer is JSON: a description first (what the pages do, which the
//! labels then name), then three candidate labels, best first. Candidates are chosen among by
//! the checks of [`super::check`], not trusted.

use serde::Deserialize;

/// Version of the prompt and its reading: part of every cached answer's key, so a change here
/// is asked again rather than read from the store.
pub const PROMPT_VERSION: &str = "prompt-2";

/// What the model reads of one theme.
#[derive(Debug, Clone, Default)]
pub struct Brief {
    /// Its head keywords, best first.
    pub keywords: Vec<String>,
    /// Names its pages share (see [`crate::themes::Theme::subjects`]).
    pub subjects: Vec<String>,
    pub places: Vec<String>,
    /// Titles of its most representative pages.
    pub titles: Vec<String>,
    /// Its most central sentences.
    pub sentences: Vec<String>,
    /// For a broad area, each of its themes' label and description ("Label: description"):
    /// what it is named from, in place of titles and sentences.
    pub themes: Vec<String>,
    /// Language code of most of its pages ("en").
    pub language: String,
}

/// Keywords, titles and sentences given per theme: enough to say what the pages share, few
/// enough that a 2-core machine reads a theme in about a second.
pub const KEYWORDS: usize = 12;
pub const TITLES: usize = 7;
pub const SENTENCES: usize = 3;
/// Characters kept of a title and of a sentence.
const TITLE_CHARS: usize = 120;
const SENTENCE_CHARS: usize = 200;

/// The system message.
pub const SYSTEM: &str = "You name the themes of a collection of pages for an analyst's report. Answer with JSON only.";

/// The instructions and worked examples every theme's prompt begins with.
const PREAMBLE: &str = r#"Each theme is a group of pages. Write a description of the theme, then three candidate labels for it, best first.
Rules:
- The description has 2 short sentences saying what the pages do and where, using only the facts given.
- A label has 2 to 6 words and names the specific subject the pages share, as the heading of a report's section would. A name the pages share is welcome.
- No place names in a label unless the pages are about that place.
- Never use filler words such as analysis, overview, trends, issues, insights, topics, cluster, various.

Examples from other collections:

Keywords: vaccine, doses, rollout, clinics, cold chain, drones
Names: COVAX
Places: Malawi
Titles:
- Last-mile delivery of vaccines in Malawi
- Drones carry doses to remote clinics
Answer: {"description": "The pages describe how vaccine doses reach remote clinics, with drones and cold-chain tracking. They report pilots in Malawi.", "labels": ["COVID-19 vaccine delivery", "Vaccine doses for remote clinics", "Drone delivery of vaccines"]}

Keywords: mangroves, coastline, planting, erosion, fishers, restoration
Names: -
Places: -
Titles:
- Replanting mangroves to protect the coast
- Fishers restore the shoreline
Answer: {"description": "The pages follow communities replanting mangroves to hold back coastal erosion. Fishers take part in the planting.", "labels": ["Mangrove restoration", "Coastal erosion and mangroves", "Community mangrove planting"]}

Keywords: shares, profits, airline, fares, passengers, quarter
Names: Ryanair, easyJet
Places: -
Titles:
- Ryanair profits beat forecasts
- Budget airlines cut fares as fuel costs rise
Answer: {"description": "The pages report the profits, fares and passenger numbers of budget airlines. They compare Ryanair's and easyJet's results.", "labels": ["Budget airline profits", "Low-cost airline fares", "Ryanair and easyJet results"]}
"#;

/// The grammar an answer is held to when the free answer could not be read: the same JSON,
/// one string per field, no line breaks. Held only then, since a grammar slows generation
/// (49 → 20 tokens/s measured with the 0.5B model on two cores).
pub const GRAMMAR: &str = r#"root ::= "{\"description\": " str ", \"labels\": [" str ", " str ", " str "]}"
str ::= "\"" [^"\\\n]+ "\"""#;

/// The user message for one theme; `avoid` lists labels other themes already carry, for a
/// theme whose candidates all clashed with them.
pub fn prompt(brief: &Brief, avoid: &[String]) -> String {
    let list = |items: &[String], n: usize| {
        let items: Vec<&str> = items.iter().take(n).map(String::as_str).collect();
        if items.is_empty() {
            "-".to_string()
        } else {
            items.join(", ")
        }
    };
    let mut out = String::from(PREAMBLE);
    let what = if brief.themes.is_empty() { "theme" } else { "broad area (a group of the themes listed)" };
    out.push_str(&format!(
        "\nThe {what} to name (write the labels and the description in {}):\n",
        language_name(&brief.language)
    ));
    out.push_str(&format!("Keywords: {}\n", list(&brief.keywords, KEYWORDS)));
    out.push_str(&format!("Names: {}\n", list(&brief.subjects, 6)));
    out.push_str(&format!("Places: {}\n", list(&brief.places, 5)));
    if !brief.themes.is_empty() {
        out.push_str("Its themes:\n");
        for theme in &brief.themes {
            out.push_str(&format!("- {}\n", clip(theme, SENTENCE_CHARS)));
        }
    } else {
        out.push_str("Titles:\n");
        for title in brief.titles.iter().take(TITLES) {
            out.push_str(&format!("- {}\n", clip(title, TITLE_CHARS)));
        }
    }
    if !brief.sentences.is_empty() {
        out.push_str("Sentences from the pages:\n");
        for sentence in brief.sentences.iter().take(SENTENCES) {
            out.push_str(&format!("- {}\n", clip(sentence, SENTENCE_CHARS)));
        }
    }
    if !avoid.is_empty() {
        out.push_str(&format!("Other themes are already called: {}. Write labels unlike those.\n", avoid.join("; ")));
    }
    out.push_str("Answer:");
    out
}

/// `text` cut to at most `max` characters at a word boundary, on one line.
fn clip(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

/// The English name of a language code, as the model reads it best.
fn language_name(code: &str) -> String {
    match crate::ingest::lang::english_name(code) {
        Some(name) => name.to_string(),
        None if code.is_empty() => "English".to_string(),
        None => format!("the language coded {code}"),
    }
}

/// A model's answer, read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    /// Candidate labels, best first as the model ranked them.
    pub labels: Vec<String>,
    pub description: String,
}

/// The JSON as a model may write it: `labels`, or a single `label`.
#[derive(Deserialize)]
struct Written {
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    description: String,
}

/// Candidates asked for: the runtime stops the answer once the third has been written (small
/// models otherwise go on listing labels until they run out of tokens).
pub const CANDIDATES: usize = 3;

/// Reads the first JSON object of `text` (models sometimes wrap it in prose or a code fence);
/// `None` when there is none or it holds no label.
pub fn read_answer(text: &str) -> Option<Answer> {
    let start = text.find('{')?;
    let mut stream = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Written>();
    let written = stream.next()?.ok()?;
    let labels: Vec<String> = written
        .labels
        .into_iter()
        .chain(written.label)
        .map(|l| l.trim().trim_end_matches('.').trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    (!labels.is_empty()).then(|| Answer { labels, description: written.description.trim().to_string() })
}

/// Follows the answer's bytes until its first JSON object closes, or until a list in it holds
/// [`CANDIDATES`] strings (small models go on listing labels until they run out of
/// tokens), so that generation stops there rather than at the model's end token.
#[derive(Default)]
pub struct JsonEnd {
    /// The brackets open, innermost last.
    open: Vec<u8>,
    in_string: bool,
    escaped: bool,
    /// Strings closed in the innermost list.
    listed: usize,
}

impl JsonEnd {
    /// Where the answer ends once `piece` is added: `None` while it goes on, else the bytes of
    /// `piece` it keeps and the brackets still to write ("" when the object closed by itself,
    /// "]}" when the list was cut).
    pub fn ends_in(&mut self, piece: &[u8]) -> Option<(usize, String)> {
        for (at, &b) in piece.iter().enumerate() {
            if self.in_string {
                match (self.escaped, b) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => {
                        self.in_string = false;
                        if self.open.last() == Some(&b'[') {
                            self.listed += 1;
                            if self.listed == CANDIDATES {
                                let closing = self.open.iter().rev().map(|&o| if o == b'[' { ']' } else { '}' });
                                return Some((at + 1, closing.collect()));
                            }
                        }
                    }
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' if !self.open.is_empty() => self.in_string = true,
                b'{' | b'[' => {
                    self.open.push(b);
                    self.listed = 0;
                }
                b'}' | b']' if !self.open.is_empty() => {
                    self.open.pop();
                    if self.open.is_empty() {
                        return Some((at + 1, String::new()));
                    }
                }
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief() -> Brief {
        Brief {
            keywords: vec!["gas".into(), "auction".into(), "bankruptcy".into()],
            subjects: vec!["Yukos".into()],
            places: vec![],
            titles: vec!["Yukos unit sold at auction".into(), "A very long title ".repeat(20)],
            sentences: vec!["The auction of Yugansk went ahead.".into()],
            language: "en".into(),
            themes: vec![],
        }
    }

    #[test]
    fn the_prompt_ends_with_the_theme_after_the_shared_preamble() {
        let text = prompt(&brief(), &[]);
        assert!(text.starts_with(PREAMBLE), "the shared part comes first, for the model's cache");
        let theme = &text[PREAMBLE.len()..];
        assert!(theme.contains("Keywords: gas, auction, bankruptcy\nNames: Yukos\nPlaces: -\n"), "{theme}");
        assert!(theme.contains("in English"));
        assert!(theme.contains("- The auction of Yugansk went ahead.\n"));
        let long = theme.lines().find(|l| l.starts_with("- A very long")).unwrap();
        assert!(long.chars().count() <= TITLE_CHARS + 3 && long.ends_with('…'), "{long}");
        assert!(theme.ends_with("Answer:"));
        assert!(!theme.contains("already called"));
        let again = prompt(&brief(), &["Gas auctions".into()]);
        assert!(again.contains("Other themes are already called: Gas auctions."), "{again}");
    }

    #[test]
    fn answers_are_read_from_json_wherever_it_is() {
        let plain = r#"{"description": "The pages follow Yukos.", "labels": ["Yukos affair", "Gas auction."]}"#;
        assert_eq!(
            read_answer(plain),
            Some(Answer {
                labels: vec!["Yukos affair".into(), "Gas auction".into()],
                description: "The pages follow Yukos.".into()
            })
        );
        let fenced = "Here it is:\n```json\n{\"label\": \"Yukos affair\", \"description\": \"x\"}\n```\ntrailing";
        assert_eq!(read_answer(fenced).unwrap().labels, vec!["Yukos affair"]);
        assert_eq!(read_answer("no json here"), None);
        assert_eq!(read_answer(r#"{"labels": [], "description": "x"}"#), None);
        assert_eq!(read_answer(r#"{"labels": ["cut off"#), None);
    }

    fn ends(pieces: &[&[u8]]) -> Vec<Option<(usize, String)>> {
        let mut end = JsonEnd::default();
        pieces.iter().map(|p| end.ends_in(p)).collect()
    }

    #[test]
    fn the_answer_ends_where_its_object_closes_or_its_third_candidate() {
        let closed = ends(&[b"Sure: ", b"{\"description\": \"a }", b"\\\" b\", \"x\": {}", b", \"labels\": []", b"}"]);
        assert_eq!(closed, [None, None, None, None, Some((1, String::new()))]);
        let cut = ends(&[b"{\"labels\": [\"a\", \"b", b"]\", \"c", b"\"]]}"]);
        assert_eq!(cut, [None, None, Some((1, "]}".to_string()))], "what the model writes after the third is not kept");
    }
}
