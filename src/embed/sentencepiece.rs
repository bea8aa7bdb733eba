//! A SentencePiece unigram model (`.model`, a protobuf `ModelProto`) turned into a `tokenizers`
//! tokenizer: the charsmap normaliser, SentencePiece's whitespace rules and the unigram Viterbi.
//!
//! The `tokenizers` crate already has each part (its `Precompiled` normaliser walks the same
//! darts-clone charsmap, its `Unigram` is the same lattice), and the `tokenizer.json` it writes
//! is what every other model folder holds, offsets included; a SentencePiece crate would add a
//! second tokenizer path (and, for the maintained one, a C++ build) for no gain. The protobuf is
//! read by hand: five fields of a stable format do not need a protobuf code generator.

use tokenizers::models::unigram::Unigram;
use tokenizers::normalizers::replace::ReplacePattern;
use tokenizers::normalizers::{NormalizerWrapper, Precompiled, Replace, Sequence, Strip};
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::Tokenizer;

/// Why a `.model` file could not be read or converted.
#[derive(Debug, thiserror::Error)]
pub enum SentencePieceError {
    #[error("not a SentencePiece model: {0}")]
    Malformed(&'static str),
    #[error("a {0} SentencePiece model; only unigram models are read")]
    NotUnigram(&'static str),
    #[error("the model has no <unk> piece")]
    NoUnknown,
    #[error("building the tokenizer")]
    Tokenizer(#[source] tokenizers::Error),
}

/// What a piece is (SentencePiece's `Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    Normal,
    Unknown,
    /// `<s>`, `</s>`: added around a text, never matched in it.
    Control,
    /// Matched whole by SentencePiece; this model's (`extra_token_id_1`…) occur in no text.
    UserDefined,
    Unused,
    Byte,
}

#[derive(Debug, Clone)]
pub struct Piece {
    pub piece: String,
    pub score: f32,
    pub kind: PieceKind,
}

/// The parts of a `ModelProto` a unigram tokenizer needs.
#[derive(Debug, Clone)]
pub struct SentencePieceModel {
    pub pieces: Vec<Piece>,
    /// The normaliser's rules (`nmt_nfkc` compiled): empty for none.
    pub charsmap: Vec<u8>,
    pub add_dummy_prefix: bool,
    pub remove_extra_whitespaces: bool,
    pub byte_fallback: bool,
}

/// One field of a protobuf message: its number and value.
enum Field<'a> {
    Varint(u64),
    Fixed32([u8; 4]),
    Bytes(&'a [u8]),
}

/// The fields of one protobuf message, in order.
fn fields(mut data: &[u8]) -> Result<Vec<(u64, Field<'_>)>, SentencePieceError> {
    fn varint(data: &mut &[u8]) -> Result<u64, SentencePieceError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = data.split_first().ok_or(SentencePieceError::Malformed("truncated varint"))?;
            *data = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(SentencePieceError::Malformed("varint longer than 64 bits"))
    }
    fn take<'a>(data: &mut &'a [u8], n: usize) -> Result<&'a [u8], SentencePieceError> {
        if data.len() < n {
            return Err(SentencePieceError::Malformed("field runs past the end"));
        }
        let (head, rest) = data.split_at(n);
        *data = rest;
        Ok(head)
    }
    let mut out = Vec::new();
    while !data.is_empty() {
        let key = varint(&mut data)?;
        let field = match key & 7 {
            0 => Field::Varint(varint(&mut data)?),
            1 => {
                take(&mut data, 8)?;
                continue;
            }
            2 => {
                let n = usize::try_from(varint(&mut data)?).map_err(|_| SentencePieceError::Malformed("huge field"))?;
                Field::Bytes(take(&mut data, n)?)
            }
            5 => Field::Fixed32(take(&mut data, 4)?.try_into().expect("four bytes")),
            _ => return Err(SentencePieceError::Malformed("unknown wire type")),
        };
        out.push((key >> 3, field));
    }
    Ok(out)
}

