//! Unit tests of timestamp recognition.

use super::*;
use jiff::civil::date;

/// The single timestamp in `text`, failing loudly when there is not exactly one.
fn one(text: &str) -> Found {
    let found = find(text);
    assert_eq!(
        found.len(),
        1,
        "expected one timestamp in {text:?}, got {found:#?}"
    );
    found[0].clone()
}

fn span<'a>(text: &'a str, found: &Found) -> &'a str {
    &text[found.start..found.end]
}

fn hm(hour: i8, minute: i8) -> Option<TimeOfDay> {
    Some(TimeOfDay {
        hour,
        minute,
        second: None,
        meridiem: false,
    })
}

fn hms(hour: i8, minute: i8, second: i8) -> Option<TimeOfDay> {
    Some(TimeOfDay {
        hour,
        minute,
        second: Some(second),
        meridiem: false,
    })
}

/// A time written with am/pm.
fn hm12(hour: i8, minute: i8) -> Option<TimeOfDay> {
    hm(hour, minute).map(|t| TimeOfDay {
        meridiem: true,
        ..t
    })
}

fn hms12(hour: i8, minute: i8, second: i8) -> Option<TimeOfDay> {
    hms(hour, minute, second).map(|t| TimeOfDay {
        meridiem: true,
        ..t
    })
}

fn full(y: i16, m: i8, d: i8) -> Option<DatePart> {
    Some(DatePart::Full(date(y, m, d)))
}

fn numeric(first: i8, second: i8, year: Option<i16>) -> Option<DatePart> {
    Some(DatePart::Numeric {
        first,
        second,
        year,
    })
}

fn month_day(month: i8, day: i8) -> Option<DatePart> {
    Some(DatePart::MonthDay { month, day })
}

fn fixed(name: &str, seconds: i32) -> Option<ZoneMention> {
    Some(ZoneMention::Fixed {
        name: name.to_string(),
        offset: Offset::from_seconds(seconds).expect("test offset is valid"),
    })
}

fn region(name: &str, tz: &str) -> Option<ZoneMention> {
    Some(ZoneMention::Region {
        name: name.to_string(),
        tz: tz.to_string(),
    })
}

/// Asserts that `text` is recognised whole as one timestamp and returns it.
fn whole(text: &str) -> Found {
    let found = one(text);
    assert_eq!(span(text, &found), text, "span of {text:?}");
    found
}

fn nothing_in(text: &str) {
    let found = find(text);
    assert!(
        found.is_empty(),
        "expected nothing in {text:?}, got {found:#?}"
    );
}

// ----- ISO dates and datetimes -----

#[test]
fn iso_date_is_a_full_date() {
    let f = whole("2017-12-08");
    assert_eq!(f.date, full(2017, 12, 8));
    assert_eq!(f.time, None);
    assert_eq!(f.zone, None);
}

#[test]
fn iso_datetime_with_z_is_utc() {
    let f = whole("2017-12-08T14:45Z");
    assert_eq!(f.date, full(2017, 12, 8));
    assert_eq!(f.time, hm(14, 45));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
}

#[test]
fn iso_datetime_with_seconds_and_offset_keeps_the_offset() {
    let f = whole("2017-12-08T14:45:00+02:00");
    assert_eq!(f.time, hms(14, 45, 0));
    assert_eq!(f.zone, fixed("+02:00", 7200));
}

#[test]
fn iso_datetime_with_negative_offset_is_not_a_range() {
    let f = whole("2017-12-08T14:45:00-05:00");
    assert_eq!(f.zone, fixed("-05:00", -5 * 3600));
    assert!(!f.range);
}

#[test]
fn iso_datetime_with_fractional_seconds_is_one_timestamp() {
    let f = whole("2017-12-08T14:45:00.123Z");
    assert_eq!(f.time, hms(14, 45, 0));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    let f = whole("2017-12-08T14:45:00.123456789-06:00");
    assert_eq!(f.zone, fixed("-06:00", -6 * 3600));
    assert_eq!(whole("2024-07-05 20:47:13,123").time, hms(20, 47, 13));
}

#[test]
fn iso_date_and_time_separated_by_a_space_are_one_timestamp() {
    let f = whole("2017-12-08 14:45");
    assert_eq!(f.date, full(2017, 12, 8));
    assert_eq!(f.time, hm(14, 45));
    let f = whole("2021-08-26 08:22");
    assert_eq!(f.date, full(2021, 8, 26));
    assert_eq!(f.time, hm(8, 22));
}

#[test]
fn iso_date_with_twelve_hour_time_is_converted() {
    assert_eq!(whole("2017-12-08 2:45pm").time, hm12(14, 45));
    assert_eq!(whole("2017-12-08 4pm").time, hm12(16, 0));
    assert_eq!(whole("2017-12-11 9:00am").time, hm12(9, 0));
}

#[test]
fn twenty_four_hour_time_with_a_stray_pm_keeps_its_hour() {
    let f = whole("2018-01-17 17:14pm");
    assert_eq!(f.time, hm12(17, 14));
}

#[test]
fn iso_date_joined_to_a_time_by_at_is_one_timestamp() {
    let f = whole("2017-12-08 at 4pm");
    assert_eq!(f.date, full(2017, 12, 8));
    assert_eq!(f.time, hm12(16, 0));
}

#[test]
fn iso_date_in_a_rst_heading_is_found_without_the_underline() {
    let text = "2017-12-08 2:45pm\n^^^^^^^^^^^^^^^^^\n\nWe recognized problems.";
    let f = one(text);
    assert_eq!(span(text, &f), "2017-12-08 2:45pm");
}

#[test]
fn iso_date_at_the_start_of_a_file_name_is_a_date() {
    let text = "incidents/x/incident-2017-12-08.md";
    // A date inside a path component after a slash is not taken...
    nothing_in("see blog/2017/12/08/post");
    // ...but one glued to a name with a dash is.
    let f = one(text);
    assert_eq!(f.date, full(2017, 12, 8));
}

#[test]
fn slashed_year_first_date_is_a_full_date() {
    assert_eq!(whole("2017/12/08").date, full(2017, 12, 8));
    assert_eq!(whole("2017.12.08").date, full(2017, 12, 8));
}

#[test]
fn calendar_versions_are_not_dates() {
    nothing_in("upgraded to 2024.1.2 yesterday");
    nothing_in("build 2024.07.05-1 shipped");
}

#[test]
fn invalid_iso_dates_are_not_dates() {
    nothing_in("2017-02-30");
    nothing_in("2017-13-01");
    nothing_in("2019-02-29");
    assert_eq!(whole("2020-02-29").date, full(2020, 2, 29));
}

