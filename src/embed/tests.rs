//! The embedder end to end on tiny BERT folders written by the tests: loading, refusals, vectors.

use std::path::Path;

use indicatif::ProgressBar;
use ndarray::Array2;
use tokenizers::Tokenizer;

use super::*;
use safetensors::tensor::TensorView;
use safetensors::Dtype;
use tokenizers::models::wordlevel::WordLevel;
use tokenizers::pre_tokenizers::whitespace::Whitespace;
use tokenizers::processors::template::TemplateProcessing;

const WORDS: [&str; 6] = ["[CLS]", "[SEP]", "[UNK]", "solar", "water", "farm"];

/// A tiny BERT folder: hidden size 4, one layer, a word-level tokenizer over `WORDS`,
/// `vocab_rows` rows of word embeddings, the position table `config` declares, weights from a
/// fixed pattern (NaN when `nan`).
fn tiny_model(dir: &Path, vocab_rows: usize, nan: bool, config: &str) {
    let declared: serde_json::Value = serde_json::from_str(config).unwrap();
    let positions = declared["max_position_embeddings"].as_u64().unwrap_or(16) as usize;
    let vocab = WORDS.iter().enumerate().map(|(i, w)| (w.to_string(), i as u32)).collect();
    let model = WordLevel::builder().vocab(vocab).unk_token("[UNK]".into()).build().unwrap();
    let mut tokenizer = Tokenizer::new(model);
    tokenizer.with_pre_tokenizer(Some(Whitespace {}));
    let template = TemplateProcessing::builder()
        .try_single("[CLS] $A [SEP]")
        .unwrap()
        .special_tokens(vec![("[CLS]", 0), ("[SEP]", 1)])
        .build()
        .unwrap();
    tokenizer.with_post_processor(Some(template));
    tokenizer.save(dir.join("tokenizer.json"), false).unwrap();
    std::fs::write(dir.join("config.json"), config).unwrap();
    let h = 4;
    let shapes: Vec<(String, Vec<usize>)> = [
        ("embeddings.word_embeddings.weight", vec![vocab_rows, h]),
        ("embeddings.position_embeddings.weight", vec![positions, h]),
        ("embeddings.token_type_embeddings.weight", vec![2, h]),
        ("embeddings.LayerNorm.weight", vec![h]),
        ("embeddings.LayerNorm.bias", vec![h]),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_string(), s))
    .chain(
        [
            ("attention.self.query", h, h),
            ("attention.self.key", h, h),
            ("attention.self.value", h, h),
            ("attention.output.dense", h, h),
            ("intermediate.dense", h, h),
            ("output.dense", h, h),
        ]
        .into_iter()
        .flat_map(|(n, o, i)| {
            [(format!("encoder.layer.0.{n}.weight"), vec![o, i]), (format!("encoder.layer.0.{n}.bias"), vec![o])]
        }),
    )
    .chain(["attention.output.LayerNorm", "output.LayerNorm"].into_iter().flat_map(|n| {
        [(format!("encoder.layer.0.{n}.weight"), vec![h]), (format!("encoder.layer.0.{n}.bias"), vec![h])]
    }))
    .collect();
    let data: Vec<(String, Vec<u8>, Vec<usize>)> = shapes
        .into_iter()
        .map(|(name, shape)| {
            let len: usize = shape.iter().product();
            let bytes = (0..len)
                .flat_map(|i| if nan { f32::NAN } else { ((i * 7 % 11) as f32 - 5.0) / 10.0 }.to_le_bytes())
                .collect();
            (name, bytes, shape)
        })
        .collect();
    let views: Vec<(String, TensorView)> = data
        .iter()
        .map(|(name, bytes, shape)| (name.clone(), TensorView::new(Dtype::F32, shape.clone(), bytes).unwrap()))
        .collect();
    std::fs::write(dir.join("model.safetensors"), safetensors::serialize(views, None).unwrap()).unwrap();
}

const CONFIG: &str = r#"{"hidden_size": 4, "num_attention_heads": 1, "num_hidden_layers": 1,
    "intermediate_size": 4, "max_position_embeddings": 16, "model_type": "bert"}"#;

fn load(dir: &Path) -> Result<Embedder, EmbedError> {
    Embedder::from_files(model::read_model_dir(dir)?, Backend::Native, Precision::Fp32)
}

fn embed(embedder: &Embedder, text: &str) -> Result<Array2<f32>, EmbedError> {
    embedder.embed_texts(&[text], Coverage::FirstWindow, &ProgressBar::hidden())
}

#[test]
fn a_well_formed_tiny_model_gives_finite_vectors() {
    let dir = tempfile::tempdir().unwrap();
    tiny_model(dir.path(), WORDS.len(), false, CONFIG);
    let embedder = load(dir.path()).unwrap();
    let v = embed(&embedder, "solar water farm").unwrap();
    assert_eq!(v.ncols(), 4);
    assert!(v.iter().all(|x| x.is_finite()));
}

/// int8 runs where the CPU can (calibrated on the folder's own tokenizer), and says why not
/// where it cannot.
#[test]
fn a_tiny_model_loads_in_int8_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    tiny_model(dir.path(), WORDS.len(), false, CONFIG);
    let embedder =
        Embedder::from_files(model::read_model_dir(dir.path()).unwrap(), Backend::Native, Precision::Int8).unwrap();
    if int8::available() {
        assert_eq!(embedder.precision(), Precision::Int8);
        assert!(embedder.model_id().ends_with("+int8-w7"), "{}", embedder.model_id());
    } else {
        assert!(embedder.fallback().is_some_and(|why| why.contains("lacks AVX-512 VNNI")));
    }
    assert!(embed(&embedder, "solar water farm").unwrap().iter().all(|x| x.is_finite()));
}

#[test]
fn nan_weights_are_an_error_not_a_vector() {
    let dir = tempfile::tempdir().unwrap();
    tiny_model(dir.path(), WORDS.len(), true, CONFIG);
    let err = embed(&load(dir.path()).unwrap(), "solar water").unwrap_err().to_string();
    assert!(err.contains("non-finite"), "{err}");
}

#[test]
fn a_tokenizer_from_another_model_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // The weights know 4 tokens; the tokenizer gives ids up to 5.
    tiny_model(dir.path(), 4, false, CONFIG);
    let err = embed(&load(dir.path()).unwrap(), "solar farm").unwrap_err().to_string();
    assert!(err.contains("belongs to another model"), "{err}");
}

#[test]
fn broken_configurations_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let odd = r#"{"hidden_size": 4, "num_attention_heads": 1, "num_hidden_layers": 1, "intermediate_size": 4,
        "max_position_embeddings": 1, "model_type": "xlm-roberta", "pad_token_id": 1}"#;
    tiny_model(dir.path(), WORDS.len(), false, odd);
    let err = load(dir.path()).err().expect("an error, not a panic").to_string();
    assert!(err.contains("max_position_embeddings"), "{err}");
    tiny_model(dir.path(), WORDS.len(), false, r#"{"hidden_size": 4}"#);
    let err = load(dir.path()).err().expect("an error, not a panic").to_string();
    assert!(err.contains("config.json"), "{err}");
    tiny_model(
        dir.path(),
        WORDS.len(),
        false,
        &CONFIG.replace("\"num_attention_heads\": 1", "\"num_attention_heads\": 3"),
    );
    assert!(load(dir.path()).is_err(), "heads must divide the hidden size");
}
