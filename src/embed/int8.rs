//! int8 matrix products ([`super::Precision::Int8`]) on AVX-512 VNNI.
//!
//! Weights are quantised once per output row (symmetric, scale = max |w| / 127) and activations
//! per input row as they come (asymmetric, dynamic: the row's range onto 0..=255 with a zero
//! point, which suits `vpdpbusd`'s unsigned × signed bytes and spends no levels on values GELU
//! never gives). The zero point is taken back with each output row's weight sum. No crate
//! offers this kernel for our layout (gemm's int8 path has no VNNI kernel), hence the
//! hand-written one; the fp32 path stays the exact default.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Outputs per vector register: 16 i32 lanes.
const LANES: usize = 16;
/// The micro-kernel's tile: 4 input rows × 4 registers of outputs (16 accumulators).
const ROWS: usize = 4;
const BLOCKS: usize = 4;

/// Whether this CPU runs the int8 kernel.
pub fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vnni")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// A dense layer's weight `[outputs, inputs]` in int8, packed for the kernel: for each block of
/// 16 outputs and each group of 4 inputs, 64 bytes (output-major, 4 inputs each).
pub struct QuantizedLinear {
    packed: Vec<i8>,
    /// Per output: the dequantisation scale and the sum of its quantised weights.
    scales: Vec<f32>,
    sums: Vec<i32>,
    /// Per input channel: 1 / its smoothing factor.
    unsmooth: Vec<f32>,
    inputs: usize,
    outputs: usize,
    /// Inputs rounded up to a multiple of 4, outputs to a multiple of 16 × BLOCKS.
    k4: usize,
    out_blocks: usize,
}

impl QuantizedLinear {
    /// Quantises a row-major `[outputs, inputs]` weight whose input channels are smoothed:
    /// channel j's weights are multiplied by `smooth[j]`, its inputs divided by it.
    pub fn new(weight: &[f32], outputs: usize, inputs: usize, smooth: &[f32]) -> QuantizedLinear {
        assert_eq!(weight.len(), outputs * inputs);
        assert_eq!(smooth.len(), inputs);
        let k4 = inputs.div_ceil(4);
        let out_blocks = outputs.div_ceil(LANES * BLOCKS) * BLOCKS;
        let mut packed = vec![0i8; out_blocks * k4 * LANES * 4];
        let mut scales = vec![0.0f32; outputs];
        let mut sums = vec![0i32; outputs];
        for o in 0..outputs {
            let row: Vec<f32> = weight[o * inputs..(o + 1) * inputs].iter().zip(smooth).map(|(w, s)| w * s).collect();
            let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
            let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
            scales[o] = scale;
            let (block, lane) = (o / LANES, o % LANES);
            let mut sum = 0i32;
            for (i, &w) in row.iter().enumerate() {
                let q = (w / scale).round().clamp(-127.0, 127.0) as i8;
                sum += q as i32;
                packed[((block * k4 + i / 4) * LANES + lane) * 4 + i % 4] = q;
            }
            sums[o] = sum;
        }
        let unsmooth = smooth.iter().map(|s| 1.0 / s).collect();
        QuantizedLinear { packed, scales, sums, unsmooth, inputs, outputs, k4, out_blocks }
    }

    /// out = input · Wᵀ + bias for `rows` rows of `inputs` values.
    ///
    /// # Panics
    /// When the CPU lacks AVX-512 VNNI ([`available`] is false): callers choose int8 only then.
    pub fn forward(&self, input: &[f32], rows: usize, bias: &[f32], out: &mut [f32]) {
        assert!(available(), "the int8 kernel needs AVX-512 VNNI");
        assert!(input.len() >= rows * self.inputs && out.len() >= rows * self.outputs && bias.len() == self.outputs);
        // SAFETY: the CPU has the instructions (checked above); every index stays inside the
        // padded buffers built by `new` and `quantise_rows`, and the shapes are checked above.
        unsafe { self.forward_vnni(input, rows, bias, out) }
    }

