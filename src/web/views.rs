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
