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
    /// How fitting to pages went, when it was asked for.
    pub fit: Option<Fit>,
}

/// Distils `source` into a static model folder `out` (created; an existing model there is not
/// replaced) of `dims` dimensions (at least 1; fewer when the model has fewer), fitted to
/// `pages` when they are given (see [`fit_to_pages`]).
pub fn distill(
    source: &Embedder,
    out: &Path,
    dims: usize,
    pages: Option<&Pages>,
    progress: &ProgressBar,
) -> Result<Distilled, EmbedError> {
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
    let pca = pca(x, dims.min(h))?;
    let mut table = pca.reduced.clone();
    let dims = table.ncols();
    // Zipf: the token of rank r (its id) has probability ∝ 1 / (r + 2), as in model2vec.
    let norm: f64 = (0..vocab).map(|r| 1.0 / (r as f64 + 2.0)).sum();
    for (rank, mut row) in table.rows_mut().into_iter().enumerate() {
        let p = 1.0 / (rank as f64 + 2.0) / norm;
        row *= SIF / (SIF + p);
    }
    let fit = pages.map(|pages| fit_to_pages(&mut table, pages, &pca)).transpose()?;
    let weights: Vec<u8> = table.iter().flat_map(|&v| (v as f32).to_le_bytes()).collect();
    write_folder(source, out, vocab, dims, &weights, fit.as_ref())?;
    Ok(Distilled { tokens: vocab, dim: dims, variance_kept: pca.variance_kept, fit })
}

/// Pages a static model is fitted to (model2vec's "tokenlearn" idea): each page's token ids by
/// the source's tokenizer ([`Embedder::plain_token_ids`]), and the source model's vector of it
/// (what an analysis has embedded anyway).
pub struct Pages<'a> {
    pub token_ids: &'a [Vec<u32>],
    pub vectors: ndarray::ArrayView2<'a, f32>,
    /// Pages fitted on at most, spread over all (their kernel is this squared; its Cholesky,
    /// this cubed): [`FIT_PAGES`] by default.
    pub most: usize,
}

/// How fitting to pages went, measured on pages held out of the fit.
#[derive(Debug, Clone)]
pub struct Fit {
    pub pages: usize,
    pub held_out: usize,
    /// Mean cosine between a held-out page's static vector and the source's, before the fit
    /// (vocabulary alone) and after.
    pub cosine_before: f64,
    pub cosine_after: f64,
    /// The ridge chosen, as a share of the pages' mean squared token weight.
    pub ridge: f64,
}

/// Pages fitted on at most by default: every page of a folder up to this size. Quality grows
/// with the pages (docs/models.md), and [`super::linalg`]'s blocked Cholesky fits 7,614 in under a
/// minute; the kernel's matrices take 8 bytes × this² each.
pub const FIT_PAGES: usize = 10_000;

/// Training pages λ is chosen on at most (see [`fit_to_pages`]).
const RIDGE_PAGES: usize = 2_000;

/// Ridges tried, as shares of the mean diagonal of the pages' kernel.
const RIDGES: [f64; 4] = [0.03, 0.1, 0.3, 1.0];

