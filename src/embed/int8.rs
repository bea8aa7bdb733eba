//! int8 matrix products ([`super::Precision::Int8`]) on AVX-512 VNNI, AVX-VNNI or AVX2.
//!
//! Weights are quantised once per output row (symmetric, 7 bits: scale = max |w| / 63, see
//! [`WEIGHT_LEVELS`]) and activations per input row as they come (asymmetric, dynamic: the
//! row's range onto 0..=255 with a zero point, which suits `vpdpbusd`'s unsigned × signed bytes
//! and spends no levels on values GELU never gives). The zero point is taken back with each
//! output row's weight sum. No crate offers this kernel for our layout (gemm's int8 path has no
//! VNNI kernel), hence the hand-written ones; the fp32 path stays the exact default.
//!
//! Every kernel computes the same integer sums, so a text's vectors do not depend on which one
//! the CPU runs (see [`Kernel`]).

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Names the kernel to use instead of the best one the CPU runs (so that tests reach each).
pub const KERNEL_VAR: &str = "THEMESCOPE_INT8_KERNEL";

/// Quantised weights lie in −63..=63. With 8-bit activations (0..=255) a pair of products is at
/// most 2 · 255 · 63 = 32,130, inside `vpmaddubsw`'s saturating i16, so the AVX2 kernel's sums are
/// exact and equal the VNNI kernels'. 127 levels would let AVX2 saturate; measured on the
/// reference texts 8-bit weights gave a worst / mean cosine to sentence-transformers of
/// 0.9963 / 0.9989, these 0.9947 / 0.9979 (with [`row_scale`] and the smoothing of
/// `bert::SMOOTHING`), and on a Zen 3 the AVX2 kernel's products ran 1.3-1.7× faster
/// (embedding 5,300 → 7,400 tokens/s).
const WEIGHT_LEVELS: f32 = 63.0;

/// What a change of the quantisation scheme changes in the model id, so that vectors cached
/// under an earlier scheme are not taken for this one's.
pub const SCHEME: &str = "w7";

/// The AVX-512 kernel's outputs per register (16 i32 lanes) and its tile: 4 input rows × 4
/// registers of outputs (16 accumulators).
const LANES: usize = 16;
const ROWS: usize = 4;
const BLOCKS: usize = 4;
/// The AVX2 and AVX-VNNI kernels': 8 i32 lanes, 4 rows × 2 registers (8 accumulators). 12 accumulators
/// (4 × 3 or 6 × 2) leave too few of the 16 ymm registers for the weights, the broadcast row
/// and the product: one accumulator then lives on the stack, and the loop runs at 2/3 the speed.
const AVX2_LANES: usize = 8;
const AVX2_ROWS: usize = 4;
const AVX2_BLOCKS: usize = 2;

/// An int8 matrix-product kernel, by the instructions it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// `vpdpbusd` on 512-bit registers: 64 u8 × i8 products per instruction.
    Avx512Vnni,
    /// The same `vpdpbusd` on 256-bit registers (AVX-VNNI: Intel's 12th generation and later,
    /// AMD's Zen 5): 32 products per instruction, the same sums.
    AvxVnni,
    /// `vpmaddubsw` (u8 × i8 products added in pairs into i16, which 7-bit weights keep from
    /// saturating) and `vpmaddwd` by ones (the pairs added into i32): the VNNI kernels' sums in
    /// two multiplies per 32 products, on the same packed bytes.
    Avx2,
}

impl Kernel {
    /// Best first.
    pub const ALL: [Kernel; 3] = [Kernel::Avx512Vnni, Kernel::AvxVnni, Kernel::Avx2];

