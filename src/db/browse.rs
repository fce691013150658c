//! Read queries behind the web pages: lists, facets, one incident with everything
//! extracted from it, system and tag pages, and full-text search.
//!
//! Invariant: read-only; every value from a document is returned as plain text for the
//! templates to escape (the rendered document is the one exception, see `pages`).

use super::search_memo::{MAX_COMPLETIONS, SearchMemo};
use crate::search::Query;
use sqlx::{Row, SqlitePool};
use std::sync::Arc;

/// Statuses that count as open for tracking: the one definition, in `actions`.
pub use super::actions::OPEN_STATUSES;

/// One incident in a list.
#[derive(Debug, Clone)]
pub struct IncidentSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub started: Option<String>,
    pub severity: Option<String>,
    pub systems: Vec<String>,
    pub open_actions: i64,
    pub missing: bool,
}

/// Filters and order of the incidents list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub year: Option<i32>,
    pub system: Option<String>,
    pub tag: Option<String>,
    pub severity: Option<String>,
    pub open_actions: bool,
    pub sort_title: bool,
    pub ascending: bool,
    pub offset: i64,
    pub limit: i64,
}

const SUMMARY_COLUMNS: &str = "i.id, i.slug, i.title, i.started, i.severity,
    (select json_group_array(system) from incident_systems s where s.incident_id = i.id) as systems,
    (select count(*) from actions a where a.incident_id = i.id and a.removed_at is null
        and a.status in ('open', 'in_progress', 'unknown')) as open_actions,
    i.missing_since is not null as missing";

fn summary(row: &sqlx::sqlite::SqliteRow) -> IncidentSummary {
    IncidentSummary {
        id: row.get("id"),
        slug: row.get("slug"),
        title: row.get("title"),
        started: row.get("started"),
        severity: row.get("severity"),
        systems: serde_json::from_str(row.get::<&str, _>("systems")).unwrap_or_default(),
        open_actions: row.get("open_actions"),
        missing: row.get("missing"),
    }
}

