//! `/insights`: incidents per quarter and the times to detect and resolve and the impact
//! duration as median and p90 per quarter, filtered by system, tag, severity and year;
//! every figure says how many incidents it was computed from and links to them
//! (`/insights/incidents`); charts drawn on the server as SVG, the numbers in a table,
//! and the same figures as CSV (`/insights.csv`).
//!
//! Medians and percentiles by nearest rank: the p-th percentile of n sorted values is
//! the value at 1-based position ⌈p·n/100⌉, so every figure is a time some incident
//! took; the median of an even count is the lower of the two middle values.
//!
//! Invariant: figures come from `db::insights`, computed by the one rule in
//! `milestones`; a bad query value is ignored with a note, never an error.

use super::query::LenientQuery;
use super::{AppError, AppState, format, milestones, page};
use crate::db::insights::{self, FigureRow, Filter, Measure};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/insights", get(show))
        .route("/insights.csv", get(csv))
        .route("/insights/incidents", get(incidents))
}

/// The query string of the three routes, read leniently.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    system: Option<String>,
    tag: Option<String>,
    severity: Option<String>,
    year: Option<String>,
    /// `2024-Q1` (list only).
    quarter: Option<String>,
    /// `detect`, `resolve`, `impact` (list only).
    measure: Option<String>,
}

/// The filter the parameters ask for, and notes on values that were ignored.
fn read_filter(p: &Params) -> (Filter, Vec<String>) {
    let mut notes = Vec::new();
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| crate::text::truncate(v, 200))
    };
    let mut filter = Filter {
        system: text(&p.system),
        tag: text(&p.tag),
        severity: text(&p.severity),
        ..Filter::default()
    };
    if let Some(y) = text(&p.year) {
        match y.parse::<i32>() {
            Ok(y) if (1900..=2200).contains(&y) => filter.year = Some(y),
            _ => notes.push(format!("“{y}” is not a year; all years are shown.")),
        }
    }
    if let Some(q) = text(&p.quarter) {
        match parse_quarter(&q) {
            Some((y, n)) => {
                filter.year = Some(y);
                filter.quarter = Some(n);
            }
            None => notes.push(format!(
                "“{q}” is not a quarter (such as 2024-Q1); every quarter is listed."
            )),
        }
    }
    (filter, notes)
}

/// `2024-Q1` as (2024, 1).
fn parse_quarter(q: &str) -> Option<(i32, u8)> {
    let (y, n) = q.split_once("-Q").or_else(|| q.split_once("-q"))?;
    let y: i32 = y.parse().ok().filter(|y| (1900..=2200).contains(y))?;
    let n: u8 = n.parse().ok().filter(|n| (1..=4).contains(n))?;
    Some((y, n))
}

/// The query string of `filter` (without quarter), each part `&`-prefixed.
fn filter_query(filter: &Filter) -> String {
    let mut out = String::new();
    for (k, v) in [
        ("system", &filter.system),
        ("tag", &filter.tag),
        ("severity", &filter.severity),
    ] {
        if let Some(v) = v {
            out.push_str(&format!("&{k}={}", format::query_value(v)));
        }
    }
    if let (Some(y), None) = (filter.year, filter.quarter) {
        out.push_str(&format!("&year={y}"));
    }
    out
}

/// The value at nearest rank `p` (percent) of sorted `values`.
pub fn nearest_rank(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// One figure (say, time to detect) over a set of incidents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stat {
    /// Incidents it was computed from, of `of`.
    pub n: usize,
    pub of: usize,
    pub median: Option<i64>,
    pub p90: Option<i64>,
    /// Why the others were left out: reason and count, most common first.
    pub missing: Vec<(String, usize)>,
}

