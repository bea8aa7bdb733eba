//! The vector cache in front of the model: document vectors (with their central sentences)
//! and term vectors come from the store where it has them, and whatever is embedded is
//! committed batch by batch, so a killed run keeps what it finished.

use std::cell::RefCell;
use std::collections::HashMap;

use ndarray::Array2;

use super::{AnalyzeError, AnalyzeOptions, SENTENCES_VERSION};
use crate::embed::{Coverage, Embedder};
use crate::ingest::Corpus;
use crate::store::Store;
use crate::summarise::{self, CentralSentences, SummaryOptions};
use crate::themes::describe::TermVectors;
use crate::themes::ThemeError;

/// Term and taxonomy vectors from the sentence model, through the store's vector cache.
pub struct CachedVectors<'a, 'b> {
    pub embedder: &'a Embedder,
    pub store: RefCell<&'b mut Store>,
}

impl TermVectors for CachedVectors<'_, '_> {
    fn vectors(&self, terms: &[&str]) -> Result<Array2<f32>, ThemeError> {
        let texts: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
        let mut store = self.store.borrow_mut();
        embed_cached(self.embedder, &mut store, &texts, Coverage::FirstWindow, false, "terms")
            .map(|(v, _)| v)
            .map_err(|e| ThemeError::TermVectors(Box::new(e)))
    }
}

/// The documents' vectors and central sentences, and what embedding them took.
pub(super) struct EmbeddedDocuments {
    pub(super) vectors: Array2<f32>,
    /// Each document's most central sentences (empty without summaries).
    pub(super) central: Vec<CentralSentences>,
    /// Documents embedded in this run (the rest came from the cache).
    pub(super) embedded: usize,
    /// One note per long document read in part.
    pub(super) sampled: Vec<String>,
    /// Tokens the model read, and the seconds it took (the store's writes not counted).
    pub(super) tokens: usize,
    pub(super) model_seconds: f64,
}

impl EmbeddedDocuments {
    /// The model's throughput in this run, when it embedded anything.
    pub(super) fn tokens_per_second(&self) -> Option<f64> {
        (self.tokens > 0 && self.model_seconds > 0.0).then(|| self.tokens as f64 / self.model_seconds)
    }
}