    pub fn name(self) -> &'static str {
        match self {
            Kernel::Avx512Vnni => "int8 AVX-512 VNNI",
            Kernel::AvxVnni => "int8 AVX-VNNI",
            Kernel::Avx2 => "int8 AVX2",
        }
    }

    /// The name [`KERNEL_VAR`] takes.
    pub fn id(self) -> &'static str {
        match self {
            Kernel::Avx512Vnni => "avx512vnni",
            Kernel::AvxVnni => "avxvnni",
            Kernel::Avx2 => "avx2",
        }
    }

    /// Whether this CPU has the kernel's instructions.
    pub fn supported(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            match self {
                Kernel::Avx512Vnni => {
                    std::arch::is_x86_feature_detected!("avx512f")
                        && std::arch::is_x86_feature_detected!("avx512bw")
                        && std::arch::is_x86_feature_detected!("avx512vnni")
                }
                Kernel::AvxVnni => {
                    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("avxvnni")
                }
                Kernel::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// The best kernel this CPU runs.
    pub fn detect() -> Option<Kernel> {
        Kernel::ALL.into_iter().find(|k| k.supported())
    }

    /// The kernel [`KERNEL_VAR`] names, else the best this CPU runs; an unknown name, a kernel
    /// this CPU lacks and a CPU without any are errors.
    pub fn chosen() -> Result<Kernel, String> {
        let forced = std::env::var_os(KERNEL_VAR).map(|v| v.to_string_lossy().into_owned());
        Kernel::choose(forced.as_deref().filter(|name| !name.is_empty()))
    }

    fn choose(forced: Option<&str>) -> Result<Kernel, String> {
        let Some(name) = forced else {
            return Kernel::detect().ok_or_else(|| "this CPU has no int8 kernel (it needs AVX2)".to_string());
        };
        let ids: Vec<&str> = Kernel::ALL.iter().map(|k| k.id()).collect();
        let kernel = Kernel::ALL
            .into_iter()
            .find(|k| k.id() == name)
            .ok_or_else(|| format!("{KERNEL_VAR}={name:?} is no int8 kernel: {}", ids.join(" or ")))?;
        if kernel.supported() {
            Ok(kernel)
        } else {
            Err(format!("{KERNEL_VAR}={name}: this CPU lacks the instructions of {}", kernel.name()))
        }
    }
}

/// Whether this CPU runs some int8 kernel.
pub fn available() -> bool {
    Kernel::detect().is_some()
}

/// Packs row-major quantised weights `[outputs, inputs]` for a kernel with `lanes` i32 outputs
/// per register: for each of `blocks` blocks of `lanes` outputs and each group of 4 inputs
/// (over `width`, the padded inputs), the group's inputs of each output in turn.
fn pack(q: &[i8], inputs: usize, width: usize, lanes: usize, blocks: usize) -> Vec<i8> {
    let groups = width / 4;
    let mut packed = vec![0i8; blocks * groups * lanes * 4];
    for (o, row) in q.chunks_exact(inputs).enumerate() {
        let (block, lane) = (o / lanes, o % lanes);
        for (i, &w) in row.iter().enumerate() {
            packed[((block * groups + i / 4) * lanes + lane) * 4 + i % 4] = w;
        }
    }
    packed
}

/// One kernel's `vpdpbusd` (u8 × i8 products summed in fours into i32 lanes), for the tile loop
/// all kernels share. Its methods are inlined into each kernel, whose target features then
/// cover the instructions.
#[cfg(target_arch = "x86_64")]
trait Dpbusd: Copy {
    /// i32 lanes per register.
    const LANES: usize;
    unsafe fn zero() -> Self;
    unsafe fn load(from: *const i8) -> Self;
    unsafe fn splat(four: i32) -> Self;
    unsafe fn dpbusd(self, x: Self, w: Self) -> Self;
}

/// AVX2's `vpdpbusd`, in three instructions: two multiplies and an add (see [`Kernel::Avx2`]).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Maddubs(__m256i);

#[cfg(target_arch = "x86_64")]
impl Dpbusd for __m512i {
    const LANES: usize = LANES;
    #[inline(always)]
    unsafe fn zero() -> Self {
        _mm512_setzero_si512()
    }
    #[inline(always)]
    unsafe fn load(from: *const i8) -> Self {
        _mm512_loadu_si512(from.cast())
    }
    #[inline(always)]
    unsafe fn splat(four: i32) -> Self {
        _mm512_set1_epi32(four)
    }
    #[inline(always)]
    unsafe fn dpbusd(self, x: Self, w: Self) -> Self {
        _mm512_dpbusd_epi32(self, x, w)
    }
}

#[cfg(target_arch = "x86_64")]
impl Dpbusd for __m256i {
    const LANES: usize = AVX2_LANES;
    #[inline(always)]
    unsafe fn zero() -> Self {
        _mm256_setzero_si256()
    }
    #[inline(always)]
    unsafe fn load(from: *const i8) -> Self {
        _mm256_loadu_si256(from.cast())
    }
    #[inline(always)]
    unsafe fn splat(four: i32) -> Self {
        _mm256_set1_epi32(four)
    }
    #[inline(always)]
    unsafe fn dpbusd(self, x: Self, w: Self) -> Self {
        _mm256_dpbusd_avx_epi32(self, x, w)
    }
}

#[cfg(target_arch = "x86_64")]
impl Dpbusd for Maddubs {
    const LANES: usize = AVX2_LANES;
    #[inline(always)]
    unsafe fn zero() -> Self {
        Maddubs(__m256i::zero())
    }
    #[inline(always)]
    unsafe fn load(from: *const i8) -> Self {
        Maddubs(__m256i::load(from))
    }
    #[inline(always)]
    unsafe fn splat(four: i32) -> Self {
        Maddubs(__m256i::splat(four))
    }
    #[inline(always)]
    unsafe fn dpbusd(self, x: Self, w: Self) -> Self {
        let pairs = _mm256_maddubs_epi16(x.0, w.0);
        Maddubs(_mm256_add_epi32(self.0, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1))))
    }
}

