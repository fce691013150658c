//! Composing digests: database rows in, one view per recipient out, rendered through
//! the subject, text and HTML templates in `templates/digest/`.
//!
//! Invariant: pure and synchronous. Every item carries the web UI link of its page,
//! and the HTML template escapes everything that came from a document.

use crate::db::digest::{DigestActionRow, NewIncidentRow};
use askama::Template;
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::BTreeMap;

/// Longest action text shown before it is cut with an ellipsis.
const MAX_TEXT: usize = 160;

/// A postmortem first imported in the week is "new" when its incident started within
/// this many days; older ones (a first import of history, say) are one line.
const NEW_WITHIN_DAYS: i64 = 30;

/// The days a digest covers and the one week label it goes by: the seven days before
/// its as-of day, labelled by the ISO week of the last of them, so the label and the
/// dates agree (a Monday digest covers Monday to Sunday of the week it names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub since: Date,
    pub until: Date,
    pub week: String,
}

/// The period of the digest composed as of `as_of`.
pub fn period(as_of: Date) -> Period {
    let until = as_of.yesterday().unwrap_or(as_of);
    Period {
        since: as_of - jiff::Span::new().days(7),
        until,
        week: week_key(until),
    }
}

/// What composing needs to know besides the rows.
#[derive(Debug, Clone)]
pub struct ComposeOptions {
    /// The web UI's base URL, without a trailing slash.
    pub base_url: String,
    /// The instant the digest is composed for (the scheduled send time).
    pub as_of: Timestamp,
    /// The day of `as_of` in the schedule's zone: overdue counts from it.
    pub today: Date,
    /// An open action unchanged for this many days is stale.
    pub stale_days: i64,
    /// Owner name (any case) to address.
    pub owners: BTreeMap<String, String>,
    /// The team recipients: an owner among them needs no digest of their own.
    pub team: Vec<String>,
    /// Mail domains (lowercase) an owner written as an address in a document may be
    /// mailed at; empty: any.
    pub allowed_domains: Vec<String>,
}

/// Who a digest is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Everything, for the configured team recipients.
    Team,
    /// Only the actions of these owner names, for their address.
    Owner { names: Vec<String>, address: String },
}

/// An action line in the digest.
#[derive(Debug, Clone)]
pub struct ActionItem {
    pub id: String,
    pub text: String,
    pub status: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub ticket: Option<String>,
    pub days_overdue: i64,
    /// Whole days since the action was last changed.
    pub idle_days: i64,
    pub incident_title: String,
    pub url: String,
    pub incident_url: String,
    created_at: String,
}

impl ActionItem {
    /// "owner alice, due 2026-11-20, ticket OPS-1, in progress", or "" when none apply.
    pub fn facts(&self) -> String {
        let mut parts = Vec::new();
        if let Some(o) = &self.owner {
            parts.push(format!("owner {o}"));
        }
        if let Some(d) = &self.due {
            parts.push(format!("due {d}"));
        }
        if let Some(t) = &self.ticket {
            parts.push(format!("ticket {t}"));
        }
        match self.status.as_str() {
            "in_progress" => parts.push("in progress".to_string()),
            "unknown" => parts.push("status unknown".to_string()),
            _ => {}
        }
        parts.join(", ")
    }

    /// "1 day overdue", "12 days overdue".
    pub fn overdue_label(&self) -> String {
        plural(self.days_overdue, "day") + " overdue"
    }

    /// "unchanged for 45 days".
    pub fn idle_label(&self) -> String {
        format!("unchanged for {}", plural(self.idle_days, "day"))
    }
}

fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The open actions of one owner.
#[derive(Debug, Clone)]
pub struct OwnerGroup {
    pub owner: String,
    /// The address the owner's own digest goes to, if any.
    pub address: Option<String>,
    pub actions: Vec<ActionItem>,
}

/// An incident imported during the week.
#[derive(Debug, Clone)]
pub struct IncidentItem {
    pub title: String,
    pub started: Option<String>,
    pub severity: Option<String>,
    pub url: String,
}

