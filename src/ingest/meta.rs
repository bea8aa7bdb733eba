//! Metadata interpretation: dates in the languages the labs write in, and countries → continents.

use chrono::{Datelike, NaiveDate};

/// Month names as they appear on lab pages (English, Spanish, French, Portuguese, Turkish),
/// already lower-cased. Abbreviations cover Medium's "Aug 21, 2020".
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("enero", 1),
    ("janvier", 1),
    ("janeiro", 1),
    ("ocak", 1),
    ("february", 2),
    ("feb", 2),
    ("febrero", 2),
    ("février", 2),
    ("fevrier", 2),
    ("fevereiro", 2),
    ("şubat", 2),
    ("march", 3),
    ("mar", 3),
    ("marzo", 3),
    ("mars", 3),
    ("março", 3),
    ("marco", 3),
    ("mart", 3),
    ("april", 4),
    ("apr", 4),
    ("abril", 4),
    ("avril", 4),
    ("nisan", 4),
    ("may", 5),
    ("mayo", 5),
    ("mai", 5),
    ("maio", 5),
    ("mayıs", 5),
    ("june", 6),
    ("jun", 6),
    ("junio", 6),
    ("juin", 6),
    ("junho", 6),
    ("haziran", 6),
    ("july", 7),
    ("jul", 7),
    ("julio", 7),
    ("juillet", 7),
    ("julho", 7),
    ("temmuz", 7),
    ("august", 8),
    ("aug", 8),
    ("agosto", 8),
    ("août", 8),
    ("aout", 8),
    ("ağustos", 8),
    ("september", 9),
    ("sep", 9),
    ("sept", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("septembre", 9),
    ("setembro", 9),
    ("eylül", 9),
    ("october", 10),
    ("oct", 10),
    ("octubre", 10),
    ("octobre", 10),
    ("outubro", 10),
    ("ekim", 10),
    ("november", 11),
    ("nov", 11),
    ("noviembre", 11),
    ("novembre", 11),
    ("novembro", 11),
    ("kasım", 11),
    ("december", 12),
    ("dec", 12),
    ("diciembre", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("dezembro", 12),
    ("aralık", 12),
];

/// Connecting words inside dates ("12 de septiembre de 2023", "1er mai").
const DATE_FILLERS: &[&str] = &["de", "do", "del", "le", "the", "of"];

/// 1970-01-01 is what the source system writes when it has no date.
pub fn is_placeholder(date: NaiveDate) -> bool {
    date.year() == 1970 && date.ordinal() == 1
}

/// Parses a string that is a date and nothing else, in any of the supported forms.
///
/// Returns `None` for anything with extra words, so it can be run on body lines safely.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 48 {
        return None;
    }
    parse_iso(s).or_else(|| parse_words(s))
}

fn parse_iso(s: &str) -> Option<NaiveDate> {
    let head = s.get(..10)?;
    let rest = &s[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

fn parse_words(s: &str) -> Option<NaiveDate> {
    let (mut day, mut month, mut year) = (None, None, None);
    for token in s.split(|c: char| c.is_whitespace() || c == ',' || c == '.') {
        if token.is_empty() {
            continue;
        }
        let lower = token.to_lowercase();
        let digits = lower.trim_end_matches("er").trim_end_matches("º");
        if let Ok(n) = digits.parse::<u32>() {
            if digits.len() == 4 && year.is_none() {
                year = Some(n as i32);
            } else if (1..=31).contains(&n) && day.is_none() && digits.len() <= 2 {
                day = Some(n);
            } else {
                return None;
            }
        } else if let Some(&(_, m)) = MONTHS.iter().find(|(name, _)| *name == lower) {
            if month.replace(m).is_some() {
                return None;
            }
        } else if !DATE_FILLERS.contains(&lower.as_str()) {
            return None;
        }
    }
    NaiveDate::from_ymd_opt(year?, month?, day?)
}

/// Continent for a country as written on lab pages (and common variants).
///
/// Sub-national regions that appear as "countries" (Adjara, Puntland, Vojvodina, …) map to the
/// continent of the country they belong to; "Null Island" marks global pages.
pub fn continent_of(country: &str) -> Option<&'static str> {
    let key = normalise_name(country);
    COUNTRY_CONTINENTS.iter().find(|(name, _)| normalise_name(name) == key).map(|&(_, continent)| continent)
}

/// Continent names as written in metadata, mapped onto the set used in reports.
/// "Seven seas (open ocean)" is what geocoders give island states: not a continent, so `None`.
pub fn canonical_continent(raw: &str) -> Option<&'static str> {
    let key = normalise_name(raw);
    CONTINENTS.iter().copied().find(|c| normalise_name(c) == key)
}

