//! themescope: turn a growing folder of articles into theme reports.
//!
//! The pipeline, one module per stage: [`ingest`] → [`embed`] → [`themes`] → [`summarise`] →
//! [`compare`] → [`report`], with [`store`] remembering documents, vectors and runs.

pub mod embed;
pub mod ingest;