// ----- numeric dates -----

#[test]
fn slashed_date_with_year_is_numeric_with_order_undecided() {
    let f = whole("12/8/2017");
    assert_eq!(f.date, numeric(12, 8, Some(2017)));
}

#[test]
fn numeric_date_with_time_is_one_timestamp() {
    let f = whole("05/07/2024 23:59");
    assert_eq!(f.date, numeric(5, 7, Some(2024)));
    assert_eq!(f.time, hm(23, 59));
    let f = whole("26/06/2019 15:08:36");
    assert_eq!(f.date, numeric(26, 6, Some(2019)));
    assert_eq!(f.time, hms(15, 8, 36));
}

#[test]
fn dashed_and_dotted_numeric_dates_are_numeric() {
    let f = whole("17-09-2024 10:30");
    assert_eq!(f.date, numeric(17, 9, Some(2024)));
    assert_eq!(f.time, hm(10, 30));
    assert_eq!(whole("03-08-2024").date, numeric(3, 8, Some(2024)));
    assert_eq!(whole("03.08.2024").date, numeric(3, 8, Some(2024)));
}

#[test]
fn two_digit_years_are_expanded_around_1970() {
    assert_eq!(whole("12/07/24").date, numeric(12, 7, Some(2024)));
    assert_eq!(whole("12/07/99").date, numeric(12, 7, Some(1999)));
    assert_eq!(whole("12/07/70").date, numeric(12, 7, Some(1970)));
    assert_eq!(whole("12/07/69").date, numeric(12, 7, Some(2069)));
}

#[test]
fn dotted_two_digit_years_are_not_dates_because_they_look_like_versions() {
    nothing_in("python 3.10.12 is installed");
}

#[test]
fn year_less_numeric_date_after_on_is_a_date() {
    let text = "Due to a power outage on 12/8, some hosts failed.";
    let f = one(text);
    assert_eq!(span(text, &f), "12/8");
    assert_eq!(f.date, numeric(12, 8, None));
}

#[test]
fn year_less_numeric_date_after_each_cue_word_is_a_date() {
    for cue in ["on", "On", "from", "since", "until", "by"] {
        let text = format!("{cue} 12/12 we waited");
        assert_eq!(one(&text).date, numeric(12, 12, None), "{text}");
    }
}

#[test]
fn year_less_numeric_date_after_a_weekday_is_a_date() {
    let f = whole("Thursday, 12/8");
    assert_eq!(f.date, numeric(12, 8, None));
    assert_eq!(f.weekday, Some(Weekday::Thursday));
}

#[test]
fn year_less_numeric_date_followed_by_a_time_is_a_date() {
    let f = whole("12/8 14:00");
    assert_eq!(f.date, numeric(12, 8, None));
    assert_eq!(f.time, hm(14, 0));
}

#[test]
fn year_less_numeric_date_starting_a_range_is_a_date() {
    let text = "From 12/8 - 12/12/2017, VM instances were unreachable.";
    let f = one(text);
    assert_eq!(span(text, &f), "12/8 - 12/12/2017");
    assert_eq!(f.date, numeric(12, 8, None));
    assert!(f.range);
}

#[test]
fn glued_numeric_date_range_is_one_range() {
    let f = whole("12/8-12/12/2017");
    assert_eq!(f.date, numeric(12, 8, None));
    assert!(f.range);
}

#[test]
fn year_less_numeric_date_without_a_cue_is_not_a_date() {
    nothing_in("we saw 12/12 of the hosts fail");
    nothing_in("a 12/8 split");
}

#[test]
fn fractions_and_ratios_are_not_dates() {
    nothing_in("we provide 24/7 support");
    nothing_in("add 1/2 cup and 3/4 of the rest");
    nothing_in("1/2 - 3/4");
}

#[test]
fn numeric_dates_with_impossible_parts_are_rejected() {
    nothing_in("30/30/30");
    nothing_in("13/13/2020");
    nothing_in("0/5/2020");
    nothing_in("5/0/2020");
    nothing_in("32/1/2020");
    nothing_in("31/2/2020 and 2/31/2020");
}

#[test]
fn numeric_date_with_day_over_twelve_is_still_numeric() {
    assert_eq!(whole("26/06/2019").date, numeric(26, 6, Some(2019)));
    assert_eq!(whole("06/26/2019").date, numeric(6, 26, Some(2019)));
}

#[test]
fn versions_addresses_and_paths_are_not_dates_or_times() {
    nothing_in("upgraded to v2.1.3 today");
    nothing_in("the IP was 139.229.170.30 on azar01");
    nothing_in("route 10.0.0.1 via 192.168.1.254");
    nothing_in("see /r/shakespeare and issues/198");
    nothing_in("open http://x:8080/a and localhost:8080");
    nothing_in("version 1.2:3 shipped");
    nothing_in("ticket OTG0150847 and OTG-2024");
}

// ----- month names -----

#[test]
fn abbreviated_month_day_comma_year_is_a_full_date() {
    assert_eq!(whole("Oct 12, 2017").date, full(2017, 10, 12));
    assert_eq!(whole("Jun 10, 2025").date, full(2025, 6, 10));
}

#[test]
fn full_month_names_and_ordinals_are_full_dates() {
    assert_eq!(whole("October 12, 2017").date, full(2017, 10, 12));
    assert_eq!(whole("June 27th, 2019").date, full(2019, 6, 27));
    assert_eq!(whole("August 1st 2019").date, full(2019, 8, 1));
    assert_eq!(whole("March 2nd, 2019").date, full(2019, 3, 2));
    assert_eq!(whole("April 3rd, 2019").date, full(2019, 4, 3));
}

#[test]
fn day_before_month_is_a_full_date() {
    assert_eq!(whole("12 Oct 2017").date, full(2017, 10, 12));
    assert_eq!(whole("13 August, 2021").date, full(2021, 8, 13));
    assert_eq!(whole("5th of June 2019").date, full(2019, 6, 5));
}

#[test]
fn day_month_comma_year_with_time_and_zone_is_one_timestamp() {
    let f = whole("11 Dec, 2017 09:00 CST");
    assert_eq!(f.date, full(2017, 12, 11));
    assert_eq!(f.time, hm(9, 0));
    assert_eq!(f.zone, fixed("CST", -6 * 3600));
}

#[test]
fn comma_after_the_month_is_allowed() {
    assert_eq!(whole("December, 6 2022").date, full(2022, 12, 6));
}

#[test]
fn sept_with_a_period_is_september() {
    assert_eq!(whole("Sept. 18th, 2017").date, full(2017, 9, 18));
    assert_eq!(whole("Dec. 1, 2017").date, full(2017, 12, 1));
}

