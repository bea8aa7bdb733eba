//! undp.org's page chrome in English, French, Spanish and Portuguese: the skip link and menus of
//! the header, breadcrumbs and banners in capitals, the "Home" trail of the newer layout, author
//! blocks and sign-off bylines, related-content teasers and the site footer.

use super::{is_name_like, short_norm, words, Draft};
use crate::ingest::meta::parse_date;
use crate::ingest::params::TITLE_MAX_WORDS;
use crate::ingest::title::{deshout, is_title_line};

const SKIP_LINKS: &[&str] = &[
    "skip to main content",
    "aller au contenu principal",
    "ir al contenido principal",
    "saltar al contenido principal",
    "pasar al contenido principal",
    "pular para o conteúdo principal",
    "ir para o conteúdo principal",
];

pub(super) fn is_skip_link(line: &str) -> bool {
    let Some(l) = short_norm(line) else {
        return false;
    };
    let l = l.trim_start_matches("# ");
    SKIP_LINKS.contains(&l)
}

/// Top-level menu entries of undp.org in English, French, Spanish and Portuguese, plus the
/// search box and the teaser links that close related-content blocks.
const MENU_LINES: &[&str] = &[
    "who we are",
    "what we do",
    "our impact",
    "get involved",
    "nous connaître",
    "notre travail",
    "notre impact",
    "nous rejoindre",
    "qui sommes-nous",
    "quiénes somos",
    "quienes somos",
    "qué hacemos",
    "que hacemos",
    "nuestro impacto",
    "participa",
    "involúcrate",
    "quem somos",
    "o que fazemos",
    "nosso impacto",
    "o nosso impacto",
    "participe",
    "envolva-se",
    "global search",
    "search",
    "global",
    "home",
    "accueil",
    "inicio",
    "início",
];

const READ_MORE: &[&str] =
    &["read more", "lire la suite", "en savoir plus", "leer más", "leer mas", "leia mais", "saiba mais"];

fn is_menu_line(line: &str) -> bool {
    short_norm(line).is_some_and(|l| MENU_LINES.contains(&l.as_str()))
}

/// A line in capitals (breadcrumb parts, section banners); needs at least two letters.
fn is_shouting(line: &str) -> bool {
    let mut letters = 0;
    for c in line.chars().filter(|c| c.is_alphabetic()) {
        if c.is_lowercase() {
            return false;
        }
        letters += 1;
    }
    letters >= 2 && words(line) <= 25
}

/// undp.org's header: the skip link, the site's name, the menu and a breadcrumb in capitals
/// whose last part is the title in capitals, then (usually) the title as written and the date.
/// Where the line after the capitals is not that title (an author heading, a photo credit or a
/// caption comes first), the title is the one in capitals, in the case its body writes.
pub(super) fn strip_site_header(draft: &mut Draft) {
    let window = draft.lines.len().min(80);
    let Some(skip) = draft.lines[..window].iter().position(|l| is_skip_link(l)) else {
        return;
    };
    let mut end = skip + 1;
    // The site name ("Tanzania", "Algérie") follows the skip link.
    if draft.lines.get(end).is_some_and(|l| words(l) <= 4 && !is_shouting(l)) {
        end += 1;
    }
    let banner = end;
    while draft.lines.get(end).is_some_and(|l| l.trim().is_empty() || is_menu_line(l) || is_shouting(l)) {
        end += 1;
    }
    let in_capitals: Vec<&str> = draft.lines[banner..end]
        .iter()
        .map(|l| l.trim())
        .filter(|l| is_shouting(l) && !is_menu_line(l) && parse_date(l).is_none() && !DOWNLOAD.contains(l))
        .collect();
    let next = draft.lines.get(end).map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
    let as_written = next.as_ref().filter(|n| in_capitals.iter().any(|c| same_words(c, n)));
    let title = match (as_written, in_capitals.last()) {
        (Some(title), _) => {
            end += 1;
            Some(title.clone())
        }
        (None, Some(caps)) if words(caps) >= 2 => Some(deshout(caps, &draft.lines[end..])),
        _ => match next.filter(|n| words(n) <= TITLE_MAX_WORDS && is_title_line(n)) {
            Some(n) => {
                end += 1;
                Some(n)
            }
            None => None,
        },
    };
    if draft.shown_title.is_none() {
        draft.shown_title = title;
    }
    if let Some(date) = draft.lines.get(end).and_then(|l| parse_date(l)) {
        draft.dates.push(date);
        end += 1;
    }
    draft.lines.drain(skip..end);
}

/// Labels of a publication's download block, which the header's capitals may end with.
const DOWNLOAD: &[&str] = &["DOWNLOAD", "TÉLÉCHARGER", "DESCARGAR", "BAIXAR", "PDF"];

