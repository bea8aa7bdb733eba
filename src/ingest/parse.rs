//! Splits a text or Markdown page into its metadata (`[[key:value]]` lines and YAML front
//! matter), its `# ` heading and its body lines.

use std::collections::BTreeMap;

use super::params::{HEADING_MAX_WORDS, HEADING_WRAP_LINE_MAX_WORDS};

/// Every `[[key:value]]` of a page: key → values in file order (keys may repeat).
pub type Metadata = BTreeMap<String, Vec<String>>;

/// A page split into parts, before any cleaning.
#[derive(Debug, Default)]
pub struct RawPage {
    pub metadata: Metadata,
    /// The first `# ` heading with its wrapped continuation lines, as written (a web page's
    /// title, as [`super::html`] gives it, is decoded already).
    pub heading: Option<String>,
    /// All other lines, in order, metadata lines removed.
    pub lines: Vec<String>,
    pub warnings: Vec<String>,
}

/// What a line that starts with `[[` turned out to be.
#[derive(Debug, PartialEq)]
enum Tag<'a> {
    Meta(&'a str, &'a str),
    /// `[[` that never closes: the rest of the line is taken as the value.
    Unterminated(&'a str, &'a str),
    /// Ordinary text, not metadata (`[[0:11]]` interview timestamps, `[[ link ]]` text).
    Text,
}

fn parse_tag(line: &str) -> Tag<'_> {
    let Some(inner) = line.trim().strip_prefix("[[") else {
        return Tag::Text;
    };
    let Some((key, rest)) = inner.split_once(':') else {
        return Tag::Text;
    };
    let key_ok = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !key_ok {
        return Tag::Text;
    }
    match rest.trim_end().strip_suffix("]]") {
        Some(value) => Tag::Meta(key, value.trim()),
        None => Tag::Unterminated(key, rest.trim()),
    }
}

/// Splits off a Markdown front matter block (YAML between `---` lines at the very top): its
/// metadata and the line number the rest starts at; none when the text has no such block.
fn front_matter(text: &str, page: &mut RawPage) -> usize {
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return 0;
    }
    let Some(end) = lines.position(|l| matches!(l.trim_end(), "---" | "...")) else {
        return 0;
    };
    let yaml: Vec<&str> = text.lines().skip(1).take(end).collect();
    match yaml_rust2::YamlLoader::load_from_str(&yaml.join("\n")) {
        Ok(docs) => {
            if let Some(yaml_rust2::Yaml::Hash(map)) = docs.into_iter().next() {
                for (key, value) in map {
                    let Some(key) = key.as_str() else { continue };
                    let values = match value {
                        yaml_rust2::Yaml::Array(items) => items.iter().filter_map(scalar).collect(),
                        other => scalar(&other).into_iter().collect::<Vec<_>>(),
                    };
                    for v in values {
                        push_meta(&mut page.metadata, key, &v);
                    }
                }
            }
        }
        Err(e) => page.warnings.push(format!("front matter is not valid YAML ({e}); read as text")),
    }
    end + 2
}

