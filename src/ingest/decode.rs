//! Reading a file's bytes as text: the size limit, byte-order marks, UTF-16 without a mark,
//! legacy encodings guessed by chardetng, and binary files refused.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::params::SNIFF_BYTES;
use super::{hex_prefix, SkipKind};

/// Reads and decodes a file, noting truncation and lossy decoding in `warnings`.
pub(super) fn read_text(
    path: &Path,
    max_bytes: u64,
    warnings: &mut Vec<String>,
) -> Result<(String, String), (SkipKind, String)> {
    let file = File::open(path).map_err(|e| (SkipKind::Unreadable, format!("cannot open ({e}); skipped")))?;
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| (SkipKind::Unreadable, format!("cannot read ({e}); skipped")))?;
    if bytes.len() as u64 > max_bytes {
        bytes.truncate(max_bytes as usize);
        warnings.push(format!("larger than {} MB; truncated to the first {} MB", max_bytes >> 20, max_bytes >> 20));
    }
    let doc_id = hex_prefix(&Sha256::digest(&bytes), 16);
    let text =
        decode(&bytes, warnings).ok_or((SkipKind::Binary, "binary file (contains NUL bytes); skipped".into()))?;
    if text.trim().is_empty() {
        return Err((SkipKind::Empty, "empty file; skipped".into()));
    }
    Ok((doc_id, text))
}

/// The encoding a file's bytes are in, when not UTF-8 without a byte-order mark: the mark
/// decides (UTF-8, UTF-16 LE/BE); text with a NUL in every other byte and no mark is UTF-16
/// too; invalid UTF-8 is in the encoding chardetng (Firefox's detector) guesses.
fn encoding_of(bytes: &[u8]) -> Option<(&'static encoding_rs::Encoding, usize)> {
    if let Some(found) = encoding_rs::Encoding::for_bom(bytes) {
        return Some(found);
    }
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let nul_at = |parity: usize| head.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let half = head.len() / 2;
    if half >= 2 && nul_at(1) * 10 >= half * 9 && nul_at(0) == 0 {
        return Some((encoding_rs::UTF_16LE, 0));
    }
    if half >= 2 && nul_at(0) * 10 >= half * 9 && nul_at(1) == 0 {
        return Some((encoding_rs::UTF_16BE, 0));
    }
    match std::str::from_utf8(bytes) {
        Ok(_) => None,
        // A cut inside a multi-byte character at the end is our truncation, not bad input.
        Err(e) if e.error_len().is_none() => None,
        Err(_) => {
            let mut detector = chardetng::EncodingDetector::new();
            detector.feed(bytes, true);
            Some((detector.guess(None, true), 0))
        }
    }
}

/// Decodes a file's bytes (see [`encoding_of`]), naming any encoding other than UTF-8 and any
/// bytes that could not be decoded in `warnings`. `None` for binary data.
pub fn decode(bytes: &[u8], warnings: &mut Vec<String>) -> Option<String> {
    let Some((encoding, mark)) = encoding_of(bytes) else {
        if bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0) {
            return None;
        }
        let valid = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |s| s.len());
        return Some(String::from_utf8_lossy(&bytes[..valid]).into_owned());
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[mark..]);
    let how = if mark > 0 { "byte-order mark" } else { "detected" };
    if encoding != encoding_rs::UTF_8 {
        if !encoding.name().starts_with("UTF-16") && text.contains('\0') {
            return None;
        }
        warnings.push(format!("not UTF-8: decoded as {} ({how})", encoding.name()));
    }
    if had_errors {
        warnings.push(format!("bytes not valid in {}; shown as U+FFFD", encoding.name()));
    }
    Some(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_limit_reads_the_whole_file_and_a_small_one_truncates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "Some text.").unwrap();
        let mut warnings = Vec::new();
        let (_, text) = read_text(&path, u64::MAX, &mut warnings).unwrap();
        assert_eq!((text.as_str(), warnings.len()), ("Some text.", 0));
        let (_, text) = read_text(&path, 4, &mut warnings).unwrap();
        assert_eq!(text, "Some");
        assert!(warnings[0].contains("truncated"), "{warnings:?}");
    }

    #[test]
    fn marks_utf16_without_a_mark_and_binary_data_are_told_apart() {
        let mut warnings = Vec::new();
        let utf16le: Vec<u8> = "Café au lait".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&utf16le, &mut warnings).as_deref(), Some("Café au lait"));
        let with_mark = [&[0xEF, 0xBB, 0xBF][..], "Té".as_bytes()].concat();
        assert_eq!(decode(&with_mark, &mut warnings).as_deref(), Some("Té"));
        assert_eq!(decode(b"PK\x03\x04\x00\x00binary", &mut warnings), None);
        assert!(warnings[0].contains("UTF-16LE (detected)"), "{warnings:?}");
    }
}