#[test]
fn month_day_year_without_comma_then_time_is_one_timestamp() {
    let f = whole("May 1 2019, 3:18 PM");
    assert_eq!(f.date, full(2019, 5, 1));
    assert_eq!(f.time, hm12(15, 18));
}

#[test]
fn month_and_day_without_year_is_month_day() {
    let text = "On June 10th, 2019, we were notified. On June 10th we were not.";
    let found = find(text);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].date, full(2019, 6, 10));
    assert_eq!(found[1].date, month_day(6, 10));
    assert_eq!(span(text, &found[1]), "June 10th");
}

#[test]
fn month_day_must_exist_in_some_year() {
    assert_eq!(whole("Feb 29").date, month_day(2, 29));
    nothing_in("Feb 30");
    nothing_in("April 31");
    nothing_in("Feb 29, 2019");
    assert_eq!(whole("Feb 29, 2020").date, full(2020, 2, 29));
}

#[test]
fn month_words_used_as_ordinary_words_are_not_dates() {
    nothing_in("May I ask");
    nothing_in("we may 2 times");
    nothing_in("May");
    nothing_in("in May the team grew");
    nothing_in("Jun 2019 was busy");
}

#[test]
fn lower_case_march_with_a_number_may_match() {
    // Acceptable per the contract; documents the behaviour.
    assert_eq!(one("march 5 people").date, month_day(3, 5));
}

#[test]
fn upper_case_month_names_are_accepted() {
    assert_eq!(whole("OCT 12, 2017").date, full(2017, 10, 12));
}

#[test]
fn day_range_with_a_month_is_a_range_of_its_first_day() {
    let f = whole("26-27 June 2019");
    assert_eq!(f.date, full(2019, 6, 26));
    assert!(f.range);
    let f = whole("June 26-27, 2019");
    assert_eq!(f.date, full(2019, 6, 26));
    assert!(f.range);
}

#[test]
fn four_digit_number_after_month_day_with_a_zone_is_a_time() {
    let f = whole("June 10 1500 UTC");
    assert_eq!(f.date, month_day(6, 10));
    assert_eq!(f.time, hm(15, 0));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
}

#[test]
fn month_date_range_with_to_is_a_range() {
    let f = whole("Oct 5 to Oct 7");
    assert_eq!(f.date, month_day(10, 5));
    assert!(f.range);
}

// ----- weekdays -----

#[test]
fn weekday_before_a_numeric_date_sets_weekday() {
    let f = whole("Thursday 12/8/2017");
    assert_eq!(f.weekday, Some(Weekday::Thursday));
    assert_eq!(f.date, numeric(12, 8, Some(2017)));
    let f = whole("Friday 03-08-2024");
    assert_eq!(f.weekday, Some(Weekday::Friday));
    assert_eq!(f.date, numeric(3, 8, Some(2024)));
}

#[test]
fn weekday_with_comma_before_a_month_date_sets_weekday() {
    let f = whole("Wednesday, June 26th, 2019");
    assert_eq!(f.weekday, Some(Weekday::Wednesday));
    assert_eq!(f.date, full(2019, 6, 26));
    let f = whole("Tuesday, Jun 10, 2025");
    assert_eq!(f.weekday, Some(Weekday::Tuesday));
    let f = whole("Mon 5 Aug 2024");
    assert_eq!(f.weekday, Some(Weekday::Monday));
    assert_eq!(f.date, full(2024, 8, 5));
}

#[test]
fn mismatched_weekday_is_reported_not_rejected() {
    // 2017-12-08 was a Friday; the caller warns, we only report what is written.
    let f = whole("Thursday 2017-12-08");
    assert_eq!(f.weekday, Some(Weekday::Thursday));
    assert_eq!(f.date, full(2017, 12, 8));
}

#[test]
fn weekday_alone_is_not_a_timestamp() {
    nothing_in("on Thursday we met");
}

#[test]
fn weekday_date_at_time_and_zone_is_one_timestamp() {
    let text = "On Thursday 12/8/2017 at 8:30pm CST, TACC experienced a power outage";
    let f = one(text);
    assert_eq!(span(text, &f), "Thursday 12/8/2017 at 8:30pm CST");
    assert_eq!(f.weekday, Some(Weekday::Thursday));
    assert_eq!(f.date, numeric(12, 8, Some(2017)));
    assert_eq!(f.time, hm12(20, 30));
    assert_eq!(f.zone, fixed("CST", -6 * 3600));
}

#[test]
fn rfc_2822_style_datetime_is_one_timestamp() {
    let f = whole("Thu, 12 Oct 2017 14:00:00 +0000");
    assert_eq!(f.weekday, Some(Weekday::Thursday));
    assert_eq!(f.date, full(2017, 10, 12));
    assert_eq!(f.time, hms(14, 0, 0));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
}

// ----- dates joined with times -----

#[test]
fn date_at_four_digit_time_with_zone_is_one_timestamp() {
    let text = "A snapshot was made on June 26th, 2019 at 0121 UTC in preparation.";
    let f = one(text);
    assert_eq!(span(text, &f), "June 26th, 2019 at 0121 UTC");
    assert_eq!(f.date, full(2019, 6, 26));
    assert_eq!(f.time, hm(1, 21));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert!(!f.bare);
}

#[test]
fn date_dash_time_is_one_timestamp_not_a_range() {
    let text = "Posted Oct 12, 2017 - 23:57 UTC\nUpdate";
    let f = one(text);
    assert_eq!(span(text, &f), "Oct 12, 2017 - 23:57 UTC");
    assert_eq!(f.date, full(2017, 10, 12));
    assert_eq!(f.time, hm(23, 57));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert!(!f.range);
}

#[test]
fn time_then_on_then_date_is_one_timestamp() {
    let text = "At 0105 UTC on June 27th, 2019, the host went down.";
    let f = one(text);
    assert_eq!(span(text, &f), "0105 UTC on June 27th, 2019");
    assert_eq!(f.time, hm(1, 5));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert_eq!(f.date, full(2019, 6, 27));
}

#[test]
fn time_then_on_weekday_date_sets_the_weekday() {
    let f = whole("06:00 UTC on Tuesday, Jun 10, 2025");
    assert_eq!(f.time, hm(6, 0));
    assert_eq!(f.date, full(2025, 6, 10));
    assert_eq!(f.weekday, Some(Weekday::Tuesday));
}

#[test]
fn time_then_year_less_numeric_date_needs_on() {
    let f = whole("14:00 on 12/8");
    assert_eq!(f.date, numeric(12, 8, None));
    let text = "at 14:00 12/8 of them";
    let f = one(text);
    assert_eq!(span(text, &f), "14:00");
}

