//! Where a page's country is: the country itself under one name ("Federation of Bosnia and
//! Herzegovina", "Republika Srpska" and "Bosnia and Herzegovina" are one country), its UN M49
//! region and sub-region, and UNDP's regional bureau.
//!
//! Countries and their M49 regions come from the `keshvar` crate's ISO 3166 data (the UN
//! Statistics Division's M49 standard, as the `countries` data set carries it); names the data
//! does not know are looked up among ISO 3166-2 subdivisions ("Adjara" is in Georgia) and in
//! [`ALIASES`]. The bureaux follow UNDP's five regional bureaux (Africa; Arab States; Asia and
//! the Pacific; Europe and Central Asia; Latin America and the Caribbean): by M49 region, with
//! the Arab States ([`ARAB_STATES`]) taken out of Africa and Asia, and Western Asia's Caucasus and
//! Türkiye with Europe and Central Asia, as UNDP files them.

use std::collections::HashMap;
use std::sync::LazyLock;

use keshvar::{Country, CountryIterator, Region, SubRegion};

/// Where a page is, as its country says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Tied to no one country ("Null Island", "Global"): pages about the network, a region or
    /// several countries; never compared as a country.
    Global,
    Country(Located),
}

/// A country and the regions it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub country: String,
    /// UN M49 region and sub-region: "Africa / Eastern Africa".
    pub region: Option<String>,
    pub bureau: Option<&'static str>,
}

/// Names in the pages' metadata that neither the ISO names nor the subdivisions give, with the
/// ISO 3166 alpha-2 code of their country.
const ALIASES: &[(&str, &str)] = &[
    ("england", "GB"),
    ("wales", "GB"),
    ("scotland", "GB"),
    ("north island", "NZ"),
    ("south island", "NZ"),
    ("honshu", "JP"),
    ("somaliland", "SO"),
    ("puntland", "SO"),
    ("kurdistan region", "IQ"),
    ("gaza strip", "PS"),
    ("west bank", "PS"),
    ("palestine", "PS"),
    ("canary islands", "ES"),
    ("pante makassar subdistrict", "TL"),
    ("east timor", "TL"),
    ("timor leste", "TL"),
    ("kosovo", "XK"),
    ("ivory coast", "CI"),
    ("cape verde", "CV"),
    ("the gambia", "GM"),
    ("laos", "LA"),
    ("vietnam", "VN"),
    ("syria", "SY"),
    ("russia", "RU"),
    ("south korea", "KR"),
    ("north korea", "KP"),
    ("iran", "IR"),
    ("turkey", "TR"),
    ("trinidad", "TT"),
    ("antigua", "AG"),
    ("democratic republic of congo", "CD"),
    ("democratic republic of the congo", "CD"),
    ("dr congo", "CD"),
    ("republic of the congo", "CG"),
    ("congo", "CG"),
    ("people's republic of china", "CN"),
    ("united states", "US"),
    ("galápagos province", "EC"),
    ("flemish brabant", "BE"),
    ("walloon brabant", "BE"),
    ("federation of bosnia and herzegovina", "BA"),
    ("republika srpska", "BA"),
    ("vojvodina", "RS"),
    ("adjara", "GE"),
    ("czech republic", "CZ"),
    ("swaziland", "SZ"),
    ("brunei", "BN"),
    ("hong kong", "HK"),
];

