//! A BERT-family encoder forward pass (BERT, RoBERTa, XLM-R layouts) in plain Rust over `gemm`.
//!
//! Written here rather than taken from candle or rust-bert because those were measured at
//! 0.34-0.65x sentence-transformers' speed on this kind of machine (see the README): most of
//! their time went to per-op allocation and padding. This runs each sequence at its own length
//! (no padding, no attention mask needed), fuses Q/K/V into one matrix product, and uses gemm's
//! AVX-512 kernels; parallelism comes from running different sequences on different cores.

use std::path::Path;

use gemm::Parallelism;
use safetensors::{Dtype, SafeTensors};
use serde::Deserialize;

use super::int8::QuantizedLinear;
use super::EmbedError;

/// The parts of a Hugging Face `config.json` the encoder needs.
#[derive(Debug, Clone, Deserialize)]
pub struct BertConfig {
    #[serde(default = "default_model_type")]
    pub model_type: String,
    pub hidden_size: usize,
    pub num_attention_heads: usize,
    pub num_hidden_layers: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    #[serde(default)]
    pub pad_token_id: usize,
}

fn default_model_type() -> String {
    "bert".into()
}
fn default_eps() -> f64 {
    1e-12
}
fn default_act() -> String {
    "gelu".into()
}

impl BertConfig {
    /// Reads a model folder's `config.json`.
    pub fn load(dir: &Path) -> Result<BertConfig, EmbedError> {
        let path = dir.join("config.json");
        let text = std::fs::read_to_string(&path).map_err(|e| EmbedError::io(&path, e))?;
        serde_json::from_str(&text).map_err(|e| EmbedError::Model(format!("{}: {e}", path.display())))
    }

    /// RoBERTa-style models number positions from `pad_token_id + 1`.
    fn position_offset(&self) -> usize {
        match self.model_type.as_str() {
            "roberta" | "xlm-roberta" | "camembert" => self.pad_token_id + 1,
            _ => 0,
        }
    }

    /// Longest input (in tokens, specials included) the position table allows; an error for a
    /// configuration whose position table is smaller than its own offset.
    pub fn max_tokens(&self) -> Result<usize, EmbedError> {
        self.max_position_embeddings.checked_sub(self.position_offset()).filter(|&n| n > 0).ok_or_else(|| {
            EmbedError::Model(format!(
                "config.json: max_position_embeddings ({}) leaves no positions after the offset of {} ({})",
                self.max_position_embeddings,
                self.position_offset(),
                self.model_type
            ))
        })
    }
}

/// Checkpoints name their tensors with or without the architecture's prefix.
fn find_prefix(has: impl Fn(&str) -> bool, file: &Path) -> Result<&'static str, EmbedError> {
    ["", "bert.", "roberta.", "model."]
        .into_iter()
        .find(|p| has(&format!("{p}embeddings.word_embeddings.weight")))
        .ok_or_else(|| {
            EmbedError::Model(format!(
                "{}: no embeddings.word_embeddings.weight: not a BERT-family model",
                file.display()
            ))
        })
}

/// The tensor-name prefix of a safetensors file, read from its header alone (the header is a
/// little-endian length followed by a JSON object keyed by tensor name).
pub fn weight_prefix(path: &Path) -> Result<&'static str, EmbedError> {
    let bad = |why: &str| EmbedError::Model(format!("{}: {why}", path.display()));
    let mut file = std::fs::File::open(path).map_err(|e| EmbedError::io(path, e))?;
    let mut len = [0u8; 8];
    std::io::Read::read_exact(&mut file, &mut len).map_err(|e| EmbedError::io(path, e))?;
    let len = u64::from_le_bytes(len);
    if len > 100 << 20 {
        return Err(bad("safetensors header is implausibly large"));
    }
    let mut header = vec![0u8; len as usize];
    std::io::Read::read_exact(&mut file, &mut header).map_err(|e| EmbedError::io(path, e))?;
    let names: std::collections::HashMap<String, serde::de::IgnoredAny> =
        serde_json::from_slice(&header).map_err(|_| bad("not a safetensors file"))?;
    find_prefix(|name| names.contains_key(name), path)
}

/// Dense products per layer: Q/K/V, attention output, intermediate, output.
const PRODUCTS: usize = 4;