#[test]
fn time_at_end_of_line_does_not_grab_a_date_on_the_next_line() {
    let text = "deploy at 14:00 UTC\n12 Oct 2017 heading";
    let found = find(text);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].date, None);
}

#[test]
fn two_zone_renditions_then_date_are_one_timestamp_with_the_first_zone() {
    // The "/3:00-3:30PST" rendition of the same moment is swallowed: the first zone
    // written is the one reported, and the trailing date belongs to the whole.
    let text = "This incident initiated between 8:00-8:30 CLT/3:00-3:30PST December, 6 2022, during the run.";
    let f = one(text);
    assert_eq!(
        span(text, &f),
        "8:00-8:30 CLT/3:00-3:30PST December, 6 2022"
    );
    assert_eq!(f.time, hm(8, 0));
    assert_eq!(f.zone, region("CLT", "America/Santiago"));
    assert_eq!(f.date, full(2022, 12, 6));
    assert!(f.range);
}

#[test]
fn spaced_slash_rendition_in_another_zone_is_swallowed() {
    let f = whole("16:00 UTC / 09:00 PDT");
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert_eq!(f.time, hm(16, 0));
}

#[test]
fn date_range_with_times_reports_its_start() {
    let text = "In the time period 05/07/2024 20:47 - 06/07/2024 08:30 there were errors";
    let f = one(text);
    assert_eq!(span(text, &f), "05/07/2024 20:47 - 06/07/2024 08:30");
    assert_eq!(f.date, numeric(5, 7, Some(2024)));
    assert_eq!(f.time, hm(20, 47));
    assert!(f.range);
}

#[test]
fn date_with_time_range_and_zone_applies_the_zone_to_the_start() {
    let f = whole("2017-12-08 14:00 - 15:00 UTC");
    assert_eq!(f.time, hm(14, 0));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert!(f.range);
}

#[test]
fn markdown_emphasis_around_date_and_approximate_time_is_transparent() {
    let text = "**08/07/2024** ~ **10:37**";
    let f = one(text);
    assert_eq!(span(text, &f), "08/07/2024** ~ **10:37");
    assert_eq!(f.date, numeric(8, 7, Some(2024)));
    assert_eq!(f.time, hm(10, 37));
    assert!(f.approximate);
}

#[test]
fn date_followed_by_a_plain_number_does_not_join_it() {
    let text = "On 2017-12-08 4 hosts were up";
    let f = one(text);
    assert_eq!(span(text, &f), "2017-12-08");
    let text = "Oct 12, 2017 1400 hosts";
    assert_eq!(span(text, &one(text)), "Oct 12, 2017");
}

#[test]
fn date_range_does_not_swallow_a_following_count() {
    let text = "From 12/8 - 12/12/2017 1400 hosts were down";
    assert_eq!(span(text, &one(text)), "12/8 - 12/12/2017");
}

#[test]
fn at_sign_is_a_cue_like_at() {
    let f = one("deploy @ 1400");
    assert!(f.bare);
    assert_eq!(f.time, hm(14, 0));
}

#[test]
fn date_at_four_digit_time_without_zone_is_bare() {
    let f = whole("Oct 12, 2017 at 1400");
    assert_eq!(f.time, hm(14, 0));
    assert!(f.bare);
}

// ----- times -----

#[test]
fn colon_time_alone_is_a_time() {
    let f = whole("16:13");
    assert_eq!(f.time, hm(16, 13));
    assert_eq!(f.date, None);
    assert_eq!(f.zone, None);
}

#[test]
fn colon_time_with_utc_is_a_utc_time() {
    let text = "At 16:13 UTC we begin the full scale rollout.";
    let f = one(text);
    assert_eq!(span(text, &f), "16:13 UTC");
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert_eq!(whole("09:15 GMT").zone, Some(ZoneMention::Utc));
    assert_eq!(whole("00:00 UTC").time, hm(0, 0));
}

#[test]
fn colon_time_with_seconds_keeps_them() {
    assert_eq!(whole("15:08:36").time, hms(15, 8, 36));
}

#[test]
fn tilde_marks_a_time_approximate_with_or_without_space() {
    for text in ["~ 08:45", "~08:45"] {
        let f = whole(text);
        assert_eq!(f.time, hm(8, 45));
        assert!(f.approximate, "{text}");
    }
}

#[test]
fn approximation_words_are_part_of_the_span() {
    let text = "had begun at approximately 13:00 at a smaller scale";
    let f = one(text);
    assert_eq!(span(text, &f), "approximately 13:00");
    assert!(f.approximate);
    let text = "last night around 18:10 there was";
    assert_eq!(span(text, &one(text)), "around 18:10");
    for text in [
        "about 3 pm",
        "roughly 14:00",
        "circa 14:00",
        "ca. 14:00",
        "approx. 14:00",
    ] {
        assert!(whole(text).approximate, "{text}");
    }
}

#[test]
fn at_around_time_with_zone_is_approximate_and_zoned() {
    let text = "At around 18:36 UTC, we start to realise";
    let f = one(text);
    assert_eq!(span(text, &f), "around 18:36 UTC");
    assert!(f.approximate);
    assert_eq!(f.zone, Some(ZoneMention::Utc));
}

#[test]
fn approximation_word_without_a_timestamp_is_nothing() {
    nothing_in("approximately 20 minutes later, about an hour");
    nothing_in("~48 hours old");
    // A period closes the word: the time after it is not approximate.
    assert!(!one("around. 14:00").approximate);
}

#[test]
fn twelve_hour_times_are_converted() {
    assert_eq!(whole("4pm").time, hm12(16, 0));
    assert_eq!(whole("2:45pm").time, hm12(14, 45));
    assert_eq!(whole("8:30 PM").time, hm12(20, 30));
    assert_eq!(whole("3:19 PM").time, hm12(15, 19));
    assert_eq!(whole("4 AM").time, hm12(4, 0));
    assert_eq!(whole("8:30 p.m.").time, hm12(20, 30));
    assert_eq!(whole("6 a.m.").time, hm12(6, 0));
}

#[test]
fn twelve_am_is_midnight_and_twelve_pm_is_noon() {
    assert_eq!(whole("12am").time, hm12(0, 0));
    assert_eq!(whole("12pm").time, hm12(12, 0));
    assert_eq!(whole("12:30am").time, hm12(0, 30));
}

#[test]
fn single_letter_meridiem_only_when_glued() {
    assert_eq!(whole("9:06a").time, hm12(9, 6));
    assert_eq!(whole("7p").time, hm12(19, 0));
    nothing_in("7 p");
    nothing_in("see step 2a and figure 3p");
    assert_eq!(one("dinner at 7p").time, hm12(19, 0));
    nothing_in("margin 7px wide");
    nothing_in("13pm");
    nothing_in("0am");
}

