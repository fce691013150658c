//! The incidents list and the incident page.

use super::links::{self, Link, Target};
use super::query::LenientQuery;
use super::views::{ActionLine, IncidentItem, incident_items};
use super::{AppError, AppState, format, page};
use crate::db::browse::{self, ListFilter, RelatedRow};
use crate::render::SafeHtml;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(list))
        .route("/incidents/{slug}", get(show))
}

const PER_PAGE: i64 = 25;

/// Query parameters of the list, all optional and parsed leniently: a bad value is
/// ignored with a note rather than rejected.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    year: Option<String>,
    system: Option<String>,
    tag: Option<String>,
    severity: Option<String>,
    open: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    page: Option<String>,
}

/// A link in the filter bar: label, href, whether it is the current choice, count.
pub struct Choice {
    pub label: String,
    pub href: String,
    pub active: bool,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct ListPage {
    title: String,
    incidents: Vec<IncidentItem>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    years: Vec<Choice>,
    systems: Vec<Choice>,
    tags: Vec<Choice>,
    severities: Vec<Choice>,
    open_choice: Choice,
    sort_date_href: String,
    sort_title_href: String,
    sort_title: bool,
    ascending: bool,
    notes: Vec<String>,
    active_filters: Vec<(String, String)>,
}

/// The list's state, to build links that change one thing and keep the rest.
#[derive(Clone, Default)]
struct ListState {
    year: Option<i32>,
    system: Option<String>,
    tag: Option<String>,
    severity: Option<String>,
    open: bool,
    sort_title: bool,
    ascending: bool,
    page: i64,
}

impl ListState {
    fn href(&self) -> String {
        let mut parts = Vec::new();
        if let Some(y) = self.year {
            parts.push(format!("year={y}"));
        }
        for (k, v) in [
            ("system", &self.system),
            ("tag", &self.tag),
            ("severity", &self.severity),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}={}", format::query_value(v)));
            }
        }
        if self.open {
            parts.push("open=1".into());
        }
        if self.sort_title {
            parts.push("sort=title".into());
        }
        if self.ascending != self.sort_title {
            parts.push(format!(
                "order={}",
                if self.ascending { "asc" } else { "desc" }
            ));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            "/incidents".into()
        } else {
            format!("/incidents?{}", parts.join("&"))
        }
    }

    fn with(&self, f: impl FnOnce(&mut ListState)) -> String {
        let mut s = self.clone();
        s.page = 1;
        f(&mut s);
        s.href()
    }
}

fn choices(
    values: &[(String, i64)],
    current: &Option<String>,
    state: &ListState,
    set: impl Fn(&mut ListState, Option<String>),
) -> Vec<Choice> {
    values
        .iter()
        .map(|(v, n)| {
            let active = current
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(v));
            Choice {
                label: v.clone(),
                href: state.with(|s| set(s, if active { None } else { Some(v.clone()) })),
                active,
                count: *n,
            }
        })
        .collect()
}

