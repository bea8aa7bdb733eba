//! Sentence embeddings: a sentence-transformers model run in Rust, with whole-document pooling.

pub mod bert;
pub mod e5;
pub mod fetch;
pub mod int8;
pub mod model;
pub mod model2vec;
#[cfg(feature = "rust-bert")]
pub mod rustbert;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::ProgressBar;
use ndarray::Array2;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use tokenizers::Tokenizer;

use bert::Bert;
pub use model::{ModelFiles, ModelKind, Pooling};

/// Errors of the embedding stage.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("model: {0}")]
    Model(String),
    #[error("could not obtain the model: {0}")]
    Fetch(String),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
}

impl EmbedError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        EmbedError::Io { path: path.display().to_string(), source }
    }
}

/// How much of a text a vector covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Exactly what sentence-transformers does: the first window only.
    FirstWindow,
    /// The text in consecutive windows of the model's length, pooled (weighted by tokens) and
    /// renormalised, within a budget.
    Whole(Budget),
}

/// How much of a long text [`Coverage::Whole`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Every window.
    All,
    /// The first this many content tokens.
    FirstTokens(usize),
    /// At most this many windows, spread evenly from the first to the last: a huge file costs
    /// no more than a long page, and still reads from all of it.
    Windows(usize),
}

/// The default budget: 16 windows (about 4,000 tokens with MiniLM) cover all of a long blog
/// post; a 3 MB export would otherwise be 3,000 windows, most of a run's time.
pub const DEFAULT_WINDOWS: usize = 16;

impl Coverage {
    /// A short stable name, part of the vector cache's key: vectors of different coverages
    /// never mix.
    pub fn key(self) -> String {
        match self {
            Coverage::FirstWindow => "first-window".into(),
            Coverage::Whole(Budget::All) => "whole".into(),
            Coverage::Whole(Budget::FirstTokens(n)) => format!("whole-max{n}"),
            Coverage::Whole(Budget::Windows(n)) => format!("whole-w{n}"),
        }
    }
}

/// What a text's vector is made of, when it is not the whole text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sampled {
    /// Windows read, of all the text's windows.
    pub windows: usize,
    pub of_windows: usize,
    /// The text's content tokens.
    pub tokens: usize,
    /// Whether `of_windows` and `tokens` are estimated from the parts read (a text far longer
    /// than its budget is not tokenised whole).
    pub estimated: bool,
}

/// A text far longer than its window budget is read in pieces of this many bytes per window
/// token (generous: English runs at about 4.5 bytes a token), without tokenising the rest: a
/// 20 MB export costs what a long page costs, in time and memory.
const PIECE_BYTES_PER_TOKEN: usize = 8;

/// A text's token ids and each token's byte range in it.
type Tokens = (Vec<u32>, Vec<(usize, usize)>);

/// The windows a text is read in: content token ids, and the span (sentence) each token is in.
struct Window {
    ids: Vec<u32>,
    span_of: Vec<Option<usize>>,
}

/// How one text is read.
struct Plan {
    windows: Vec<Window>,
    sampled: Option<Sampled>,
}

/// The span each token lies in (tokens given as byte ranges, shifted by `shift`).
fn spans_of(offsets: &[(usize, usize)], shift: usize, spans: &[std::ops::Range<usize>]) -> Vec<Option<usize>> {
    offsets
        .iter()
        .map(|&(start, end)| {
            let (start, end) = (start + shift, end + shift);
            spans.iter().position(|s| s.start <= start && end <= s.end && start < end)
        })
        .collect()
}

/// A text's vector, the vectors of the spans asked for (`None` for a span outside the windows
/// read), and how the text was sampled, if it was.
#[derive(Debug, Clone)]
pub struct Embedded {
    pub vector: Vec<f32>,
    pub spans: Vec<Option<Vec<f32>>>,
    pub sampled: Option<Sampled>,
}

/// Which code runs the transformer. Tokenising, windows and pooling are shared, so every
/// backend reads the same tokens and gives the same vectors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Backend {
    /// The built-in encoder (pure Rust, always available, the fastest measured here).
    #[default]
    Native,
    /// rust-bert on libtorch; present only in builds with the cargo feature `rust-bert`.
    RustBert,
}

impl Backend {
    /// Every backend this build contains.
    pub fn built() -> Vec<Backend> {
        let mut all = vec![Backend::Native];
        if cfg!(feature = "rust-bert") {
            all.push(Backend::RustBert);
        }
        all
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Native => "native",
            Backend::RustBert => "rust-bert",
        }
    }
}

