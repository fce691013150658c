//! Timeline forms of the extraction issue (§2): date subheadings over time-only
//! entries, entry styles, tables, label then time, ranges, clock styles, day order,
//! zones stated once, events in prose, and what is not an event. Start-date and title
//! forms are here too, since they are read from the same dates.

use super::Form;
use super::doc::{Block, Doc, Fmt, Item};
use super::expect::Expected;
use super::rng::Rng;
use super::story::{Case, Story, case, clause, named_case, next_day, twelve_hour};
use super::vocab::{self, Clock, Zone, at, iso};
use jiff::civil::Date;

const ALL: &[Fmt] = &[Fmt::Md, Fmt::Rst, Fmt::Txt];
const BOLD: &[Fmt] = &[Fmt::Md, Fmt::Rst];
const DEFS: &[Fmt] = &[Fmt::Rst, Fmt::Txt];

pub fn forms() -> Vec<Form> {
    vec![
        Form::new("date heading over time bullets", ALL, date_heading),
        Form::new("bold date line over time bullets", BOLD, bold_date_line),
        Form::new("Day N (date) line over time bullets", ALL, day_label),
        Form::new("(All times CEST) 04-03-2024 line", ALL, zone_date_line),
        Form::new(
            "bold-time bullets (- **14:05** ...)",
            BOLD,
            bold_time_bullets,
        ),
        Form::new(
            "bold-time paragraphs (**14:05 UTC**: ...)",
            BOLD,
            bold_time_paragraphs,
        ),
        Form::new("definition list of times", DEFS, definition_list),
        Form::new("table rows under date headings", ALL, table_under_dates),
        Form::new(
            "table: date-time column and event column",
            ALL,
            table_datetime,
        ),
        Form::new("table: zone in the time header", ALL, table_zone_header),
        Form::new("table: separate date column", ALL, table_date_column),
        Form::new(
            "label then date-time (Outage begins: ...)",
            ALL,
            label_datetime,
        ),
        Form::new("label then time (On-call paged - 21:00)", ALL, label_time),
        Form::new("time range entries (03:00-03:30)", ALL, range_entries),
        Form::new(
            "label then range (Writes failing: between 3 AM and 3:30 AM EST)",
            ALL,
            label_range,
        ),
        Form::new("clock: 6.15 AM PST", ALL, clock_dotted),
        Form::new("clock: 2am", ALL, clock_bare_hour),
        Form::new("clock: 9:40a", ALL, clock_short_suffix),
        Form::new("clock: 0815Z", ALL, clock_military),
        Form::new("clock: ~14:30", ALL, clock_approximate),
        Form::new("clock: 14h30", ALL, clock_h),
        Form::new("clock: T+00:15 from a stated start", ALL, clock_relative),
        Form::new(
            "day order: unambiguous date elsewhere",
            ALL,
            order_elsewhere,
        ),
        Form::new("day order: date in the title", ALL, order_title),
        Form::new("day order: front matter date", ALL, order_front_matter),
        Form::new("day order: file name date", ALL, order_file_name),
        Form::new("day order: compact timeline", ALL, order_compact),
        Form::new("zone: declared in a sentence", ALL, zone_sentence),
        Form::new("zone: Timezone field", ALL, zone_field),
        Form::new("zone: in the timeline heading", ALL, zone_heading),
        Form::new(
            "events in prose (At 14:05 UTC on March 3 we ...)",
            ALL,
            prose_events,
        ),
        Form::new("prose: On Tuesday morning (09:10 CET)", ALL, prose_weekday),
        Form::new("not an event: byline", ALL, not_byline),
        Form::new("not an event: last updated", ALL, not_last_updated),
        Form::new("not an event: date-only heading", ALL, not_date_heading),
        Form::new("not an event: template placeholders", ALL, not_placeholder),
        Form::new("one event told twice", ALL, told_twice),
        Form::new("start date: impact, not cause or report", ALL, start_impact),
        Form::new(
            "title: date prefix goes to the start",
            ALL,
            title_date_prefix,
        ),
        Form::new("title: from the file name", ALL, title_file_name),
    ]
}

/// Details nested under an entry: not entries themselves.
const DETAILS: &[&str] = &[
    "Graphs showed the drop on every shard",
    "Noted in the incident channel",
    "Nobody had touched the hosts that week",
    "The runbook step did not apply here",
];

/// A date written as a heading or date line.
fn date_text(rng: &mut Rng, d: Date) -> String {
    vocab::any_date(rng, d)
}

/// Time bullets for one day: `14:05 Pager fired` with a varied separator, sometimes a
/// nested detail; expectations in `zone` (offset) when given.
fn time_bullets(
    rng: &mut Rng,
    s: &mut Story,
    exp: &mut Expected,
    d: Date,
    zone: Option<&Zone>,
) -> Block {
    let sep = *rng.pick(&[" ", " - ", " \u{2014} ", " \u{2013} ", ": "]);
    let n = rng.range(1, 4) as usize;
    let mut items = Vec::new();
    for c in vocab::clocks(rng, n, 0, 18, true) {
        let text = s.event();
        let mut item = Item::new(format!("{}{sep}{text}", c.hm()));
        if rng.chance(20) {
            item.children.push(rng.pick(DETAILS).to_string());
        }
        items.push(item);
        exp.entry(at(d, c, zone.map(|z| z.offset(d, c))), text);
    }
    Block::Bullets(items)
}

/// The days of a multi-day timeline.
fn days(rng: &mut Rng, max: i64) -> Vec<Date> {
    let mut d = vocab::date(rng);
    let mut out = vec![d];
    for _ in 1..rng.range(1, max) {
        d = next_day(d);
        out.push(d);
    }
    out
}