/// The numbers in the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub overdue: usize,
    pub open: usize,
    pub done: usize,
}

/// One composed digest, the view every template renders.
#[derive(Debug, Clone)]
pub struct Digest {
    pub audience: Audience,
    /// The ISO week the digest covers, e.g. 2026-W48 (see [`period`]).
    pub week: String,
    pub as_of: Date,
    /// First day of the seven-day window.
    pub since: Date,
    /// Last day of the seven-day window (the day before `as_of`).
    pub until: Date,
    pub base_url: String,
    pub stale_days: i64,
    pub overdue: Vec<ActionItem>,
    pub by_owner: Vec<OwnerGroup>,
    pub unowned: Vec<ActionItem>,
    pub stale: Vec<ActionItem>,
    pub done: Vec<ActionItem>,
    pub new_incidents: Vec<IncidentItem>,
    /// Postmortems first imported in the week whose incidents started long before (or
    /// give no date): counted, not listed.
    pub older_incidents: usize,
    pub counts: Counts,
}

impl Digest {
    /// "12 older postmortems were added", or "" when none were.
    pub fn older_line(&self) -> String {
        match self.older_incidents {
            0 => String::new(),
            1 => "1 older postmortem was added (started more than 30 days ago, or undated).".into(),
            n => format!(
                "{n} older postmortems were added (started more than 30 days ago, or undated)."
            ),
        }
    }

    /// True for the team digest.
    pub fn is_team(&self) -> bool {
        self.audience == Audience::Team
    }

    /// The owner names of an owner digest, joined ("" for the team).
    pub fn owner_names(&self) -> String {
        match &self.audience {
            Audience::Team => String::new(),
            Audience::Owner { names, .. } => names.join(", "),
        }
    }
}

/// A digest rendered to its three parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Template)]
#[template(path = "digest/subject.txt", escape = "none", whitespace = "preserve")]
struct SubjectTemplate<'a> {
    d: &'a Digest,
}

#[derive(Template)]
#[template(path = "digest/digest.txt", escape = "none", whitespace = "preserve")]
struct TextTemplate<'a> {
    d: &'a Digest,
}

#[derive(Template)]
#[template(path = "digest/digest.html", escape = "html", whitespace = "preserve")]
struct HtmlTemplate<'a> {
    d: &'a Digest,
}

/// Renders the subject, text part and HTML part of a digest.
pub fn render(d: &Digest) -> Result<Rendered, askama::Error> {
    let subject = SubjectTemplate { d }.render()?;
    Ok(Rendered {
        // A subject is one line, whatever the template's trailing newline.
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        text: TextTemplate { d }.render()?,
        html: HtmlTemplate { d }.render()?,
    })
}

/// The ISO week of a day, e.g. `2026-W49`: the key a week's sends are recorded under.
pub fn week_key(day: Date) -> String {
    let w = day.iso_week_date();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// The address an owner's digest goes to: the configured one, else the owner itself
/// when it is an email address in one of `allowed_domains` (any domain when empty).
/// Whoever writes a document chooses its owners, so without the check a document could
/// have the digest (titles, actions, links) mailed anywhere.
pub fn owner_address(
    owner: &str,
    owners: &BTreeMap<String, String>,
    allowed_domains: &[String],
) -> Option<String> {
    let owner = owner.trim();
    if let Some((_, address)) = owners
        .iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(owner))
    {
        return Some(address.trim().to_ascii_lowercase());
    }
    let bare = owner.trim_start_matches('<').trim_end_matches('>');
    let address = bare.parse::<lettre::Address>().ok()?;
    let domain = address.domain().trim_end_matches('.').to_ascii_lowercase();
    let allowed = allowed_domains.is_empty()
        || allowed_domains.iter().any(|d| {
            d.trim()
                .trim_start_matches('@')
                .eq_ignore_ascii_case(&domain)
        });
    allowed.then(|| bare.to_ascii_lowercase())
}

