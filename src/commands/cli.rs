//! The command line: arguments parsed by clap, turned into stage calls and an exit code.
//!
//! Exit status: 0 success, 1 content or build errors, 2 usage errors (clap's own).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::content::load::LoadOptions;
use crate::BuildOptions;

/// A static-site generator for an AI-industry briefing.
#[derive(Debug, Parser)]
#[command(name = "briefing", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder.
    Build(BuildArgs),
    /// Validate everything and render in memory; write nothing.
    Check(CheckArgs),
    /// Build in memory, serve on 127.0.0.1 and rebuild on every save (live reload).
    Serve(ServeArgs),
    /// Create a brief, company, source or story file with its front matter filled in.
    New(NewArgs),
    /// Create a new site that builds at once.
    Init(InitArgs),
    /// Build the site and upload what changed to a publish target.
    Publish(PublishArgs),
    /// Work with the site's theme.
    #[command(subcommand)]
    Theme(ThemeCommand),
}

/// `briefing theme`.
#[derive(Debug, Subcommand)]
pub enum ThemeCommand {
    /// Write the built-in theme (templates, shortcodes, styles, translations) into
    /// themes/default/ of the site, to edit; files already there are kept.
    Eject {
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// `briefing publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The site folder.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// A target named in site.toml's [[publish.targets]] (default: `publish.default`, or the first).
    #[arg(long, conflicts_with = "to")]
    target: Option<String>,
    /// A one-off target URL: s3://bucket/prefix, gs://..., az://..., file:///path, git+<repo url>.
    #[arg(long)]
    to: Option<String>,
    /// Print what would be uploaded and deleted; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Publish the output folder as it is, without building first.
    #[arg(long)]
    no_build: bool,
    /// Delete files the site no longer has (default: the target's `delete`, else true).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    delete: Option<bool>,
    /// The output folder (default: ROOT/public).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// `briefing new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to create.
    #[arg(value_enum)]
    kind: crate::commands::scaffold::Kind,
    /// Title of the brief or story; name of the company or source.
    title: String,
    /// A company the brief is about (repeat for several).
    #[arg(long = "company")]
    companies: Vec<String>,
    /// A source the brief cites (repeat for several).
    #[arg(long = "source")]
    sources: Vec<String>,
    /// A tag (repeat for several).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// The story the brief belongs to.
    #[arg(long)]
    story: Option<String>,
    /// reported, confirmed, denied, announced, rumor or analysis.
    #[arg(long)]
    status: Option<String>,
    /// The brief's date (`2025-10-30` or `2025-10-30 14:00`; default: today).
    #[arg(long)]
    date: Option<String>,
    /// The slug (default: the first words of the title).
    #[arg(long)]
    slug: Option<String>,
    /// Start the brief as a draft.
    #[arg(long)]
    draft: bool,
    /// The site folder.
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

/// `briefing init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder of the new site (must not exist or be empty).
    dir: PathBuf,
}

/// Options shared by commands that read a site.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site folder.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Include briefs dated after now (scheduled), which are otherwise held back.
    #[arg(long)]
    pub future: bool,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Print how long each stage took.
    #[arg(long)]
    pub timings: bool,
}

/// `briefing build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Output folder (default: ROOT/public).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Replace `base_url` from site.toml (e.g. for a preview host).
    #[arg(long)]
    base_url: Option<String>,
    /// Replace the output folder even if briefing did not create it.
    #[arg(long)]
    force: bool,
    /// Build from scratch: resize every image, draw every share card and write every
    /// file again, reusing nothing kept in .briefing-cache/ or the output folder.
    #[arg(long)]
    no_cache: bool,
}

/// `briefing check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
}

/// `briefing serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site folder.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Include drafts.
    #[arg(long)]
    drafts: bool,
    /// Include briefs dated after now (scheduled).
    #[arg(long)]
    future: bool,
    /// First port to try (the next free one is used if it is taken).
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Replace `base_url` (by default the server's own address, keeping the sub-path).
    #[arg(long)]
    base_url: Option<String>,
    /// Open the site in a browser.
    #[arg(long)]
    open: bool,
}

/// Parses the process arguments and runs.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli)
}