/// Shared shape of the date-subheading forms: each day's header, then time bullets.
fn dated_days(rng: &mut Rng, fmt: Fmt, header: fn(&mut Rng, Fmt, Date, usize) -> Block) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    doc.h2("Timeline");
    let ds = days(rng, 3);
    for (k, d) in ds.iter().enumerate() {
        doc.push(header(rng, fmt, *d, k));
        let b = time_bullets(rng, &mut s, &mut exp, *d, None);
        doc.push(b);
    }
    exp.started = Some(iso(ds[0]));
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

fn date_heading(rng: &mut Rng, fmt: Fmt) -> Case {
    dated_days(rng, fmt, |rng, _, d, _| {
        Block::Heading(3, date_text(rng, d))
    })
}

fn bold_date_line(rng: &mut Rng, fmt: Fmt) -> Case {
    dated_days(rng, fmt, |rng, _, d, _| {
        Block::Para(format!("**{}**", date_text(rng, d)))
    })
}

fn day_label(rng: &mut Rng, fmt: Fmt) -> Case {
    dated_days(rng, fmt, |rng, _, d, k| {
        let date = date_text(rng, d);
        Block::Para(match rng.below(3) {
            0 => format!("Day {} ({date})", k + 1),
            1 => format!("Day {} ({})", k + 1, iso(d)),
            _ => format!("Day {}: {date}", k + 1),
        })
    })
}

/// `04-03-2024` in the document's order, with a chosen separator and year width.
fn numeric(d: Date, day_first: bool, sep: char, short_year: bool, pad: bool) -> String {
    let (a, b) = if day_first {
        (d.day(), d.month())
    } else {
        (d.month(), d.day())
    };
    let y = if short_year {
        format!("{:02}", d.year() % 100)
    } else {
        d.year().to_string()
    };
    if pad {
        format!("{a:02}{sep}{b:02}{sep}{y}")
    } else {
        format!("{a}{sep}{b}{sep}{y}")
    }
}

/// A date whose day and month are both at most 12 and differ: ambiguous when numeric.
fn ambiguous_date(rng: &mut Rng) -> Date {
    loop {
        let d = vocab::date(rng);
        let day = rng.range(1, 11) as i8;
        if day != d.month() {
            return Date::new(d.year(), d.month(), day).unwrap();
        }
    }
}

/// A sentence with an unambiguous numeric date (day above 12) in the given order.
fn order_evidence(rng: &mut Rng, around: Date, day_first: bool, sep: char) -> String {
    let day = rng.range(13, 28) as i8;
    let d = Date::new(around.year(), around.month(), day).unwrap();
    let text = numeric(d, day_first, sep, false, true);
    match rng.below(3) {
        0 => format!("This review was held on {text}."),
        1 => format!("Report reviewed by the team on {text}."),
        _ => format!("We discussed the follow-ups with the service owners on {text}."),
    }
}

fn zone_date_line(rng: &mut Rng, fmt: Fmt) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let day_first = rng.chance(60);
    let sep = *rng.pick(&['-', '/', '.']);
    let d0 = ambiguous_date(rng);
    let ds = if rng.chance(50) {
        vec![d0]
    } else {
        vec![d0, next_day(d0)]
    };
    let zone = vocab::abbreviation(rng, d0);
    doc.h2("Timeline");
    for d in &ds {
        let date = numeric(*d, day_first, sep, false, true);
        doc.para(&match rng.below(3) {
            0 => format!("(All times {}) {date}", zone.written),
            1 => format!("{date} (all times {})", zone.written),
            _ => format!("(Times in {}) {date}", zone.written),
        });
        let b = time_bullets(rng, &mut s, &mut exp, *d, Some(&zone));
        doc.push(b);
    }
    exp.started = Some(iso(d0));
    s.close(rng, &mut doc, &mut exp);
    doc.h2("Review");
    doc.para(&order_evidence(rng, d0, day_first, sep));
    case(rng, fmt, &doc, exp)
}

/// Shared shape of the entry-style forms: `### date` headings, then entries written by
/// `entries` for that day, all with the document's zone or all without.
fn under_date_headings(
    rng: &mut Rng,
    fmt: Fmt,
    entries: fn(&mut Rng, Fmt, &mut Story, &mut Expected, Date, &Option<Zone>) -> Vec<Block>,
) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    doc.h2("Timeline");
    let ds = days(rng, 3);
    // Either every time carries the zone or none does.
    let zone = some_zone(rng, ds[0]);
    for d in &ds {
        doc.h3(&date_text(rng, *d));
        for b in entries(rng, fmt, &mut s, &mut exp, *d, &zone) {
            doc.push(b);
        }
    }
    exp.started = Some(iso(ds[0]));
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

/// A time with, sometimes, a zone abbreviation after it; the expected offset.
fn maybe_zoned(d: Date, c: Clock, zone: &Option<Zone>) -> (String, Option<i32>) {
    match zone {
        Some(z) => (format!("{} {}", c.hm(), z.written), Some(z.offset(d, c))),
        None => (c.hm(), None),
    }
}

fn some_zone(rng: &mut Rng, d: Date) -> Option<Zone> {
    rng.chance(40).then(|| vocab::abbreviation(rng, d))
}

fn bold_time_bullets(rng: &mut Rng, fmt: Fmt) -> Case {
    under_date_headings(rng, fmt, |rng, _, s, exp, d, zone| {
        let sep = *rng.pick(&[" ", " - ", " \u{2014} ", ": "]);
        let mut items = Vec::new();
        for c in vocab::clocks_between(rng, 1, 4, 0, 18, true) {
            let (time, off) = maybe_zoned(d, c, zone);
            let text = s.event();
            let mut item = Item::new(format!("**{time}**{sep}{text}"));
            if rng.chance(20) {
                item.children.push(rng.pick(DETAILS).to_string());
            }
            items.push(item);
            exp.entry(at(d, c, off), text);
        }
        vec![Block::Bullets(items)]
    })
}