/// Composes the team digest and one digest per owner address, in that order. Owner
/// digests with nothing open or done are left out, as are owners whose address is a
/// team recipient (the team digest already reaches them).
pub fn compose(
    rows: &[DigestActionRow],
    incidents: &[NewIncidentRow],
    options: &ComposeOptions,
) -> Vec<Digest> {
    let items: Vec<(bool, ActionItem)> =
        rows.iter().map(|r| (r.open_at, item(r, options))).collect();
    // New postmortems are those of recent incidents; a first import of history is not news.
    let recent_since = (options.today - jiff::Span::new().days(NEW_WITHIN_DAYS)).to_string();
    let (recent, older): (Vec<&NewIncidentRow>, Vec<&NewIncidentRow>) =
        incidents.iter().partition(|i| {
            i.started
                .as_deref()
                .is_some_and(|s| s >= recent_since.as_str())
        });
    let new_incidents: Vec<IncidentItem> = recent
        .into_iter()
        .map(|i| IncidentItem {
            title: one_line(&i.title),
            started: i.started.clone(),
            severity: i.severity.clone(),
            url: format!("{}/incidents/{}", options.base_url, i.slug),
        })
        .collect();

    let mut digests = vec![build(
        Audience::Team,
        &items,
        new_incidents,
        older.len(),
        options,
    )];

    let team: Vec<String> = options
        .team
        .iter()
        .map(|t| t.trim().to_ascii_lowercase())
        .collect();
    let mut by_address: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, item) in &items {
        let Some(owner) = &item.owner else { continue };
        let Some(address) = owner_address(owner, &options.owners, &options.allowed_domains) else {
            continue;
        };
        if team.contains(&address) {
            continue;
        }
        let names = by_address.entry(address).or_default();
        if !names.contains(owner) {
            names.push(owner.clone());
        }
    }
    for (address, names) in by_address {
        let mine: Vec<(bool, ActionItem)> = items
            .iter()
            .filter(|(_, i)| i.owner.as_ref().is_some_and(|o| names.contains(o)))
            .cloned()
            .collect();
        digests.push(build(
            Audience::Owner { names, address },
            &mine,
            Vec::new(),
            0,
            options,
        ));
    }
    digests
}

fn build(
    audience: Audience,
    items: &[(bool, ActionItem)],
    new_incidents: Vec<IncidentItem>,
    older_incidents: usize,
    options: &ComposeOptions,
) -> Digest {
    let mut overdue = Vec::new();
    let mut groups: BTreeMap<(String, String), OwnerGroup> = BTreeMap::new();
    let mut unowned = Vec::new();
    let mut stale = Vec::new();
    let mut done = Vec::new();
    let mut open = 0;
    for (is_open, item) in items {
        if !is_open {
            done.push(item.clone());
            continue;
        }
        open += 1;
        if options.stale_days > 0 && item.idle_days >= options.stale_days {
            stale.push(item.clone());
        }
        if item.days_overdue > 0 {
            overdue.push(item.clone());
        } else if let Some(owner) = &item.owner {
            groups
                .entry((owner.to_lowercase(), owner.clone()))
                .or_insert_with(|| OwnerGroup {
                    owner: owner.clone(),
                    address: owner_address(owner, &options.owners, &options.allowed_domains),
                    actions: Vec::new(),
                })
                .actions
                .push(item.clone());
        } else {
            unowned.push(item.clone());
        }
    }
    // Most overdue first; ties in the order the actions were created.
    overdue.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.created_at.cmp(&b.created_at))
    });
    stale.sort_by(|a, b| {
        b.idle_days
            .cmp(&a.idle_days)
            .then(a.created_at.cmp(&b.created_at))
    });
    let counts = Counts {
        overdue: overdue.len(),
        open,
        done: done.len(),
    };
    let period = period(options.today);
    Digest {
        audience,
        week: period.week,
        as_of: options.today,
        since: period.since,
        until: period.until,
        base_url: options.base_url.clone(),
        stale_days: options.stale_days,
        overdue,
        by_owner: groups.into_values().collect(),
        unowned,
        stale,
        done,
        new_incidents,
        older_incidents,
        counts,
    }
}