struct LayerNorm {
    weight: Vec<f32>,
    bias: Vec<f32>,
}

/// A dense layer, weight stored as PyTorch does: `[out, in]`, row-major; with
/// `--precision int8` its product runs on the quantised copy instead.
struct Linear {
    weight: Vec<f32>,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
    quantized: Option<QuantizedLinear>,
}

struct Layer {
    qkv: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    out_norm: LayerNorm,
}

/// Encoder weights, loaded once and shared read-only by all threads.
pub struct Bert {
    pub config: BertConfig,
    word: Vec<f32>,
    position: Vec<f32>,
    token_type: Vec<f32>,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
    gelu_tanh: bool,
}

struct Weights<'a> {
    tensors: SafeTensors<'a>,
    prefix: &'static str,
    file: &'a Path,
}

/// A safetensors tensor's values as f32 (stored as F32, F16 or BF16); any other dtype is
/// returned as the error.
pub(super) fn tensor_f32(view: &safetensors::tensor::TensorView) -> Result<Vec<f32>, Dtype> {
    let data = view.data();
    match view.dtype() {
        Dtype::F32 => Ok(data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()),
        Dtype::F16 => Ok(data.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect()),
        Dtype::BF16 => Ok(data.chunks_exact(2).map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()).collect()),
        other => Err(other),
    }
}

impl Weights<'_> {
    fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, EmbedError> {
        let full = format!("{}{name}", self.prefix);
        let bad = |why: String| EmbedError::Model(format!("{}: tensor {full}: {why}", self.file.display()));
        let view = self.tensors.tensor(&full).map_err(|e| bad(e.to_string()))?;
        if view.shape() != shape {
            return Err(bad(format!("shape {:?}, expected {shape:?}", view.shape())));
        }
        tensor_f32(&view).map_err(|other| bad(format!("dtype {other:?} is not supported (F32, F16, BF16 are)")))
    }

    fn linear(&self, name: &str, outputs: usize, inputs: usize) -> Result<Linear, EmbedError> {
        Ok(Linear {
            weight: self.get(&format!("{name}.weight"), &[outputs, inputs])?,
            bias: self.get(&format!("{name}.bias"), &[outputs])?,
            inputs,
            outputs,
            quantized: None,
        })
    }

    fn norm(&self, name: &str, size: usize) -> Result<LayerNorm, EmbedError> {
        Ok(LayerNorm {
            weight: self.get(&format!("{name}.weight"), &[size])?,
            bias: self.get(&format!("{name}.bias"), &[size])?,
        })
    }
}