#[test]
fn narrow_no_break_space_before_pm_is_accepted() {
    assert_eq!(whole("8:30\u{202F}PM").time, hm12(20, 30));
    assert_eq!(whole("8:30\u{A0}PM").time, hm12(20, 30));
}

#[test]
fn noon_and_midnight_count_only_after_at() {
    let text = "we stopped at noon";
    let f = one(text);
    assert_eq!(span(text, &f), "noon");
    assert_eq!(f.time, hm(12, 0));
    let f = one("resumed at midnight UTC");
    assert_eq!(f.time, hm(0, 0));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    nothing_in("noon");
    nothing_in("the midnight deploys");
}

/// A timeline line may open with the word: "- noon — traffic shifted", "12 noon: ...",
/// "Midnight UTC - ...". Without a separator after it, it stays a word.
#[test]
fn noon_and_midnight_opening_a_line_before_a_separator_are_times() {
    let text = "12 noon — APNs ruled out";
    let f = one(text);
    assert_eq!(span(text, &f), "12 noon");
    assert_eq!(f.time, hm(12, 0));
    let f = one("**Midnight UTC** - monitoring ends");
    assert_eq!(f.time, hm(0, 0));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert_eq!(one("noon: mitigation deployed").time, hm(12, 0));
    nothing_in("noon deploys were paused");
    nothing_in("the midnight: deploys");
    nothing_in("12 noon");
}

#[test]
fn four_digit_time_with_utc_is_a_time() {
    let text = "when at 0130 UTC we were notified";
    let f = one(text);
    assert_eq!(span(text, &f), "0130 UTC");
    assert_eq!(f.time, hm(1, 30));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert!(!f.bare);
    assert_eq!(whole("1843 UTC").time, hm(18, 43));
}

#[test]
fn four_digit_time_with_glued_z_is_utc() {
    let f = whole("0105Z");
    assert_eq!(f.time, hm(1, 5));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
}

#[test]
fn four_digit_time_after_a_cue_word_is_bare() {
    for (text, h, m) in [
        ("At 0649 the coordinator", 6, 49),
        ("and at 1413 they responded", 14, 13),
        ("until 0300 when", 3, 0),
        ("from 0105 on", 1, 5),
        ("by 2200 it was done", 22, 0),
        ("at around 0300", 3, 0),
    ] {
        let f = one(text);
        assert_eq!(f.time, hm(h, m), "{text}");
        assert!(f.bare, "{text}");
        assert_eq!(f.zone, None);
    }
}

#[test]
fn four_digit_number_without_cue_or_zone_is_not_a_time() {
    nothing_in("in 2019 we grew");
    nothing_in("In 2019 IT was reorganised");
    nothing_in("on port 6667 and 1234 requests");
    nothing_in("at 1999");
    nothing_in("at 2460");
}

#[test]
fn four_digit_time_with_an_hours_suffix_is_a_time() {
    let f = whole("1400hrs");
    assert_eq!(f.time, hm(14, 0));
    assert!(!f.bare);
    assert_eq!(whole("14:00h").time, hm(14, 0));
}

#[test]
fn colon_time_range_reports_its_start() {
    let f = whole("8:00-8:30");
    assert_eq!(f.time, hm(8, 0));
    assert!(f.range);
    let f = whole("20:47 - 08:30");
    assert_eq!(f.time, hm(20, 47));
    assert!(f.range);
}

#[test]
fn en_dash_range_with_trailing_zone_zones_the_start() {
    let f = whole("14:00–15:00 UTC");
    assert_eq!(f.time, hm(14, 0));
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert!(f.range);
    assert!(whole("14:00—15:00").range);
}

#[test]
fn twelve_hour_range_with_to_is_a_range() {
    let f = whole("9am to 11am");
    assert_eq!(f.time, hm12(9, 0));
    assert!(f.range);
}

#[test]
fn range_end_meridiem_applies_to_the_start_when_it_fits() {
    assert_eq!(whole("8:00-8:30 PM").time, hm12(20, 0));
    assert_eq!(whole("11:00-1:00 PM").time, hm(11, 0));
}

#[test]
fn four_digit_range_with_zones_is_one_range() {
    // Chosen behaviour: "from A to B" is one range, reported by its start.
    let text = "Services was down from 0105 UTC to 1555 UTC, for almost 15 hours.";
    let f = one(text);
    assert_eq!(span(text, &f), "0105 UTC to 1555 UTC");
    assert_eq!(f.time, hm(1, 5));
    assert!(f.range);
    assert!(!f.bare);
}

#[test]
fn bare_four_digit_range_takes_its_zone_from_the_end() {
    let f = one("from 0105 to 1555 UTC");
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert!(!f.bare);
    assert!(f.range);
}

#[test]
fn time_range_to_noon_is_a_range() {
    let f = one("from 10:00 to noon");
    assert_eq!(f.time, hm(10, 0));
    assert!(f.range);
}

#[test]
fn colon_times_inside_longer_runs_are_not_times() {
    nothing_in("id 123:45 and 12:345");
    nothing_in("mac 00:11:22:33:44:55");
    nothing_in("ipv6 fe80::1:23");
    nothing_in("ratio 2:1 and 16:9");
    nothing_in("value 16:13.5");
    nothing_in("at 24:00 or 23:60");
}

#[test]
fn bible_verse_and_duration_shapes_may_match() {
    // Acceptable either way per the contract; documents current behaviour.
    assert_eq!(one("John 3:16").time, hm(3, 16));
    assert_eq!(one("took 1:30 hours").time, hm(1, 30));
}

#[test]
fn letters_glued_to_a_time_make_it_an_identifier() {
    nothing_in("build 10:08abc");
}

// ----- zones after times -----

#[test]
fn parenthesised_zone_is_a_zone() {
    let f = whole("10:00 (UTC)");
    assert_eq!(f.zone, Some(ZoneMention::Utc));
    assert_eq!(whole("10:00 (PST)").zone, fixed("PST", -8 * 3600));
    assert_eq!(
        whole("10:00 (Pacific)").zone,
        region("Pacific", "America/Los_Angeles")
    );
}

#[test]
fn utc_and_gmt_with_offsets_are_fixed() {
    assert_eq!(whole("14:00 UTC+2").zone, fixed("UTC+2", 7200));
    assert_eq!(whole("14:00 UTC-05:00").zone, fixed("UTC-05:00", -5 * 3600));
    assert_eq!(whole("14:00 GMT+1").zone, fixed("GMT+1", 3600));
    assert_eq!(whole("14:00 UTC+0").zone, Some(ZoneMention::Utc));
}

