//! Tests of [`super`]: the int8 module's unit tests, kept apart so the module reads on its own.

use super::*;

/// A weight, input rows, bias and smoothing for a product of `rows` × `inputs` → `outputs`,
/// with a few values 4 times the rest.
fn case(rows: usize, inputs: usize, outputs: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let value = |i: usize| ((i * 7919 % 1000) as f32 / 500.0 - 1.0) * if i.is_multiple_of(13) { 4.0 } else { 1.0 };
    let weight: Vec<f32> = (0..outputs * inputs).map(value).collect();
    let input: Vec<f32> = (0..rows * inputs).map(|i| value(i + 17)).collect();
    let bias: Vec<f32> = (0..outputs).map(|o| o as f32 / 100.0).collect();
    let smooth: Vec<f32> = (0..inputs).map(|j| 0.5 + (j % 5) as f32 / 4.0).collect();
    (weight, input, bias, smooth)
}

/// The kernels this CPU runs, with a SKIP line for each other.
fn runnable() -> Vec<Kernel> {
    Kernel::ALL
        .into_iter()
        .filter(|k| {
            if !k.supported() {
                println!("SKIP: this CPU lacks the instructions of {}", k.name());
            }
            k.supported()
        })
        .collect()
}

/// Every activation at 255 and every weight at ±63: the largest pair sums `vpmaddubsw` sees,
/// which would saturate with 8-bit weights.
fn extreme_case(rows: usize, inputs: usize, outputs: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let weight = (0..outputs * inputs).map(|i| if (i / inputs).is_multiple_of(2) { 1.0 } else { -1.0 }).collect();
    (weight, vec![2.0; rows * inputs], vec![0.0; outputs], vec![1.0; inputs])
}

/// Each kernel against the same quantised arithmetic done plainly, on shapes with tails in
/// every dimension of every kernel's tiles and at the extremes of the quantised values; and
/// close to the fp32 product.
#[test]
fn int8_product_matches_plain_quantised_arithmetic() {
    for kernel in runnable() {
        let cases = [case(7, 45, 83), case(13, 130, 203), extreme_case(5, 64, 19)];
        for (weight, input, bias, smooth) in cases {
            let (inputs, outputs) = (smooth.len(), bias.len());
            let rows = input.len() / inputs;
            let q = QuantizedLinear::for_kernel(kernel, &weight, outputs, inputs, &smooth);
            assert_eq!(q.kernel(), kernel);
            let mut out = vec![0.0f32; rows * outputs];
            q.forward(&input, rows, &bias, &mut out);
            let (a, a_params) = q.quantise_rows(&input, rows, 1);
            for r in 0..rows {
                for o in 0..outputs {
                    let w_row = &weight[o * inputs..(o + 1) * inputs];
                    let w_scale = q.scales[o];
                    let plain: i32 = (0..inputs)
                        .map(|i| {
                            let qw = weight_level(w_row[i] * smooth[i], 1.0 / w_scale) as i32;
                            (a[r * q.k4 * 4 + i] as i32 - a_params[r].1) * qw
                        })
                        .sum();
                    let expected = plain as f32 * a_params[r].0 * w_scale + bias[o];
                    let got = out[r * outputs + o];
                    assert!(
                        (got - expected).abs() <= 1e-4 * expected.abs().max(1.0),
                        "{}: row {r} output {o}: {got} vs {expected}",
                        kernel.name()
                    );
                    let exact: f32 = (0..inputs).map(|i| input[r * inputs + i] * w_row[i]).sum::<f32>() + bias[o];
                    let magnitude: f32 = (0..inputs).map(|i| (input[r * inputs + i] * w_row[i]).abs()).sum();
                    // Clipping a row's largest weights (`row_scale`) costs these cases, whose
                    // every 13th value is 4 times the rest, up to 5% of the magnitude.
                    assert!(
                        (got - exact).abs() < 0.08 * magnitude,
                        "{}: row {r} output {o}: {got} vs fp32 {exact}",
                        kernel.name()
                    );
                }
            }
        }
    }
}

