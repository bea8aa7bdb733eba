//! multilingual-e5-small, assembled from PyPI wheels by themescope itself: its vectors equal a
//! straightforward reference computation on the same folder, the folder's "query: " prompt is
//! honoured, and the same sentence in three languages lands in the same place.

mod common;

use std::path::Path;

use common::cosine;
use safetensors::SafeTensors;
use themescope::embed::{model, Backend, Coverage, Embedder, Precision};

/// A BERT forward pass written plainly (f64, loops, no batching), as in the paper and
/// Hugging Face's `BertModel`: embeddings + LayerNorm, then per layer self-attention and
/// feed-forward with residual LayerNorms; mean pooling; L2 normalisation.
struct Reference {
    tensors: std::collections::HashMap<String, (Vec<usize>, Vec<f64>)>,
    heads: usize,
    layers: usize,
    eps: f64,
}

impl Reference {
    fn load(dir: &Path) -> Reference {
        let config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
        let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
        let st = SafeTensors::deserialize(&bytes).unwrap();
        let tensors = st
            .tensors()
            .into_iter()
            .map(|(name, view)| {
                let values: Vec<f64> = match view.dtype() {
                    safetensors::Dtype::F32 => {
                        view.data().chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap()) as f64).collect()
                    }
                    safetensors::Dtype::F16 => view
                        .data()
                        .chunks_exact(2)
                        .map(|b| half::f16::from_le_bytes(b.try_into().unwrap()).to_f64())
                        .collect(),
                    other => panic!("{other:?}"),
                };
                (name, (view.shape().to_vec(), values))
            })
            .collect();
        Reference {
            tensors,
            heads: config["num_attention_heads"].as_u64().unwrap() as usize,
            layers: config["num_hidden_layers"].as_u64().unwrap() as usize,
            eps: config["layer_norm_eps"].as_f64().unwrap(),
        }
    }

    fn t(&self, name: &str) -> &[f64] {
        &self.tensors[name].1
    }

    /// x · Wᵀ + b for a [n, in] x and an [out, in] W.
    fn dense(&self, x: &[Vec<f64>], name: &str) -> Vec<Vec<f64>> {
        let (shape, w) = &self.tensors[&format!("{name}.weight")];
        let b = self.t(&format!("{name}.bias"));
        let (out, inp) = (shape[0], shape[1]);
        x.iter()
            .map(|row| (0..out).map(|o| b[o] + (0..inp).map(|i| row[i] * w[o * inp + i]).sum::<f64>()).collect())
            .collect()
    }

    fn layer_norm(&self, x: &mut [Vec<f64>], name: &str) {
        let (w, b) = (self.t(&format!("{name}.weight")), self.t(&format!("{name}.bias")));
        for row in x.iter_mut() {
            let mean = row.iter().sum::<f64>() / row.len() as f64;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / row.len() as f64;
            for (i, v) in row.iter_mut().enumerate() {
                *v = (*v - mean) / (var + self.eps).sqrt() * w[i] + b[i];
            }
        }
    }

    fn embed(&self, ids: &[u32]) -> Vec<f64> {
        let h = self.tensors["embeddings.word_embeddings.weight"].0[1];
        let (word, pos, typ) = (
            self.t("embeddings.word_embeddings.weight"),
            self.t("embeddings.position_embeddings.weight"),
            self.t("embeddings.token_type_embeddings.weight"),
        );
        let mut x: Vec<Vec<f64>> = ids
            .iter()
            .enumerate()
            .map(|(p, &id)| (0..h).map(|j| word[id as usize * h + j] + pos[p * h + j] + typ[j]).collect())
            .collect();
        self.layer_norm(&mut x, "embeddings.LayerNorm");
        let d = h / self.heads;
        for l in 0..self.layers {
            let p = format!("encoder.layer.{l}");
            let q = self.dense(&x, &format!("{p}.attention.self.query"));
            let k = self.dense(&x, &format!("{p}.attention.self.key"));
            let v = self.dense(&x, &format!("{p}.attention.self.value"));
            let mut context = vec![vec![0.0; h]; x.len()];
            for head in 0..self.heads {
                let r = head * d..(head + 1) * d;
                for i in 0..x.len() {
                    let scores: Vec<f64> = (0..x.len())
                        .map(|j| r.clone().map(|c| q[i][c] * k[j][c]).sum::<f64>() / (d as f64).sqrt())
                        .collect();
                    let max = scores.iter().cloned().fold(f64::MIN, f64::max);
                    let exp: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
                    let total: f64 = exp.iter().sum();
                    for c in r.clone() {
                        context[i][c] = (0..x.len()).map(|j| exp[j] / total * v[j][c]).sum();
                    }
                }
            }
            let attention = self.dense(&context, &format!("{p}.attention.output.dense"));
            x.iter_mut().zip(&attention).for_each(|(a, b)| a.iter_mut().zip(b).for_each(|(a, b)| *a += b));
            self.layer_norm(&mut x, &format!("{p}.attention.output.LayerNorm"));
            let mut mid = self.dense(&x, &format!("{p}.intermediate.dense"));
            for v in mid.iter_mut().flatten() {
                *v = 0.5 * *v * (1.0 + erf(*v / std::f64::consts::SQRT_2));
            }
            let out = self.dense(&mid, &format!("{p}.output.dense"));
            x.iter_mut().zip(&out).for_each(|(a, b)| a.iter_mut().zip(b).for_each(|(a, b)| *a += b));
            self.layer_norm(&mut x, &format!("{p}.output.LayerNorm"));
        }
        let mut mean: Vec<f64> = (0..h).map(|j| x.iter().map(|r| r[j]).sum::<f64>() / x.len() as f64).collect();
        let norm = mean.iter().map(|v| v * v).sum::<f64>().sqrt();
        mean.iter_mut().for_each(|v| *v /= norm);
        mean
    }
}

