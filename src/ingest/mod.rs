//! Ingest: from bytes on disk to the shared document model.
//!
//! `read_bounded` reads a regular file of limited size; `decode` decides whether its
//! bytes are a readable text at all (size, binary, encoding); `detect` picks the front
//! end; the front ends (`markdown`, `rst`, `text`) each build a `Document`. Extraction
//! is not called from here: `pipeline` composes the two.
//!
//! Invariant: synchronous, and pure but for `read_bounded`. Parsing never fails on a
//! readable file: problems become warnings with line numbers. Only unreadable input is
//! an error.

pub mod document;
pub mod frontmatter;
mod lines;
pub mod markdown;
// TEMPORARY until the RST reader lands: read RST as plain text.
pub mod rst;
pub mod text;

use crate::model::Format;
use document::Document;
use std::io::Read;
use std::path::Path;

/// Why a file cannot be imported. Each carries enough to tell the user what to fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    /// The file is empty or only whitespace.
    #[error("file is empty")]
    Empty,
    /// The file is larger than the configured limit.
    #[error("file is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: u64, limit: u64 },
    /// The file holds NUL bytes: an image, an archive, a compiled file.
    #[error("file is binary (NUL byte at line {line})")]
    Binary { line: u32 },
    /// The bytes are not valid UTF-8 (or UTF-16 with a byte order mark).
    #[error("line {line}: invalid UTF-8 at byte {offset}")]
    Undecodable { line: u32, offset: usize },
}

impl ReadError {
    /// The line the problem is on (1 when it concerns the whole file).
    pub fn line(&self) -> u32 {
        match self {
            ReadError::Binary { line } | ReadError::Undecodable { line, .. } => *line,
            _ => 1,
        }
    }
}

/// Decodes file bytes into text, refusing what is not a text document.
pub fn decode(bytes: &[u8], limit: u64) -> Result<String, ReadError> {
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    let text = if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        decode_utf16(rest, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        decode_utf16(rest, u16::from_be_bytes)?
    } else {
        if let Some(pos) = bytes.iter().position(|b| *b == 0) {
            return Err(ReadError::Binary {
                line: line_of(bytes, pos),
            });
        }
        let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(e) => {
                return Err(ReadError::Undecodable {
                    line: line_of(bytes, e.valid_up_to()),
                    offset: e.valid_up_to(),
                });
            }
        }
    };
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(normalize_line_endings(text))
}

/// One line-ending convention for every front end: `\r\n` and lone `\r` become `\n`,
/// so every front end counts lines the same way.
pub fn normalize_line_endings(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

fn decode_utf16(bytes: &[u8], read: fn([u8; 2]) -> u16) -> Result<String, ReadError> {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| read([c[0], c[1]])).collect();
    String::from_utf16(&units).map_err(|_| ReadError::Undecodable { line: 1, offset: 0 })
}

fn line_of(bytes: &[u8], offset: usize) -> u32 {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u32
}

/// The extensions Aftermath imports, and their formats.
pub fn format_for_path(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "md" | "markdown" | "mdown" | "mkd" | "qmd" => Format::Markdown,
        "rst" | "rest" => Format::Rst,
        "txt" | "text" => Format::Text,
        _ => return None,
    })
}

/// Picks a format from the path, or from the content when the extension says nothing.
pub fn detect(path: &Path, text: &str) -> Format {
    if let Some(format) = format_for_path(path) {
        return format;
    }
    sniff(text)
}

/// Content-based detection for files without a known extension.
fn sniff(text: &str) -> Format {
    let lines: Vec<&str> = text.lines().take(200).collect();
    if text.starts_with("---\n") || text.starts_with("+++\n") {
        return Format::Markdown;
    }
    let md = lines
        .iter()
        .filter(|l| {
            l.starts_with("# ")
                || l.starts_with("## ")
                || l.starts_with("```")
                || l.starts_with("| ")
        })
        .count();
    let rst = lines
        .windows(2)
        .filter(|w| {
            let u = w[1].trim_end();
            !w[0].trim().is_empty()
                && u.len() >= w[0].trim_end().len()
                && u.len() >= 3
                && u.chars()
                    .all(|c| matches!(c, '=' | '-' | '~' | '^' | '*' | '#'))
        })
        .count()
        + lines.iter().filter(|l| l.starts_with(".. ")).count();
    if md > rst && md > 0 {
        Format::Markdown
    } else if rst > 0 {
        Format::Rst
    } else {
        Format::Text
    }
}