/// The continents reports group by; "Global" holds pages not tied to one country.
pub const CONTINENTS: &[&str] = &["Africa", "Asia", "Europe", "North America", "South America", "Oceania", "Global"];

/// True for the country value that means "no particular country".
pub fn is_global_country(country: &str) -> bool {
    matches!(normalise_name(country).as_str(), "null island" | "global")
}

fn normalise_name(s: &str) -> String {
    s.trim().to_lowercase().replace(['-', '_'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[rustfmt::skip]
const COUNTRY_CONTINENTS: &[(&str, &str)] = &[
    ("Null Island", "Global"), ("Global", "Global"), ("Antarctica", "Global"),
    // Africa
    ("Algeria", "Africa"), ("Angola", "Africa"), ("Benin", "Africa"), ("Botswana", "Africa"),
    ("Burkina Faso", "Africa"), ("Burundi", "Africa"), ("Cameroon", "Africa"),
    ("Cape Verde", "Africa"), ("Cabo Verde", "Africa"), ("Central African Republic", "Africa"),
    ("Chad", "Africa"), ("Comoros", "Africa"), ("Congo", "Africa"), ("Republic of the Congo", "Africa"),
    ("Democratic Republic of Congo", "Africa"), ("Democratic Republic of the Congo", "Africa"),
    ("DR Congo", "Africa"), ("Djibouti", "Africa"), ("Egypt", "Africa"), ("Equatorial Guinea", "Africa"),
    ("Eritrea", "Africa"), ("Eswatini", "Africa"), ("Swaziland", "Africa"), ("Ethiopia", "Africa"),
    ("Gabon", "Africa"), ("Gambia", "Africa"), ("The Gambia", "Africa"), ("Ghana", "Africa"),
    ("Guinea", "Africa"), ("Guinea Bissau", "Africa"), ("Ivory Coast", "Africa"),
    ("Côte d'Ivoire", "Africa"), ("Cote d'Ivoire", "Africa"), ("Kenya", "Africa"), ("Lesotho", "Africa"),
    ("Liberia", "Africa"), ("Libya", "Africa"), ("Madagascar", "Africa"), ("Malawi", "Africa"),
    ("Mali", "Africa"), ("Mauritania", "Africa"), ("Mauritius", "Africa"), ("Morocco", "Africa"),
    ("Mozambique", "Africa"), ("Namibia", "Africa"), ("Niger", "Africa"), ("Nigeria", "Africa"),
    ("Rwanda", "Africa"), ("Sao Tome and Principe", "Africa"), ("Senegal", "Africa"),
    ("Seychelles", "Africa"), ("Sierra Leone", "Africa"), ("Somalia", "Africa"), ("Somaliland", "Africa"),
    ("Puntland", "Africa"), ("South Africa", "Africa"), ("South Sudan", "Africa"), ("Sudan", "Africa"),
    ("Tanzania", "Africa"), ("Togo", "Africa"), ("Tunisia", "Africa"), ("Uganda", "Africa"),
    ("Zambia", "Africa"), ("Zimbabwe", "Africa"), ("Canary Islands", "Africa"),
    // Asia (including the Arab States of the Middle East and the Caucasus, as the labs file them)
    ("Afghanistan", "Asia"), ("Armenia", "Asia"), ("Azerbaijan", "Asia"), ("Bahrain", "Asia"),
    ("Bangladesh", "Asia"), ("Bhutan", "Asia"), ("Brunei", "Asia"), ("Cambodia", "Asia"),
    ("China", "Asia"), ("People's Republic of China", "Asia"), ("Hong Kong", "Asia"),
    ("East Timor", "Asia"), ("Timor Leste", "Asia"), ("Pante Makassar Subdistrict", "Asia"),
    ("Georgia", "Asia"), ("Adjara", "Asia"), ("India", "Asia"), ("Indonesia", "Asia"),
    ("Iran", "Asia"), ("Iraq", "Asia"), ("Kurdistan Region", "Asia"), ("Israel", "Asia"),
    ("Japan", "Asia"), ("Honshu", "Asia"), ("Jordan", "Asia"), ("Kazakhstan", "Asia"),
    ("Kuwait", "Asia"), ("Kyrgyzstan", "Asia"), ("Laos", "Asia"), ("Lebanon", "Asia"),
    ("Malaysia", "Asia"), ("Maldives", "Asia"), ("Mongolia", "Asia"), ("Myanmar", "Asia"),
    ("Nepal", "Asia"), ("North Korea", "Asia"), ("Oman", "Asia"), ("Pakistan", "Asia"),
    ("Palestine", "Asia"), ("Gaza Strip", "Asia"), ("West Bank", "Asia"), ("Philippines", "Asia"),
    ("Qatar", "Asia"), ("Saudi Arabia", "Asia"), ("Singapore", "Asia"), ("South Korea", "Asia"),
    ("Sri Lanka", "Asia"), ("Syria", "Asia"), ("Tajikistan", "Asia"), ("Thailand", "Asia"),
    ("Turkey", "Asia"), ("Türkiye", "Asia"), ("Turkmenistan", "Asia"), ("United Arab Emirates", "Asia"),
    ("Uzbekistan", "Asia"), ("Vietnam", "Asia"), ("Viet Nam", "Asia"), ("Yemen", "Asia"),
    // Europe
    ("Albania", "Europe"), ("Austria", "Europe"), ("Belarus", "Europe"), ("Belgium", "Europe"),
    ("Flemish Brabant", "Europe"), ("Walloon Brabant", "Europe"),
    ("Bosnia and Herzegovina", "Europe"), ("Federation of Bosnia and Herzegovina", "Europe"),
    ("Republika Srpska", "Europe"), ("Bulgaria", "Europe"), ("Croatia", "Europe"),
    ("Cyprus", "Europe"), ("Czech Republic", "Europe"), ("Czechia", "Europe"), ("Denmark", "Europe"),
    ("England", "Europe"), ("Wales", "Europe"), ("Scotland", "Europe"), ("United Kingdom", "Europe"),
    ("Estonia", "Europe"), ("Finland", "Europe"), ("France", "Europe"), ("Germany", "Europe"),
    ("Greece", "Europe"), ("Hungary", "Europe"), ("Iceland", "Europe"), ("Ireland", "Europe"),
    ("Italy", "Europe"), ("Kosovo", "Europe"), ("Latvia", "Europe"), ("Lithuania", "Europe"),
    ("Moldova", "Europe"), ("Montenegro", "Europe"), ("Netherlands", "Europe"),
    ("North Macedonia", "Europe"), ("Norway", "Europe"), ("Poland", "Europe"), ("Portugal", "Europe"),
    ("Romania", "Europe"), ("Russia", "Europe"), ("Serbia", "Europe"), ("Vojvodina", "Europe"),
    ("Slovakia", "Europe"), ("Slovenia", "Europe"), ("Spain", "Europe"), ("Sweden", "Europe"),
    ("Switzerland", "Europe"), ("Ukraine", "Europe"),
    // North America (with Central America and the Caribbean)
    ("Antigua", "North America"), ("Antigua and Barbuda", "North America"), ("Bahamas", "North America"),
    ("Barbados", "North America"), ("Belize", "North America"), ("British Virgin Islands", "North America"),
    ("Canada", "North America"), ("Costa Rica", "North America"), ("Cuba", "North America"),
    ("Dominica", "North America"), ("Dominican Republic", "North America"),
    ("El Salvador", "North America"), ("Grenada", "North America"), ("Guatemala", "North America"),
    ("Haiti", "North America"), ("Honduras", "North America"), ("Jamaica", "North America"),
    ("Mexico", "North America"), ("Nicaragua", "North America"), ("Panama", "North America"),
    ("Saint Lucia", "North America"), ("Trinidad and Tobago", "North America"),
    ("Trinidad", "North America"), ("United States", "North America"),
    ("United States of America", "North America"),
    // South America
    ("Argentina", "South America"), ("Bolivia", "South America"), ("Brazil", "South America"),
    ("Chile", "South America"), ("Colombia", "South America"), ("Ecuador", "South America"),
    ("Galápagos Province", "South America"), ("Guyana", "South America"), ("Paraguay", "South America"),
    ("Peru", "South America"), ("Suriname", "South America"), ("Uruguay", "South America"),
    ("Venezuela", "South America"),
    // Oceania
    ("Australia", "Oceania"), ("Fiji", "Oceania"), ("Kiribati", "Oceania"), ("New Zealand", "Oceania"),
    ("North Island", "Oceania"), ("South Island", "Oceania"), ("Papua New Guinea", "Oceania"),
    ("Samoa", "Oceania"), ("Solomon Islands", "Oceania"), ("Tonga", "Oceania"), ("Tuvalu", "Oceania"),
    ("Vanuatu", "Oceania"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn parses_iso_timestamps() {
        assert_eq!(parse_date("2020-02-13T00:00:00.000Z"), d(2020, 2, 13));
        assert_eq!(parse_date("2021-07-01"), d(2021, 7, 1));
    }

    #[test]
    fn parses_english_forms() {
        assert_eq!(parse_date("MAY 30, 2023"), d(2023, 5, 30));
        assert_eq!(parse_date("May 29, 2019"), d(2019, 5, 29));
        assert_eq!(parse_date("Aug 21, 2020"), d(2020, 8, 21));
        assert_eq!(parse_date("January 1, 1970"), d(1970, 1, 1));
    }

    #[test]
    fn parses_spanish_french_portuguese_turkish() {
        assert_eq!(parse_date("12 DE SEPTIEMBRE DE 2023"), d(2023, 9, 12));
        assert_eq!(parse_date("5 MAI 2021"), d(2021, 5, 5));
        assert_eq!(parse_date("6 DÉCEMBRE 2020"), d(2020, 12, 6));
        assert_eq!(parse_date("8 de março de 2022"), d(2022, 3, 8));
        assert_eq!(parse_date("15 TEMMUZ 2021"), d(2021, 7, 15));
        assert_eq!(parse_date("1er juin 2021"), d(2021, 6, 1));
    }

    #[test]
    fn rejects_sentences_and_partial_dates() {
        assert_eq!(parse_date("In May 2020 we met"), None);
        assert_eq!(parse_date("May 29"), None);
        assert_eq!(parse_date("10"), None);
        assert_eq!(parse_date("31 February 2020"), None);
    }

    #[test]
    fn placeholder_is_new_years_day_1970() {
        assert!(is_placeholder(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()));
        assert!(!is_placeholder(NaiveDate::from_ymd_opt(2019, 5, 29).unwrap()));
    }

    #[test]
    fn continents_cover_variants() {
        assert_eq!(continent_of("Federation of Bosnia and Herzegovina"), Some("Europe"));
        assert_eq!(continent_of("Guinea-Bissau"), Some("Africa"));
        assert_eq!(continent_of("Guinea Bissau"), Some("Africa"));
        assert_eq!(continent_of("Null Island"), Some("Global"));
        assert_eq!(continent_of("azerbaijan"), Some("Asia"));
        assert_eq!(continent_of("Atlantis"), None);
    }

    #[test]
    fn seven_seas_is_not_a_continent() {
        assert_eq!(canonical_continent("Seven seas (open ocean)"), None);
        assert_eq!(canonical_continent("south america"), Some("South America"));
    }
}
