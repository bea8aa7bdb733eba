//! Choosing a document's title among the page heading, the title its site's header shows, the
//! first lines and the file name; and what is never a title (bylines, photo credits, captions,
//! bullets, site chrome).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::clean;
use super::params::{FALLBACK_TITLE_MAX_WORDS, SHORT_TITLE_WORDS, TITLE_MAX_WORDS};

/// Where a document's title comes from. Only a title the page states is part of what the page
/// says (its vector and its terms): one made from the body would count its first words twice,
/// and one made from the file name would add words the page never wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TitleFrom {
    /// The page's heading, its metadata or the title its site's header shows.
    #[default]
    Page,
    /// The body's first line or first sentence.
    Text,
    /// The file name: the page gives nothing better.
    File,
}

fn is_ellipsis(s: &str) -> bool {
    s.ends_with('…') || s.ends_with("...")
}

/// Lines that are only this (lower-cased, without a colon) are author headings.
const AUTHOR_HEADINGS: &[&str] = &[
    "author",
    "authors",
    "autor",
    "autores",
    "autora",
    "autoras",
    "auteur",
    "auteurs",
    "written by",
    "escrito por",
    "écrit par",
    "escrito por:",
];

/// Lines that start with these (lower-cased) are credits or captions: a photo's, an image's or
/// a source's.
const CREDIT_STARTS: &[&str] = &[
    "photo:",
    "photos:",
    "photo by",
    "photo credit",
    "photo courtesy",
    "photo de ",
    "foto:",
    "fotos:",
    "foto de ",
    "fotografía:",
    "fotografia:",
    "crédit photo",
    "credit photo",
    "crédito:",
    "credit:",
    "credits:",
    "crédit:",
    "crédits:",
    "image:",
    "images:",
    "image by",
    "image credit",
    "imagen:",
    "picture:",
    "a picture of",
    "a photo of",
    "caption:",
    "--- image caption",
    "source:",
    "fuente:",
    "listen to this",
    "escucha este",
    "©",
];

/// "By Jane Doe, Head of Exploration", "Por: Ana Pérez", "Par Jean Dupont": a byline names a
/// person right after its first word.
fn is_byline(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let first = words.next().unwrap_or("").to_lowercase();
    let first = first.trim_end_matches(':');
    let next = words.find(|w| *w != ":");
    matches!(first, "by" | "por" | "par") && next.is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
}

/// A list item's marker: a bullet character followed by a space.
fn is_bullet(line: &str) -> bool {
    let mut chars = line.chars();
    chars.next().is_some_and(|c| "-•·*–—>".contains(c)) && chars.next().is_some_and(char::is_whitespace)
}

/// Whether a line may be a title: not a byline, author heading, photo credit, caption or
/// bullet, and holding words.
pub(super) fn is_title_line(line: &str) -> bool {
    let t = line.trim();
    let lower = t.to_lowercase();
    !t.is_empty()
        && !is_bullet(t)
        && !is_byline(t)
        && t.chars().any(char::is_alphabetic)
        && !AUTHOR_HEADINGS.contains(&lower.trim_end_matches(':').trim())
        && !CREDIT_STARTS.iter().any(|s| lower.starts_with(s))
        && !lower.contains('©')
        && !lower.contains("getty images")
        && !clean::is_chrome_heading(t)
}

/// The article's real title and where it comes from: the page heading unless it is chrome or
/// not a title (a byline, a credit, a bullet), completed from the body when it was cut off with
/// an ellipsis; else the title shown by the site's header; else the body's first line when it
/// reads as a title, or its first sentence shortened; else the file name.
pub(super) fn resolve_title(
    heading: Option<&str>,
    shown: Option<&str>,
    lines: &[String],
    path: &str,
) -> (String, TitleFrom) {
    let restored = heading.map(|h| super::sentences::restore_breaks(h.trim()).unwrap_or_else(|| h.trim().to_string()));
    let stated = restored.as_deref().map(unglue_byline);
    // A heading that is a list item (a questionnaire's first answer) says what the page's first
    // sentence says, not what the page is.
    let listed = stated.filter(|h| is_bullet(h)).map(|h| h.trim_start_matches(|c: char| "-•·*–—>".contains(c)).trim());
    let heading = stated.filter(|h| is_title_line(h));
    let shown = shown.map(str::trim).map(unglue_byline).filter(|s| is_title_line(s));
    if let Some(title) = heading.or(shown) {
        return (complete(title, shown, lines, TITLE_MAX_WORDS), TitleFrom::Page);
    }
    if let Some(item) = listed.filter(|i| i.split_whitespace().count() >= 3) {
        let full = complete(first_item(item), None, lines, usize::MAX);
        let sentence = super::sentences::sentence_spans(&full).first().map_or(full.as_str(), |r| &full[r.clone()]);
        return (shorten(first_item(sentence), SHORT_TITLE_WORDS), TitleFrom::Text);
    }
    if let Some(first) = first_title_line(lines) {
        return (first, TitleFrom::Text);
    }
    match first_sentence(lines) {
        Some(sentence) => (sentence, TitleFrom::Text),
        None => (path_stem(path), TitleFrom::File),
    }
}