/// The sums of one tile: `R` input rows from `r0` (quantised, `k4 × 4` wide) against the
/// `B` blocks of outputs from block `group`, over all inputs four at a time.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn dpbusd_tile<D: Dpbusd, const B: usize, const R: usize>(
    packed: &[i8],
    a: &[u8],
    k4: usize,
    group: usize,
    r0: usize,
) -> [[D; B]; R] {
    let width = k4 * 4;
    let block_bytes = k4 * D::LANES * 4;
    let mut acc = [[D::zero(); B]; R];
    for kb in 0..k4 {
        let mut w = [D::zero(); B];
        for (j, wj) in w.iter_mut().enumerate() {
            *wj = D::load(packed.as_ptr().add((group + j) * block_bytes + kb * D::LANES * 4));
        }
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let x = D::splat((a.as_ptr().add((r0 + r) * width + kb * 4) as *const i32).read_unaligned());
            for (acc_rj, wj) in acc_r.iter_mut().zip(&w) {
                *acc_rj = acc_rj.dpbusd(x, *wj);
            }
        }
    }
    acc
}

/// A weight's level at 1 / `inv_scale`, in −63..=63, rounded to nearest (ties to even). Adding
/// and taking off 1.5 · 2²³ rounds any |x| ≤ 2²² so in f32 arithmetic: `round_ties_even` is a
/// call to `rintf` on the baseline x86-64 target, which made the scale search take 2 s.
#[inline(always)]
fn weight_level(w: f32, inv_scale: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0;
    ((w * inv_scale).clamp(-WEIGHT_LEVELS, WEIGHT_LEVELS) + ROUND) - ROUND
}

/// The scale of one output row's weights: of max |w| / 63 and the scales that clip the largest
/// weights by up to 40%, the one whose rounding loses least (squared error). With 63 levels one
/// large weight would coarsen all the row's others; clipping it trades its error for theirs, as
/// llama.cpp's quantisers search their scales. On the reference texts it raised the worst cosine
/// to sentence-transformers from 0.993 to 0.995.
fn row_scale(row: &[f32]) -> f32 {
    let max = row.iter().fold(0.0f32, |m, w| m.max(w.abs()));
    if max == 0.0 {
        return 1.0;
    }
    // Eight partial sums: one would be a chain of dependent additions, which the compiler
    // keeps in order.
    let loss = |scale: f32| -> f32 {
        let inv = 1.0 / scale;
        let error = |w: f32| (w - weight_level(w, inv) * scale).powi(2);
        let mut lanes = [0.0f32; 8];
        let chunks = row.chunks_exact(8);
        let tail: f32 = chunks.remainder().iter().map(|&w| error(w)).sum();
        for chunk in chunks {
            for (lane, &w) in lanes.iter_mut().zip(chunk) {
                *lane += error(w);
            }
        }
        lanes.iter().sum::<f32>() + tail
    };
    (0..=40)
        .map(|percent| max * (1.0 - percent as f32 / 100.0) / WEIGHT_LEVELS)
        .map(|scale| (loss(scale), scale))
        .fold((f32::INFINITY, 1.0), |best, next| if next.0 < best.0 { next } else { best })
        .1
}