impl Stat {
    fn of<'a>(measures: impl Iterator<Item = &'a Measure>) -> Stat {
        let mut values = Vec::new();
        let mut missing: Vec<(String, usize)> = Vec::new();
        let mut of = 0;
        for m in measures {
            of += 1;
            match m {
                Measure::Seconds(s) => values.push(*s),
                Measure::Missing(why) => match missing.iter_mut().find(|(w, _)| w == why) {
                    Some((_, n)) => *n += 1,
                    None => missing.push((why.clone(), 1)),
                },
            }
        }
        values.sort_unstable();
        missing.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Stat {
            n: values.len(),
            of,
            median: nearest_rank(&values, 50),
            p90: nearest_rank(&values, 90),
            missing,
        }
    }

    /// "from 34 of 50: 10 no entry says when it was detected; 6 …".
    pub fn from_text(&self) -> String {
        let mut out = format!("from {} of {}", self.n, self.of);
        if !self.missing.is_empty() {
            let parts: Vec<String> = self
                .missing
                .iter()
                .map(|(why, n)| format!("{n}: {why}"))
                .collect();
            out.push_str(&format!(" (left out: {})", parts.join("; ")));
        }
        out
    }

    pub fn median_text(&self) -> String {
        self.median.map(format::duration).unwrap_or("–".into())
    }

    pub fn p90_text(&self) -> String {
        self.p90.map(format::duration).unwrap_or("–".into())
    }
}

/// The figures of one quarter (or of all incidents).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Period {
    /// `2024-Q1`, or empty for all incidents.
    pub key: String,
    pub incidents: usize,
    pub detect: Stat,
    pub resolve: Stat,
    pub impact: Stat,
}

impl Period {
    fn of(key: String, rows: &[&FigureRow]) -> Period {
        Period {
            key,
            incidents: rows.len(),
            detect: Stat::of(rows.iter().map(|r| &r.figures.detect)),
            resolve: Stat::of(rows.iter().map(|r| &r.figures.resolve)),
            impact: Stat::of(rows.iter().map(|r| &r.figures.impact)),
        }
    }
}

/// A row's quarter: (year, 1–4), from its start date.
fn quarter_of(started: Option<&str>) -> Option<(i32, u8)> {
    let s = started?;
    let y: i32 = s.get(..4)?.parse().ok()?;
    let m: u8 = s.get(5..7)?.parse().ok()?;
    (1..=12).contains(&m).then_some((y, (m - 1) / 3 + 1))
}

/// Quarters shown at most; older ones are left out of the chart and table, not of the
/// overall figures.
const MAX_QUARTERS: usize = 80;

/// The figures per quarter (every quarter from the first to the last, empty ones
/// included, or the four of the filter's year), the overall figures, and how many
/// incidents have no start date.
pub fn aggregate(rows: &[FigureRow], year: Option<i32>) -> (Vec<Period>, Period, usize) {
    let all: Vec<&FigureRow> = rows.iter().collect();
    let overall = Period::of(String::new(), &all);
    let mut by_quarter: std::collections::BTreeMap<(i32, u8), Vec<&FigureRow>> = Default::default();
    let mut undated = 0;
    for r in rows {
        match quarter_of(r.started.as_deref()) {
            Some(q) => by_quarter.entry(q).or_default().push(r),
            None => undated += 1,
        }
    }
    let range = match (year, by_quarter.keys().next(), by_quarter.keys().last()) {
        (Some(y), _, _) => Some(((y, 1), (y, 4))),
        (None, Some(&a), Some(&b)) => Some((a, b)),
        _ => None,
    };
    let mut periods = Vec::new();
    if let Some((mut q, last)) = range {
        while q <= last {
            let rows = by_quarter.get(&q).map(Vec::as_slice).unwrap_or(&[]);
            periods.push(Period::of(format!("{}-Q{}", q.0, q.1), rows));
            q = if q.1 == 4 {
                (q.0 + 1, 1)
            } else {
                (q.0, q.1 + 1)
            };
        }
    }
    let skip = periods.len().saturating_sub(MAX_QUARTERS);
    periods.drain(..skip);
    (periods, overall, undated)
}

/// One bar of a chart, with its p90 mark.
pub struct Bar {
    pub x: f64,
    pub width: f64,
    pub y: i64,
    pub height: i64,
    /// The y of the p90 mark, when the chart has one and the quarter a value.
    pub p90_y: Option<i64>,
    pub href: String,
    pub title: String,
}