impl std::str::FromStr for Backend {
    type Err = String;

    fn from_str(s: &str) -> Result<Backend, String> {
        match s {
            "native" => Ok(Backend::Native),
            "rust-bert" => Ok(Backend::RustBert),
            other => Err(format!("unknown backend {other:?}: native or rust-bert")),
        }
    }
}

/// In what arithmetic the native encoder's dense layers run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Precision {
    /// fp32: exactly sentence-transformers' vectors.
    #[default]
    Fp32,
    /// int8 products on AVX-512 VNNI (weights per output row, activations per token): faster,
    /// vectors at cosine ≥ 0.99 to fp32.
    Int8,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::Fp32 => "fp32",
            Precision::Int8 => "int8",
        }
    }
}

impl std::str::FromStr for Precision {
    type Err = String;

    fn from_str(s: &str) -> Result<Precision, String> {
        match s {
            "fp32" => Ok(Precision::Fp32),
            "int8" => Ok(Precision::Int8),
            // bf16 products peak at twice fp32's rate on this hardware, and the rest of a pass
            // (attention, norms) would not speed up at all: not worth a second kernel.
            "bf16" => Err("bf16 is not offered: int8 is faster on the same CPUs; use --precision int8".into()),
            other => Err(format!("unknown precision {other:?}: fp32 or int8")),
        }
    }
}

/// What turns token ids into token states: a transformer (whichever backend runs it) or a
/// static model's table.
trait Encoder: Send + Sync {
    /// Width of a token state.
    fn hidden_size(&self) -> usize;
    /// Most tokens one sequence may hold, specials included.
    fn max_tokens(&self) -> Result<usize, EmbedError>;
    /// Token ids must be below this.
    fn vocab_size(&self) -> usize;
    /// Last hidden state of one sequence, `tokens.len() × hidden_size`, row-major.
    fn forward(&self, tokens: &[u32]) -> Result<Vec<f32>, EmbedError>;
    /// Last hidden states of several sequences (an encoder may run them together).
    fn forward_many(&self, sequences: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        sequences.iter().map(|s| self.forward(s)).collect()
    }
}

impl Encoder for Bert {
    fn hidden_size(&self) -> usize {
        self.config.hidden_size
    }
    fn max_tokens(&self) -> Result<usize, EmbedError> {
        self.config.max_tokens()
    }
    fn vocab_size(&self) -> usize {
        Bert::vocab_size(self)
    }
    fn forward(&self, tokens: &[u32]) -> Result<Vec<f32>, EmbedError> {
        Ok(Bert::forward(self, tokens))
    }
    fn forward_many(&self, sequences: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(Bert::forward_many(self, sequences))
    }
}

/// A sample text whose fp32 pass sets int8's smoothing (see [`Bert::quantize`]): any ordinary
/// prose shows a model's outlier channels.
const CALIBRATION: &str = "The lab worked with local governments and young entrepreneurs to test new ways of \
    collecting waste, financing small farms and delivering public services online. Community members mapped \
    informal markets, shared data on water and energy use, and proposed solutions that the municipality then \
    scaled. Las comunidades y el gobierno diseñaron juntos soluciones para la economía circular. Les jeunes \
    ont créé des entreprises numériques avec le soutien du programme.";