    /// Rows of `input` as u8 (value / scale + zero point), padded to whole tiles (with the
    /// zero point: padding adds nothing), with each row's scale and zero point. Inlined into
    /// the AVX-512 code, where its loops vectorise.
    #[inline(always)]
    fn quantise_rows(&self, input: &[f32], rows: usize) -> (Vec<u8>, Vec<(f32, i32)>) {
        let width = self.k4 * 4;
        let padded_rows = rows.div_ceil(ROWS) * ROWS;
        let mut a = vec![0u8; padded_rows * width];
        let mut params = vec![(1.0f32, 0i32); padded_rows];
        for r in 0..rows {
            let row = &input[r * self.inputs..(r + 1) * self.inputs];
            // The range always holds 0, so that 0 (and the padding) is exact.
            let (mut lo, mut hi) = (0.0f32, 0.0f32);
            for (x, u) in row.iter().zip(&self.unsmooth) {
                lo = lo.min(x * u);
                hi = hi.max(x * u);
            }
            let scale = if hi > lo { (hi - lo) / 255.0 } else { 1.0 };
            let zero = (-lo / scale + 0.5).floor().clamp(0.0, 255.0);
            params[r] = (scale, zero as i32);
            let inv = 1.0 / scale;
            let out = &mut a[r * width..(r + 1) * width];
            // x·inv + zero is within [-0.5, 255.5]: adding ½ and truncating rounds it.
            for ((q, x), u) in out[..self.inputs].iter_mut().zip(row).zip(&self.unsmooth) {
                *q = (x * u * inv + zero + 0.5).clamp(0.0, 255.0) as u8;
            }
            out[self.inputs..].fill(zero as u8);
        }
        (a, params)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn forward_vnni(&self, input: &[f32], rows: usize, bias: &[f32], out: &mut [f32]) {
        let (a, a_params) = self.quantise_rows(input, rows);
        let width = self.k4 * 4;
        let block_bytes = self.k4 * LANES * 4;
        for group in (0..self.out_blocks).step_by(BLOCKS) {
            for r0 in (0..rows).step_by(ROWS) {
                let mut acc = [[_mm512_setzero_si512(); BLOCKS]; ROWS];
                for kb in 0..self.k4 {
                    let mut w = [_mm512_setzero_si512(); BLOCKS];
                    for (j, wj) in w.iter_mut().enumerate() {
                        let at = (group + j) * block_bytes + kb * LANES * 4;
                        *wj = _mm512_loadu_si512(self.packed.as_ptr().add(at).cast());
                    }
                    for (r, acc_r) in acc.iter_mut().enumerate() {
                        let four = (a.as_ptr().add((r0 + r) * width + kb * 4) as *const i32).read_unaligned();
                        let x = _mm512_set1_epi32(four);
                        for (acc_rj, wj) in acc_r.iter_mut().zip(&w) {
                            *acc_rj = _mm512_dpbusd_epi32(*acc_rj, x, *wj);
                        }
                    }
                }
                // out = (acc − zero·Σw) · row scale · output scale + bias, 16 outputs at a time.
                for (j, first) in (0..BLOCKS).map(|j| (j, (group + j) * LANES)) {
                    if first >= self.outputs {
                        break;
                    }
                    let mask: __mmask16 =
                        if first + LANES <= self.outputs { 0xFFFF } else { (1u16 << (self.outputs - first)) - 1 };
                    let sums = _mm512_maskz_loadu_epi32(mask, self.sums.as_ptr().add(first));
                    let scales = _mm512_maskz_loadu_ps(mask, self.scales.as_ptr().add(first));
                    let bias = _mm512_maskz_loadu_ps(mask, bias.as_ptr().add(first));
                    for (r, acc_r) in acc.iter().enumerate().take(rows - r0) {
                        let row = r0 + r;
                        let (a_scale, zero) = a_params[row];
                        let exact = _mm512_sub_epi32(acc_r[j], _mm512_mullo_epi32(_mm512_set1_epi32(zero), sums));
                        let scaled = _mm512_mul_ps(_mm512_cvtepi32_ps(exact), _mm512_set1_ps(a_scale));
                        let y = _mm512_add_ps(_mm512_mul_ps(scaled, scales), bias);
                        _mm512_mask_storeu_ps(out.as_mut_ptr().add(row * self.outputs + first), mask, y);
                    }
                }
            }
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    unsafe fn forward_vnni(&self, _: &[f32], _: usize, _: &[f32], _: &mut [f32]) {
        unreachable!("available() is false off x86-64")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kernel against the same quantised arithmetic done plainly, on shapes with tails in
    /// every dimension; and close to the fp32 product.
    #[test]
    fn int8_product_matches_plain_quantised_arithmetic() {
        if !available() {
            println!("SKIP: this CPU lacks AVX-512 VNNI");
            return;
        }
        let (rows, inputs, outputs) = (7, 45, 83);
        let value = |i: usize| ((i * 7919 % 1000) as f32 / 500.0 - 1.0) * if i.is_multiple_of(13) { 4.0 } else { 1.0 };
        let weight: Vec<f32> = (0..outputs * inputs).map(value).collect();
        let input: Vec<f32> = (0..rows * inputs).map(|i| value(i + 17)).collect();
        let bias: Vec<f32> = (0..outputs).map(|o| o as f32 / 100.0).collect();
        let smooth: Vec<f32> = (0..inputs).map(|j| 0.5 + (j % 5) as f32 / 4.0).collect();
        let q = QuantizedLinear::new(&weight, outputs, inputs, &smooth);
        let mut out = vec![0.0f32; rows * outputs];
        q.forward(&input, rows, &bias, &mut out);
        let (a, a_params) = q.quantise_rows(&input, rows);
        for r in 0..rows {
            for o in 0..outputs {
                let w_row = &weight[o * inputs..(o + 1) * inputs];
                let w_scale = q.scales[o];
                let plain: i32 = (0..inputs)
                    .map(|i| {
                        let qw = (w_row[i] * smooth[i] / w_scale).round().clamp(-127.0, 127.0) as i32;
                        (a[r * q.k4 * 4 + i] as i32 - a_params[r].1) * qw
                    })
                    .sum();
                let expected = plain as f32 * a_params[r].0 * w_scale + bias[o];
                let got = out[r * outputs + o];
                assert!(
                    (got - expected).abs() <= 1e-4 * expected.abs().max(1.0),
                    "row {r} output {o}: {got} vs {expected}"
                );
                let exact: f32 = (0..inputs).map(|i| input[r * inputs + i] * w_row[i]).sum::<f32>() + bias[o];
                let magnitude: f32 = (0..inputs).map(|i| (input[r * inputs + i] * w_row[i]).abs()).sum();
                assert!((got - exact).abs() < 0.03 * magnitude, "row {r} output {o}: {got} vs fp32 {exact}");
            }
        }
    }
}