impl Bert {
    /// Loads `config.json` and `model.safetensors` from a model folder.
    pub fn load(dir: &Path) -> Result<Bert, EmbedError> {
        let config_path = dir.join("config.json");
        let config = BertConfig::load(dir)?;
        let weights_path = dir.join("model.safetensors");
        let bytes = std::fs::read(&weights_path).map_err(|e| EmbedError::io(&weights_path, e))?;
        let tensors = SafeTensors::deserialize(&bytes)
            .map_err(|e| EmbedError::Model(format!("{}: {e}", weights_path.display())))?;
        let prefix = find_prefix(|name| tensors.tensor(name).is_ok(), &weights_path)?;
        let w = Weights { tensors, prefix, file: &weights_path };
        let h = config.hidden_size;
        if !h.is_multiple_of(config.num_attention_heads) {
            return Err(EmbedError::Model(format!("{}: hidden_size not divisible by heads", config_path.display())));
        }
        let vocab = w
            .tensors
            .tensor(&format!("{prefix}embeddings.word_embeddings.weight"))
            .map_err(|e| EmbedError::Model(e.to_string()))?
            .shape()[0];
        let types = w
            .tensors
            .tensor(&format!("{prefix}embeddings.token_type_embeddings.weight"))
            .map(|t| t.shape()[0])
            .unwrap_or(0);
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{i}");
            let q = w.linear(&format!("{p}.attention.self.query"), h, h)?;
            let k = w.linear(&format!("{p}.attention.self.key"), h, h)?;
            let v = w.linear(&format!("{p}.attention.self.value"), h, h)?;
            let qkv = Linear {
                weight: [q.weight, k.weight, v.weight].concat(),
                bias: [q.bias, k.bias, v.bias].concat(),
                inputs: h,
                outputs: 3 * h,
                quantized: None,
            };
            layers.push(Layer {
                qkv,
                attn_out: w.linear(&format!("{p}.attention.output.dense"), h, h)?,
                attn_norm: w.norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                intermediate: w.linear(&format!("{p}.intermediate.dense"), config.intermediate_size, h)?,
                output: w.linear(&format!("{p}.output.dense"), h, config.intermediate_size)?,
                out_norm: w.norm(&format!("{p}.output.LayerNorm"), h)?,
            });
        }
        let gelu_tanh = match config.hidden_act.as_str() {
            "gelu" => false,
            "gelu_new" | "gelu_pytorch_tanh" => true,
            other => {
                return Err(EmbedError::Model(format!(
                    "{}: activation {other:?} is not supported",
                    config_path.display()
                )))
            }
        };
        Ok(Bert {
            word: w.get("embeddings.word_embeddings.weight", &[vocab, h])?,
            position: w.get("embeddings.position_embeddings.weight", &[config.max_position_embeddings, h])?,
            token_type: if types > 0 {
                w.get("embeddings.token_type_embeddings.weight", &[types, h])?
            } else {
                vec![0.0; h]
            },
            embed_norm: w.norm("embeddings.LayerNorm", h)?,
            layers,
            gelu_tanh,
            config,
        })
    }

    /// Vocabulary size: token ids must be below it.
    pub fn vocab_size(&self) -> usize {
        self.word.len() / self.config.hidden_size
    }

    /// Runs the encoder on one sequence (specials included) and returns the last hidden state,
    /// `tokens.len() × hidden_size`, row-major.
    pub fn forward(&self, tokens: &[u32]) -> Vec<f32> {
        self.forward_many(&[tokens]).pop().expect("one sequence in, one out")
    }

    /// Runs the encoder on several sequences at once: their tokens share every dense layer's
    /// matrix product (gemm packs a layer's weights once per product, which costs more than
    /// the product itself for a sequence of a few tokens), attention stays within each.
    pub fn forward_many(&self, sequences: &[&[u32]]) -> Vec<Vec<f32>> {
        self.run(sequences, &mut |_, _, _| {})
    }

    /// Makes every dense layer's product run in int8 (the caller checks [`int8::available`]).
    /// Outlier channels (a few hidden dimensions carry values far larger than the rest) would
    /// swamp one scale per token, so, as in SmoothQuant, each input channel is first divided by
    /// √(its activation range / its weight range) and its weights multiplied by the same; the
    /// activation ranges come from one fp32 pass over `calibration` (token ids of a sample text).
    pub fn quantize(&mut self, calibration: &[u32]) {
        let mut ranges: Vec<[Vec<f32>; PRODUCTS]> = self
            .layers
            .iter()
            .map(|l| [&l.qkv, &l.attn_out, &l.intermediate, &l.output].map(|p| vec![0.0f32; p.inputs]))
            .collect();
        let vocab = self.vocab_size();
        let positions = self.config.max_tokens().unwrap_or(0);
        let tokens: Vec<u32> = calibration.iter().copied().filter(|&t| (t as usize) < vocab).take(positions).collect();
        self.run(&[&tokens], &mut |layer, product, input| {
            let range = &mut ranges[layer][product];
            for row in input.chunks_exact(range.len()) {
                range.iter_mut().zip(row).for_each(|(r, x)| *r = r.max(x.abs()));
            }
        });
        for (layer, ranges) in self.layers.iter_mut().zip(&ranges) {
            let products = [&mut layer.qkv, &mut layer.attn_out, &mut layer.intermediate, &mut layer.output];
            for (linear, range) in products.into_iter().zip(ranges) {
                let smooth: Vec<f32> = (0..linear.inputs)
                    .map(|j| {
                        let w =
                            (0..linear.outputs).fold(0.0f32, |m, o| m.max(linear.weight[o * linear.inputs + j].abs()));
                        if range[j] > 0.0 && w > 0.0 {
                            (range[j] / w).sqrt()
                        } else {
                            1.0
                        }
                    })
                    .collect();
                linear.quantized = Some(QuantizedLinear::new(&linear.weight, linear.outputs, linear.inputs, &smooth));
                linear.weight = Vec::new();
            }
        }
    }

    /// The forward pass, showing `observe` the input of each dense product (layer, product
    /// 0-3 as in [`Bert::quantize`], rows × inputs values).
    fn run(&self, sequences: &[&[u32]], observe: &mut dyn FnMut(usize, usize, &[f32])) -> Vec<Vec<f32>> {
        let h = self.config.hidden_size;
        let heads = self.config.num_attention_heads;
        let head_dim = h / heads;
        let eps = self.config.layer_norm_eps as f32;
        let offset = self.config.position_offset();
        let starts: Vec<usize> = sequences
            .iter()
            .scan(0, |row, s| {
                let start = *row;
                *row += s.len();
                Some(start)
            })
            .collect();
        let n: usize = sequences.iter().map(|s| s.len()).sum();
        let longest = sequences.iter().map(|s| s.len()).max().unwrap_or(0);

        let mut x = vec![0.0f32; n * h];
        for (tokens, &start) in sequences.iter().zip(&starts) {
            for (i, &t) in tokens.iter().enumerate() {
                let row = &mut x[(start + i) * h..(start + i + 1) * h];
                let word = &self.word[t as usize * h..(t as usize + 1) * h];
                let pos = &self.position[(i + offset) * h..(i + offset + 1) * h];
                for j in 0..h {
                    row[j] = word[j] + pos[j] + self.token_type[j];
                }
            }
        }
        layer_norm(&mut x, h, &self.embed_norm, eps);

        let mut qkv = vec![0.0f32; n * 3 * h];
        let mut scores = vec![0.0f32; longest * longest];
        let mut context = vec![0.0f32; n * h];
        let mut projected = vec![0.0f32; n * h];
        let mut inter = vec![0.0f32; n * self.config.intermediate_size];
        let scale = 1.0 / (head_dim as f32).sqrt();
        for (l, layer) in self.layers.iter().enumerate() {
            observe(l, 0, &x);
            linear(&x, n, &layer.qkv, &mut qkv);
            for (tokens, &start) in sequences.iter().zip(&starts) {
                let len = tokens.len();
                if len == 0 {
                    continue;
                }
                let qkv = &qkv[start * 3 * h..(start + len) * 3 * h];
                let context = &mut context[start * h..(start + len) * h];
                let scores = &mut scores[..len * len];
                for head in 0..heads {
                    attention_head(qkv, context, scores, len, h, head * head_dim, head_dim, scale);
                }
            }
            observe(l, 1, &context);
            linear(&context, n, &layer.attn_out, &mut projected);
            add_in_place(&mut x, &projected);
            layer_norm(&mut x, h, &layer.attn_norm, eps);

            observe(l, 2, &x);
            linear(&x, n, &layer.intermediate, &mut inter);
            gelu(&mut inter, self.gelu_tanh);
            observe(l, 3, &inter);
            linear(&inter, n, &layer.output, &mut projected);
            add_in_place(&mut x, &projected);
            layer_norm(&mut x, h, &layer.out_norm, eps);
        }
        sequences.iter().zip(&starts).map(|(s, &start)| x[start * h..(start + s.len()) * h].to_vec()).collect()
    }
}