fn load_encoder(
    files: &ModelFiles,
    backend: Backend,
    precision: Precision,
    tokenizer: &Tokenizer,
) -> Result<Box<dyn Encoder>, EmbedError> {
    let dir = files.dir.as_path();
    if files.kind == ModelKind::Static {
        if precision != Precision::Fp32 {
            return Err(EmbedError::Model(format!(
                "{} is a static model: it has no matrix products for --precision {}",
                files.name,
                precision.name()
            )));
        }
        return Ok(Box::new(model2vec::StaticModel::load(dir)?));
    }
    if precision == Precision::Int8 && backend != Backend::Native {
        return Err(EmbedError::Model("--precision int8 runs on the native backend only".into()));
    }
    match backend {
        Backend::Native => {
            let mut bert = Bert::load(dir)?;
            if precision == Precision::Int8 {
                let calibration =
                    tokenizer.encode(CALIBRATION, true).map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
                bert.quantize(calibration.get_ids());
            }
            Ok(Box::new(bert))
        }
        #[cfg(feature = "rust-bert")]
        Backend::RustBert => Ok(Box::new(rustbert::RustBert::load(dir)?)),
        #[cfg(not(feature = "rust-bert"))]
        Backend::RustBert => Err(EmbedError::Model(
            "this build has no rust-bert backend: rebuild with `cargo build --release --features rust-bert` \
             (see the README for the libtorch it needs)"
                .into(),
        )),
    }
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
    /// Loads the model named by `--model` (see [`model::locate`]) in `precision`.
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
                Some("this CPU lacks AVX-512 VNNI and AVX2: --precision int8 runs in fp32 instead".to_string()),
            )
        } else {
            (precision, None)
        };
        if precision == Precision::Int8 {
            int8::Kernel::chosen().map_err(EmbedError::Model)?;
        }
        let tok_path = files.dir.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_file(&tok_path)
            .map_err(|e| EmbedError::Tokenizer(format!("{}: {e}", tok_path.display())))?;
        // tokenizer.json often declares its own truncation/padding (128 for MiniLM); the
        // sentence-transformers window is applied here instead.
        tokenizer.with_truncation(None).map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        tokenizer.with_padding(None);
        let encoder = load_encoder(&files, backend, precision, &tokenizer)?;
        let window = files.max_seq_length.unwrap_or(usize::MAX).min(encoder.max_tokens()?);
        // Specials wrap every window of a transformer: [CLS] … [SEP] for BERT, <s> … </s> for
        // XLM-R. A static model reads the text's own tokens only, as model2vec does.
        let empty =
            tokenizer.encode("", files.kind != ModelKind::Static).map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        let ids = empty.get_ids();
        let (cls, sep) = match ids.len() {
            0 => (vec![], vec![]),
            1 => (ids.to_vec(), vec![]),
            _ => (ids[..1].to_vec(), ids[1..].to_vec()),
        };
        if window <= cls.len() + sep.len() {
            return Err(EmbedError::Model("max_seq_length leaves no room for text".into()));
        }
        let mut id = model_id(&files)?;
        if precision != Precision::Fp32 {
            id = format!("{id}+{}", precision.name());
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

    /// Whether the model is a static table of token vectors (see [`model2vec`]).
    pub fn is_static(&self) -> bool {
        self.files.kind == ModelKind::Static
    }

    /// Token ids must be below this.
    pub fn vocab_size(&self) -> usize {
        self.encoder.vocab_size()
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
                let rows = (hidden.len() / h) as f32;
                let mut v = vec![0.0f32; h];
                for row in hidden.chunks_exact(h) {
                    v.iter_mut().zip(row).for_each(|(a, b)| *a += b);
                }
                v.iter_mut().for_each(|a| *a /= rows);
                v
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
        .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
        let shift = prompt.len();
        let offsets =
            enc.get_offsets().iter().map(|&(a, b)| if a >= shift { (a - shift, b - shift) } else { (0, 0) }).collect();
        let vocab = self.encoder.vocab_size();
        match enc.get_ids().iter().find(|&&id| id as usize >= vocab) {
            Some(id) => Err(EmbedError::Model(format!(
                "{}: tokenizer.json gives token id {id} but the model's vocabulary has {vocab} entries; \
                 the tokenizer belongs to another model",
                self.files.dir.display()
            ))),
            None => Ok((enc.get_ids().to_vec(), offsets)),
        }
    }

    /// Token ids of `text` with the special tokens, untruncated.
    pub fn tokenize(&self, text: &str) -> Result<Vec<u32>, EmbedError> {
        self.encode(text).map(|(ids, _)| ids)
    }

    /// How a text is read under `coverage`, with the span of each token read.
    fn plan(&self, text: &str, spans: &[std::ops::Range<usize>], coverage: Coverage) -> Result<Plan, EmbedError> {
        let room = self.window - self.cls.len() - self.sep.len();
        if let Coverage::Whole(Budget::Windows(n)) = coverage {
            let piece = room * PIECE_BYTES_PER_TOKEN;
            if n > 0 && text.len() > 2 * n * piece {
                return self.plan_pieces(text, spans, n, piece);
            }
        }
        let (ids, offsets) = self.encode(text)?;
        let content = self.cls.len()..ids.len() - self.sep.len();
        let span_of = spans_of(&offsets[content.clone()], 0, spans);
        let ids = &ids[content.clone()];
        let (ranges, sampled) = self.windows(content.len(), coverage);
        let windows =
            ranges.into_iter().map(|r| Window { ids: ids[r.clone()].to_vec(), span_of: span_of[r].to_vec() }).collect();
        Ok(Plan { windows, sampled })
    }

    /// Reads `n` pieces of `piece` bytes spread evenly over a text far longer than its budget,
    /// one window from the start of each, estimating the text's tokens from theirs.
    fn plan_pieces(
        &self,
        text: &str,
        spans: &[std::ops::Range<usize>],
        n: usize,
        piece: usize,
    ) -> Result<Plan, EmbedError> {
        let room = self.window - self.cls.len() - self.sep.len();
        let boundary = |mut i: usize| {
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let (mut bytes_read, mut tokens_read) = (0usize, 0usize);
        let mut windows = Vec::with_capacity(n);
        for i in 0..n {
            let start = boundary((text.len() - piece) * i / (n - 1).max(1));
            let end = boundary((start + piece).min(text.len()));
            let (ids, offsets) = self.encode(&text[start..end])?;
            let content = self.cls.len()..ids.len() - self.sep.len();
            let take = content.start..content.end.min(content.start + room);
            bytes_read += end - start;
            tokens_read += content.len();
            windows.push(Window { ids: ids[take.clone()].to_vec(), span_of: spans_of(&offsets[take], start, spans) });
        }
        let tokens = (text.len() as f64 * tokens_read as f64 / bytes_read.max(1) as f64).round() as usize;
        let sampled = Sampled { windows: n, of_windows: tokens.div_ceil(room), tokens, estimated: true };
        Ok(Plan { windows, sampled: Some(sampled) })
    }

    /// The windows a text is read in, as ranges of its content tokens (specials excluded), and
    /// how it was sampled when some of it is left out.
    fn windows(&self, content: usize, coverage: Coverage) -> (Vec<std::ops::Range<usize>>, Option<Sampled>) {
        let room = self.window - self.cls.len() - self.sep.len();
        let chunks = |len: usize| -> Vec<std::ops::Range<usize>> {
            if len == 0 {
                return std::iter::once(0..0).collect();
            }
            (0..len).step_by(room).map(|s| s..(s + room).min(len)).collect()
        };
        match coverage {
            Coverage::FirstWindow => (std::iter::once(0..content.min(room)).collect(), None),
            Coverage::Whole(Budget::All) => (chunks(content), None),
            Coverage::Whole(Budget::FirstTokens(n)) => (chunks(content.min(n)), None),
            Coverage::Whole(Budget::Windows(n)) => {
                let all = chunks(content);
                if all.len() <= n.max(1) {
                    return (all, None);
                }
                let n = n.max(1);
                let picked: Vec<std::ops::Range<usize>> = (0..n)
                    .map(|i| if n == 1 { 0 } else { (i * (all.len() - 1) + (n - 1) / 2) / (n - 1) })
                    .map(|w| all[w].clone())
                    .collect();
                let sampled = Sampled { windows: n, of_windows: all.len(), tokens: content, estimated: false };
                (picked, Some(sampled))
            }
        }
    }

    /// Pools the hidden states of one window (`ids` with specials) into a sentence vector as the
    /// model's pooling says (normalised if the model says so).
    fn pool(&self, hidden: &[f32], n: usize) -> Result<Vec<f32>, EmbedError> {
        let h = self.dim();
        let mut v = vec![0.0f32; h];
        match self.files.pooling {
            Pooling::Cls => v.copy_from_slice(&hidden[..h]),
            Pooling::Max => {
                v.fill(f32::NEG_INFINITY);
                for row in hidden.chunks_exact(h) {
                    v.iter_mut().zip(row).for_each(|(a, b)| *a = a.max(*b));
                }
            }
            Pooling::Mean | Pooling::MeanSqrtLen => {
                for row in hidden.chunks_exact(h) {
                    v.iter_mut().zip(row).for_each(|(a, b)| *a += b);
                }
                let div = if self.files.pooling == Pooling::Mean { n as f32 } else { (n as f32).sqrt() };
                v.iter_mut().for_each(|a| *a /= div);
            }
        }
        if v.iter().any(|x| !x.is_finite()) {
            return Err(EmbedError::Model(format!(
                "{}: the model gives non-finite values (NaN or infinite weights?)",
                self.files.dir.display()
            )));
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
        let items: Vec<(&str, &[std::ops::Range<usize>])> = texts.iter().map(|t| (*t, &[][..])).collect();
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
        items: &[(&str, &[std::ops::Range<usize>])],
        coverage: Coverage,
        progress: &ProgressBar,
    ) -> Result<Vec<Embedded>, EmbedError> {
        let h = self.dim();
        let plans: Vec<Plan> = items
            .par_iter()
            .map(|(text, spans)| self.plan(text, spans, coverage))
            .collect::<Result<_, EmbedError>>()?;
        let mut units: Vec<(usize, usize)> =
            plans.iter().enumerate().flat_map(|(t, p)| (0..p.windows.len()).map(move |w| (t, w))).collect();
        units.sort_by_key(|&(t, w)| std::cmp::Reverse(plans[t].windows[w].ids.len()));
        let remaining: Vec<AtomicUsize> = plans.iter().map(|p| AtomicUsize::new(p.windows.len())).collect();
        type Unit = (usize, usize, Vec<f32>, usize, Vec<(usize, Vec<f32>, usize)>);
        let specials = self.cls.len() + self.sep.len();
        let batches =
            batch_by_tokens(&units, |&(t, w)| plans[t].windows[w].ids.len() + specials, batch_tokens(self.precision));
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
            })
            .collect();
        let mut span_sums: Vec<Vec<(Vec<f32>, usize)>> =
            items.iter().map(|(_, spans)| vec![(vec![0.0; h], 0); spans.len()]).collect();
        for (t, _, vector, tokens, spans) in done {
            out[t].vector.iter_mut().zip(&vector).for_each(|(a, b)| *a += tokens as f32 * b);
            for (span, sum, n) in spans {
                let (total, count) = &mut span_sums[t][span];
                total.iter_mut().zip(&sum).for_each(|(a, b)| *a += b);
                *count += n;
            }
        }
        for (e, sums) in out.iter_mut().zip(span_sums) {
            normalize(&mut e.vector);
            for (slot, (mut sum, count)) in e.spans.iter_mut().zip(sums) {
                if count > 0 {
                    normalize(&mut sum);
                    *slot = Some(sum);
                }
            }
        }
        Ok(out)
    }
}