/// Error function to double precision (Abramowitz & Stegun 7.1.26 is not enough here): the
/// series for small x, the continued fraction's complement for large.
fn erf(x: f64) -> f64 {
    if x.abs() > 3.0 {
        return x.signum() * (1.0 - erfc_large(x.abs()));
    }
    let (mut term, mut sum, mut n) = (x, x, 0.0);
    while term.abs() > 1e-17 {
        n += 1.0;
        term *= -x * x / n;
        sum += term / (2.0 * n + 1.0);
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}

fn erfc_large(x: f64) -> f64 {
    let mut f = 0.0;
    for k in (1..60).rev() {
        f = k as f64 / 2.0 / (x + f);
    }
    (-x * x).exp() / (x + f) / std::f64::consts::PI.sqrt()
}

#[test]
fn assembled_e5_matches_a_reference_computation_and_reads_across_languages() {
    let files = model::locate(Some("multilingual-e5-small")).expect("assembled from PyPI wheels");
    assert_eq!(files.prompt, "query: ", "the folder's default prompt");
    assert!(files.multilingual, "the folder says the model is multilingual");
    let dir = files.dir.clone();
    let embedder = Embedder::from_files(files, Backend::Native, Precision::Fp32).unwrap();
    let reference = Reference::load(&dir);
    let tokenizer = tokenizers::Tokenizer::from_file(dir.join("tokenizer.json")).unwrap();
    let texts = [
        "waste management and recycling of plastic in cities",
        "gestión de residuos y reciclaje de plástico en las ciudades",
        "gestion des déchets et recyclage du plastique dans les villes",
        "the football team won the cup final",
    ];
    let ours = embedder.embed_texts(&texts, Coverage::FirstWindow, &indicatif::ProgressBar::hidden()).unwrap();
    for (text, row) in texts.iter().zip(ours.rows()) {
        let ids = tokenizer.encode(format!("query: {text}"), true).unwrap().get_ids().to_vec();
        assert_eq!(ids.first(), Some(&0), "<s> first");
        let expected = reference.embed(&ids);
        let cos = cosine(&expected, row.as_slice().unwrap());
        assert!(cos > 0.9999, "{text}: cosine {cos} to the reference");
    }
    let sim = |a: usize, b: usize| ours.row(a).dot(&ours.row(b));
    for (a, b) in [(0, 1), (0, 2), (1, 2)] {
        assert!(sim(a, b) > 0.88, "{} ~ {}: {}", texts[a], texts[b], sim(a, b));
        assert!(sim(a, b) > sim(a, 3) + 0.1, "the same subject across languages is closer than another subject");
    }
}