#[test]
fn numeric_offsets_after_a_time_are_fixed() {
    assert_eq!(whole("14:45 +02:00").zone, fixed("+02:00", 7200));
    assert_eq!(whole("14:45 -0500").zone, fixed("-0500", -5 * 3600));
    assert_eq!(whole("14:45+0200").zone, fixed("+0200", 7200));
    assert_eq!(whole("14:45 +00:00").zone, Some(ZoneMention::Utc));
}

#[test]
fn short_spaced_offsets_are_not_zones() {
    let text = "14:00 +10 minutes";
    assert_eq!(span(text, &one(text)), "14:00");
}

#[test]
fn glued_minus_time_after_a_plain_time_is_a_range_not_an_offset() {
    let f = whole("8:00-08:30");
    assert_eq!(f.zone, None);
    assert!(f.range);
}

#[test]
fn every_fixed_abbreviation_after_a_time_is_fixed() {
    for &(name, seconds) in FIXED_ABBREVIATIONS {
        let text = format!("10:00 {name}");
        assert_eq!(whole(&text).zone, fixed(name, seconds), "{text}");
    }
    assert_eq!(whole("10:00 IST").zone, fixed("IST", 5 * 3600 + 1800));
    assert_eq!(whole("10:00 NST").zone, fixed("NST", -(3 * 3600 + 1800)));
}

#[test]
fn cst_is_us_central_not_china() {
    assert_eq!(whole("10:00 CST").zone, fixed("CST", -6 * 3600));
}

#[test]
fn abbreviations_are_case_sensitive_after_a_time() {
    let text = "10:00 pst";
    assert_eq!(span(text, &one(text)), "10:00");
}

#[test]
fn glued_abbreviation_is_a_zone() {
    assert_eq!(whole("3:30PST").zone, fixed("PST", -8 * 3600));
    assert_eq!(whole("8:30pm CST").zone, fixed("CST", -6 * 3600));
}

#[test]
fn region_abbreviations_are_regions() {
    assert_eq!(whole("10:00 CLT").zone, region("CLT", "America/Santiago"));
    assert_eq!(whole("10:00 PT").zone, region("PT", "America/Los_Angeles"));
    assert_eq!(whole("10:00 ET").zone, region("ET", "America/New_York"));
    assert_eq!(whole("10:00 CT").zone, region("CT", "America/Chicago"));
    assert_eq!(whole("10:00 MT").zone, region("MT", "America/Denver"));
}

#[test]
fn region_words_need_time_after_a_time() {
    assert_eq!(
        whole("10:00 Pacific Time").zone,
        region("Pacific Time", "America/Los_Angeles")
    );
    assert_eq!(
        whole("10:00 central time").zone,
        region("central time", "America/Chicago")
    );
    let text = "10:00 Eastern seaboard";
    assert_eq!(span(text, &one(text)), "10:00");
}

#[test]
fn region_standard_time_is_fixed() {
    assert_eq!(
        whole("10:00 Eastern Standard Time").zone,
        fixed("Eastern Standard Time", -5 * 3600)
    );
    assert_eq!(
        whole("10:00 Pacific Daylight Time").zone,
        fixed("Pacific Daylight Time", -7 * 3600)
    );
}

#[test]
fn iana_names_after_a_time_are_regions() {
    assert_eq!(
        whole("10:00 Europe/Paris").zone,
        region("Europe/Paris", "Europe/Paris")
    );
    let text = "at 10:00 America/Chicago.";
    assert_eq!(one(text).zone, region("America/Chicago", "America/Chicago"));
    assert_eq!(
        whole("10:00 Pacific/Auckland").zone,
        region("Pacific/Auckland", "Pacific/Auckland")
    );
    let text = "10:00 Europe/Nowhere";
    assert_eq!(span(text, &one(text)), "10:00");
}

#[test]
fn unknown_zone_like_token_is_reported_as_unknown() {
    assert_eq!(
        whole("10:00 XYZT").zone,
        Some(ZoneMention::Unknown("XYZT".into()))
    );
}

#[test]
fn upper_case_words_that_are_not_zones_are_ignored() {
    let text = "• 06/07/2024 10:08 OTG creation";
    let f = one(text);
    assert_eq!(span(text, &f), "06/07/2024 10:08");
    assert_eq!(f.zone, None);
    let text = "16:13 IT team";
    assert_eq!(one(text).zone, None);
    let text = "16:13 ALERT fired";
    assert_eq!(one(text).zone, None);
}

#[test]
fn z_counts_only_glued_to_a_time() {
    let text = "10:00 Z";
    assert_eq!(span(text, &one(text)), "10:00");
}

// ----- ZoneMention -----

#[test]
fn region_offset_follows_daylight_saving() {
    let chicago = region("central", "America/Chicago").expect("zone");
    assert_eq!(
        chicago.offset_at(date(2017, 12, 8).at(14, 45, 0, 0)),
        Some(Offset::constant(-6))
    );
    assert_eq!(
        chicago.offset_at(date(2017, 7, 8).at(14, 45, 0, 0)),
        Some(Offset::constant(-5))
    );
    let santiago = region("CLT", "America/Santiago").expect("zone");
    assert_eq!(
        santiago.offset_at(date(2022, 12, 6).at(20, 0, 0, 0)),
        Some(Offset::constant(-3))
    );
}

#[test]
fn region_offset_in_a_gap_or_fold_uses_compatible_disambiguation() {
    let ny = region("ET", "America/New_York").expect("zone");
    // 02:30 does not exist on 2024-03-10: compatible moves past the gap, into DST.
    assert_eq!(
        ny.offset_at(date(2024, 3, 10).at(2, 30, 0, 0)),
        Some(Offset::constant(-4))
    );
    // 01:30 happens twice on 2024-11-03: compatible picks the earlier (DST) one.
    assert_eq!(
        ny.offset_at(date(2024, 11, 3).at(1, 30, 0, 0)),
        Some(Offset::constant(-4))
    );
}

#[test]
fn fixed_utc_and_unknown_offsets() {
    let wall = date(2020, 1, 1).at(0, 0, 0, 0);
    assert_eq!(ZoneMention::Utc.offset_at(wall), Some(Offset::UTC));
    assert_eq!(
        fixed("PST", -8 * 3600).expect("zone").offset_at(wall),
        Some(Offset::constant(-8))
    );
    assert_eq!(ZoneMention::Unknown("XYZT".into()).offset_at(wall), None);
    let bogus = ZoneMention::Region {
        name: "x".into(),
        tz: "Nowhere/Land".into(),
    };
    assert_eq!(bogus.offset_at(wall), None);
}