fn item(r: &DigestActionRow, options: &ComposeOptions) -> ActionItem {
    let days_overdue = r
        .due
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
        .map(|due| options.today.duration_since(due).as_hours() / 24)
        .unwrap_or(0)
        .max(0);
    let idle_days = r
        .updated_at
        .parse::<Timestamp>()
        .map(|t| options.as_of.duration_since(t).as_hours() / 24)
        .unwrap_or(0);
    ActionItem {
        id: r.id.clone(),
        text: crate::text::truncate(&one_line(&r.text), MAX_TEXT),
        status: r.status.clone(),
        owner: r.owner.as_deref().map(one_line).filter(|o| !o.is_empty()),
        due: r.due.clone().filter(|d| !d.trim().is_empty()),
        ticket: r.ticket.as_deref().map(one_line).filter(|t| !t.is_empty()),
        days_overdue,
        idle_days,
        incident_title: one_line(&r.incident_title),
        url: format!("{}/actions/{}", options.base_url, r.id),
        incident_url: format!("{}/incidents/{}", options.base_url, r.incident_slug),
        created_at: r.created_at.clone(),
    }
}

/// Collapses whitespace (newlines included) so each item stays on its line.
fn one_line(text: &str) -> String {
    text.split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_get_their_configured_address_or_their_own_when_it_is_one() {
        let map = BTreeMap::from([("Alice".to_string(), "alice@example.org".to_string())]);
        assert_eq!(
            owner_address(" alice ", &map, &[]).as_deref(),
            Some("alice@example.org")
        );
        assert_eq!(
            owner_address("Bob@Example.org", &map, &[]).as_deref(),
            Some("bob@example.org")
        );
        assert_eq!(
            owner_address("<carol@example.org>", &map, &[]).as_deref(),
            Some("carol@example.org")
        );
        assert_eq!(owner_address("Carol", &map, &[]), None);
        assert_eq!(owner_address("@dave", &map, &[]), None);
    }

    #[test]
    fn an_owner_written_as_an_address_outside_the_allowed_domains_gets_no_digest() {
        let map = BTreeMap::from([("Alice".to_string(), "alice@partner.example".to_string())]);
        let allowed = ["example.org".to_string()];
        assert_eq!(
            owner_address("bob@Example.org", &map, &allowed).as_deref(),
            Some("bob@example.org")
        );
        assert_eq!(
            owner_address("mallory@attacker.example", &map, &allowed),
            None
        );
        assert_eq!(
            owner_address("eve@example.org.attacker.example", &map, &allowed),
            None
        );
        // The configuration's own mapping is trusted.
        assert_eq!(
            owner_address("alice", &map, &allowed).as_deref(),
            Some("alice@partner.example")
        );
    }

    #[test]
    fn week_keys_follow_iso_weeks_across_new_year() {
        assert_eq!(week_key(jiff::civil::date(2026, 11, 30)), "2026-W49");
        assert_eq!(week_key(jiff::civil::date(2027, 1, 1)), "2026-W53");
        assert_eq!(week_key(jiff::civil::date(2024, 12, 30)), "2025-W01");
    }

    #[test]
    fn a_digest_is_labelled_by_the_week_its_dates_cover() {
        let p = period(jiff::civil::date(2026, 11, 30));
        assert_eq!(p.since, jiff::civil::date(2026, 11, 23));
        assert_eq!(p.until, jiff::civil::date(2026, 11, 29));
        assert_eq!(p.week, "2026-W48");
        assert_eq!(week_key(p.since), p.week);
    }

    #[test]
    fn document_text_is_kept_on_one_line() {
        assert_eq!(one_line("a\n  b\tc\u{7}d"), "a b cd");
    }
}
