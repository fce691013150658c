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

/// One bar of the incidents-per-month chart: across in percent of the chart's width,
/// up in CSS pixels (the SVG has no `viewBox`, so its labels keep their size on a
/// phone).
pub struct Bar {
    pub x: f64,
    pub width: f64,
    pub y: i64,
    pub height: i64,
    pub label: String,
    pub count: i64,
}

/// A label under the chart: position in percent and text.
pub struct Label {
    pub x: f64,
    pub text: String,
    /// `start`, or `end` near the right edge so the label stays inside the chart.
    pub anchor: &'static str,
    /// Also shown on a phone (where only every other year fits when there are many).
    pub narrow: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    title: String,
    incidents: i64,
    open_actions: i64,
    overdue_actions: i64,
    /// Incidents that recurred after a similar incident's actions were all closed.
    recurrences: i64,
    recent: Vec<IncidentItem>,
    bars: Vec<Bar>,
    labels: Vec<Label>,
    /// The largest month's count, written at the top of the chart.
    peak: i64,
    /// Incidents older than the chart's window, said under the chart.
    older: i64,
    top_systems: Vec<(String, String, i64)>,
    digest_failure: Option<String>,
}

/// Height of the bars' area, in CSS pixels; labels go below it.
const CHART_HEIGHT: i64 = 120;
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
    let slot = 100.0 / all.len() as f64;
    all.iter()
        .enumerate()
        .map(|(i, &(y, m))| {
            let n = count(y, m);
            let height = (n * (CHART_HEIGHT - 16) / max).max(if n > 0 { 3 } else { 0 });
            Bar {
                x: round(i as f64 * slot + slot * 0.1),
                width: round(slot * 0.8),
                y: CHART_HEIGHT - height,
                height,
                label: format!("{y:04}-{m:02}"),
                count: n,
            }
        })
        .collect()
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Labels under the bars: each January (and the first month) by its year, or every
/// month by name when the chart spans a year or less. On a phone at most about six
/// fit, so with more only every other one is shown there.
fn labels(bars: &[Bar]) -> Vec<Label> {
    let slot = 100.0 / bars.len().max(1) as f64;
    let short = bars.len() <= 12;
    let mut labels: Vec<Label> = bars
        .iter()
        .enumerate()
        .filter(|(i, b)| short || *i == 0 || b.label.ends_with("-01"))
        .map(|(i, b)| {
            let text = if short {
                let month = b.label[5..7].parse::<usize>().unwrap_or(1);
                let name = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ][(month - 1).min(11)];
                if i == 0 || month == 1 {
                    format!("{name} {}", &b.label[..4])
                } else {
                    name.to_string()
                }
            } else {
                b.label[..4].to_string()
            };
            let x = round(i as f64 * slot);
            Label {
                x: if x > 90.0 { 100.0 } else { x },
                text,
                anchor: if x > 90.0 { "end" } else { "start" },
                narrow: true,
            }
        })
        .collect();
    // Labels closer than a label's width would overlap: drop the first one then.
    if labels.len() > 1 && labels[1].x - labels[0].x < 6.0 {
        labels.remove(0);
    }
    if labels.len() > 6 {
        let every = labels.len().div_ceil(6);
        for (i, l) in labels.iter_mut().enumerate() {
            l.narrow = i % every == 0;
        }
    }
    labels
}

async fn home(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let today = format::today();
    let overview = state
        .cache
        .memo(&state.cache.overview, browse::overview(&state.pool, &today))
        .await?;
    let recent = browse::recent(&state.pool, 8).await?;
    let bars = bars(&overview.per_month);
    let labels = labels(&bars);
    let peak = bars.iter().map(|b| b.count).max().unwrap_or(0);
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
        recurrences: crate::db::recurrence::count_kept(&state.pool).await?,
        recent: incident_items(recent),
        bars,
        labels,
        peak,
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
        let l = labels(&b);
        assert_eq!(
            l.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["Nov 2020", "Dec", "Jan 2021", "Feb"]
        );
    }

    #[test]
    fn ten_years_of_months_are_labelled_by_year_and_thinned_on_a_phone() {
        let per_month: Vec<(String, i64)> = (2015..2025)
            .flat_map(|y| (1..=12).map(move |m| (format!("{y}-{m:02}"), 1)))
            .collect();
        let b = bars(&per_month);
        assert_eq!(b.len(), 120);
        let l = labels(&b);
        assert_eq!(l.len(), 10);
        assert_eq!(l[0].text, "2015");
        assert!(l.iter().filter(|l| l.narrow).count() <= 6);
    }
}