/// Windows travel through the model together up to this many tokens in all. At fp32, gemm packs
/// a layer's weights once per product, so more rows per product spread that cost: embedding 300
/// solution pages at 256 tokens took 6.9 s at 128, 6.3 s at 512, 6.4 s at 1,024 and 2,048 (with
/// more memory). The int8 kernel reads its weights unpacked and loses from larger batches
/// (1,259 pages: 11.3 s at 128, 12.5 s at 512).
fn batch_tokens(precision: Precision) -> usize {
    match precision {
        Precision::Fp32 => 512,
        Precision::Int8 => 128,
    }
}

/// Consecutive items grouped so that each group's sizes add up to at most `budget` (an item
/// larger than that forms a group alone).
fn batch_by_tokens<T: Copy>(items: &[T], size: impl Fn(&T) -> usize, budget: usize) -> Vec<Vec<T>> {
    let mut batches: Vec<Vec<T>> = Vec::new();
    let mut filled = 0;
    for item in items {
        let n = size(item);
        match batches.last_mut() {
            Some(batch) if filled + n <= budget => batch.push(*item),
            _ => {
                batches.push(vec![*item]);
                filled = 0;
            }
        }
        filled += n;
    }
    batches
}

/// Scales every row of `m` to unit length (zero rows stay zero).
pub fn normalize_rows(m: &mut Array2<f32>) {
    for mut row in m.rows_mut() {
        normalize(row.as_slice_mut().expect("rows of a standard-layout array are contiguous"));
    }
}

