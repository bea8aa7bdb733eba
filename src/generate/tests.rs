//! The step's choices with a scripted model: which candidate is used, when the grammar or the
//! other themes' labels are asked for, what is stored, what is kept from the previous run.

use std::cell::RefCell;
use std::collections::HashMap;

use ndarray::{array, Array2};

use super::*;
use crate::themes::label::{stop_words, TermMap};

/// Answers scripted by a word of the prompt's theme part; counts what it was asked.
struct Scripted {
    answers: Vec<(&'static str, &'static str)>,
    asked: Vec<Request>,
}

impl Writer for Scripted {
    fn write(&mut self, requests: &[Request], _: &indicatif::ProgressBar) -> Result<Vec<Written>, GenerateError> {
        self.asked.extend(requests.iter().cloned());
        Ok(requests
            .iter()
            .map(|r| {
                let theme = r.prompt.rsplit(" to name (").next().unwrap();
                let avoid = theme.contains("already called");
                let grammar = r.grammar.is_some();
                let text = self
                    .answers
                    .iter()
                    .find(|(cue, _)| {
                        let (word, when) = cue.split_once('@').unwrap_or((cue, ""));
                        theme.contains(word)
                            && match when {
                                "avoid" => avoid,
                                "grammar" => grammar,
                                _ => !avoid && !grammar,
                            }
                    })
                    .map_or("", |(_, a)| a);
                Written { text: text.into(), read_tokens: 10, generated_tokens: 5 }
            })
            .collect())
    }
}

#[derive(Default)]
struct Memory(RefCell<HashMap<String, String>>);

impl AnswerCache for Memory {
    fn get(&self, key: &str) -> Result<Option<String>, GenerateError> {
        Ok(self.0.borrow().get(key).cloned())
    }
    fn put(&self, key: &str, answer: &str) -> Result<(), GenerateError> {
        self.0.borrow_mut().insert(key.into(), answer.into());
        Ok(())
    }
}

/// Vectors of labels: towards theme 0 when they speak of oil, theme 1 of tennis, else as near
/// to every theme.
struct Toward;

impl TermVectors for Toward {
    fn vectors(&self, terms: &[&str]) -> Result<Array2<f32>, ThemeError> {
        let mut out = Array2::zeros((terms.len(), 3));
        for (i, t) in terms.iter().enumerate() {
            let t = t.to_lowercase();
            let row = match (t.contains("oil") || t.contains("yukos"), t.contains("tennis")) {
                (true, false) => [0.9, 0.1, 0.0],
                (false, true) => [0.1, 0.9, 0.0],
                _ => [0.5, 0.5, 0.5],
            };
            out.row_mut(i).assign(&ndarray::arr1(&row));
        }
        Ok(out)
    }
}

fn pages(words: &[&str], n: usize) -> Vec<TermMap<String, f64>> {
    (0..n).map(|_| words.iter().map(|w| (w.to_string(), 1.0)).collect()).collect()
}

fn theme(label: &str) -> Theme {
    Theme::for_test(label, 4)
}

fn input<'a>(pages: &'a [TermMap<String, f64>], keyword: &str, previous: Option<&str>) -> ThemeInput<'a> {
    let brief = Brief { keywords: vec![keyword.into()], titles: vec![format!("About {keyword}")], ..Brief::default() };
    let evidence = Evidence::new(pages, &brief.keywords, &[], &[], &format!("{keyword}\nYukos"));
    ThemeInput {
        brief,
        evidence,
        previous: previous.map(|l| (l.to_string(), Some(format!("The pages name {keyword}.")))),
    }
}

