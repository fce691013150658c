//! Cross-links: references written in a document (links to other postmortem files,
//! slugs, ticket IDs) resolved to incident pages or ticket URLs.
//!
//! Invariant: only http(s) URLs and internal paths are ever produced.

use crate::config::TicketLink;

/// Where a reference leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Another incident in the knowledge base.
    Incident { slug: String, title: String },
    /// A ticket or web page outside.
    External { url: String },
    /// Nothing known: shown as text.
    Unresolved,
}

/// A reference as shown on a page.
#[derive(Debug, Clone)]
pub struct Link {
    pub text: String,
    pub target: Target,
}

/// The file stem a reference points at: `../2019-06-26-x.md#top` -> `2019-06-26-x`.
fn stem(target: &str) -> &str {
    let t = target.split(['#', '?']).next().unwrap_or(target);
    let t = t.trim_end_matches('/');
    let last = t.rsplit('/').next().unwrap_or(t);
    match last.rsplit_once('.') {
        Some((s, "md" | "markdown" | "rst" | "txt" | "html" | "htm")) => s,
        _ => last,
    }
}

/// Resolves one reference against the known incidents `(slug, title, source path)`.
pub fn resolve(
    target: &str,
    incidents: &[(String, String, String)],
    tickets: &[TicketLink],
) -> Target {
    let s = stem(target);
    if !s.is_empty() {
        for (slug, title, path) in incidents {
            let file_stem = stem(path);
            if s == slug || s == file_stem {
                return Target::Incident {
                    slug: slug.clone(),
                    title: title.clone(),
                };
            }
        }
    }
    for t in tickets {
        if let Some(url) = t.url_for(target) {
            return Target::External { url };
        }
    }
    if target.starts_with("https://") || target.starts_with("http://") {
        return Target::External {
            url: target.to_string(),
        };
    }
    Target::Unresolved
}

/// Whether `target` (written in some document) points at the incident `slug`/`path`.
pub fn points_at(target: &str, slug: &str, path: &str) -> bool {
    let s = stem(target);
    !s.is_empty() && (s == slug || s == stem(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_links_slugs_and_tickets_resolve() {
        let incidents = vec![(
            "2019-06-26-darkmyst".to_string(),
            "Darkmyst".to_string(),
            "/x/incidents/2019-06-26-darkmyst.txt".to_string(),
        )];
        let tickets = vec![TicketLink {
            prefix: "OTG".into(),
            url: "https://tickets.example.org/{id}".into(),
        }];
        assert!(matches!(
            resolve(
                "../incidents/2019-06-26-darkmyst.txt#x",
                &incidents,
                &tickets
            ),
            Target::Incident { .. }
        ));
        assert!(matches!(
            resolve("2019-06-26-darkmyst", &incidents, &tickets),
            Target::Incident { .. }
        ));
        assert_eq!(
            resolve("OTG0150847", &incidents, &tickets),
            Target::External {
                url: "https://tickets.example.org/OTG0150847".into()
            }
        );
        assert_eq!(
            resolve("javascript:alert(1)", &incidents, &tickets),
            Target::Unresolved
        );
        assert!(points_at(
            "./2019-06-26-darkmyst.txt",
            "2019-06-26-darkmyst",
            "/a/2019-06-26-darkmyst.txt"
        ));
    }
}
