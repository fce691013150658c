//! The incident page's timeline: each entry placed on one clock, the entries whose
//! place in the document contradicts their time, and the graphic's time axis (ticks,
//! date breaks, one mark per entry, stacked where they crowd).
//!
//! The graphic is an SVG without a `viewBox`: positions are percentages of its width
//! and text keeps its CSS size (≥ 11 px) at every width, so a phone shows the same
//! legible labels as a wide screen, with fewer ticks (two tick sets, one shown per
//! width by the stylesheet).
//!
//! Invariant: pure; a time is never guessed: when any timed entry lacks a zone, the
//! whole axis is wall time as written and says so.

use crate::db::browse::TimelineRow;
use jiff::civil::DateTime;

/// Which clock the axis shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clock {
    /// UTC instants shown at this offset from UTC (seconds): the document's own offset
    /// when every entry states the same one, else 0.
    Zoned(i32),
    /// Wall time as written: some timed entry states no zone.
    Wall,
}

impl Clock {
    /// The clock's name: `UTC`, `UTC−06:00`, `wall time`.
    pub fn short(&self) -> String {
        match self {
            Clock::Zoned(0) => "UTC".into(),
            Clock::Zoned(offset) => utc_offset(*offset),
            Clock::Wall => "wall time".into(),
        }
    }

    /// What the axis says about its times.
    pub fn label(&self) -> String {
        match self {
            Clock::Zoned(0) => "Times in UTC.".into(),
            Clock::Zoned(offset) => {
                format!("Times in {}, as the document states.", utc_offset(*offset))
            }
            Clock::Wall => "Wall time as written: the document states no time zone, so times are \
                            placed as written and not converted."
                .into(),
        }
    }
}

/// `UTC+01:00`, `UTC−05:30`.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '−' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Where each entry sits on one clock: seconds on the axis's clock (not necessarily
/// UTC), and whether only the date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub seconds: i64,
    pub day_only: bool,
}

/// The clock the entries share, and each entry's place on it (`None` for an entry
/// whose time cannot be read).
pub fn place(rows: &[TimelineRow]) -> (Clock, Vec<Option<Placed>>) {
    let timed: Vec<&TimelineRow> = rows.iter().filter(|r| r.precision != "day").collect();
    let zoned = !timed.is_empty() && timed.iter().all(|r| r.utc_seconds.is_some());
    let clock = if zoned {
        let first = timed[0].utc_offset;
        let same = timed.iter().all(|r| r.utc_offset == first);
        Clock::Zoned(if same { first.unwrap_or(0) as i32 } else { 0 })
    } else {
        Clock::Wall
    };
    let placed = rows
        .iter()
        .map(|r| {
            let day_only = r.precision == "day";
            let seconds = match (&clock, r.utc_seconds) {
                (Clock::Zoned(offset), Some(utc)) if !day_only => Some(utc + i64::from(*offset)),
                _ => wall_seconds(&r.wall_time),
            }?;
            Some(Placed { seconds, day_only })
        })
        .collect();
    (clock, placed)
}

/// A stored wall time (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]`) as seconds on a clock
/// that has no zone (its UTC reading, used only for positions and differences).
pub fn wall_seconds(wall: &str) -> Option<i64> {
    let dt: DateTime = if wall.len() == 10 {
        wall.parse::<jiff::civil::Date>()
            .ok()?
            .to_datetime(jiff::civil::Time::midnight())
    } else {
        wall.parse().ok()?
    };
    jiff::tz::Offset::UTC
        .to_timestamp(dt)
        .ok()
        .map(|t| t.as_second())
}

/// A clock reading as a civil date and time (the clock's own reading, not UTC).
fn civil(seconds: i64) -> DateTime {
    jiff::Timestamp::from_second(seconds)
        .map(|t| jiff::tz::Offset::UTC.to_datetime(t))
        .unwrap_or_default()
}

/// `2017-12-08 20:30` on the axis's clock; a date alone for a date-only entry.
pub fn reading(p: Placed) -> String {
    let dt = civil(p.seconds);
    if p.day_only {
        dt.strftime("%Y-%m-%d").to_string()
    } else {
        dt.strftime("%Y-%m-%d %H:%M").to_string()
    }
}

/// `20:30` on the axis's clock.
pub fn hour_minute(seconds: i64) -> String {
    civil(seconds).strftime("%H:%M").to_string()
}

