//! A BERT-family encoder (BERT, RoBERTa, XLM-R layouts) in plain Rust over `gemm`.
//!
//! Written here rather than taken from candle or rust-bert because those were measured at
//! 0.34-0.65x sentence-transformers' speed on this kind of machine (see docs/models.md): most of
//! their time went to per-op allocation and padding. This runs each sequence at its own length
//! (no padding, no attention mask needed), fuses Q/K/V into one matrix product, and uses gemm's
//! AVX-512 kernels; parallelism comes from running different sequences on different cores.

mod config;
mod forward;
mod ops;
mod weights;

use std::path::Path;

use safetensors::SafeTensors;
use tokenizers::Tokenizer;

pub use config::BertConfig;
pub(in crate::embed) use forward::linear;
pub(in crate::embed) use ops::layer_norm;
use weights::find_prefix;
pub(super) use weights::tensor_f32;
pub use weights::weight_prefix;
pub(in crate::embed) use weights::Weights;

use super::encoder::Encoder;
use super::error::ConfigProblem;
use super::int8::QuantizedLinear;
use super::model::ModelFiles;
use super::options::Precision;
use super::EmbedError;

/// Dense products per layer: Q/K/V, attention output, intermediate, output.
const PRODUCTS: usize = 4;

/// SmoothQuant's α: how much of an input channel's activation range moves into its weights.
/// SmoothQuant's 0.5 suited 8-bit weights; with the 7-bit weights of [`super::int8`] less
/// should move. On the reference texts (worst / mean cosine to sentence-transformers) 0.6 gave
/// 0.986 / 0.9963, 0.5 0.991 / 0.9972, 0.4 0.993 / 0.9978, 0.3 0.995 / 0.9979, 0.2 0.994 /
/// 0.9976, 0 0.990 / 0.9969 (each with the scales of [`super::int8`]'s clipping search).
const SMOOTHING: f32 = 0.3;

pub(in crate::embed) struct LayerNorm {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
}

/// A dense layer, weight stored as PyTorch does: `[out, in]`, row-major; in int8 precision its
/// product runs on the quantised copy instead.
pub(in crate::embed) struct Linear {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub inputs: usize,
    pub outputs: usize,
    pub quantized: Option<QuantizedLinear>,
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

impl Bert {
    /// Loads `config.json` and `model.safetensors` from a model folder.
    pub fn load(dir: &Path) -> Result<Bert, EmbedError> {
        let config_path = dir.join("config.json");
        let config = BertConfig::load(dir)?;
        let weights_path = dir.join("model.safetensors");
        let bytes = std::fs::read(&weights_path).map_err(|e| EmbedError::io(&weights_path, e))?;
        let tensors = SafeTensors::deserialize(&bytes).map_err(|e| EmbedError::safetensors(&weights_path, e))?;
        let prefix = find_prefix(|name| tensors.tensor(name).is_ok(), &weights_path)?;
        let w = Weights { tensors, prefix, file: &weights_path };
        let h = config.hidden_size;
        if !h.is_multiple_of(config.num_attention_heads) {
            let problem = ConfigProblem::Heads { hidden: h, heads: config.num_attention_heads };
            return Err(EmbedError::config(&config_path, problem));
        }
        let vocab = w.rows("embeddings.word_embeddings.weight")?;
        let types = w.rows("embeddings.token_type_embeddings.weight").unwrap_or(0);
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
            other => return Err(EmbedError::config(&config_path, ConfigProblem::Activation(other.to_string()))),
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

    /// Makes every dense layer's product run in int8 (the caller checks [`super::int8::available`]).
    /// Outlier channels (a few hidden dimensions carry values far larger than the rest) would
    /// swamp one scale per token, so, as in SmoothQuant, each input channel is first divided by
    /// (its activation range / its weight range)^[`SMOOTHING`] and its weights multiplied by
    /// the same; the activation ranges come from one fp32 pass over `calibration` (token ids of
    /// a sample text).
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
                            (range[j] / w).powf(SMOOTHING)
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

/// The native encoder of a transformer folder (see [`super::families`]), quantised on
/// [`CALIBRATION`] for int8.
pub(super) fn load(
    files: &ModelFiles,
    precision: Precision,
    tokenizer: &Tokenizer,
) -> Result<Box<dyn Encoder>, EmbedError> {
    let mut bert = Bert::load(&files.dir)?;
    if precision == Precision::Int8 {
        let calibration = tokenizer
            .encode(CALIBRATION, true)
            .map_err(|e| EmbedError::tokenizer(&files.dir.join("tokenizer.json"), e))?;
        bert.quantize(calibration.get_ids());
    }
    Ok(Box::new(bert))
}
