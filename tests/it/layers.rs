//! The layers point one way: each module of `src/` may name only the modules the table
//! below allows, web handlers never import each other, and `model` uses only std, jiff,
//! serde and sha2. Read from the source (`crate::x`, `use crate::{x, y}`, `super::x`
//! resolved to its module); test code and comments are left out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What each top-level module may use besides itself. A module missing here fails the
/// test: a new module states its place.
const ALLOWED: &[(&str, &[&str])] = &[
    // Pure foundations.
    ("model", &[]),
    ("text", &[]),
    ("single_flight", &[]),
    ("synth", &["model", "text"]),
    ("ingest", &["model", "text"]),
    ("extract", &["ingest", "model", "text"]),
    ("pipeline", &["ingest", "extract", "model", "text"]),
    ("lint", &["ingest", "extract", "model", "text"]),
    ("tracking", &["model", "text"]),
    ("identity", &["model", "text"]),
    // The systems dictionary gives the other names a searched system goes by.
    ("search", &["model", "text", "extract"]),
    ("related", &["model", "text"]),
    ("render", &["ingest", "model", "text"]),
    ("config", &["model", "text", "tracking", "identity"]),
    // Storage: below every user of the database, above what it stores.
    (
        "db",
        &[
            "model",
            "text",
            "tracking",
            "identity",
            "search",
            "related",
            "single_flight",
        ],
    ),
    // Users of the database, none knowing another.
    (
        "import",
        &[
            "db", "pipeline", "ingest", "extract", "related", "model", "text", "config",
        ],
    ),
    (
        "digest",
        &["db", "config", "model", "text", "tracking", "identity"],
    ),
    (
        "web",
        &[
            "db",
            "render",
            "search",
            "tracking",
            "identity",
            "config",
            "model",
            "text",
            "single_flight",
        ],
    ),
    // Composition roots.
    (
        "serve",
        &["web", "import", "digest", "db", "config", "model", "text"],
    ),
    (
        "cli",
        &[
            "serve", "web", "import", "digest", "db", "pipeline", "lint", "config", "identity",
            "tracking", "model", "text",
        ],
    ),
];

/// Arrows that break the table on purpose, each with the reason and who removes it.
const KNOWN_EXCEPTIONS: &[(&str, &str)] = &[];

/// Web modules that own routes; each may use the shared web modules, never another.
const WEB_HANDLERS: &[&str] = &[
    "actions",
    "api",
    "assets",
    "feeds",
    "health",
    "home",
    "incidents",
    "insights",
    "login",
    "metrics",
    "recurrences",
    "search",
    "topics",
];

/// The only crates `model` may name.
const MODEL_CRATES: &[&str] = &["std", "core", "alloc", "jiff", "serde", "sha2"];

/// One reference from a file to a module path.
#[derive(Debug)]
struct Reference {
    file: String,
    line: usize,
    /// The module path named, from the crate root (`["db", "actions"]`).
    path: Vec<String>,
    /// The text as written.
    written: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/`: `db/mod.rs` is `["db"]`, `db/actions.rs`
/// is `["db", "actions"]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

/// The lines that are compiled outside tests, with their numbers: comments are
/// dropped, and a file stops at its `#[cfg(test)]` module.
fn code_lines(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines
                .get(i + 1)
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            break;
        }
        let code = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        out.push((i + 1, code.to_string()));
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The identifiers after `prefix` at `at`: one name (`crate::db`), or each name of a
/// group (`crate::{db, model}`), each with the rest of its path as written.
fn names_after(code: &str, at: usize) -> Vec<Vec<String>> {
    let rest = &code[at..];
    if let Some(group) = rest.strip_prefix('{') {
        let inner = group.split('}').next().unwrap_or("");
        return inner
            .split(',')
            .map(|item| {
                item.trim()
                    .split("::")
                    .map(|s| s.trim().to_string())
                    .take_while(|s| !s.is_empty() && s.chars().all(is_ident))
                    .collect::<Vec<_>>()
            })
            .filter(|p| !p.is_empty())
            .collect();
    }
    let mut path = Vec::new();
    let mut rest = rest;
    loop {
        let ident: String = rest.chars().take_while(|c| is_ident(*c)).collect();
        if ident.is_empty() {
            break;
        }
        rest = &rest[ident.len()..];
        path.push(ident);
        match rest.strip_prefix("::") {
            Some(more) => rest = more,
            None => break,
        }
    }
    if path.is_empty() { vec![] } else { vec![path] }
}

/// Every `crate::` and `super::` reference of the compiled, non-test code under `src/`.
fn references() -> Vec<Reference> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let relative = path.strip_prefix(&src).unwrap();
        // Test modules kept in their own file (`timestamp/tests.rs`).
        if relative.file_name().is_some_and(|f| f == "tests.rs") {
            continue;
        }
        let module = module_of(relative);
        let file = format!("src/{}", relative.display());
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, code) in code_lines(&text) {
            let mut from = 0;
            while let Some(found) = code[from..].find("crate::").map(|i| i + from) {
                let before = code[..found].chars().next_back();
                from = found + "crate::".len();
                if before.is_some_and(|c| is_ident(c) || c == ':') {
                    continue;
                }
                for path in names_after(&code, from) {
                    out.push(Reference {
                        file: file.clone(),
                        line,
                        written: format!("crate::{}", path.join("::")),
                        path,
                    });
                }
            }
            let mut from = 0;
            while let Some(found) = code[from..].find("super::").map(|i| i + from) {
                let before = code[..found].chars().next_back();
                if before.is_some_and(|c| is_ident(c) || c == ':') {
                    from = found + "super::".len();
                    continue;
                }
                let mut at = found;
                let mut up = 0;
                while code[at..].starts_with("super::") {
                    up += 1;
                    at += "super::".len();
                }
                from = at;
                if up > module.len() {
                    continue;
                }
                let base = &module[..module.len() - up];
                for rest in names_after(&code, at) {
                    let path: Vec<String> = base.iter().cloned().chain(rest).collect();
                    out.push(Reference {
                        file: file.clone(),
                        line,
                        written: code[found..].trim().chars().take(60).collect(),
                        path,
                    });
                }
            }
        }
    }
    out
}

