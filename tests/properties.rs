//! Property tests: any bytes or text give a result (or a named warning), never a panic or a
//! hang; cleaning is idempotent; sentences and terms point into their text.
//!
//! The number of cases comes from PROPTEST_CASES (`.ci/run` sets it), 64 by default.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use themescope::ingest::{self, clean, meta};
use themescope::summarise;
use themescope::themes::label;

/// Each case must finish well within this: the functions are linear in their input.
const CASE_LIMIT: Duration = Duration::from_secs(2);

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

/// Lines like those of real pages: prose, chrome, metadata, markup, dates, bullets, headings.
fn page_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-zÀ-ÿ ,'’-]{0,80}[.!?]?",
        Just("Sign up".to_string()),
        Just("Sign In".to_string()),
        Just("Follow".to_string()),
        Just("WHO WE ARE".to_string()),
        Just("Skip to main content".to_string()),
        Just("Recommended from Medium".to_string()),
        Just("Support independent authors".to_string()),
        Just("Photo by Jane Doe on Unsplash".to_string()),
        Just("![image](https://x.org/a.png)".to_string()),
        Just("--- Image caption ---".to_string()),
        Just("MAY 30, 2023".to_string()),
        Just("5 min read · Aug 21, 2020".to_string()),
        "\\[\\[[a-z_]{1,10}:[^\\]\\n]{0,30}\\]\\]",
        "# [A-Za-z ]{0,40}",
        "- [A-Za-z ]{0,40}",
        "> [A-Za-z ?]{0,40}",
        "<span class=\"x\">[a-z ]{0,20}</span>",
        "&(amp|lt|gt|nbsp|rsquo|#8217|eacute);[a-z]{0,10}",
        "\\PC{0,60}",
    ]
}

fn page() -> impl Strategy<Value = String> {
    prop::collection::vec(page_line(), 0..30).prop_map(|lines| lines.join("\n"))
}

fn within_limit<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(start.elapsed() < CASE_LIMIT, "{what} took {:?}", start.elapsed());
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_decode_or_are_named_binary(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let mut warnings = Vec::new();
        let text = within_limit("decoding", || ingest::decode(&bytes, &mut warnings));
        match text {
            Some(text) => {
                if std::str::from_utf8(&bytes).is_err() && !bytes.starts_with(&[0xef, 0xbb, 0xbf]) {
                    prop_assert!(!warnings.is_empty() || text.is_empty() || bytes.len() < 4, "undecodable bytes must be named");
                }
            }
            None => prop_assert!(bytes.contains(&0), "only NUL-bearing data is binary"),
        }
    }

    #[test]
    fn any_text_becomes_a_document(text in page()) {
        let doc = within_limit("building a document", || ingest::build_document(&text, "id".into(), "dir/a.txt".into()));
        prop_assert!(!doc.title.is_empty(), "a title, at worst the file name");
        prop_assert_eq!(doc.words, doc.text.split_whitespace().count());
        if let Some(year) = doc.year {
            prop_assert!(year != 1970, "1970 is a placeholder, not a year");
        }
    }

    #[test]
    fn arbitrary_unicode_becomes_a_document(text in "\\PC{0,400}") {
        within_limit("building a document", || ingest::build_document(&text, "id".into(), "a.txt".into()));
    }

    /// Removing chrome from a page without chrome changes nothing. (Decoding entities, the
    /// first thing cleaning does, happens exactly once by design: "&amp;lt;" is the text "&lt;".)
    #[test]
    fn cleaning_twice_equals_cleaning_once(text in page()) {
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let once = within_limit("cleaning", || clean::strip(clean::Draft { lines, ..clean::Draft::default() })).lines;
        let twice = clean::strip(clean::Draft { lines: once.clone(), ..clean::Draft::default() }).lines;
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn dates_parse_or_not_without_panicking(raw in prop_oneof![
        "\\PC{0,60}",
        "[0-9]{1,4}[-/. ][0-9]{1,2}[-/. ][0-9]{1,4}",
        "[0-9]{1,2} (de )?[a-zA-Zéû]{3,10} (de )?[0-9]{2,4}",
        "[a-zA-Z]{3,10} [0-9]{1,2}, [0-9]{4}",
    ]) {
        if let Some(date) = within_limit("parsing a date", || meta::parse_date(&raw)) {
            prop_assert!(raw.contains(&chrono::Datelike::year(&date).to_string()[2..]), "{} from {:?}", date, raw);
        }
    }

    #[test]
    fn sentences_and_summary_candidates_are_pieces_of_their_text(text in page()) {
        let spans = within_limit("splitting sentences", || themescope::ingest::sentences::sentence_spans(&text));
        let mut end = 0;
        for span in &spans {
            prop_assert!(span.start >= end && span.end <= text.len() && span.start < span.end);
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            let sentence = &text[span.clone()];
            prop_assert_eq!(sentence, sentence.trim(), "sentences are trimmed");
            end = span.end;
        }
        for span in summarise::candidates(&text, 16) {
            prop_assert!(summarise::is_summary_worthy(&text[span]));
        }
    }

    #[test]
    fn terms_are_lower_case_words_of_the_text(text in page()) {
        let stop = label::stop_words([]);
        let lower = text.to_lowercase().replace('’', "'");
        let mut count = 0;
        within_limit("extracting terms", || label::for_each_term(&text, &stop, |t| {
            count += 1;
            assert!(!t.is_empty() && t.split(' ').count() <= 2, "{t:?}");
            for word in t.split(' ') {
                assert!(word.chars().count() >= 3 && !stop.contains(word), "{word:?}");
                assert!(lower.contains(word), "{word:?} is not in the text");
            }
        }));
        // Each term word has three characters or more; a pair per word at most.
        prop_assert!(count <= 2 * (text.chars().count() / 3) + 1);
    }
}
