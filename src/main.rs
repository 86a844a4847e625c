//! The `briefing` command: parses arguments, runs, prints, exits 0, 1 or 2.

use std::process::ExitCode;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    briefing::cli::main()
}