fn bold_time_paragraphs(rng: &mut Rng, fmt: Fmt) -> Case {
    under_date_headings(rng, fmt, |rng, _, s, exp, d, zone| {
        let style = rng.below(3);
        let mut out = Vec::new();
        for c in vocab::clocks_between(rng, 1, 4, 0, 18, true) {
            let (time, off) = maybe_zoned(d, c, zone);
            let text = s.event();
            out.push(Block::Para(match style {
                0 => format!("**{time}**: {text}"),
                1 => format!("**{time}:** {text}"),
                _ => format!("**{time}** - {text}"),
            }));
            exp.entry(at(d, c, off), text);
        }
        out
    })
}

fn definition_list(rng: &mut Rng, fmt: Fmt) -> Case {
    under_date_headings(rng, fmt, |rng, _, s, exp, d, zone| {
        let mut defs = Vec::new();
        for c in vocab::clocks_between(rng, 1, 4, 0, 18, true) {
            let (time, off) = maybe_zoned(d, c, zone);
            let text = s.event();
            defs.push((time, text.clone()));
            exp.entry(at(d, c, off), text);
        }
        vec![Block::Defs(defs)]
    })
}

const TIME_HEADERS: &[&str] = &["Time", "When", "Timestamp"];
const EVENT_HEADERS: &[&str] = &["Event", "What happened", "Description", "Action", "Details"];

fn table_under_dates(rng: &mut Rng, fmt: Fmt) -> Case {
    under_date_headings(rng, fmt, |rng, _, s, exp, d, _| {
        let head = vec![
            rng.pick(TIME_HEADERS).to_string(),
            rng.pick(EVENT_HEADERS).to_string(),
        ];
        let mut rows = Vec::new();
        for c in vocab::clocks_between(rng, 1, 4, 0, 18, true) {
            let text = s.event();
            rows.push(vec![c.hm(), text.clone()]);
            exp.entry(at(d, c, None), text);
        }
        vec![Block::Table(head, rows)]
    })
}

/// A timeline section holding a table built by `table` over the given days.
fn table_timeline(
    rng: &mut Rng,
    fmt: Fmt,
    table: fn(&mut Rng, &mut Story, &mut Expected, &[Date], &mut Doc),
) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    doc.h2(rng.word(&["Timeline", "Timeline of events", "Sequence of events"]));
    let ds = days(rng, 2);
    table(rng, &mut s, &mut exp, &ds, &mut doc);
    exp.started = Some(iso(ds[0]));
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

/// A date and time in one cell, in one of the usual ways.
fn datetime_cell(style: usize, d: Date, c: Clock) -> String {
    match style {
        0 => format!("{} {}", iso(d), c.hm()),
        1 => format!("{}T{}", iso(d), c.hm()),
        2 => format!(
            "{} {}, {} {}",
            &vocab::month_name(d)[..3],
            d.day(),
            d.year(),
            c.hm()
        ),
        _ => format!(
            "{} {} {} {}",
            d.day(),
            vocab::month_name(d),
            d.year(),
            c.hm()
        ),
    }
}

fn table_datetime(rng: &mut Rng, fmt: Fmt) -> Case {
    table_timeline(rng, fmt, |rng, s, exp, ds, doc| {
        let head = vec![
            rng.pick(&["Time", "When", "Date", "Timestamp", "Date/Time"])
                .to_string(),
            rng.pick(EVENT_HEADERS).to_string(),
        ];
        let style = rng.below(4);
        let mut rows = Vec::new();
        for d in ds {
            for c in vocab::clocks_between(rng, 1, 3, 0, 18, false) {
                let text = s.event();
                rows.push(vec![datetime_cell(style, *d, c), text.clone()]);
                exp.entry(at(*d, c, None), text);
            }
        }
        doc.push(Block::Table(head, rows));
    })
}

fn table_zone_header(rng: &mut Rng, fmt: Fmt) -> Case {
    table_timeline(rng, fmt, |rng, s, exp, ds, doc| {
        let zone = vocab::abbreviation(rng, ds[0]);
        let head = vec![
            format!(
                "{} ({})",
                rng.pick(&["Time", "When", "Timestamp"]),
                zone.written
            ),
            rng.pick(EVENT_HEADERS).to_string(),
        ];
        // Either full dates in the cells, or one day given by a heading above.
        let full = rng.chance(50);
        let ds = if full { ds } else { &ds[..1] };
        if !full {
            doc.h3(&date_text(rng, ds[0]));
        }
        let style = rng.below(4);
        let mut rows = Vec::new();
        for d in ds {
            for c in vocab::clocks_between(rng, 1, 3, 0, 18, false) {
                let text = s.event();
                let cell = if full {
                    datetime_cell(style, *d, c)
                } else {
                    c.hm()
                };
                rows.push(vec![cell, text.clone()]);
                exp.entry(at(*d, c, Some(zone.offset(*d, c))), text);
            }
        }
        doc.push(Block::Table(head, rows));
    })
}

fn table_date_column(rng: &mut Rng, fmt: Fmt) -> Case {
    table_timeline(rng, fmt, |rng, s, exp, ds, doc| {
        let zone = rng.chance(50).then(|| vocab::abbreviation(rng, ds[0]));
        let time_head = match &zone {
            Some(z) => format!("Time ({})", z.written),
            None => "Time".to_string(),
        };
        let head = vec![
            rng.pick(&["Date", "Day"]).to_string(),
            time_head,
            rng.pick(EVENT_HEADERS).to_string(),
        ];
        let named = rng.chance(50);
        let mut rows = Vec::new();
        for d in ds {
            let date = if named {
                format!("{} {}, {}", &vocab::month_name(*d)[..3], d.day(), d.year())
            } else {
                iso(*d)
            };
            for c in vocab::clocks_between(rng, 1, 3, 0, 18, false) {
                let text = s.event();
                rows.push(vec![date.clone(), c.hm(), text.clone()]);
                exp.entry(at(*d, c, zone.as_ref().map(|z| z.offset(*d, c))), text);
            }
        }
        doc.push(Block::Table(head, rows));
    })
}