/// One attention head of one sequence of `n` tokens: `context[:, col..col + d]` =
/// softmax(Q·Kᵀ·scale)·V, with Q, K, V the head's columns of the fused `qkv` rows (3h wide).
#[allow(clippy::too_many_arguments)]
fn attention_head(
    qkv: &[f32],
    context: &mut [f32],
    scores: &mut [f32],
    n: usize,
    h: usize,
    col: usize,
    d: usize,
    scale: f32,
) {
    assert!(qkv.len() >= n * 3 * h && context.len() >= n * h && scores.len() >= n * n && col + d <= h);
    let (q, k, v) = (col, h + col, 2 * h + col);
    // scores = Q_h · K_hᵀ · scale
    // SAFETY: every index reached is < n·3h (qkv) or < n·n (scores), checked above.
    unsafe {
        gemm::gemm(
            n,
            n,
            d,
            scores.as_mut_ptr(),
            1,
            n as isize,
            false,
            qkv.as_ptr().add(q),
            1,
            (3 * h) as isize,
            qkv.as_ptr().add(k),
            (3 * h) as isize,
            1,
            0.0,
            scale,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
    softmax_rows(&mut scores[..n * n], n);
    // context_h = softmax(scores) · V_h
    // SAFETY: as above; context rows are h wide and the head's columns lie inside.
    unsafe {
        gemm::gemm(
            n,
            d,
            n,
            context.as_mut_ptr().add(col),
            1,
            h as isize,
            false,
            scores.as_ptr(),
            1,
            n as isize,
            qkv.as_ptr().add(v),
            1,
            (3 * h) as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

/// out = input · Wᵀ + b for `rows` rows.
fn linear(input: &[f32], rows: usize, layer: &Linear, out: &mut [f32]) {
    if let Some(q) = &layer.quantized {
        return q.forward(input, rows, &layer.bias, out);
    }
    let (k, m) = (layer.inputs, layer.outputs);
    assert!(input.len() >= rows * k && out.len() >= rows * m);
    for row in out[..rows * m].chunks_exact_mut(m) {
        row.copy_from_slice(&layer.bias);
    }
    // SAFETY: shapes checked above; W is [m, k] row-major, read as its transpose.
    unsafe {
        gemm::gemm(
            rows,
            m,
            k,
            out.as_mut_ptr(),
            1,
            m as isize,
            true,
            input.as_ptr(),
            1,
            k as isize,
            layer.weight.as_ptr(),
            k as isize,
            1,
            1.0,
            1.0,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

/// Defines a function whose body is compiled twice, for the baseline CPU and for AVX-512, and
/// runs the AVX-512 copy when the CPU has it: the element-wise loops (GELU, softmax, layer norm)
/// then use 16 lanes instead of the baseline's 4, with the same IEEE results (nothing fused or
/// reordered), so fp32 parity is untouched.
macro_rules! wide_fn {
    ($(#[$meta:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $body:block) => {
        $(#[$meta])*
        fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn plain($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw")]
                unsafe fn avx512($($arg: $ty),*) {
                    plain($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512bw") {
                    // SAFETY: the CPU has the features the copy is compiled for.
                    return unsafe { avx512($($arg),*) };
                }
            }
            plain($($arg),*)
        }
    };
}

wide_fn! {
    /// Softmax of each row of `n` scores.
    fn softmax_rows(scores: &mut [f32], n: usize) {
        scores.chunks_exact_mut(n).for_each(softmax)
    }
}

wide_fn! {
    /// GELU in place, exact (erf) or with PyTorch's tanh approximation.
    fn gelu(values: &mut [f32], tanh: bool) {
        if tanh {
            values.iter_mut().for_each(|v| *v = gelu_tanh(*v));
        } else {
            values.iter_mut().for_each(|v| *v = gelu_erf(*v));
        }
    }
}

fn add_in_place(x: &mut [f32], y: &[f32]) {
    x.iter_mut().zip(y).for_each(|(a, b)| *a += b);
}

wide_fn! {
    /// Layer normalisation of each row of `width` values.
    fn layer_norm(x: &mut [f32], width: usize, norm: &LayerNorm, eps: f32) {
        let mut centred = vec![0.0f32; width];
        for row in x.chunks_exact_mut(width) {
            let mean = sum_lanes(row) / width as f32;
            centred.iter_mut().zip(row.iter()).for_each(|(c, v)| *c = (v - mean) * (v - mean));
            let inv = 1.0 / (sum_lanes(&centred) / width as f32 + eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&norm.weight).zip(&norm.bias) {
                *v = (*v - mean) * inv * w + b;
            }
        }
    }
}

#[inline(always)]
fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    row.iter_mut().for_each(|v| *v = fast_exp(*v - max));
    let inv = 1.0 / sum_lanes(row);
    row.iter_mut().for_each(|v| *v *= inv);
}

/// Sum in eight independent lanes: a plain float sum is a serial chain the compiler may not
/// reorder, so it would not vectorise.
#[inline(always)]
fn sum_lanes(values: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let chunks = values.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (lane, v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// GELU with the exact error function, as PyTorch's default `gelu`.
#[inline(always)]
fn gelu_erf(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2))
}

#[inline(always)]
fn gelu_tanh(x: f32) -> f32 {
    const C: f32 = 0.797_884_6; // sqrt(2/π)
    0.5 * x * (1.0 + (C * (x + 0.044715 * x * x * x)).tanh())
}

/// Error function, Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_8 + t * (-1.453_152 + t * 1.061_405_4))));
    let y = 1.0 - poly * fast_exp(-a * a);
    y.copysign(x)
}

/// eˣ without a libm call, so loops over it vectorise: Cody-Waite reduction by ln 2 and the
/// Cephes `expf` polynomial (relative error about 1e-7). libm's exp took a sixth of the
/// encoder's time in softmax and GELU.
#[inline(always)]
fn fast_exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Adding and removing 1.5·2²³ rounds to the nearest integer with plain arithmetic.
    const SHIFTER: f32 = 12_582_912.0;
    // max/min rather than clamp: they map NaN to a bound, so every step below is defined for
    // any input (a NaN score yields a finite value here; NaN weights are caught on the output).
    #[allow(clippy::manual_clamp)]
    let x = x.max(-87.3).min(88.0);
    let shifted = x * LOG2E + SHIFTER;
    let n = shifted - SHIFTER;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.987_569_1e-4f32;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    // The rounded integer sits in the low mantissa bits of `shifted` (|n| ≤ 128 < 2²²).
    let exponent = (shifted.to_bits() as i32 - SHIFTER.to_bits() as i32) + 127;
    y * f32::from_bits((exponent as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        for (x, want) in [(0.0, 0.0), (0.5, 0.520_499_9), (1.0, 0.842_700_8), (-2.0, -0.995_322_3), (3.0, 0.999_977_9)]
        {
            assert!((erf(x) - want).abs() < 2e-7, "erf({x}) = {} want {want}", erf(x));
        }
    }

    #[test]
    fn fast_exp_is_defined_for_any_input() {
        assert!(fast_exp(f32::NAN).is_finite());
        assert_eq!(fast_exp(f32::NEG_INFINITY), fast_exp(-87.3));
        assert!(fast_exp(f32::INFINITY).is_finite());
    }

    #[test]
    fn an_odd_position_table_is_an_error() {
        let config: BertConfig = serde_json::from_str(
            r#"{"model_type": "xlm-roberta", "hidden_size": 4, "num_attention_heads": 1, "num_hidden_layers": 1,
                "intermediate_size": 4, "max_position_embeddings": 1, "pad_token_id": 1}"#,
        )
        .unwrap();
        assert!(config.max_tokens().unwrap_err().to_string().contains("max_position_embeddings"));
    }

    #[test]
    fn fast_exp_is_accurate() {
        for i in -800..=800 {
            let x = i as f32 * 0.1;
            let want = (x as f64).exp();
            let rel = ((fast_exp(x) as f64 - want) / want).abs();
            assert!(rel < 3e-7, "exp({x}): relative error {rel}");
        }
    }

    #[test]
    fn softmax_sums_to_one_and_is_stable() {
        let mut row = vec![1000.0, 1001.0, 999.0];
        softmax(&mut row);
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(row[1] > row[0] && row[0] > row[2]);
    }

    #[test]
    fn layer_norm_gives_zero_mean_unit_variance() {
        let norm = LayerNorm { weight: vec![1.0; 4], bias: vec![0.0; 4] };
        let mut x = vec![1.0, 2.0, 3.0, 4.0];
        layer_norm(&mut x, 4, &norm, 1e-12);
        assert!(x.iter().sum::<f32>().abs() < 1e-5);
        assert!((x.iter().map(|v| v * v).sum::<f32>() / 4.0 - 1.0).abs() < 1e-4);
    }

    #[test]
    fn linear_is_x_times_w_transposed_plus_b() {
        let layer = Linear {
            weight: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            bias: vec![0.5, -0.5],
            inputs: 3,
            outputs: 2,
            quantized: None,
        };
        let mut out = vec![0.0; 4];
        linear(&[1.0, 0.0, 1.0, 0.0, 1.0, 0.0], 2, &layer, &mut out);
        assert_eq!(out, vec![4.5, 9.5, 2.5, 4.5]);
    }
}
