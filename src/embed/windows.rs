//! Window planning: which of a text's tokens each pass of the model reads, under a
//! [`Coverage`], and which span (sentence) each of those tokens lies in.

use std::ops::Range;

use super::options::{Budget, Coverage, PIECE_BYTES_PER_TOKEN};
use super::EmbedError;

/// A text's token ids and each token's byte range in it.
pub(super) type Tokens = (Vec<u32>, Vec<(usize, usize)>);

/// What a text's vector is made of, when it is not the whole text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sampled {
    /// Windows read, of all the text's windows.
    pub windows: usize,
    pub of_windows: usize,
    /// The text's content tokens.
    pub tokens: usize,
    /// Whether `of_windows` and `tokens` are estimated from the parts read (a text far longer
    /// than its budget is not tokenised whole).
    pub estimated: bool,
}

/// One window of a text: content token ids, and the span (sentence) each token is in.
pub(super) struct Window {
    pub ids: Vec<u32>,
    pub span_of: Vec<Option<usize>>,
}

/// How one text is read.
pub(super) struct Plan {
    pub windows: Vec<Window>,
    pub sampled: Option<Sampled>,
}

/// The special tokens around every window: `cls` before the text, `sep` after it, and the
/// `room` they leave for the text's own tokens.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    pub cls: usize,
    pub sep: usize,
    pub room: usize,
}

/// How a text is read under `coverage` (checked: no budget of zero), with the span of each
/// token read. `encode` gives a text's tokens with the specials.
pub(super) fn plan(
    text: &str,
    spans: &[Range<usize>],
    coverage: Coverage,
    frame: Frame,
    encode: &dyn Fn(&str) -> Result<Tokens, EmbedError>,
) -> Result<Plan, EmbedError> {
    if let Coverage::Whole(Budget::Windows(n)) = coverage {
        let piece = frame.room * PIECE_BYTES_PER_TOKEN;
        if text.len() > 2 * n * piece {
            return plan_pieces(text, spans, n, piece, frame, encode);
        }
    }
    let (ids, offsets) = encode(text)?;
    let content = frame.cls..ids.len() - frame.sep;
    let span_of = spans_of(&offsets[content.clone()], 0, spans);
    let ids = &ids[content.clone()];
    let (ranges, sampled) = windows(content.len(), coverage, frame.room);
    let windows =
        ranges.into_iter().map(|r| Window { ids: ids[r.clone()].to_vec(), span_of: span_of[r].to_vec() }).collect();
    Ok(Plan { windows, sampled })
}

/// Reads `n` pieces of `piece` bytes spread evenly over a text far longer than its budget,
/// one window from the start of each, estimating the text's tokens from theirs.
fn plan_pieces(
    text: &str,
    spans: &[Range<usize>],
    n: usize,
    piece: usize,
    frame: Frame,
    encode: &dyn Fn(&str) -> Result<Tokens, EmbedError>,
) -> Result<Plan, EmbedError> {
    let boundary = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (mut bytes_read, mut tokens_read) = (0usize, 0usize);
    let mut windows = Vec::with_capacity(n);
    for i in 0..n {
        let start = boundary((text.len() - piece) * i / (n - 1).max(1));
        let end = boundary((start + piece).min(text.len()));
        let (ids, offsets) = encode(&text[start..end])?;
        let content = frame.cls..ids.len() - frame.sep;
        let take = content.start..content.end.min(content.start + frame.room);
        bytes_read += end - start;
        tokens_read += content.len();
        windows.push(Window { ids: ids[take.clone()].to_vec(), span_of: spans_of(&offsets[take], start, spans) });
    }
    let tokens = (text.len() as f64 * tokens_read as f64 / bytes_read.max(1) as f64).round() as usize;
    let sampled = Sampled { windows: n, of_windows: tokens.div_ceil(frame.room), tokens, estimated: true };
    Ok(Plan { windows, sampled: Some(sampled) })
}

/// The windows a text of `content` tokens (specials excluded) is read in, as ranges of those
/// tokens `room` at most, and how it was sampled when some of it is left out.
fn windows(content: usize, coverage: Coverage, room: usize) -> (Vec<Range<usize>>, Option<Sampled>) {
    let chunks = |len: usize| -> Vec<Range<usize>> {
        if len == 0 {
            return std::iter::once(0..0).collect();
        }
        (0..len).step_by(room).map(|s| s..(s + room).min(len)).collect()
    };
    match coverage {
        Coverage::FirstWindow => (std::iter::once(0..content.min(room)).collect(), None),
        Coverage::Whole(Budget::All) => (chunks(content), None),
        Coverage::Whole(Budget::FirstTokens(n)) => (chunks(content.min(n)), None),
        Coverage::Whole(Budget::Windows(n)) => {
            let all = chunks(content);
            if all.len() <= n {
                return (all, None);
            }
            let picked: Vec<Range<usize>> = (0..n)
                .map(|i| if n == 1 { 0 } else { (i * (all.len() - 1) + (n - 1) / 2) / (n - 1) })
                .map(|w| all[w].clone())
                .collect();
            let sampled = Sampled { windows: n, of_windows: all.len(), tokens: content, estimated: false };
            (picked, Some(sampled))
        }
    }
}

/// The span each token lies in (tokens given as byte ranges, shifted by `shift`).
fn spans_of(offsets: &[(usize, usize)], shift: usize, spans: &[Range<usize>]) -> Vec<Option<usize>> {
    offsets
        .iter()
        .map(|&(start, end)| {
            let (start, end) = (start + shift, end + shift);
            spans.iter().position(|s| s.start <= start && end <= s.end && start < end)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_budget_picks_windows_from_first_to_last() {
        let (picked, sampled) = windows(100, Coverage::Whole(Budget::Windows(3)), 10);
        assert_eq!(picked, vec![0..10, 50..60, 90..100]);
        assert_eq!(sampled, Some(Sampled { windows: 3, of_windows: 10, tokens: 100, estimated: false }));
        let (all, sampled) = windows(25, Coverage::Whole(Budget::Windows(3)), 10);
        assert_eq!((all, sampled), (vec![0..10, 10..20, 20..25], None));
    }

    #[test]
    fn an_empty_text_is_one_empty_window() {
        assert_eq!(windows(0, Coverage::Whole(Budget::All), 10).0, vec![0..0]);
        assert_eq!(windows(0, Coverage::FirstWindow, 10).0, vec![0..0]);
    }

    #[test]
    fn tokens_fall_in_the_span_that_holds_them() {
        let spans = [0..5, 6..11];
        assert_eq!(spans_of(&[(0, 5), (5, 6), (6, 11), (3, 3)], 0, &spans), vec![Some(0), None, Some(1), None]);
        assert_eq!(spans_of(&[(0, 5)], 6, &spans), vec![Some(1)]);
    }
}