/// A title cut off with an ellipsis, in full when the site's header or a body line of at most
/// `most` words gives it (its spacing made plain); else without the word the ellipsis cut
/// through.
fn complete(title: &str, shown: Option<&str>, lines: &[String], most: usize) -> String {
    if !is_ellipsis(title) {
        return title.to_string();
    }
    let plain = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut = title.trim_end_matches('…').trim_end_matches("...");
    let prefix = plain(cut).to_lowercase();
    let full = shown
        .into_iter()
        .chain(lines.iter().map(String::as_str))
        .map(|l| l.trim().trim_start_matches(|c: char| c == '#' || "-•·*–—>".contains(c)).trim())
        .map(|l| plain(first_item(l)))
        .find(|l| {
            l.len() > prefix.len() && l.to_lowercase().starts_with(&prefix) && l.split_whitespace().count() <= most
        });
    full.unwrap_or_else(|| match cut.trim_end().rsplit_once(char::is_whitespace) {
        Some((whole, _)) if cut.ends_with(char::is_alphanumeric) => format!("{}…", whole.trim_end()),
        _ => title.to_string(),
    })
}

/// The first item of a line that runs several list items together ("Le cadre juridique … n’existe
/// pas -       Le contexte de COVID 19 …"): up to a dash set off by a run of spaces.
fn first_item(line: &str) -> &str {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let cut = chars.windows(4).find(|w| {
        w[0].1.is_whitespace()
            && matches!(w[1].1, '-' | '•' | '·' | '–')
            && w[2].1.is_whitespace()
            && w[3].1.is_whitespace()
    });
    cut.map_or(line, |w| line[..w[0].0].trim_end())
}

/// The first non-empty body line, when it reads as a title: a short line of its own (followed by
/// a blank line or by the text's end), that does not end like a sentence or a clause and is not
/// a byline, credit or bullet. A hard-wrapped paragraph's first line is no title: it runs on
/// into the next line.
fn first_title_line(lines: &[String]) -> Option<String> {
    // A section heading inside the body ("## Learnings on your challenge") names a section.
    let mut rest = lines.iter().map(|l| l.trim()).skip_while(|l| l.is_empty() || l.starts_with('#'));
    let first = rest.next()?;
    let alone = rest.next().is_none_or(str::is_empty);
    let words = first.split_whitespace().count();
    let open_ended = first.ends_with(['.', ',', ';', ':']) && !is_ellipsis(first);
    (alone && !open_ended && (1..=FALLBACK_TITLE_MAX_WORDS).contains(&words) && is_title_line(first))
        .then(|| first.to_string())
}

/// The text's first sentence as a title: its first words up to [`SHORT_TITLE_WORDS`], cut at a
/// word boundary with an ellipsis when longer; a list item's marker is not part of it, and a
/// credit or caption is passed over.
fn first_sentence(lines: &[String]) -> Option<String> {
    let text = clean::join_text(lines);
    let sentence = text
        .lines()
        .map(|l| l.trim().trim_start_matches(['-', '•', '·', '*', '–', '—']).trim())
        .filter(|l| is_title_line(l))
        .flat_map(|l| super::sentences::sentence_spans(l).into_iter().map(move |r| &l[r]))
        .find(|s| s.split_whitespace().count() >= 3)?;
    Some(shorten(sentence, SHORT_TITLE_WORDS))
}

/// `text` cut to at most `most` words at a word boundary, with an ellipsis when cut.
pub fn shorten(text: &str, most: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() <= most {
        return words.join(" ");
    }
    let cut = words[..most].join(" ");
    format!("{}…", cut.trim_end_matches([',', ';', ':', '-', '–', '—']).trim_end())
}