/// Vectors of every document, and each one's central sentences from the same pass of the
/// model, from the store where both are there; the rest are embedded in batches, each committed
/// on its own so a killed run keeps what it finished.
pub(super) fn embed_documents(
    embedder: &Embedder,
    store: &mut Store,
    corpus: &Corpus,
    coverage: Coverage,
    options: &AnalyzeOptions,
    summary: &SummaryOptions,
) -> Result<EmbeddedDocuments, AnalyzeError> {
    const BATCH: usize = 64;
    let docs = &corpus.documents;
    let key = coverage.key();
    let sentences_key = format!("{key}|{SENTENCES_VERSION}");
    let hashes: Vec<String> = docs.iter().map(|d| d.text_hash()).collect();
    let hash_refs: Vec<&str> = hashes.iter().map(String::as_str).collect();
    let cached = store.vectors(embedder.model_id(), &key, &hash_refs)?;
    let mut cached_central = if options.summaries {
        store.central_sentences(embedder.model_id(), &sentences_key, &hash_refs)?
    } else {
        HashMap::new()
    };
    let mut out = EmbeddedDocuments {
        vectors: Array2::<f32>::zeros((docs.len(), embedder.dim())),
        central: vec![CentralSentences::default(); docs.len()],
        embedded: 0,
        sampled: Vec::new(),
        tokens: 0,
        model_seconds: 0.0,
    };
    let mut missing = Vec::new();
    for (i, h) in hashes.iter().enumerate() {
        let central = if options.summaries { cached_central.remove(h) } else { Some(CentralSentences::default()) };
        match (cached.get(h), central) {
            (Some(v), Some(c)) if v.len() == embedder.dim() => {
                out.vectors.row_mut(i).assign(&ndarray::ArrayView1::from(v.as_slice()));
                out.central[i] = c;
            }
            _ => missing.push(i),
        }
    }
    let bar = crate::progress::bar_if(options.progress, missing.len() as u64, "embedding");
    // Longest first across the whole run keeps both cores busy to the end of each batch.
    missing.sort_by_key(|&i| std::cmp::Reverse(docs[i].text.len()));
    for batch in missing.chunks(BATCH) {
        let texts: Vec<String> = batch.iter().map(|&i| docs[i].embedding_text()).collect();
        let spans: Vec<Vec<std::ops::Range<usize>>> = batch
            .iter()
            .map(|&i| {
                if options.summaries {
                    summarise::candidates(&docs[i].text, summary.sentences_per_doc)
                } else {
                    Vec::new()
                }
            })
            .collect();
        // Sentences are found in the body; the model reads the title first.
        let shifted: Vec<Vec<std::ops::Range<usize>>> = batch
            .iter()
            .zip(&texts)
            .zip(&spans)
            .map(|((&i, text), s)| {
                let shift = text.len() - docs[i].text.len();
                s.iter().map(|r| r.start + shift..r.end + shift).collect()
            })
            .collect();
        let items: Vec<(&str, &[std::ops::Range<usize>])> =
            texts.iter().zip(&shifted).map(|(t, s)| (t.as_str(), s.as_slice())).collect();
        let started = std::time::Instant::now();
        let embedded = embedder.embed_with_spans(&items, coverage, &bar)?;
        out.model_seconds += started.elapsed().as_secs_f64();
        out.tokens += embedded.iter().map(|e| e.tokens).sum::<usize>();
        for ((&i, e), spans) in batch.iter().zip(&embedded).zip(&spans) {
            out.vectors.row_mut(i).assign(&ndarray::ArrayView1::from(e.vector.as_slice()));
            out.central[i] = summarise::central_sentences(
                out.vectors.row(i),
                spans,
                &e.spans,
                summary.central_per_doc,
                summary.lambda,
            );
            if let Some(s) = e.sampled {
                let about = if s.estimated { "about " } else { "" };
                out.sampled.push(format!(
                    "{}: long document: embedded {} of its {about}{} windows ({about}{} tokens), spread from start \
                     to end; --max-tokens-per-doc 0 reads all of it",
                    docs[i].path, s.windows, s.of_windows, s.tokens
                ));
            }
        }
        let items: Vec<(&str, &[f32], Option<&CentralSentences>)> = batch
            .iter()
            .zip(&embedded)
            .map(|(&i, e)| (hashes[i].as_str(), e.vector.as_slice(), options.summaries.then_some(&out.central[i])))
            .collect();
        store.put_documents(embedder.model_id(), &key, &sentences_key, &items)?;
        out.embedded += batch.len();
    }
    bar.finish_and_clear();
    Ok(out)
}

/// Vectors for `texts`, from the store where present; the rest are embedded in batches, each
/// committed on its own so a killed run keeps what it finished. Returns the vectors and how many
/// were computed.
pub fn embed_cached(
    embedder: &Embedder,
    store: &mut Store,
    texts: &[String],
    coverage: Coverage,
    progress: bool,
    what: &str,
) -> Result<(Array2<f32>, usize), AnalyzeError> {
    const BATCH: usize = 64;
    let key = coverage.key();
    let hashes: Vec<String> = texts.iter().map(|t| crate::ingest::hash_text(t)).collect();
    let hash_refs: Vec<&str> = hashes.iter().map(String::as_str).collect();
    let cached = store.vectors(embedder.model_id(), &key, &hash_refs)?;
    let mut vectors = Array2::<f32>::zeros((texts.len(), embedder.dim()));
    let mut missing = Vec::new();
    for (i, h) in hashes.iter().enumerate() {
        match cached.get(h) {
            Some(v) if v.len() == embedder.dim() => vectors.row_mut(i).assign(&ndarray::ArrayView1::from(v.as_slice())),
            _ => missing.push(i),
        }
    }
    let bar = crate::progress::bar_if(progress, missing.len() as u64, what);
    // Longest first across the whole run keeps both cores busy to the end of each batch.
    missing.sort_by_key(|&i| std::cmp::Reverse(texts[i].len()));
    for batch in missing.chunks(BATCH) {
        let batch_texts: Vec<&str> = batch.iter().map(|&i| texts[i].as_str()).collect();
        let out = embedder.embed_texts(&batch_texts, coverage, &bar)?;
        let items: Vec<(&str, &[f32])> = batch
            .iter()
            .zip(out.rows())
            .map(|(&i, row)| (hashes[i].as_str(), row.to_slice().expect("rows are contiguous")))
            .collect();
        store.put_vectors(embedder.model_id(), &key, &items)?;
        for (&i, row) in batch.iter().zip(out.rows()) {
            vectors.row_mut(i).assign(&row);
        }
    }
    bar.finish_and_clear();
    Ok((vectors, missing.len()))
}
