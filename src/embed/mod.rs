//! Sentence embeddings: a sentence-transformers model run in Rust, with whole-document pooling.
//!
//! The [`Embedder`] tokenises, plans each text's windows ([`windows`]), batches them
//! ([`batch`]), runs them through an encoder of one of the [`families`] and pools the states
//! ([`pool`]); the model folder is found and read by [`model`], known models obtained by
//! [`catalog`].

mod batch;
pub mod bert;
pub mod catalog;
pub mod e5;
mod encoder;
mod error;
mod families;
pub mod fetch;
pub mod int8;
mod linalg;
pub mod model;
pub mod model2vec;
mod options;
mod pool;
#[cfg(feature = "rust-bert")]
pub mod rustbert;
pub mod sentencepiece;
#[cfg(test)]
mod tests;
pub mod universal;
mod windows;

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::ProgressBar;
use ndarray::Array2;
use rayon::prelude::*;
use tokenizers::Tokenizer;

use batch::batch_by_tokens;
use encoder::Encoder;
pub use error::{ConfigProblem, EmbedError, TensorProblem, Unsupported};
pub use model::{ModelFiles, ModelKind, Pooling};
pub use options::{Backend, Budget, Coverage, OptionsError, Precision, DEFAULT_WINDOWS};
pub use pool::{normalize, normalize_rows};
pub use windows::Sampled;
use windows::{Frame, Plan, Tokens};

/// A text's vector, the vectors of the spans asked for (`None` for a span outside the windows
/// read), and how the text was sampled, if it was.
#[derive(Debug, Clone)]
pub struct Embedded {
    pub vector: Vec<f32>,
    pub spans: Vec<Option<Vec<f32>>>,
    pub sampled: Option<Sampled>,
    /// Tokens the model read for it (its windows' tokens with the special tokens), for
    /// throughput figures.
    pub tokens: usize,
}

/// A loaded model, ready to embed texts from many threads.
pub struct Embedder {
    files: ModelFiles,
    tokenizer: Tokenizer,
    encoder: Box<dyn Encoder>,
    backend: Backend,
    precision: Precision,
    window: usize,
    cls: Vec<u32>,
    sep: Vec<u32>,
    id: String,
    fallback: Option<String>,
}

impl Embedder {
    /// Loads the model asked for by path or name (see [`model::locate`]) in `precision`.
    pub fn load(model: Option<&str>, backend: Backend, precision: Precision) -> Result<Embedder, EmbedError> {
        Self::from_files(model::locate(model)?, backend, precision)
    }

    /// Loads a model from an already located folder. int8 on a CPU without an int8 kernel falls
    /// back to fp32 and says so in [`Embedder::fallback`]; a kernel forced by
    /// [`int8::KERNEL_VAR`] that the CPU lacks is an error.
    pub fn from_files(files: ModelFiles, backend: Backend, precision: Precision) -> Result<Embedder, EmbedError> {
        let (precision, fallback) = if precision == Precision::Int8 && !int8::available() {
            (
                Precision::Fp32,
                Some("this CPU lacks AVX-512 VNNI and AVX2: int8 precision runs in fp32 instead".to_string()),
            )
        } else {
            (precision, None)
        };
        if precision == Precision::Int8 {
            int8::Kernel::chosen().map_err(|why| EmbedError::Unsupported(Unsupported::Int8Kernel(why)))?;
        }
        let tok_path = files.dir.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(&tok_path).map_err(|e| EmbedError::tokenizer(&tok_path, e))?;
        // tokenizer.json often declares its own truncation/padding (128 for MiniLM); the
        // sentence-transformers window is applied here instead.
        tokenizer.with_truncation(None).map_err(|e| EmbedError::tokenizer(&tok_path, e))?;
        tokenizer.with_padding(None);
        let encoder = families::load_encoder(&files, backend, precision, &tokenizer)?;
        let window = files.max_seq_length.unwrap_or(usize::MAX).min(encoder.max_tokens()?);
        // Specials wrap every window of a transformer: [CLS] … [SEP] for BERT, <s> … </s> for
        // XLM-R. A static model reads the text's own tokens only, as model2vec does.
        let empty =
            tokenizer.encode("", files.kind != ModelKind::Static).map_err(|e| EmbedError::tokenizer(&tok_path, e))?;
        let ids = empty.get_ids();
        let (cls, sep) = match ids.len() {
            0 => (vec![], vec![]),
            1 => (ids.to_vec(), vec![]),
            _ => (ids[..1].to_vec(), ids[1..].to_vec()),
        };
        if window <= cls.len() + sep.len() {
            let problem = ConfigProblem::NoRoom { window, specials: cls.len() + sep.len() };
            return Err(EmbedError::config(&files.dir, problem));
        }
        let mut id = model::fingerprint(&files)?;
        if precision == Precision::Int8 {
            id = format!("{id}+int8-{}", int8::SCHEME);
        }
        Ok(Embedder { files, tokenizer, encoder, backend, precision, window, cls, sep, id, fallback })
    }

