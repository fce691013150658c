//! The home page: recent incidents, action counts, incidents per month, top systems.

use super::views::{IncidentItem, incident_items};
use super::{AppError, AppState, format, page};
use crate::db::browse;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// One bar of the incidents-per-month chart, in SVG user units.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    pub label: String,
    pub count: i64,
    pub show_label: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    title: String,
    incidents: i64,
    open_actions: i64,
    overdue_actions: i64,
    recent: Vec<IncidentItem>,
    bars: Vec<Bar>,
    chart_width: i64,
    /// Incidents older than the chart's window, said under the chart.
    older: i64,
    top_systems: Vec<(String, String, i64)>,
    digest_failure: Option<String>,
}

const CHART_HEIGHT: i64 = 120;
const BAR_WIDTH: i64 = 14;
const MAX_MONTHS: usize = 120;

/// Every month from the first to the last with incidents (at most the last ten years),
/// so quiet months show as gaps.
fn bars(per_month: &[(String, i64)]) -> Vec<Bar> {
    let months: Vec<(i32, i32)> = per_month
        .iter()
        .filter_map(|(m, _)| Some((m.get(..4)?.parse().ok()?, m.get(5..7)?.parse().ok()?)))
        .collect();
    let (Some(first), Some(last)) = (months.first().copied(), months.last().copied()) else {
        return Vec::new();
    };
    let mut all = Vec::new();
    let (mut y, mut m) = first;
    while (y, m) <= last {
        all.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    let skip = all.len().saturating_sub(MAX_MONTHS);
    let all = &all[skip..];
    let count = |y: i32, m: i32| {
        let key = format!("{y:04}-{m:02}");
        per_month
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |(_, n)| *n)
    };
    let max = all
        .iter()
        .map(|&(y, m)| count(y, m))
        .max()
        .unwrap_or(1)
        .max(1);
    all.iter()
        .enumerate()
        .map(|(i, &(y, m))| {
            let n = count(y, m);
            let height = (n * (CHART_HEIGHT - 20) / max).max(if n > 0 { 2 } else { 0 });
            Bar {
                x: i as i64 * (BAR_WIDTH + 4),
                y: CHART_HEIGHT - 16 - height,
                height,
                label: format!("{y:04}-{m:02}"),
                count: n,
                show_label: m == 1 || i == 0,
            }
        })
        .collect()
}

async fn home(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let today = format::today();
    let overview = state
        .cache
        .memo(&state.cache.overview, browse::overview(&state.pool, &today))
        .await?;
    let recent = browse::recent(&state.pool, 8).await?;
    let bars = bars(&overview.per_month);
    let chart_width = (bars.len() as i64 * (BAR_WIDTH + 4)).max(100);
    let first_shown = bars.first().map(|b| b.label.clone()).unwrap_or_default();
    let older = overview
        .per_month
        .iter()
        .filter(|(m, _)| *m < first_shown)
        .map(|(_, n)| n)
        .sum();
    page(&HomePage {
        title: "Aftermath".into(),
        incidents: overview.incidents,
        open_actions: overview.open_actions,
        overdue_actions: overview.overdue_actions,
        recent: incident_items(recent),
        bars,
        chart_width,
        older,
        top_systems: overview
            .top_systems
            .iter()
            .map(|(s, n)| (format::path_segment(s), s.clone(), *n))
            .collect(),
        digest_failure: crate::db::digest::last_failure(&state.pool)
            .await?
            .map(|f| {
                format!(
                    "{} to {} failed {} times, last at {}: {}",
                    f.week, f.recipient, f.attempts, f.at, f.error
                )
            }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_months_are_gaps() {
        let b = bars(&[("2020-11".into(), 2), ("2021-02".into(), 1)]);
        assert_eq!(b.len(), 4);
        assert_eq!(b[1].count, 0);
        assert!(b[2].show_label);
    }
}
