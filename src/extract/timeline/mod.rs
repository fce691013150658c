//! Timeline extraction: from timeline sections (one heading, bullet, table row or line
//! per entry, under date headers), tables with a time column, status-page updates and
//! update lists, and, when the document has no timeline of its own, narrative sentences
//! with an explicit time or date ("At 16:13 UTC we ...").
//!
//! Dates that a timestamp leaves out come from context, in this order: the previous
//! date mentioned in the document, then the anchor (front matter, title or file name
//! date). The day/month order of numeric dates is decided once per document. Zones come
//! from the timestamp itself, else from the zone its table header or section heading
//! states ("Time (UTC)", "Timeline (CET)"), else from the zone the document states for
//! all its times.
//!
//! Invariant: an entry gets an offset only from a zone the document wrote down; with
//! none, it keeps wall-clock time. Every entry says which rule took it.

mod layout;
mod narrative;
mod relative;
mod resolve;
mod units;

use super::sections::{Outline, SectionKind};
use super::sentences;
use super::timestamp::{self, ZoneMention};
use crate::model::{TimelineEntry, Warning};
use jiff::civil::Date;
use layout::Source;
use resolve::Order;
use std::collections::HashSet;
use units::{Role, Units};

/// What the timeline pass found.
#[derive(Debug, Default)]
pub struct Timeline {
    pub entries: Vec<TimelineEntry>,
    pub warnings: Vec<Warning>,
    /// The zone the document states for its times, if any.
    pub zone: Option<ZoneMention>,
    /// Lines that belong to status-page updates and datelines; other extractors leave
    /// them alone.
    pub status_lines: HashSet<u32>,
    /// How the day/month order of numeric dates was decided, when there was one to
    /// decide: the explanation `parse --explain` prints.
    pub order_note: Option<(u32, String)>,
    /// Whether the document lays its timeline out as structure (a timeline section,
    /// table or update list), as opposed to telling it in prose.
    pub structured: bool,
    /// Numeric dates are read day first (decided once for the document).
    pub day_first: bool,
    /// Where the document's zone came from, when the document stated it.
    pub zone_note: Option<String>,
}

/// What the document says outside its sections that bears on its dates: the title and
/// the front matter date, each with its line.
#[derive(Debug, Default)]
pub struct Context<'a> {
    /// The date context before the first date in the document (front matter, title or
    /// file name date).
    pub anchor: Option<Date>,
    /// The date the day/month order of numeric dates is judged near: the anchor, unless
    /// only a due date of an action gave it.
    pub order_anchor: Option<Date>,
    /// A zone given by metadata.
    pub declared: Option<ZoneMention>,
    /// Texts whose numeric dates are evidence of the day/month order.
    pub evidence: Vec<(&'a str, u32)>,
}

/// Extracts the timeline.
pub fn extract(outline: &Outline<'_>, context: Context<'_>) -> Timeline {
    let Context {
        anchor,
        order_anchor,
        declared,
        evidence,
    } = context;
    let mut units = units::collect(outline);
    relative::apply(&mut units);
    let (zone, zone_note) = match declared {
        Some(z) => (Some(z), None),
        None => match document_zone(&units) {
            Some((z, note)) => (Some(z), Some(note)),
            None => (None, None),
        },
    };
    let mut out = Timeline {
        zone,
        zone_note,
        ..Timeline::default()
    };
    let decision = resolve::decide_order(&units, &evidence, anchor, order_anchor);
    out.day_first = decision.order == Order::DayFirst;
    let order_name = |o: Order| match o {
        Order::DayFirst => "day first (DD/MM)",
        Order::MonthFirst => "month first (MM/DD)",
    };
    if let Some((line, why)) = &decision.inferred {
        let name = match decision.order {
            Order::DayFirst => "DD/MM",
            Order::MonthFirst => "MM/DD",
        };
        out.warnings.push(Warning::new(
            *line,
            format!("numeric dates read as {name}: the order was inferred from the document"),
        ));
        out.order_note = Some((
            *line,
            format!("date order: {}, because {why}", order_name(decision.order)),
        ));
    } else if let Some((text, line)) = &decision.settled_by {
        out.order_note = Some((
            *line,
            format!(
                "date order: {}, because {text} appears on line {line}",
                order_name(decision.order)
            ),
        ));
    }

    let mut candidates = layout::status_posts(&units, &mut out.status_lines);
    let (structure, mut consumed) = layout::structural(outline, &units);
    candidates.extend(structure);
    candidates.extend(layout::stamp_lines(
        &units,
        &mut consumed,
        &mut out.status_lines,
    ));
    // A timeline laid out as structure is the timeline: timed sentences elsewhere
    // retell or explain it.
    out.structured = candidates.iter().any(|c| c.source == Source::Structure);
    let taken: HashSet<(usize, usize)> =
        candidates.iter().map(|c| (c.unit, c.found.start)).collect();
    let mut prose = narrative::narrative(
        &units,
        &consumed,
        &out.status_lines,
        &taken,
        !out.structured && candidates.is_empty(),
    );
    if out.structured {
        prose.retain(|c| units.list[c.unit].kind == SectionKind::Timeline);
    }
    // Without a timeline of its own, a document's timed sentences are its timeline; its
    // merely dated ones count only when it has no timed ones.
    if prose.iter().any(|c| c.found.time.is_some()) {
        prose.retain(|c| c.found.time.is_some());
    }
    candidates.extend(prose);
    candidates.sort_by_key(|c| (c.unit, c.found.start));

    let zone = out.zone.clone();
    let sources = resolve::resolve(
        &units,
        candidates,
        decision.order,
        anchor,
        zone.as_ref(),
        &mut out,
    );

    // A sentence in the prose naming the same moment as an entry of the timeline
    // itself ("Services were down from 0105 UTC ...") restates that entry.
    let listed: HashSet<String> = out
        .entries
        .iter()
        .zip(&sources)
        .filter(|(_, s)| **s != Source::Narrative)
        .map(|(e, _)| e.at.to_at_string())
        .collect();
    let mut kept = sources.iter();
    out.entries.retain(|e| {
        kept.next() != Some(&Source::Narrative) || !listed.contains(&e.at.to_at_string())
    });

    out.entries.sort_by_key(|e| e.at.sort_key());
    let mut seen = HashSet::new();
    out.entries
        .retain(|e| seen.insert((e.at.to_at_string(), e.text.to_lowercase())));
    out
}

