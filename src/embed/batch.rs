//! Grouping the windows of many texts into batches the model runs together.

/// Consecutive items grouped so that each group's sizes add up to at most `budget` (an item
/// larger than that forms a group alone).
pub(super) fn batch_by_tokens<T: Copy>(items: &[T], size: impl Fn(&T) -> usize, budget: usize) -> Vec<Vec<T>> {
    let mut batches: Vec<Vec<T>> = Vec::new();
    let mut filled = 0;
    for item in items {
        let n = size(item);
        match batches.last_mut() {
            Some(batch) if filled + n <= budget => batch.push(*item),
            _ => {
                batches.push(vec![*item]);
                filled = 0;
            }
        }
        filled += n;
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_fill_up_to_the_budget_and_big_items_go_alone() {
        let batches = batch_by_tokens(&[3, 2, 4, 9, 1], |&n| n, 6);
        assert_eq!(batches, vec![vec![3, 2], vec![4], vec![9], vec![1]]);
    }
}