/// A heading with the author or publication glued to its end, as Medium's exports write it:
/// "Cities in MotionUNDP Accelerator LabsFollow7 min read·Oct 2", "… COVID-19UNDP Accelerator
/// Labs·Follow8 min...". The tail starts at Medium's "Follow" or reading time; the byline before
/// it is the run of capitalised words that begins where a capital touches the word before it.
/// Where nothing glues the byline on, only the tail is cut.
fn unglue_byline(title: &str) -> &str {
    let Some(tail) = byline_tail(title) else { return title };
    let head = &title[..tail];
    let chars: Vec<(usize, char)> = head.char_indices().collect();
    let capitalised = |at: usize| {
        head[at..].split_whitespace().all(|w| w.chars().next().is_some_and(|c| c.is_uppercase() || c == '&'))
    };
    let glue = chars
        .windows(2)
        .rfind(|w| w[1].1.is_uppercase() && !w[0].1.is_whitespace() && !w[0].1.is_uppercase() && capitalised(w[1].0))
        .map(|w| w[1].0);
    let end = glue.unwrap_or(tail);
    title[..end].trim_end_matches(['·', ' ', '-', '—', '|']).trim()
}

/// Where Medium's byline tail starts: "·Follow", "Follow5", or a reading time ("7 min read",
/// "8 min...").
fn byline_tail(title: &str) -> Option<usize> {
    let follow = title.find("·Follow").or_else(|| {
        title
            .match_indices("Follow")
            .map(|(i, _)| i)
            .find(|&i| title[i + "Follow".len()..].chars().next().is_some_and(|c| c.is_ascii_digit()))
    });
    let reading = title.find(" min read").or_else(|| title.find(" min...")).map(|i| {
        let digits = title[..i].trim_end_matches(|c: char| c.is_ascii_digit());
        digits.trim_end_matches('·').len()
    });
    match (follow, reading) {
        (Some(f), Some(r)) => Some(f.min(r)),
        (f, r) => f.or(r),
    }
}

/// A title written in capitals ("TOWARDS SMART CITIES: NOTES FROM BAKU'S UNDERGROUND") in the
/// case its body writes its words: each word as the body writes it mid-sentence ("Baku",
/// "COVID-19", "smart"), lower case when the body does not use it, the first word and the one
/// after a colon capitalised.
pub(super) fn deshout(caps: &str, body: &[String]) -> String {
    let key = |w: &str| w.to_lowercase().replace('’', "'");
    let possessive = |k: &str| k.strip_suffix("'s").map(str::to_string);
    let core = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let mut forms: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for line in body.iter().take(400) {
        let mut sentence_start = true;
        for token in line.split_whitespace() {
            let word = core(token);
            if !sentence_start && !word.is_empty() {
                *forms.entry(key(&word)).or_default().entry(word.clone()).or_default() += 1;
            }
            sentence_start = token.ends_with(['.', '!', '?', ':']);
        }
    }
    let mut out = Vec::new();
    let mut capitalise = true;
    for token in caps.split_whitespace() {
        let word = core(token);
        let most_used = |k: &str| {
            forms.get(k).and_then(|f| f.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(w, _)| w.clone()))
        };
        let k = key(&word);
        // "BAKU'S" takes the case of "Baku".
        let form = most_used(&k)
            .or_else(|| possessive(&k).and_then(|stem| most_used(&stem)).map(|f| format!("{f}{}", &k[k.len() - 2..])))
            .unwrap_or_else(|| if is_roman_numeral(&word) { word.clone() } else { word.to_lowercase() });
        let form = if capitalise { upper_first(&form) } else { form };
        out.push(if word.is_empty() { token.to_string() } else { token.replacen(&word, &form, 1) });
        capitalise = token.ends_with([':', '?', '!', '.']) || word.is_empty() && capitalise;
    }
    out.join(" ")
}

/// "III", "XIV": a numeral, not a shouted word.
fn is_roman_numeral(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| "IVXLC".contains(c))
}