/// Items as bullets or as lines of one paragraph.
fn bullets_or_lines(rng: &mut Rng, fmt: Fmt, items: Vec<String>) -> Block {
    if rng.chance(60) || fmt == Fmt::Md {
        Block::Bullets(items.into_iter().map(Item::new).collect())
    } else {
        Block::Para(items.join("\n"))
    }
}

fn label_datetime(rng: &mut Rng, fmt: Fmt) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    doc.h2("Timeline");
    let d = vocab::date(rng);
    let zone = some_zone(rng, d);
    let labels = rng.pick_distinct(vocab::LABELS, 4);
    let style = rng.below(3);
    let mut items = Vec::new();
    for (c, label) in vocab::clocks_between(rng, 2, 4, 0, 18, false)
        .into_iter()
        .zip(labels)
    {
        let (time, off) = maybe_zoned(d, c, &zone);
        let date = match style {
            0 => iso(d),
            1 => format!("{} {}, {}", vocab::month_name(d), d.day(), d.year()),
            _ => format!("{} {} {}", d.day(), &vocab::month_name(d)[..3], d.year()),
        };
        items.push(format!("{label}: {date} {time}"));
        exp.entry(at(d, c, off), label);
    }
    doc.push(bullets_or_lines(rng, fmt, items));
    exp.started = Some(iso(d));
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

fn label_time(rng: &mut Rng, fmt: Fmt) -> Case {
    under_date_headings(rng, fmt, |rng, fmt, _, exp, d, zone| {
        let sep = *rng.pick(&[" \u{2014} ", " - ", ": ", " \u{2013} ", " at "]);
        let labels = rng.pick_distinct(vocab::LABELS, 3);
        let mut items = Vec::new();
        for (c, label) in vocab::clocks_between(rng, 1, 3, 0, 18, false)
            .into_iter()
            .zip(labels)
        {
            let (time, off) = maybe_zoned(d, c, zone);
            items.push(format!("{label}{sep}{time}"));
            exp.entry(at(d, c, off), label);
        }
        vec![bullets_or_lines(rng, fmt, items)]
    })
}

fn range_entries(rng: &mut Rng, fmt: Fmt) -> Case {
    under_date_headings(rng, fmt, |rng, _, s, exp, d, zone| {
        let style = rng.below(4);
        let mut items = Vec::new();
        for c in vocab::clocks_between(rng, 1, 3, 0, 17, false) {
            let end_m = c.minutes() + rng.range(5, 50) as i32;
            let end = Clock {
                h: (end_m / 60) as i8,
                m: (end_m % 60) as i8,
                s: None,
            };
            let z = zone
                .as_ref()
                .map(|z| format!(" {}", z.written))
                .unwrap_or_default();
            let range = match style {
                0 => format!("{}-{}{z}", c.hm(), end.hm()),
                1 => format!("{}\u{2013}{}{z}", c.hm(), end.hm()),
                2 => format!("{} - {}{z}", c.hm(), end.hm()),
                _ => format!("{} to {}{z}", c.hm(), end.hm()),
            };
            let text = s.event();
            items.push(Item::new(format!("{range} {text}")));
            exp.entry(at(d, c, zone.as_ref().map(|z| z.offset(d, c))), text);
        }
        vec![Block::Bullets(items)]
    })
}

/// `3 AM`, `3:30 PM`, `3am`.
fn am_pm(c: Clock, style: usize) -> String {
    let (h, pm) = twelve_hour(c);
    let suffix = match (style, pm) {
        (0, false) => " AM",
        (0, true) => " PM",
        (1, false) => "am",
        (1, true) => "pm",
        (_, false) => " a.m.",
        (_, true) => " p.m.",
    };
    if c.m == 0 {
        format!("{h}{suffix}")
    } else {
        format!("{h}:{:02}{suffix}", c.m)
    }
}

/// A document without a timeline section: title, a "What happened" section of prose,
/// the cause and the actions.
fn prose_case(
    rng: &mut Rng,
    fmt: Fmt,
    body: fn(&mut Rng, &mut Story, &mut Expected) -> Vec<String>,
) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    doc.h2(rng.word(&["What happened", "Details", "Incident details"]));
    for p in body(rng, &mut s, &mut exp) {
        doc.para(&p);
    }
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

/// What a window in a timeline is called ("Writes failing: 03:00-03:30").
const WINDOW_LABELS: &[&str] = &[
    "Elevated errors",
    "Writes failing",
    "Partial outage",
    "Read-only mode",
    "Queue stalled",
    "Slow page loads",
    "Degraded checkout",
    "Maintenance window",
];

fn label_range(rng: &mut Rng, fmt: Fmt) -> Case {
    under_date_headings(rng, fmt, |rng, fmt, _, exp, d, zone| {
        let sep = *rng.pick(&[": ", " \u{2014} ", " - "]);
        let style = rng.below(4);
        let labels = rng.pick_distinct(WINDOW_LABELS, 3);
        let mut items = Vec::new();
        for (start, label) in vocab::clocks_between(rng, 1, 2, 0, 20, false)
            .into_iter()
            .zip(labels)
        {
            let end_m = start.minutes() + rng.range(10, 170) as i32;
            let end = Clock {
                h: (end_m / 60).min(23) as i8,
                m: (end_m % 60) as i8,
                s: None,
            };
            let z = zone
                .as_ref()
                .map(|z| format!(" {}", z.written))
                .unwrap_or_default();
            let range = match style {
                0 => format!("between {} and {}{z}", am_pm(start, 0), am_pm(end, 0)),
                1 => format!("{}-{}{z}", start.hm(), end.hm()),
                2 => format!("from {} to {}{z}", start.hm(), end.hm()),
                _ => format!("{}\u{2013}{}{z}", am_pm(start, 1), am_pm(end, 1)),
            };
            items.push(format!("{label}{sep}{range}"));
            exp.entry(
                at(d, start, zone.as_ref().map(|z| z.offset(d, start))),
                label,
            );
        }
        vec![bullets_or_lines(rng, fmt, items)]
    })
}

