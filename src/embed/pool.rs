//! Pooling: one vector from a window's token states, as the model's pooling says, and unit
//! length for the vectors the stage hands out.

use ndarray::Array2;

use super::model::Pooling;

/// Pools the `n` token states of one window (`hidden`, `n × h` row-major, specials included)
/// into one vector.
pub(super) fn pool(hidden: &[f32], n: usize, h: usize, pooling: Pooling) -> Vec<f32> {
    let mut v = vec![0.0f32; h];
    match pooling {
        Pooling::Cls => v.copy_from_slice(&hidden[..h]),
        Pooling::Max => {
            v.fill(f32::NEG_INFINITY);
            for row in hidden.chunks_exact(h) {
                v.iter_mut().zip(row).for_each(|(a, b)| *a = a.max(*b));
            }
        }
        Pooling::Mean | Pooling::MeanSqrtLen => {
            for row in hidden.chunks_exact(h) {
                v.iter_mut().zip(row).for_each(|(a, b)| *a += b);
            }
            v = from_sum(v, n, pooling);
        }
    }
    v
}

/// The pooled vector of `n` token states from their sum: over `n` for [`Pooling::Mean`], over
/// √n for [`Pooling::MeanSqrtLen`] (other poolings are not sums, and get the mean).
pub(super) fn from_sum(mut sum: Vec<f32>, n: usize, pooling: Pooling) -> Vec<f32> {
    let div = if pooling == Pooling::MeanSqrtLen { (n as f32).sqrt() } else { n as f32 };
    sum.iter_mut().for_each(|a| *a /= div);
    sum
}

/// Scales every row of `m` to unit length (zero rows stay zero).
pub fn normalize_rows(m: &mut Array2<f32>) {
    for mut row in m.rows_mut() {
        normalize(row.as_slice_mut().expect("rows of a standard-layout array are contiguous"));
    }
}

/// Scales `v` to unit length (leaves a zero vector alone).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [f32; 4] = [1.0, -2.0, 3.0, 4.0];

    #[test]
    fn each_pooling_reads_the_states_its_way() {
        assert_eq!(pool(&STATES, 2, 2, Pooling::Cls), vec![1.0, -2.0]);
        assert_eq!(pool(&STATES, 2, 2, Pooling::Max), vec![3.0, 4.0]);
        assert_eq!(pool(&STATES, 2, 2, Pooling::Mean), vec![2.0, 1.0]);
        let s = 2f32.sqrt();
        assert_eq!(pool(&STATES, 2, 2, Pooling::MeanSqrtLen), vec![4.0 / s, 2.0 / s]);
    }

    #[test]
    fn normalising_leaves_zero_vectors_alone() {
        let mut v = [3.0, 4.0];
        normalize(&mut v);
        assert_eq!(v, [0.6, 0.8]);
        let mut zero = [0.0, 0.0];
        normalize(&mut zero);
        assert_eq!(zero, [0.0, 0.0]);
    }
}