/// A YAML scalar as text (nested maps and lists are not metadata values).
fn scalar(value: &yaml_rust2::Yaml) -> Option<String> {
    use yaml_rust2::Yaml;
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Splits the text of one page. Never fails: odd input becomes warnings.
pub fn split_page(text: &str) -> RawPage {
    let mut page = RawPage::default();
    let body = front_matter(text, &mut page);
    let mut lines = text.lines().enumerate().skip(body).peekable();
    while let Some((number, line)) = lines.next() {
        match parse_tag(line) {
            Tag::Meta(key, value) => push_meta(&mut page.metadata, key, value),
            Tag::Unterminated(key, value) => {
                page.warnings.push(format!(
                    "line {}: unterminated [[{key}:… tag; took the rest of the line as its value",
                    number + 1
                ));
                push_meta(&mut page.metadata, key, value);
            }
            Tag::Text if page.heading.is_none() && is_h1(line) => {
                let mut heading = line.trim_start()[2..].trim().to_string();
                if !super::clean::is_chrome_heading(&heading) {
                    // Titles wrapped over two or three lines right under the heading.
                    while let Some((_, next)) = lines.peek() {
                        let next = next.trim();
                        let wraps = !next.is_empty()
                            && parse_tag(next) == Tag::Text
                            && next.split_whitespace().count() <= HEADING_WRAP_LINE_MAX_WORDS
                            && heading.split_whitespace().count() < HEADING_MAX_WORDS;
                        if !wraps {
                            break;
                        }
                        heading.push(' ');
                        heading.push_str(next);
                        lines.next();
                    }
                }
                page.heading = Some(heading);
            }
            Tag::Text => page.lines.push(line.to_string()),
        }
    }
    page
}

fn is_h1(line: &str) -> bool {
    line.trim_start().starts_with("# ")
}

fn push_meta(metadata: &mut Metadata, key: &str, value: &str) {
    let value = value.trim();
    if !value.is_empty() {
        metadata.entry(key.trim().to_ascii_lowercase()).or_default().push(value.to_string());
    }
}

/// The first value of `key`, if any.
pub fn first<'a>(metadata: &'a Metadata, key: &str) -> Option<&'a str> {
    metadata.get(key)?.first().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_keep_every_value_in_order() {
        let page = split_page("# T\n[[sdgs:1. No poverty]]\n[[sdgs:2. Zero hunger]]\nbody\n");
        assert_eq!(page.metadata["sdgs"], vec!["1. No poverty", "2. Zero hunger"]);
        assert_eq!(page.lines, vec!["body"]);
    }

    #[test]
    fn values_may_contain_colons_and_brackets() {
        let page = split_page("[[source:https://x.org/a?b=[1]]]\n");
        assert_eq!(first(&page.metadata, "source"), Some("https://x.org/a?b=[1]"));
    }

    #[test]
    fn timestamps_are_not_metadata() {
        let page = split_page("[[0:00]] Hello there\n");
        assert!(page.metadata.is_empty());
        assert_eq!(page.lines, vec!["[[0:00]] Hello there"]);
    }

    #[test]
    fn unterminated_tag_warns_and_keeps_value() {
        let page = split_page("[[country:Kenya\nbody\n");
        assert_eq!(first(&page.metadata, "country"), Some("Kenya"));
        assert_eq!(page.warnings.len(), 1);
        assert!(page.warnings[0].contains("unterminated"));
    }

    #[test]
    fn wrapped_heading_is_joined() {
        let page = split_page("# Re-purposing for Food\n Security\n\n[[year:2020]]\n");
        assert_eq!(page.heading.as_deref(), Some("Re-purposing for Food Security"));
    }

    #[test]
    fn front_matter_is_metadata() {
        let page = split_page(
            "---\ntitle: Solar kiosks\ncountry: Kenya\ntags: [energy, rural]\ndate: 2021-03-08\n---\nBody line.\n",
        );
        assert_eq!(first(&page.metadata, "title"), Some("Solar kiosks"));
        assert_eq!(first(&page.metadata, "country"), Some("Kenya"));
        assert_eq!(page.metadata["tags"], vec!["energy", "rural"]);
        assert_eq!(first(&page.metadata, "date"), Some("2021-03-08"));
        assert_eq!(page.lines, vec!["Body line."]);
        let broken = split_page("---\ntitle: [unclosed\n---\nBody.\n");
        assert!(broken.warnings[0].contains("not valid YAML"), "{:?}", broken.warnings);
        let rule = split_page("Intro.\n---\nMore.\n");
        assert!(rule.metadata.is_empty() && rule.lines.len() == 3, "a rule later in the text is not front matter");
    }

    #[test]
    fn chrome_heading_takes_no_continuation() {
        let page = split_page("# Write\nSign up\nSign In\n");
        assert_eq!(page.heading.as_deref(), Some("Write"));
        assert_eq!(page.lines, vec!["Sign up", "Sign In"]);
    }
}
