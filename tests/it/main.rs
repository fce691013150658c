//! Integration tests: the binary, the import pipeline over a real SQLite file, the
//! shared corpus, and robustness against hostile input.

mod actions;
mod cli;
mod corpus;
mod digest;
mod import;
mod robustness;
mod support;
mod tracking_web;
