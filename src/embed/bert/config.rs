//! The parts of a Hugging Face `config.json` the BERT-family encoder needs.

use std::path::Path;

use serde::Deserialize;

use crate::embed::error::ConfigProblem;
use crate::embed::EmbedError;

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
        serde_json::from_str(&text).map_err(|e| EmbedError::json(&path, e))
    }

    /// RoBERTa-style models number positions from `pad_token_id + 1`.
    pub(super) fn position_offset(&self) -> usize {
        match self.model_type.as_str() {
            "roberta" | "xlm-roberta" | "camembert" => self.pad_token_id + 1,
            _ => 0,
        }
    }

    /// Longest input (in tokens, specials included) the position table allows; an error for a
    /// configuration whose position table is smaller than its own offset.
    pub fn max_tokens(&self) -> Result<usize, EmbedError> {
        self.max_position_embeddings.checked_sub(self.position_offset()).filter(|&n| n > 0).ok_or_else(|| {
            // The configuration no longer knows its folder: the name is enough to find it.
            EmbedError::config(
                Path::new("config.json"),
                ConfigProblem::NoPositions {
                    positions: self.max_position_embeddings,
                    offset: self.position_offset(),
                    model_type: self.model_type.clone(),
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_odd_position_table_is_an_error() {
        let config: BertConfig = serde_json::from_str(
            r#"{"model_type": "xlm-roberta", "hidden_size": 4, "num_attention_heads": 1, "num_hidden_layers": 1,
                "intermediate_size": 4, "max_position_embeddings": 1, "pad_token_id": 1}"#,
        )
        .unwrap();
        assert!(config.max_tokens().unwrap_err().to_string().contains("max_position_embeddings"));
    }
}