/// A page of incidents matching `filter`, and how many match in all.
pub async fn list(
    pool: &SqlitePool,
    filter: &ListFilter,
) -> sqlx::Result<(Vec<IncidentSummary>, i64)> {
    let (conditions, binds) = list_conditions(filter);
    let dir = if filter.ascending { "asc" } else { "desc" };
    let order = if filter.sort_title {
        format!("i.title collate nocase {dir}, i.id")
    } else {
        format!("i.started {dir} nulls last, i.id {dir}")
    };
    let where_clause = conditions.join(" and ");
    let sql = format!(
        "with m as (select i.id from incidents i where {where_clause} order by {order} limit ? offset ?)
         select {SUMMARY_COLUMNS} from m join incidents i on i.id = m.id order by {order}"
    );
    let mut query = sqlx::query(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    let rows = query
        .bind(filter.limit)
        .bind(filter.offset)
        .fetch_all(pool)
        .await?;
    let count_sql = format!("select count(*) from incidents i where {where_clause}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    for b in &binds {
        count = count.bind(b);
    }
    let total = count.fetch_one(pool).await?;
    Ok((rows.iter().map(summary).collect(), total))
}

/// The incidents `filter` selects (its order, offset and count ignored) in the order
/// they were first stored, after the one with id `after`, at most `filter.limit`: the
/// API's pages. Keyset paging on the id, which nothing changes, so a client walking
/// every page sees each incident once however the data changes meanwhile.
pub async fn list_after(
    pool: &SqlitePool,
    filter: &ListFilter,
    after: Option<i64>,
) -> sqlx::Result<Vec<IncidentSummary>> {
    let (conditions, binds) = list_conditions(filter);
    let where_clause = conditions.join(" and ");
    let sql = format!(
        "with m as (select i.id from incidents i where {where_clause} and i.id > ? order by i.id limit ?)
         select {SUMMARY_COLUMNS} from m join incidents i on i.id = m.id order by i.id"
    );
    let mut query = sqlx::query(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    let rows = query
        .bind(after.unwrap_or(i64::MIN))
        .bind(filter.limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(summary).collect())
}

/// The conditions of a list filter over `incidents i`, and their bound values in order.
fn list_conditions(filter: &ListFilter) -> (Vec<String>, Vec<String>) {
    // Incidents removed by hand (`aftermath remove`) are shown nowhere.
    let mut conditions = vec!["i.removed_at is null".to_string()];
    let mut binds: Vec<String> = Vec::new();
    if let Some(year) = filter.year {
        conditions.push("substr(i.started, 1, 4) = ?".into());
        binds.push(format!("{year:04}"));
    }
    if let Some(system) = &filter.system {
        conditions.push(
            "i.id in (select s.incident_id from incident_systems s where s.system = ? collate nocase)"
                .into(),
        );
        binds.push(system.clone());
    }
    if let Some(tag) = &filter.tag {
        conditions.push(
            "i.id in (select t.incident_id from incident_tags t where t.tag = ? collate nocase)"
                .into(),
        );
        binds.push(tag.clone());
    }
    if let Some(severity) = &filter.severity {
        conditions.push("i.severity = ? collate nocase".into());
        binds.push(severity.clone());
    }
    if filter.open_actions {
        conditions.push(format!(
            "exists (select 1 from actions a where a.incident_id = i.id and a.removed_at is null and a.status in {OPEN_STATUSES})"
        ));
    }
    (conditions, binds)
}

/// Values offered as filters, with counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    pub years: Vec<(String, i64)>,
    pub systems: Vec<(String, i64)>,
    pub tags: Vec<(String, i64)>,
    pub severities: Vec<(String, i64)>,
}

/// Every filter value in use, with how many incidents have it.
pub async fn facets(pool: &SqlitePool) -> sqlx::Result<Facets> {
    let pairs = |rows: Vec<sqlx::sqlite::SqliteRow>| -> Vec<(String, i64)> {
        rows.iter().map(|r| (r.get(0), r.get(1))).collect()
    };
    Ok(Facets {
        years: pairs(
            sqlx::query(
                // The index of live incidents' start days: by the `started` index,
                // SQLite read `removed_at` from every row, past its document (98 ms
                // against 28 ms at 100,000 incidents).
                "select substr(started, 1, 4) as y, count(*) from incidents indexed by incidents_figures
                 where started is not null and removed_at is null
                 group by y order by y desc",
            )
            .fetch_all(pool)
            .await?,
        ),
        systems: pairs(
            sqlx::query(
                "select system, count(*) as n from incident_systems group by system collate nocase
                 order by n desc, system limit 60",
            )
            .fetch_all(pool)
            .await?,
        ),
        tags: pairs(
            sqlx::query(
                "select tag, count(*) as n from incident_tags group by tag collate nocase
                 order by n desc, tag limit 60",
            )
            .fetch_all(pool)
            .await?,
        ),
        severities: pairs(
            sqlx::query(
                "select severity, count(*) from incidents
                 where severity is not null and removed_at is null
                 group by severity collate nocase order by severity",
            )
            .fetch_all(pool)
            .await?,
        ),
    })
}

/// Numbers on the home page.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub incidents: i64,
    pub open_actions: i64,
    pub overdue_actions: i64,
    pub per_month: Vec<(String, i64)>,
    pub top_systems: Vec<(String, i64)>,
}

/// Counts for the home page; `today` is YYYY-MM-DD.
pub async fn overview(pool: &SqlitePool, today: &str) -> sqlx::Result<Overview> {
    let incidents = sqlx::query_scalar("select count(*) from incidents where removed_at is null")
        .fetch_one(pool)
        .await?;
    let (open_actions, overdue_actions): (i64, i64) = sqlx::query_as(&format!(
        "select count(*), coalesce(sum(due is not null and due < ?), 0) from actions
         where removed_at is null and status in {OPEN_STATUSES}"
    ))
    .bind(today)
    .fetch_one(pool)
    .await?;
    let per_month = sqlx::query(
        "select substr(started, 1, 7) as m, count(*) from incidents
         where started is not null and removed_at is null
         group by m order by m",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let top_systems = sqlx::query(
        "select system, count(*) as n from incident_systems group by system collate nocase
         order by n desc, system limit 10",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    Ok(Overview {
        incidents,
        open_actions,
        overdue_actions,
        per_month,
        top_systems,
    })
}

/// The most recent incidents.
pub async fn recent(pool: &SqlitePool, limit: i64) -> sqlx::Result<Vec<IncidentSummary>> {
    list(
        pool,
        &ListFilter {
            limit,
            ..ListFilter::default()
        },
    )
    .await
    .map(|(rows, _)| rows)
}