/// A day of bullets whose times are written by `write`; optional zone suffix.
fn clock_form(
    rng: &mut Rng,
    fmt: Fmt,
    clocks: fn(&mut Rng) -> Vec<Clock>,
    write: fn(&mut Rng, Clock) -> String,
    zone: fn(&mut Rng, Date) -> Option<Zone>,
) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    doc.h2("Timeline");
    let d = vocab::date(rng);
    doc.h3(&date_text(rng, d));
    let z = zone(rng, d);
    let mut items = Vec::new();
    for c in clocks(rng) {
        let mut time = write(rng, c);
        if let Some(z) = z.as_ref().filter(|z| !z.written.is_empty()) {
            time = format!("{time} {}", z.written);
        }
        let text = s.event();
        items.push(format!("{time} {text}"));
        exp.entry(at(d, c, z.as_ref().map(|z| z.offset(d, c))), text);
    }
    doc.bullets(items);
    exp.started = Some(iso(d));
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

fn minute_clocks(rng: &mut Rng) -> Vec<Clock> {
    let n = rng.range(2, 4) as usize;
    vocab::clocks(rng, n, 0, 20, false)
}

fn clock_dotted(rng: &mut Rng, fmt: Fmt) -> Case {
    clock_form(
        rng,
        fmt,
        minute_clocks,
        |rng, c| {
            let (h, pm) = twelve_hour(c);
            let suffix = match (rng.below(3), pm) {
                (0, false) => "AM",
                (0, true) => "PM",
                (1, false) => "am",
                (1, true) => "pm",
                (_, false) => "a.m.",
                (_, true) => "p.m.",
            };
            format!("{h}.{:02} {suffix}", c.m)
        },
        |rng, d| Some(vocab::abbreviation(rng, d)),
    )
}

fn clock_bare_hour(rng: &mut Rng, fmt: Fmt) -> Case {
    clock_form(
        rng,
        fmt,
        |rng| {
            let mut h = rng.range(0, 18) as i8;
            let mut out = Vec::new();
            for _ in 0..rng.range(2, 4) {
                out.push(Clock { h, m: 0, s: None });
                h += rng.range(1, 2) as i8;
            }
            out
        },
        |rng, c| {
            let (h, pm) = twelve_hour(c);
            let suffix = if pm { "pm" } else { "am" };
            match rng.below(3) {
                0 => format!("{h}{suffix}"),
                1 => format!("{h} {}", suffix.to_uppercase()),
                _ => format!("{h}{}", suffix.to_uppercase()),
            }
        },
        some_zone,
    )
}

fn clock_short_suffix(rng: &mut Rng, fmt: Fmt) -> Case {
    clock_form(
        rng,
        fmt,
        minute_clocks,
        |_, c| {
            let (h, pm) = twelve_hour(c);
            format!("{h}:{:02}{}", c.m, if pm { "p" } else { "a" })
        },
        some_zone,
    )
}

fn clock_military(rng: &mut Rng, fmt: Fmt) -> Case {
    clock_form(
        rng,
        fmt,
        minute_clocks,
        |rng, c| {
            if rng.chance(70) {
                format!("{:02}{:02}Z", c.h, c.m)
            } else {
                format!("{:02}{:02} UTC", c.h, c.m)
            }
        },
        // The times carry their own `Z` or `UTC`; the zone only gives the offset.
        |_, _| {
            Some(Zone {
                written: String::new(),
                tz: "UTC",
                fixed: Some(0),
            })
        },
    )
}

fn clock_approximate(rng: &mut Rng, fmt: Fmt) -> Case {
    clock_form(
        rng,
        fmt,
        minute_clocks,
        |rng, c| {
            if rng.chance(70) {
                format!("~{}", c.hm())
            } else {
                format!("~ {}", c.hm())
            }
        },
        some_zone,
    )
}

fn clock_h(rng: &mut Rng, fmt: Fmt) -> Case {
    clock_form(
        rng,
        fmt,
        minute_clocks,
        |_, c| format!("{}h{:02}", c.h, c.m),
        some_zone,
    )
}

fn clock_relative(rng: &mut Rng, fmt: Fmt) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    doc.h2("Timeline");
    let d = vocab::date(rng);
    let start = Clock {
        h: rng.range(0, 15) as i8,
        m: rng.range(0, 59) as i8,
        s: None,
    };
    let zone = vocab::abbreviation(rng, d);
    let date = vocab::named_date(rng, d);
    doc.para(&match rng.below(3) {
        0 => format!(
            "Times below are relative to the start of impact (T+00:00), {} {} on {date}.",
            start.hm(),
            zone.written
        ),
        1 => format!(
            "T+00:00 is {date}, {} {}; times below count from it.",
            start.hm(),
            zone.written
        ),
        _ => format!(
            "All times are relative to T0 = {} {} {}.",
            iso(d),
            start.hm(),
            zone.written
        ),
    });
    let mut rel = 0;
    let mut items = Vec::new();
    for k in 0..rng.range(2, 5) {
        if k > 0 {
            rel += rng.range(3, 70) as i32;
        }
        let c_m = start.minutes() + rel;
        let c = Clock {
            h: (c_m / 60) as i8,
            m: (c_m % 60) as i8,
            s: None,
        };
        let text = s.event();
        items.push(format!("T+{:02}:{:02} {text}", rel / 60, rel % 60));
        exp.entry(at(d, c, Some(zone.offset(d, c))), text);
    }
    doc.bullets(items);
    exp.started = Some(iso(d));
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