/// A label under the bars.
pub struct Label {
    pub x: f64,
    pub text: String,
    /// Shown on phones too (fewer labels fit).
    pub narrow: bool,
}

/// One chart: bars per quarter (a count, or a median with its p90 marked).
pub struct Chart {
    pub id: &'static str,
    pub title: String,
    /// What the top grid line stands for ("12 incidents", "5 h 20 min").
    pub top: String,
    pub bars: Vec<Bar>,
    pub labels: Vec<Label>,
    pub has_p90: bool,
}

const PLOT_TOP: i64 = 18;
const PLOT_BOTTOM: i64 = 130;

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A chart of `value` per period, scaled to the largest of `value` and `p90`.
fn chart(
    id: &'static str,
    title: &str,
    periods: &[Period],
    value: impl Fn(&Period) -> Option<i64>,
    p90: impl Fn(&Period) -> Option<i64>,
    href: impl Fn(&Period) -> String,
    describe: impl Fn(&Period) -> String,
    top_text: impl Fn(i64) -> String,
) -> Chart {
    let max = periods
        .iter()
        .flat_map(|p| [value(p), p90(p)])
        .flatten()
        .max()
        .unwrap_or(0)
        .max(1);
    let span = PLOT_BOTTOM - PLOT_TOP;
    let y_of = |v: i64| PLOT_BOTTOM - ((v as f64 / max as f64) * span as f64).round() as i64;
    let slot = 100.0 / periods.len().max(1) as f64;
    let bars = periods
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let v = value(p).unwrap_or(0);
            let mut y = y_of(v);
            if v > 0 && PLOT_BOTTOM - y < 2 {
                y = PLOT_BOTTOM - 2;
            }
            Bar {
                x: round(i as f64 * slot + slot * 0.15),
                width: round(slot * 0.7),
                y,
                height: PLOT_BOTTOM - y,
                p90_y: p90(p).map(y_of),
                href: href(p),
                title: describe(p),
            }
        })
        .collect();
    let years: Vec<(usize, &str)> = periods
        .iter()
        .enumerate()
        .filter(|(i, p)| *i == 0 || p.key.ends_with("-Q1"))
        .map(|(i, p)| (i, &p.key[..4]))
        .collect();
    let labels = if periods.len() <= 4 {
        periods
            .iter()
            .enumerate()
            .map(|(i, p)| Label {
                x: round(i as f64 * slot + slot / 2.0),
                text: p.key.clone(),
                narrow: true,
            })
            .collect()
    } else {
        let every = years.len().div_ceil(5).max(1);
        years
            .iter()
            .enumerate()
            .map(|(k, (i, y))| Label {
                x: round(*i as f64 * slot),
                text: y.to_string(),
                narrow: k % every == 0,
            })
            .collect()
    };
    Chart {
        id,
        title: title.to_string(),
        top: top_text(max),
        bars,
        labels,
        has_p90: periods.iter().any(|p| p90(p).is_some()),
    }
}

/// A figure cell of the table: the values and where they came from.
pub struct Cell {
    pub median: String,
    pub p90: String,
    pub from: String,
    pub n: usize,
    pub of: usize,
    pub href: String,
}

/// One row of the table.
pub struct TableRow {
    pub label: String,
    pub incidents: usize,
    pub list_href: String,
    pub cells: Vec<Cell>,
}

/// A choice in a filter's drop-down.
pub struct Option_ {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsPage {
    title: String,
    notes: Vec<String>,
    filters: Vec<(&'static str, &'static str, Vec<Option_>)>,
    active: bool,
    charts: Vec<Chart>,
    rows: Vec<TableRow>,
    overall: TableRow,
    undated: usize,
    csv_href: String,
    rule: &'static str,
    empty: bool,
}

const MEASURES: [(&str, &str); 3] = [
    ("detect", "Time to detect"),
    ("resolve", "Time to resolve"),
    ("impact", "Impact duration"),
];

fn stat<'a>(p: &'a Period, measure: &str) -> &'a Stat {
    match measure {
        "detect" => &p.detect,
        "resolve" => &p.resolve,
        _ => &p.impact,
    }
}

