//! Where the sentences of a text are.
//!
//! The boundaries are Unicode's (UAX #29 sentence rules, from the `unicode-segmentation` crate):
//! they know the terminators of every script (`。`, `؟`, `।`), closing quotes and brackets after
//! a full stop, and that a full stop followed by a lower-case word, a digit or no space ends
//! nothing ("3.5", "e.g. the", "undp.org"). On top of them: a sentence never spans a line (each
//! line of a clean text is a paragraph, a heading or a list item), headings are not sentences,
//! a list item's marker is not part of its sentence, and a full stop after a known abbreviation
//! or an initial ("Dr. Smith", "J. K. Doe") does not end one, which the Unicode rules, having no
//! dictionary, cannot know.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// Abbreviations whose final period does not end a sentence (English, Spanish, French,
/// Portuguese), lower-cased, without the final period. Not "etc.": followed by a capital, it
/// ends one.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "inc", "ltd", "co", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "fig", "p.ej", "sr", "sra", "srta",
    "dra", "ud", "uds", "av", "mme", "mlle", "m", "art", "pág", "p", "pp", "u.s", "u.k", "u.n", "ed", "eds", "vol",
    "cf", "al", "gen", "gov", "hon", "lic", "ing", "arq",
];

/// Where the sentences of `text` are, as byte ranges, in order.
pub fn sentence_spans(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for raw in text.split_inclusive('\n') {
        let base = line_start;
        line_start += raw.len();
        let line = raw.trim_end();
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let marker = list_marker(body);
        let offset = base + (line.len() - body.len()) + marker;
        spans_of_paragraph(&line[line.len() - body.len() + marker..], offset, &mut out);
    }
    out
}

/// The length of a list item's marker ("- ", "• ", "1. ") with the spaces after it.
fn list_marker(line: &str) -> usize {
    let bullet = ["- ", "• ", "· ", "* ", "– "].iter().find(|m| line.starts_with(**m)).map(|m| m.len());
    let numbered = || {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        (digits > 0 && digits <= 2 && line[digits..].starts_with(". ")).then_some(digits + 2)
    };
    match bullet.or_else(numbered) {
        Some(n) => n + (line[n..].len() - line[n..].trim_start().len()),
        None => 0,
    }
}

/// The sentences of one paragraph (`paragraph` starts at byte `offset` of the text).
fn spans_of_paragraph(paragraph: &str, offset: usize, out: &mut Vec<Range<usize>>) {
    let mut start: Option<usize> = None;
    for (at, piece) in paragraph.split_sentence_bound_indices() {
        let from = *start.get_or_insert(at);
        let end = at + piece.len();
        if continues(piece.trim_end()) && end < paragraph.len() {
            continue;
        }
        let sentence = &paragraph[from..end];
        let lead = sentence.len() - sentence.trim_start().len();
        let trimmed = sentence.trim();
        if !trimmed.is_empty() {
            out.push(offset + from + lead..offset + from + lead + trimmed.len());
        }
        start = None;
    }
}