/// Why an entry is out of order: the entry above it in the document whose time it
/// should follow. Entries read from prose (rule `narrative: …`) tell of times in any
/// order and are not judged; the others are judged among entries the same rule took
/// (a timeline table, a list of status updates), in the direction that list runs: a
/// status page lists its updates newest first, and that is not a mistake.
pub fn out_of_order(rows: &[TimelineRow], placed: &[Option<Placed>]) -> Vec<Option<String>> {
    let mut reasons = vec![None; rows.len()];
    let kind = |i: usize| rows[i].rule.split(':').next().unwrap_or("").trim();
    let mut kinds: Vec<&str> = (0..rows.len()).map(kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for k in kinds.into_iter().filter(|k| !k.starts_with("narrative")) {
        let mut by_line: Vec<usize> = (0..rows.len())
            .filter(|&i| placed[i].is_some() && kind(i) == k)
            .collect();
        by_line.sort_by_key(|&i| (rows[i].line, i));
        let at = |i: usize| placed[i].expect("filtered to placed entries");
        let (mut up, mut down) = (0, 0);
        for pair in by_line.windows(2) {
            match at(pair[0]).seconds.cmp(&at(pair[1]).seconds) {
                std::cmp::Ordering::Less => up += 1,
                std::cmp::Ordering::Greater => down += 1,
                std::cmp::Ordering::Equal => {}
            }
        }
        let newest_first = down > up;
        // The entry written so far that the next ones should follow: the latest one
        // (the earliest, in a newest-first list).
        let mut bound: Option<usize> = None;
        for &i in &by_line {
            let p = at(i);
            if let Some(j) = bound {
                let q = at(j);
                // A date-only entry is compared by its day.
                let (a, b) = if p.day_only || q.day_only {
                    (p.seconds.div_euclid(86_400), q.seconds.div_euclid(86_400))
                } else {
                    (p.seconds, q.seconds)
                };
                let wrong = if newest_first { a > b } else { a < b };
                if wrong && rows[i].line > rows[j].line {
                    reasons[i] = Some(format!(
                        "Out of order: written on line {} below the entry at {} (line {}), but its time, {}, is {}.",
                        rows[i].line,
                        reading(q),
                        rows[j].line,
                        reading(p),
                        if newest_first {
                            "later, in a list that runs newest first"
                        } else {
                            "earlier"
                        },
                    ));
                    continue;
                }
            }
            let follows = |j: usize| {
                if newest_first {
                    p.seconds <= at(j).seconds
                } else {
                    p.seconds >= at(j).seconds
                }
            };
            if bound.is_none_or(follows) {
                bound = Some(i);
            }
        }
    }
    reasons
}

/// One mark on the axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// Index of the entry in the timeline (the row it links to is `entry-{index+1}`).
    pub entry: usize,
    /// Percent of the axis width.
    pub x: f64,
    /// Lane (row) of the mark, 0 nearest the axis line.
    pub lane: usize,
    /// The y of the mark's centre, in CSS pixels.
    pub y: i64,
    pub day_only: bool,
    /// Extra class names (`late`, `detect`, `resolve`).
    pub class: String,
    pub title: String,
}

/// A tick: position (percent) and label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub label: String,
    /// `start`, `middle` or `end`, so labels at the edges stay inside the graphic.
    pub anchor: &'static str,
}

/// Ticks and date breaks for one width class.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TickSet {
    pub ticks: Vec<Tick>,
    /// A line at each midnight inside the span, labelled with the new date; the first
    /// one, at the left edge, has no line and names the starting date.
    pub breaks: Vec<Tick>,
}

/// The whole graphic.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub marks: Vec<Mark>,
    /// Ticks for wide screens (class `ticks-wide`) and for phones (`ticks-narrow`).
    pub sets: Vec<(&'static str, TickSet)>,
    pub lanes: usize,
    /// Height in CSS pixels, and the y of the axis line.
    pub height: i64,
    pub line_y: i64,
    pub clock_label: String,
}

/// Positions leave this much (percent) free at each edge.
const EDGE: f64 = 3.0;
/// Marks closer than this (percent) go to separate lanes.
const CROWDED: f64 = 2.2;
const MAX_LANES: usize = 6;

/// Steps a tick may take, in seconds.
const STEPS: &[i64] = &[
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10_800,
    21_600,
    43_200,
    86_400,
    2 * 86_400,
    7 * 86_400,
    14 * 86_400,
    30 * 86_400,
    91 * 86_400,
    365 * 86_400,
];

