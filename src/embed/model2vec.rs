//! Static embedding models in model2vec's folder format: one vector per vocabulary token, and a
//! text's vector the mean of its tokens' vectors. [`distill`] makes one from a sentence model
//! with model2vec's recipe; models made by model2vec itself (e.g. potion-base-8M) load too.
//!
//! The recipe: every vocabulary token is run through the sentence model on its own (between the
//! model's special tokens) and mean-pooled; the vectors are reduced with PCA; each is weighted
//! by SIF, `a / (a + p)`, with the token's probability `p` estimated from its rank by Zipf's law
//! (vocabularies list frequent pieces first). No download and no corpus are needed.

use std::path::Path;

use indicatif::ProgressBar;
use rayon::prelude::*;
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use tokenizers::Tokenizer;

use super::encoder::Encoder;
use super::error::TensorProblem;
use super::model::{ModelFiles, STATIC_MODEL_TYPE};
use super::options::{check_dims, Precision, DISTILL_TOKENS_PER_PASS, STATIC_WINDOW};
use super::{EmbedError, Embedder};

/// model2vec's default SIF coefficient.
const SIF: f64 = 1e-4;

/// A static model's token vectors, `vocab × dim`, row-major.
pub struct StaticModel {
    vectors: Vec<f32>,
    dim: usize,
}

impl StaticModel {
    /// Reads the `embeddings` tensor of `model.safetensors` (F32, F16 or BF16).
    pub fn load(dir: &Path) -> Result<StaticModel, EmbedError> {
        let path = dir.join("model.safetensors");
        let bytes = std::fs::read(&path).map_err(|e| EmbedError::io(&path, e))?;
        let tensors = SafeTensors::deserialize(&bytes).map_err(|e| EmbedError::safetensors(&path, e))?;
        let bad = |problem| EmbedError::tensor(&path, "embeddings", problem);
        let view = tensors.tensor("embeddings").map_err(|e| bad(TensorProblem::Missing(e)))?;
        let [_, dim] = view.shape() else {
            return Err(bad(TensorProblem::Shape { found: view.shape().to_vec(), expected: "[vocab, dim]".into() }));
        };
        let vectors = super::bert::tensor_f32(&view).map_err(|other| bad(TensorProblem::Dtype(other)))?;
        Ok(StaticModel { vectors, dim: *dim })
    }
}

/// The static model of a model2vec folder (see [`super::families`]); it has no products to run
/// in another precision, nor a tokenizer to calibrate on.
pub(super) fn load(files: &ModelFiles, _: Precision, _: &Tokenizer) -> Result<Box<dyn Encoder>, EmbedError> {
    Ok(Box::new(StaticModel::load(&files.dir)?))
}

impl Encoder for StaticModel {
    fn hidden_size(&self) -> usize {
        self.dim
    }

    fn max_tokens(&self) -> Result<usize, EmbedError> {
        Ok(STATIC_WINDOW)
    }

    fn vocab_size(&self) -> usize {
        self.vectors.len() / self.dim
    }

    fn forward(&self, tokens: &[u32]) -> Result<Vec<f32>, EmbedError> {
        let d = self.dim;
        Ok(tokens.iter().flat_map(|&t| &self.vectors[t as usize * d..(t as usize + 1) * d]).copied().collect())
    }
}

/// What [`distill`] made.
#[derive(Debug, Clone)]
pub struct Distilled {
    pub tokens: usize,
    pub dim: usize,
    /// Share of the token vectors' variance the kept components explain.
    pub variance_kept: f64,
}