fn upper_first(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub(super) fn path_stem(path: &str) -> String {
    Path::new(path).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn ellipsis_heading_is_completed_from_body() {
        let lines = vec![
            "Synergy in Circularity: Unleashing the Power of Co-creation for Scaling Circular Economy".to_string()
        ];
        let (t, from) = resolve_title(
            Some("Synergy in Circularity: Unleashing the Power of Co-creation for Scaling Ci…"),
            None,
            &lines,
            "a.txt",
        );
        assert_eq!((t.as_str(), from), (lines[0].as_str(), TitleFrom::Page));
        let spaced =
            vec!["Synergy in Circularity: the Power of\u{a0}Co-creation for Scaling Circular Economy".to_string()];
        let (t, _) = resolve_title(
            Some("Synergy in Circularity: the Power of Co-creation for Scaling Ci…"),
            None,
            &spaced,
            "a.txt",
        );
        assert_eq!(t, "Synergy in Circularity: the Power of Co-creation for Scaling Circular Economy");
        let (t, _) =
            resolve_title(Some("Communication is the biggest challenge in the way of collaborati…"), None, &[], "a");
        assert_eq!(t, "Communication is the biggest challenge in the way of…", "no word cut in two");
    }

    #[test]
    fn a_byline_glued_to_a_heading_is_cut() {
        for (heading, title) in [
            (
                "Cities in Motion: Reimagining Urban InnovationUNDP Accelerator LabsFollow7 min read·Oct 2",
                "Cities in Motion: Reimagining Urban Innovation",
            ),
            (
                "Agile minds, quarantined bodies: innovating in the time of COVID-19UNDP Accelerator Labs·Follow8 min...",
                "Agile minds, quarantined bodies: innovating in the time of COVID-19",
            ),
            (
                "What do we learn when we listen to the Global Majority on AI?UNDP Accelerator Labs7 min read·Jun 17,...",
                "What do we learn when we listen to the Global Majority on AI?",
            ),
            (
                "Finding opportunities in a crisis — How the Lab in Baku has made the most of 2020UNDP Azerbaijan·Follow5...",
                "Finding opportunities in a crisis — How the Lab in Baku has made the most of 2020",
            ),
            ("Plain title", "Plain title"),
        ] {
            assert_eq!(resolve_title(Some(heading), None, &[], "a.txt").0, title);
        }
    }

    #[test]
    fn bylines_credits_captions_and_bullets_are_never_titles() {
        for line in [
            "Author",
            "Authors",
            "Autores",
            "Photo: UNDP Azerbaijan",
            "Photo credits: EcoEgypt",
            "Crédit photo : PNUD Bénin",
            "By: Abdullah Bostaji, Communications Assistant",
            "A picture of Shatt Al-Arab in Basra at sunset",
            "- Most households still rely on biomass",
            "·       The majority of the users of the mobile unit",
            "Zanzibar's Indian Ocean Coastline ©Getty Images",
            "Skip to main content",
        ] {
            assert!(!is_title_line(line), "{line}");
        }
        for title in [
            "Towards Smart Cities: Notes from Baku’s Underground",
            "Photocatalytic concrete pavements",
            "Photo Bank for tourism: pictures of Lesotho",
            "Credit Scoring Solutions for Small Traders",
            "By asking one gets to San Sebastian",
            "Por una inteligencia artificial generativa con y para las personas",
            "–êgromon",
        ] {
            assert!(is_title_line(title), "{title}");
        }
        let (t, _) = resolve_title(Some("Author"), Some("Real title"), &[], "a.txt");
        assert_eq!(t, "Real title");
    }

    #[test]
    fn a_page_without_a_title_line_is_titled_by_its_first_sentence() {
        let statement = lines(
            "I join previous speakers in congratulating you, Mr. President, on your election to preside over this \
             session. The world faces many crises at once.",
        );
        let (t, from) = resolve_title(None, None, &statement, "ROU_65_2010.txt");
        assert_eq!(t, "I join previous speakers in congratulating you, Mr. President, on your election to preside…");
        assert_eq!(from, TitleFrom::Text);
        let titled = lines("Solar kiosks for rural shops\n\nThe lab tested three designs with traders.");
        assert_eq!(
            resolve_title(None, None, &titled, "a.txt"),
            ("Solar kiosks for rural shops".into(), TitleFrom::Text)
        );
        assert_eq!(resolve_title(None, None, &[], "dir/a.txt"), ("a".into(), TitleFrom::File));
        let plan =
            lines("## Learnings on your challenge\n- Most households still rely on biomass as source of energy.");
        let (t, from) = resolve_title(Some("- Most households still rely on biomass as so…"), None, &plan, "a.txt");
        assert_eq!((t.as_str(), from), ("Most households still rely on biomass as source of energy.", TitleFrom::Text));
    }

    #[test]
    fn titles_in_capitals_take_the_case_of_their_body() {
        let body = lines(
            "The metro of Baku carries a million people a day. Smart cities need data, and COVID-19 changed how \
             the city moves.",
        );
        assert_eq!(
            deshout("TOWARDS SMART CITIES: NOTES FROM BAKU'S UNDERGROUND AND COVID-19", &body),
            "Towards smart cities: Notes from Baku's underground and COVID-19"
        );
        assert_eq!(deshout("CHAPTER III: THE END", &body), "Chapter III: The end");
    }

    #[test]
    fn shortening_cuts_at_a_word() {
        assert_eq!(shorten("one two three", 5), "one two three");
        assert_eq!(shorten("one two, three four", 2), "one two…");
    }
}
