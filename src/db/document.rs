//! The stored copy of a document: its summary and plain text (what search snippets are
//! cut from), its source (what the incident page is rendered from) and the longer
//! extracted texts only the incident page shows (impact, detection, resolution,
//! lessons, warnings and each timeline entry's text), deflated together into
//! `incidents.document`.
//!
//! Why together: the source, the extracted texts and the plain text repeat each other,
//! and within one deflate stream a repeat costs a back-reference. Stored together they
//! take about a third of what the plain text, a rendered page and the extracted texts
//! took stored apart (BENCHMARKS.md, "Database size").
//!
//! Invariant: the summary and the plain text come first in the stream, so a snippet
//! decompresses only those; a damaged or empty blob reads as an empty document, never
//! an error.

use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};

/// Marks the layout of the stream, so a later layout can tell the two apart.
const LAYOUT: &str = "aftermath-document 1";

/// What one incident's `document` blob holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stored {
    /// The summary extracted from the document.
    pub summary: Option<String>,
    /// The document's plain text.
    pub body: String,
    /// The source file's text; `None` for incidents imported before sources were kept.
    pub source: Option<String>,
    pub details: Details,
}

/// The extracted texts stored with the document rather than in columns of their own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Details {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detection: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lessons: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<StoredWarning>,
    /// The text of each timeline entry, in `timeline_entries.position` order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<String>,
    /// The extraction rule of each timeline entry, in the same order (empty for
    /// documents imported before rules were recorded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline_rules: Vec<String>,
    /// The extraction rule of each root cause, in `root_causes.position` order (empty
    /// for documents imported before rules were recorded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cause_rules: Vec<String>,
    /// The extraction rule of each action, by the action's text as the document has it
    /// (ids can be kept from an earlier version when an action is reworded).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub action_rules: std::collections::BTreeMap<String, String>,
}

/// A warning recorded at import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredWarning {
    pub line: u32,
    pub message: String,
}

impl Stored {
    /// The compressed blob: a header giving the lengths of the summary, the plain text
    /// and the source (`-` for none), then those three and the details as JSON.
    pub fn encode(&self) -> Vec<u8> {
        let len = |s: &Option<String>| match s {
            Some(s) => s.len().to_string(),
            None => "-".into(),
        };
        let details = serde_json::to_string(&self.details).unwrap_or_else(|_| "{}".into());
        let header = format!(
            "{LAYOUT}\n{}\n{}\n{}\n",
            len(&self.summary),
            self.body.len(),
            len(&self.source)
        );
        let parts = [
            header.as_str(),
            self.summary.as_deref().unwrap_or(""),
            &self.body,
            self.source.as_deref().unwrap_or(""),
            &details,
        ];
        let mut plain = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
        for part in parts {
            plain.extend_from_slice(part.as_bytes());
        }
        super::deflate(&plain)
    }

    /// Everything in a blob made by [`Stored::encode`].
    pub fn decode(blob: &[u8]) -> Stored {
        super::with_inflating_reader(blob, |stream| {
            let mut r = Reader::new(stream);
            let Some(lengths) = r.header() else {
                return Stored::default();
            };
            let summary = lengths.summary.map(|n| r.text(n));
            let body = r.text(lengths.body);
            let source = lengths.source.map(|n| r.text(n));
            let mut rest = String::new();
            let _ = r.inner.read_to_string(&mut rest);
            Stored {
                summary,
                body,
                source,
                details: serde_json::from_str(&rest).unwrap_or_default(),
            }
        })
    }

    /// What a search snippet is cut from: the summary when `fits` accepts it, else the
    /// plain text as far as [`READ_PAST_MATCH`] bytes past the first place
    /// `first_match` finds (the byte offset of a match in the text it is given), or
    /// all of it when there is none. The stream is read no further than the text
    /// returned: for a word met early in a long document, that is a fraction of it.
    pub fn snippet_text(
        blob: &[u8],
        fits: impl FnOnce(&str) -> bool,
        first_match: impl FnMut(&str) -> Option<usize>,
    ) -> String {
        super::with_inflating_reader(blob, |stream| {
            let mut r = Reader::new(stream);
            let Some(lengths) = r.header() else {
                return String::new();
            };
            let summary = lengths.summary.map(|n| r.text(n)).unwrap_or_default();
            if fits(&summary) {
                return summary;
            }
            r.text_through_match(lengths.body, first_match)
        })
    }
}