/// Whether a piece the Unicode rules ended goes on: it ends with a full stop after a known
/// abbreviation or a single letter (an initial).
fn continues(piece: &str) -> bool {
    let Some(before) = piece.strip_suffix('.') else { return false };
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    let single_letter = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    single_letter || ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

/// Restores the sentence boundaries a page's export lost, on one line: a full stop, question
/// or exclamation mark run into the next sentence ("receive.The", "platform.And") gets its space
/// back, unless the word before it cannot end a sentence that way (a web address, an e-mail
/// address, an abbreviation or initials such as "U.S.A", a decimal).
pub fn restore_breaks(line: &str) -> Option<String> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut cuts = Vec::new();
    for k in 1..chars.len().saturating_sub(2) {
        let (at, c) = chars[k];
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let (before, after, after2) = (chars[k - 1].1, chars[k + 1].1, chars[k + 2].1);
        if !(before.is_lowercase() && after.is_uppercase() && after2.is_lowercase()) {
            continue;
        }
        let word = &line[word_start(&line[..at])..at];
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        let address = word.contains(['.', '@', '/', ':', '\\']) || word.starts_with("www");
        let next: String = line[at + c.len_utf8()..].chars().take_while(|c| c.is_alphabetic()).collect();
        // An abbreviation holds the next word ("Hon.Joyce"), unless that word opens sentences
        // and the abbreviation is no title before a name ("art.The", "no.El").
        let lower = word.to_lowercase();
        let title = matches!(
            lower.as_str(),
            "mr" | "mrs"
                | "ms"
                | "dr"
                | "prof"
                | "hon"
                | "sr"
                | "sra"
                | "srta"
                | "dra"
                | "mme"
                | "mlle"
                | "st"
                | "gen"
                | "gov"
        );
        let abbreviation = ABBREVIATIONS.contains(&lower.as_str()) && (title || !OPENERS.contains(&next.as_str()));
        // "Plasti.Co", "Acme.Inc": a name's suffix, not a sentence ("…enhancement.Co-creation" is).
        let after = line[at + c.len_utf8() + next.len()..].chars().next();
        let ends_token = after.is_none_or(|a| a.is_whitespace() || (a.is_ascii_punctuation() && a != '-'));
        let suffix = ends_token
            && matches!(next.to_lowercase().as_str(), "co" | "inc" | "ltd" | "org" | "com" | "net" | "io" | "ai");
        if letters >= 2 && !address && !abbreviation && !suffix {
            cuts.push(at + c.len_utf8());
        }
    }
    if cuts.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(line.len() + cuts.len());
    let mut from = 0;
    for cut in cuts {
        out.push_str(&line[from..cut]);
        out.push(' ');
        from = cut;
    }
    out.push_str(&line[from..]);
    Some(out)
}

/// Words written with a capital inside (brands, programmes): never a heading run into a sentence.
const INNER_CAPITALS: &[&str] = &[
    "whatsapp",
    "youtube",
    "linkedin",
    "powerpoint",
    "javascript",
    "github",
    "tiktok",
    "paypal",
    "fintech",
    "edtech",
    "govtech",
    "agritech",
    "healthtech",
    "cleantech",
    "openstreetmap",
    "surveymonkey",
    "mailchimp",
    "kobotoolbox",
    "arcgis",
    "qgis",
    "iphone",
    "ebay",
    "mcdonald",
    "macarthur",
    "deepmind",
    "openai",
    "chatgpt",
    "hackathon",
    "servicelab",
    "acclab",
    "fablab",
    "datalab",
    "innovationlab",
    "mygov",
    "ecitizen",
    "mpesa",
    "startup",
];

/// Words that open sentences (English, Spanish, French, Portuguese): a word run into one of them
/// ("collectionThe", "humanoLa") ended a heading whose line break was lost.
const OPENERS: &[&str] = &[
    "The",
    "This",
    "These",
    "That",
    "Those",
    "There",
    "Their",
    "They",
    "We",
    "Our",
    "It",
    "Its",
    "In",
    "On",
    "At",
    "As",
    "An",
    "For",
    "From",
    "With",
    "When",
    "While",
    "What",
    "How",
    "Why",
    "Where",
    "Who",
    "After",
    "Before",
    "During",
    "Since",
    "Today",
    "Through",
    "To",
    "By",
    "If",
    "Each",
    "Every",
    "Many",
    "Most",
    "Some",
    "One",
    "However",
    "Although",
    "Also",
    "And",
    "But",
    "So",
    "Yet",
    "Here",
    "Now",
    "Over",
    "Under",
    "Among",
    "According",
    "El",
    "La",
    "Los",
    "Las",
    "Un",
    "Una",
    "En",
    "Con",
    "Para",
    "Por",
    "Este",
    "Esta",
    "Estos",
    "Estas",
    "Como",
    "Desde",
    "Durante",
    "Hoy",
    "Nuestro",
    "Nuestra",
    "Se",
    "Al",
    "Del",
    "Sin",
    "Cuando",
    "Le",
    "Les",
    "Une",
    "Dans",
    "Pour",
    "Avec",
    "Ce",
    "Cette",
    "Ces",
    "Nous",
    "Il",
    "Elle",
    "Depuis",
    "Au",
    "Aux",
    "Du",
    "Des",
    "Selon",
    "Os",
    "Um",
    "Uma",
    "Em",
    "Com",
    "No",
    "Na",
    "Nos",
    "Nas",
    "Ao",
    "Do",
    "Da",
];

