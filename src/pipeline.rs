//! The read side of the pipeline in one call: a file or its text in, the shared
//! document model and the extracted incident out.
//!
//! ```text
//! read (ingest) ─▶ detect ─▶ front end ─▶ Document ─▶ extract ─▶ Incident
//! ```
//!
//! Invariant: the arrows point one way. `ingest` knows nothing of `extract`, `extract`
//! reads only the document model, and this module, above both, composes them.

use crate::extract;
use crate::ingest::{self, FileError, document::Document};
use crate::model::Incident;
use std::path::Path;

/// A document read and extracted.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub incident: Incident,
    pub document: Document,
    /// The decoded source text.
    pub text: String,
}

/// Parses decoded text: front end, then extractor. `source` is the path to report.
pub fn parse(source: &str, path: &Path, text: String) -> Parsed {
    let text = ingest::normalize_line_endings(text);
    let format = ingest::detect(path, &text);
    let document = ingest::document(format, &text);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("incident");
    let incident = extract::extract(&document, source, stem);
    Parsed {
        incident,
        document,
        text,
    }
}

/// Reads (a regular file, size-limited, following a symlink named by the caller),
/// decodes and parses one file.
pub fn parse_file(path: &Path, limit: u64) -> Result<Parsed, FileError> {
    let text = ingest::read_text(path, limit, true)?;
    Ok(parse(&path.display().to_string(), path, text))
}
