//! Where a build's time goes, stage by stage: load, resolve, the search index, then the
//! rendering of each kind of file (brief pages, lists, feeds, search data, the rest), each
//! with its wall time, CPU time (both threads) and resident memory. Nothing is written.
//! For profiling; `briefing build --timings` gives users the coarse version.
//!
//! `cargo run --release --example stages -- SITE_DIR`

use std::time::Instant;

use briefing::render::{Job, Renderer};
use rayon::prelude::*;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CPU seconds used by this process so far (user + system), from /proc.
fn cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Resident memory in MiB, from /proc.
fn rss() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find(|l| l.starts_with("VmRSS")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok());
    kb.unwrap_or(0.0) / 1024.0
}

fn report<T>(name: &str, stage: impl FnOnce() -> T) -> T {
    let (wall, cpu0) = (Instant::now(), cpu());
    let out = stage();
    println!("{name:<22} {:8.1} ms wall {:8.0} ms cpu {:7.0} MiB", wall.elapsed().as_secs_f64() * 1000.0, (cpu() - cpu0) * 1000.0, rss());
    out
}

fn main() {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: stages SITE_DIR");
        std::process::exit(2);
    };
    let opts = briefing::content::load::LoadOptions { root: root.into(), ..Default::default() };
    let mut diags = briefing::content::diag::Diagnostics::new();
    let corpus = report("load", || briefing::content::load::load(&opts, &mut diags));
    let Ok(Some(corpus)) = corpus else {
        eprintln!("cannot load the site:\n{}", diags.report());
        std::process::exit(1);
    };
    let site = report("resolve", || briefing::site::resolve::resolve(corpus, &mut diags));
    let renderer = site.and_then(|site| Renderer::new(std::sync::Arc::new(site), &mut diags));
    let Some(renderer) = renderer.filter(|_| !diags.has_errors()) else {
        eprintln!("the site has errors:\n{}", diags.report());
        std::process::exit(1);
    };
    // Building the job list builds the search index.
    let jobs = report("search index", || renderer.jobs());
    type Kind = (&'static str, fn(&Job) -> bool);
    let kinds: [Kind; 5] = [
        ("brief pages", |j| matches!(j, Job::Brief(_))),
        ("lists", |j| matches!(j, Job::Home(_) | Job::Entity(..) | Job::Tag(..) | Job::Story(_) | Job::Archive)),
        ("feeds and sitemap", |j| matches!(j, Job::Feed(..) | Job::JsonFeed | Job::Sitemap)),
        ("search data", |j| matches!(j, Job::SearchMeta | Job::SearchShard(_) | Job::SearchDocs(_))),
        ("other pages", |j| {
            matches!(j, Job::Index(_) | Job::Tags | Job::Stories | Job::Page(_) | Job::NotFound | Job::Search | Job::Robots)
        }),
    ];
    for (name, kind) in kinds {
        let of_kind: Vec<Job> = jobs.iter().copied().filter(kind).collect();
        let bytes: usize = report(name, || of_kind.par_iter().map(|j| renderer.render(*j).map_or(0, |f| f.bytes.len())).sum());
        println!("{:<22} {} files, {:.1} MiB", "", of_kind.len(), bytes as f64 / (1 << 20) as f64);
    }
}
