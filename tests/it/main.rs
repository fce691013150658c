//! Integration tests: the binary, the import pipeline over a real SQLite file, the
//! shared corpus, robustness against hostile input, the web UI in-process and in a real
//! headless browser.

mod action_identity;
mod actions;
mod browser;
mod chromium;
mod cli;
mod corpus;
mod daily_browser;
mod daily_cli;
mod database_access;
mod digest;
mod digest_after_import;
mod digest_claims;
mod export;
mod extraction;
mod forms;
mod hostile;
mod import;
mod incident_page;
mod insights;
mod layers;
mod lint;
mod new_postmortem;
mod operations;
mod refresh_recovery;
mod robustness;
mod signed_in;
mod support;
mod tracking_web;
mod upgrade;
mod web;