/// The zone stated for the whole document: a declaration ("All times central"), the
/// zone a timeline heading or time column states ("Timeline (UTC)"), or the one zone
/// every explicitly zoned time in the document uses.
fn document_zone(units: &Units) -> Option<(ZoneMention, String)> {
    for unit in &units.list {
        // Every declaration says "time(s)"; most text does not, and is skipped cheaply.
        if !contains_ignore_case(&unit.text, "time") {
            continue;
        }
        for (offset, sentence) in sentences::split(&unit.text) {
            if let Some(zone) = timestamp::zone_declaration(sentence) {
                let line = sentences::line_at(&unit.text, unit.line, offset);
                let said = sentences::truncate(sentence, 60);
                return Some((zone, format!("declared on line {line}: \"{said}\"")));
            }
        }
    }
    if let Some(z) = units
        .list
        .iter()
        .filter(|u| u.kind == SectionKind::Timeline || matches!(u.role, Role::Row { .. }))
        .find_map(|u| u.zone.as_ref())
    {
        return Some((z.zone.clone(), format!("stated by \"{}\"", z.stated_by)));
    }
    let mut zones = units
        .list
        .iter()
        .flat_map(|u| u.founds.iter())
        .filter(|f| f.time.is_some())
        .filter_map(|f| f.zone.as_ref())
        .filter(|z| !matches!(z, ZoneMention::Unknown(_)));
    let first = zones.next()?;
    // One mention is a time that happens to carry a zone; a zone used throughout is
    // the document's.
    let rest: Vec<&ZoneMention> = zones.collect();
    if rest.is_empty() {
        return None;
    }
    rest.into_iter()
        .all(|z| layout::same_zone(first, z))
        .then(|| {
            (
                first.clone(),
                format!("{}, written beside every zoned time", first.display_name()),
            )
        })
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    sentences::find_ignore_case(haystack, needle, 0).is_some()
}

#[cfg(test)]
mod tests {
    use crate::ingest::{markdown, text};
    use crate::model::Incident;

    fn md(src: &str) -> Incident {
        crate::extract::extract(&markdown::parse(src), "t.md", "t")
    }

    fn txt(src: &str) -> Incident {
        crate::extract::extract(&text::parse(src), "t.txt", "t")
    }

    fn ats(i: &Incident) -> Vec<String> {
        i.timeline.iter().map(|e| e.at.to_at_string()).collect()
    }

    #[test]
    fn a_stated_regional_zone_applies_the_offset_in_force_on_each_date() {
        let i = md(
            "# X\n\n## Timeline\n\nAll times central.\n\n- 2017-12-08 2:45pm - Winter entry\n- 2018-07-01 09:00 - Summer entry\n",
        );
        assert_eq!(
            ats(&i),
            ["2017-12-08T14:45-06:00", "2018-07-01T09:00-05:00"]
        );
        assert_eq!(i.timezone.as_deref(), Some("America/Chicago"));
    }

