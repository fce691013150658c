//! Looking after the database file: online backups, integrity checks that say which
//! tables (and so which pages of the site) are damaged, and its size.
//!
//! Invariant: nothing here writes the database. A backup is a consistent snapshot
//! (one read transaction, `VACUUM INTO`) taken while others read and write, written
//! beside its destination and renamed into place only once complete.

use anyhow::Context;
use sqlx::SqlitePool;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Writes a consistent copy of the database to `dest` while the database stays in use:
/// SQLite's `VACUUM INTO` reads one snapshot (every transaction committed when it
/// starts, none committed later) and writes it as a compact file without a journal.
/// The copy is written to a temporary file beside `dest`, flushed to disk and renamed,
/// so `dest` is either absent or complete. An existing `dest` is refused.
pub async fn backup(pool: &SqlitePool, dest: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(
        !dest.exists(),
        "{} already exists: choose a new name (a backup never overwrites a file)",
        dest.display()
    );
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    anyhow::ensure!(
        dir.is_dir(),
        "cannot write the backup: {} is not a folder",
        dir.display()
    );
    let name = dest
        .file_name()
        .with_context(|| format!("{} names no file", dest.display()))?;
    let mut partial = name.to_os_string();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = dir.join(partial);
    let _ = std::fs::remove_file(&partial);
    let written = sqlx::query("vacuum into ?")
        .bind(partial.to_string_lossy().into_owned())
        .execute(pool)
        .await;
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(match super::WriteProblem::of(&e) {
            Some(problem) => {
                anyhow::anyhow!("{problem} while writing the backup {}", dest.display())
            }
            None => anyhow::Error::new(e).context(format!("writing the backup {}", dest.display())),
        });
    }
    let finish = || -> std::io::Result<()> {
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, dest)?;
        // The rename itself is durable once the folder is.
        std::fs::File::open(dir)?.sync_all()
    };
    finish().map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        anyhow::Error::new(e).context(format!("finishing the backup {}", dest.display()))
    })
}

/// What an integrity check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Integrity {
    /// SQLite's messages, at most [`MAX_MESSAGES`].
    pub messages: Vec<String>,
    /// The tables (and indexes) the messages point at, by name.
    pub objects: BTreeSet<String>,
    /// Rows whose foreign key points at nothing, by table (full check only).
    pub orphans: BTreeMap<String, i64>,
}

impl Integrity {
    /// True when nothing was found.
    pub fn ok(&self) -> bool {
        self.messages.is_empty() && self.orphans.is_empty()
    }

    /// What the damaged objects hold, for people: the parts of the site they break,
    /// each once, in a stable order. Empty when only unattributed problems were found.
    pub fn areas(&self) -> Vec<&'static str> {
        let areas: BTreeSet<&'static str> = self
            .objects
            .iter()
            .chain(self.orphans.keys())
            .map(|o| area_of(o))
            .collect();
        areas.into_iter().collect()
    }
}

/// SQLite's messages kept from one check.
pub const MAX_MESSAGES: usize = 100;

/// Opens the database at `path` to check it, as it is: read-only, without migrating
/// or upgrading anything (a damaged file may not survive that), and never creating a
/// file that is not there.
pub async fn open_for_checking(path: &Path) -> anyhow::Result<SqlitePool> {
    anyhow::ensure!(path.exists(), "no database at {}", path.display());
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .busy_timeout(super::BUSY_TIMEOUT);
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("opening database {}", path.display()))
}

/// Checks a database file nobody is writing (a backup just made) without changing it:
/// opened read-only and immutable, so not even a journal is created beside it. Also
/// returns how many incidents it holds.
pub async fn check_file(path: &Path, quick: bool) -> anyhow::Result<(Integrity, i64)> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let found = check(&pool, quick).await;
    let incidents = sqlx::query_scalar("select count(*) from incidents")
        .fetch_one(&pool)
        .await;
    pool.close().await;
    let found = found.with_context(|| format!("checking {}", path.display()))?;
    Ok((found, incidents.unwrap_or(0)))
}

/// Checks the whole database: `pragma integrity_check` (every page, every index
/// against its table) and, when `full`, `pragma foreign_key_check`; `quick` runs
/// `pragma quick_check` instead, which skips comparing indexes with their tables and
/// takes a fraction of the time. Problems are attributed to the tables they are in.
pub async fn check(pool: &SqlitePool, quick: bool) -> sqlx::Result<Integrity> {
    let pragma = if quick {
        "quick_check"
    } else {
        "integrity_check"
    };
    let objects: Vec<(String, String, Option<i64>)> =
        sqlx::query_as("select name, tbl_name, rootpage from sqlite_schema")
            .fetch_all(pool)
            .await?;
    let mut found = Integrity::default();
    match sqlx::query_scalar::<_, String>(&format!("pragma {pragma}({MAX_MESSAGES})"))
        .fetch_all(pool)
        .await
    {
        Ok(messages) => found.add(messages, &objects, None),
        // SQLite's own check stops at the first table it cannot read: check each table
        // (with its indexes) alone, so every damaged one is named.
        Err(e) if is_damage(&e) => {
            for (name, _, root) in &objects {
                let is_table = objects.iter().any(|(n, t, _)| n == name && t == name);
                if !is_table || root.unwrap_or(0) <= 0 || found.messages.len() >= MAX_MESSAGES {
                    continue;
                }
                let quoted = name.replace('"', "\"\"");
                let one =
                    sqlx::query_scalar::<_, String>(&format!("pragma {pragma}(\"{quoted}\")"))
                        .fetch_all(pool)
                        .await;
                match one {
                    Ok(messages) => found.add(messages, &objects, Some(name)),
                    Err(e) if is_damage(&e) => found.add(
                        vec![format!("table {name} cannot be read: {e}")],
                        &objects,
                        Some(name),
                    ),
                    Err(e) => return Err(e),
                }
            }
            if found.messages.is_empty() {
                found.messages.push(format!("the check stopped: {e}"));
            }
        }
        Err(e) => return Err(e),
    }
    if !quick {
        let orphans: Vec<(String,)> =
            sqlx::query_as("select \"table\" from pragma_foreign_key_check")
                .fetch_all(pool)
                .await
                .unwrap_or_default();
        for (table,) in orphans {
            *found.orphans.entry(table).or_default() += 1;
        }
    }
    Ok(found)
}

