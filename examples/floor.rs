//! The floor of the benchmark: the least work any generator must do for a briefing —
//! read every brief, parse its YAML front matter, render its Markdown, write one HTML
//! file per brief — with no templates, lists, feeds or checks, on two threads.
//!
//! `cargo run --release --example floor -- SITE_DIR OUT_DIR`

use std::path::Path;

use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (site, out) = match (args.get(1), args.get(2)) {
        (Some(s), Some(o)) => (Path::new(s).to_path_buf(), Path::new(o).to_path_buf()),
        _ => {
            eprintln!("usage: floor SITE_DIR OUT_DIR");
            std::process::exit(2);
        }
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let files: Vec<_> = walkdir::WalkDir::new(site.join("content/briefs"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let written: usize = pool.install(|| {
        files
            .par_iter()
            .map(|path| {
                let Ok(text) = std::fs::read_to_string(path) else { return 0 };
                let Some(rest) = text.strip_prefix("---\n") else { return 0 };
                let Some(end) = rest.find("\n---\n") else { return 0 };
                let (yaml, body) = (&rest[..end], &rest[end + 5..]);
                let Ok(front) = serde_yaml::from_str::<serde_yaml::Value>(yaml) else { return 0 };
                let title = front.get("title").and_then(|t| t.as_str()).unwrap_or("");
                let mut html = String::with_capacity(body.len() * 2);
                html.push_str("<h1>");
                html.push_str(&briefing::render::feeds::xml_escape(title));
                html.push_str("</h1>\n");
                pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(body));
                let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                std::fs::write(out.join(format!("{stem}.html")), html).map(|_| 1).unwrap_or(0)
            })
            .sum()
    });
    println!("floor: wrote {written} files");
}