    #[test]
    fn without_a_stated_zone_times_stay_wall_clock_time() {
        let i =
            md("# X\n\n## Timeline\n\n- 2024-07-05 23:59 - Noticed\n- 2024-07-06 08:25 - Fixed\n");
        assert_eq!(ats(&i), ["2024-07-05T23:59", "2024-07-06T08:25"]);
        assert_eq!(i.timezone, None);
        assert!(i.timeline.iter().all(|e| e.at.offset.is_none()));
    }

    #[test]
    fn a_part_above_twelve_decides_day_month_order_without_a_warning() {
        let i = md("# X\n\n## Timeline\n\n- 26/06/2019 10:00 - A\n- 05/07/2019 11:00 - B\n");
        assert_eq!(ats(&i), ["2019-06-26T10:00", "2019-07-05T11:00"]);
        assert!(!i.warnings.iter().any(|w| w.message.contains("inferred")));
    }

    #[test]
    fn ambiguous_numeric_dates_take_the_compact_reading_and_warn() {
        let i = txt(
            "Title\n\nTimeline\n\n• 05/07/2024 23:59\n\nNoticed it\n\n• 06/07/2024 08:25\n\nFixed it\n\n• 08/07/2024 10:00\n\nAgain\n",
        );
        assert_eq!(
            ats(&i),
            ["2024-07-05T23:59", "2024-07-06T08:25", "2024-07-08T10:00"]
        );
        let w = i
            .warnings
            .iter()
            .find(|w| w.message.contains("inferred"))
            .expect("a warning");
        assert!(w.message.contains("DD/MM"));
        assert_eq!(w.line, 5);
    }

    #[test]
    fn us_order_is_read_when_a_second_part_exceeds_twelve() {
        let i = md(
            "# X\n\nOn Friday 12/8/2017 at 8:30pm CST the power failed. It was back on 12/14/2017.\n",
        );
        assert_eq!(ats(&i), ["2017-12-08T20:30-06:00"]);
    }

    #[test]
    fn a_time_only_entry_after_midnight_rolls_to_the_next_day() {
        let i = md(
            "# X\n\n## Timeline\n\n- 2021-03-04 22:10 - Alert fired\n- 23:40 - Rollback\n- 00:15 - Recovered\n",
        );
        assert_eq!(
            ats(&i),
            ["2021-03-04T22:10", "2021-03-04T23:40", "2021-03-05T00:15"]
        );
    }