/// Short names where the ISO short name is long or ambiguous once its bracket is cut ("Congo").
const SHORT_NAMES: &[(&str, &str)] = &[
    ("CD", "DR Congo"),
    ("CG", "Congo"),
    ("KR", "South Korea"),
    ("KP", "North Korea"),
    ("LA", "Laos"),
    ("SY", "Syria"),
    ("TZ", "Tanzania"),
    ("BO", "Bolivia"),
    ("IR", "Iran"),
    ("MD", "Moldova"),
    ("VE", "Venezuela"),
    ("RU", "Russia"),
    ("PS", "Palestine"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
    ("VN", "Viet Nam"),
    ("TR", "Türkiye"),
    ("XK", "Kosovo"),
    ("FM", "Micronesia"),
    ("CV", "Cabo Verde"),
    ("CI", "Côte d'Ivoire"),
];

/// Members of UNDP's Regional Bureau for Arab States (ISO alpha-2).
const ARAB_STATES: &[&str] = &[
    "DZ", "BH", "DJ", "EG", "IQ", "JO", "KW", "LB", "LY", "MA", "OM", "PS", "QA", "SA", "SO", "SD", "SY", "TN", "AE",
    "YE",
];

/// Western Asian countries UNDP files under Europe and Central Asia.
const WESTERN_ASIA_IN_EUROPE: &[&str] = &["AM", "AZ", "GE", "TR", "CY"];

/// UNDP's regional bureaux.
pub const BUREAUX: &[&str] =
    &["Africa", "Arab States", "Asia and the Pacific", "Europe and Central Asia", "Latin America and the Caribbean"];

fn normalise(name: &str) -> String {
    name.trim().to_lowercase().replace(['-', '_', '’'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where a country value puts a page; `None` for a name no table knows.
pub fn place_of(country: &str) -> Option<Place> {
    let key = normalise(country);
    if matches!(key.as_str(), "null island" | "global" | "antarctica") {
        return Some(Place::Global);
    }
    let table = &*COUNTRIES;
    table.by_name.get(&key).map(|&i| Place::Country(table.places[i].clone()))
}

/// Every country with where it is, and every name that leads to one.
struct Countries {
    places: Vec<Located>,
    /// Normalised name → position in `places`.
    by_name: HashMap<String, usize>,
}

/// Built once: a lookup used to scan every country's names and every subdivision (about 5,000
/// strings lowered) for each page, which took 40 s of a report on 1,213 pages.
static COUNTRIES: LazyLock<Countries> = LazyLock::new(|| {
    let countries: Vec<Country> = CountryIterator::new().collect();
    let position: HashMap<String, usize> =
        countries.iter().enumerate().map(|(i, c)| (c.alpha2().to_string(), i)).collect();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    // Aliases first, then ISO and unofficial names (whole and cut at a bracket or comma), then
    // subdivisions: the first country a name leads to keeps it.
    for (alias, code) in ALIASES {
        if let Some(&i) = position.get(*code) {
            by_name.entry(alias.to_string()).or_insert(i);
        }
    }
    for (i, c) in countries.iter().enumerate() {
        for n in [c.iso_short_name(), c.iso_long_name()].into_iter().chain(c.unofficial_name_list().iter().copied()) {
            by_name.entry(normalise(n)).or_insert(i);
            by_name.entry(normalise(n.split(['(', ',']).next().unwrap_or(n))).or_insert(i);
        }
    }
    for (i, c) in countries.iter().enumerate() {
        for s in c.subdivisions().values() {
            by_name.entry(normalise(s.name())).or_insert(i);
        }
    }
    Countries { places: countries.iter().map(located).collect(), by_name }
});

fn located(c: &Country) -> Located {
    let code = c.alpha2().to_string();
    let country = SHORT_NAMES
        .iter()
        .find(|(k, _)| *k == code)
        .map(|(_, n)| n.to_string())
        .unwrap_or_else(|| c.iso_short_name().split(['(', ',']).next().unwrap_or_default().trim().to_string());
    let region = c.maybe_region().map(|r| match c.maybe_subregion() {
        Some(sub) => format!("{} / {}", words(&r.to_string()), words(&sub.to_string())),
        None => words(&r.to_string()),
    });
    Located { country, region, bureau: bureau(c, &code) }
}

/// "south-eastern-asia" → "South-Eastern Asia": keshvar's keys in the M49 names' case.
fn words(key: &str) -> String {
    let name = key.replace("-and-", " and ").replace("south-eastern", "South-Eastern").replace('-', " ");
    name.split(' ')
        .map(|w| if w == "and" { w.to_string() } else { crate::themes::places::display_name(w) })
        .collect::<Vec<_>>()
        .join(" ")
}

fn bureau(c: &Country, code: &str) -> Option<&'static str> {
    if ARAB_STATES.contains(&code) {
        return Some("Arab States");
    }
    match (c.maybe_region()?, c.maybe_subregion()) {
        (Region::Africa, _) => Some("Africa"),
        (Region::Americas, Some(SubRegion::NorthernAmerica)) => None,
        (Region::Americas, _) => Some("Latin America and the Caribbean"),
        (Region::Europe, _) => Some("Europe and Central Asia"),
        (Region::Asia, Some(SubRegion::CentralAsia)) => Some("Europe and Central Asia"),
        (Region::Asia, _) if WESTERN_ASIA_IN_EUROPE.contains(&code) => Some("Europe and Central Asia"),
        (Region::Asia, Some(SubRegion::WesternAsia)) => None,
        (Region::Asia, _) | (Region::Oceania, _) => Some("Asia and the Pacific"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(name: &str) -> Located {
        match place_of(name) {
            Some(Place::Country(l)) => l,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn one_country_under_its_names() {
        for name in ["Federation of Bosnia and Herzegovina", "Republika Srpska", "Bosnia and Herzegovina"] {
            assert_eq!(at(name).country, "Bosnia and Herzegovina");
        }
        assert_eq!(at("Democratic Republic of Congo").country, "DR Congo");
        assert_eq!(at("Republic of the Congo").country, "Congo");
        assert_eq!(at("Timor Leste"), at("East Timor"));
        assert_eq!(at("Adjara").country, "Georgia", "a subdivision is in its country");
        assert_eq!(at("England").country, "United Kingdom");
        assert_eq!(place_of("Null Island"), Some(Place::Global));
        assert_eq!(place_of("Atlantis"), None);
    }

    #[test]
    fn regions_and_bureaux() {
        let haiti = at("Haiti");
        assert_eq!(haiti.region.as_deref(), Some("Americas / Caribbean"));
        assert_eq!(haiti.bureau, Some("Latin America and the Caribbean"));
        assert_eq!(at("Iraq").bureau, Some("Arab States"));
        assert_eq!(at("Jordan").bureau, Some("Arab States"));
        assert_eq!(at("Egypt").bureau, Some("Arab States"));
        assert_eq!(at("Kenya").bureau, Some("Africa"));
        assert_eq!(at("Uzbekistan").bureau, Some("Europe and Central Asia"));
        assert_eq!(at("Georgia").bureau, Some("Europe and Central Asia"));
        assert_eq!(at("Turkey").bureau, Some("Europe and Central Asia"));
        assert_eq!(at("Fiji").bureau, Some("Asia and the Pacific"));
        assert_eq!(at("Iran").bureau, Some("Asia and the Pacific"));
        assert_eq!(at("Canada").bureau, None, "no regional bureau");
    }
}
