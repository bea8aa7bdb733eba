//! Dense f64 linear algebra for the static model's fit to thousands of pages
//! ([`super::model2vec`]): products, and symmetric positive definite systems A·X = B by a
//! blocked Cholesky factorisation whose trailing updates and off-diagonal solves are `gemm`
//! products. linfa-linalg's Cholesky works element by element: a 2,000-page fit took 47 s with
//! it and 12 s with this (of which the vocabulary's distillation is most), and 7,614 pages 24 s,
//! on two Zen 5 cores. Its cost grows with the cube of the pages, which had kept the fit to a
//! sample.

use ndarray::Array2;

/// Columns of the factor done at a time: the diagonal block and the panel below it are worked
/// element by element, everything else in `gemm` products of this depth.
const BLOCK: usize = 128;

/// The matrix was not positive definite: a pivot at or below zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotPositiveDefinite {
    pub pivot: usize,
}

/// Solves `a · x = b` for symmetric positive definite `a` (n × n; only its lower triangle is
/// read) and returns x (n × m). `a` is overwritten by its Cholesky factor in the lower triangle.
pub fn solve_spd(a: &mut Array2<f64>, b: &Array2<f64>) -> Result<Array2<f64>, NotPositiveDefinite> {
    factor(a)?;
    let mut x = b.as_standard_layout().into_owned();
    forward(a, &mut x);
    backward(a, &mut x);
    Ok(x)
}

/// `dst = dst + sign · lhs · rhs` on raw strided views (`gemm`'s interface): m × k times k × n,
/// on every core. dst's rows are contiguous (column stride 1).
///
/// # Safety
/// Every pointer with its strides must address valid f64s for the shapes given, and `dst`
/// must not overlap `lhs` or `rhs`.
#[allow(clippy::too_many_arguments)]
unsafe fn add_product(
    (m, n, k): (usize, usize, usize),
    dst: *mut f64,
    dst_rs: isize,
    sign: f64,
    lhs: *const f64,
    (lhs_rs, lhs_cs): (isize, isize),
    rhs: *const f64,
    (rhs_rs, rhs_cs): (isize, isize),
) {
    use rayon::prelude::*;
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    // Bands of dst's rows, one product each, on rayon's threads (gemm's own threading is a
    // feature left off). Addresses cross threads as integers: the bands are disjoint.
    let band = m.div_ceil(rayon::current_num_threads().max(1)).max(64);
    let (dst, lhs, rhs) = (dst as usize, lhs as usize, rhs as usize);
    (0..m).step_by(band).collect::<Vec<_>>().into_par_iter().for_each(|r0| {
        // SAFETY: the caller's shapes and strides, cut to rows r0..r0 + band of dst and lhs.
        unsafe {
            gemm::gemm(
                band.min(m - r0),
                n,
                k,
                (dst as *mut f64).offset(r0 as isize * dst_rs),
                1,
                dst_rs,
                true,
                (lhs as *const f64).offset(r0 as isize * lhs_rs),
                lhs_cs,
                lhs_rs,
                rhs as *const f64,
                rhs_cs,
                rhs_rs,
                1.0,
                sign,
                false,
                false,
                false,
                gemm::Parallelism::None,
            )
        }
    });
}

/// `x · xᵀ` of a row-major n × k matrix.
pub fn gram(x: &Array2<f64>) -> Array2<f64> {
    let x = x.as_standard_layout();
    let (n, k) = x.dim();
    let mut out = Array2::<f64>::zeros((n, n));
    // SAFETY: out is n × n and x n × k, both row-major; they are separate buffers.
    unsafe {
        add_product(
            (n, n, k),
            out.as_mut_ptr(),
            n as isize,
            1.0,
            x.as_ptr(),
            (k as isize, 1),
            x.as_ptr(),
            (1, k as isize),
        );
    }
    out
}

/// The lower Cholesky factor of `a`, in place (right-looking, by blocks of [`BLOCK`] columns).
fn factor(a: &mut Array2<f64>) -> Result<(), NotPositiveDefinite> {
    use rayon::prelude::*;
    let n = a.nrows();
    assert_eq!(a.ncols(), n, "a square matrix");
    if !a.is_standard_layout() {
        *a = a.as_standard_layout().into_owned();
    }
    let s = a.as_slice_mut().expect("standard layout");
    for k in (0..n).step_by(BLOCK) {
        let e = (k + BLOCK).min(n);
        // The diagonal block: earlier blocks' products are already taken off.
        for j in k..e {
            let d = s[j * n + j] - s[j * n + k..j * n + j].iter().map(|v| v * v).sum::<f64>();
            if d.is_nan() || d <= 0.0 {
                return Err(NotPositiveDefinite { pivot: j });
            }
            s[j * n + j] = d.sqrt();
            for i in j + 1..e {
                let dot: f64 = (k..j).map(|p| s[i * n + p] * s[j * n + p]).sum();
                s[i * n + j] = (s[i * n + j] - dot) / s[j * n + j];
            }
        }
        // The panel below it: each row solved against the diagonal block's factor.
        let (top, below) = s.split_at_mut(e * n);
        let diagonal = &top[k * n..];
        below.par_chunks_mut(n).for_each(|row| {
            for j in k..e {
                let l_j = &diagonal[(j - k) * n..(j - k) * n + n];
                let dot: f64 = row[k..j].iter().zip(&l_j[k..j]).map(|(x, l)| x * l).sum();
                row[j] = (row[j] - dot) / l_j[j];
            }
        });
        // The trailing block's lower triangle, by bands of columns: A22 −= L21 · L21ᵀ.
        let base = s.as_mut_ptr();
        for c in (e..n).step_by(BLOCK) {
            let width = BLOCK.min(n - c);
            // SAFETY: rows c.., columns c..c + width (written) and rows e.., columns k..e
            // (read) are disjoint parts of the n × n row-major buffer.
            unsafe {
                add_product(
                    (n - c, width, e - k),
                    base.add(c * n + c),
                    n as isize,
                    -1.0,
                    base.add(c * n + k),
                    (n as isize, 1),
                    base.add(c * n + k),
                    (1, n as isize),
                );
            }
        }
    }
    Ok(())
}