/// The same words whatever their case and punctuation.
fn same_words(a: &str, b: &str) -> bool {
    let key = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    let (a, b) = (key(a), key(b));
    !a.is_empty() && a == b
}

pub(super) fn cut_related_footer(draft: &mut Draft) {
    let read_more = draft.lines.iter().position(|l| short_norm(l).is_some_and(|l| READ_MORE.contains(&l.as_str())));
    // The site footer repeats the menu right under the programme's name; requiring that keeps
    // a report's cover page ("United Nations / Development Programme") from being cut.
    let footer = draft.lines.windows(4).position(|w| {
        let (Some(a), Some(b)) = (short_norm(&w[0]), short_norm(&w[1])) else {
            return false;
        };
        if !w[2..].iter().any(|l| is_menu_line(l)) {
            return false;
        }
        (a == "united nations" && b == "development programme")
            || (a == "programme des nations unies" && b == "pour le développement")
            || (a == "programa de las naciones unidas" && b == "para el desarrollo")
            || (a == "programa das nações unidas" && b == "para o desenvolvimento")
    });
    let mut cut = match (read_more, footer) {
        (Some(r), Some(f)) => r.min(f),
        (Some(r), None) => r,
        (None, Some(f)) => f,
        (None, None) => return,
    };
    if Some(cut) == read_more {
        // A teaser block is: category banner, headline, teaser text, READ MORE. Without the
        // banner a "Read more" line is ordinary text.
        let floor = cut.saturating_sub(4);
        match (floor..cut).find(|&i| is_shouting(&draft.lines[i])) {
            Some(banner) => cut = banner,
            None if footer.is_some() => cut = footer.unwrap_or(cut),
            None => return,
        }
    }
    draft.lines.truncate(cut);
}

/// The newer undp.org layout: "Home", then the site name and section ("Srbija", "Blog") as
/// short lines, then the title.
pub(super) fn strip_home_trail(draft: &mut Draft) {
    let window = draft.lines.len().min(60);
    let Some(home) = draft.lines[..window]
        .iter()
        .position(|l| short_norm(l).is_some_and(|l| matches!(l.as_str(), "home" | "inicio" | "início" | "accueil")))
    else {
        return;
    };
    let mut end = home + 1;
    while draft.lines.get(end).is_some_and(|l| words(l) <= 4 && !reads_as_sentence(l)) {
        end += 1;
    }
    draft.lines.drain(home..end);
}

/// A line that reads as a sentence, not a label.
fn reads_as_sentence(line: &str) -> bool {
    let t = line.trim();
    t.ends_with('.') && words(t) >= 3
}

/// "Authors" followed by name and role lines; the first name is the author.
pub(super) fn strip_author_block(draft: &mut Draft) {
    let window = draft.lines.len().min(80);
    let Some(start) = draft.lines[..window].iter().position(|l| {
        short_norm(l).is_some_and(|l| {
            matches!(
                l.as_str(),
                "author"
                    | "authors"
                    | "autor"
                    | "autores"
                    | "auteur"
                    | "auteurs"
                    | "autora"
                    | "autoras"
                    | "escrito por"
                    | "écrit par"
            )
        })
    }) else {
        return;
    };
    let mut end = start + 1;
    while draft.lines.get(end).is_some_and(|l| words(l) <= 12 && !reads_as_sentence(l)) {
        if draft.author.is_none() && is_name_like(draft.lines[end].trim()) {
            draft.author = Some(draft.lines[end].trim().to_string());
        }
        end += 1;
    }
    draft.lines.drain(start..end);
}

/// Menu lines, and skip links left after the page header (a page saved with its header twice).
pub(super) fn drop_menu_lines(draft: &mut Draft) {
    draft.lines.retain(|l| !is_menu_line(l) && !is_skip_link(l));
}

/// Breadcrumbs and banners in capitals ("HOME / TANZANIA / BLOG / …", "ACTUALITÉS").
pub(super) fn drop_breadcrumb_lines(draft: &mut Draft) {
    draft.lines.retain(|l| !is_shouting(l));
}

