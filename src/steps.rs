//! Where a build's time goes, step by step: what `--timings` (and `serve` with
//! `BRIEFING_TIMINGS=1`) prints under the stage totals.
//!
//! Steps are recorded only once [`enable`] was called, into one list for the process (a
//! build runs one pipeline at a time; `serve` rebuilds one after the other). A step timed
//! with [`time`] is wall time; work spread over threads (shortcodes, images, cards) is
//! added up with [`add`] and shown as time summed over the threads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ON: AtomicBool = AtomicBool::new(false);
static STEPS: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());
static COUNTS: Mutex<Vec<(&'static str, usize, usize)>> = Mutex::new(Vec::new());

/// Starts recording steps.
pub fn enable() {
    ON.store(true, Ordering::Relaxed);
}

/// Whether steps are recorded.
pub fn enabled() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Runs `f`, adding its wall time to step `name` (on many threads at once, the times add up).
pub fn time<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    add(name, Duration::ZERO); // listed where it starts, before the steps inside it
    let t = Instant::now();
    let out = f();
    add(name, t.elapsed());
    out
}

/// Adds `d` to step `name` (created at the end of the list the first time).
pub fn add(name: &'static str, d: Duration) {
    if !enabled() {
        return;
    }
    if let Ok(mut steps) = STEPS.lock() {
        match steps.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += d,
            None => steps.push((name, d)),
        }
    }
}

/// Records that a rebuild did `done` of `of` pieces of work again (`serve`: files read,
/// front matters checked, bodies rendered, related briefs computed); the rest was reused.
pub fn count(name: &'static str, done: usize, of: usize) {
    if !enabled() {
        return;
    }
    if let Ok(mut counts) = COUNTS.lock() {
        match counts.iter_mut().find(|(n, ..)| *n == name) {
            Some((_, d, o)) => (*d, *o) = (*d + done, *o + of),
            None => counts.push((name, done, of)),
        }
    }
}

/// The counts recorded since the last call, as one line: `files read 1 of 10,150, ...`;
/// empty when there are none (a build reuses nothing of the kind).
pub fn take_counts() -> String {
    let counts = COUNTS.lock().map(|mut c| std::mem::take(&mut *c)).unwrap_or_default();
    counts.iter().map(|(n, d, o)| format!("{n} {d} of {o}")).collect::<Vec<_>>().join(", ")
}

/// The steps recorded since the last call, in the order they first ran.
pub fn take() -> Vec<(&'static str, Duration)> {
    STEPS.lock().map(|mut s| std::mem::take(&mut *s)).unwrap_or_default()
}

/// The steps as one line: `entities 2.1 ms, bodies 80.3 ms, ...`.
pub fn line(steps: &[(&'static str, Duration)]) -> String {
    let parts: Vec<String> = steps.iter().map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1000.0)).collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_add_up_by_name_in_first_run_order() {
        enable();
        let _ = take();
        time("b", || std::thread::sleep(Duration::from_millis(2)));
        add("a", Duration::from_millis(1));
        add("b", Duration::from_millis(3));
        let steps = take();
        assert_eq!(steps.iter().map(|(n, _)| *n).collect::<Vec<_>>(), ["b", "a"]);
        assert!(steps[0].1 >= Duration::from_millis(5));
        assert!(take().is_empty());
        assert_eq!(line(&[("cards", Duration::from_micros(2500))]), "cards 2.5 ms");
        count("bodies rendered again", 1, 10);
        count("bodies rendered again", 2, 5);
        assert_eq!(take_counts(), "bodies rendered again 3 of 15");
        assert_eq!(take_counts(), "");
    }
}