/// Every kernel's exact i32 sums make its outputs the others', bit for bit: a text's vectors
/// do not depend on the CPU. (On a CPU with fewer than two kernels there is nothing to
/// compare; the product test above still checks the one it has.)
#[test]
fn every_kernel_gives_the_same_outputs_to_the_bit() {
    let kernels = runnable();
    for (rows, inputs, outputs) in [(7, 45, 83), (13, 130, 203), (33, 384, 1536)] {
        let (weight, input, bias, smooth) = case(rows, inputs, outputs);
        let outputs_of: Vec<(Kernel, Vec<u32>)> = kernels
            .iter()
            .map(|&k| {
                let mut out = vec![0.0f32; rows * outputs];
                QuantizedLinear::for_kernel(k, &weight, outputs, inputs, &smooth)
                    .forward(&input, rows, &bias, &mut out);
                (k, out.iter().map(|y| y.to_bits()).collect())
            })
            .collect();
        for (k, bits) in &outputs_of[1..] {
            assert!(
                *bits == outputs_of[0].1,
                "{rows}×{inputs}→{outputs}: the {} outputs differ from the {} outputs",
                k.name(),
                outputs_of[0].0.name()
            );
        }
    }
}

#[test]
fn kernel_var_names_a_kernel_this_cpu_runs() {
    assert_eq!(Kernel::choose(None).ok(), Kernel::detect());
    for kernel in Kernel::ALL {
        match Kernel::choose(Some(kernel.id())) {
            Ok(chosen) => assert!(chosen == kernel && kernel.supported()),
            Err(e) => assert!(!kernel.supported() && e.contains(kernel.name()), "{e}"),
        }
    }
    let e = Kernel::choose(Some("avx-vnni")).unwrap_err();
    assert!(e.contains(KERNEL_VAR) && e.contains("avx512vnni or avxvnni or avx2"), "{e}");
}

/// GMAC/s of MiniLM-sized products: fp32 (gemm, as `bert::linear` calls it) and each
/// kernel this CPU runs. `cargo test --release --lib embed::int8 -- --ignored --nocapture`
#[test]
#[ignore = "a timing, run by hand"]
fn int8_kernels_against_fp32_throughput() {
    let kernels = runnable();
    for (rows, inputs, outputs) in
        [(128, 384, 1152), (128, 384, 384), (128, 384, 1536), (128, 1536, 384), (128, 384, 16)]
    {
        let (weight, input, bias, smooth) = case(rows, inputs, outputs);
        let mut out = vec![0.0f32; rows * outputs];
        let macs = (rows * inputs * outputs) as f64;
        // The fastest of the runs: other work on the machine only ever slows one down.
        let mut time = |product: &mut dyn FnMut(&mut [f32])| {
            let start = std::time::Instant::now();
            let mut best = f64::INFINITY;
            while start.elapsed().as_secs_f64() < 0.5 {
                let run = std::time::Instant::now();
                product(&mut out);
                best = best.min(run.elapsed().as_secs_f64());
            }
            macs / best / 1e9
        };
        let fp32 = time(&mut |out| {
            // SAFETY: out is [rows, outputs], input [rows, inputs], weight [outputs, inputs].
            unsafe {
                gemm::gemm(
                    rows,
                    outputs,
                    inputs,
                    out.as_mut_ptr(),
                    1,
                    outputs as isize,
                    false,
                    input.as_ptr(),
                    1,
                    inputs as isize,
                    weight.as_ptr(),
                    inputs as isize,
                    1,
                    0.0,
                    1.0,
                    false,
                    false,
                    false,
                    gemm::Parallelism::None,
                )
            }
        });
        let mut line = format!("{rows:>4} × {inputs} → {outputs:<5} fp32 {fp32:6.1} GMAC/s");
        for &kernel in &kernels {
            let q = QuantizedLinear::for_kernel(kernel, &weight, outputs, inputs, &smooth);
            let gmacs = time(&mut |out| q.forward(&input, rows, &bias, out));
            line += &format!(", {} {gmacs:6.1} ({:.2}× fp32)", kernel.name(), gmacs / fp32);
        }
        println!("{line}");
    }
}