/// Everything stored about one incident.
#[derive(Debug, Clone)]
pub struct IncidentDetail {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub source_path: String,
    pub format: String,
    pub started: Option<String>,
    pub timezone: Option<String>,
    pub summary: Option<String>,
    pub impact: Option<String>,
    pub detection: Option<String>,
    pub resolution: Option<String>,
    pub severity: Option<String>,
    pub authors: Vec<String>,
    pub lessons: Vec<String>,
    pub warnings: Vec<WarningRow>,
    pub missing_since: Option<String>,
    pub imported_at: String,
    /// Identifies the stored version of the document (a cache key for its rendering).
    pub content_hash: String,
    /// The source as imported (`None` for incidents imported before sources were kept).
    pub source: Option<String>,
    /// The document's plain text.
    pub body: String,
    pub timeline: Vec<TimelineRow>,
    pub causes: Vec<(String, i64)>,
    /// The extraction rule of each cause, in the same order (empty when not recorded).
    pub cause_rules: Vec<String>,
    pub actions: Vec<ActionBrief>,
    /// The extraction rule of each action in the document, by its text.
    pub action_rules: std::collections::BTreeMap<String, String>,
    pub systems: Vec<String>,
    pub tags: Vec<String>,
    pub references: Vec<String>,
}

/// A warning recorded at import.
pub type WarningRow = super::document::StoredWarning;

/// One timeline entry as stored.
#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub utc_seconds: Option<i64>,
    pub wall_time: String,
    pub utc_offset: Option<i64>,
    pub precision: String,
    pub source_text: String,
    pub text: String,
    /// The extraction rule that took the entry ("" when not recorded).
    pub rule: String,
    pub line: i64,
}

/// An action as listed on an incident or system page.
#[derive(Debug, Clone)]
pub struct ActionBrief {
    pub id: String,
    pub incident_slug: String,
    pub incident_title: String,
    pub text: String,
    pub status: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub ticket: Option<String>,
    pub priority: Option<String>,
    pub kind: Option<String>,
    pub removed: bool,
    pub updated_at: String,
}

const ACTION_COLUMNS: &str = "a.id, i.slug, i.title as incident_title, a.text, a.status, a.owner,
    a.due, a.ticket, a.priority, a.kind, a.removed_at is not null as removed, a.updated_at";

fn action(r: &sqlx::sqlite::SqliteRow) -> ActionBrief {
    ActionBrief {
        id: r.get("id"),
        incident_slug: r.get("slug"),
        incident_title: r.get("incident_title"),
        text: r.get("text"),
        status: r.get("status"),
        owner: r.get("owner"),
        due: r.get("due"),
        ticket: r.get("ticket"),
        priority: r.get("priority"),
        kind: r.get("kind"),
        removed: r.get("removed"),
        updated_at: r.get("updated_at"),
    }
}

/// One incident by slug.
pub async fn incident(pool: &SqlitePool, slug: &str) -> sqlx::Result<Option<IncidentDetail>> {
    let Some(r) = sqlx::query(
        "select id, slug, title, source_path, format, started, timezone, severity,
                authors, missing_since, imported_at, content_hash, document
         from incidents where slug = ? and removed_at is null",
    )
    .bind(slug)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let id: i64 = r.get("id");
    let stored = super::document::Stored::decode(r.get::<&[u8], _>("document"));
    let mut details = stored.details;
    let mut texts = std::mem::take(&mut details.timeline).into_iter();
    let mut rules = std::mem::take(&mut details.timeline_rules).into_iter();
    let timeline = sqlx::query(
        "select utc_seconds, wall_time, utc_offset, source_text, line,
                case precision when 0 then 'day' when 1 then 'minute' else 'second' end as precision
         from timeline_entries where incident_id = ? order by position",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|t| TimelineRow {
        utc_seconds: t.get("utc_seconds"),
        wall_time: t.get("wall_time"),
        utc_offset: t.get("utc_offset"),
        precision: t.get("precision"),
        source_text: t.get("source_text"),
        text: texts.next().unwrap_or_default(),
        rule: rules.next().unwrap_or_default(),
        line: t.get("line"),
    })
    .collect();
    let causes =
        sqlx::query("select text, line from root_causes where incident_id = ? order by position")
            .bind(id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|c| (c.get(0), c.get(1)))
            .collect();
    let actions = sqlx::query(&format!(
        "select {ACTION_COLUMNS} from actions a join incidents i on i.id = a.incident_id
         where a.incident_id = ? order by a.removed_at is not null, a.position"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(action)
    .collect();
    let strings = |sql: &'static str| async move {
        sqlx::query_scalar::<_, String>(sql)
            .bind(id)
            .fetch_all(pool)
            .await
    };
    let systems = strings(
        "select system from incident_systems where incident_id = ? order by system collate nocase",
    )
    .await?;
    let tags = strings("select tag from incident_tags where incident_id = ? order by tag").await?;
    let references =
        strings("select target from incident_references where incident_id = ? order by line")
            .await?;
    let json_list = |col: &str| -> Vec<String> {
        serde_json::from_str(r.get::<&str, _>(col)).unwrap_or_default()
    };
    Ok(Some(IncidentDetail {
        id,
        slug: r.get("slug"),
        title: r.get("title"),
        source_path: r.get("source_path"),
        format: r.get("format"),
        started: r.get("started"),
        timezone: r.get("timezone"),
        summary: stored.summary,
        impact: details.impact,
        detection: details.detection,
        resolution: details.resolution,
        severity: r.get("severity"),
        authors: json_list("authors"),
        lessons: details.lessons,
        warnings: details.warnings,
        cause_rules: details.cause_rules,
        action_rules: details.action_rules,
        missing_since: r.get("missing_since"),
        imported_at: r.get("imported_at"),
        content_hash: r.get("content_hash"),
        source: stored.source,
        body: stored.body,
        timeline,
        causes,
        actions,
        systems,
        tags,
        references,
    }))
}