/// A dense layer's weight `[outputs, inputs]` in int8, packed for the kernel it runs on.
pub struct QuantizedLinear {
    kernel: Kernel,
    packed: Vec<i8>,
    /// Per output: the dequantisation scale and the sum of its quantised weights.
    scales: Vec<f32>,
    sums: Vec<i32>,
    /// Per input channel: 1 / its smoothing factor.
    unsmooth: Vec<f32>,
    inputs: usize,
    outputs: usize,
    /// Inputs rounded up to a multiple of 4; the kernel's registers of outputs, rounded up to
    /// whole tiles.
    k4: usize,
    out_blocks: usize,
}

impl QuantizedLinear {
    /// Quantises a row-major `[outputs, inputs]` weight whose input channels are smoothed:
    /// channel j's weights are multiplied by `smooth[j]`, its inputs divided by it. It runs on
    /// [`Kernel::chosen`].
    ///
    /// # Panics
    /// When [`Kernel::chosen`] is an error: callers choose int8 only when it is not.
    pub fn new(weight: &[f32], outputs: usize, inputs: usize, smooth: &[f32]) -> QuantizedLinear {
        let kernel = Kernel::chosen().unwrap_or_else(|e| panic!("{e}"));
        QuantizedLinear::for_kernel(kernel, weight, outputs, inputs, smooth)
    }

    /// As [`QuantizedLinear::new`], on `kernel`.
    ///
    /// # Panics
    /// When this CPU lacks the kernel's instructions.
    pub fn for_kernel(
        kernel: Kernel,
        weight: &[f32],
        outputs: usize,
        inputs: usize,
        smooth: &[f32],
    ) -> QuantizedLinear {
        assert!(kernel.supported(), "this CPU lacks the instructions of {}", kernel.name());
        assert_eq!(weight.len(), outputs * inputs);
        assert_eq!(smooth.len(), inputs);
        let k4 = inputs.div_ceil(4);
        let mut q = vec![0i8; outputs * inputs];
        let mut scales = vec![0.0f32; outputs];
        let mut sums = vec![0i32; outputs];
        for o in 0..outputs {
            let row: Vec<f32> = weight[o * inputs..(o + 1) * inputs].iter().zip(smooth).map(|(w, s)| w * s).collect();
            let scale = row_scale(&row);
            scales[o] = scale;
            let (inv, mut sum) = (1.0 / scale, 0i32);
            for (&w, q) in row.iter().zip(&mut q[o * inputs..(o + 1) * inputs]) {
                *q = weight_level(w, inv) as i8;
                sum += *q as i32;
            }
            sums[o] = sum;
        }
        let (lanes, blocks) = match kernel {
            Kernel::Avx512Vnni => (LANES, BLOCKS),
            Kernel::AvxVnni | Kernel::Avx2 => (AVX2_LANES, AVX2_BLOCKS),
        };
        let out_blocks = outputs.div_ceil(lanes * blocks) * blocks;
        let packed = pack(&q, inputs, k4 * 4, lanes, out_blocks);
        let unsmooth = smooth.iter().map(|s| 1.0 / s).collect();
        QuantizedLinear { kernel, packed, scales, sums, unsmooth, inputs, outputs, k4, out_blocks }
    }

    /// The kernel the layer is packed for.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// out = input · Wᵀ + bias for `rows` rows of `inputs` values.
    pub fn forward(&self, input: &[f32], rows: usize, bias: &[f32], out: &mut [f32]) {
        assert!(input.len() >= rows * self.inputs && out.len() >= rows * self.outputs && bias.len() == self.outputs);
        // SAFETY: the CPU has the kernel's instructions (checked by `for_kernel`); every index
        // stays inside the padded buffers built by `for_kernel` and `quantise_rows`, and the
        // shapes are checked above.
        unsafe {
            match self.kernel {
                Kernel::Avx512Vnni => self.forward_vnni(input, rows, bias, out),
                Kernel::AvxVnni => self.forward_avx_vnni(input, rows, bias, out),
                Kernel::Avx2 => self.forward_avx2(input, rows, bias, out),
            }
        }
    }

