//! What turns token ids into token states: a transformer (whichever backend runs it) or a
//! static model's table. Tokenising, windows and pooling are the [`super::Embedder`]'s, the
//! same for every encoder.

use super::EmbedError;

/// The part of a model that follows pooling.
pub trait Head {
    /// The sentence vector of pooled token states (before normalisation).
    fn apply(&self, pooled: &[f32]) -> Vec<f32>;
}

/// An encoder of one family (see [`super::families`]), loaded once and shared by all threads.
pub trait Encoder: Send + Sync {
    /// Width of a token state.
    fn hidden_size(&self) -> usize;
    /// Most tokens one sequence may hold, specials included.
    fn max_tokens(&self) -> Result<usize, EmbedError>;
    /// Token ids must be below this.
    fn vocab_size(&self) -> usize;
    /// Last hidden state of one sequence, `tokens.len() × hidden_size`, row-major.
    fn forward(&self, tokens: &[u32]) -> Result<Vec<f32>, EmbedError>;
    /// What follows pooling, for an encoder whose model goes on after it (the Universal
    /// Sentence Encoder's DAN reads the pooled states); `None` for the others, whose pooled
    /// states are the vector.
    fn head(&self) -> Option<&dyn Head> {
        None
    }
    /// Last hidden states of several sequences (an encoder may run them together).
    fn forward_many(&self, sequences: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        sequences.iter().map(|s| self.forward(s)).collect()
    }
}