/// How far past the first match [`Stored::snippet_text`] reads: more than a snippet
/// cut around it reaches (its characters, at most 4 bytes each, start at or before the
/// match), so the text returned gives the snippet the whole text would give.
pub const READ_PAST_MATCH: usize = 1024;

/// The reader's buffer, in bytes: room for the header's longest line.
const HEADER_BUFFER: usize = 128;

/// The lengths in bytes of the parts the header announces (`None`: not kept).
struct Lengths {
    summary: Option<usize>,
    body: usize,
    source: Option<usize>,
}

struct Reader<'a, 'b> {
    inner: BufReader<&'a mut super::Inflating<'b>>,
}

impl<'a, 'b> Reader<'a, 'b> {
    fn new(stream: &'a mut super::Inflating<'b>) -> Reader<'a, 'b> {
        Reader {
            // A small buffer: the header is a few dozen bytes, and a larger one would
            // inflate that much of the document to read it (8 KB by default: most of a
            // search hit's cost). Longer reads bypass the buffer.
            inner: BufReader::with_capacity(HEADER_BUFFER, stream),
        }
    }

    fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        // A header line is short; a damaged stream must not make it unbounded.
        (&mut self.inner)
            .take(64)
            .read_line(&mut line)
            .ok()
            .filter(|_| line.ends_with('\n'))?;
        line.pop();
        Some(line)
    }

    fn header(&mut self) -> Option<Lengths> {
        if self.line()? != LAYOUT {
            return None;
        }
        let mut optional = || -> Option<Option<usize>> {
            match self.line()?.as_str() {
                "-" => Some(None),
                n => Some(Some(n.parse().ok()?)),
            }
        };
        let summary = optional()?;
        let body = optional()??;
        let source = optional()?;
        Some(Lengths {
            summary,
            body,
            source,
        })
    }

    fn text(&mut self, len: usize) -> String {
        let mut bytes = Vec::with_capacity(len.min(1 << 24));
        let _ = (&mut self.inner).take(len as u64).read_to_end(&mut bytes);
        text_of(bytes)
    }

    /// The next `len` bytes as text, read a chunk at a time and only as far as
    /// [`READ_PAST_MATCH`] bytes past the first match `first_match` finds. Each chunk
    /// is searched up to its last whitespace, so no word is searched cut in half.
    fn text_through_match(
        &mut self,
        len: usize,
        mut first_match: impl FnMut(&str) -> Option<usize>,
    ) -> String {
        let mut bytes = Vec::with_capacity(len.min(1 << 24));
        // Read up to `need`; searched up to `searched`, a character boundary.
        let (mut need, mut searched, mut found) = (len, 0, false);
        let mut chunk = 4096;
        while bytes.len() < need {
            let want = (need - bytes.len()).min(chunk) as u64;
            match (&mut self.inner).take(want).read_to_end(&mut bytes) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            chunk = (chunk * 2).min(1 << 16);
            if found {
                continue;
            }
            let all_read = bytes.len() >= len;
            let fresh = match std::str::from_utf8(&bytes[searched..]) {
                Ok(s) => s,
                Err(e) => std::str::from_utf8(&bytes[searched..searched + e.valid_up_to()])
                    .unwrap_or_default(),
            };
            let upto = if all_read {
                fresh.len()
            } else {
                fresh.rfind(char::is_whitespace).unwrap_or(0)
            };
            if upto == 0 {
                continue;
            }
            if let Some(at) = first_match(&fresh[..upto]) {
                need = (searched + at + READ_PAST_MATCH).min(len);
                found = true;
            }
            searched += upto;
        }
        text_of(bytes)
    }
}

/// `bytes` as text. A stream cut short (or read only in part) can end inside a
/// character: that part is dropped, so what is returned is a prefix of the text that
/// was stored.
fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| {
        let cut_short = e.utf8_error().error_len().is_none();
        let valid = e.utf8_error().valid_up_to();
        let mut bytes = e.into_bytes();
        if cut_short {
            bytes.truncate(valid);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Whether texts set aside by migration 0010 (a database made before it) are waiting
/// to be compressed by [`upgrade`]. Only reads.
pub async fn needs_upgrade(pool: &sqlx::SqlitePool) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from legacy_texts) or exists (select 1 from legacy_timeline)",
    )
    .fetch_one(pool)
    .await
}