#[test]
fn display_names_are_utc_iana_abbreviation_or_numeric() {
    assert_eq!(ZoneMention::Utc.display_name(), "UTC");
    assert_eq!(
        region("central", "America/Chicago")
            .expect("zone")
            .display_name(),
        "America/Chicago"
    );
    assert_eq!(fixed("PDT", -7 * 3600).expect("zone").display_name(), "PDT");
    assert_eq!(fixed("UTC+2", 7200).expect("zone").display_name(), "+02:00");
    assert_eq!(
        fixed("-0500", -5 * 3600).expect("zone").display_name(),
        "-05:00"
    );
    assert_eq!(
        fixed("+0530", 5 * 3600 + 1800)
            .expect("zone")
            .display_name(),
        "+05:30"
    );
    assert_eq!(ZoneMention::Unknown("XYZT".into()).display_name(), "XYZT");
}

// ----- zone_declaration -----

#[test]
fn zone_declarations_are_recognised() {
    let cases = [
        ("All times central.", region("central", "America/Chicago")),
        ("All times in UTC", Some(ZoneMention::Utc)),
        ("All times in PDT.", fixed("PDT", -7 * 3600)),
        ("All times in PST", fixed("PST", -8 * 3600)),
        ("All times are UTC", Some(ZoneMention::Utc)),
        (
            "Times are in Pacific Time",
            region("Pacific Time", "America/Los_Angeles"),
        ),
        ("Timeline (all times UTC)", Some(ZoneMention::Utc)),
        ("All timestamps are in UTC", Some(ZoneMention::Utc)),
        ("Times in CET", fixed("CET", 3600)),
        ("Times are PDT", fixed("PDT", -7 * 3600)),
        ("Note: all times are in UTC+2.", fixed("UTC+2", 7200)),
        ("All times are local time (CST).", fixed("CST", -6 * 3600)),
        (
            "Timezone: America/Chicago",
            region("America/Chicago", "America/Chicago"),
        ),
        (
            "The time zone is Europe/Paris.",
            region("Europe/Paris", "Europe/Paris"),
        ),
        ("All dates and times are in UTC", Some(ZoneMention::Utc)),
    ];
    for (text, expected) in cases {
        assert_eq!(zone_declaration(text), expected, "{text}");
    }
}

#[test]
fn zone_declaration_inside_a_document_is_found() {
    let text = "Timeline\n--------\n\nAll times central.\n\n2017-12-08 2:45pm\n";
    assert_eq!(zone_declaration(text), region("central", "America/Chicago"));
}

#[test]
fn sentences_that_merely_contain_a_time_are_not_declarations() {
    for text in [
        "At 16:13 UTC we begin the full scale rollout.",
        "We restarted it three times in CET hours.",
        "All times are approximate.",
        "times",
        "",
        "All times",
    ] {
        assert_eq!(zone_declaration(text), None, "{text}");
    }
}

// ----- parse_zone -----

#[test]
fn parse_zone_reads_every_kind_of_name() {
    assert_eq!(parse_zone("UTC"), Some(ZoneMention::Utc));
    assert_eq!(parse_zone("gmt"), Some(ZoneMention::Utc));
    assert_eq!(parse_zone("Z"), Some(ZoneMention::Utc));
    assert_eq!(parse_zone("PST"), fixed("PST", -8 * 3600));
    assert_eq!(parse_zone("pdt"), fixed("pdt", -7 * 3600));
    assert_eq!(parse_zone("CLT"), region("CLT", "America/Santiago"));
    assert_eq!(parse_zone("central"), region("central", "America/Chicago"));
    assert_eq!(parse_zone("Eastern"), region("Eastern", "America/New_York"));
    assert_eq!(
        parse_zone("Mountain Time"),
        region("Mountain Time", "America/Denver")
    );
    assert_eq!(
        parse_zone("Pacific Standard Time"),
        fixed("Pacific Standard Time", -8 * 3600)
    );
    assert_eq!(
        parse_zone("America/Chicago"),
        region("America/Chicago", "America/Chicago")
    );
    assert_eq!(
        parse_zone("europe/paris"),
        region("europe/paris", "Europe/Paris")
    );
    assert_eq!(parse_zone("+02:00"), fixed("+02:00", 7200));
    assert_eq!(parse_zone("-0500"), fixed("-0500", -5 * 3600));
    assert_eq!(parse_zone("UTC+2"), fixed("UTC+2", 7200));
    assert_eq!(parse_zone("UTC-05:00"), fixed("UTC-05:00", -5 * 3600));
    assert_eq!(parse_zone("UTC+0"), Some(ZoneMention::Utc));
    assert_eq!(parse_zone(" (UTC) "), Some(ZoneMention::Utc));
}

#[test]
fn a_us_region_is_read_with_its_country_before_it() {
    assert_eq!(
        parse_zone("US Pacific"),
        region("US Pacific", "America/Los_Angeles")
    );
    assert_eq!(
        parse_zone("US Eastern Time"),
        region("US Eastern Time", "America/New_York")
    );
    assert_eq!(
        zone_declaration("All times are US Central."),
        region("US Central", "America/Chicago")
    );
    assert_eq!(parse_zone("US"), None);
}

#[test]
fn parse_zone_rejects_unknown_names() {
    for name in [
        "",
        "XYZT",
        "Nowhere/Land",
        "Japan",
        "+25:00",
        "UTC+",
        "central europe",
        "time",
    ] {
        assert_eq!(parse_zone(name), None, "{name}");
    }
}

// ----- parse_date -----

#[test]
fn parse_date_reads_front_matter_dates() {
    assert_eq!(parse_date("2017-12-08"), full(2017, 12, 8));
    assert_eq!(parse_date("2017-12-08T14:45:00Z"), full(2017, 12, 8));
    assert_eq!(parse_date("2017-12-08 14:45"), full(2017, 12, 8));
    assert_eq!(parse_date("Oct 12, 2017"), full(2017, 10, 12));
    assert_eq!(parse_date("  \"June 27th, 2019\" "), full(2019, 6, 27));
    assert_eq!(parse_date("12/8/2017"), numeric(12, 8, Some(2017)));
    assert_eq!(parse_date("12/8"), numeric(12, 8, None));
    assert_eq!(parse_date("June 10th"), month_day(6, 10));
    assert_eq!(parse_date("Thursday, 12 Oct 2017"), full(2017, 10, 12));
}