/// The step's context: each theme's (or area's) centre along one axis of [`Toward`]'s space.
fn with_context<T>(cache: &Memory, then: impl FnOnce(&Context) -> T) -> T {
    let stop = stop_words([]);
    let no_place = |_: &str| false;
    let lower = |w: &str| w != "yukos";
    let centres = array![[1.0f32, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    let context = Context {
        centres: centres.view(),
        vectors: &Toward,
        cache,
        stop: &stop,
        is_place: &no_place,
        writes_lower: &lower,
        progress: false,
    };
    then(&context)
}

fn run(themes: &mut [Theme], inputs: &[Option<ThemeInput>], writer: &mut Scripted, cache: &Memory) -> Generation {
    with_context(cache, |context| label_themes(themes, inputs, writer, ("test", "test@1"), context).unwrap())
}

#[test]
fn the_first_candidate_that_passes_every_check_is_used_and_stored() {
    let oil = pages(&["oil", "yukos", "auction"], 4);
    let tennis = pages(&["tennis", "seed", "final"], 4);
    let mut themes = [theme("Oil and auction"), theme("Tennis and seed")];
    let inputs = [Some(input(&oil, "oil", None)), Some(input(&tennis, "tennis", None))];
    let mut writer = Scripted {
        answers: vec![
            (
                "oil",
                r#"{"labels": ["Oil market analysis", "Pipeline deals", "Yukos Oil Auction"], "description": "The pages follow the Yukos auction."}"#,
            ),
            ("tennis", "I cannot answer that."),
            (
                "tennis@grammar",
                r#"{"labels": ["Seed final", "Tennis seeds and finals", "x"], "description": "Serena won at Wimbledon."}"#,
            ),
        ],
        asked: vec![],
    };
    let cache = Memory::default();
    let generation = run(&mut themes, &inputs, &mut writer, &cache);
    assert_eq!(themes[0].label, "Yukos oil auction", "filler and an unsupported word come before it");
    assert_eq!(themes[0].label_source, LabelOrigin::Generated);
    assert_eq!(themes[0].description.as_deref(), Some("The pages follow the Yukos auction."));
    assert_eq!(themes[1].label, "Tennis seeds and finals", "'Seed final' is nearer neither theme");
    assert_eq!(themes[1].description, None, "Serena and Wimbledon were not given");
    assert_eq!(writer.asked.len(), 3, "the unreadable answer is asked again under the grammar");
    assert!(writer.asked[2].grammar.is_some());
    assert_eq!((generation.generated, generation.fell_back, generation.asked, generation.cached), (2, 0, 3, 0));
    assert_eq!(generation.rejections.get("filler"), Some(&1));
    assert_eq!(generation.rejections.get("nearer another theme"), Some(&1));

    let mut again = [theme("Oil and auction"), theme("Tennis and seed")];
    let mut silent = Scripted { answers: vec![], asked: vec![] };
    let generation = run(&mut again, &inputs, &mut silent, &cache);
    assert!(silent.asked.is_empty(), "every answer comes from the store");
    assert_eq!(generation.cached, 3);
    assert_eq!((again[0].label.as_str(), again[1].label.as_str()), ("Yukos oil auction", "Tennis seeds and finals"));
}

#[test]
fn a_clash_is_asked_again_with_the_other_labels_and_a_failure_keeps_the_extracted_label() {
    let tennis = pages(&["tennis", "seed", "final"], 4);
    let gas = pages(&["gas", "prices"], 4);
    let mut themes = [theme("Tennis seeds"), theme("Tennis and seed"), theme("Gas and prices")];
    themes[0].label_source = LabelOrigin::Analyst;
    let inputs = [None, Some(input(&tennis, "tennis", None)), Some(input(&gas, "gas", None))];
    let mut writer = Scripted {
        answers: vec![
            ("tennis@avoid", r#"{"labels": ["Tennis finals"], "description": ""}"#),
            ("tennis", r#"{"labels": ["Tennis seeds", "Seeds"], "description": ""}"#),
            ("gas", r#"{"labels": ["Gas prices"], "description": ""}"#),
        ],
        asked: vec![],
    };
    let generation = run(&mut themes, &inputs, &mut writer, &Memory::default());
    assert_eq!(themes[1].label, "Tennis finals");
    let again = &writer.asked[2].prompt;
    assert!(again.contains("Other themes are already called: Tennis seeds."), "{again}");
    assert_eq!(themes[2].label, "Gas and prices", "its answer is as near every theme: the extracted label stays");
    assert_eq!(themes[2].label_source, LabelOrigin::Extracted);
    assert_eq!((generation.themes, generation.generated, generation.fell_back), (2, 1, 1));
    assert_eq!(generation.rejections.get("in use"), Some(&1));
}

#[test]
fn a_theme_that_hardly_moved_keeps_its_generated_label_without_asking() {
    let oil = pages(&["oil", "yukos", "affair"], 4);
    let tennis = pages(&["tennis", "seed"], 4);
    let mut themes = [theme("Oil and yukos"), theme("Tennis and seed"), theme("By the analyst")];
    let inputs =
        [Some(input(&oil, "oil", Some("Yukos oil affair"))), Some(input(&tennis, "tennis", Some("Oil rigs"))), None];
    let mut writer =
        Scripted { answers: vec![("tennis", r#"{"labels": ["Tennis seeds"], "description": ""}"#)], asked: vec![] };
    let generation = run(&mut themes, &inputs, &mut writer, &Memory::default());
    assert_eq!(themes[0].label, "Yukos oil affair");
    assert_eq!(writer.asked.len(), 1, "only the theme whose old label no longer passes is asked");
    assert_eq!(themes[1].label, "Tennis seeds");
    assert_eq!(themes[2].label, "By the analyst");
    assert_eq!((generation.themes, generation.kept, generation.generated), (2, 1, 2));
    assert_eq!(themes[0].description.as_deref(), Some("The pages name oil."), "kept with its label");
}

/// A broad area is named from its themes' labels and descriptions, held to its own pages and
/// centre like a theme, and never given a label one of its themes carries.
#[test]
fn a_broad_area_is_named_from_its_themes_labels_and_descriptions() {
    let energy = pages(&["oil", "gas", "energy", "yukos"], 6);
    let sport = pages(&["tennis", "football"], 6);
    let mut themes = [theme("Yukos oil"), theme("Gas prices"), theme("Tennis finals")];
    themes[0].description = Some("The pages follow the Yukos affair.".into());
    let area = |label: &str| ParentTheme {
        id: 0,
        label: label.into(),
        keywords: vec![],
        children: vec![],
        similarity: 0.8,
        label_source: LabelOrigin::Extracted,
        description: None,
    };
    let mut areas = [area("Oil and gas"), area("Tennis and football")];
    let brief = |keywords: &[&str], themes: &[&str]| Brief {
        keywords: keywords.iter().map(|k| k.to_string()).collect(),
        themes: themes.iter().map(|t| t.to_string()).collect(),
        ..Brief::default()
    };
    let energy_brief = brief(&["energy", "oil"], &["Yukos oil: The pages follow the Yukos affair.", "Gas prices"]);
    let sport_brief = brief(&["tennis"], &["Tennis finals"]);
    let evidence = |pages, brief: &Brief| {
        Evidence::new(pages, &brief.keywords, &[], &[], &(brief.keywords.join("\n") + &brief.themes.join("\n")))
    };
    let inputs = [
        Some(ThemeInput { evidence: evidence(&energy, &energy_brief), brief: energy_brief, previous: None }),
        Some(ThemeInput { evidence: evidence(&sport, &sport_brief), brief: sport_brief, previous: None }),
    ];
    let mut writer = Scripted {
        answers: vec![
            (
                "energy",
                r#"{"labels": ["Yukos oil", "Oil and gas energy"], "description": "The pages follow the Yukos affair and gas prices."}"#,
            ),
            ("tennis", r#"{"labels": ["Sport results"], "description": ""}"#),
        ],
        asked: vec![],
    };
    let mut run = Generation { model: "test".into(), model_id: "test@1".into(), ..Generation::default() };
    with_context(&Memory::default(), |context| {
        label_areas(&mut areas, &themes, &inputs, &mut writer, context, &mut run).unwrap()
    });
    let asked = &writer.asked[0].prompt;
    assert!(asked.contains("The broad area (a group of the themes listed) to name"), "{asked}");
    assert!(asked.contains("Its themes:\n- Yukos oil: The pages follow the Yukos affair.\n- Gas prices\n"));
    assert!(!asked.rsplit(" to name (").next().unwrap().contains("Titles:"), "{asked}");
    assert_eq!(areas[0].label, "Oil and gas energy", "its theme's label is not the area's");
    assert_eq!(areas[0].label_source, LabelOrigin::Generated);
    assert_eq!(areas[0].description.as_deref(), Some("The pages follow the Yukos affair and gas prices."));
    assert_eq!(areas[1].label, "Tennis and football", "'sport' and 'results' are not on its pages");
    assert_eq!(areas[1].label_source, LabelOrigin::Extracted);
    assert_eq!((run.areas, run.areas_generated, run.asked, run.themes), (2, 1, 2, 0));
    assert_eq!(run.rejections.get("in use"), Some(&1));
}

#[test]
fn a_model_is_named_a_file_or_nothing() {
    assert_eq!("none".parse::<LlmChoice>().unwrap(), LlmChoice::Off);
    assert!(matches!("qwen2.5-coder-0.5b-instruct".parse::<LlmChoice>().unwrap(), LlmChoice::Known(_)));
    let err = "no-such-model.gguf".parse::<LlmChoice>().unwrap_err();
    assert!(err.to_string().contains("qwen2.5-coder-0.5b-instruct"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.gguf");
    std::fs::write(&file, b"GGUF...").unwrap();
    let choice: LlmChoice = file.to_str().unwrap().parse().unwrap();
    let (path, id) = choice.locate().unwrap().unwrap();
    assert_eq!(path, file);
    assert!(id.starts_with("mine@7-"), "{id}");
    assert_eq!(LlmChoice::File(file).check().is_ok(), cfg!(feature = "llm"));
}

#[test]
fn labels_are_written_in_sentence_case_with_names_and_acronyms_kept() {
    let lower = |w: &str| !["yukos", "covid"].contains(&w);
    assert_eq!(sentence_case("Digital Services and Contents", &lower), "Digital services and contents");
    assert_eq!(sentence_case("the Yukos Affair", &lower), "The Yukos affair");
    assert_eq!(sentence_case("COVID-19 Vaccine Delivery by easyJet", &lower), "COVID-19 vaccine delivery by easyJet");
    assert_eq!(sentence_case("Women's Rights", &lower), "Women's rights");
    assert_eq!(sentence_case("Tourism in Cabo Verde", &|w| w == "cabo"), "Tourism in Cabo Verde");
}