/// Builds the document model with the front end for `format`; `text` must have `\n`
/// line endings (see [`normalize_line_endings`]).
pub fn document(format: Format, text: &str) -> Document {
    match format {
        Format::Markdown => markdown::parse(text),
        Format::Rst => rst::parse(text),
        Format::Text => text::parse(text),
    }
}

/// Reads a regular file of at most `limit` bytes. The size is checked on the open file
/// before reading and the read is bounded, so a huge file, `/dev/zero` or a file that
/// grows while read costs nothing. The file is opened without blocking (opening a FIFO
/// waits for a writer) and, unless `follow` is set, without following a final symlink
/// (a caller that resolved links itself refuses one swapped in since), then checked to
/// be a regular file.
pub fn read_bounded(path: &Path, limit: u64, follow: bool) -> Result<Vec<u8>, FileError> {
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        open.custom_flags(nofollow | libc::O_NONBLOCK);
    }
    let file = open.open(path).map_err(FileError::Io)?;
    let meta = file.metadata().map_err(FileError::Io)?;
    if !meta.is_file() {
        return Err(FileError::NotRegular);
    }
    let too_large = |size| FileError::Read(ReadError::TooLarge { size, limit });
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(FileError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads and decodes one file: its text with `\n` line endings.
pub fn read_text(path: &Path, limit: u64, follow: bool) -> Result<String, FileError> {
    let bytes = read_bounded(path, limit, follow)?;
    decode(&bytes, limit).map_err(FileError::Read)
}

/// A file that could not be read as a text document.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read from disk.
    #[error("cannot read: {0}")]
    Io(std::io::Error),
    /// A FIFO, socket or device: reading it could block or never end.
    #[error("not a regular file (a FIFO, socket or device)")]
    NotRegular,
    /// The file was read but is not a text document.
    #[error("{0}")]
    Read(ReadError),
}

impl FileError {
    /// The line to report the problem on.
    pub fn line(&self) -> u32 {
        match self {
            FileError::Io(_) | FileError::NotRegular => 1,
            FileError::Read(e) => e.line(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_read_refuses_a_large_file_from_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.md");
        std::fs::File::create(&path)
            .unwrap()
            .set_len(1536 << 20)
            .unwrap();
        match read_bounded(&path, 1024, false) {
            Err(FileError::Read(e)) => assert_eq!(
                e.to_string(),
                "file is 1610612736 bytes, over the 1024-byte limit"
            ),
            _ => panic!("a 1.5 GB sparse file is refused"),
        }
        std::fs::write(&path, "small").unwrap();
        assert!(matches!(read_bounded(&path, 5, false), Ok(b) if b == b"small"));
        assert!(matches!(
            read_bounded(Path::new("/dev/zero"), 5, true),
            Err(FileError::NotRegular)
        ));
    }

    #[test]
    fn decode_refuses_binary_empty_oversized_and_invalid_utf8() {
        assert_eq!(decode(b"  \n", 100), Err(ReadError::Empty));
        assert_eq!(decode(b"a\nb\0", 100), Err(ReadError::Binary { line: 2 }));
        assert_eq!(
            decode(b"0123456789", 5),
            Err(ReadError::TooLarge { size: 10, limit: 5 })
        );
        assert_eq!(
            decode(b"ok\nok\n\xff", 100),
            Err(ReadError::Undecodable { line: 3, offset: 6 })
        );
    }

    #[test]
    fn decode_accepts_bom_and_crlf_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBFa\r\nb", 100).unwrap(), "a\nb");
        let utf16: Vec<u8> = [0xFF, 0xFE, b'h', 0, b'i', 0].to_vec();
        assert_eq!(decode(&utf16, 100).unwrap(), "hi");
    }

    #[test]
    fn formats_come_from_extension_then_content() {
        assert_eq!(detect(Path::new("a.md"), ""), Format::Markdown);
        assert_eq!(detect(Path::new("a.qmd"), ""), Format::Markdown);
        assert_eq!(detect(Path::new("a.rst"), ""), Format::Rst);
        assert_eq!(detect(Path::new("a.txt"), "# x"), Format::Text);
        assert_eq!(
            detect(Path::new("README"), "Title\n=====\n\ntext"),
            Format::Rst
        );
        assert_eq!(
            detect(Path::new("notes"), "# Title\n\n## Summary\n"),
            Format::Markdown
        );
        assert_eq!(detect(Path::new("notes"), "just words"), Format::Text);
    }
}
