//! themescope: turn a growing folder of articles into theme reports.
//!
//! The pipeline, one module per stage: [`ingest`] → [`embed`] → [`themes`] → [`summarise`] →
//! [`compare`] → [`report`], with [`store`] remembering documents, vectors and runs.

pub mod analyze;
pub mod compare;
pub mod embed;
pub mod ingest;
pub mod progress;
pub mod report;
pub mod store;
pub mod summarise;
pub mod themes;