impl SentencePieceModel {
    /// Reads a `.model` file's bytes.
    pub fn parse(data: &[u8]) -> Result<SentencePieceModel, SentencePieceError> {
        let mut model = SentencePieceModel {
            pieces: Vec::new(),
            charsmap: Vec::new(),
            add_dummy_prefix: true,
            remove_extra_whitespaces: true,
            byte_fallback: false,
        };
        let flag = |f: &Field| matches!(f, Field::Varint(v) if *v != 0);
        for (number, field) in fields(data)? {
            match (number, field) {
                (1, Field::Bytes(piece)) => model.pieces.push(Self::piece(piece)?),
                (2, Field::Bytes(trainer)) => {
                    for (n, f) in fields(trainer)? {
                        match (n, &f) {
                            (3, Field::Varint(kind)) if *kind != 1 => {
                                let name = match kind {
                                    2 => "BPE",
                                    3 => "word",
                                    4 => "character",
                                    _ => "unknown kind of",
                                };
                                return Err(SentencePieceError::NotUnigram(name));
                            }
                            (35, _) => model.byte_fallback = flag(&f),
                            _ => {}
                        }
                    }
                }
                (3, Field::Bytes(normalizer)) => {
                    for (n, f) in fields(normalizer)? {
                        match (n, f) {
                            (2, Field::Bytes(charsmap)) => model.charsmap = charsmap.to_vec(),
                            (3, f) => model.add_dummy_prefix = flag(&f),
                            (4, f) => model.remove_extra_whitespaces = flag(&f),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if model.pieces.is_empty() {
            return Err(SentencePieceError::Malformed("no pieces"));
        }
        Ok(model)
    }

    fn piece(data: &[u8]) -> Result<Piece, SentencePieceError> {
        let mut piece = Piece { piece: String::new(), score: 0.0, kind: PieceKind::Normal };
        for (number, field) in fields(data)? {
            match (number, field) {
                (1, Field::Bytes(text)) => {
                    piece.piece = String::from_utf8(text.to_vec())
                        .map_err(|_| SentencePieceError::Malformed("a piece is not UTF-8"))?;
                }
                (2, Field::Fixed32(bytes)) => piece.score = f32::from_le_bytes(bytes),
                (3, Field::Varint(kind)) => {
                    piece.kind = match kind {
                        1 => PieceKind::Normal,
                        2 => PieceKind::Unknown,
                        3 => PieceKind::Control,
                        4 => PieceKind::UserDefined,
                        5 => PieceKind::Unused,
                        6 => PieceKind::Byte,
                        _ => return Err(SentencePieceError::Malformed("unknown piece type")),
                    }
                }
                _ => {}
            }
        }
        Ok(piece)
    }

    /// The id of the first control piece spelled `piece` (`<s>`, `</s>`).
    fn control(&self, piece: &str) -> Option<u32> {
        self.pieces.iter().position(|p| p.kind == PieceKind::Control && p.piece == piece).map(|i| i as u32)
    }

    /// The model as a `tokenizers` tokenizer, with `<s>` … `</s>` around each text when the
    /// model has them (as the Universal Sentence Encoder reads its input).
    ///
    /// SentencePiece normalises with the charsmap, then drops leading and trailing whitespace and
    /// collapses runs of it, then marks word starts with `▁`: the same steps here, in the same
    /// order. Its Viterbi never matches the unknown, control or user-defined pieces inside a
    /// text ("<unk>" in a text is read as characters), so those are given spellings that cannot
    /// occur in a word (a word holds `▁` only at its start). Byte pieces keep theirs: byte
    /// fallback looks them up by it.
    pub fn to_tokenizer(&self) -> Result<Tokenizer, SentencePieceError> {
        let unk = self.pieces.iter().position(|p| p.kind == PieceKind::Unknown).ok_or(SentencePieceError::NoUnknown)?;
        let vocab = self
            .pieces
            .iter()
            .map(|p| match p.kind {
                PieceKind::Normal | PieceKind::Byte => (p.piece.clone(), f64::from(p.score)),
                PieceKind::Unknown | PieceKind::Control | PieceKind::UserDefined | PieceKind::Unused => {
                    (format!("{}\u{2581}", p.piece), f64::from(p.score))
                }
            })
            .collect();
        let model = Unigram::from(vocab, Some(unk), self.byte_fallback).map_err(SentencePieceError::Tokenizer)?;
        let mut tokenizer = Tokenizer::new(model);
        let mut steps: Vec<NormalizerWrapper> = Vec::new();
        if !self.charsmap.is_empty() {
            steps.push(Precompiled::from(&self.charsmap).map_err(|e| SentencePieceError::Tokenizer(e.into()))?.into());
        }
        if self.remove_extra_whitespaces {
            let runs =
                Replace::new(ReplacePattern::Regex(" {2,}".into()), " ").map_err(SentencePieceError::Tokenizer)?;
            steps.push(runs.into());
            steps.push(Strip::new(true, true).into());
        }
        tokenizer.with_normalizer(Some(Sequence::new(steps)));
        let scheme = if self.add_dummy_prefix { PrependScheme::Always } else { PrependScheme::Never };
        tokenizer.with_pre_tokenizer(Some(Metaspace::new('\u{2581}', scheme, true)));
        if let (Some(bos), Some(eos)) = (self.control("<s>"), self.control("</s>")) {
            let template = TemplateProcessing::builder()
                .try_single("<s>\u{2581} $A </s>\u{2581}")
                .and_then(|t| t.try_pair("<s>\u{2581} $A </s>\u{2581} $B </s>\u{2581}"))
                .map_err(|e| SentencePieceError::Tokenizer(e.into()))?
                .special_tokens(vec![("<s>\u{2581}", bos), ("</s>\u{2581}", eos)])
                .build()
                .map_err(|e| SentencePieceError::Tokenizer(e.into()))?;
            tokenizer.with_post_processor(Some(template));
        }
        Ok(tokenizer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A protobuf field: key then value.
    fn field(number: u64, wire: u64, value: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3 | wire) as u8];
        if wire == 2 {
            out.push(value.len() as u8);
        }
        out.extend_from_slice(value);
        out
    }

    fn piece(text: &str, score: f32, kind: u8) -> Vec<u8> {
        [field(1, 2, text.as_bytes()), field(2, 5, &score.to_le_bytes()), field(3, 0, &[kind])].concat()
    }

    /// A tiny unigram model without a charsmap.
    fn tiny() -> Vec<u8> {
        let pieces = [
            piece("<unk>", 0.0, 2),
            piece("<s>", 0.0, 3),
            piece("</s>", 0.0, 3),
            piece("\u{2581}", -2.0, 1),
            piece("\u{2581}solar", -3.0, 1),
            piece("\u{2581}so", -2.5, 1),
            piece("lar", -2.5, 1),
            piece("s", -4.0, 1),
            piece("o", -4.0, 1),
            piece("l", -4.0, 1),
            piece("a", -4.0, 1),
            piece("r", -4.0, 1),
            piece("<", -4.0, 1),
            piece(">", -4.0, 1),
            piece("u", -4.0, 1),
            piece("n", -4.0, 1),
            piece("k", -4.0, 1),
        ];
        let mut out: Vec<u8> = pieces.iter().flat_map(|p| field(1, 2, p)).collect();
        out.extend(field(2, 2, &field(3, 0, &[1])));
        out
    }

    #[test]
    fn reads_pieces_scores_and_kinds() {
        let model = SentencePieceModel::parse(&tiny()).unwrap();
        assert_eq!(model.pieces.len(), 17);
        assert_eq!(model.pieces[4].piece, "\u{2581}solar");
        assert_eq!(model.pieces[4].score, -3.0);
        assert_eq!(model.pieces[1].kind, PieceKind::Control);
        assert!(model.add_dummy_prefix && model.remove_extra_whitespaces && !model.byte_fallback);
    }

    #[test]
    fn viterbi_whitespace_and_specials_follow_sentencepiece() {
        let tokenizer = SentencePieceModel::parse(&tiny()).unwrap().to_tokenizer().unwrap();
        let ids = |text: &str| tokenizer.encode(text, true).unwrap().get_ids().to_vec();
        // "▁solar" (-3) beats "▁so" + "lar" (-5); spaces are trimmed and collapsed.
        assert_eq!(ids("  solar   solar "), vec![1, 4, 4, 2]);
        // A control piece's spelling in the text is read as characters; unknown runs are one <unk>.
        assert_eq!(ids("<s>"), vec![1, 3, 12, 7, 13, 2]);
        assert_eq!(ids("<unk>"), vec![1, 3, 12, 14, 15, 16, 13, 2]);
        assert_eq!(ids("xyz"), vec![1, 3, 0, 2]);
    }

    #[test]
    fn other_model_kinds_and_damage_are_refused() {
        let bpe = [field(1, 2, &piece("<unk>", 0.0, 2)), field(2, 2, &field(3, 0, &[2]))].concat();
        assert!(matches!(SentencePieceModel::parse(&bpe), Err(SentencePieceError::NotUnigram("BPE"))));
        let cut = &tiny()[..20];
        assert!(matches!(SentencePieceModel::parse(cut), Err(SentencePieceError::Malformed(_))));
        let no_unk = field(1, 2, &piece("a", -1.0, 1));
        let model = SentencePieceModel::parse(&no_unk).unwrap();
        assert!(matches!(model.to_tokenizer(), Err(SentencePieceError::NoUnknown)));
    }
}