fn list_href(quarter: &str, measure: Option<&str>, query: &str) -> String {
    let mut href = "/insights/incidents?".to_string();
    let mut parts = Vec::new();
    if !quarter.is_empty() {
        parts.push(format!("quarter={quarter}"));
    }
    if let Some(m) = measure {
        parts.push(format!("measure={m}"));
    }
    href.push_str(&parts.join("&"));
    href.push_str(query);
    href.replace("?&", "?")
}

fn table_row(p: &Period, query: &str) -> TableRow {
    TableRow {
        label: if p.key.is_empty() {
            "All".into()
        } else {
            p.key.clone()
        },
        incidents: p.incidents,
        list_href: list_href(&p.key, None, query),
        cells: MEASURES
            .iter()
            .map(|(m, _)| {
                let s = stat(p, m);
                Cell {
                    median: s.median_text(),
                    p90: s.p90_text(),
                    from: s.from_text(),
                    n: s.n,
                    of: s.of,
                    href: list_href(&p.key, Some(m), query),
                }
            })
            .collect(),
    }
}

/// One refresh of the stored figures at a time in this process: a burst of requests
/// after an import computes each incident once.
static REFRESHING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// How long a page waits for the figures to be computed before it shows what is stored
/// and says the rest is on its way (100,000 new incidents take about a minute).
const REFRESH_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The note of a page shown while figures are still being computed.
pub const STILL_COMPUTING: &str = "Figures are still being computed for incidents imported \
     since they were last shown; until then they are counted as not computed yet. Reload \
     in a minute.";

/// Computes what is not stored yet, in a task of its own (a request that times out
/// does not stop it); on a database that cannot be written, or when it takes longer
/// than [`REFRESH_WAIT`], the page says which figures are missing instead of failing.
async fn refresh(state: &AppState, notes: &mut Vec<String>) -> Option<i64> {
    let before = crate::db::incidents_version(&state.pool).await;
    let complete_at = || state.cache.figures_complete_at.lock().ok().and_then(|v| *v);
    if before.is_some() && before == complete_at() {
        return before;
    }
    let pool = state.pool.clone();
    let task = tokio::spawn(async move {
        let _one = REFRESHING.lock().await;
        insights::refresh(&pool, milestones::figures).await
    });
    match tokio::time::timeout(REFRESH_WAIT, task).await {
        // Nothing was missing: every figure is stored as of `before` (a refresh that
        // stored some moved the version, and the next request checks again).
        Ok(Ok(Ok(0))) => {
            if let Ok(mut at) = state.cache.figures_complete_at.lock() {
                *at = before;
            }
        }
        Ok(Ok(Ok(_))) => {}
        Ok(Ok(Err(e))) => {
            tracing::warn!(error = %e, "insights: figures not stored");
            notes.push(
                "Some incidents' figures could not be computed and stored now (the \
                 database cannot be written); they are counted as not computed."
                    .into(),
            );
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "insights: computing figures failed");
            notes.push("Some incidents' figures could not be computed.".into());
        }
        Err(_) => notes.push(STILL_COMPUTING.into()),
    }
    crate::db::incidents_version(&state.pool).await
}

/// Computes and stores the figures of every incident that has none or stale ones: run
/// after each import by the server, so that the first view of `/insights` does not
/// wait for them (2 s at 10,000 new incidents, half a minute at 100,000).
pub async fn precompute(state: &AppState) -> sqlx::Result<usize> {
    let _one = REFRESHING.lock().await;
    insights::refresh(&state.pool, milestones::figures).await
}

/// The figures of the incidents `filter` selects, per quarter and overall (see
/// [`aggregate`]), kept until the incidents change.
#[derive(Debug)]
pub struct Aggregate {
    pub periods: Vec<Period>,
    pub overall: Period,
    pub undated: usize,
    /// No incident was selected.
    pub empty: bool,
}