/// Runs a parsed command line.
pub fn run(mut cli: Cli) -> ExitCode {
    // Without --root, the site is the nearest folder up from here with a site.toml.
    match &mut cli.command {
        Command::Build(a) => a.site.root = find_root(std::mem::take(&mut a.site.root)),
        Command::Check(a) => a.site.root = find_root(std::mem::take(&mut a.site.root)),
        Command::Serve(a) => a.root = find_root(std::mem::take(&mut a.root)),
        Command::New(a) => a.root = find_root(std::mem::take(&mut a.root)),
        Command::Publish(a) => a.root = find_root(std::mem::take(&mut a.root)),
        Command::Theme(ThemeCommand::Eject { root }) => *root = find_root(std::mem::take(root)),
        Command::Init(_) => {}
    }
    match cli.command {
        Command::Build(a) => build(a),
        Command::Check(a) => check(a),
        Command::Serve(a) => crate::commands::serve::serve(crate::commands::serve::ServeOptions {
            load: LoadOptions { root: a.root, drafts: a.drafts, future: a.future, base_url: a.base_url, origin: None },
            bind: a.bind,
            port: a.port,
            open: a.open,
        }),
        Command::New(a) => new(a),
        Command::Init(a) => init(a),
        Command::Publish(a) => publish(a),
        Command::Theme(ThemeCommand::Eject { root }) => eject(&root),
    }
}