    #[test]
    fn narrative_times_take_dates_from_context_and_the_documents_consistent_zone() {
        let i = txt(
            "Outage report\n\nWhat happened\n\nOn June 26th, 2019 at 0121 UTC a snapshot was made. At 1843 UTC the config was updated. At 1901 the daemon stopped.\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2019-06-26T01:21Z",
                "2019-06-26T18:43Z",
                "2019-06-26T19:01Z"
            ]
        );
        assert_eq!(i.timezone.as_deref(), Some("UTC"));
        assert_eq!(
            i.timeline[2].zone_source,
            crate::model::ZoneSource::Document
        );
    }

    #[test]
    fn a_timeline_section_is_the_timeline_and_prose_elsewhere_retells_it() {
        let i = md(
            "# Outage\n\n## Summary\n\nAt 14:05 UTC on 2024-03-01 the primary failed; at 15:00 UTC \
             we added capacity.\n\n## Timeline\n\n- 2024-03-01 14:05 UTC: primary database failed\n\
             - 14:30 UTC: failover completed\n",
        );
        assert_eq!(ats(&i), ["2024-03-01T14:05Z", "2024-03-01T14:30Z"]);
        assert_eq!(i.timeline[0].text, "primary database failed");
        // Without a timeline of its own, the prose is the timeline.
        let i = md(
            "# Outage\n\n## Summary\n\nAt 14:05 UTC on 2024-03-01 the primary failed; at 15:00 UTC we added capacity.\n",
        );
        assert_eq!(ats(&i), ["2024-03-01T14:05Z", "2024-03-01T15:00Z"]);
    }

    /// Only an action's due date is written in full: it gives no evidence of the
    /// day/month order, which the two timeline dates a day apart settle.
    #[test]
    fn a_due_date_does_not_decide_the_day_month_order_of_the_timeline() {
        let i = md(
            "# Double charges\n\n## Timeline (ET)\n\n- 03/04/2025 11:45 PM — Billing cron starts\n\
             - 03/05/2025 12:10 AM — Duplicate-charge alert\n\n## Action items\n\n\
             - [ ] Add idempotency keys — @li, due 2025-04-15\n",
        );
        assert_eq!(
            ats(&i),
            ["2025-03-04T23:45-05:00", "2025-03-05T00:10-05:00"]
        );
    }

    /// A mail sent the day after the outage its subject dates: the header's Date line
    /// is when it was sent, not the day of the times in its body.
    #[test]
    fn a_mail_header_date_does_not_date_the_times_of_its_body() {
        let i = txt(
            "Subject: Postmortem: gateway outage on 2025-03-04\nFrom: sre@example.com\nDate: Wed, 5 Mar 2025 10:14:00 -0800\n\nHi all,\n\nAt 9:15 AM PST a certificate expired. At 10:05 AM PST a new one was deployed.\n",
        );
        assert_eq!(
            ats(&i),
            ["2025-03-04T09:15-08:00", "2025-03-04T10:05-08:00"]
        );
        // A report's own Date field still dates what follows it.
        let i =
            txt("Gateway outage\n\nDate: 2025-03-06\n\nAt 9:15 AM PST a certificate expired.\n");
        assert_eq!(ats(&i), ["2025-03-06T09:15-08:00"]);
    }

    /// A timeline table with a zone column: each row's zone is written with its time,
    /// and the zone cell is not part of the event's text.
    #[test]
    fn a_zone_column_gives_each_rows_time_its_zone() {
        let i = md(
            "# Sydney latency 2024-07-09\n\n## Timeline\n\n| Time | Time zone | Event |\n|---|---|---|\n\
             | 09:12 | AEST | Latency alarm for ap-southeast-2 |\n| 23:45 | UTC | Provider confirms fibre cut |\n",
        );
        assert_eq!(ats(&i), ["2024-07-09T09:12+10:00", "2024-07-09T23:45Z"]);
        assert_eq!(i.timeline[0].text, "Latency alarm for ap-southeast-2");
    }

    /// "How do we prevent this?" heads the actions; its table's "When" is a due date,
    /// so the rows are no entries and the timed prose stays the timeline.
    #[test]
    fn a_table_of_work_with_who_and_when_under_an_action_heading_is_no_timeline() {
        let i = md(
            "# Flag outage (2025-01-28)\n\n## What happened?\n\nAt 10:03 UTC a deploy changed the cache key. At 10:28 UTC we rolled back.\n\n\
             ## How do we prevent this?\n\n| What | Who | When | Done? |\n|---|---|---|---|\n\
             | Version the cache key | Lina | 2025-02-14 | Yes |\n| Add SDK metric | Lina | Q1 | Partially |\n",
        );
        assert_eq!(ats(&i), ["2025-01-28T10:03Z", "2025-01-28T10:28Z"]);
        let actions: Vec<(&str, crate::model::ActionStatus, Option<String>)> = i
            .actions
            .iter()
            .map(|a| (a.text.as_str(), a.status, a.due.map(|d| d.to_string())))
            .collect();
        assert_eq!(
            actions,
            [
                (
                    "Version the cache key",
                    crate::model::ActionStatus::Done,
                    Some("2025-02-14".to_string())
                ),
                (
                    "Add SDK metric",
                    crate::model::ActionStatus::InProgress,
                    None
                ),
            ]
        );
    }

    #[test]
    fn narrative_steps_back_a_few_hours_without_rolling_over() {
        let i = txt(
            "Report\n\nWhat happened\n\nAt 16:13 UTC on 2017-10-12 we began the rollout. It had begun at approximately 13:00 UTC on a smaller scale.\n",
        );
        assert_eq!(ats(&i), ["2017-10-12T13:00Z", "2017-10-12T16:13Z"]);
    }

    #[test]
    fn status_page_updates_become_entries_with_their_message() {
        let i = txt(
            "Incident\n\nResolved\nAll data has been processed.\nPosted Oct 12, 2017 - 23:57 UTC\nUpdate\nIngestion has returned to normal.\nPosted Oct 12, 2017 - 18:32 UTC\n",
        );
        let texts: Vec<&str> = i.timeline.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(ats(&i), ["2017-10-12T18:32Z", "2017-10-12T23:57Z"]);
        assert_eq!(
            texts,
            [
                "Update: Ingestion has returned to normal.",
                "Resolved: All data has been processed."
            ]
        );
        assert_eq!(i.timeline[1].source_text, "Oct 12, 2017 - 23:57 UTC");
    }

    /// A status history: each update opens with its label ("Identified - …") and closes
    /// with a line that is only its date and time, the newest first. The date line
    /// belongs to the text above it, not to the update below.
    #[test]
    fn status_history_updates_take_the_date_line_below_their_text() {
        let i = txt(
            "Slow checkout\n\nResolved - Checkout works again.\nApr 02, 2024 - 11:40 UTC\n\nIdentified: A full disk on a queue node.\nApr 02, 2024 - 11:05 UTC\n\nInvestigating \u{2013} We are looking into slow checkouts.\nApr 02, 2024 - 10:50 UTC\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2024-04-02T10:50Z",
                "2024-04-02T11:05Z",
                "2024-04-02T11:40Z"
            ]
        );
        let texts: Vec<&str> = i.timeline.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Investigating: We are looking into slow checkouts.",
                "Identified: A full disk on a queue node.",
                "Resolved: Checkout works again."
            ]
        );
        // A dash after a word that is not a status is not an update's label.
        let i = txt(
            "Notes\n\nSummary - the queue filled up.\nApr 02, 2024 - 11:40 UTC\n\nLater text.\n",
        );
        assert!(
            i.timeline.iter().all(|e| !e.text.starts_with("Summary:")),
            "{:?}",
            i.timeline
        );
    }

    /// An e-mail's "Timeline (all times CET)" straight above lines that open with a
    /// time is the timeline's heading; each line is one entry, with only its own text
    /// and the lines below it that open with no time.
    #[test]
    fn a_heading_straight_above_timed_lines_heads_a_line_per_entry_timeline() {
        let i = txt(
            "Subject: Search outage on 3 March 2025\n\nTimeline (all times CET)\n09:12 - disk alert on search-3\n09:20 - writes stop\n  on every shard\n09:59 - cluster recovers\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2025-03-03T09:12+01:00",
                "2025-03-03T09:20+01:00",
                "2025-03-03T09:59+01:00"
            ]
        );
        let texts: Vec<&str> = i.timeline.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "disk alert on search-3",
                "writes stop on every shard",
                "cluster recovers"
            ]
        );
    }

    /// A blog post's publication date comes first, but the paragraph's own opening
    /// sentence ("On May 8th, between 13:10 and 14:45 UTC, ...", a window, so no entry)
    /// dates the timed sentences after it; a date inside an entry's own sentence does
    /// not date the next one.
    #[test]
    fn a_dated_sentence_that_is_no_entry_dates_the_sentences_after_it() {
        let i = md(
            "# Delayed webhooks\n\n*Published 12 May 2025*\n\n## What happened\n\nOn May 8th, between 13:10 and 14:45 UTC, webhooks were delayed. At 13:10 UTC a deploy introduced a leak. At 14:05 UTC we rolled back the change deployed on May 1. At 14:45 UTC the backlog had drained.\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2025-05-08T13:10Z",
                "2025-05-08T14:05Z",
                "2025-05-08T14:45Z"
            ]
        );
        assert_eq!(i.started, Some(jiff::civil::date(2025, 5, 8)));
    }

    #[test]
    fn a_byline_is_when_a_notice_was_posted_not_an_event() {
        let i = txt(
            "Maintenance notice\n\nCategories: Network\nPosted on 11 Dec, 2017 14:18 UTC by Mike Packard\nThe network will be down for an hour.\n\nAt 09:05 CST on 11 Dec, 2017 the switch was rebooted.\n",
        );
        assert_eq!(ats(&i), ["2017-12-11T09:05-06:00"]);
        // Posted lines without a byline still are status updates.
        let i = txt("Incident\n\nResolved\nAll good.\nPosted Oct 12, 2017 - 23:57 UTC\n");
        assert_eq!(ats(&i), ["2017-10-12T23:57Z"]);
    }

    #[test]
    fn a_sentence_with_nothing_but_its_time_is_not_an_entry() {
        let i = txt(
            "Outage\n\nWhat happened\n\nOn June 27th, 2019 at 0105 UTC the host went down. At 1239 UTC, a\n\nLater, at 1413 UTC, DB up.\n",
        );
        assert_eq!(ats(&i), ["2019-06-27T01:05Z", "2019-06-27T14:13Z"]);
    }

    #[test]
    fn table_timelines_use_the_time_column_and_the_rest_as_text() {
        let i = md(
            "# X\n\n## Timeline\n\nAll times in UTC.\n\n| Time | Event |\n|---|---|\n| 2021-08-26 08:22 | Load balancers updated |\n",
        );
        assert_eq!(ats(&i), ["2021-08-26T08:22Z"]);
        assert_eq!(i.timeline[0].text, "Load balancers updated");
        assert_eq!(i.timeline[0].line, 9);
    }

    #[test]
    fn a_weekday_that_contradicts_its_date_is_a_warning() {
        let i =
            md("# X\n\nOn Thursday 12/8/2017 at 8:30pm the power failed, restored 12/14/2017.\n");
        assert!(
            i.warnings
                .iter()
                .any(|w| w.message.contains("Thursday") && w.line == 3)
        );
    }

    #[test]
    fn an_unknown_zone_abbreviation_is_a_warning_and_no_offset() {
        let i = md("# X\n\n## Timeline\n\n- 2021-01-01 10:00 XYZT - Something\n");
        assert_eq!(ats(&i), ["2021-01-01T10:00"]);
        assert!(i.warnings.iter().any(|w| w.message.contains("XYZT")));
    }

    #[test]
    fn times_in_code_blocks_and_log_lines_are_not_events() {
        let i = md(
            "# X 2020-01-01\n\n```\n[26/06/2019 15:08:36] log line\n```\n\nNothing else happened.\n",
        );
        assert!(i.timeline.is_empty());
        assert!(i.warnings.iter().any(|w| w.message == "no timeline found"));
    }

    #[test]
    fn date_only_headings_in_a_timeline_are_day_entries() {
        let i = md(
            "# X\n\n## Timeline\n\nAll times in PST\n\n### 2018-01-15\nTravis failures\n\n### 2018-01-17 17:14pm\nReal failures\n\n### 18:57\nBumped\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2018-01-15",
                "2018-01-17T17:14-08:00",
                "2018-01-17T18:57-08:00"
            ]
        );
        assert_eq!(i.timeline[2].text, "Bumped");
    }

    fn rules(i: &Incident) -> Vec<&str> {
        i.timeline.iter().map(|e| e.rule.as_str()).collect()
    }

    #[test]
    fn date_headings_date_the_time_only_entries_below_and_are_not_entries() {
        let i = md(
            "# Queue outage\n\n## Timeline\n\n### March 3, 2024\n\n- 14:05:12 Pager fired\n- **14:20** Rolled back\n  - nested detail at 14:21 is not an entry\n\n### March 4, 2024\n\n- 09:00 Postmortem review\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2024-03-03T14:05:12",
                "2024-03-03T14:20",
                "2024-03-04T09:00"
            ]
        );
        assert_eq!(i.timeline[1].text, "Rolled back");
    }

    #[test]
    fn bold_date_lines_and_day_labels_set_the_date_of_the_entries_below() {
        let i = md(
            "# X\n\n## Timeline\n\n**May 5, 2023**\n\n- 22:10 Disk filled up\n\nDay 2 (2023-05-06)\n\n- 01:15 Disk replaced\n",
        );
        assert_eq!(ats(&i), ["2023-05-05T22:10", "2023-05-06T01:15"]);
    }

    #[test]
    fn untimed_items_under_a_date_line_are_entries_of_that_day() {
        let i = md(
            "# X\n\n## Timeline\n\n2022-02-01:\n* Report received from a customer.\n* Fix released on 2022-02-09.\n\n2022-02-03:\n* Root cause found.\n",
        );
        assert_eq!(ats(&i), ["2022-02-01", "2022-02-01", "2022-02-03"]);
        assert!(i.timeline[1].text.contains("Fix released"));
        assert!(rules(&i)[0].contains("under a date line"));
    }

    #[test]
    fn a_day_then_its_time_in_one_item_is_one_instant() {
        let i = md("# X\n\n## Timeline\n\n- 2020-11-03: At 09:41:07 UTC, the cache node failed.\n");
        assert_eq!(ats(&i), ["2020-11-03T09:41:07Z"]);
        assert_eq!(i.timeline[0].text, "the cache node failed.");
    }

    #[test]
    fn a_table_header_states_the_zone_and_a_day_column_the_date() {
        let i = md(
            "# X\n\n## Timeline\n\n| Day | Time (UTC) | What happened |\n|---|---|---|\n| 2023-09-14 | 10:02 | Disk alert |\n| 2023-09-15 | 08:30 | Disk swapped |\n",
        );
        assert_eq!(ats(&i), ["2023-09-14T10:02Z", "2023-09-15T08:30Z"]);
        assert_eq!(i.timeline[0].text, "Disk alert");
        assert!(rules(&i)[0].contains("zone from \"Time (UTC)\""));
    }

    #[test]
    fn a_heading_states_the_zone_of_its_section() {
        let i = md(
            "# X\n\nIncident Date: 9 May 2024\n\n## Timeline (CET)\n\n### 01:58\nPackets dropped.\n\n### After 02:10\nAll normal.\n",
        );
        assert_eq!(
            ats(&i),
            ["2024-05-09T01:58+01:00", "2024-05-09T02:10+01:00"]
        );
        assert_eq!(i.timeline[1].text, "After: All normal.");
    }

    #[test]
    fn actor_columns_prefix_the_event_and_placeholders_are_dropped() {
        let i = md(
            "# X\n\n## Timeline\n\n| Date (UTC) | Actor | Event |\n|---|---|---|\n| 2022-06-01 10:00 | Ops | Restarts the proxy |\n| 2022-06-01 10:05 | - | Traffic recovers |\n",
        );
        assert_eq!(ats(&i), ["2022-06-01T10:00Z", "2022-06-01T10:05Z"]);
        assert_eq!(i.timeline[0].text, "Ops: Restarts the proxy");
        assert_eq!(i.timeline[1].text, "Traffic recovers");
    }

    #[test]
    fn a_table_outside_the_timeline_needs_a_time_and_an_event_column() {
        let i = md(
            "# X\n\n## Impact\n\n| Slot | Timestamp | Value |\n|---|---|---|\n| 17 | 2024-02-02 05:02:11 | 0.1 |\n\n## What happened\n\n| When | Event |\n|---|---|\n| 2024-02-02 05:10 | Alert fired |\n",
        );
        assert_eq!(ats(&i), ["2024-02-02T05:10"]);
    }

    #[test]
    fn bracketed_month_day_entries_take_the_year_nearest_the_report() {
        let i = md(
            "# April 2nd, 2021 Build outage\n\n## Timeline\n\nAll times in PDT (UTC-7)\n\n- [11-20 16:21] Bug introduced\n- [04-02 09:00] Builds fail\n- [04-02 23:40] Fix deployed\n- [04-02 00:15] Verified\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2020-11-20T16:21-07:00",
                "2021-04-02T00:15-07:00",
                "2021-04-02T09:00-07:00",
                "2021-04-02T23:40-07:00"
            ]
        );
        assert_eq!(i.started, Some(jiff::civil::date(2021, 4, 2)));
    }

    #[test]
    fn a_bare_hour_after_a_pm_time_on_a_twelve_hour_clock_is_afternoon() {
        let i = md(
            "# X\n\n## Timeline (all times ET)\n\n- Alert at 11:40 ET on May 4, 2021.\n- Escalated at 1:05 PM ET.\n- Resolved at 3:30 ET, May 4.\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2021-05-04T11:40-04:00",
                "2021-05-04T13:05-04:00",
                "2021-05-04T15:30-04:00"
            ]
        );
        assert!(rules(&i)[2].contains("read as pm"));
    }

    #[test]
    fn a_label_then_its_time_is_an_entry_named_by_the_label() {
        let i = md(
            "# X\n\n## Timeline\n\n- Outage begins: 2024-03-03 10:00\n- On-call paged — 10:04\n",
        );
        assert_eq!(ats(&i), ["2024-03-03T10:00", "2024-03-03T10:04"]);
        assert_eq!(i.timeline[0].text, "Outage begins");
        assert_eq!(i.timeline[1].text, "On-call paged");
    }

    #[test]
    fn clock_styles_are_read() {
        let i = md(
            "# X 2024-03-03\n\n## Timeline\n\n- 6.15 AM PST first\n- 0815Z second\n- ~09:30 third\n- 14h30 fourth\n- 9:40p fifth\n",
        );
        assert_eq!(
            ats(&i),
            // Sorted by instant: 06:15 PST is 14:15 UTC.
            [
                "2024-03-03T08:15Z",
                "2024-03-03T09:30",
                "2024-03-03T06:15-08:00",
                "2024-03-03T14:30",
                "2024-03-03T21:40"
            ]
        );
    }

    #[test]
    fn status_updates_above_their_posted_line_and_update_lists_below_a_stamp() {
        let i = txt(
            "Slow logins\nIncident Report for Example\nLogins work again.\nPosted Mar 02, 2023 - 10:30 UTC\nWe found the cause.\nPosted Mar 02, 2023 - 10:00 UTC\nStill looking.\n",
        );
        assert_eq!(ats(&i), ["2023-03-02T10:00Z", "2023-03-02T10:30Z"]);
        assert_eq!(i.timeline[1].text, "Logins work again.");
        let i = txt(
            "Example Status\n\nIncident began at 2023-03-01 09:00 and ended at 2023-03-01 11:00 (all times are UTC).\n\nDate Time Description\nMar 05, 2023 12:00\n\nA full report follows.\n\nMar 01, 2023 11:00\n\nResolved now.\n",
        );
        assert_eq!(ats(&i), ["2023-03-01T11:00Z", "2023-03-05T12:00Z"]);
        assert_eq!(i.started, Some(jiff::civil::date(2023, 3, 1)));
    }

    #[test]
    fn a_mail_dateline_over_its_author_is_not_an_event() {
        let i = txt(
            "Notice of outage 2016-08-01\n\nMon Aug 1 09:09:20 UTC 2016\nJane Roe <jane at example.org>\n\nAt 05:00 UTC 2016-08-01 the mirror went down.\n",
        );
        assert_eq!(ats(&i), ["2016-08-01T05:00Z"]);
    }

    #[test]
    fn without_any_timeline_dated_sentences_and_headings_are_day_entries() {
        let i = md(
            "---\ntitle: Disclosure\n---\n\nOn 12th March 2021 a researcher reported a leaked token. We revoked it.\n",
        );
        assert_eq!(ats(&i), ["2021-03-12"]);
        let i = md(
            "# Fork report\n\n## What happened on 3rd May 2020\n\nThe nodes stopped agreeing.\n",
        );
        assert_eq!(ats(&i), ["2020-05-03"]);
        assert!(i.timeline[0].text.contains("The nodes stopped agreeing"));
    }

    #[test]
    fn in_plain_text_a_date_heading_after_the_timeline_is_its_next_day() {
        let i = txt(
            "Cache outage\n\nTimeline\n\n2022-10-04\n\n- 23:10 Evictions spiked\n\nOctober 5, 2022\n\n- 00:20 Cache refilled\n\nRoot cause\n\nA bad TTL.\n",
        );
        assert_eq!(ats(&i), ["2022-10-04T23:10", "2022-10-05T00:20"]);
    }

    #[test]
    fn each_row_takes_the_date_of_its_own_date_column() {
        let i = md(
            "# X\n\n## Timeline\n\n| Date | Time | Event |\n|---|---|---|\n| Oct 4, 2022 | 23:10 | Evictions spiked |\n| Oct 6, 2022 | 08:00 | Cache refilled |\n",
        );
        assert_eq!(ats(&i), ["2022-10-04T23:10", "2022-10-06T08:00"]);
        assert!(rules(&i)[1].contains("date column"));
    }

    #[test]
    fn a_due_date_column_does_not_make_an_action_table_a_timeline() {
        let i = md(
            "# X\n\n## Action items\n\n| Action | Owner | Due date |\n|---|---|---|\n| Add a cache alert | kim | 2022-11-01 |\n",
        );
        assert!(i.timeline.is_empty(), "{:?}", ats(&i));
    }

    #[test]
    fn labels_then_times_under_a_date_line_are_entries_of_that_day() {
        let i =
            txt("Cache outage\n\nTimeline\n\n2022-10-04\n\nEvictions spiked \u{2014} 23:10 UTC\n");
        assert_eq!(ats(&i), ["2022-10-04T23:10Z"]);
        assert_eq!(i.timeline[0].text, "Evictions spiked");
    }

    #[test]
    fn a_label_then_a_window_is_an_entry_at_the_windows_start() {
        let i = md(
            "# X\n\n## Timeline\n\n### 4 October 2022\n\n- Writes failing: between 3 AM and 3:30 AM EDT\n- Cache cold \u{2014} from 14:05 to 14:40 UTC\n",
        );
        assert_eq!(ats(&i), ["2022-10-04T03:00-04:00", "2022-10-04T14:05Z"]);
        assert_eq!(i.timeline[0].text, "Writes failing");
        assert_eq!(i.timeline[1].text, "Cache cold");
        // In running text a window still says how long, not what happened.
        let i = md("# X\n\nThe cache was cold between 14:05 and 14:40 UTC on 2022-10-04.\n");
        assert!(
            i.timeline.iter().all(|e| e.at.time.is_none()),
            "{:?}",
            ats(&i)
        );
    }

    #[test]
    fn relative_times_count_from_the_stated_start_which_is_not_an_event() {
        let i = md(
            "# X\n\n## Timeline\n\nTimes below count from T0 = 2022-10-04 23:50 UTC.\n\n- T+00:00 Evictions spiked\n- T+00:25 Cache refilled\n- T+1h05m All clear\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2022-10-04T23:50Z",
                "2022-10-05T00:15Z",
                "2022-10-05T00:55Z"
            ]
        );
        assert_eq!(i.timeline[1].text, "Cache refilled");
    }

    #[test]
    fn a_weekday_before_a_time_takes_the_nearest_such_day() {
        let i = md(
            "# X\n\n## What happened\n\nOn Thursday, 6 October 2022 at 17:30 CEST a config change went out. On Friday morning (08:05 CEST) the cache emptied.\n",
        );
        assert_eq!(
            ats(&i),
            ["2022-10-06T17:30+02:00", "2022-10-07T08:05+02:00"]
        );
    }

    #[test]
    fn metadata_windows_and_announcements_are_not_events() {
        let i = md(
            "# X\n\n**Incident Date:** 11 May 2025\n**Impact Window:** 02:00–02:08 CET\n\nServices were down from 02:00 CET to 02:08 CET. We will post another update at 03:00 CET.\n\n## Time: 00:50:10 UTC\n",
        );
        assert!(i.timeline.is_empty(), "{:?}", ats(&i));
    }
}