#[test]
fn parse_date_rejects_non_dates() {
    for text in [
        "",
        "   ",
        "30/30/30",
        "2017-02-30",
        "16:13",
        "hello",
        "2017-12-08 and more",
        "v2.1.3",
    ] {
        assert_eq!(parse_date(text), None, "{text}");
    }
}

// ----- whole documents and robustness -----

#[test]
fn results_are_ordered_and_non_overlapping_in_a_timeline() {
    let text = "Timeline\n\n• 05/07/2024 23:59\n\nTI noticed the problem\n\n• 06/07/2024 08:25\n\nIhor noticed\n\n• 06/07/2024 08:30\n\nProblem resolution";
    let found = find(text);
    assert_eq!(found.len(), 3);
    assert_eq!(span(text, &found[0]), "05/07/2024 23:59");
    assert_eq!(span(text, &found[2]), "06/07/2024 08:30");
    assert!(found.windows(2).all(|w| w[0].end <= w[1].start));
}

#[test]
fn status_page_updates_each_yield_one_timestamp() {
    let text = "Resolved\nAll delayed data has been processed.\nPosted Oct 12, 2017 - 23:57 UTC\nUpdate\nIngestion has returned.\nPosted Oct 12, 2017 - 18:32 UTC";
    let found = find(text);
    assert_eq!(found.len(), 2);
    assert_eq!(found[1].time, hm(18, 32));
}

/// A small deterministic generator so that the robustness tests are repeatable.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn check_invariants(text: &str, found: &[Found]) {
    let mut last_end = 0;
    for f in found {
        assert!(f.start < f.end, "empty span in {text:?}: {f:?}");
        assert!(
            f.start >= last_end,
            "overlap or disorder in {text:?}: {found:?}"
        );
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        assert!(f.end <= text.len());
        last_end = f.end;
    }
}

#[test]
fn random_garbled_and_truncated_inputs_never_panic() {
    const PIECES: &[&str] = &[
        "12",
        "8",
        "2017",
        "0105",
        "1:",
        ":30",
        ":",
        "/",
        "-",
        ".",
        ",",
        " ",
        "  ",
        "\n",
        "T",
        "Z",
        "UTC",
        "+02:00",
        "-0500",
        "PST",
        "CLT",
        "/3:",
        "pm",
        "a",
        "p.m.",
        "~",
        "around ",
        "at ",
        "on ",
        "Oct",
        "June ",
        "27th",
        "Thursday",
        "Sept.",
        "May",
        "Pacific",
        " Time",
        "Europe/",
        "Paris",
        "America/Chicago",
        "(",
        ")",
        "**",
        "_",
        "–",
        "—",
        "é",
        "日本",
        "\u{202F}",
        "\u{A0}",
        "🦀",
        "XYZT",
        "noon",
        "to ",
        "0",
        "99",
        "31",
        "24/7",
        "v2",
        "\u{0}",
        "\r\n",
        "2:45pm",
        "12/8 - ",
        "of ",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..4000 {
        let mut text = String::new();
        for _ in 0..rng.below(24) {
            if rng.below(8) == 0 {
                // An arbitrary scalar value, to exercise multi-byte boundaries.
                let c = char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('?');
                text.push(c);
            } else {
                text.push_str(PIECES[rng.below(PIECES.len())]);
            }
        }
        let found = find(&text);
        check_invariants(&text, &found);
        let _ = zone_declaration(&text);
        let _ = parse_zone(&text);
        let _ = parse_date(&text);
    }
}

#[test]
fn every_prefix_of_a_real_paragraph_is_handled() {
    let text = "On Thursday 12/8/2017 at 8:30pm CST, TACC lost power. From 12/8 - 12/12/2017 \
                hosts were down; at 0105 UTC on June 27th, 2019 and 8:00-8:30 CLT/3:00-3:30PST \
                December, 6 2022 (all times UTC) ~ **10:37** 2017-12-08T14:45:00+02:00.";
    for (i, _) in text.char_indices() {
        let prefix = &text[..i];
        check_invariants(prefix, &find(prefix));
        let suffix = &text[i..];
        check_invariants(suffix, &find(suffix));
    }
}

#[test]
fn huge_adversarial_inputs_are_scanned_quickly() {
    let started = std::time::Instant::now();
    let inputs = [
        "1".repeat(50_000),
        "1:1:".repeat(12_500),
        "12/".repeat(15_000),
        "a".repeat(50_000),
        " ".repeat(50_000),
        "12 ".repeat(15_000),
        "Oct ".repeat(12_500),
        "at 0105 ".repeat(6_250),
        "8:00-".repeat(10_000),
        "~".repeat(50_000),
        "**".repeat(25_000),
    ];
    for text in &inputs {
        check_invariants(text, &find(text));
    }
    // Generous bound: a quadratic scan of these inputs would take many seconds.
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn month_names_between_dashes_are_dates() {
    assert_eq!(whole("2025-DEC-5").date, full(2025, 12, 5));
    assert_eq!(whole("2024-Mar-03").date, full(2024, 3, 3));
    assert_eq!(whole("Aug-27-2021").date, full(2021, 8, 27));
    assert_eq!(whole("27-Aug-2021").date, full(2021, 8, 27));
    let f = whole("Aug-27-2021 12:50:07 PM");
    assert_eq!(f.time, hms12(12, 50, 7));
    // Half a dashed form is not a date.
    assert!(find("Aug-27 was fine").iter().all(|f| f.date.is_none()));
}

#[test]
fn a_year_less_dashed_date_counts_when_a_time_follows() {
    let f = one("[03-26 17:40] Node upgrade starts");
    assert_eq!(
        f.date,
        Some(DatePart::Numeric {
            first: 3,
            second: 26,
            year: None
        })
    );
    assert_eq!(f.time, hm(17, 40));
    // Without a time it stays a score or a range.
    assert!(find("we won 12-8 and moved on").is_empty());
}

#[test]
fn dotted_times_need_am_or_pm_and_h_times_two_digit_hours() {
    let f = whole("6.15 AM PST");
    assert_eq!(f.time, hm12(6, 15));
    assert!(f.zone.is_some());
    assert_eq!(whole("14h30").time, hm(14, 30));
    assert!(find("pi is 3.14 and it took 2h30").is_empty());
}

#[test]
fn a_one_digit_hour_with_h_is_a_time_where_an_entry_or_at_puts_it() {
    assert_eq!(whole("9h05").time, hm(9, 5));
    let f = find("- 7h45 Replica lagging");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].time, hm(7, 45));
    let f = find("We restarted it at 8h20 and waited.");
    assert_eq!(f[0].time, hm(8, 20));
    // Mid-sentence without a cue it is a duration.
    assert!(find("The rebuild lasted 3h15 in total.").is_empty());
}
