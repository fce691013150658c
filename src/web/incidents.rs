//! The incidents list and the incident page.

use super::links::{self, Link, Target};
use super::milestones::{self, Mark, Milestones};
use super::query::LenientQuery;
use super::timeline::{self, Axis, Clock, Placed};
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
    let facets = state.cache.facets(&state.pool).await?;
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
    /// The row's anchor, `entry-{n}`, what its mark on the axis links to.
    pub n: usize,
    pub source_text: String,
    /// Why it was extracted: where it was written, and the rule that took it.
    pub why: String,
    pub instant: String,
    pub text: String,
    /// Why its place in the document contradicts its time, when it does.
    pub out_of_order: Option<String>,
    /// "detected" or "resolved" when the page's times to detect or resolve come from it.
    pub milestone: Option<&'static str>,
}

/// An action as shown on the incident page.
pub struct ActionView {
    pub action: ActionLine,
    /// The rule that took it from the document (empty when not recorded).
    pub rule: String,
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

/// A time read from the timeline, with the entry it came from.
pub struct FromEntry {
    /// "3 h 20 min".
    pub value: String,
    /// The entry's anchor number (`None`: the front matter stated the time).
    pub n: Option<usize>,
    /// The entry's time and text.
    pub entry: String,
}

/// The actions of an incident in numbers: "3 open · 1 overdue · 5 done".
#[derive(Default)]
pub struct Tally {
    pub open: usize,
    pub overdue: usize,
    pub done: usize,
    pub wontfix: usize,
}

impl Tally {
    /// The parts worth saying, e.g. `["3 open", "1 overdue", "5 done"]`.
    pub fn parts(&self) -> Vec<String> {
        let mut parts = vec![format!("{} open", self.open)];
        if self.overdue > 0 {
            parts.push(format!("{} overdue", self.overdue));
        }
        parts.push(format!("{} done", self.done));
        if self.wontfix > 0 {
            parts.push(format!("{} won't fix", self.wontfix));
        }
        parts
    }
}

/// What the header block says before the document.
pub struct Glance {
    pub severity: Option<String>,
    pub started: Option<String>,
    /// "2022-12-06 20:30 – 23:10 (wall time)".
    pub window: Option<String>,
    pub duration: Option<String>,
    pub detect: Option<FromEntry>,
    pub resolve: Option<FromEntry>,
    pub impact: Option<String>,
    pub summary: Option<String>,
    pub tally: Tally,
    /// How start, detection and resolution are read (shown beside the times).
    pub rule: &'static str,
    /// Front matter times that were given but not used, and why.
    pub ignored: Vec<String>,
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentPage {
    /// The incident's id (to tell which side of a recurrence it is).
    id: i64,
    title: String,
    /// When the source file went missing from the imported folders.
    missing_since: Option<String>,
    glance: Glance,
    /// Root causes with their lines and the rule that took each.
    causes: Vec<(String, i64, String)>,
    source_path: String,
    format: String,
    imported_at: String,
    /// Import warnings: line and message.
    warnings: Vec<(u32, String)>,
    document: std::sync::Arc<SafeHtml>,
    timeline: Vec<EntryView>,
    axis: Option<Axis>,
    /// Some entry is written out of order.
    has_late: bool,
    authors: String,
    actions: Vec<ActionView>,
    systems: Vec<(String, String)>,
    tags: Vec<(String, String)>,
    references: Vec<Link>,
    backlinks: Vec<(String, String)>,
    related: Vec<Related>,
    /// Recurrences this incident is part of (as the later or the earlier incident).
    recurrences: Vec<crate::db::recurrence::Recurrence>,
    visitor: super::identity::Visitor,
    statuses: Vec<(&'static str, &'static str)>,
    back: String,
}

/// The header block: severity, start, impact window and duration, times to detect
/// and resolve with their entries, impact, summary and the actions in numbers.
fn glance(
    i: &browse::IncidentDetail,
    clock: &Clock,
    placed: &[Option<Placed>],
    m: &Milestones,
    today: &str,
) -> Glance {
    let at = |k: Option<usize>| k.and_then(|k| placed[k]);
    let suffix = match clock {
        Clock::Wall => " (wall time)".to_string(),
        Clock::Zoned(_) => format!(" {}", clock.short()),
    };
    let start = at(m.start);
    let started = match (start, &i.started) {
        (Some(p), Some(day)) if timeline::reading(p).starts_with(day.as_str()) => {
            Some(format!("{}{suffix}", timeline::reading(p)))
        }
        (_, Some(day)) => Some(day.clone()),
        (Some(p), None) => Some(format!("{}{suffix}", timeline::reading(p))),
        (None, None) => None,
    };
    let end = m.resolved.and_then(|k| k.placed(placed)).or(at(m.last));
    let (window, duration) = match (start, end) {
        (Some(s), Some(e)) if e.seconds > s.seconds => {
            let (a, b) = (timeline::reading(s), timeline::reading(e));
            let b = if a.get(..10) == b.get(..10) {
                timeline::hour_minute(e.seconds)
            } else {
                b
            };
            (
                Some(format!("{a} – {b}{suffix}")),
                Some(format::duration(e.seconds - s.seconds)),
            )
        }
        _ => (None, None),
    };
    let from_entry = |k: Option<Mark>| -> Option<FromEntry> {
        let (s, k) = (start?, k?);
        let e = k.placed(placed)?;
        Some(match k {
            Mark::Entry(k) => FromEntry {
                value: format::duration(e.seconds - s.seconds),
                n: Some(k + 1),
                entry: format!("{}: {}", timeline::reading(e), i.timeline[k].text),
            },
            Mark::Stated(_) => FromEntry {
                value: format::duration(e.seconds - s.seconds),
                n: None,
                entry: format!("{}, as the front matter states", timeline::reading(e)),
            },
        })
    };
    let mut tally = Tally::default();
    for a in i.actions.iter().filter(|a| !a.removed) {
        match crate::model::ActionStatus::parse(&a.status) {
            Some(s) if s.is_open() => {
                tally.open += 1;
                if a.due.as_deref().is_some_and(|d| d < today) {
                    tally.overdue += 1;
                }
            }
            Some(crate::model::ActionStatus::Done) => tally.done += 1,
            Some(crate::model::ActionStatus::Wontfix) => tally.wontfix += 1,
            _ => {}
        }
    }
    let cut = |text: &Option<String>, max: usize| {
        text.as_deref()
            .map(crate::text::collapse)
            .filter(|t| !t.is_empty())
            .map(|t| crate::text::truncate(&t, max))
    };
    Glance {
        severity: i.severity.clone(),
        started,
        window,
        duration,
        detect: from_entry(m.detected),
        resolve: from_entry(m.resolved),
        impact: cut(&i.impact, 400),
        summary: cut(&i.summary, 420),
        tally,
        rule: milestones::RULE,
        ignored: m.ignored.clone(),
    }
}

/// The timeline rows and the graphic.
fn timeline_views(
    i: &browse::IncidentDetail,
    clock: &Clock,
    placed: &[Option<Placed>],
    m: &Milestones,
) -> (Vec<EntryView>, Option<Axis>) {
    let late = timeline::out_of_order(&i.timeline, placed);
    let milestone = |k: usize| {
        if m.detected_entry() == Some(k) {
            Some("detected")
        } else if m.resolved_entry() == Some(k) {
            Some("resolved")
        } else {
            None
        }
    };
    let views: Vec<EntryView> = i
        .timeline
        .iter()
        .enumerate()
        .map(|(k, r)| EntryView {
            n: k + 1,
            source_text: r.source_text.clone(),
            why: if r.rule.is_empty() {
                format!("as written, line {}", r.line)
            } else {
                format!("as written, line {}; {}", r.line, r.rule)
            },
            instant: format::entry_instant(r),
            text: r.text.clone(),
            out_of_order: late[k].clone(),
            milestone: milestone(k),
        })
        .collect();
    let classes: Vec<String> = views
        .iter()
        .map(|v| {
            let mut c = String::new();
            if v.out_of_order.is_some() {
                c.push_str(" late");
            }
            if let Some(m) = v.milestone {
                c.push(' ');
                c.push_str(m);
            }
            c
        })
        .collect();
    let titles: Vec<String> = views
        .iter()
        .zip(placed)
        .map(|(v, p)| {
            let when = p.map(timeline::reading).unwrap_or_default();
            let text = crate::text::truncate(&crate::text::collapse(&v.text), 160);
            match &v.out_of_order {
                Some(why) => format!("{when}: {text} ({why})"),
                None => format!("{when}: {text}"),
            }
        })
        .collect();
    let axis = timeline::axis(clock, placed, &classes, &titles);
    (views, axis)
}

/// The incident page. For a visitor without an identity the whole page is kept by the
/// page cache; for someone signed in, the page is kept once per incident with a
/// placeholder for the CSRF token of its forms, filled in per request (the token is
/// the only part that differs between people: the page names nobody).
async fn show(
    State(state): State<AppState>,
    visitor: super::identity::Visitor,
    Path(slug): Path<String>,
) -> Result<axum::response::Response, AppError> {
    if visitor.user.is_none() {
        let html = render_show(&state, &visitor, &slug).await?;
        return Ok(super::forms::with_cookie(&visitor, html));
    }
    let kept = &state.cache.signed_in;
    if let Some(html) = kept.get(&state.cache, &slug, &visitor.csrf) {
        return Ok(super::forms::with_cookie(&visitor, Html(html)));
    }
    let generation = kept.generation(&state.cache);
    let template_visitor = super::identity::Visitor {
        csrf: kept.placeholder().to_string(),
        ..visitor.clone()
    };
    let Html(html) = render_show(&state, &template_visitor, &slug).await?;
    let html = kept.put(&slug, generation, html, &visitor.csrf);
    Ok(super::forms::with_cookie(&visitor, Html(html)))
}

async fn render_show(
    state: &AppState,
    visitor: &super::identity::Visitor,
    slug: &str,
) -> Result<Html<String>, AppError> {
    let Some(i) = browse::incident(&state.pool, slug).await? else {
        return Err(AppError::NotFound);
    };
    let document = {
        let format = crate::model::Format::parse(&i.format).unwrap_or(crate::model::Format::Text);
        let (source, body, title) = (i.source.clone(), i.body.clone(), i.title.clone());
        state
            .cache
            .documents
            .get_or_render(i.id, &i.content_hash, move || {
                crate::render::document_titled(format, source.as_deref(), &body, &title)
            })
            .await
    };
    let related = browse::related(&state.pool, i.id).await?;
    let recurrences = crate::db::recurrence::of_incident(&state.pool, i.id).await?;
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
    let today = format::today();
    let (clock, placed) = timeline::place(&i.timeline);
    let stated = i
        .source
        .as_deref()
        .map(milestones::stated)
        .unwrap_or_default();
    let marks = milestones::milestones(&i.timeline, &clock, &placed, &stated);
    let glance = glance(&i, &clock, &placed, &marks, &today);
    let (timeline, axis) = timeline_views(&i, &clock, &placed, &marks);
    let actions = i
        .actions
        .iter()
        .map(|a| ActionView {
            rule: i.action_rules.get(&a.text).cloned().unwrap_or_default(),
            ticket_url: a.ticket.as_deref().and_then(|t| {
                match links::resolve(t, &[], &state.site.tickets) {
                    Target::External { url } => Some(url),
                    _ => None,
                }
            }),
            overdue: !a.removed
                && crate::model::ActionStatus::parse(&a.status).is_some_and(|s| s.is_open())
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
        id: i.id,
        title: i.title.clone(),
        document,
        glance,
        axis,
        has_late: timeline.iter().any(|e| e.out_of_order.is_some()),
        timeline,
        authors: i.authors.join(", "),
        actions,
        systems: pair(&i.systems),
        tags: pair(&i.tags),
        references,
        backlinks,
        related: related.into_iter().map(Related::from).collect(),
        recurrences,
        missing_since: i.missing_since,
        causes: {
            let mut rules = i.cause_rules.iter();
            i.causes
                .iter()
                .map(|(text, line)| {
                    let rule = rules.next().cloned().unwrap_or_default();
                    (text.clone(), *line, rule)
                })
                .collect()
        },
        source_path: i.source_path,
        format: i.format,
        imported_at: i.imported_at,
        warnings: i
            .warnings
            .into_iter()
            .map(|w| (w.line, w.message))
            .collect(),
    })?;
    Ok(html)
}
