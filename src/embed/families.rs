//! The encoder families, one row each: which model folders a family runs, on which backend, in
//! which precisions, and how it loads. A new family (as the Universal Sentence Encoder was:
//! SentencePiece tokens through a DAN) is its [`Encoder`] in a file of its own, a loader, and a
//! row here; a new kind of folder also gets its [`ModelKind`], told apart in
//! [`super::model::read_model_dir`].

use tokenizers::Tokenizer;

use super::encoder::Encoder;
use super::error::Unsupported;
use super::model::{ModelFiles, ModelKind};
use super::options::{Backend, Precision};
use super::{bert, model2vec, universal, EmbedError};

/// Loads a family's encoder from a located folder, in a precision the family runs (`tokenizer`
/// is the folder's, for encoders that calibrate on sample text).
pub(super) type Load = fn(&ModelFiles, Precision, &Tokenizer) -> Result<Box<dyn Encoder>, EmbedError>;

/// A cargo feature a family needs, and what building with it takes.
struct Feature {
    name: &'static str,
    needs: &'static str,
}

struct Family {
    /// The family in messages ("a static model runs in fp32 only").
    name: &'static str,
    /// The folders it runs.
    kind: ModelKind,
    /// The backend it is; `None`: it runs whichever is asked (a static table needs no
    /// transformer code).
    backend: Option<Backend>,
    precisions: &'static [Precision],
    /// The cargo feature it is built with, if it needs one.
    feature: Option<Feature>,
    /// Its loader; `None` in a build without its feature.
    load: Option<Load>,
}

#[cfg(feature = "rust-bert")]
const RUST_BERT: Option<Load> = Some(super::rustbert::load);
#[cfg(not(feature = "rust-bert"))]
const RUST_BERT: Option<Load> = None;

const FAMILIES: &[Family] = &[
    Family {
        name: "a static model",
        kind: ModelKind::Static,
        backend: None,
        precisions: &[Precision::Fp32],
        feature: None,
        load: Some(model2vec::load),
    },
    Family {
        name: "the native encoder",
        kind: ModelKind::Transformer,
        backend: Some(Backend::Native),
        precisions: &[Precision::Fp32, Precision::Int8],
        feature: None,
        load: Some(bert::load),
    },
    Family {
        name: "the universal sentence encoder",
        kind: ModelKind::Universal,
        backend: None,
        precisions: &[Precision::Fp32],
        feature: None,
        load: Some(universal::load),
    },
    Family {
        name: "the rust-bert backend",
        kind: ModelKind::Transformer,
        backend: Some(Backend::RustBert),
        precisions: &[Precision::Fp32],
        feature: Some(Feature { name: "rust-bert", needs: "the libtorch it needs" }),
        load: RUST_BERT,
    },
];

/// The encoder of the family that runs `files` on `backend`, in `precision`.
pub(super) fn load_encoder(
    files: &ModelFiles,
    backend: Backend,
    precision: Precision,
    tokenizer: &Tokenizer,
) -> Result<Box<dyn Encoder>, EmbedError> {
    let family =
        FAMILIES.iter().find(|f| f.kind == files.kind && f.backend.is_none_or(|b| b == backend)).ok_or_else(|| {
            EmbedError::Unsupported(Unsupported::NoFamily {
                model: files.name.clone(),
                kind: files.kind.name(),
                backend: backend.name(),
            })
        })?;
    if !family.precisions.contains(&precision) {
        let supported: Vec<&str> = family.precisions.iter().map(|p| p.name()).collect();
        return Err(EmbedError::Unsupported(Unsupported::Precision {
            model: files.name.clone(),
            family: family.name,
            supported: supported.join(" or "),
            precision: precision.name(),
        }));
    }
    let Some(load) = family.load else {
        let feature = family.feature.as_ref().expect("a family is left out of a build only for want of its feature");
        return Err(EmbedError::Unsupported(Unsupported::NotBuilt {
            backend: backend.name(),
            feature: feature.name,
            needs: feature.needs,
        }));
    };
    load(files, precision, tokenizer)
}

#[cfg(test)]
mod tests {
    use tokenizers::models::wordlevel::WordLevel;

    use super::*;
    use crate::embed::model::Pooling;

    fn folder(kind: ModelKind) -> ModelFiles {
        ModelFiles {
            dir: "models/m".into(),
            kind,
            name: "m".into(),
            pooling: Pooling::Mean,
            normalize: true,
            max_seq_length: None,
            prompt: String::new(),
            multilingual: false,
        }
    }

    fn refusal(kind: ModelKind, backend: Backend, precision: Precision) -> String {
        let tokenizer = Tokenizer::new(WordLevel::default());
        load_encoder(&folder(kind), backend, precision, &tokenizer).err().expect("refused before loading").to_string()
    }

    #[test]
    fn a_precision_a_family_lacks_is_refused_before_loading() {
        let err = refusal(ModelKind::Static, Backend::Native, Precision::Int8);
        assert_eq!(err, "model: m: a static model runs in fp32 only, not int8");
        let err = refusal(ModelKind::Transformer, Backend::RustBert, Precision::Int8);
        assert_eq!(err, "model: m: the rust-bert backend runs in fp32 only, not int8");
    }

    #[cfg(not(feature = "rust-bert"))]
    #[test]
    fn a_family_this_build_lacks_names_its_feature() {
        let err = refusal(ModelKind::Transformer, Backend::RustBert, Precision::Fp32);
        assert!(err.contains("--features rust-bert"), "{err}");
    }

    #[test]
    fn a_family_is_built_or_names_the_feature_it_needs() {
        assert!(FAMILIES.iter().all(|f| f.load.is_some() || f.feature.is_some()));
    }

    #[test]
    fn every_kind_of_folder_runs_on_every_backend() {
        for kind in [ModelKind::Transformer, ModelKind::Static, ModelKind::Universal] {
            for backend in [Backend::Native, Backend::RustBert] {
                let runs = FAMILIES.iter().filter(|f| f.kind == kind && f.backend.is_none_or(|b| b == backend));
                assert_eq!(runs.count(), 1, "{kind:?} on {backend:?}");
            }
        }
    }
}
