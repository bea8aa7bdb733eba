//! The element-wise steps of the forward pass (GELU, softmax, layer norm), vectorised without
//! changing their IEEE results.

use super::LayerNorm;

/// Defines a function whose body is compiled three times, for the baseline CPU (4 lanes), AVX2
/// (8) and AVX-512 (16, with the `avx512` feature), and runs the widest copy the CPU has: the
/// element-wise loops (GELU, softmax, layer norm) give the same IEEE results in each (nothing
/// fused or reordered: FMA is not enabled), so fp32 parity is untouched.
macro_rules! wide_fn {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) $body:block) => {
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn plain($($arg: $ty),*) $body
            #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
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
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) {
                    plain($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has the features the copy is compiled for.
                    return unsafe { avx2($($arg),*) };
                }
            }
            plain($($arg),*)
        }
    };
}

wide_fn! {
    /// Softmax of each row of `n` scores.
    pub(super) fn softmax_rows(scores: &mut [f32], n: usize) {
        // A loop, not `for_each(softmax)`: that left the rows to a generic fold the compiler
        // did not inline into this copy, so softmax ran 4 lanes wide on every CPU (a tenth of
        // an int8 pass on AVX2).
        for row in scores.chunks_exact_mut(n) {
            softmax(row);
        }
    }
}

wide_fn! {
    /// GELU in place, exact (erf) or with PyTorch's tanh approximation.
    pub(super) fn gelu(values: &mut [f32], tanh: bool) {
        if tanh {
            values.iter_mut().for_each(|v| *v = gelu_tanh(*v));
        } else {
            values.iter_mut().for_each(|v| *v = gelu_erf(*v));
        }
    }
}

pub(super) fn add_in_place(x: &mut [f32], y: &[f32]) {
    x.iter_mut().zip(y).for_each(|(a, b)| *a += b);
}

wide_fn! {
    /// Layer normalisation of each row of `width` values.
    pub(in crate::embed) fn layer_norm(x: &mut [f32], width: usize, norm: &LayerNorm, eps: f32) {
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
}