/// Refreshes what is missing, then answers the figures for `filter`.
async fn figures(
    state: &AppState,
    filter: &Filter,
    notes: &mut Vec<String>,
) -> Result<std::sync::Arc<Aggregate>, AppError> {
    let version = refresh(state, notes).await;
    let compute = async {
        let rows = insights::rows(&state.pool, filter).await?;
        let (periods, overall, undated) = aggregate(&rows, filter.year);
        Ok::<_, sqlx::Error>(Aggregate {
            periods,
            overall,
            undated,
            empty: rows.is_empty(),
        })
    };
    Ok(state.cache.insights.get(filter, version, compute).await?)
}

fn choices(facet: &[(String, i64)], current: &Option<String>) -> Vec<Option_> {
    let mut out = vec![Option_ {
        value: String::new(),
        label: "all".into(),
        selected: current.is_none(),
    }];
    out.extend(facet.iter().map(|(v, n)| {
        Option_ {
            value: v.clone(),
            label: format!("{v} ({n})"),
            selected: current
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(v)),
        }
    }));
    out
}

async fn show(
    State(state): State<AppState>,
    LenientQuery(params): LenientQuery<Params>,
) -> Result<Html<String>, AppError> {
    let (mut filter, mut notes) = read_filter(&params);
    filter.quarter = None;
    let figures = figures(&state, &filter, &mut notes).await?;
    let Aggregate {
        periods,
        overall,
        undated,
        empty,
    } = &*figures;
    let query = filter_query(&filter);
    let facets = state.cache.facets(&state.pool).await?;
    let year = filter.year.map(|y| y.to_string());
    let filters = vec![
        ("system", "System", choices(&facets.systems, &filter.system)),
        ("tag", "Tag", choices(&facets.tags, &filter.tag)),
        (
            "severity",
            "Severity",
            choices(&facets.severities, &filter.severity),
        ),
        ("year", "Year", choices(&facets.years, &year)),
    ];
    let mut charts = vec![chart(
        "count",
        "Incidents per quarter",
        &periods,
        |p| Some(p.incidents as i64),
        |_| None,
        |p| list_href(&p.key, None, &query),
        |p| format!("{}: {} incidents", p.key, p.incidents),
        |max| format!("{max} incidents"),
    )];
    for (m, title) in MEASURES {
        charts.push(chart(
            m,
            &format!("{title}: median per quarter, p90 marked"),
            &periods,
            |p| stat(p, m).median,
            |p| stat(p, m).p90,
            |p| list_href(&p.key, Some(m), &query),
            |p| {
                let s = stat(p, m);
                format!(
                    "{}: median {}, p90 {}, {}",
                    p.key,
                    s.median_text(),
                    s.p90_text(),
                    s.from_text()
                )
            },
            format::duration,
        ));
    }
    let html = page(&InsightsPage {
        title: "Insights".into(),
        notes,
        active: filter != Filter::default(),
        filters,
        charts,
        rows: periods.iter().rev().map(|p| table_row(p, &query)).collect(),
        overall: table_row(overall, &query),
        undated: *undated,
        csv_href: format!("/insights.csv?{}", query.trim_start_matches('&')),
        rule: milestones::RULE,
        empty: *empty,
    })?;
    Ok(html)
}