/// A related incident and why.
#[derive(Debug, Clone)]
pub struct RelatedRow {
    pub slug: String,
    pub title: String,
    pub started: Option<String>,
    pub reason: String,
}

/// The incidents most related to `id`, best first.
pub async fn related(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<RelatedRow>> {
    Ok(sqlx::query(
        "select i.slug, i.title, i.started, r.reason from related_incidents r
         join incidents i on i.id = r.other_id where r.incident_id = ? order by r.rank",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| RelatedRow {
        slug: r.get(0),
        title: r.get(1),
        started: r.get(2),
        reason: r.get(3),
    })
    .collect())
}

/// Incidents this one references: (target as written, slug, title).
pub async fn links_from(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<(String, String, String)>> {
    Ok(sqlx::query(
        "select l.target, i.slug, i.title from incident_links l join incidents i on i.id = l.to_id
         where l.from_id = ?",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect())
}

/// Incidents that reference this one: (slug, title).
pub async fn links_to(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<(String, String)>> {
    Ok(sqlx::query(
        "select i.slug, i.title from incident_links l join incidents i on i.id = l.from_id
         where l.to_id = ? order by i.started desc",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect())
}

/// Incidents touching a system or carrying a tag.
pub enum Topic<'a> {
    System(&'a str),
    Tag(&'a str),
}

/// The incidents of a system or tag, newest first, and their open actions.
pub async fn topic(
    pool: &SqlitePool,
    topic: Topic<'_>,
) -> sqlx::Result<(Vec<IncidentSummary>, Vec<ActionBrief>)> {
    let (filter, value) = match topic {
        Topic::System(s) => (
            "i.id in (select s.incident_id from incident_systems s where s.system = ? collate nocase)",
            s,
        ),
        Topic::Tag(t) => (
            "i.id in (select t.incident_id from incident_tags t where t.tag = ? collate nocase)",
            t,
        ),
    };
    let incidents = sqlx::query(&format!(
        "select {SUMMARY_COLUMNS} from incidents i where {filter} order by i.started desc nulls last limit 500"
    ))
    .bind(value)
    .fetch_all(pool)
    .await?
    .iter()
    .map(summary)
    .collect();
    let actions = sqlx::query(&format!(
        "select {ACTION_COLUMNS} from actions a join incidents i on i.id = a.incident_id
         where {filter} and a.removed_at is null and a.status in {OPEN_STATUSES}
         order by a.due is null, a.due, i.started desc limit 500"
    ))
    .bind(value)
    .fetch_all(pool)
    .await?
    .iter()
    .map(action)
    .collect();
    Ok((incidents, actions))
}

/// One search result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub summary: IncidentSummary,
    /// The stored document, which the snippet is cut from.
    document: Vec<u8>,
}

impl Hit {
    /// The text to cut the snippet from: the summary when `fits` accepts it (it holds a
    /// searched word, say), else the document's plain text, read as far as a snippet
    /// around the first place `first_match` finds needs
    /// ([`super::document::Stored::snippet_text`]).
    pub fn snippet_text(
        &self,
        fits: impl FnOnce(&str) -> bool,
        first_match: impl FnMut(&str) -> Option<usize>,
    ) -> String {
        super::document::Stored::snippet_text(&self.document, fits, first_match)
    }
}

/// A page of search results.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// How many incidents match, counted up to [`COUNT_CAP`].
    pub total: i64,
    /// More than [`COUNT_CAP`] incidents match.
    pub more: bool,
    pub facets: Facets,
}

/// Matches are counted up to this many: beyond it the page says "more than".
pub const COUNT_CAP: i64 = 1000;
/// Facet counts are taken over at most this many matches.
pub const FACET_SAMPLE: i64 = 400;
/// A search lists at most this many systems and tags.
const FACET_VALUES: usize = 12;

/// Whether there are many incidents and every word of `query` is in at least a tenth of
/// them (then ranking every match costs more than the tiers of [`search`]). The counts
/// come from `memo` when it keeps them all; otherwise one statement reads the
/// incidents' count and each word's document frequency (a prefix's is the sum over
/// the words it starts: an upper bound on the documents it matches), with the version
/// they were read at.
async fn all_common(pool: &SqlitePool, query: &Query, memo: &SearchMemo) -> sqlx::Result<bool> {
    let decide = |total: i64, frequencies: &[i64]| {
        total > 2000 && frequencies.iter().all(|df| df * 10 >= total)
    };
    let mut keys = Vec::new();
    let mut parts = vec!["(select count(*) from incidents)".to_string()];
    let mut binds: Vec<String> = Vec::new();
    // Each prefix's completions, after the frequencies (up to one more than kept, to
    // tell a prefix with too many).
    let mut prefixes: Vec<&str> = Vec::new();
    let mut completion_parts = Vec::new();
    let mut completion_binds: Vec<String> = Vec::new();
    for term in &query.terms {
        let prefix = matches!(term, crate::search::Term::Prefix(_));
        for word in term.words() {
            if prefix {
                let mut upper = word.to_string();
                upper.push(char::MAX);
                parts.push(
                    "(select coalesce(sum(doc), 0) from search_vocab where term >= ? and term < ?)"
                        .into(),
                );
                binds.push(word.to_string());
                binds.push(upper.clone());
                keys.push(format!("{word}*"));
                prefixes.push(word);
                completion_parts.push(format!(
                    "(select coalesce(group_concat(term, ' '), '') from
                       (select term from search_vocab where term >= ? and term < ? limit {}))",
                    MAX_COMPLETIONS + 1
                ));
                completion_binds.push(word.to_string());
                completion_binds.push(upper);
            } else {
                parts.push("coalesce((select doc from search_vocab where term = ?), 0)".into());
                binds.push(word.to_string());
                keys.push(word.to_string());
            }
        }
    }
    let versioned = memo.versioned(pool).await;
    if versioned && let Some((total, frequencies)) = memo.frequencies(&keys) {
        return Ok(decide(total, &frequencies));
    }
    parts.extend(completion_parts);
    binds.extend(completion_binds);
    if versioned {
        parts.push("(select version from data_versions where name = 'incidents')".into());
    }
    let sql = format!("select json_array({})", parts.join(", "));
    let mut q = sqlx::query_scalar::<_, String>(&sql);
    for b in &binds {
        q = q.bind(b);
    }
    let values: Vec<serde_json::Value> = serde_json::from_str(&q.fetch_one(pool).await?)
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let number = |i: usize| {
        values
            .get(i)
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(0)
    };
    let counts: Vec<i64> = (0..=keys.len()).map(number).collect();
    if versioned {
        let version = number(values.len() - 1);
        let frequencies: Vec<(String, i64)> =
            keys.into_iter().zip(counts[1..].iter().copied()).collect();
        let completions = prefixes
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let words: Vec<String> = values
                    .get(counts.len() + k)
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
                (
                    p.to_string(),
                    (words.len() <= MAX_COMPLETIONS).then_some(words),
                )
            })
            .collect();
        memo.remember(version, counts[0], &frequencies, completions);
    }
    let (total, frequencies) = counts.split_first().unwrap_or((&0, &[]));
    Ok(decide(*total, frequencies))
}

/// What a match over `index` selects from: the index alone, or joined to `incidents`
/// (as `i`) when filters need its columns. The join costs a lookup in the incidents
/// table per match, which is most of a common term's cost when nothing is filtered.
fn from_index(index: &str, filters: &str) -> String {
    if filters.is_empty() {
        index.to_string()
    } else {
        format!("{index} join incidents i on i.id = {index}.rowid")
    }
}

/// The SQL filters of a query and the values they bind, in order.
fn filter_sql(query: &Query) -> (String, Vec<String>) {
    let mut filters = Vec::new();
    let mut binds = Vec::new();
    for system in &query.systems {
        filters.push("i.id in (select s.incident_id from incident_systems s where s.system = ? collate nocase)".to_string());
        binds.push(system.clone());
    }
    for tag in &query.tags {
        filters.push(
            "i.id in (select t.incident_id from incident_tags t where t.tag = ? collate nocase)"
                .to_string(),
        );
        binds.push(tag.clone());
    }
    if let Some(year) = query.year {
        filters.push("substr(i.started, 1, 4) = ?".to_string());
        binds.push(format!("{year:04}"));
    }
    if query.open_actions {
        filters.push(format!(
            "exists (select 1 from actions a where a.incident_id = i.id and a.removed_at is null and a.status in {OPEN_STATUSES})"
        ));
    }
    let sql = filters
        .iter()
        .map(|f| format!(" and {f}"))
        .collect::<String>();
    (sql, binds)
}

/// Runs a search. Filters restrict the matches; results are ranked by bm25 with title
/// above root causes and summary above body.
///
/// When every term is very common (in more than a tenth of a large corpus), ranking
/// over the full bodies would score most of the index, so the small brief index
/// (title, causes, summary) is ranked instead and body-only matches fill the rest of
/// the page unranked. Counts and facets are bounded, so no query costs a full scan.
pub async fn search(
    pool: &SqlitePool,
    memo: &Arc<SearchMemo>,
    query: &Query,
    offset: i64,
    limit: i64,
) -> sqlx::Result<SearchResults> {
    let (filters, binds) = filter_sql(query);
    let fts = query.fts();
    let Some(fts) = fts else {
        // Filters only: newest first.
        let sql = format!(
            "with m as (select i.id, i.started from incidents i where i.removed_at is null{filters}
                        order by i.started desc nulls last limit ? offset ?)
             select {SUMMARY_COLUMNS}, i.document
             from m join incidents i on i.id = m.id order by m.started desc nulls last"
        );
        let matches = format!("select i.id from incidents i where i.removed_at is null{filters}");
        let hits = fetch_hits(pool, &sql, None, &binds, &[limit, offset]).await?;
        let (ids, version) = match_ids(pool, memo, &matches, None, None, &binds).await?;
        return summarise(pool, memo, hits, ids, version).await;
    };

    let all_common = all_common(pool, query, memo).await?;
    let expanded = expanded_prefixes(query, memo);
    let matches = format!(
        "select search_index.rowid from {} where search_index match ?{filters}",
        from_index("search_index", &filters)
    );
    if !all_common {
        // Rank and cut the page first, then compute the listed columns for those rows
        // only: SQLite evaluates result columns for every row it sorts.
        let ranked_sql = format!(
            "with m as (select search_index.rowid as id, bm25(search_index, 10.0, 5.0, 5.0, 1.0) as rank
                        from {}
                        where search_index match ?{filters} order by rank limit ? offset ?)
             select {SUMMARY_COLUMNS}, i.document
             from m join incidents i on i.id = m.id order by m.rank",
            from_index("search_index", &filters)
        );
        let hits = fetch_hits(pool, &ranked_sql, Some(&fts), &binds, &[limit, offset]).await?;
        if hits.is_empty() && offset == 0 {
            // Nothing matches: there is nothing to count.
            return Ok(SearchResults::default());
        }
        let (ids, version) =
            match_ids(pool, memo, &matches, Some(&fts), expanded.as_ref(), &binds).await?;
        return summarise(pool, memo, hits, ids, version).await;
    }
    // Every word is common, but together (as a phrase, or several words) they may
    // match nothing: the ids come first, so such a search is one statement, not four.
    // (Ranking every match when there are few was tried: a phrase of common words
    // scored over its 800 matches took twice as long as the tiers.)
    let (ids, version) =
        match_ids(pool, memo, &matches, Some(&fts), expanded.as_ref(), &binds).await?;
    if ids.is_empty() {
        return Ok(SearchResults::default());
    }

    // Tier 1: matches in titles, ranked (titles are short, so even common words match
    // few of them). Tier 2: other matches in titles, causes and summaries. Tier 3:
    // matches in bodies only. Tiers 2 and 3 come in index order, unscored.
    let title_fts = query.fts_in("title").unwrap_or_else(|| fts.clone());
    let ranked = format!(
        "with m as (select search_brief.rowid as id, bm25(search_brief, 10.0, 5.0, 5.0) as rank
                    from {}
                    where search_brief match ?{filters} order by rank limit ? offset ?)
         select {SUMMARY_COLUMNS}, i.document
         from m join incidents i on i.id = m.id order by m.rank",
        from_index("search_brief", &filters)
    );
    let mut hits = fetch_hits(pool, &ranked, Some(&title_fts), &binds, &[limit, offset]).await?;
    // Each later tier takes the matches of its index that the brief index did not
    // already give for the expression before it; its offset skips those earlier ones.
    for (index, earlier) in [("search_brief", &title_fts), ("search_index", &fts)] {
        if hits.len() as i64 >= limit {
            break;
        }
        // On the first page nothing of this tier is skipped, whatever the count.
        let skipped = if offset == 0 {
            0
        } else {
            let count_sql = format!(
                "select count(*) from (select search_brief.rowid from {}
                 where search_brief match ?{filters} limit {COUNT_CAP})",
                from_index("search_brief", &filters)
            );
            let mut q = sqlx::query_scalar::<_, i64>(&count_sql).bind(earlier);
            for b in &binds {
                q = q.bind(b);
            }
            q.fetch_one(pool).await?
        };
        let sql = format!(
            "with m as (select {index}.rowid as id from {}
                        where {index} match ?{filters}
                          and {index}.rowid not in (select rowid from search_brief where search_brief match ?)
                        limit ? offset ?)
             select {SUMMARY_COLUMNS}, i.document
             from m join incidents i on i.id = m.id",
            from_index(index, &filters)
        );
        let mut q = sqlx::query(&sql).bind(&fts);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q
            .bind(earlier)
            .bind(limit - hits.len() as i64)
            .bind((offset - skipped).max(0))
            .fetch_all(pool)
            .await?;
        hits.extend(rows.iter().map(|r| Hit {
            summary: summary(r),
            document: r.get("document"),
        }));
    }
    summarise(pool, memo, hits, ids, version).await
}