/// A timeline of ambiguous numeric dates in the order `day_first`; `extra` adds the
/// evidence that settles it and may set the title and the file name.
fn order_case(
    rng: &mut Rng,
    fmt: Fmt,
    evidence: fn(&mut Rng, Fmt, Date, bool, char, &mut Doc, &mut Expected) -> Option<String>,
) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let day_first = rng.chance(50);
    let sep = *rng.pick(&['/', '-', '.']);
    // Two-digit years as people write them: 3/4/24, 03-04-24 (dotted ones read as
    // version numbers).
    let short_year = sep != '.' && rng.chance(30);
    let pad = rng.chance(60);
    let d0 = ambiguous_date(rng);
    doc.h2("Timeline");
    let mut items = Vec::new();
    let ds = if rng.chance(50) {
        vec![d0]
    } else {
        vec![d0, next_day(d0)]
    };
    for d in &ds {
        for c in vocab::clocks_between(rng, 1, 3, 0, 18, false) {
            let text = s.event();
            items.push(format!(
                "{} {} - {text}",
                numeric(*d, day_first, sep, short_year, pad),
                c.hm()
            ));
            exp.entry(at(*d, c, None), text);
        }
    }
    doc.bullets(items);
    exp.started = Some(iso(d0));
    s.close(rng, &mut doc, &mut exp);
    let stem = evidence(rng, fmt, d0, day_first, sep, &mut doc, &mut exp);
    match stem {
        Some(stem) => named_case(rng, fmt, &doc, exp, stem),
        None => case(rng, fmt, &doc, exp),
    }
}

fn order_elsewhere(rng: &mut Rng, fmt: Fmt) -> Case {
    order_case(rng, fmt, |rng, _, d0, day_first, sep, doc, _| {
        doc.h2("Review");
        doc.para(&order_evidence(rng, d0, day_first, sep));
        None
    })
}

fn order_title(rng: &mut Rng, fmt: Fmt) -> Case {
    order_case(rng, fmt, |rng, _, d0, _, _, doc, exp| {
        let title = doc.title.clone().unwrap();
        let date = vocab::named_date(rng, d0);
        doc.title = Some(match rng.below(3) {
            0 => format!("{date}: {title}"),
            1 => format!("{date} \u{2014} {title}"),
            _ => format!("{date} - {title}"),
        });
        exp.title = title;
        None
    })
}

fn order_front_matter(rng: &mut Rng, fmt: Fmt) -> Case {
    order_case(rng, fmt, |_, _, d0, _, _, doc, _| {
        doc.front.push(("date".to_string(), iso(d0)));
        None
    })
}

fn order_file_name(rng: &mut Rng, fmt: Fmt) -> Case {
    order_case(rng, fmt, |rng, _, d0, _, _, _, _| {
        Some(format!(
            "{}-{}",
            iso(d0),
            rng.pick(&["outage", "incident", "postmortem", "report"])
        ))
    })
}

fn order_compact(rng: &mut Rng, fmt: Fmt) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let day_first = rng.chance(50);
    let sep = *rng.pick(&['/', '-', '.']);
    // Two to four consecutive days, each of them ambiguous.
    let d0 = loop {
        let d = ambiguous_date(rng);
        if d.day() <= 8 && !(d.day()..d.day() + 4).contains(&d.month()) {
            break d;
        }
    };
    doc.h2("Timeline");
    let mut items = Vec::new();
    let mut d = d0;
    for _ in 0..rng.range(2, 4) {
        let c = vocab::clocks(rng, 1, 0, 22, false)[0];
        let text = s.event();
        items.push(format!(
            "{} {} - {text}",
            numeric(d, day_first, sep, false, true),
            c.hm()
        ));
        exp.entry(at(d, c, None), text);
        d = next_day(d);
    }
    doc.bullets(items);
    exp.started = Some(iso(d0));
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

/// Entries without zones below a statement of the zone placed by `state`, which
/// returns the timeline heading to write (empty when it wrote the heading itself).
fn zone_case(rng: &mut Rng, fmt: Fmt, state: fn(&mut Rng, Fmt, &Zone, &mut Doc) -> String) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let d = vocab::date(rng);
    let zone = vocab::stated_zone(rng, d);
    let heading = state(rng, fmt, &zone, &mut doc);
    if !heading.is_empty() {
        doc.h2(&heading);
    }
    let full = rng.chance(50);
    if !full {
        doc.h3(&date_text(rng, d));
    }
    let mut items = Vec::new();
    for c in vocab::clocks_between(rng, 2, 4, 0, 18, false) {
        let text = s.event();
        let time = if full {
            format!("{} {}", iso(d), c.hm())
        } else {
            c.hm()
        };
        items.push(format!("{time} - {text}"));
        exp.entry(at(d, c, Some(zone.offset(d, c))), text);
    }
    doc.bullets(items);
    exp.started = Some(iso(d));
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

fn zone_sentence(rng: &mut Rng, fmt: Fmt) -> Case {
    zone_case(rng, fmt, |rng, _, zone, doc| {
        let z = &zone.written;
        let sentence = match rng.below(5) {
            0 => format!("All times are in {z}."),
            1 => format!("All times {z}."),
            2 => format!("Times are in {z}."),
            3 => format!("All timestamps are {z}."),
            _ => format!("All times below are {z}."),
        };
        if rng.chance(50) {
            // In the summary, before the timeline.
            doc.para(&sentence);
            "Timeline".to_string()
        } else {
            doc.h2("Timeline");
            doc.para(&sentence);
            String::new()
        }
    })
}

fn zone_field(rng: &mut Rng, fmt: Fmt) -> Case {
    zone_case(rng, fmt, |rng, fmt, zone, doc| {
        let z = zone.written.clone();
        if rng.chance(30) && fmt != Fmt::Txt {
            doc.front.push(("timezone".to_string(), z));
        } else {
            let label = *rng.pick(&["Timezone", "Time zone", "Time Zone"]);
            let line = if fmt.has_bold() && rng.chance(50) {
                format!("**{label}:** {z}")
            } else {
                format!("{label}: {z}")
            };
            let owner = format!("Incident commander: {}", rng.pick(vocab::FULL_NAMES));
            let block = Block::Para(format!("{owner}\n{line}"));
            doc.blocks.insert(0, block);
        }
        "Timeline".to_string()
    })
}