/// undp.org pages sign off with "By Jane Doe, UNDP Tanzania Accelerator Lab, …".
pub(super) fn find_byline(draft: &mut Draft) {
    if draft.author.is_some() {
        return;
    }
    let byline = draft.lines.iter().rev().take(15).find_map(|l| {
        let t = l.trim();
        let rest = t.strip_prefix("By ").or_else(|| t.strip_prefix("Por "))?;
        let name = rest.split([',', '|', '(']).next()?.trim();
        (words(t) <= 30 && is_name_like(name)).then(|| name.to_string())
    });
    draft.author = byline;
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::ingest::clean::tests::run;

    #[test]
    fn strip_site_header_drops_menus_breadcrumb_title_and_date() {
        let text = "Skip to main content\nTanzania\nWHO WE ARE\nWHAT WE DO\nOUR IMPACT\nGET INVOLVED\nGlobal\nSearch\nHOME\nTANZANIA\nBLOG\nBREAKING THE OBSCURITY\nBreaking the Obscurity\nFEBRUARY 13, 2020\nWhat sparks grassroots innovation?";
        let d = run(strip_site_header, text);
        assert_eq!(d.lines, vec!["What sparks grassroots innovation?"]);
        assert_eq!(d.shown_title.as_deref(), Some("Breaking the Obscurity"));
        assert_eq!(d.dates, vec![NaiveDate::from_ymd_opt(2020, 2, 13).unwrap()]);
    }

    #[test]
    fn a_title_in_capitals_stands_when_an_author_or_a_credit_comes_next() {
        for next in ["Author\nDR. SELVA RAMACHANDRAN", "Photo: UNDP Azerbaijan", "A picture of the metro"] {
            let text = format!(
                "Skip to main content\nAzerbaijan\nWHO WE ARE\nHOME\nAZERBAIJAN\nBLOG\nTOWARDS SMART CITIES: NOTES FROM \
                 BAKU'S UNDERGROUND\n{next}\nThe metro of Baku carries a million people, and smart cities need data."
            );
            let d = run(strip_site_header, &text);
            assert_eq!(d.shown_title.as_deref(), Some("Towards smart cities: Notes from Baku's underground"), "{next}");
            assert!(d.lines[0].starts_with(next.lines().next().unwrap()), "{:?}", d.lines);
        }
    }

    #[test]
    fn strip_site_header_in_french() {
        let text = "Aller au contenu principal\nAlgérie\nNOUS CONNAÎTRE\nNOTRE TRAVAIL\nHOME\nALGÉRIE\nMENTORSHIP\nMentorship\n8 MARS 2022\nBody.";
        let d = run(strip_site_header, text);
        assert_eq!(d.lines, vec!["Body."]);
    }

    #[test]
    fn cut_related_footer_cuts_at_first_teaser_block() {
        let text = "Body.\nBy Jane Doe\nBLOG\nOther post\nTeaser...\nREAD MORE\nBLOG\nMore\nREAD MORE";
        let d = run(cut_related_footer, text);
        assert_eq!(d.lines, vec!["Body.", "By Jane Doe"]);
    }

    #[test]
    fn cut_related_footer_cuts_site_footer() {
        let text = "Body.\nUnited Nations\nDevelopment Programme\nWHO WE ARE\nAbout Us";
        let d = run(cut_related_footer, text);
        assert_eq!(d.lines, vec!["Body."]);
    }

    #[test]
    fn report_cover_is_not_a_site_footer() {
        let d = run(cut_related_footer, "Cover\nUnited Nations\nDevelopment Programme\nChapter 1 text.\nMore text.");
        assert_eq!(d.lines.len(), 5);
    }

    #[test]
    fn read_more_without_banner_is_text() {
        let d = run(cut_related_footer, "Body.\nRead more\nMore body.");
        assert_eq!(d.lines.len(), 3);
    }

    #[test]
    fn strip_home_trail_drops_site_and_section() {
        let d = run(strip_home_trail, "Home\n\nSrbija\n\nBlog\n\nA much longer title of the page here\nBody.");
        assert_eq!(d.lines, vec!["A much longer title of the page here", "Body."]);
    }

    #[test]
    fn strip_author_block_reads_first_name() {
        let text = "Authors\n\nKristina Nikolić\n\nHead of Experimentation\n\nRazvojne prilike i izazovi menjaju se usled mnoštva nadolazećih trendova i potencijalnih poremećaja.";
        let d = run(strip_author_block, text);
        assert_eq!(d.author.as_deref(), Some("Kristina Nikolić"));
        assert_eq!(d.lines.len(), 1);
    }

    #[test]
    fn drop_menu_lines_in_four_languages() {
        let d = run(drop_menu_lines, "QUEM SOMOS\nNOUS CONNAÎTRE\nWHO WE ARE\nQUIÉNES SOMOS\nGlobal Search\nText");
        assert_eq!(d.lines, vec!["Text"]);
    }

    #[test]
    fn drop_breadcrumb_lines_keeps_mixed_case() {
        let d = run(drop_breadcrumb_lines, "HOME\nACTUALITÉS\nUNDP works\n2020");
        assert_eq!(d.lines, vec!["UNDP works", "2020"]);
    }

    #[test]
    fn find_byline_reads_undp_signature() {
        let d = run(find_byline, "Text\nBy Ghati Horombe, UNDP Tanzania Accelerator Lab, Head");
        assert_eq!(d.author.as_deref(), Some("Ghati Horombe"));
    }
}
