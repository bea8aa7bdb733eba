//! The forward pass: embeddings, then per layer fused Q/K/V, attention per sequence and head,
//! and the feed-forward block, each sequence at its own length.

use gemm::Parallelism;

use super::ops::{add_in_place, gelu, layer_norm, softmax_rows};
use super::{Bert, Linear};

impl Bert {
    /// The forward pass, showing `observe` the input of each dense product (layer, product
    /// 0-3 as in [`Bert::quantize`], rows × inputs values).
    pub(super) fn run(&self, sequences: &[&[u32]], observe: &mut dyn FnMut(usize, usize, &[f32])) -> Vec<Vec<f32>> {
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
pub(in crate::embed) fn linear(input: &[f32], rows: usize, layer: &Linear, out: &mut [f32]) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