fn zone_heading(rng: &mut Rng, fmt: Fmt) -> Case {
    zone_case(rng, fmt, |rng, _, zone, _| {
        let z = &zone.written;
        match rng.below(3) {
            0 => format!("Timeline ({z})"),
            1 => format!("Timeline (all times {z})"),
            _ => format!("Timeline (times in {z})"),
        }
    })
}

/// Prose clauses that read as things done ("we rolled back ...").
const PROSE: &[&str] = &[
    "we rolled back the last release",
    "the pager fired for the {svc}",
    "traffic moved to the standby region",
    "the database failover completed",
    "we paused write traffic to the {svc}",
    "the error rate passed five percent",
    "support reported failed sign-ins",
    "dashboards confirmed the mitigation",
    "we restarted the cache nodes",
    "the {svc} stopped accepting writes",
    "the on-call engineer joined the call",
    "we turned the feature flag off",
];

fn prose_events(rng: &mut Rng, fmt: Fmt) -> Case {
    prose_case(rng, fmt, |rng, s, exp| {
        let d = vocab::date(rng);
        let zone = vocab::abbreviation(rng, d);
        let whats: Vec<String> = rng
            .pick_distinct(PROSE, 3)
            .into_iter()
            .map(|w| vocab::fill(w, s.svc))
            .collect();
        let cs = vocab::clocks(rng, whats.len(), 0, 20, false);
        let mut sentences = Vec::new();
        let month_day = format!("{} {}", vocab::month_name(d), d.day());
        let dated_first = rng.chance(50);
        for (k, (c, what)) in cs.iter().zip(&whats).enumerate() {
            let t = format!("{} {}", c.hm(), zone.written);
            sentences.push(match (k, dated_first) {
                (0, true) => format!("At {t} on {month_day}, {} {what}.", d.year()),
                (0, false) => format!("On {}, at {t}, {what}.", vocab::named_date(rng, d)),
                (1, _) => format!("At {t} {what}."),
                _ => format!("By {t} {what}."),
            });
            exp.entry(at(d, *c, Some(zone.offset(d, *c))), what.clone());
        }
        exp.started = Some(iso(d));
        vec![sentences.join(" ")]
    })
}

fn prose_weekday(rng: &mut Rng, fmt: Fmt) -> Case {
    prose_case(rng, fmt, |rng, s, exp| {
        let d0 = vocab::date(rng);
        let d1 = next_day(d0);
        let zone = vocab::abbreviation(rng, d0);
        let whats: Vec<String> = rng
            .pick_distinct(PROSE, 2)
            .into_iter()
            .map(|w| vocab::fill(w, s.svc))
            .collect();
        let c0 = vocab::clocks(rng, 1, 12, 20, false)[0];
        let c1 = vocab::clocks(rng, 1, 7, 10, false)[0];
        let first = format!(
            "On {}, {} at {} {}, {}.",
            vocab::weekday_name(d0),
            vocab::named_date(rng, d0).replace(&format!("{}, ", vocab::weekday_name(d0)), ""),
            c0.hm(),
            zone.written,
            whats[0]
        );
        let part = *rng.pick(&["morning", "morning", "early"]);
        let second = format!(
            "On {} {part} ({} {}) {}.",
            vocab::weekday_name(d1),
            c1.hm(),
            zone.written,
            whats[1]
        );
        exp.entry(at(d0, c0, Some(zone.offset(d0, c0))), whats[0].clone());
        exp.entry(at(d1, c1, Some(zone.offset(d1, c1))), whats[1].clone());
        exp.started = Some(iso(d0));
        vec![format!("{first} {second}")]
    })
}

/// A document with a date-heading timeline, and `distract` adding something dated
/// that is not an event (it gets the day after the timeline to use).
fn not_event_case(
    rng: &mut Rng,
    fmt: Fmt,
    distract: fn(&mut Rng, Fmt, Date, &mut Doc, &mut Story),
) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    doc.h2("Timeline");
    let ds = days(rng, 2);
    for d in &ds {
        doc.h3(&date_text(rng, *d));
        let b = time_bullets(rng, &mut s, &mut exp, *d, None);
        doc.push(b);
    }
    exp.started = Some(iso(ds[0]));
    s.close(rng, &mut doc, &mut exp);
    let later = ds
        .last()
        .unwrap()
        .checked_add(jiff::Span::new().days(rng.range(2, 20)))
        .unwrap();
    distract(rng, fmt, later, &mut doc, &mut s);
    case(rng, fmt, &doc, exp)
}

/// Inserts a paragraph right after the title.
fn after_title(doc: &mut Doc, text: String) {
    doc.blocks.insert(0, Block::Para(text));
}

fn not_byline(rng: &mut Rng, fmt: Fmt) -> Case {
    not_event_case(rng, fmt, |rng, _, later, doc, _| {
        let who = *rng.pick(vocab::FULL_NAMES);
        let date = vocab::any_date(rng, later);
        after_title(
            doc,
            match rng.below(4) {
                0 => format!("Posted by {who} on {date}"),
                1 => format!("By {who} \u{b7} {date}"),
                2 => format!("Written by {who}, {date}"),
                _ => format!("{who} \u{2014} {date}"),
            },
        );
    })
}

fn not_last_updated(rng: &mut Rng, fmt: Fmt) -> Case {
    not_event_case(rng, fmt, |rng, _, later, doc, _| {
        let date = vocab::any_date(rng, later);
        let c = vocab::clocks(rng, 1, 8, 18, false)[0];
        let text = match rng.below(4) {
            0 => format!("Last updated: {date}"),
            1 => format!("Last updated: {} {} UTC", iso(later), c.hm()),
            2 => format!("Updated on {date}"),
            _ => format!("Last modified {date}"),
        };
        if rng.chance(50) {
            after_title(doc, text);
        } else {
            doc.para(&text);
        }
    })
}