async fn fetch_hits(
    pool: &SqlitePool,
    sql: &str,
    fts: Option<&str>,
    binds: &[String],
    tail: &[i64],
) -> sqlx::Result<Vec<Hit>> {
    let mut q = sqlx::query(sql);
    if let Some(f) = fts {
        q = q.bind(f);
    }
    for b in binds {
        q = q.bind(b);
    }
    for t in tail {
        q = q.bind(*t);
    }
    Ok(q.fetch_all(pool)
        .await?
        .iter()
        .map(|r| Hit {
            summary: summary(r),
            document: r.get("document"),
        })
        .collect())
}

/// The query's expression with each prefix written as its completions
/// ([`Query::fts_expanding`]), when it has a prefix and `memo` keeps every prefix's
/// completions, and the version they were read at.
fn expanded_prefixes(query: &Query, memo: &SearchMemo) -> Option<(i64, String)> {
    let prefixes: Vec<&str> = query
        .terms
        .iter()
        .filter_map(|t| match t {
            crate::search::Term::Prefix(w) => Some(w.as_str()),
            _ => None,
        })
        .collect();
    if prefixes.is_empty() {
        return None;
    }
    let (version, completions) = memo.completions(&prefixes)?;
    let expr = query.fts_expanding(|w| completions.get(w).cloned())?;
    Some((version, expr))
}

