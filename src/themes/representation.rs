//! The last step of labelling: a theme's keywords become its label. Today the label is
//! extractive, a phrase of the best keywords; a label generated from the same input (by a local
//! language model) is another [`LabelSource`], set on the
//! [`Describer`](super::describe::Describer) in place of [`Extractive`].

use super::label;
use super::ThemeError;

/// What a theme's label is made from.
#[derive(Debug, Clone, Copy)]
pub struct LabelInput<'t> {
    /// The theme's keywords, best first: the head, chosen to say what the theme is about, then
    /// the rest of its c-TF-IDF list (places, names and other languages left out).
    pub keywords: &'t [String],
    /// The c-TF-IDF weight of each keyword, same order.
    pub weights: &'t [f64],
    /// The language of most of the theme's pages: the label is written in it.
    pub language: Option<&'t str>,
}

/// Makes a theme's label.
pub trait LabelSource {
    fn label(&self, input: &LabelInput) -> Result<String, ThemeError>;
}

/// The label as a phrase of the best keywords, as an analyst would write them ("Waste
/// management and recycling"; see [`label::phrase`]).
#[derive(Debug, Clone, Copy)]
pub struct Extractive;

impl LabelSource for Extractive {
    fn label(&self, input: &LabelInput) -> Result<String, ThemeError> {
        Ok(label::phrase(input.keywords, input.language))
    }
}