/// Moves the token vectors `table` (the vocabulary distillation, in PCA space) so that a page's
/// mean token vector reproduces the source's vector of it, taken through the same PCA:
/// min ‖C·W − Y‖² + λ‖W − W₀‖², C the pages' token shares. Solved in its dual,
/// W = W₀ + Cᵀ(CCᵀ + λI)⁻¹(Y − C·W₀), on up to `pages.most` pages ([`FIT_PAGES`] by default):
/// the kernel CCᵀ is pages × pages whatever the vocabulary, and tokens no page uses keep their
/// vocabulary vectors. λ is chosen among [`RIDGES`] by the cosine on every tenth page, held
/// out. Measured on the 4,900 shared solution pages: see docs/models.md.
fn fit_to_pages(table: &mut ndarray::Array2<f64>, pages: &Pages, pca: &Pca) -> Result<Fit, EmbedError> {
    use ndarray::Array2;
    use std::borrow::Cow;
    let usable: Vec<usize> = (0..pages.token_ids.len()).filter(|&i| !pages.token_ids[i].is_empty()).collect();
    // Spread over all the pages, in their order.
    let most = pages.most.clamp(10, usable.len().max(10));
    let chosen: Vec<usize> = (0..most.min(usable.len())).map(|i| usable[i * usable.len() / most]).collect();
    // Each page's tokens as (id, share), sorted by id, for merged dot products.
    let shares: Vec<Vec<(u32, f64)>> = chosen
        .iter()
        .map(|&i| {
            let ids = &pages.token_ids[i];
            let mut counts = std::collections::BTreeMap::new();
            ids.iter().for_each(|&t| *counts.entry(t).or_insert(0.0) += 1.0);
            counts.into_iter().map(|(t, c)| (t, c / ids.len() as f64)).collect()
        })
        .collect();
    let dims = table.ncols();
    let targets: Array2<f64> = {
        let y =
            Array2::from_shape_fn((chosen.len(), pages.vectors.ncols()), |(r, j)| pages.vectors[[chosen[r], j]] as f64);
        (y - &pca.mean).dot(&pca.components)
    };
    let predict = |page: &[(u32, f64)], table: &Array2<f64>| {
        let mut v = ndarray::Array1::<f64>::zeros(dims);
        page.iter().for_each(|&(t, w)| v.scaled_add(w, &table.row(t as usize)));
        v
    };
    let cosine = |a: &ndarray::Array1<f64>, b: ndarray::ArrayView1<f64>| {
        a.dot(&b) / (a.dot(a).sqrt() * b.dot(&b).sqrt()).max(1e-12)
    };
    let (train, held): (Vec<usize>, Vec<usize>) = (0..chosen.len()).partition(|r| r % 10 != 9);
    let (k_train, k_held) = {
        let all = page_kernel(&shares);
        let k_train = all.select(ndarray::Axis(0), &train).select(ndarray::Axis(1), &train);
        (k_train, all.select(ndarray::Axis(0), &held).select(ndarray::Axis(1), &train))
    };
    let mut residual = Array2::<f64>::zeros((train.len(), dims));
    for (mut row, &page) in residual.rows_mut().into_iter().zip(&train) {
        row.assign(&(&targets.row(page) - &predict(&shares[page], table)));
    }
    let base: Vec<ndarray::Array1<f64>> = held.iter().map(|&r| predict(&shares[r], table)).collect();
    let mean_cosine = |add: Option<&Array2<f64>>| {
        let total: f64 = held
            .iter()
            .enumerate()
            .map(|(h, &r)| {
                let v = match add {
                    Some(a) => &base[h] + &a.row(h),
                    None => base[h].clone(),
                };
                cosine(&v, targets.row(r))
            })
            .sum();
        total / held.len().max(1) as f64
    };
    let scale = k_train.diag().mean().unwrap_or(1.0).max(1e-12);
    let solve = |kernel: &Array2<f64>, residual: &Array2<f64>, ridge: f64| {
        let mut system = kernel.clone();
        system.diag_mut().iter_mut().for_each(|d| *d += ridge * scale);
        super::linalg::solve_spd(&mut system, residual)
            .map_err(|e| EmbedError::FitNotPositiveDefinite { pivot: e.pivot })
    };
    // λ is chosen on at most RIDGE_PAGES of the training pages, spread over them (it is a share
    // of the kernel's diagonal, so it carries over: 0.3 at 1,800 pages and at 6,853), then
    // solved once on all of them; each solve costs the cube of its pages.
    let probe_len = RIDGE_PAGES.min(train.len());
    let probe: Vec<usize> = (0..probe_len).map(|i| i * train.len() / probe_len).collect();
    let whole = probe.len() == train.len();
    let (k_probe, residual_probe, k_held_probe) = if whole {
        (Cow::Borrowed(&k_train), Cow::Borrowed(&residual), Cow::Borrowed(&k_held))
    } else {
        (
            Cow::Owned(k_train.select(ndarray::Axis(0), &probe).select(ndarray::Axis(1), &probe)),
            Cow::Owned(residual.select(ndarray::Axis(0), &probe)),
            Cow::Owned(k_held.select(ndarray::Axis(1), &probe)),
        )
    };
    let mut best: Option<(f64, f64, Array2<f64>)> = None;
    for ridge in RIDGES {
        let dual = solve(&k_probe, &residual_probe, ridge)?;
        let score = mean_cosine(Some(&k_held_probe.dot(&dual)));
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, ridge, dual));
        }
    }
    let (probe_cosine, ridge, probe_dual) = best.expect("ridges are tried");
    let (cosine_after, dual) = if whole {
        (probe_cosine, probe_dual)
    } else {
        let dual = solve(&k_train, &residual, ridge)?;
        (mean_cosine(Some(&k_held.dot(&dual))), dual)
    };
    let cosine_before = mean_cosine(None);
    for (r, &page) in train.iter().enumerate() {
        for &(t, w) in &shares[page] {
            table.row_mut(t as usize).scaled_add(w, &dual.row(r));
        }
    }
    Ok(Fit { pages: train.len(), held_out: held.len(), cosine_before, cosine_after, ridge })
}

/// The pages' kernel C·Cᵀ (C: each page's token shares, as (id, share) sorted by id). Tokens
/// in more than one page in [`DENSE_SHARE`] go into a dense pages × tokens matrix multiplied by
/// `gemm`; each rarer token adds its pages' pairwise products directly, which costs the square
/// of its page count (merging every pair of pages' token lists would cost n² × their length).
fn page_kernel(shares: &[Vec<(u32, f64)>]) -> ndarray::Array2<f64> {
    let n = shares.len();
    // By token id, so that the sums run in one order and the fit is the same on every run.
    let mut pages_of: std::collections::BTreeMap<u32, Vec<(usize, f64)>> = std::collections::BTreeMap::new();
    for (page, tokens) in shares.iter().enumerate() {
        for &(t, w) in tokens {
            pages_of.entry(t).or_default().push((page, w));
        }
    }
    let dense_from = n / DENSE_SHARE;
    let (frequent, rare): (Vec<_>, Vec<_>) = pages_of.into_values().partition(|pages| pages.len() > dense_from);
    let mut columns = ndarray::Array2::<f64>::zeros((n, frequent.len()));
    for (c, pages) in frequent.iter().enumerate() {
        pages.iter().for_each(|&(page, w)| columns[[page, c]] = w);
    }
    let mut kernel = super::linalg::gram(&columns);
    for pages in &rare {
        for &(p, wp) in pages {
            for &(q, wq) in pages {
                kernel[[p, q]] += wp * wq;
            }
        }
    }
    kernel
}