async fn list(
    State(state): State<AppState>,
    LenientQuery(params): LenientQuery<ListParams>,
) -> Result<Html<String>, AppError> {
    let mut notes = Vec::new();
    let clean = |v: Option<String>| {
        v.map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s.len() <= 200)
    };
    let year = match clean(params.year) {
        Some(y) => match y.parse::<i32>() {
            Ok(y) if (1970..=2200).contains(&y) => Some(y),
            _ => {
                notes.push(format!("\"{y}\" is not a year; showing all years."));
                None
            }
        },
        None => None,
    };
    let sort_title = params.sort.as_deref() == Some("title");
    let ascending = match params.order.as_deref() {
        Some("asc") => true,
        Some("desc") => false,
        _ => sort_title,
    };
    let mut page_no = params
        .page
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let mut ls = ListState {
        year,
        system: clean(params.system),
        tag: clean(params.tag),
        severity: clean(params.severity),
        open: params
            .open
            .is_some_and(|v| v == "1" || v == "true" || v == "on"),
        sort_title,
        ascending,
        page: page_no,
    };
    let filter = ListFilter {
        year: ls.year,
        system: ls.system.clone(),
        tag: ls.tag.clone(),
        severity: ls.severity.clone(),
        open_actions: ls.open,
        sort_title,
        ascending,
        offset: (page_no - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let (mut incidents, total) = browse::list(&state.pool, &filter).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    if page_no > pages {
        // A stale or hand-edited link past the end shows the last page, not an empty one.
        notes.push(format!(
            "There is no page {page_no}; showing the last page, {pages}."
        ));
        page_no = pages;
        ls.page = pages;
        let last = ListFilter {
            offset: (pages - 1) * PER_PAGE,
            ..filter
        };
        incidents = browse::list(&state.pool, &last).await?.0;
    }
    let facets = state
        .cache
        .memo(&state.cache.facets, browse::facets(&state.pool))
        .await?;
    let years: Vec<(String, i64)> = facets.years.clone();
    let year_choices = years
        .iter()
        .map(|(y, n)| {
            let active = ls.year.map(|v| format!("{v:04}")) == Some(y.clone());
            Choice {
                label: y.clone(),
                href: ls.with(|s| s.year = if active { None } else { y.parse().ok() }),
                active,
                count: *n,
            }
        })
        .collect();
    let mut active_filters = Vec::new();
    if let Some(y) = ls.year {
        active_filters.push((format!("year {y}"), ls.with(|s| s.year = None)));
    }
    if let Some(v) = &ls.system {
        active_filters.push((format!("system {v}"), ls.with(|s| s.system = None)));
    }
    if let Some(v) = &ls.tag {
        active_filters.push((format!("tag {v}"), ls.with(|s| s.tag = None)));
    }
    if let Some(v) = &ls.severity {
        active_filters.push((format!("severity {v}"), ls.with(|s| s.severity = None)));
    }
    if ls.open {
        active_filters.push(("with open actions".into(), ls.with(|s| s.open = false)));
    }
    let open_count = *state
        .cache
        .memo(
            &state.cache.open_incidents,
            browse::open_action_incidents(&state.pool),
        )
        .await?;
    page(&ListPage {
        title: "Incidents".into(),
        total,
        page: page_no,
        pages,
        prev_href: (page_no > 1).then(|| {
            let mut s = ls.clone();
            s.page = page_no - 1;
            s.href()
        }),
        next_href: (page_no < pages).then(|| {
            let mut s = ls.clone();
            s.page = page_no + 1;
            s.href()
        }),
        years: year_choices,
        systems: choices(&facets.systems, &ls.system, &ls, |s, v| s.system = v),
        tags: choices(&facets.tags, &ls.tag, &ls, |s, v| s.tag = v),
        severities: choices(&facets.severities, &ls.severity, &ls, |s, v| s.severity = v),
        open_choice: Choice {
            label: "with open actions".into(),
            href: ls.with(|s| s.open = !s.open),
            active: ls.open,
            count: open_count,
        },
        sort_date_href: ls.with(|s| {
            s.ascending = if s.sort_title { false } else { !s.ascending };
            s.sort_title = false;
        }),
        sort_title_href: ls.with(|s| {
            s.ascending = if s.sort_title { !s.ascending } else { true };
            s.sort_title = true;
        }),
        sort_title,
        ascending,
        notes,
        active_filters,
        incidents: incident_items(incidents),
    })
}

/// One timeline entry as shown.
pub struct EntryView {
    pub source_text: String,
    /// Why it was extracted: where it was written, and the rule that took it.
    pub why: String,
    pub instant: String,
    pub text: String,
    /// Position on the time axis, 0–1000, when the instant is known.
    pub axis_x: Option<i64>,
}

/// An action as shown on the incident page.
pub struct ActionView {
    pub action: ActionLine,
    pub ticket_url: Option<String>,
    pub overdue: bool,
}

/// A related incident and why it is related.
pub struct Related {
    pub slug: String,
    pub title: String,
    pub started: Option<String>,
    pub reason: String,
}

impl From<RelatedRow> for Related {
    fn from(row: RelatedRow) -> Related {
        Related {
            slug: row.slug,
            title: row.title,
            started: row.started,
            reason: row.reason,
        }
    }
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    title: String,
    /// When the source file went missing from the imported folders.
    missing_since: Option<String>,
    /// Root causes with their lines.
    causes: Vec<(String, i64)>,
    source_path: String,
    format: String,
    imported_at: String,
    /// Import warnings: line and message.
    warnings: Vec<(u32, String)>,
    document: std::sync::Arc<SafeHtml>,
    timeline: Vec<EntryView>,
    axis: Vec<(i64, String)>,
    has_axis: bool,
    facts: Vec<(String, String)>,
    actions: Vec<ActionView>,
    systems: Vec<(String, String)>,
    tags: Vec<(String, String)>,
    references: Vec<Link>,
    backlinks: Vec<(String, String)>,
    related: Vec<Related>,
    visitor: super::identity::Visitor,
    statuses: Vec<(&'static str, &'static str)>,
    back: String,
}

/// Words in an entry that mark when the problem was noticed or fixed.
const DETECTED: &[&str] = &[
    "detect",
    "alert",
    "notic",
    "report",
    "page",
    "aware",
    "identified",
];
const RESOLVED: &[&str] = &[
    "resolv",
    "restor",
    "recover",
    "fixed",
    "back to normal",
    "mitigat",
    "all clear",
    "operational",
];

fn first_matching(rows: &[browse::TimelineRow], words: &[&str]) -> Option<i64> {
    rows.iter().find_map(|r| {
        let t = r.text.to_lowercase();
        words
            .iter()
            .any(|w| t.contains(w))
            .then_some(r.utc_seconds)
            .flatten()
    })
}

/// Started, duration, time to detect and to resolve, where the timeline has instants.
fn facts(i: &browse::IncidentDetail) -> Vec<(String, String)> {
    let mut facts = Vec::new();
    if let Some(s) = &i.started {
        facts.push(("Started".into(), s.clone()));
    }
    if let Some(z) = &i.timezone {
        facts.push(("Time zone".into(), z.clone()));
    }
    if let Some(s) = &i.severity {
        facts.push(("Severity".into(), s.clone()));
    }
    let instants: Vec<i64> = i.timeline.iter().filter_map(|r| r.utc_seconds).collect();
    if let (Some(first), Some(last)) = (instants.iter().min(), instants.iter().max()) {
        if last > first {
            facts.push(("Timeline spans".into(), format::duration(last - first)));
        }
        if let Some(d) = first_matching(&i.timeline, DETECTED).filter(|d| d > first) {
            facts.push(("Time to detect".into(), format::duration(d - first)));
        }
        if let Some(r) = first_matching(&i.timeline, RESOLVED).filter(|r| r > first) {
            facts.push(("Time to resolve".into(), format::duration(r - first)));
        }
    }
    if !i.authors.is_empty() {
        facts.push(("Authors".into(), i.authors.join(", ")));
    }
    facts
}

async fn show(
    State(state): State<AppState>,
    visitor: super::identity::Visitor,
    Path(slug): Path<String>,
) -> Result<axum::response::Response, AppError> {
    let Some(i) = browse::incident(&state.pool, &slug).await? else {
        return Err(AppError::NotFound);
    };
    let document = {
        let format = crate::model::Format::parse(&i.format).unwrap_or(crate::model::Format::Text);
        let (source, body) = (i.source.clone(), i.body.clone());
        state
            .cache
            .documents
            .get_or_render(i.id, &i.content_hash, move || {
                crate::render::document(format, source.as_deref(), &body)
            })
            .await
    };
    let related = browse::related(&state.pool, i.id).await?;
    let internal = browse::links_from(&state.pool, i.id).await?;
    let references = i
        .references
        .iter()
        .map(|t| Link {
            text: t.clone(),
            target: match internal.iter().find(|(target, _, _)| target == t) {
                Some((_, slug, title)) => Target::Incident {
                    slug: slug.clone(),
                    title: title.clone(),
                },
                None => links::resolve(t, &[], &state.site.tickets),
            },
        })
        .collect();
    let backlinks = browse::links_to(&state.pool, i.id).await?;
    let instants: Vec<i64> = i.timeline.iter().filter_map(|r| r.utc_seconds).collect();
    let (lo, hi) = (
        instants.iter().min().copied().unwrap_or(0),
        instants.iter().max().copied().unwrap_or(0),
    );
    let span = (hi - lo).max(1);
    let timeline: Vec<EntryView> = i
        .timeline
        .iter()
        .map(|r| EntryView {
            source_text: r.source_text.clone(),
            why: if r.rule.is_empty() {
                format!("as written, line {}", r.line)
            } else {
                format!("as written, line {}; {}", r.line, r.rule)
            },
            instant: format::entry_instant(r),
            text: r.text.clone(),
            axis_x: r
                .utc_seconds
                .filter(|_| hi > lo)
                .map(|s| 20 + (s - lo) * 960 / span),
        })
        .collect();
    let axis = if hi > lo {
        vec![(20, format::utc(lo)), (980, format::utc(hi))]
    } else {
        Vec::new()
    };
    let today = format::today();
    let actions = i
        .actions
        .iter()
        .map(|a| ActionView {
            ticket_url: a.ticket.as_deref().and_then(|t| {
                match links::resolve(t, &[], &state.site.tickets) {
                    Target::External { url } => Some(url),
                    _ => None,
                }
            }),
            overdue: !a.removed
                && matches!(a.status.as_str(), "open" | "in_progress" | "unknown")
                && a.due.as_deref().is_some_and(|d| d < today.as_str()),
            action: ActionLine::from(a.clone()),
        })
        .collect();
    let pair = |v: &Vec<String>| {
        v.iter()
            .map(|s| (format::path_segment(s), s.clone()))
            .collect()
    };
    let html = page(&IncidentPage {
        back: format!("/incidents/{}#actions", i.slug),
        visitor: visitor.clone(),
        statuses: super::forms::status_choices(),
        title: i.title.clone(),
        document,
        has_axis: !axis.is_empty(),
        axis,
        timeline,
        facts: facts(&i),
        actions,
        systems: pair(&i.systems),
        tags: pair(&i.tags),
        references,
        backlinks,
        related: related.into_iter().map(Related::from).collect(),
        missing_since: i.missing_since,
        causes: i.causes,
        source_path: i.source_path,
        format: i.format,
        imported_at: i.imported_at,
        warnings: i
            .warnings
            .into_iter()
            .map(|w| (w.line, w.message))
            .collect(),
    })?;
    Ok(super::forms::with_cookie(&visitor, html))
}
