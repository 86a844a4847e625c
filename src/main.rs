//! The `briefing` command: parses arguments, runs, prints, exits 0, 1 or 2.

use std::process::ExitCode;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v2's `mi_option_purge_delay` (its `include/mimalloc.h`; default 10 ms).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // A build frees and reallocates hundreds of megabytes; returning freed memory to the
    // system 10 ms later (mimalloc's default) only makes the kernel zero it again on the
    // next allocation (a fifth of a 50,000-brief build went there). A quarter of a second
    // keeps what a stage reuses, and still gives back what a finished stage left: never
    // giving memory back took a cold 50,000-brief build to 1,075 MiB, this to 976 MiB, in
    // the same time. Only `serve`, which runs for hours, keeps the default.
    if std::env::args().nth(1).is_some_and(|command| command != "serve") {
        // SAFETY: sets an integer option of the allocator; no memory is touched.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 250) };
    }
    briefing::commands::cli::main()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_option_is_the_purge_delay() {
        // Only the purge delay defaults to 10 among mimalloc v2's options.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) }, 10);
    }
}
