//! The view structs more than one page shows: an incident in a list and an action in a
//! list. Templates receive these, never `db` rows, so a query can change its columns
//! without a template knowing.

use crate::db::browse::{ActionBrief, IncidentSummary};

/// An incident in a list (home, incidents, search, system and tag pages).
pub struct IncidentItem {
    pub slug: String,
    pub title: String,
    pub started: Option<String>,
    pub severity: Option<String>,
    pub systems: Vec<String>,
    pub open_actions: i64,
    /// Its source file is gone from the imported folders.
    pub missing: bool,
}

impl From<IncidentSummary> for IncidentItem {
    fn from(row: IncidentSummary) -> IncidentItem {
        IncidentItem {
            slug: row.slug,
            title: row.title,
            started: row.started,
            severity: row.severity,
            systems: row.systems,
            open_actions: row.open_actions,
            missing: row.missing,
        }
    }
}

/// The list items of a page from its rows.
pub fn incident_items(rows: Vec<IncidentSummary>) -> Vec<IncidentItem> {
    rows.into_iter().map(IncidentItem::from).collect()
}

/// An action as listed on an incident, system or tag page.
pub struct ActionLine {
    pub id: String,
    pub incident_slug: String,
    pub incident_title: String,
    pub text: String,
    /// The stored value (`in_progress`), not its label.
    pub status: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub ticket: Option<String>,
    /// No longer in its document.
    pub removed: bool,
}

impl From<ActionBrief> for ActionLine {
    fn from(row: ActionBrief) -> ActionLine {
        ActionLine {
            id: row.id,
            incident_slug: row.incident_slug,
            incident_title: row.incident_title,
            text: row.text,
            status: row.status,
            owner: row.owner,
            due: row.due,
            ticket: row.ticket,
            removed: row.removed,
        }
    }
}

/// A position in a paged list as clients see it: opaque (URL-safe base64 of the list's
/// order and the last row's sort key), so the form can change without breaking links,
/// and tied to its order, so a cursor taken in one order is never applied to another.
pub mod cursor {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    /// The cursor after a row whose sort key is `key`, in the order named `order`.
    pub fn encode(order: &str, key: &str) -> String {
        URL_SAFE_NO_PAD.encode(format!("{order}:{key}"))
    }

    /// The sort key in `cursor` when it was made for `order`; `None` for anything else
    /// (a cursor from another order, or not one of ours).
    pub fn decode(order: &str, cursor: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor.trim().as_bytes()).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let (o, key) = text.split_once(':')?;
        (o == order).then(|| key.to_string())
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn a_cursor_reads_back_only_in_its_own_order() {
            let c = super::encode("due", "[\"2024-01-01\",\"a\",3]");
            assert_eq!(
                super::decode("due", &c).as_deref(),
                Some("[\"2024-01-01\",\"a\",3]")
            );
            assert_eq!(super::decode("age", &c), None);
            assert_eq!(super::decode("due", "not a cursor!"), None);
        }
    }
}