/// Compresses the texts migration 0010 set aside (from a database made before it) into
/// `incidents.document`, a batch per transaction, then empties the tables that held
/// them. Returns how many incidents were converted. On other databases it only reads:
/// every command opens the database, and a write there would wait for (or fail on)
/// any other process writing.
pub async fn upgrade(pool: &sqlx::SqlitePool) -> sqlx::Result<u64> {
    use sqlx::Row;
    if !needs_upgrade(pool).await? {
        return Ok(0);
    }
    let mut converted = 0;
    loop {
        // Immediate: the write lock is taken (waiting up to the busy timeout) before
        // reading, so two processes opening an old database at once take turns
        // instead of one failing when its read turns into a write.
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let rows = sqlx::query(
            "select incident_id, summary, body_text, impact, detection, resolution, lessons,
                warnings
             from legacy_texts order by incident_id limit 200",
        )
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            sqlx::query("delete from legacy_timeline")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(converted);
        }
        for row in &rows {
            let id: i64 = row.get("incident_id");
            let timeline: Vec<String> = sqlx::query_scalar(
                "select text from legacy_timeline where incident_id = ? order by position",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            let json = |col: &str| row.get::<Option<String>, _>(col).unwrap_or_default();
            let stored = Stored {
                summary: row.get("summary"),
                body: inflate(&row.get::<Vec<u8>, _>("body_text")),
                source: None,
                details: Details {
                    impact: row.get("impact"),
                    detection: row.get("detection"),
                    resolution: row.get("resolution"),
                    lessons: serde_json::from_str(&json("lessons")).unwrap_or_default(),
                    warnings: serde_json::from_str(&json("warnings")).unwrap_or_default(),
                    timeline,
                    timeline_rules: Vec::new(),
                    cause_rules: Vec::new(),
                    action_rules: Default::default(),
                },
            };
            sqlx::query("update incidents set document = ? where id = ?")
                .bind(stored.encode())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from legacy_texts where incident_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from legacy_timeline where incident_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            converted += 1;
        }
        tx.commit().await?;
    }
}

/// The plain text of a database made before migration 0010 (deflate alone).
fn inflate(bytes: &[u8]) -> String {
    super::inflate(bytes, usize::MAX)
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Stored {
        Stored {
            summary: Some("The primary failed.".into()),
            body: "Database outage\nThe primary failed over. Ünïcode ✓".into(),
            source: Some("# Database outage\n\nThe primary failed over. Ünïcode ✓\n".into()),
            details: Details {
                impact: Some("Writes failed for 5 minutes.".into()),
                detection: None,
                resolution: Some("Promoted the replica.".into()),
                lessons: vec!["Test failover".into()],
                warnings: vec![StoredWarning {
                    line: 3,
                    message: "no timeline found".into(),
                }],
                timeline: vec![
                    "primary failed".into(),
                    "".into(),
                    "replica promoted".into(),
                ],
                timeline_rules: vec!["timeline: a line per entry".into(); 3],
                cause_rules: vec!["a statement of a root-cause section".into()],
                action_rules: [(
                    "Test failover".to_string(),
                    "an item of a list in an action section; status: none stated".to_string(),
                )]
                .into(),
            },
        }
    }

    #[test]
    fn round_trips() {
        let s = sample();
        let blob = s.encode();
        assert_eq!(Stored::decode(&blob), s);
        assert_eq!(
            Stored::snippet_text(&blob, |_| true, |_| None),
            "The primary failed."
        );
        assert_eq!(Stored::snippet_text(&blob, |_| false, |_| None), s.body);
    }

    #[test]
    fn a_missing_source_stays_missing() {
        let s = Stored {
            summary: None,
            source: None,
            ..sample()
        };
        assert_eq!(Stored::decode(&s.encode()), s);
    }

    #[test]
    fn repeats_cost_little() {
        let body = "The load balancer dropped connections after the config push. ".repeat(80);
        let alone = Stored {
            body: body.clone(),
            ..Default::default()
        }
        .encode()
        .len();
        let with_source = Stored {
            body: body.clone(),
            source: Some(body.clone()),
            ..Default::default()
        }
        .encode()
        .len();
        assert!(with_source < alone + alone / 2, "{alone} vs {with_source}");
    }

    #[test]
    fn damage_reads_as_empty() {
        assert_eq!(Stored::decode(b""), Stored::default());
        assert_eq!(Stored::decode(b"not deflate at all"), Stored::default());
        let blob = sample().encode();
        let cut = Stored::decode(&blob[..blob.len() / 2]);
        assert!(sample().body.starts_with(&cut.body), "{:?}", cut.body);
    }
}