/// Builds the graphic, or `None` when fewer than one entry has a place. `classes`
/// gives each entry's extra mark classes, `titles` its hover text.
pub fn axis(
    clock: &Clock,
    placed: &[Option<Placed>],
    classes: &[String],
    titles: &[String],
) -> Option<Axis> {
    let seconds: Vec<i64> = placed.iter().flatten().map(|p| p.seconds).collect();
    let (mut lo, mut hi) = (*seconds.iter().min()?, *seconds.iter().max()?);
    if hi - lo < 1800 {
        // One moment (or a few close ones): an hour around it, so the mark sits mid-axis.
        let mid = lo + (hi - lo) / 2;
        lo = mid - 1800;
        hi = mid + 1800;
    }
    let span = (hi - lo) as f64;
    let x = |s: i64| EDGE + (s - lo) as f64 / span * (100.0 - 2.0 * EDGE);

    let mut order: Vec<usize> = (0..placed.len()).filter(|&i| placed[i].is_some()).collect();
    order.sort_by_key(|&i| (placed[i].map(|p| p.seconds), i));
    let mut lane_end: Vec<f64> = Vec::new();
    let mut marks = Vec::new();
    for i in order {
        let p = placed[i].expect("filtered to placed entries");
        let mx = x(p.seconds);
        let lane = match lane_end.iter().position(|&end| mx - end >= CROWDED) {
            Some(l) => l,
            None if lane_end.len() < MAX_LANES => {
                lane_end.push(f64::MIN);
                lane_end.len() - 1
            }
            // Every lane is crowded here: the one whose last mark is furthest left.
            None => lane_end
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .map_or(0, |(l, _)| l),
        };
        lane_end[lane] = mx;
        marks.push(Mark {
            entry: i,
            x: round(mx),
            lane,
            y: 0,
            day_only: p.day_only,
            class: classes.get(i).cloned().unwrap_or_default(),
            title: titles.get(i).cloned().unwrap_or_default(),
        });
    }
    let lanes = lane_end.len().max(1);
    let line_y = 22 + 16 * lanes as i64 + 4;
    for m in &mut marks {
        m.y = line_y - 12 - 16 * m.lane as i64;
    }
    Some(Axis {
        marks,
        sets: vec![
            ("ticks-wide", ticks(lo, hi, 8, &x)),
            ("ticks-narrow", ticks(lo, hi, 4, &x)),
        ],
        lanes,
        height: line_y + 24,
        line_y,
        clock_label: clock.label(),
    })
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn anchor(x: f64) -> &'static str {
    if x < 8.0 {
        "start"
    } else if x > 92.0 {
        "end"
    } else {
        "middle"
    }
}

