//! Language detection of clean text (whatlang: pure Rust, maintained, trigram based).

use whatlang::Lang;

use super::params::{LANGUAGE_MIN_WORDS, LANGUAGE_SAMPLE_BYTES};

/// Detects the language of `text` and returns its ISO 639-1 code (639-3 where no two-letter
/// code exists). `None` when the text is too short or too mixed to tell.
pub fn detect(text: &str) -> Option<String> {
    let mut end = text.len().min(LANGUAGE_SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    if sample.split_whitespace().count() < LANGUAGE_MIN_WORDS {
        return None;
    }
    let info = whatlang::detect(sample)?;
    if info.is_reliable() {
        return Some(iso639_1(info.lang()).to_string());
    }
    // Short texts are often misread as a neighbour language (Danish for a one-line English
    // solution title); when unsure, choose among the languages the labs mostly write in.
    let main = whatlang::Detector::with_allowlist(vec![Lang::Eng, Lang::Spa, Lang::Fra, Lang::Por]);
    main.detect_lang(sample).map(|l| iso639_1(l).to_string())
}

/// A language as a metadata value gives it ("es", "spa", "Spanish", "español") as its ISO 639-1
/// code; `None` when it names no language whatlang knows.
pub fn normalise(given: &str) -> Option<String> {
    let given = given.trim().to_lowercase();
    let given = given.split(['-', '_']).next().unwrap_or(&given);
    Lang::all().iter().find_map(|&lang| {
        let code = iso639_1(lang);
        let names = [code, lang.code(), &lang.eng_name().to_lowercase(), &lang.name().to_lowercase()];
        names.contains(&given).then(|| code.to_string())
    })
}

/// The English name of a language given by its code as [`detect`] and [`normalise`] give it
/// ("es" → "Spanish"); `None` for a code whatlang does not know.
pub fn english_name(code: &str) -> Option<&'static str> {
    Lang::all().iter().find(|&&lang| iso639_1(lang) == code).map(|lang| lang.eng_name())
}

fn iso639_1(lang: Lang) -> &'static str {
    use Lang::*;
    match lang {
        Epo => "eo",
        Eng => "en",
        Rus => "ru",
        Cmn => "zh",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Ben => "bn",
        Fra => "fr",
        Deu => "de",
        Ukr => "uk",
        Kat => "ka",
        Ara => "ar",
        Hin => "hi",
        Jpn => "ja",
        Heb => "he",
        Yid => "yi",
        Pol => "pl",
        Amh => "am",
        Jav => "jv",
        Kor => "ko",
        Nob => "nb",
        Dan => "da",
        Swe => "sv",
        Fin => "fi",
        Tur => "tr",
        Nld => "nl",
        Hun => "hu",
        Ces => "cs",
        Ell => "el",
        Bul => "bg",
        Bel => "be",
        Mar => "mr",
        Kan => "kn",
        Ron => "ro",
        Slv => "sl",
        Hrv => "hr",
        Srp => "sr",
        Mkd => "mk",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Tam => "ta",
        Vie => "vi",
        Urd => "ur",
        Tha => "th",
        Guj => "gu",
        Uzb => "uz",
        Pan => "pa",
        Aze => "az",
        Ind => "id",
        Tel => "te",
        Pes => "fa",
        Mal => "ml",
        Ori => "or",
        Mya => "my",
        Nep => "ne",
        Sin => "si",
        Khm => "km",
        Tuk => "tk",
        Aka => "ak",
        Zul => "zu",
        Sna => "sn",
        Afr => "af",
        Lat => "la",
        Slk => "sk",
        Cat => "ca",
        Tgl => "tl",
        Hye => "hy",
        Cym => "cy",
        #[allow(unreachable_patterns)]
        other => other.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_given_as_codes_or_names_are_codes() {
        for (given, code) in
            [("es", "es"), ("es-PY", "es"), ("spa", "es"), ("Spanish", "es"), ("español", "es"), ("EN", "en")]
        {
            assert_eq!(normalise(given).as_deref(), Some(code), "{given}");
        }
        assert_eq!(normalise("klingon"), None);
    }

    #[test]
    fn detects_the_four_main_languages() {
        assert_eq!(
            detect("The lab works with young entrepreneurs on new business ideas in the region.").as_deref(),
            Some("en")
        );
        assert_eq!(
            detect("El laboratorio trabaja con jóvenes emprendedores en nuevas ideas de negocio para la región.")
                .as_deref(),
            Some("es")
        );
        assert_eq!(
            detect("Le laboratoire travaille avec de jeunes entrepreneurs sur de nouvelles idées pour la région.")
                .as_deref(),
            Some("fr")
        );
        assert_eq!(
            detect("O laboratório trabalha com jovens empreendedores em novas ideias de negócio para a região.")
                .as_deref(),
            Some("pt")
        );
    }

    #[test]
    fn too_short_is_unknown() {
        assert_eq!(detect("Hello"), None);
    }
}