/// Distils `source` into a static model folder `out` (created; an existing model there is not
/// replaced) of `dims` dimensions (at least 1; fewer when the model has fewer).
pub fn distill(source: &Embedder, out: &Path, dims: usize, progress: &ProgressBar) -> Result<Distilled, EmbedError> {
    let dims = check_dims(dims)?;
    if out.join("model.safetensors").exists() {
        return Err(EmbedError::Occupied { path: out.to_path_buf() });
    }
    if source.is_static() {
        return Err(EmbedError::AlreadyStatic { model: source.name().to_string() });
    }
    let vocab = source.vocab_size();
    progress.set_length(vocab as u64);
    let ids: Vec<u32> = (0..vocab as u32).collect();
    let rows: Vec<Vec<f32>> = ids
        .par_chunks(DISTILL_TOKENS_PER_PASS)
        .map(|chunk| {
            let v = source.token_vectors(chunk);
            progress.inc(chunk.len() as u64);
            v
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect();
    progress.finish_and_clear();
    let h = source.dim();
    let x = ndarray::Array2::from_shape_fn((vocab, h), |(i, j)| rows[i][j] as f64);
    let (reduced, variance_kept) = pca(x, dims.min(h))?;
    let dims = reduced.ncols();
    // Zipf: the token of rank r (its id) has probability ∝ 1 / (r + 2), as in model2vec.
    let norm: f64 = (0..vocab).map(|r| 1.0 / (r as f64 + 2.0)).sum();
    let mut weights = Vec::with_capacity(vocab * dims * 4);
    for (rank, row) in reduced.rows().into_iter().enumerate() {
        let p = 1.0 / (rank as f64 + 2.0) / norm;
        let sif = SIF / (SIF + p);
        for v in row {
            weights.extend_from_slice(&((v * sif) as f32).to_le_bytes());
        }
    }
    write_folder(source, out, vocab, dims, &weights)?;
    Ok(Distilled { tokens: vocab, dim: dims, variance_kept })
}

/// The rows of `x` projected on their first `dims` principal components, and the share of the
/// variance those keep. Exact, from the covariance's eigenvectors: with a few hundred columns
/// that is cheaper and more precise than linfa's iterative truncated SVD.
fn pca(x: ndarray::Array2<f64>, dims: usize) -> Result<(ndarray::Array2<f64>, f64), EmbedError> {
    use linfa_linalg::eigh::{EigSort, Eigh};
    let n = x.nrows().max(2) as f64;
    let mean = x.mean_axis(ndarray::Axis(0)).ok_or(EmbedError::NoTokenVectors)?;
    let centred = x - &mean;
    let covariance = centred.t().dot(&centred) / (n - 1.0);
    let (values, vectors) = covariance.eigh().map_err(|source| EmbedError::Pca { source })?.sort_eig_desc();
    let kept = values.iter().take(dims).sum::<f64>() / values.sum();
    Ok((centred.dot(&vectors.slice(ndarray::s![.., ..dims])), kept))
}

/// Writes model2vec's files: `model.safetensors` (`embeddings`), `config.json`, the source's
/// `tokenizer.json`, and a model card saying where the model came from.
fn write_folder(source: &Embedder, out: &Path, vocab: usize, dims: usize, weights: &[u8]) -> Result<(), EmbedError> {
    std::fs::create_dir_all(out).map_err(|e| EmbedError::io(out, e))?;
    let write = |name: &str, bytes: &[u8]| {
        let path = out.join(name);
        std::fs::write(&path, bytes).map_err(|e| EmbedError::io(&path, e))
    };
    let weights_path = out.join("model.safetensors");
    let view = TensorView::new(Dtype::F32, vec![vocab, dims], weights)
        .map_err(|e| EmbedError::safetensors(&weights_path, e))?;
    let tensors =
        safetensors::serialize([("embeddings", view)], None).map_err(|e| EmbedError::safetensors(&weights_path, e))?;
    let tokenizer = source.files.dir.join("tokenizer.json");
    let tokenizer = std::fs::read(&tokenizer).map_err(|e| EmbedError::io(&tokenizer, e))?;
    let config = serde_json::json!({
        "model_type": STATIC_MODEL_TYPE,
        "architectures": ["StaticModel"],
        "tokenizer_name": source.name(),
        "apply_pca": dims,
        "apply_zipf": true,
        "sif_coefficient": SIF,
        "hidden_dim": dims,
        "seq_length": 1_000_000,
        "normalize": true,
    });
    let tags = if source.multilingual() { "\n- multilingual" } else { "" };
    let card = format!(
        "---\nlibrary_name: model2vec\ntags:\n- static-embeddings{tags}\n---\n\n# Static {name}\n\n\
         Distilled by `themescope distill` from {name} ({id}) with model2vec's recipe: each of the \
         {vocab} vocabulary tokens embedded alone by the sentence model and mean-pooled, reduced to \
         {dims} dimensions by PCA, weighted by SIF ({SIF}) with Zipf probabilities from token rank. \
         A text's vector is the normalised mean of its tokens' vectors: much faster, less precise.\n",
        name = source.name(),
        id = source.model_id(),
    );
    write("tokenizer.json", &tokenizer)?;
    write("config.json", serde_json::to_string_pretty(&config).expect("JSON").as_bytes())?;
    write("README.md", card.as_bytes())?;
    write("model.safetensors", &tensors)
}
