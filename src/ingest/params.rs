//! Ingest's tunables in one place: the limits and sample sizes the stage works with, and the
//! check of the one a caller sets ([`IngestOptions::max_file_bytes`]). Each is a choice about
//! the pages seen so far, not a law: change one here and every step that uses it follows.

use super::IngestOptions;

/// Files larger than this are read up to the limit and flagged as truncated.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// Bytes at the start of a file that tell binary data (a NUL byte) and UTF-16 without a
/// byte-order mark (a NUL in every other byte) from text.
pub const SNIFF_BYTES: usize = 8192;

/// Bytes of clean text that language detection reads: a paragraph or two decides as well as
/// the whole page, at a fraction of the cost.
pub const LANGUAGE_SAMPLE_BYTES: usize = 1500;

/// A sample of fewer words than this has no detectable language.
pub const LANGUAGE_MIN_WORDS: usize = 3;

/// Rounds of the cleaning steps at most: removing one layer of chrome can bring another to the
/// top of the page (a header saved twice), so the steps run again until nothing changes.
pub const MAX_CLEAN_ROUNDS: usize = 4;

/// The longest line, in words, that can be a title (a site header's title, or the full form of a
/// heading cut off with an ellipsis).
pub const TITLE_MAX_WORDS: usize = 40;

/// A page with no usable heading is titled by its first line of at most this many words.
pub const FALLBACK_TITLE_MAX_WORDS: usize = 20;

/// A page titled by its first sentence shows at most this many of its words.
pub const SHORT_TITLE_WORDS: usize = 14;

/// A `# ` heading wrapped over several lines: lines of at most this many words right under it
/// continue it...
pub const HEADING_WRAP_LINE_MAX_WORDS: usize = 8;

/// ...while the heading has fewer words than this.
pub const HEADING_MAX_WORDS: usize = 20;

/// A value of [`IngestOptions`] that ingestion cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("max_file_bytes is 0: not one byte of any file would be read")]
    NoFileBytes,
}

impl IngestOptions {
    /// Refuses options ingestion cannot work with, before any file is read.
    pub fn check(&self) -> Result<(), ParamError> {
        if self.max_file_bytes == 0 {
            return Err(ParamError::NoFileBytes);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_the_check() {
        assert_eq!(IngestOptions::default().check(), Ok(()));
        assert_eq!(IngestOptions { max_file_bytes: u64::MAX, ..IngestOptions::default() }.check(), Ok(()));
    }

    #[test]
    fn a_limit_of_zero_bytes_is_refused() {
        let options = IngestOptions { max_file_bytes: 0, ..IngestOptions::default() };
        assert_eq!(options.check(), Err(ParamError::NoFileBytes));
    }
}
