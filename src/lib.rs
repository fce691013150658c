//! Aftermath: an incident postmortem knowledge base.
//!
//! # Layout
//!
//! The pipeline runs left to right:
//!
//! ```text
//! file ─▶ ingest (detect ─▶ markdown | rst | text front end ─▶ Document)
//!      ─▶ extract (sections, timeline, causes, actions ─▶ Incident) ─▶ db (SQLite)
//! ```
//!
//! * [`model`]: the domain types (`Incident`, `Action`, `EventTime`, ...). Pure.
//! * [`ingest`]: reading files and the format front ends building the shared
//!   [`ingest::document::Document`]. Pure.
//! * [`extract`]: every extraction rule, once, over the shared document. Pure.
//! * [`pipeline`]: read, front end and extract composed in one call (`parse_file`).
//! * [`lint`]: what a complete postmortem has, checked on an extracted one. Pure.
//! * [`db`]: the only module with SQL; free functions per entity.
//! * [`tracking`]: validated values people set on actions (status, owner, due,
//!   ticket, note). Pure.
//! * [`identity`]: user names, password hashes, session/API tokens, CSRF, the
//!   trusted proxy header and the client address behind a proxy. No SQL.
//! * [`digest`]: the weekly action-item digest email: compose, send, schedule.
//! * [`import`]: walking folders and writing parsed files to the database.
//! * [`config`]: flags, `AFTERMATH_*` environment variables and `aftermath.toml`.
//! * [`cli`]: the command-line interface the binary dispatches to.
//! * [`render`]: the one path from user text to sanitised HTML.
//! * [`search`]: search queries as typed, turned into safe FTS5 expressions.
//! * [`related`]: related-incident profiles and similarity.
//! * [`web`]: the server-rendered web UI (axum + askama).
//! * [`serve`]: `aftermath serve`, which puts `web`, `import` and the digest scheduler
//!   together.
//! * [`text`]: plain-text helpers every layer may use (collapse, truncate, find a
//!   word in any case, escape for the terminal). Pure.
//! * [`synth`]: a deterministic synthetic corpus for benchmarks and load tests.

pub mod cli;
pub mod config;
pub mod db;
pub mod digest;
pub mod extract;
pub mod identity;
pub mod import;
pub mod ingest;
pub mod lint;
pub mod model;
pub mod pipeline;
pub mod related;
pub mod render;
pub mod search;
pub mod serve;
pub mod single_flight;
pub mod synth;
pub mod text;
pub mod tracking;
pub mod web;