/// At most `most` ticks on round clock values between `lo` and `hi`, and a date break
/// at each midnight when ticks are times of day.
fn ticks(lo: i64, hi: i64, most: i64, x: &impl Fn(i64) -> f64) -> TickSet {
    let step = STEPS
        .iter()
        .copied()
        .find(|s| (hi - lo) / s < most)
        .unwrap_or(365 * 86_400);
    let days = step >= 86_400;
    let mut set = TickSet::default();
    let mut t = lo.div_euclid(step) * step;
    if t < lo {
        t += step;
    }
    while t <= hi {
        let dt = civil(t);
        let label = if days {
            dt.strftime("%b %-d").to_string()
        } else {
            dt.strftime("%H:%M").to_string()
        };
        let tx = round(x(t));
        set.ticks.push(Tick {
            x: tx,
            label,
            anchor: anchor(tx),
        });
        t += step;
    }
    if !days {
        set.breaks.push(Tick {
            x: 0.0,
            label: civil(lo).strftime("%a %b %-d").to_string(),
            anchor: "start",
        });
        let mut midnight = lo.div_euclid(86_400) * 86_400 + 86_400;
        while midnight <= hi {
            let bx = round(x(midnight));
            set.breaks.push(Tick {
                x: bx,
                label: civil(midnight).strftime("%a %b %-d").to_string(),
                anchor: if bx > 80.0 { "end" } else { "start" },
            });
            midnight += 86_400;
        }
        // A break label too close to the start date's label would overlap it.
        if set.breaks.len() > 1 && set.breaks[1].x < 22.0 {
            set.breaks[0].label.clear();
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        wall: &str,
        utc: Option<i64>,
        offset: Option<i64>,
        line: i64,
        rule: &str,
    ) -> TimelineRow {
        TimelineRow {
            utc_seconds: utc,
            wall_time: wall.into(),
            utc_offset: offset,
            precision: if wall.len() == 10 { "day" } else { "minute" }.into(),
            source_text: wall.into(),
            text: "something happened".into(),
            rule: rule.into(),
            line,
        }
    }

    #[test]
    fn a_document_without_a_zone_gets_a_wall_time_axis() {
        let rows = [
            row("2022-12-06T20:30", None, None, 3, "timeline: a line"),
            row("2022-12-07T01:15", None, None, 4, "timeline: a line"),
        ];
        let (clock, placed) = place(&rows);
        assert_eq!(clock, Clock::Wall);
        assert!(clock.label().contains("no time zone"));
        let axis = axis(&clock, &placed, &[], &[]).unwrap();
        assert_eq!(axis.marks.len(), 2);
        let (wide, narrow) = (&axis.sets[0].1, &axis.sets[1].1);
        assert!(wide.ticks.iter().any(|t| t.label == "22:00"));
        // The span crosses midnight: a date break names the new day.
        assert!(wide.breaks.iter().any(|b| b.label == "Wed Dec 7"));
        assert!(narrow.ticks.len() <= 4);
    }

    #[test]
    fn one_stated_offset_is_the_axis_clock() {
        let rows = [
            row(
                "2017-12-08T14:30",
                Some(1_512_765_000),
                Some(-21_600),
                1,
                "timeline",
            ),
            row(
                "2017-12-08T16:00",
                Some(1_512_770_400),
                Some(-21_600),
                2,
                "timeline",
            ),
        ];
        let (clock, placed) = place(&rows);
        assert_eq!(clock, Clock::Zoned(-21_600));
        assert_eq!(clock.label(), "Times in UTC−06:00, as the document states.");
        assert_eq!(reading(placed[0].unwrap()), "2017-12-08 14:30");
    }

    #[test]
    fn entries_written_below_a_later_time_are_out_of_order() {
        let rows = [
            row("2022-01-01T10:00", None, None, 10, "timeline: a line"),
            row("2022-01-01T10:05", None, None, 30, "timeline: a line"),
            row("2022-01-01T11:00", None, None, 20, "timeline: a line"),
            row("2022-01-01T09:00", None, None, 40, "narrative: a sentence"),
        ];
        let (_, placed) = place(&rows);
        let reasons = out_of_order(&rows, &placed);
        assert_eq!(reasons[0], None);
        assert!(
            reasons[1]
                .as_deref()
                .unwrap()
                .contains("below the entry at 2022-01-01 11:00 (line 20)")
        );
        assert_eq!(reasons[2], None);
        assert_eq!(reasons[3], None, "prose is not judged");
    }

    #[test]
    fn a_list_running_newest_first_is_judged_that_way() {
        let rows = [
            row("2022-01-02T18:00", None, None, 10, "status update: a post"),
            row("2022-01-01T23:00", None, None, 20, "status update: a post"),
            row("2022-01-02T09:00", None, None, 25, "status update: a post"),
            row("2022-01-01T17:00", None, None, 30, "status update: a post"),
            row("2022-01-01T12:00", None, None, 40, "timeline: a line"),
        ];
        let (_, placed) = place(&rows);
        let reasons = out_of_order(&rows, &placed);
        assert_eq!(
            reasons.iter().filter(|r| r.is_some()).count(),
            1,
            "{reasons:?}"
        );
        assert!(reasons[2].as_deref().unwrap().contains("newest first"));
    }

    #[test]
    fn crowded_marks_stack_in_lanes() {
        let rows: Vec<TimelineRow> = (0..3)
            .map(|i| row(&format!("2022-01-01T10:0{i}"), None, None, i, "timeline"))
            .chain([row("2022-01-02T10:00", None, None, 9, "timeline")])
            .collect();
        let (clock, placed) = place(&rows);
        let axis = axis(&clock, &placed, &[], &[]).unwrap();
        let lanes: Vec<usize> = axis.marks.iter().map(|m| m.lane).collect();
        assert_eq!(lanes, [0, 1, 2, 0]);
        assert_eq!(axis.lanes, 3);
    }
}