    /// Why the precision asked for is not the one used, when it is not.
    pub fn fallback(&self) -> Option<&str> {
        self.fallback.as_deref()
    }

    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// What computes the vectors, for the record: "static", "libtorch", "fp32 gemm" or the int8
    /// kernel ("int8 AVX-512 VNNI", "int8 AVX-VNNI", "int8 AVX2").
    pub fn kernel(&self) -> String {
        // Only transformers run on the backend asked for; the other families are native.
        match (self.files.kind, self.backend, self.precision) {
            (ModelKind::Static, _, _) => "static".into(),
            (ModelKind::Transformer, Backend::RustBert, _) => "libtorch".into(),
            (_, _, Precision::Fp32) => "fp32 gemm".into(),
            (_, _, Precision::Int8) => int8::Kernel::chosen().map_or_else(|e| e, |k| k.name().to_string()),
        }
    }

    /// Whether the model is a static table of token vectors (see [`model2vec`]).
    pub fn is_static(&self) -> bool {
        self.files.kind == ModelKind::Static
    }

    /// Token ids must be below this.
    pub fn vocab_size(&self) -> usize {
        self.encoder.vocab_size()
    }

    /// Token ids of `text` as a static model made from this one reads it (no special tokens, no
    /// prompt), for fitting one to pages.
    pub fn plain_token_ids(&self, text: &str) -> Result<Vec<u32>, EmbedError> {
        let enc = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| EmbedError::tokenizer(&self.files.dir.join("tokenizer.json"), e))?;
        Ok(enc.get_ids().to_vec())
    }

    /// For each token id, the mean of the model's final states over that token alone between
    /// the specials, not normalised: a static model's raw token vectors (model2vec's recipe).
    pub(crate) fn token_vectors(&self, ids: &[u32]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let sequences: Vec<Vec<u32>> =
            ids.iter().map(|&id| [self.cls.as_slice(), &[id], self.sep.as_slice()].concat()).collect();
        let refs: Vec<&[u32]> = sequences.iter().map(Vec::as_slice).collect();
        let h = self.dim();
        let states = self.encoder.forward_many(&refs)?;
        Ok(states
            .iter()
            .map(|hidden| {
                let n = hidden.len() / h;
                // A model with a head gives a token the vector it gives the token alone; the
                // others their mean state, as model2vec does.
                match self.encoder.head() {
                    Some(head) => head.apply(&pool::pool(hidden, n, h, self.files.pooling)),
                    None => pool::pool(hidden, n, h, Pooling::Mean),
                }
            })
            .collect())
    }

    /// Identifies the model's weights and settings, for cache keys.
    pub fn model_id(&self) -> &str {
        &self.id
    }

    /// Short model name for reports.
    pub fn name(&self) -> &str {
        &self.files.name
    }

    /// Whether the model reads many languages (see [`ModelFiles::multilingual`]).
    pub fn multilingual(&self) -> bool {
        self.files.multilingual
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn dim(&self) -> usize {
        self.encoder.hidden_size()
    }

    /// Tokens per window, specials included.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Token ids of `text` with the special tokens, untruncated, and each token's byte range in
    /// `text`. An id beyond the model's vocabulary means the tokenizer belongs to another model:
    /// an error, never a clamp.
    fn encode(&self, text: &str) -> Result<Tokens, EmbedError> {
        // The model folder's prompt ("query: " for e5) goes before every text; offsets stay
        // relative to the text (the prompt's own tokens get an empty range).
        let prompt = self.files.prompt.as_str();
        let specials = !self.is_static();
        let enc = if prompt.is_empty() {
            self.tokenizer.encode(text, specials)
        } else {
            self.tokenizer.encode(format!("{prompt}{text}"), specials)
        }
        .map_err(|e| EmbedError::tokenizer(&self.files.dir.join("tokenizer.json"), e))?;
        let shift = prompt.len();
        let offsets =
            enc.get_offsets().iter().map(|&(a, b)| if a >= shift { (a - shift, b - shift) } else { (0, 0) }).collect();
        let vocab = self.encoder.vocab_size();
        match enc.get_ids().iter().find(|&&id| id as usize >= vocab) {
            Some(&id) => Err(EmbedError::ForeignTokenizer { dir: self.files.dir.clone(), id, vocab }),
            None => Ok((enc.get_ids().to_vec(), offsets)),
        }
    }

    /// Token ids of `text` with the special tokens, untruncated.
    pub fn tokenize(&self, text: &str) -> Result<Vec<u32>, EmbedError> {
        self.encode(text).map(|(ids, _)| ids)
    }

    /// The specials around every window and the room they leave for text.
    fn frame(&self) -> Frame {
        Frame { cls: self.cls.len(), sep: self.sep.len(), room: self.window - self.cls.len() - self.sep.len() }
    }

    /// Pools the hidden states of one window (`n` tokens, specials included) into a sentence
    /// vector as the model's pooling says (normalised if the model says so); a non-finite value
    /// is an error, never a vector.
    fn pool(&self, hidden: &[f32], n: usize) -> Result<Vec<f32>, EmbedError> {
        // Only a static model reads no specials, so only its window of an empty text (a page
        // whose text is an image line) has no token: its vector is zero, as a sum of none.
        if n == 0 {
            return Ok(vec![0.0; self.dim()]);
        }
        let pooled = pool::pool(hidden, n, self.dim(), self.files.pooling);
        let mut v = match self.encoder.head() {
            Some(head) => head.apply(&pooled),
            None => pooled,
        };
        if v.iter().any(|x| !x.is_finite()) {
            return Err(EmbedError::NonFinite { dir: self.files.dir.clone() });
        }
        if self.files.normalize {
            normalize(&mut v);
        }
        Ok(v)
    }

    /// Embeds many texts on all cores, longest windows first so the cores finish together.
    /// `progress` advances by one per finished text.
    pub fn embed_texts(
        &self,
        texts: &[&str],
        coverage: Coverage,
        progress: &ProgressBar,
    ) -> Result<Array2<f32>, EmbedError> {
        let items: Vec<(&str, &[Range<usize>])> = texts.iter().map(|t| (*t, &[][..])).collect();
        let embedded = self.embed_with_spans(&items, coverage, progress)?;
        let mut out = Array2::<f32>::zeros((texts.len(), self.dim()));
        for (mut row, e) in out.rows_mut().into_iter().zip(&embedded) {
            row.assign(&ndarray::ArrayView1::from(e.vector.as_slice()));
        }
        Ok(out)
    }

    /// Embeds texts and, from the same pass, the given byte spans of each (its sentences): a
    /// span's vector is the normalised mean of the final states of its tokens in the windows
    /// read, so summaries cost no second pass of the model. A span crossing a window boundary
    /// gathers its tokens from both windows.
    pub fn embed_with_spans(
        &self,
        items: &[(&str, &[Range<usize>])],
        coverage: Coverage,
        progress: &ProgressBar,
    ) -> Result<Vec<Embedded>, EmbedError> {
        let coverage = coverage.check()?;
        let h = self.dim();
        let (frame, encode) = (self.frame(), |text: &str| self.encode(text));
        let plans: Vec<Plan> = items
            .par_iter()
            .map(|(text, spans)| windows::plan(text, spans, coverage, frame, &encode))
            .collect::<Result<_, EmbedError>>()?;
        let mut units: Vec<(usize, usize)> =
            plans.iter().enumerate().flat_map(|(t, p)| (0..p.windows.len()).map(move |w| (t, w))).collect();
        units.sort_by_key(|&(t, w)| std::cmp::Reverse(plans[t].windows[w].ids.len()));
        let remaining: Vec<AtomicUsize> = plans.iter().map(|p| AtomicUsize::new(p.windows.len())).collect();
        type Unit = (usize, usize, Vec<f32>, usize, Vec<(usize, Vec<f32>, usize)>);
        let specials = self.cls.len() + self.sep.len();
        let batches =
            batch_by_tokens(&units, |&(t, w)| plans[t].windows[w].ids.len() + specials, self.precision.batch_tokens());
        let mut done: Vec<Unit> = batches
            .par_iter()
            .map(|batch| {
                let ids: Vec<Vec<u32>> = batch
                    .iter()
                    .map(|&(t, w)| [self.cls.as_slice(), &plans[t].windows[w].ids, self.sep.as_slice()].concat())
                    .collect();
                let refs: Vec<&[u32]> = ids.iter().map(Vec::as_slice).collect();
                let states = self.encoder.forward_many(&refs)?;
                batch
                    .iter()
                    .zip(ids.iter().zip(states))
                    .map(|(&(t, w), (ids, hidden))| {
                        let vector = self.pool(&hidden, ids.len())?;
                        // Sums of each span's token states in this window.
                        let mut spans: Vec<(usize, Vec<f32>, usize)> = Vec::new();
                        for (i, span) in plans[t].windows[w].span_of.iter().enumerate() {
                            let Some(span) = *span else { continue };
                            let row = &hidden[(self.cls.len() + i) * h..(self.cls.len() + i + 1) * h];
                            match spans.iter_mut().find(|(s, _, _)| *s == span) {
                                Some((_, sum, n)) => {
                                    sum.iter_mut().zip(row).for_each(|(a, b)| *a += b);
                                    *n += 1;
                                }
                                None => spans.push((span, row.to_vec(), 1)),
                            }
                        }
                        if remaining[t].fetch_sub(1, Ordering::Relaxed) == 1 {
                            progress.inc(1);
                        }
                        Ok((t, w, vector, ids.len(), spans))
                    })
                    .collect::<Result<Vec<Unit>, EmbedError>>()
            })
            .collect::<Result<Vec<Vec<Unit>>, EmbedError>>()?
            .into_iter()
            .flatten()
            .collect();
        done.sort_by_key(|u| (u.0, u.1));
        let mut out: Vec<Embedded> = items
            .iter()
            .zip(&plans)
            .map(|((_, spans), plan)| Embedded {
                vector: vec![0.0; h],
                spans: vec![None; spans.len()],
                sampled: plan.sampled,
                tokens: 0,
            })
            .collect();
        let mut span_sums: Vec<Vec<(Vec<f32>, usize)>> =
            items.iter().map(|(_, spans)| vec![(vec![0.0; h], 0); spans.len()]).collect();
        for (t, _, vector, tokens, spans) in done {
            out[t].vector.iter_mut().zip(&vector).for_each(|(a, b)| *a += tokens as f32 * b);
            out[t].tokens += tokens;
            for (span, sum, n) in spans {
                let (total, count) = &mut span_sums[t][span];
                total.iter_mut().zip(&sum).for_each(|(a, b)| *a += b);
                *count += n;
            }
        }
        for (e, sums) in out.iter_mut().zip(span_sums) {
            normalize(&mut e.vector);
            for (slot, (sum, count)) in e.spans.iter_mut().zip(sums) {
                if count > 0 {
                    // A sentence's tokens pooled as the model pools a text, through its head when
                    // it has one; without, their sum has the mean's direction.
                    let mut v = match self.encoder.head() {
                        Some(head) => head.apply(&pool::from_sum(sum, count, self.files.pooling)),
                        None => sum,
                    };
                    normalize(&mut v);
                    *slot = Some(v);
                }
            }
        }
        Ok(out)
    }
}