/// The first `COUNT_CAP + 1` ids `matches` selects, and the incidents version read with
/// them (`None` on a database without one). The match is evaluated once: the ids give
/// the bounded count and the facet sample ([`summarise`]).
async fn match_ids(
    pool: &SqlitePool,
    memo: &SearchMemo,
    matches: &str,
    fts: Option<&str>,
    expanded: Option<&(i64, String)>,
    binds: &[String],
) -> sqlx::Result<(Vec<i64>, Option<i64>)> {
    // The ids come as one JSON value, with the version in the same statement so the
    // kept facet values are used only if they are of the same data: sqlx hands rows
    // over one by one through its worker thread, and the thousand ids and four
    // statements were most of a search's cost under concurrent load.
    let versioned = memo.versioned(pool).await;
    let ids_sql = format!(
        "with m(id) as ({matches} limit {}) select json_array(json_group_array(id), {}) from m",
        COUNT_CAP + 1,
        if versioned {
            "(select version from data_versions where name = 'incidents')"
        } else {
            "null"
        }
    );
    let read = |fts: Option<&str>| {
        let mut q = sqlx::query_scalar::<_, String>(&ids_sql);
        if let Some(f) = fts {
            q = q.bind(f.to_string());
        }
        for b in binds {
            q = q.bind(b);
        }
        async move {
            let json = q.fetch_one(pool).await?;
            serde_json::from_str::<(Vec<i64>, Option<i64>)>(&json)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))
        }
    };
    // A prefix written as its completions matches the same incidents only if they
    // were read at the version the matches are.
    match expanded {
        Some((at, expr)) => match read(Some(expr)).await? {
            (ids, Some(v)) if v == *at => Ok((ids, Some(v))),
            _ => read(fts).await,
        },
        None => read(fts).await,
    }
}