impl Integrity {
    /// Adds the messages of one check (of `table` alone, when given), attributed.
    fn add(
        &mut self,
        messages: Vec<String>,
        objects: &[(String, String, Option<i64>)],
        table: Option<&str>,
    ) {
        for message in messages.into_iter().filter(|m| m != "ok") {
            self.objects.extend(objects_named_in(&message, objects));
            if let Some(table) = table {
                self.objects.insert(table.to_string());
            }
            if self.messages.len() < MAX_MESSAGES {
                self.messages.push(message);
            }
        }
    }
}

/// The tables an integrity-check message points at: by the root page of the tree it
/// names ("Tree 23 page 41 cell 2: ..."; "On tree page 23 ..." in older versions), or
/// by an index it names ("row 5 missing from index actions_status"), each as its table.
fn objects_named_in(message: &str, objects: &[(String, String, Option<i64>)]) -> Vec<String> {
    let mut out = Vec::new();
    let lower = message.to_ascii_lowercase();
    for marker in ["tree ", "tree page "] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(marker).map(|i| i + from) {
            from = at + marker.len();
            let digits: String = lower[from..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(root) = digits.parse::<i64>()
                && let Some((_, table, _)) = objects.iter().find(|(_, _, r)| *r == Some(root))
            {
                out.push(table.clone());
            }
        }
    }
    for (name, table, _) in objects {
        let named = message
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|word| word == name);
        if named {
            out.push(table.clone());
        }
    }
    out
}

/// What a table holds, as the parts of the site it serves.
pub fn area_of(table: &str) -> &'static str {
    match table {
        t if t.starts_with("search_") => "search",
        "actions" | "action_events" => "actions (the actions pages and each incident's actions)",
        "related_incidents" | "incident_links" | "incident_profiles" => {
            "related incidents and links on incident pages"
        }
        "users" | "sessions" | "api_tokens" => "sign-in and API tokens",
        "digest_sends" => "the weekly digest",
        "pending_refresh" | "_sqlx_migrations" => "import bookkeeping",
        t if t.starts_with("sqlite_") => "the database's own catalogue (every page)",
        _ => "incident pages and lists",
    }
}

/// Whether a failed statement ran into a damaged database file (SQLite's
/// `SQLITE_CORRUPT` or `SQLITE_NOTADB`), as opposed to a problem with the statement.
pub fn is_damage(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    db.code()
        .and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 11 | 26))
}

/// The database's files and their sizes in bytes: the main file and its write-ahead
/// log (0 when there is none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Size {
    pub file: Option<PathBuf>,
    pub file_bytes: u64,
    pub wal_bytes: u64,
}

/// The size of the database behind `pool` on disk.
pub async fn size(pool: &SqlitePool) -> sqlx::Result<Size> {
    let file: Option<String> =
        sqlx::query_scalar("select file from pragma_database_list where name = 'main'")
            .fetch_optional(pool)
            .await?;
    let Some(file) = file.filter(|f| !f.is_empty()).map(PathBuf::from) else {
        return Ok(Size::default());
    };
    let bytes = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let mut wal = file.clone().into_os_string();
    wal.push("-wal");
    Ok(Size {
        file_bytes: bytes(&file),
        wal_bytes: bytes(Path::new(&wal)),
        file: Some(file),
    })
}

/// Whether the database answers a read of its incidents.
pub async fn readable(pool: &SqlitePool) -> sqlx::Result<()> {
    sqlx::query_scalar::<_, i64>("select count(*) from (select 1 from incidents limit 1)")
        .fetch_one(pool)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Vec<(String, String, Option<i64>)> {
        vec![
            ("incidents".into(), "incidents".into(), Some(2)),
            ("actions".into(), "actions".into(), Some(23)),
            ("actions_status".into(), "actions".into(), Some(31)),
            (
                "search_index_data".into(),
                "search_index_data".into(),
                Some(40),
            ),
        ]
    }

    #[test]
    fn messages_name_the_table_of_their_tree_or_index() {
        let s = schema();
        assert_eq!(
            objects_named_in("Tree 23 page 57 cell 3: invalid page number 9999", &s),
            ["actions"]
        );
        assert_eq!(
            objects_named_in("On tree page 40 cell 1: Rowid 7 out of order", &s),
            ["search_index_data"]
        );
        assert_eq!(
            objects_named_in("row 12 missing from index actions_status", &s),
            ["actions"]
        );
        assert!(objects_named_in("Page 77: never used", &s).is_empty());
    }

    #[test]
    fn areas_say_which_pages_a_table_serves() {
        assert_eq!(area_of("search_brief_data"), "search");
        assert_eq!(area_of("timeline_entries"), "incident pages and lists");
        let found = Integrity {
            messages: vec!["x".into()],
            objects: ["related_incidents", "incident_links", "search_index_idx"]
                .map(String::from)
                .into(),
            orphans: BTreeMap::new(),
        };
        assert_eq!(
            found.areas(),
            ["related incidents and links on incident pages", "search"]
        );
    }
}
