//! The language model as judge of taxonomy names (`--llm` with a taxonomy): told a theme's
//! label, description and keywords and the taxonomy's entries, it picks the entry the theme
//! belongs under, or none. A grammar holds its answer to one of the entries' names or "none",
//! so every answer can be read; the calibrated threshold (`themes::guided`) stays the rule
//! where the model is off.

use serde::Deserialize;

use crate::themes::guided::NamedTheme;

/// What the judge is told of a theme.
#[derive(Debug, Clone, Default)]
pub struct Case<'a> {
    pub label: &'a str,
    pub description: Option<&'a str>,
    pub keywords: &'a [String],
}

/// Keywords the judge reads of a theme.
const KEYWORDS: usize = 10;

/// The prompt for one theme: the entries first (the same for every theme, so read once per
/// run), then the theme.
pub fn prompt(entries: &[NamedTheme], case: &Case) -> String {
    let mut out = String::from(
        "A report files each theme of a collection of pages under one of these headings, or under none when no \
         heading fits it well:\n",
    );
    for entry in entries {
        match entry.description.is_empty() {
            true => out.push_str(&format!("- {}\n", entry.name)),
            false => out.push_str(&format!("- {}: {}\n", entry.name, entry.description)),
        }
    }
    out.push_str("- none: the theme's subject is none of the headings above\n");
    out.push_str(
        "Choose the heading that names the theme's own subject, not one its pages only touch on; choose none when \
         in doubt. Answer with JSON: {\"heading\": \"...\"}.\n\nThe theme:\n",
    );
    if !case.label.is_empty() {
        out.push_str(&format!("Label: {}\n", case.label));
    }
    if let Some(description) = case.description {
        out.push_str(&format!("Description: {description}\n"));
    }
    let keywords: Vec<&str> = case.keywords.iter().take(KEYWORDS).map(String::as_str).collect();
    out.push_str(&format!("Keywords: {}\nAnswer:", keywords.join(", ")));
    out
}

/// The GBNF grammar of an answer: `{"heading": "NAME"}`, NAME one of the entries' or "none".
pub fn grammar(entries: &[NamedTheme]) -> String {
    let literal = |name: &str| {
        let escaped = name.replace('\\', "\\\\\\\\").replace('"', "\\\\\\\"");
        format!("\"\\\"{escaped}\\\"\"")
    };
    let names: Vec<String> = entries.iter().map(|e| literal(&e.name)).chain([literal("none")]).collect();
    format!("root ::= \"{{\\\"heading\\\": \" name \"}}\"\nname ::= {}", names.join(" | "))
}

#[derive(Deserialize)]
struct Written {
    heading: String,
}

/// The judge's answer: `Some(Some(i))` for entry `i`, `Some(None)` for none, `None` when it
/// cannot be read.
pub fn read(text: &str, entries: &[NamedTheme]) -> Option<Option<usize>> {
    let start = text.find('{')?;
    let written: Written = serde_json::Deserializer::from_str(&text[start..]).into_iter().next()?.ok()?;
    let heading = written.heading.trim();
    if heading.eq_ignore_ascii_case("none") {
        return Some(None);
    }
    entries.iter().position(|e| e.name.eq_ignore_ascii_case(heading)).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries() -> Vec<NamedTheme> {
        let entry = |name: &str, description: &str| NamedTheme {
            name: name.into(),
            description: description.into(),
            terms: vec![],
        };
        vec![entry("Health", "public health and care"), entry("Say \"cheese\"", "")]
    }

    #[test]
    fn the_theme_follows_the_entries_and_the_answer_is_one_of_them_or_none() {
        let keywords: Vec<String> = ["clinics", "nurses"].map(String::from).to_vec();
        let case = Case { label: "Rural clinics", description: Some("The pages follow nurses."), keywords: &keywords };
        let prompt = prompt(&entries(), &case);
        let (shared, theme) = prompt.split_once("The theme:\n").unwrap();
        assert!(shared.contains("- Health: public health and care\n- Say \"cheese\"\n- none:"), "{shared}");
        assert_eq!(theme, "Label: Rural clinics\nDescription: The pages follow nurses.\nKeywords: clinics, nurses\nAnswer:");
        assert_eq!(read(r#"{"heading": "Health"}"#, &entries()), Some(Some(0)));
        assert_eq!(read(r#"Sure: {"heading": "say \"cheese\""}"#, &entries()), Some(Some(1)));
        assert_eq!(read(r#"{"heading": "none"}"#, &entries()), Some(None));
        assert_eq!(read(r#"{"heading": "Sport"}"#, &entries()), None);
        assert_eq!(read("no idea", &entries()), None);
        assert_eq!(
            grammar(&entries()),
            r#"root ::= "{\"heading\": " name "}"
name ::= "\"Health\"" | "\"Say \\\"cheese\\\"\"" | "\"none\"""#
        );
    }
}