/// See [`page_kernel`]: a token in more than one page in this many is a dense column.
const DENSE_SHARE: usize = 32;

/// The rows of `x` projected on their first `dims` principal components, and the share of the
/// variance those keep. Exact, from the covariance's eigenvectors: with a few hundred columns
/// that is cheaper and more precise than linfa's iterative truncated SVD.
fn pca(x: ndarray::Array2<f64>, dims: usize) -> Result<Pca, EmbedError> {
    use linfa_linalg::eigh::{EigSort, Eigh};
    let n = x.nrows().max(2) as f64;
    let mean = x.mean_axis(ndarray::Axis(0)).ok_or(EmbedError::NoTokenVectors)?;
    let centred = x - &mean;
    let covariance = centred.t().dot(&centred) / (n - 1.0);
    let (values, vectors) = covariance.eigh().map_err(|source| EmbedError::Pca { source })?.sort_eig_desc();
    let kept = values.iter().take(dims).sum::<f64>() / values.sum();
    let components = vectors.slice(ndarray::s![.., ..dims]).to_owned();
    Ok(Pca { reduced: centred.dot(&components), variance_kept: kept, mean, components })
}

/// The token vectors reduced by PCA, and the reduction, which pages' vectors go through too.
struct Pca {
    reduced: ndarray::Array2<f64>,
    variance_kept: f64,
    mean: ndarray::Array1<f64>,
    /// `source dim × dims`.
    components: ndarray::Array2<f64>,
}

/// Writes model2vec's files: `model.safetensors` (`embeddings`), `config.json`, the source's
/// `tokenizer.json`, and a model card saying where the model came from.
fn write_folder(
    source: &Embedder,
    out: &Path,
    vocab: usize,
    dims: usize,
    weights: &[u8],
    fit: Option<&Fit>,
) -> Result<(), EmbedError> {
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
         A text's vector is the normalised mean of its tokens' vectors: much faster, less precise.\n{fitted}",
        name = source.name(),
        id = source.model_id(),
        fitted =
            fit.map_or_else(String::new, |f| format!(
            "\nThen fitted to {} pages (model2vec's tokenlearn idea): the token vectors moved so that a page's mean \
             token vector reproduces {}'s vector of it (ridge {}); on {} pages held out, the mean cosine to {}'s \
             vectors went from {:.3} to {:.3}.\n",
            f.pages, source.name(), f.ridge, f.held_out, source.name(), f.cosine_before, f.cosine_after
        )),
    );
    write("tokenizer.json", &tokenizer)?;
    write("config.json", serde_json::to_string_pretty(&config).expect("JSON").as_bytes())?;
    write("README.md", card.as_bytes())?;
    write("model.safetensors", &tensors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// Pages whose vectors are an exact mix of hidden token vectors: fitted, the table must
    /// reproduce pages it never saw, from a vocabulary table that knows nothing of them.
    #[test]
    fn fitting_to_pages_reproduces_held_out_pages() {
        let (vocab, dims) = (12usize, 3usize);
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as f64 / (1u64 << 31) as f64
        };
        let truth = Array2::from_shape_fn((vocab, dims), |_| next() - 0.5);
        let token_ids: Vec<Vec<u32>> =
            (0..200).map(|_| (0..8).map(|_| (next() * vocab as f64) as u32 % vocab as u32).collect()).collect();
        let vectors = Array2::from_shape_fn((token_ids.len(), dims), |(p, j)| {
            let ids = &token_ids[p];
            (ids.iter().map(|&t| truth[[t as usize, j]]).sum::<f64>() / ids.len() as f64) as f32
        });
        let pca = Pca {
            reduced: Array2::zeros((vocab, dims)),
            variance_kept: 1.0,
            mean: ndarray::Array1::zeros(dims),
            components: Array2::eye(dims),
        };
        let mut table = Array2::from_shape_fn((vocab, dims), |_| next() - 0.5);
        let pages = Pages { token_ids: &token_ids, vectors: vectors.view(), most: FIT_PAGES };
        let fit = fit_to_pages(&mut table, &pages, &pca).unwrap();
        assert_eq!((fit.pages, fit.held_out), (180, 20));
        assert!(fit.cosine_after > 0.99 && fit.cosine_after > fit.cosine_before + 0.2, "{fit:?}");
        // Fewer pages asked for: that many, spread over all.
        let mut again = Array2::from_shape_fn((vocab, dims), |_| 0.1);
        let few = Pages { most: 50, ..pages };
        assert_eq!(fit_to_pages(&mut again, &few, &pca).unwrap().pages + 5, 50);
    }
}
