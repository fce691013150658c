//! The `exclude` setting: patterns of files and folders an import leaves out of the
//! folders it reads (`exclude = ["drafts/**", "*.tmp.md"]`), the subset of `.gitignore`
//! patterns people write: a pattern without `/` matches a file or folder name at any
//! depth; one with `/` matches the path from the imported folder; `*` and `?` stay
//! within a name, `**` spans folders; a trailing `/` matches folders only.
//!
//! Invariant: pure; a path is matched on its components, so `*` never crosses a `/`.

use std::path::Path;

/// The patterns of one import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exclude {
    patterns: Vec<Pattern>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pattern {
    /// The pattern's names, `**` among them.
    parts: Vec<String>,
    /// Matched from the imported folder (the pattern has a `/` before its end).
    anchored: bool,
    /// Matches folders only (the pattern ends in `/`).
    folders_only: bool,
}

impl Exclude {
    /// The patterns as written in the settings (an empty one matches nothing).
    pub fn new(patterns: &[String]) -> Exclude {
        let mut out = Vec::new();
        for raw in patterns {
            let text = raw.trim();
            let folders_only = text.ends_with('/');
            let trimmed = text.trim_end_matches('/');
            // A `/` before the end anchors the pattern at the imported folder, as in
            // `.gitignore`; a leading `./` (`./tmp`) means the same, so it is read
            // before being dropped.
            let anchored = trimmed.contains('/');
            let body = trimmed.trim_start_matches("./");
            if body.is_empty() {
                continue;
            }
            let parts = body
                .trim_start_matches('/')
                .split('/')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            out.push(Pattern {
                parts,
                anchored,
                folders_only,
            });
        }
        Exclude { patterns: out }
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether `relative` (a path below an imported folder) is left out; `folder` says
    /// whether it is a folder (then nothing below it is read).
    pub fn excludes(&self, relative: &Path, folder: bool) -> bool {
        let names: Vec<String> = relative
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        if names.is_empty() {
            return false;
        }
        self.patterns.iter().any(|p| {
            if p.folders_only && !folder {
                return false;
            }
            if p.anchored {
                parts_match(&p.parts, &names)
            } else {
                // A bare name matches the last component, at any depth.
                names
                    .last()
                    .is_some_and(|name| p.parts.len() == 1 && name_matches(&p.parts[0], name))
            }
        })
    }
}

/// Whether the pattern's parts match all of `names`; `**` matches any number of them.
fn parts_match(parts: &[String], names: &[String]) -> bool {
    match parts.split_first() {
        None => names.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=names.len()).any(|skip| parts_match(rest, &names[skip..]))
        }
        Some((first, rest)) => names
            .split_first()
            .is_some_and(|(name, others)| name_matches(first, name) && parts_match(rest, others)),
    }
}

/// Whether one name matches one pattern part: `*` any run of characters, `?` one.
fn name_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // The classic two-pointer wildcard match, backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exclude(patterns: &[&str]) -> Exclude {
        Exclude::new(&patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn the_documented_patterns_leave_out_drafts_and_temporary_files() {
        let e = exclude(&["drafts/**", "*.tmp.md"]);
        assert!(e.excludes(Path::new("drafts"), true));
        assert!(e.excludes(Path::new("drafts/2024-01-01-wip.md"), false));
        assert!(e.excludes(Path::new("drafts/old/x.md"), false));
        assert!(e.excludes(Path::new("2024/outage.tmp.md"), false));
        assert!(e.excludes(Path::new("outage.tmp.md"), false));
        assert!(!e.excludes(Path::new("2024/outage.md"), false));
        assert!(!e.excludes(Path::new("2024/drafts.md"), false));
        assert!(
            !e.excludes(Path::new("team/drafts/x.md"), false),
            "anchored"
        );
    }

    #[test]
    fn stars_stay_within_a_name_and_double_stars_span_folders() {
        let e = exclude(&["archive/*.md", "**/scratch/", "notes-??.txt"]);
        assert!(e.excludes(Path::new("archive/a.md"), false));
        assert!(!e.excludes(Path::new("archive/2019/a.md"), false));
        assert!(e.excludes(Path::new("a/b/scratch"), true));
        assert!(!e.excludes(Path::new("a/b/scratch"), false), "folders only");
        assert!(e.excludes(Path::new("notes-01.txt"), false));
        assert!(!e.excludes(Path::new("notes-1.txt"), false));
        assert!(name_matches("*a*b*", "xxaxxbxx"));
        assert!(!name_matches("*a*b", "xxaxxbxx"));
    }

    #[test]
    fn leading_slashes_and_dots_anchor_and_bare_names_match_at_any_depth() {
        let e = exclude(&["/old", "./tmp/", "scratch", "**/*.bak.md"]);
        assert!(e.excludes(Path::new("old"), true));
        assert!(e.excludes(Path::new("old"), false));
        assert!(
            !e.excludes(Path::new("team/old"), true),
            "anchored by its /"
        );
        assert!(e.excludes(Path::new("tmp"), true));
        assert!(!e.excludes(Path::new("tmp"), false), "folders only");
        assert!(!e.excludes(Path::new("a/tmp"), true), "anchored by ./");
        assert!(e.excludes(Path::new("scratch"), true));
        assert!(e.excludes(Path::new("2024/q1/scratch"), true));
        assert!(e.excludes(Path::new("2024/scratch"), false));
        assert!(!e.excludes(Path::new("2024/scratchpad.md"), false));
        assert!(e.excludes(Path::new("x.bak.md"), false));
        assert!(e.excludes(Path::new("a/b/c/x.bak.md"), false));
        assert!(!e.excludes(Path::new("a/b/c/x.md"), false));
    }

    #[test]
    fn names_are_matched_by_characters_and_exactly_in_case() {
        let e = exclude(&["brouillon-?.md", "Drafts"]);
        assert!(e.excludes(Path::new("brouillon-é.md"), false));
        assert!(!e.excludes(Path::new("brouillon-éé.md"), false));
        assert!(!e.excludes(Path::new("drafts"), true));
        assert!(e.excludes(Path::new("Drafts"), true));
    }

    #[test]
    fn an_empty_pattern_matches_nothing() {
        assert!(exclude(&[" / ", ""]).is_empty());
        assert!(!exclude(&["/"]).excludes(Path::new("a.md"), false));
    }
}
