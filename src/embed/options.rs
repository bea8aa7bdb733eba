//! What an embedding run is asked for (backend, precision, how much of each text), the checks
//! those choices pass once, and the stage's tunables, each with the measurement behind it.

/// The default budget: 16 windows (about 4,000 tokens with MiniLM) cover all of a long blog
/// post; a 3 MB export would otherwise be 3,000 windows, most of a run's time.
pub const DEFAULT_WINDOWS: usize = 16;

/// A text far longer than its window budget is read in pieces of this many bytes per window
/// token (generous: English runs at about 4.5 bytes a token), without tokenising the rest: a
/// 20 MB export costs what a long page costs, in time and memory.
pub(super) const PIECE_BYTES_PER_TOKEN: usize = 8;

/// Windows travel through the model together up to this many tokens in all. At fp32, gemm packs
/// a layer's weights once per product, so more rows per product spread that cost: embedding 300
/// solution pages at 256 tokens took 6.9 s at 128, 6.3 s at 512, 6.4 s at 1,024 and 2,048 (with
/// more memory).
const BATCH_TOKENS_FP32: usize = 512;

/// The int8 kernel reads its weights unpacked and loses from larger batches (1,259 pages: 11.3 s
/// at 128, 12.5 s at 512 with AVX-512 VNNI; 300 pages with the AVX2 kernel on a Zen 3: 5.4-6.2 s
/// at 128, 6.8-6.9 s at 512).
const BATCH_TOKENS_INT8: usize = 128;

/// Tokens per window of a static model: it has no limit, windows only bound the memory of one
/// pass.
pub(super) const STATIC_WINDOW: usize = 512;

/// Vocabulary tokens run through the sentence model together when distilling (each its own
/// sequence).
pub(super) const DISTILL_TOKENS_PER_PASS: usize = 64;

/// A choice the embedding stage refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    #[error("unknown backend {0:?}: native or rust-bert")]
    UnknownBackend(String),
    #[error("unknown precision {0:?}: fp32 or int8")]
    UnknownPrecision(String),
    // bf16 products peak at twice fp32's rate on this hardware, and the rest of a pass
    // (attention, norms) would not speed up at all: not worth a second kernel.
    #[error("bf16 is not offered: int8 is faster on the same CPUs; use int8")]
    Bf16,
    #[error("a budget of 0 windows reads nothing of a text: give at least 1")]
    NoWindows,
    #[error("a budget of 0 tokens reads nothing of a text: give at least 1, or read every window")]
    NoTokens,
    #[error("a static model of 0 dimensions holds nothing: give at least 1")]
    NoDimensions,
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

    /// The coverage itself when it reads something of every text: a budget of 0 windows or 0
    /// tokens is refused here, so window planning needs no clamps.
    pub fn check(self) -> Result<Coverage, OptionsError> {
        match self {
            Coverage::Whole(Budget::Windows(0)) => Err(OptionsError::NoWindows),
            Coverage::Whole(Budget::FirstTokens(0)) => Err(OptionsError::NoTokens),
            ok => Ok(ok),
        }
    }
}

/// The dimensions asked of a distilled static model, when there are any.
pub(super) fn check_dims(dims: usize) -> Result<usize, OptionsError> {
    if dims == 0 {
        return Err(OptionsError::NoDimensions);
    }
    Ok(dims)
}

/// Which code runs the transformer. Tokenising, windows and pooling are shared, so every
/// backend reads the same tokens and gives the same vectors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
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
    type Err = OptionsError;

    fn from_str(s: &str) -> Result<Backend, OptionsError> {
        match s {
            "native" => Ok(Backend::Native),
            "rust-bert" => Ok(Backend::RustBert),
            other => Err(OptionsError::UnknownBackend(other.to_string())),
        }
    }
}

/// In what arithmetic the native encoder's dense layers run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// fp32: exactly sentence-transformers' vectors.
    #[default]
    Fp32,
    /// int8 products on AVX-512 VNNI, AVX-VNNI or AVX2 (weights per output row, activations per
    /// token): faster, vectors at cosine ≥ 0.99 to fp32.
    Int8,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Precision::Fp32 => "fp32",
            Precision::Int8 => "int8",
        }
    }

    /// Most tokens of windows run through the model together (see [`BATCH_TOKENS_FP32`]).
    pub(super) fn batch_tokens(self) -> usize {
        match self {
            Precision::Fp32 => BATCH_TOKENS_FP32,
            Precision::Int8 => BATCH_TOKENS_INT8,
        }
    }
}

impl std::str::FromStr for Precision {
    type Err = OptionsError;

    fn from_str(s: &str) -> Result<Precision, OptionsError> {
        match s {
            "fp32" => Ok(Precision::Fp32),
            "int8" => Ok(Precision::Int8),
            "bf16" => Err(OptionsError::Bf16),
            other => Err(OptionsError::UnknownPrecision(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_of_no_windows_is_refused() {
        assert_eq!(Coverage::Whole(Budget::Windows(0)).check(), Err(OptionsError::NoWindows));
        assert!(Coverage::Whole(Budget::Windows(1)).check().is_ok());
    }

    #[test]
    fn a_budget_of_no_tokens_is_refused() {
        assert_eq!(Coverage::Whole(Budget::FirstTokens(0)).check(), Err(OptionsError::NoTokens));
        assert!(Coverage::Whole(Budget::FirstTokens(1)).check().is_ok());
    }

    #[test]
    fn every_window_and_the_first_window_pass() {
        assert!(Coverage::Whole(Budget::All).check().is_ok());
        assert!(Coverage::FirstWindow.check().is_ok());
    }

    #[test]
    fn a_static_model_of_no_dimensions_is_refused() {
        assert_eq!(check_dims(0), Err(OptionsError::NoDimensions));
        assert_eq!(check_dims(256), Ok(256));
    }

    #[test]
    fn unknown_names_are_refused_with_the_known_ones() {
        assert!("onnx".parse::<Backend>().unwrap_err().to_string().contains("native or rust-bert"));
        assert!("fp16".parse::<Precision>().unwrap_err().to_string().contains("fp32 or int8"));
        assert_eq!("bf16".parse::<Precision>(), Err(OptionsError::Bf16));
        assert_eq!("int8".parse::<Precision>(), Ok(Precision::Int8));
    }
}
