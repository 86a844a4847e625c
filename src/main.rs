//! The `briefing` command: parses arguments, runs, prints, exits 0, 1 or 2.

use std::process::ExitCode;

fn main() -> ExitCode {
    briefing::cli::main()
}
