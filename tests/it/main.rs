//! The integration tests: each module drives the real `briefing` binary on fixture sites.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod build;
mod check;
mod fuzz;
mod i18n;
mod incremental;
mod media;
mod newsroom;
mod publish;
mod scaffold;
mod serve;
mod stamps;
mod support;
mod time;
mod writing;
