use briefing::render::{Job, Renderer};
use rayon::prelude::*;
use std::time::Instant;
fn main() {
    let root = std::env::args().nth(1).unwrap();
    let opts = briefing::load::LoadOptions { root: root.into(), ..Default::default() };
    let mut d = briefing::diag::Diagnostics::new();
    let t = Instant::now();
    let c = briefing::load::load(&opts, &mut d).unwrap().unwrap();
    println!("load {:?}", t.elapsed());
    let t = Instant::now();
    let site = briefing::resolve::resolve(c, &mut d).unwrap();
    println!("resolve {:?}", t.elapsed());
    let t = Instant::now();
    let i = briefing::search::Index::build(&site);
    println!("index {:?} {}", t.elapsed(), i.keys.len());
    let r = Renderer::new(std::sync::Arc::new(site), &mut d).unwrap();
    let jobs = r.jobs();
    let kinds: [(&str, fn(&Job) -> bool); 5] = [
        ("brief", |j| matches!(j, Job::Brief(_))),
        ("lists", |j| matches!(j, Job::Company(..) | Job::Source(..) | Job::Tag(..) | Job::Home(_) | Job::Story(_) | Job::Archive)),
        ("feeds", |j| matches!(j, Job::Feed(_) | Job::JsonFeed | Job::Sitemap)),
        ("search", |j| matches!(j, Job::SearchShard(_) | Job::SearchDocs(_) | Job::SearchMeta)),
        ("rest", |j| {
            matches!(j, Job::Companies | Job::Sources | Job::Tags | Job::Stories | Job::Page(_) | Job::NotFound | Job::Search | Job::Robots)
        }),
    ];
    for round in 0..2 {
        for (name, f) in &kinds {
            let js: Vec<Job> = jobs.iter().copied().filter(|j| f(j)).collect();
            let t = Instant::now();
            let bytes: usize = js.par_iter().map(|j| r.render(*j).map(|o| o.bytes.len()).unwrap_or(0)).sum();
            println!("{round} {name}: {} jobs {:?} {} MB", js.len(), t.elapsed(), bytes >> 20);
        }
    }
}