/// A heading whose line break the export lost, run into the paragraph after it: "AI Innovations
/// for Public GoodSignificant potential lies…", "They DreamThe UNDP Uganda…", "rethinking data
/// collectionThe journey began". Where a lower-case letter touches a capital that starts a word,
/// the line is cut there (the heading, then the rest) when that word opens sentences, or when
/// the words since the line's start or the last sentence end are a short run mostly in
/// capitals (a heading or a byline, not a sentence) and a sentence goes on after the word.
pub fn split_glued_heading(line: &str) -> Option<(String, String)> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for k in 1..chars.len().saturating_sub(1) {
        let (at, c) = chars[k];
        if !(c.is_uppercase() && chars[k - 1].1.is_lowercase() && chars[k + 1].1.is_lowercase()) {
            continue;
        }
        let token_start = word_start(&line[..at]);
        let token_end = line[at..].find(char::is_whitespace).map_or(line.len(), |i| at + i);
        let token: String = line[token_start..token_end].chars().filter(|c| c.is_alphanumeric()).collect();
        let left_letters = line[token_start..at].chars().filter(|c| c.is_alphabetic()).count();
        if left_letters < 3 || INNER_CAPITALS.iter().any(|w| token.to_lowercase().contains(w)) {
            continue;
        }
        let right: String = line[at..token_end].chars().take_while(|c| c.is_alphabetic()).collect();
        let cut = || Some((line[..at].trim_end().to_string(), line[at..].to_string()));
        if OPENERS.contains(&right.as_str()) {
            return cut();
        }
        let goes_on = line[token_end..].split_whitespace().next().is_some_and(|w| w.starts_with(char::is_lowercase));
        let run_start = sentence_start(&line[..at]);
        let run: Vec<&str> = line[run_start..at].split_whitespace().collect();
        let opens_capitalised =
            run.first().is_some_and(|w| w.starts_with(|c: char| c.is_uppercase() || c.is_numeric()));
        if !goes_on || !opens_capitalised || run.len() < 2 || run.len() > 14 {
            continue;
        }
        let capitalised = run[1..].iter().filter(|w| w.chars().next().is_some_and(|c| c.is_uppercase())).count();
        let small = run[1..].iter().filter(|w| w.chars().count() <= 4 && w.chars().all(char::is_lowercase)).count();
        if capitalised * 5 >= (run.len() - 1 - small).max(1) * 4 && capitalised >= 1 {
            return cut();
        }
    }
    None
}

/// Where the last word of `text` starts: after its last whitespace (of any width), or at 0.
fn word_start(text: &str) -> usize {
    text.char_indices().rev().find(|(_, c)| c.is_whitespace()).map_or(0, |(i, c)| i + c.len_utf8())
}

