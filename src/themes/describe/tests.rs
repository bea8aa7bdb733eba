//! Tests of [`super`]: the describe module's unit tests, kept apart so the module reads on its own.

use super::*;
use crate::themes::terms::tests::corpus;
use crate::themes::ThemeOptions;

#[test]
fn places_names_and_other_languages_stay_out_of_keywords() {
    let (docs, classes) = corpus();
    let gazetteer = Gazetteer::new([]);
    let stats = TermStats::gather(&docs, &gazetteer);
    let describer = Describer::new(&docs, &stats, &gazetteer, None);
    let centres = Array2::<f32>::zeros((2, 4));
    let described = describer.describe(&classes, 2, centres.view(), ThemeOptions::default().keywords).unwrap();
    let waste = &described[0];
    assert_eq!(waste.language.as_deref(), Some("en"));
    for k in &waste.keywords {
        assert!(!k.contains("samoa") && !k.contains("anastasia"), "{k} in {:?}", waste.keywords);
        assert!(!["residuos", "reciclaje", "gestión"].iter().any(|w| k.contains(w)), "{k}");
    }
    assert_eq!(waste.places, vec!["Samoa"]);
    assert!(
        waste.keywords_by_language["es"].iter().any(|k| k.contains("residuos")),
        "{:?}",
        waste.keywords_by_language
    );
    assert!(waste.keywords[..3].iter().any(|k| k.contains("waste")), "{:?}", waste.keywords);
    assert!(described[1].label.starts_with("Solar"), "{}", described[1].label);
    assert_eq!(waste.subjects, vec!["Anastasia"], "named on every waste page, and on no other");
    assert!(described[1].subjects.is_empty(), "{:?}", described[1].subjects);
}

#[test]
fn another_languages_line_holds_its_subject_words_from_enough_pages_or_is_left_out() {
    use crate::themes::terms::tests::doc;
    let (mut docs, mut classes) = corpus();
    // "proyecto" is on every Spanish page of both themes: common, not the theme's.
    for d in docs.iter_mut().filter(|d| d.language.as_deref() == Some("es")) {
        d.text.push_str(" Este proyecto nos enseñó mucho.");
    }
    // Three French pages on waste (too few for a line of their own) and some on solar.
    for i in 0..6 {
        let text = if i < 3 {
            "# Déchets\nLa gestion des déchets plastiques du village."
        } else {
            "# Solaire\nDes panneaux solaires pour les champs."
        };
        docs.push(doc(text, "fr", docs.len()));
        classes.push(Some(usize::from(i >= 3)));
    }
    let gazetteer = Gazetteer::new([]);
    let stats = TermStats::gather(&docs, &gazetteer);
    let describer = Describer::new(&docs, &stats, &gazetteer, None);
    let centres = Array2::<f32>::zeros((2, 4));
    let described = describer.describe(&classes, 2, centres.view(), ThemeOptions::default().keywords).unwrap();
    let spanish = &described[0].keywords_by_language["es"];
    assert!(spanish.iter().any(|k| k.contains("residuos")), "{spanish:?}");
    assert!(!spanish.iter().any(|k| k.contains("proyecto")), "{spanish:?}");
    assert!(!described[0].keywords_by_language.contains_key("fr"), "three pages give no line");
}

#[test]
fn a_name_most_pages_share_is_a_subject_and_one_pages_mention_is_not() {
    let mut docs: Vec<Document> = Vec::new();
    let doc = |text: String, i: usize| {
        let mut d = crate::ingest::build_document(&text, format!("d{i}"), format!("{i}.txt"));
        d.language = Some("en".into());
        d
    };
    let mut classes = Vec::new();
    for i in 0..8 {
        let mut text = format!(
            "# Sale {i}\nIn week {i} the court said the oil firm Yukos must sell its main unit at an auction, wrote Лабораторія."
        );
        if i == 0 {
            text.push_str(" A reporter called Cristian Gil wrote about the sale of the main unit that week.");
        }
        docs.push(doc(text, docs.len()));
        classes.push(Some(0));
        let sun =
            format!("# Sun {i}\nIn week {i} the village installed solar panels on every roof to light the school.");
        docs.push(doc(sun, docs.len()));
        classes.push(Some(1));
    }
    let gazetteer = Gazetteer::new([]);
    let stats = TermStats::gather(&docs, &gazetteer);
    let describer = Describer::new(&docs, &stats, &gazetteer, None);
    let centres = Array2::<f32>::zeros((2, 4));
    let described = describer.describe(&classes, 2, centres.view(), ThemeOptions::default().keywords).unwrap();
    assert_eq!(described[0].subjects, vec!["Yukos"], "a name in another script is not this theme's subject");
    assert!(
        !described[0].keywords.iter().any(|k| k.contains("yukos") || k.contains("gil")),
        "{:?}",
        described[0].keywords
    );
    assert!(described[1].subjects.is_empty(), "{:?}", described[1].subjects);
}