fn not_date_heading(rng: &mut Rng, fmt: Fmt) -> Case {
    // The heading directly below the title, naming the day the report was written.
    not_event_case(rng, fmt, |rng, _, later, doc, _| {
        let date = vocab::any_date(rng, later);
        doc.blocks.insert(0, Block::Heading(2, date));
    })
}

fn not_placeholder(rng: &mut Rng, fmt: Fmt) -> Case {
    not_event_case(rng, fmt, |rng, _, _, doc, _| {
        let placeholder = match rng.below(4) {
            0 => "{{ time }} {{ event }}",
            1 => "YYYY-MM-DD HH:MM - describe what happened",
            2 => "[date] [time] [what happened]",
            _ => "HH:MM - <event>",
        };
        // Into the last list of the timeline, and a field at the top.
        let timeline_end = doc
            .blocks
            .iter()
            .position(|b| matches!(b, Block::Heading(2, t) if t.starts_with("Root")))
            .unwrap();
        if let Some(Block::Bullets(items)) = doc.blocks.get_mut(timeline_end - 1) {
            items.push(Item::new(placeholder));
        }
        let field = *rng.pick(&["Date: {{ date }}", "Date: YYYY-MM-DD", "Date: <date>"]);
        after_title(doc, field.to_string());
    })
}

fn told_twice(rng: &mut Rng, fmt: Fmt) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let d = vocab::date(rng);
    let zone = vocab::abbreviation(rng, d);
    let cs = vocab::clocks_between(rng, 2, 4, 0, 18, false);
    let events: Vec<String> = cs.iter().map(|_| s.event()).collect();
    let retold = format!(
        "At {} {} on {}, {}.",
        cs[0].hm(),
        zone.written,
        vocab::named_date(rng, d),
        clause(&events[0])
    );
    let in_timeline = rng.chance(50);
    if !in_timeline {
        doc.para(&retold);
    }
    doc.h2("Timeline");
    if in_timeline {
        doc.para(&retold);
    }
    let mut items = Vec::new();
    for (c, text) in cs.iter().zip(&events) {
        items.push(format!("{} {} {} - {text}", iso(d), c.hm(), zone.written));
        exp.entry(at(d, *c, Some(zone.offset(d, *c))), text.clone());
    }
    doc.bullets(items);
    exp.started = Some(iso(d));
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

/// Things that happen before impact and are not its start.
const BEFORE: &[&str] = &[
    "The change that later caused the outage was merged",
    "Bug introduced in a release of the {svc}",
    "Certificate issued with a short lifetime",
    "Config with the wrong limit committed",
];

fn start_impact(rng: &mut Rng, fmt: Fmt) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let d = vocab::date(rng);
    let before = d
        .checked_sub(jiff::Span::new().days(rng.range(5, 60)))
        .unwrap();
    let published = d
        .checked_add(jiff::Span::new().days(rng.range(3, 20)))
        .unwrap();
    after_title(
        &mut doc,
        match rng.below(3) {
            0 => format!("Published: {}", vocab::any_date(rng, published)),
            1 => format!("Report date: {}", vocab::any_date(rng, published)),
            _ => format!("Published on {}", vocab::any_date(rng, published)),
        },
    );
    doc.h2("Timeline");
    let mut items = Vec::new();
    let how = rng.below(3);
    let what = vocab::fill(rng.word(BEFORE), s.svc);
    match how {
        0 => {}
        1 => {
            items.push(format!("{} - {what}", iso(before)));
            exp.entry(iso(before), what.clone());
        }
        _ => {
            let c = vocab::clocks(rng, 1, 9, 17, false)[0];
            items.push(format!("{} {} - {what}", iso(before), c.hm()));
            exp.entry(at(before, c, None), what.clone());
        }
    }
    for c in vocab::clocks_between(rng, 2, 3, 0, 18, false) {
        let text = s.event();
        items.push(format!("{} {} - {text}", iso(d), c.hm()));
        exp.entry(at(d, c, None), text);
    }
    doc.bullets(items);
    exp.started = Some(iso(d));
    // Each sentence of a cause section is a cause of its own (issue 10 §2).
    let when = format!(
        "The faulty change went out on {}, weeks before anyone noticed.",
        vocab::named_date(rng, before)
    );
    doc.h2("Root cause").para(&format!("{} {when}", s.cause));
    exp.causes.push(s.cause.clone());
    exp.causes.push(when);
    s.action_section(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

fn title_date_prefix(rng: &mut Rng, fmt: Fmt) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let d = s.plain_timeline(rng, &mut doc, &mut exp);
    let title = s.title.clone();
    let date = vocab::any_date(rng, d);
    doc.title = Some(match rng.below(4) {
        0 => format!("{date}: {title}"),
        1 => format!("{date} \u{2014} {title}"),
        2 => format!("[{}] {title}", iso(d)),
        _ => format!("{date} - {title}"),
    });
    s.close(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

fn title_file_name(rng: &mut Rng, fmt: Fmt) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    doc.title = None;
    // Without a title the document opens with its summary paragraph, long enough not
    // to read as a heading.
    doc.blocks.remove(0);
    if let Some(Block::Para(p)) = doc.blocks.first_mut() {
        p.push_str(" This report was written by the team that handled it.");
    }
    let d = s.plain_timeline(rng, &mut doc, &mut exp);
    s.close(rng, &mut doc, &mut exp);
    // A file name cannot tell "fan-out" from "fan out": expect the readable words.
    let words: Vec<String> = s
        .title
        .split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| w.to_lowercase())
        .collect();
    let joiner = *rng.pick(&["-", "_"]);
    let slug = words.join(joiner);
    let stem = if rng.chance(50) {
        format!("{}-{slug}", iso(d))
    } else {
        slug
    };
    exp.title = words.join(" ");
    named_case(rng, fmt, &doc, exp, stem)
}