/// Where the current sentence of `text` starts: after its last sentence end, or at its start.
fn sentence_start(text: &str) -> usize {
    text.char_indices()
        .filter(|&(i, c)| matches!(c, '.' | '!' | '?' | ':') && text[i + c.len_utf8()..].starts_with(' '))
        .map(|(i, c)| i + c.len_utf8())
        .next_back()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentence_spans(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn splits_at_sentence_ends_only() {
        let s = split("Dr. Smith paid US$ 3.5 million, e.g. for seeds. Then it rained! ¿Qué pasó? Nada.");
        assert_eq!(
            s,
            vec!["Dr. Smith paid US$ 3.5 million, e.g. for seeds.", "Then it rained!", "¿Qué pasó?", "Nada."]
        );
    }

    #[test]
    fn initials_and_french_abbreviations_do_not_split() {
        let s = split("J. K. Doe met Mme. Dupont in Paris. They talked.");
        assert_eq!(s, vec!["J. K. Doe met Mme. Dupont in Paris.", "They talked."]);
    }

    #[test]
    fn quotes_and_other_scripts_end_sentences() {
        assert_eq!(split("He said “we start.” Then we did."), vec!["He said “we start.”", "Then we did."]);
        assert_eq!(split("نعم؟ لا."), vec!["نعم؟", "لا."]);
        assert_eq!(split("我们开始了。然后结束了。"), vec!["我们开始了。", "然后结束了。"]);
    }

    #[test]
    fn headings_are_skipped_and_bullets_are_their_own_lines() {
        let s = split("## Results\n- The pilot reached 300 farmers in two districts.\n1. Second item here.\nDone.");
        assert_eq!(s, vec!["The pilot reached 300 farmers in two districts.", "Second item here.", "Done."]);
    }

    #[test]
    fn spans_point_into_the_text() {
        let text = "  Intro line here.  Second one!\n• Bullet sentence.\n\n# Head\nLast";
        assert_eq!(split(text), vec!["Intro line here.", "Second one!", "Bullet sentence.", "Last"]);
    }

    #[test]
    fn headings_run_into_their_paragraph_are_cut_off() {
        let cut = |l: &str| split_glued_heading(l).map(|(a, b)| format!("{a} | {b}"));
        assert_eq!(
            cut("AI Innovations for Public GoodSignificant potential lies in partnering.").as_deref(),
            Some("AI Innovations for Public Good | Significant potential lies in partnering.")
        );
        assert_eq!(cut("They DreamThe UNDP Uganda team met").as_deref(), Some("They Dream | The UNDP Uganda team met"));
        assert_eq!(
            cut("The beginning: rethinking data collectionThe journey began").as_deref(),
            Some("The beginning: rethinking data collection | The journey began")
        );
        assert_eq!(
            cut("Turning Challenges into OpportunitiesEfforts to address it").as_deref(),
            Some("Turning Challenges into Opportunities | Efforts to address it")
        );
        assert_eq!(
            cut("It ended well. Raving About Cities: How Next Practices EnableUrban labs grew.").as_deref(),
            Some("It ended well. Raving About Cities: How Next Practices Enable | Urban labs grew.")
        );
        for kept in [
            "We used PowerPoint slides and WhatsApp groups with Google Maps and WhatsApp.",
            "The team asked OpenStreetMap volunteers for help with the map.",
            "the requires the active engagement of all partiesWaste, in its broadest sense",
            "McDonald and iPhone users",
            "Join us!\u{a0}AccLab Ghana is here",
            "Shashwat Gangwal, InfinityBox (sustainable packaging)",
            "KlemBox is a startup",
            "together with the existing Thimphu TechPark had come through",
        ] {
            assert_eq!(cut(kept), None, "{kept}");
        }
    }

    #[test]
    fn lost_breaks_are_restored_and_addresses_kept() {
        assert_eq!(restore_breaks("we receive.The lab").as_deref(), Some("we receive. The lab"));
        assert_eq!(
            restore_breaks("ways of enhancement.Co-creation is").as_deref(),
            Some("ways of enhancement. Co-creation is")
        );
        assert_eq!(restore_breaks("y otras no.El cuadro").as_deref(), Some("y otras no. El cuadro"));
        assert_eq!(restore_breaks("by his Deputy Hon.Joyce Sebugwawo"), None, "a title before a name");
        assert_eq!(
            restore_breaks("a platform.And then?Yes, ocial.Bajando").as_deref(),
            Some("a platform. And then? Yes, ocial. Bajando")
        );
        for kept in [
            "see undp.org/Labs today",
            "write to a.b@undp.Org now",
            "the U.S.A. Today",
            "grew 3.5 Percent",
            "e.g.The",
            "AI?UNDP",
            "www.Example",
            "the app Plasti.Co helps",
        ] {
            assert_eq!(restore_breaks(kept), None, "{kept}");
        }
    }
}
