//! Reading a BERT-family checkpoint's tensors from safetensors, whatever prefix its names carry.

use std::path::Path;

use safetensors::{Dtype, SafeTensors};

use super::{LayerNorm, Linear};
use crate::embed::error::{ConfigProblem, TensorProblem};
use crate::embed::EmbedError;

/// Checkpoints name their tensors with or without the architecture's prefix.
pub(super) fn find_prefix(has: impl Fn(&str) -> bool, file: &Path) -> Result<&'static str, EmbedError> {
    ["", "bert.", "roberta.", "model."]
        .into_iter()
        .find(|p| has(&format!("{p}embeddings.word_embeddings.weight")))
        .ok_or_else(|| EmbedError::config(file, ConfigProblem::NotBertFamily))
}

/// The tensor-name prefix of a safetensors file, read from its header alone (the header is a
/// little-endian length followed by a JSON object keyed by tensor name).
pub fn weight_prefix(path: &Path) -> Result<&'static str, EmbedError> {
    let mut file = std::fs::File::open(path).map_err(|e| EmbedError::io(path, e))?;
    let mut len = [0u8; 8];
    std::io::Read::read_exact(&mut file, &mut len).map_err(|e| EmbedError::io(path, e))?;
    let len = u64::from_le_bytes(len);
    if len > 100 << 20 {
        return Err(EmbedError::config(path, ConfigProblem::HeaderTooLarge));
    }
    let mut header = vec![0u8; len as usize];
    std::io::Read::read_exact(&mut file, &mut header).map_err(|e| EmbedError::io(path, e))?;
    let names: std::collections::HashMap<String, serde::de::IgnoredAny> =
        serde_json::from_slice(&header).map_err(|e| EmbedError::config(path, ConfigProblem::NotSafetensors(e)))?;
    find_prefix(|name| names.contains_key(name), path)
}

/// A safetensors tensor's values as f32 (stored as F32, F16 or BF16); any other dtype is
/// returned as the error.
pub(in crate::embed) fn tensor_f32(view: &safetensors::tensor::TensorView) -> Result<Vec<f32>, Dtype> {
    let data = view.data();
    match view.dtype() {
        Dtype::F32 => Ok(data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()),
        Dtype::F16 => Ok(data.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect()),
        Dtype::BF16 => Ok(data.chunks_exact(2).map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()).collect()),
        other => Err(other),
    }
}

/// A checkpoint's tensors under the prefix its names carry.
pub(in crate::embed) struct Weights<'a> {
    pub tensors: SafeTensors<'a>,
    pub prefix: &'static str,
    pub file: &'a Path,
}

impl Weights<'_> {
    /// The first dimension of a tensor, read from its header.
    pub fn rows(&self, name: &str) -> Result<usize, EmbedError> {
        let full = format!("{}{name}", self.prefix);
        let view =
            self.tensors.tensor(&full).map_err(|e| EmbedError::tensor(self.file, &full, TensorProblem::Missing(e)))?;
        view.shape().first().copied().ok_or_else(|| {
            EmbedError::tensor(self.file, &full, TensorProblem::Shape { found: vec![], expected: "[rows, …]".into() })
        })
    }

    pub fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, EmbedError> {
        let full = format!("{}{name}", self.prefix);
        let bad = |problem| EmbedError::tensor(self.file, &full, problem);
        let view = self.tensors.tensor(&full).map_err(|e| bad(TensorProblem::Missing(e)))?;
        if view.shape() != shape {
            return Err(bad(TensorProblem::Shape { found: view.shape().to_vec(), expected: format!("{shape:?}") }));
        }
        tensor_f32(&view).map_err(|other| bad(TensorProblem::Dtype(other)))
    }

    pub fn linear(&self, name: &str, outputs: usize, inputs: usize) -> Result<Linear, EmbedError> {
        Ok(Linear {
            weight: self.get(&format!("{name}.weight"), &[outputs, inputs])?,
            bias: self.get(&format!("{name}.bias"), &[outputs])?,
            inputs,
            outputs,
            quantized: None,
        })
    }

    pub fn norm(&self, name: &str, size: usize) -> Result<LayerNorm, EmbedError> {
        Ok(LayerNorm {
            weight: self.get(&format!("{name}.weight"), &[size])?,
            bias: self.get(&format!("{name}.bias"), &[size])?,
        })
    }
}