/// Scales `v` to unit length (leaves a zero vector alone).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Model identity: folder name plus a hash of its configuration and weight layout. Hashing the
/// safetensors header (names, shapes, offsets) and file size, not 90+ MB of weights, keeps
/// start-up fast while any re-export or different checkpoint still changes the id.
fn model_id(files: &ModelFiles) -> Result<String, EmbedError> {
    let mut hasher = Sha256::new();
    for name in [
        "config.json",
        "tokenizer.json",
        "sentence_bert_config.json",
        "modules.json",
        "config_sentence_transformers.json",
    ] {
        if let Ok(bytes) = std::fs::read(files.dir.join(name)) {
            hasher.update(&bytes);
        }
    }
    let weights = files.dir.join("model.safetensors");
    let mut file = std::fs::File::open(&weights).map_err(|e| EmbedError::io(&weights, e))?;
    let size = file.metadata().map_err(|e| EmbedError::io(&weights, e))?.len();
    let mut head = vec![0u8; (size as usize).min(1 << 20)];
    std::io::Read::read_exact(&mut file, &mut head).map_err(|e| EmbedError::io(&weights, e))?;
    hasher.update(&head);
    hasher.update(size.to_le_bytes());
    hasher.update(format!("{:?}|{}|{:?}", files.pooling, files.normalize, files.max_seq_length));
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Ok(format!("{}@{hex}", files.name))
}

#[cfg(test)]
mod tests {
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
}