fn top_of(file: &str) -> String {
    let relative = file.trim_start_matches("src/");
    module_of(Path::new(relative))
        .first()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn every_module_names_only_the_layers_it_may_use() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let top_modules: Vec<String> = {
        let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
            .unwrap();
        lib.lines()
            .filter_map(|l| l.trim().strip_prefix("pub mod "))
            .map(|m| m.trim_end_matches(';').to_string())
            .collect()
    };
    let unplaced: Vec<&String> = top_modules
        .iter()
        .filter(|m| !allowed.contains_key(m.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules with no place in the layer table of tests/it/layers.rs: {unplaced:?}"
    );
    let mut wrong = Vec::new();
    for r in references() {
        let from = top_of(&r.file);
        let Some(to) = r.path.first() else { continue };
        if from.is_empty() || *to == from || !top_modules.contains(to) {
            continue;
        }
        let may = allowed.get(from.as_str()).copied().unwrap_or(&[]);
        let excepted = KNOWN_EXCEPTIONS
            .iter()
            .any(|(file, path)| r.file == *file && r.written.starts_with(path));
        if !may.contains(&to.as_str()) && !excepted {
            wrong.push(format!(
                "{}:{}: {from} names {to} ({})",
                r.file, r.line, r.written
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows against the layers (see ARCHITECTURE.md; the table is in tests/it/layers.rs):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn web_handler_modules_never_import_each_other() {
    let mut wrong = Vec::new();
    for r in references() {
        let module = module_of(Path::new(r.file.trim_start_matches("src/")));
        let (Some("web"), Some(from)) = (
            module.first().map(String::as_str),
            module.get(1).map(String::as_str),
        ) else {
            continue;
        };
        let Some(to) = (r.path.first().map(String::as_str) == Some("web"))
            .then(|| r.path.get(1).map(String::as_str))
            .flatten()
        else {
            continue;
        };
        if from != to && WEB_HANDLERS.contains(&from) && WEB_HANDLERS.contains(&to) {
            wrong.push(format!(
                "{}:{}: web::{from} uses web::{to} ({}); move what both need to a shared web module",
                r.file, r.line, r.written
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn model_uses_only_std_jiff_serde_and_sha2() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    // The crate names of [dependencies], as code writes them.
    let crates: Vec<String> = manifest
        .split("\n[")
        .find(|section| section.starts_with("dependencies]"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| l.split('=').next())
        .map(|name| name.trim().replace('-', "_"))
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .collect();
    // model.rs and its submodules (which may name model itself through `super::`).
    let mut files = vec![("src/model.rs".to_string(), false)];
    for entry in std::fs::read_dir(root.join("src/model"))
        .into_iter()
        .flatten()
    {
        let path = entry.unwrap().path();
        files.push((
            format!("src/model/{}", path.file_name().unwrap().to_string_lossy()),
            true,
        ));
    }
    let mut wrong = Vec::new();
    for (file, submodule) in &files {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for (line, code) in code_lines(&text) {
            if code.contains("crate::") || (!submodule && code.contains("super::")) {
                wrong.push(format!("{file}:{line}: {}", code.trim()));
            }
            for name in &crates {
                let used = code.match_indices(&format!("{name}::")).any(|(at, _)| {
                    !code[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| is_ident(c) || c == ':')
                });
                if used && !MODEL_CRATES.contains(&name.as_str()) {
                    wrong.push(format!("{file}:{line}: uses {name}"));
                }
            }
        }
    }
    assert!(files.len() > 1, "the action ids live in src/model/");
    assert!(
        wrong.is_empty(),
        "model is pure data: std, jiff, serde and sha2 only\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_layer_check_reads_groups_and_super_paths() {
    // The reader itself: a grouped import names each module, and `super::` climbs from
    // the file's own module.
    assert_eq!(
        names_after("crate::{db, model::Incident};", "crate::".len()),
        [
            vec!["db".to_string()],
            vec!["model".into(), "Incident".into()]
        ]
    );
    assert_eq!(module_of(Path::new("web/actions.rs")), ["web", "actions"]);
    assert_eq!(module_of(Path::new("db/mod.rs")), ["db"]);
    let refs = references();
    assert!(
        refs.iter()
            .any(|r| r.file == "src/serve.rs" && r.path.first().is_some_and(|m| m == "import")),
        "serve's use of import was not seen"
    );
    assert!(
        refs.iter()
            .any(|r| r.file == "src/web/api.rs"
                && r.path.starts_with(&["web".into(), "forms".into()])),
        "web::api's `super::forms` was not resolved"
    );
}