/// x ← L⁻¹ x for the lower factor L.
fn forward(l: &Array2<f64>, x: &mut Array2<f64>) {
    let (n, m) = (l.nrows(), x.ncols());
    let l = l.as_slice().expect("standard layout");
    let xs = x.as_slice_mut().expect("standard layout");
    for k in (0..n).step_by(BLOCK) {
        let e = (k + BLOCK).min(n);
        let (done, block) = xs.split_at_mut(k * m);
        // SAFETY: rows k..e of x (written) and rows ..k (read) are disjoint; L's rows k..e,
        // columns ..k are in bounds.
        unsafe {
            add_product(
                (e - k, m, k),
                block.as_mut_ptr(),
                m as isize,
                -1.0,
                l.as_ptr().add(k * n),
                (n as isize, 1),
                done.as_ptr(),
                (m as isize, 1),
            );
        }
        for i in k..e {
            let (earlier, row) = block.split_at_mut((i - k) * m);
            let row = &mut row[..m];
            for p in k..i {
                let f = l[i * n + p];
                row.iter_mut().zip(&earlier[(p - k) * m..(p - k + 1) * m]).for_each(|(r, y)| *r -= f * y);
            }
            let d = l[i * n + i];
            row.iter_mut().for_each(|r| *r /= d);
        }
    }
}

/// x ← L⁻ᵀ x for the lower factor L.
fn backward(l: &Array2<f64>, x: &mut Array2<f64>) {
    let (n, m) = (l.nrows(), x.ncols());
    let l = l.as_slice().expect("standard layout");
    let xs = x.as_slice_mut().expect("standard layout");
    let starts: Vec<usize> = (0..n).step_by(BLOCK).collect();
    for &k in starts.iter().rev() {
        let e = (k + BLOCK).min(n);
        let (head, done) = xs.split_at_mut(e * m);
        let block = &mut head[k * m..];
        // SAFETY: rows k..e of x (written) and rows e.. (read) are disjoint; Lᵀ's rows k..e,
        // columns e.. are L's rows e.., columns k..e.
        unsafe {
            add_product(
                (e - k, m, n - e),
                block.as_mut_ptr(),
                m as isize,
                -1.0,
                l.as_ptr().add(e * n + k),
                (1, n as isize),
                done.as_ptr(),
                (m as isize, 1),
            );
        }
        for i in (k..e).rev() {
            let (row, later) = block.split_at_mut((i - k + 1) * m);
            let row = &mut row[(i - k) * m..];
            for p in i + 1..e {
                let f = l[p * n + i];
                row.iter_mut().zip(&later[(p - i - 1) * m..(p - i) * m]).for_each(|(r, y)| *r -= f * y);
            }
            let d = l[i * n + i];
            row.iter_mut().for_each(|r| *r /= d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// M·Mᵀ + n·I for a deterministic M: symmetric positive definite.
    fn spd(n: usize) -> Array2<f64> {
        let m = Array2::from_shape_fn((n, n), |(i, j)| ((i * 31 + j * 17) % 23) as f64 / 23.0 - 0.5);
        m.dot(&m.t()) + Array2::<f64>::eye(n) * n as f64 * 0.01
    }

    /// Sizes below, at and across the block (with tails), against the product and against
    /// linfa-linalg's solver.
    #[test]
    fn solves_spd_systems_as_linfa_does() {
        use linfa_linalg::cholesky::SolveC;
        for n in [1, 5, BLOCK, BLOCK + 1, 2 * BLOCK + 37] {
            let a = spd(n);
            let b = Array2::from_shape_fn((n, 7), |(i, j)| ((i * 7 + j * 3) % 11) as f64 - 5.0);
            let x = solve_spd(&mut a.clone(), &b).unwrap();
            let residual = (a.dot(&x) - &b).iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(residual < 1e-8, "n = {n}: residual {residual}");
            let linfa = a.clone().solvec(&b).unwrap();
            let gap = (&x - &linfa).iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(gap < 1e-8, "n = {n}: {gap} from linfa-linalg's solution");
        }
    }

    #[test]
    fn gram_is_x_times_its_transpose() {
        let x = Array2::from_shape_fn((37, 5), |(i, j)| (i * 3 + j) as f64 % 7.0 - 3.0);
        let gap = (gram(&x) - x.dot(&x.t())).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(gap < 1e-12, "{gap}");
    }

    #[test]
    fn a_matrix_that_is_not_positive_definite_is_refused() {
        let mut a = spd(BLOCK + 3);
        a[[BLOCK + 1, BLOCK + 1]] = -1.0;
        let b = Array2::<f64>::ones((BLOCK + 3, 2));
        assert!(solve_spd(&mut a, &b).is_err());
    }
}