/// The page of `hits` with the bounded count of the matches `ids` and their facets,
/// counted over the first [`FACET_SAMPLE`] of them: from `memo`'s facet values when
/// they are of `version`, else in SQL.
async fn summarise(
    pool: &SqlitePool,
    memo: &Arc<SearchMemo>,
    hits: Vec<Hit>,
    ids: Vec<i64>,
    version: Option<i64>,
) -> sqlx::Result<SearchResults> {
    let counted = ids.len() as i64;
    let sample = &ids[..ids.len().min(FACET_SAMPLE as usize)];
    let kept = version.and_then(|v| {
        memo.saw(v);
        memo.facets_at(pool, v)
    });
    let mut facets = match kept {
        Some(values) => values.count(sample, FACET_VALUES),
        None => sampled_facets(pool, sample).await?,
    };
    // Years newest first; systems and tags most common first.
    facets.years.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(SearchResults {
        hits,
        total: counted.min(COUNT_CAP),
        more: counted > COUNT_CAP,
        facets,
    })
}

/// The facets of the incidents `sample`, counted over values read in one statement.
/// The start days are read from the live incidents' index, not from rows that carry
/// documents (2 ms against 0.5 ms for 400 matches).
async fn sampled_facets(pool: &SqlitePool, sample: &[i64]) -> sqlx::Result<Facets> {
    let sample = serde_json::to_string(sample).unwrap_or_else(|_| "[]".into());
    // The values come as one JSON value and are counted here: grouping them in SQLite
    // (a sorter per facet, case-insensitive comparisons) was half of a search's CPU.
    let packed: String = sqlx::query_scalar(
        "with m(id) as (select value from json_each(?))
         select json_array(
           (select json_group_array(substr(i.started, 1, 4)) from m
              join incidents i indexed by incidents_figures on i.id = m.id
              where i.started is not null and i.removed_at is null),
           (select json_group_array(s.system) from m join incident_systems s on s.incident_id = m.id),
           (select json_group_array(t.tag) from m join incident_tags t on t.incident_id = m.id))",
    )
    .bind(sample)
    .fetch_one(pool)
    .await?;
    let (years, systems, tags): (Vec<String>, Vec<String>, Vec<String>) =
        serde_json::from_str(&packed).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Facets {
        years: count_values(years, usize::MAX),
        systems: count_values(systems, FACET_VALUES),
        tags: count_values(tags, FACET_VALUES),
        severities: Vec::new(),
    })
}