async fn csv(
    State(state): State<AppState>,
    LenientQuery(params): LenientQuery<Params>,
) -> Result<Response, AppError> {
    let (mut filter, mut notes) = read_filter(&params);
    filter.quarter = None;
    let figures = figures(&state, &filter, &mut notes).await?;
    let Aggregate {
        periods, overall, ..
    } = &*figures;
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["quarter".to_string(), "incidents".to_string()];
    for (m, _) in MEASURES {
        for part in ["from", "median_seconds", "p90_seconds"] {
            header.push(format!("{m}_{part}"));
        }
    }
    let write = |out: &mut csv::Writer<Vec<u8>>, p: &Period| {
        let mut record = vec![
            if p.key.is_empty() {
                "all".to_string()
            } else {
                p.key.clone()
            },
            p.incidents.to_string(),
        ];
        for (m, _) in MEASURES {
            let s = stat(p, m);
            record.push(s.n.to_string());
            record.push(s.median.map(|v| v.to_string()).unwrap_or_default());
            record.push(s.p90.map(|v| v.to_string()).unwrap_or_default());
        }
        out.write_record(&record)
    };
    // Writing to memory cannot fail; a record that did would only shorten the file.
    let _ = out
        .write_record(&header)
        .and_then(|_| periods.iter().try_for_each(|p| write(&mut out, p)))
        .and_then(|_| write(&mut out, &overall));
    let bytes = out.into_inner().unwrap_or_default();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"insights.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// An incident in the list behind a figure.
pub struct ListedView {
    pub slug: String,
    pub title: String,
    pub started: String,
    /// The figure's value, or why it is missing.
    pub value: String,
}

#[derive(Template)]
#[template(path = "insights_incidents.html")]
struct ListPage {
    title: String,
    heading: String,
    notes: Vec<String>,
    used: Vec<ListedView>,
    left_out: Vec<ListedView>,
    back: String,
    more: bool,
}

/// Incidents listed at most behind one figure.
const LIST_LIMIT: i64 = 2000;

async fn incidents(
    State(state): State<AppState>,
    LenientQuery(params): LenientQuery<Params>,
) -> Result<Html<String>, AppError> {
    let (filter, mut notes) = read_filter(&params);
    let measure = params
        .measure
        .as_deref()
        .and_then(|m| MEASURES.iter().find(|(k, _)| *k == m));
    if params.measure.is_some() && measure.is_none() {
        notes.push(
            "That figure is not one of detect, resolve or impact; all incidents are listed.".into(),
        );
    }
    refresh(&state, &mut notes).await;
    let rows = insights::listed(&state.pool, &filter, LIST_LIMIT + 1).await?;
    let more = rows.len() as i64 > LIST_LIMIT;
    let (mut used, mut left_out) = (Vec::new(), Vec::new());
    for r in rows.into_iter().take(LIST_LIMIT as usize) {
        let m = measure.map(|(k, _)| match *k {
            "detect" => &r.figures.detect,
            "resolve" => &r.figures.resolve,
            _ => &r.figures.impact,
        });
        let (value, ok) = match m {
            Some(Measure::Seconds(s)) => (format::duration(*s), true),
            Some(Measure::Missing(why)) => (why.clone(), false),
            None => (String::new(), true),
        };
        let view = ListedView {
            slug: r.slug,
            title: r.title,
            started: r.started.unwrap_or_default(),
            value,
        };
        if ok {
            used.push(view)
        } else {
            left_out.push(view)
        }
    }
    let scope = match (filter.year, filter.quarter) {
        (Some(y), Some(q)) => format!("{y}-Q{q}"),
        (Some(y), None) => y.to_string(),
        _ => "all quarters".into(),
    };
    let heading = match measure {
        Some((_, title)) => format!("{title}, {scope}"),
        None => format!("Incidents, {scope}"),
    };
    let mut back_filter = filter.clone();
    back_filter.quarter = None;
    if filter.quarter.is_some() {
        back_filter.year = None;
    }
    let html = page(&ListPage {
        title: heading.clone(),
        heading,
        notes,
        used,
        left_out,
        back: format!(
            "/insights?{}",
            filter_query(&back_filter).trim_start_matches('&')
        ),
        more,
    })?;
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_is_a_value_some_incident_took() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(nearest_rank(&v, 50), Some(5));
        assert_eq!(nearest_rank(&v, 90), Some(9));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[3, 9, 20], 50), Some(9));
        assert_eq!(nearest_rank(&[3, 9, 20], 90), Some(20));
        assert_eq!(nearest_rank(&[], 50), None);
    }

    #[test]
    fn quarters_come_from_the_start_date() {
        assert_eq!(quarter_of(Some("2024-03-31")), Some((2024, 1)));
        assert_eq!(quarter_of(Some("2024-04-01")), Some((2024, 2)));
        assert_eq!(quarter_of(Some("2024-12-01")), Some((2024, 4)));
        assert_eq!(quarter_of(None), None);
        assert_eq!(parse_quarter("2024-Q3"), Some((2024, 3)));
        assert_eq!(parse_quarter("2024-Q5"), None);
    }
}
