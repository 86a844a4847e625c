//! The commands around the pipeline: the command line, `serve` (build in memory, watch,
//! reload), `publish` (upload the output folder), and `new`/`init` (scaffolds).
//!
//! The top of the house: may import every stage; no stage imports it.

pub mod cli;
pub mod publish;
pub mod scaffold;
pub mod serve;