/// Each value with how many times it occurs, values differing only in ASCII case
/// counted as one (as SQLite's `nocase` groups them; the first spelling met is shown),
/// most frequent first, then by value, at most `limit`.
fn count_values<S: AsRef<str>>(values: Vec<S>, limit: usize) -> Vec<(String, i64)> {
    let mut counts: Vec<(String, i64)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = Default::default();
    for v in values {
        match at.entry(v.as_ref().to_ascii_lowercase()) {
            std::collections::hash_map::Entry::Occupied(e) => counts[*e.get()].1 += 1,
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(counts.len());
                counts.push((v.as_ref().to_string(), 1));
            }
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.truncate(limit);
    counts
}

/// Number of incidents with open actions among those matching `query` (for the
/// `status:open` facet).
pub async fn open_action_incidents(pool: &SqlitePool) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!(
        "select count(distinct incident_id) from actions where removed_at is null and status in {OPEN_STATUSES}"
    ))
    .fetch_one(pool)
    .await
}

/// Whether an incident with this slug exists.
pub async fn exists(pool: &SqlitePool, slug: &str) -> sqlx::Result<bool> {
    Ok(sqlx::query_scalar::<_, i64>(
        "select 1 from incidents where slug = ? and removed_at is null",
    )
    .bind(slug)
    .fetch_optional(pool)
    .await?
    .is_some())
}