fn eject(root: &std::path::Path) -> ExitCode {
    match crate::commands::scaffold::eject(root) {
        Ok((written, kept)) => {
            for f in &written {
                println!("{}", f.display());
            }
            for f in &kept {
                eprintln!("kept {} (it exists; delete it and eject again for the built-in version)", f.display());
            }
            eprintln!("wrote {} of the theme's {} files into {}; edit them there", written.len(), written.len() + kept.len(), root.join("themes/default").display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn publish(a: PublishArgs) -> ExitCode {
    let config_path = a.root.join("site.toml");
    let text = match std::fs::read_to_string(&config_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", config_path.display());
            return ExitCode::from(1);
        }
    };
    let mut diags = crate::content::diag::Diagnostics::new();
    let Some(config) = crate::content::config::Config::parse(&config_path, &text, &mut diags) else {
        eprint!("{}", diags.report());
        return ExitCode::from(1);
    };
    let target = match (&a.to, &a.target) {
        (Some(url), _) => crate::content::config::Target { name: url.clone(), url: url.clone(), ..Default::default() },
        (None, name) => {
            let wanted = name.clone().or_else(|| config.publish.default.clone());
            let found = match &wanted {
                Some(n) => config.publish.targets.iter().find(|t| &t.name == n),
                None => config.publish.targets.first(),
            };
            match found {
                Some(t) => t.clone(),
                None => {
                    let known: Vec<&str> = config.publish.targets.iter().map(|t| t.name.as_str()).collect();
                    match wanted {
                        Some(n) => eprintln!("error: no publish target named \"{n}\" in site.toml (known: {})", known.join(", ")),
                        None => eprintln!("error: no publish target: add [[publish.targets]] to site.toml, or pass --to URL"),
                    }
                    return ExitCode::from(1);
                }
            }
        }
    };
    let dir = a.output.clone().unwrap_or_else(|| a.root.join("public"));
    if !a.no_build {
        let code = build(BuildArgs {
            site: SiteArgs { root: a.root.clone(), drafts: false, future: false, strict: false, timings: false },
            output: a.output.clone(),
            base_url: None,
            force: false,
            no_cache: false,
        });
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    let opts = crate::commands::publish::PublishOptions { dir, target, dry_run: a.dry_run, delete: a.delete };
    match crate::commands::publish::publish(&opts) {
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Ok(s) => {
            let (upload, delete) = if a.dry_run { ("would upload", "would delete") } else { ("uploaded", "deleted") };
            eprintln!(
                "{}: {upload} {} ({} kB), {delete} {}, {} unchanged{}",
                opts.target.name,
                count(s.uploaded, "file"),
                s.bytes / 1024,
                count(s.deleted, "file"),
                s.unchanged,
                if a.dry_run { " (dry run: nothing changed)" } else { "" }
            );
            for (path, why) in &s.failed {
                eprintln!("error: {path}: {why}");
            }
            if s.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                eprintln!("{} files failed; run publish again to complete it", s.failed.len());
                ExitCode::from(1)
            }
        }
    }
}

fn new(a: NewArgs) -> ExitCode {
    let opts = crate::commands::scaffold::NewOptions {
        title: a.title,
        companies: a.companies,
        sources: a.sources,
        tags: a.tags,
        story: a.story,
        status: a.status,
        date: a.date,
        slug: a.slug,
        draft: a.draft,
    };
    match crate::commands::scaffold::new(&a.root, a.kind, &opts, chrono::Local::now().date_naive()) {
        Ok(path) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn init(a: InitArgs) -> ExitCode {
    match crate::commands::scaffold::init(&a.dir, chrono::Local::now().date_naive()) {
        Ok(files) => {
            for f in files {
                println!("{}", f.display());
            }
            eprintln!("created a new site in {}; try `briefing serve --root {}`", a.dir.display(), a.dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn load_options(site: &SiteArgs, base_url: Option<String>) -> LoadOptions {
    LoadOptions { root: site.root.clone(), drafts: site.drafts, future: site.future, base_url, origin: None }
}

fn build(a: BuildArgs) -> ExitCode {
    if a.site.timings {
        crate::steps::enable();
    }
    let opts =
        BuildOptions {
        load: load_options(&a.site, a.base_url.clone()),
        output: a.output.clone(),
        force: a.force,
        strict: a.site.strict,
        no_cache: a.no_cache,
    };
    match crate::build(&opts) {
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Ok((outcome, report)) => {
            let failed = outcome.diags.has_errors() || (a.site.strict && outcome.diags.warning_count() > 0);
            let timings = outcome.timings.clone();
            eprint!("{}", outcome.diags.report());
            if a.site.timings {
                print_timings(&timings);
            }
            match report {
                Some(r) if !failed => {
                    let out = opts.output.unwrap_or_else(|| a.site.root.join("public"));
                    eprintln!("built {}: {} files, {} kB in {}", count(outcome.briefs, "brief"), r.files, r.bytes / 1024, out.display());
                    print_held_back(&outcome.scheduled);
                    ExitCode::SUCCESS
                }
                Some(_) => ExitCode::from(1),
                None => {
                    eprintln!("build failed: nothing was written");
                    ExitCode::from(1)
                }
            }
        }
    }
}

fn check(a: CheckArgs) -> ExitCode {
    if a.site.timings {
        crate::steps::enable();
    }
    match crate::check(&load_options(&a.site, None)) {
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Ok(outcome) => {
            let failed = outcome.diags.has_errors() || (a.site.strict && outcome.diags.warning_count() > 0);
            let timings = outcome.timings.clone();
            let briefs = outcome.briefs;
            eprint!("{}", outcome.diags.report());
            if a.site.timings {
                print_timings(&timings);
            }
            if failed {
                ExitCode::from(1)
            } else {
                eprintln!("checked {}: no errors", count(briefs, "brief"));
                ExitCode::SUCCESS
            }
        }
    }
}

/// `root` itself, unless it is the current folder and holds no `site.toml`: then the
/// nearest parent that does (`..`, `../..`), as git and cargo find their repositories.
fn find_root(root: PathBuf) -> PathBuf {
    if root != std::path::Path::new(".") || root.join("site.toml").is_file() {
        return root;
    }
    let mut up = PathBuf::from("..");
    let Ok(here) = std::env::current_dir() else { return root };
    for dir in here.ancestors().skip(1) {
        if dir.join("site.toml").is_file() {
            return up;
        }
        up.push("..");
    }
    root
}

/// `1 brief`, `2 briefs`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "held back 2 scheduled briefs; the next is due 2026-12-01T09:00:00-05:00 (use --future to include them)".
fn print_held_back(scheduled: &[crate::content::model::Date]) {
    if let Some(next) = scheduled.iter().min() {
        let briefs = count(scheduled.len(), "scheduled brief");
        eprintln!("held back {briefs}; the next is due {} (build with --future to include them)", next.rfc3339());
    }
}

fn print_timings(t: &crate::Timings) {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let mut line = format!("timings: load {:.1} ms, resolve {:.1} ms", ms(t.load), ms(t.resolve));
    if !t.render.is_zero() {
        line += &format!(", render and check links {:.1} ms", ms(t.render));
    }
    if !t.write.is_zero() {
        line += &format!(", render and write {:.1} ms", ms(t.write));
    }
    if let Some(search) = t.search {
        line += &format!(" (of which search index {:.1} ms)", ms(search));
    }
    line += &format!("; total {:.1} ms", ms(t.load + t.resolve + t.render + t.write));
    eprintln!("{line}");
    eprintln!("  steps: {}", crate::steps::line(&crate::steps::take()));
    let counts = crate::steps::take_counts();
    if !counts.is_empty() {
        eprintln!("  done again: {counts}");
    }
}
