//! `explore.html`: the analysis in one self-contained page that answers the reader's own
//! questions (filters by theme, country, continent, year and type; a search of every word of
//! every page; a labelled document map; theme shares over years; a table sorted by any column
//! and saved as CSV). The data is inlined
//! as JSON, the script is the hand-written `explore.js`, and a Content-Security-Policy allows
//! that script (by its hash) and nothing from anywhere else: the page opens from `file://` with no
//! network.

use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::html::escape;
use crate::analysis::Analysis;

/// The page's script.
const SCRIPT: &str = include_str!("explore.js");

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1200px;margin:0 auto;padding:1rem;color:#1f2933}
.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin:.8rem 0}
.filters label{display:flex;flex-direction:column;font-size:.85rem;color:#52606d}
select,input{font-size:.95rem;padding:.2rem}#count{font-weight:bold;margin:.5rem 0}
.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1rem}
#themes{list-style:none;padding:0}#themes li{cursor:pointer;margin:.15rem 0}.bar{display:inline-block;height:.8rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #d9e2ec;padding:.2rem .4rem;text-align:left;font-size:.9rem}
th[data-sort]{cursor:pointer}th[data-order=ascending]::after{content:' ▲'}th[data-order=descending]::after{content:' ▼'}
svg{width:100%;height:auto;border:1px solid #d9e2ec;border-radius:6px}#toggles label{margin-right:.6rem;font-size:.85rem}
";

/// JSON safe to sit inside a `<script>` element: `<`, `>` and `&` written as escapes, so no
/// title can close the element ("</script>") or open a comment.
fn inline_json(value: &serde_json::Value) -> String {
    serde_json::to_string(value)
        .expect("JSON values serialise")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Words shorter or longer than these are not indexed: one letter finds everything, and a
/// 40-letter "word" is a URL or a glued run.
const INDEXED_CHARS: std::ops::RangeInclusive<usize> = 2..=40;

/// `text` lower-cased, accents removed (Unicode decomposition, marks dropped), split into words
/// at anything not a letter or digit: how the page's script folds a query too (`fold` there).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| INDEXED_CHARS.contains(&w.chars().count()))
        .map(|w| w.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect())
}

/// The alphabet of the postings' variable-length numbers: 64 characters that need no escape
/// in JSON or HTML; each carries 5 bits and a flag that more follow.
const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `value` as variable-length base-64 digits, low 5 bits first.
fn push_number(out: &mut String, mut value: usize) {
    loop {
        let digit = value & 31;
        value >>= 5;
        out.push(DIGITS[digit | if value > 0 { 32 } else { 0 }] as char);
        if value == 0 {
            return;
        }
    }
}

/// The full-text index of every document's title and text: its words in order, separated by
/// spaces, and for each word the documents holding it (positions in the page's document list)
/// as gaps between ascending positions in [`push_number`]'s digits, also space-separated. A
/// word in most documents costs one character per document; measured on the 7,614 shared pages
/// the index is about a fifth of their text's size (see the README's explorer section).
fn text_index(analysis: &Analysis) -> serde_json::Value {
    let mut postings: std::collections::BTreeMap<String, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, d) in analysis.corpus.documents.iter().enumerate() {
        let mut own: Vec<String> = words(&d.title).chain(words(&d.text)).collect();
        own.sort_unstable();
        own.dedup();
        for w in own {
            postings.entry(w).or_default().push(i);
        }
    }
    let mut words = String::new();
    let mut lists = String::new();
    for (w, documents) in &postings {
        if !words.is_empty() {
            words.push(' ');
            lists.push(' ');
        }
        words.push_str(w);
        let mut previous = 0;
        for &d in documents {
            push_number(&mut lists, d - previous);
            previous = d;
        }
    }
    json!({"words": words, "postings": lists})
}

/// The page's data: every document (with its place on the map, `points`), every theme, and the
/// full-text index.
fn data(analysis: &Analysis, points: &[[f32; 2]]) -> serde_json::Value {
    let model = &analysis.model;
    let documents: Vec<serde_json::Value> = analysis
        .corpus
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "id": d.doc_id,
                "title": d.title,
                "theme": model.themes[model.assignments[i]].id,
                "country": d.country,
                "continent": d.continent,
                "year": d.year,
                "type": d.doc_type,
                "source": d.source.as_deref().filter(|s| s.starts_with("https://") || s.starts_with("http://")),
                "x": (points[i][0] * 100.0).round() / 100.0,
                "y": (points[i][1] * 100.0).round() / 100.0,
            })
        })
        .collect();
    let themes: Vec<serde_json::Value> = model
        .themes
        .iter()
        .enumerate()
        .map(|(p, t)| {
            let c = super::charts::colour(p);
            json!({
                "id": t.id,
                "label": t.label,
                "label_source": t.label_source,
                "by_hand": t.by_hand,
                "keywords": t.keywords.iter().take(10).collect::<Vec<_>>(),
                "size": t.size,
                "colour": format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2),
                "trend": analysis.trends.themes.get(p).and_then(|t| t.describe()),
            })
        })
        .collect();
    json!({
        "documents": documents,
        "themes": themes,
        "min_documents": analysis.trends.options.min_documents,
        "trend_period": analysis.trends.options.period.name(),
        "index": text_index(analysis),
    })
}

/// The whole page.
pub fn page(analysis: &Analysis, points: &[[f32; 2]]) -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT.as_bytes()));
    let filter = |id: &str, name: &str| format!("<label>{name}<select id=\"{id}\"></select></label>");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-{hash}'; \
         style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Explore: {input}</title><style>{STYLE}</style></head><body>\n\
         <h1>Explore the themes</h1><p><a href=\"index.html\">Back to the report</a> · {input}</p>\n\
         <div class=\"filters\">{}{}{}{}{}<label>Search every word of the pages<input id=\"q\" type=\"search\"></label>\
         <button id=\"reset\" type=\"button\">Clear</button></div>\n<p id=\"count\"></p>\n\
         <div class=\"grid\"><section><h2>Themes</h2><ul id=\"themes\"></ul></section>\
         <section><h2>Document map</h2><svg id=\"map\" role=\"img\" aria-label=\"documents by theme\"></svg></section></div>\n\
         <section><h2>Themes over the years</h2><div id=\"toggles\"></div><svg id=\"years\" role=\"img\" aria-label=\"theme shares by year\"></svg></section>\n\
         <section><h2>Documents</h2><p><a id=\"csv\" download=\"documents.csv\" href=\"#\">Download these rows as CSV</a> · click a column to sort</p>\
         <table><thead><tr>{}</tr></thead><tbody id=\"rows\"></tbody></table><p id=\"more\"></p></section>\n\
         <script type=\"application/json\" id=\"data\">{data}</script>\n<script>{SCRIPT}</script>\n</body></html>\n",
        filter("theme", "Theme"),
        filter("country", "Country"),
        filter("continent", "Continent"),
        filter("year", "Year"),
        filter("type", "Type"),
        [("title", "Title"), ("theme", "Theme"), ("country", "Country"), ("year", "Year"), ("type", "Type")]
            .map(|(key, name)| format!("<th data-sort=\"{key}\">{name}</th>"))
            .concat(),
        input = escape(&analysis.corpus.root.display().to_string()),
        data = inline_json(&data(analysis, points)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_json_cannot_close_its_script() {
        let v = json!({"title": "</script><script>alert(1)</script> & <!--"});
        let out = inline_json(&v);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, v, "the escapes read back as the same text");
    }
}