    /// Rows of `input` as u8 (value / scale + zero point), padded to whole tiles of
    /// `tile_rows` (with the zero point: padding adds nothing), with each row's scale and zero
    /// point. Inlined into the kernels, where its loops vectorise.
    #[inline(always)]
    fn quantise_rows(&self, input: &[f32], rows: usize, tile_rows: usize) -> (Vec<u8>, Vec<(f32, i32)>) {
        let width = self.k4 * 4;
        let padded_rows = rows.div_ceil(tile_rows) * tile_rows;
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
                // max and min (unlike clamp) also turn NaN into a level.
                #[allow(clippy::manual_clamp)]
                let level = (x * u * inv + zero + 0.5).max(0.0).min(255.0);
                // SAFETY: level is within 0..=255. The unchecked conversion vectorises where
                // `as`'s saturating one does not.
                *q = unsafe { level.to_int_unchecked::<i32>() } as u8;
            }
            out[self.inputs..].fill(zero as u8);
        }
        (a, params)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn forward_vnni(&self, input: &[f32], rows: usize, bias: &[f32], out: &mut [f32]) {
        let (a, a_params) = self.quantise_rows(input, rows, ROWS);
        for group in (0..self.out_blocks).step_by(BLOCKS) {
            for r0 in (0..rows).step_by(ROWS) {
                let acc: [[__m512i; BLOCKS]; ROWS] = dpbusd_tile(&self.packed, &a, self.k4, group, r0);
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

    /// The VNNI kernel on 256-bit registers.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,avxvnni")]
    unsafe fn forward_avx_vnni(&self, input: &[f32], rows: usize, bias: &[f32], out: &mut [f32]) {
        self.forward_256(input, rows, bias, out, |acc: __m256i| acc)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn forward_avx2(&self, input: &[f32], rows: usize, bias: &[f32], out: &mut [f32]) {
        self.forward_256(input, rows, bias, out, |acc: Maddubs| acc.0)
    }

    /// A 256-bit kernel: its tiles' sums, then out = (acc − zero·Σw) · row scale · output
    /// scale + bias, 8 outputs at a time, in the VNNI kernel's order of operations (the same
    /// floats from the same sums). `bits` gives a sum's register.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn forward_256<D: Dpbusd>(
        &self,
        input: &[f32],
        rows: usize,
        bias: &[f32],
        out: &mut [f32],
        bits: impl Fn(D) -> __m256i,
    ) {
        let (a, a_params) = self.quantise_rows(input, rows, AVX2_ROWS);
        for group in (0..self.out_blocks).step_by(AVX2_BLOCKS) {
            for r0 in (0..rows).step_by(AVX2_ROWS) {
                let acc: [[D; AVX2_BLOCKS]; AVX2_ROWS] = dpbusd_tile(&self.packed, &a, self.k4, group, r0);
                for (j, first) in (0..AVX2_BLOCKS).map(|j| (j, (group + j) * AVX2_LANES)) {
                    if first >= self.outputs {
                        break;
                    }
                    let left = (self.outputs - first).min(AVX2_LANES) as i32;
                    let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
                    let sums = _mm256_maskload_epi32(self.sums.as_ptr().add(first), mask);
                    let scales = _mm256_maskload_ps(self.scales.as_ptr().add(first), mask);
                    let bias = _mm256_maskload_ps(bias.as_ptr().add(first), mask);
                    for (r, acc_r) in acc.iter().enumerate().take(rows - r0) {
                        let row = r0 + r;
                        let (a_scale, zero) = a_params[row];
                        let exact = _mm256_sub_epi32(bits(acc_r[j]), _mm256_mullo_epi32(_mm256_set1_epi32(zero), sums));
                        let scaled = _mm256_mul_ps(_mm256_cvtepi32_ps(exact), _mm256_set1_ps(a_scale));
                        let y = _mm256_add_ps(_mm256_mul_ps(scaled, scales), bias);
                        _mm256_maskstore_ps(out.as_mut_ptr().add(row * self.outputs + first), mask, y);
                    }
                }
            }
        }
    }

    #[cfg(not(target_arch = "x86_64"))]
    unsafe fn forward_vnni(&self, _: &[f32], _: usize, _: &[f32], _: &mut [f32]) {
        unreachable!("no kernel is supported off x86-64")
    }

    #[cfg(not(target_arch = "x86_64"))]
    unsafe fn forward_avx_vnni(&self, _: &[f32], _: usize, _: &[f32], _: &mut [f32]) {
        unreachable!("no kernel is supported off x86-64")
    }

    #[cfg(not(target_arch = "x86_64"))]
    unsafe fn forward_avx2(&self, _: &[f32], _: usize, _: &[f32], _: &mut [f32]) {
        unreachable!("no kernel is supported off x86-64")
    }
}

#[cfg(test)]
mod tests;
