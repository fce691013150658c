//! Front matter: YAML between `---` lines or TOML between `+++` lines at the very top of
//! a Markdown file. Known keys fill `Meta`; unknown keys are ignored; a block that does
//! not parse becomes a warning and is still removed from the body.
//!
//! Invariant: `split` never loses body lines: the body it returns starts at
//! `body_line` of the original file.

use super::document::Meta;
use crate::model::Warning;
use serde_json::Value;

/// The result of looking for front matter.
pub struct Split<'a> {
    pub meta: Meta,
    /// The text after the front matter (the whole text when there is none).
    pub body: &'a str,
    /// 1-based line of the original file where `body` starts.
    pub body_line: u32,
    pub warnings: Vec<Warning>,
}

/// YAML documents larger than this are not front matter worth parsing.
const MAX_FRONT_MATTER: usize = 64 * 1024;

/// Separates front matter from the body and reads it.
pub fn split(text: &str) -> Split<'_> {
    let none = || Split {
        meta: Meta::default(),
        body: text,
        body_line: 1,
        warnings: Vec::new(),
    };
    let fence = if text.starts_with("---") {
        "---"
    } else if text.starts_with("+++") {
        "+++"
    } else {
        return none();
    };
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != fence {
        return none();
    }
    // Find the closing fence line.
    let mut offset = first_end + 1;
    let mut line = 2u32;
    while offset <= text.len() {
        let rest = &text[offset.min(text.len())..];
        let end = rest.find('\n').map_or(rest.len(), |i| i);
        let candidate = rest[..end].trim_end();
        if candidate == fence || (fence == "---" && candidate == "...") {
            let raw = &text[first_end + 1..offset];
            let body_start = (offset + end + 1).min(text.len());
            let mut split = Split {
                meta: Meta {
                    line: 1,
                    ..Meta::default()
                },
                body: &text[body_start..],
                body_line: line + 1,
                warnings: Vec::new(),
            };
            read_into(raw, fence, &mut split);
            return split;
        }
        if end == rest.len() || offset - first_end > MAX_FRONT_MATTER {
            break;
        }
        offset += end + 1;
        line += 1;
    }
    // An opening fence with no closing one is a thematic break, not front matter.
    none()
}

fn read_into(raw: &str, fence: &str, split: &mut Split<'_>) {
    let parsed: Result<Value, String> = if fence == "---" {
        serde_saphyr::from_str::<Value>(raw).map_err(|e| e.to_string())
    } else {
        toml::from_str::<toml::Table>(raw)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::to_value(t).map_err(|e| e.to_string()))
    };
    let value = match parsed {
        Ok(v) => v,
        Err(e) => {
            let first = e.lines().next().unwrap_or("").to_string();
            split
                .warnings
                .push(Warning::new(1, format!("front matter ignored: {first}")));
            return;
        }
    };
    let Value::Object(map) = value else {
        if !value.is_null() {
            split.warnings.push(Warning::new(
                1,
                "front matter ignored: it is not a mapping of keys to values",
            ));
        }
        return;
    };
    let meta = &mut split.meta;
    for (key, value) in &map {
        match key.to_ascii_lowercase().as_str() {
            "title" => meta.title = scalar(value),
            "date" | "started" | "start" => meta.date = scalar(value),
            "timezone" | "tz" | "zone" | "time_zone" => meta.timezone = scalar(value),
            "severity" | "sev" | "priority" => meta.severity = scalar(value),
            "tags" | "tag" | "labels" | "categories" | "category" => meta.tags = list(value),
            "systems" | "system" | "services" | "service" | "components" => {
                meta.systems = list(value)
            }
            "authors" | "author" | "owners" => meta.authors = list(value),
            _ => {}
        }
    }
}

/// A scalar as text: strings, numbers and booleans; lists and maps are not scalars.
fn scalar(value: &Value) -> Option<String> {
    let s = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A list from either a sequence or a comma-separated string.
fn list(value: &Value) -> Vec<String> {
    let mut out: Vec<String> = match value {
        Value::Array(items) => items.iter().filter_map(scalar).collect(),
        other => scalar(other)
            .map(|s| {
                s.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    };
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter_fills_meta_and_reports_body_line() {
        let text = "---\ntitle: Disk full\ndate: 2021-03-04\ntags: [disk, storage]\nsystems: postgres, nginx\nextra: 1\n---\n# Body\n";
        let s = split(text);
        assert_eq!(s.meta.title.as_deref(), Some("Disk full"));
        assert_eq!(s.meta.date.as_deref(), Some("2021-03-04"));
        assert_eq!(s.meta.tags, ["disk", "storage"]);
        assert_eq!(s.meta.systems, ["postgres", "nginx"]);
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 8);
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn toml_front_matter_is_read() {
        let s = split("+++\ntitle = \"Outage\"\nauthors = [\"Ann\"]\n+++\nbody");
        assert_eq!(s.meta.title.as_deref(), Some("Outage"));
        assert_eq!(s.meta.authors, ["Ann"]);
        assert_eq!(s.body, "body");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn broken_front_matter_warns_and_keeps_the_body() {
        let s = split("---\ntitle: [unclosed\n---\nbody\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.warnings.len(), 1);
        assert!(s.warnings[0].message.starts_with("front matter ignored"));
    }

    #[test]
    fn a_lone_rule_is_not_front_matter() {
        let s = split("---\nno closing fence\n");
        assert_eq!(s.body_line, 1);
        assert!(s.body.starts_with("---"));
    }

    #[test]
    fn invalid_dates_are_kept_as_text_for_the_extractor_to_judge() {
        let s = split("---\ndate: 30/30/30\nincident: 001\n---\n");
        assert_eq!(s.meta.date.as_deref(), Some("30/30/30"));
    }
}
