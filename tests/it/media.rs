//! Media: bundles and `static/`, image references resolved and checked, variants in WebP
//! and the original format, figures, lead images and logos, share cards, feeds, the cache,
//! and bad images reported where they are referenced. Every image is made here.

use crate::support::*;

const SUB: &str = "title = \"Test Briefing\"\nbase_url = \"https://example.org/briefing/\"\n";

fn encoded(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 140]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, image::ImageFormat::Png)
}

/// The size of an output image, decoded.
fn size(run: &Run, rel: &str) -> (u32, u32) {
    let img = image::open(run.out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    (img.width(), img.height())
}

/// A small PNG whose header claims `width` × `height` pixels: a decompression bomb.
fn bomb(width: u32, height: u32) -> Vec<u8> {
    use std::io::Write;
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![0u8; 1 << 20]).unwrap();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(&b"IHDR"[..], ihdr), (b"IDAT", z.finish().unwrap()), (b"IEND", Vec::new())] {
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(&data);
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc(&chunk).to_be_bytes());
    }
    out
}

fn crc(bytes: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for b in bytes {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 == 1 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

fn bundle_site() -> SiteTest {
    SiteTest::new()
        .file("site.toml", SUB)
        .file(
            "content/briefs/2025-10-30-shares/index.md",
            "---\ntitle: Alphabet shares tick up\ndate: 2025-10-30T08:45:00-04:00\ncompanies: [alphabet]\n---\nShares rose.\n\n\
             ![Alphabet shares, 8 to 9 a.m.](chart.png \"Premarket trading, 30 October\")\n\nThe [figures](figures.csv) and the [[meta]] logo ![Meta logo](/img/logo.jpg).\n",
        )
        .bytes("content/briefs/2025-10-30-shares/chart.png", &png(2000, 1000))
        .file("content/briefs/2025-10-30-shares/figures.csv", "time,price\n08:00,170.1\n")
        .bytes("static/img/logo.jpg", &encoded(300, 200, image::ImageFormat::Jpeg))
}

#[test]
fn a_bundle_publishes_its_images_with_variants_and_figures() {
    let run = bundle_site().build();
    let files = run.files();
    for f in ["chart.png", "figures.csv", "chart-480w.png", "chart-480w.webp", "chart-960w.webp", "chart-1600w.png", "chart-1600w.webp"] {
        assert!(files.contains(&format!("briefs/shares/{f}")), "no {f} in {files:?}");
    }
    assert!(!files.iter().any(|f| f.contains("2000w")), "the original width is past the widest: no variant at it");
    assert_eq!(size(&run, "briefs/shares/chart-480w.webp"), (480, 240));
    assert_eq!(size(&run, "briefs/shares/chart-1600w.png"), (1600, 800));
    let page = run.page("briefs/shares/");
    assert_eq!(texts(&page, ".body figure figcaption"), ["Premarket trading, 30 October"]);
    let img = |attr: &str| attrs(&page, ".body figure img", attr)[0].clone();
    assert_eq!((img("width"), img("height"), img("loading")), ("2000".into(), "1000".into(), "lazy".into()));
    assert_eq!(img("alt"), "Alphabet shares, 8 to 9 a.m.");
    assert_eq!(img("src"), "/briefing/briefs/shares/chart-1600w.png");
    let webp = attrs(&page, ".body figure source[type=\"image/webp\"]", "srcset")[0].clone();
    assert!(webp.starts_with("/briefing/briefs/shares/chart-480w.webp 480w, "), "{webp}");
    assert_eq!(attrs(&page, ".body a[href$=\"csv\"]", "href"), ["/briefing/briefs/shares/figures.csv"]);
    // A static image named from the site root, written under the base path, never upscaled.
    assert_eq!(attrs(&page, ".body p img[alt=\"Meta logo\"]", "src"), ["/briefing/img/logo-300w.jpg"]);
    assert_eq!(size(&run, "img/logo-300w.webp"), (300, 200));
    let check = bundle_site().run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}

#[test]
fn lead_images_and_cards_are_what_pages_and_feeds_are_shared_with() {
    let site = SiteTest::new()
        .file("site.toml", SUB)
        .file(
            "content/briefs/2025-10-30-talks/index.md",
            "---\ntitle: Meta talks to Google\ndate: 2025-10-30\ncompanies: [meta]\nimage:\n  src: lead.jpg\n  alt: Meta's headquarters\n  credit: Photo by the desk\n---\nSee ![the chart](chart.png).\n",
        )
        .bytes("content/briefs/2025-10-30-talks/lead.jpg", &encoded(1800, 1000, image::ImageFormat::Jpeg))
        .bytes("content/briefs/2025-10-30-talks/chart.png", &png(800, 400))
        .brief("2025-10-29-plain", "title: \"Η Meta και η Google: Привет\"\ndate: 2025-10-29\ncompanies: [alphabet]\nstatus: reported", "Text.")
        .file("content/companies/meta.md", "---\nname: Meta Platforms\nlogo:\n  src: /logos/meta.svg\n---\n")
        .file("static/logos/meta.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 120 40\"><rect width=\"120\" height=\"40\"/></svg>");
    let run = site.build();
    let page = run.page("briefs/talks/");
    let meta = |p: &str| attrs(&page, &format!("meta[property=\"{p}\"]"), "content");
    assert_eq!(meta("og:image"), ["https://example.org/briefing/briefs/talks/lead-1600w.jpg"]);
    assert_eq!(attrs(&page, "meta[name=\"twitter:card\"]", "content"), ["summary_large_image"]);
    assert_eq!(attrs(&page, "figure.lead img", "fetchpriority"), ["high"]);
    assert!(attrs(&page, "figure.lead img", "loading").is_empty(), "the lead image is not lazy");
    assert_eq!(texts(&page, "figure.lead .credit"), ["Photo by the desk"]);
    let json_ld = texts(&page, "script[type=\"application/ld+json\"]")[0].clone();
    assert!(json_ld.contains("\"image\":[\"https://example.org/briefing/briefs/talks/lead-1600w.jpg\"]"), "{json_ld}");
    // The brief without an image is shared with its card, drawn for it.
    let plain = run.page("briefs/plain/");
    assert_eq!(attrs(&plain, "meta[property=\"og:image\"]", "content"), ["https://example.org/briefing/briefs/plain/social.png"]);
    assert_eq!(size(&run, "briefs/plain/social.png"), (1200, 630));
    assert!(!run.exists("briefs/talks/social.png"));
    // Feeds: the share image of each entry, and absolute URLs inside the content.
    let atom = run.read("atom.xml");
    assert!(atom.contains("<media:content url=\"https://example.org/briefing/briefs/talks/lead-1600w.jpg\" medium=\"image\""), "{atom}");
    assert!(atom.contains("src=&quot;https://example.org/briefing/briefs/talks/chart-800w.png&quot;"), "{atom}");
    assert!(!atom.contains("src=&quot;/briefing/"));
    let json: serde_json::Value = serde_json::from_str(&run.read("feed.json")).unwrap();
    assert_eq!(json["items"][0]["image"], "https://example.org/briefing/briefs/talks/lead-1600w.jpg");
    assert!(run.read("rss.xml").contains("<media:content url=\"https://example.org/briefing/briefs/plain/social.png\""));
    // A company's SVG logo keeps its size, with the name as its alt text.
    let company = run.page("companies/meta/");
    assert_eq!(attrs(&company, ".portrait img", "src"), ["/briefing/logos/meta.svg"]);
    assert_eq!(attrs(&company, ".portrait img", "width"), ["120"]);
    assert_eq!(attrs(&company, ".portrait img", "alt"), ["Meta Platforms"]);
    // Cards can be turned off.
    let off = site.file("site.toml", &format!("{SUB}[images]\nsocial_cards = false\n")).build();
    assert!(!off.exists("briefs/plain/social.png"));
    assert_eq!(attrs(&off.page("briefs/plain/"), "meta[name=\"twitter:card\"]", "content"), ["summary"]);
}

#[test]
fn bad_images_are_located_errors_and_nothing_is_written() {
    let site = bundle_site();
    let good = site.build();
    let before = good.read("briefs/shares/index.html");
    let site = site
        .file(
            "content/briefs/2025-10-31-bad/index.md",
            "---\ntitle: Bad\ndate: 2025-10-31\nimage:\n  src: lead.png\n---\nA ![](chart.png) and ![gone](gone.png).\n\n\
             ![corrupt](corrupt.png) ![bomb](bomb.png) ![big](/big.png)\n",
        )
        .bytes("content/briefs/2025-10-31-bad/chart.png", &png(40, 20))
        .bytes("content/briefs/2025-10-31-bad/lead.png", &png(40, 20))
        .bytes("content/briefs/2025-10-31-bad/corrupt.png", b"\x89PNG\r\n\x1a\nthis is not an image")
        .bytes("content/briefs/2025-10-31-bad/bomb.png", &bomb(20_000, 20_000))
        .bytes("static/big.png", &bomb(9_000, 9_000))
        .brief("2025-10-31-flat", "title: Flat\ndate: 2025-10-31", "![A chart](flat.png)")
        .bytes("content/briefs/flat.png", &png(10, 10));
    for command in ["build", "check"] {
        let run = site.run(&[command]);
        assert_eq!(run.code, 1, "{command}: {}", run.stderr);
        let err = &run.stderr;
        let bad = "content/briefs/2025-10-31-bad/index.md";
        assert!(err.contains(&format!("{bad}:4:1: error: the `image` has no alt text")), "{err}");
        assert!(err.contains(&format!("{bad}:7:3: error: the image \"chart.png\" has no alt text")), "{err}");
        assert!(err.contains(&format!("{bad}:7:22: error: \"gone.png\" points to content/briefs/2025-10-31-bad/gone.png, which does not exist")), "{err}");
        assert!(err.contains(&format!("{bad}:9:1: error: the image content/briefs/2025-10-31-bad/corrupt.png is not a readable PNG image")), "{err}");
        assert!(err.contains("bomb.png is 20000 × 20000 pixels (400 megapixels): an image may have at most 40 megapixels"), "{err}");
        assert!(err.contains("the image static/big.png is 9000 × 9000 pixels"), "{err}");
        assert!(err.contains("content/briefs/2025-10-31-flat.md:5:1: error: \"flat.png\" points to content/briefs/flat.png, which is not published"), "{err}");
        assert!(err.contains("make this file a bundle: move it to content/briefs/2025-10-31-flat/index.md"), "{err}");
    }
    assert_eq!(good.read("briefs/shares/index.html"), before, "the previous output stays as it was");
}

#[test]
fn an_image_damaged_past_its_header_fails_the_build_at_the_brief_that_shows_it() {
    let mut bytes = png(600, 400);
    bytes.truncate(bytes.len() / 2);
    let site = SiteTest::new().file("content/briefs/2025-10-30-a/index.md", "---\ntitle: A\ndate: 2025-10-30\n---\nText.\n\n![A chart](cut.png)\n").bytes(
        "content/briefs/2025-10-30-a/cut.png",
        &bytes,
    );
    let run = site.build_fails();
    assert!(run.stderr.contains("content/briefs/2025-10-30-a/index.md:7:1: error: the image"), "{}", run.stderr);
    assert!(run.stderr.contains("cut.png cannot be decoded"), "{}", run.stderr);
    assert!(!run.out.exists(), "nothing is written");
}

#[test]
fn the_cache_spares_unchanged_images_and_rebuilds_damaged_entries() {
    let site = bundle_site();
    site.build();
    let cache = site.root().join(".briefing-cache");
    let entries = || -> Vec<(std::path::PathBuf, std::time::SystemTime)> {
        let mut all: Vec<_> = walkdir::WalkDir::new(&cache)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            // The record of content files read is written once they are two seconds old.
            .filter(|e| e.path() != cache.join("files"))
            .map(|e| (e.path().to_path_buf(), e.metadata().unwrap().modified().unwrap()))
            .collect();
        all.sort();
        all
    };
    let first = entries();
    assert!(first.len() >= 8, "variants and the card are kept: {first:?}");
    let card = site.root().join("public/briefs/shares/chart-480w.webp");
    let written = std::fs::metadata(&card).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    site.build();
    site.build();
    assert_eq!(entries(), first, "a build where nothing changed encodes nothing");
    assert_eq!(std::fs::metadata(&card).unwrap().modified().unwrap(), written, "nor writes an unchanged variant again");
    assert!(!site.root().join("public/.briefing-files").exists() || !site.run(&["publish", "--dry-run"]).stdout.contains(".briefing-files"));
    // A damaged entry is not trusted: it is made again, and the output is whole.
    let (victim, _) = first.iter().find(|(p, _)| p.to_string_lossy().ends_with("480w.webp")).unwrap();
    let mut bytes = std::fs::read(victim).unwrap();
    bytes[20] ^= 0xff;
    std::fs::write(victim, &bytes).unwrap();
    // (Without an output folder to keep files from, the build reads the cache.)
    std::fs::remove_dir_all(site.root().join("public")).unwrap();
    std::fs::remove_dir_all(site.root().join(".public.briefing-spare")).unwrap();
    let run = site.build();
    assert_eq!(size(&run, "briefs/shares/chart-480w.webp"), (480, 240));
    assert_ne!(std::fs::read(victim).unwrap(), bytes);
}

#[test]
fn gifs_and_svgs_are_published_as_they_are_with_their_size() {
    let run = SiteTest::new()
        .file("content/briefs/2025-10-30-a/index.md", "---\ntitle: A\ndate: 2025-10-30\n---\n![Moving](anim.gif) ![Drawn](plot.svg)\n")
        .bytes("content/briefs/2025-10-30-a/anim.gif", &encoded(64, 48, image::ImageFormat::Gif))
        .file("content/briefs/2025-10-30-a/plot.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"360\"></svg>")
        .build();
    let page = run.page("briefs/a/");
    assert_eq!(attrs(&page, "img[alt=\"Moving\"]", "src"), ["/briefs/a/anim.gif"]);
    assert_eq!(attrs(&page, "img[alt=\"Moving\"]", "width"), ["64"]);
    assert_eq!(attrs(&page, "img[alt=\"Drawn\"]", "height"), ["360"]);
    assert!(run.files().iter().all(|f| !f.contains("-64w")), "no variants of a GIF");
}

#[test]
fn empty_and_folder_references_say_what_they_are() {
    let run = SiteTest::new()
        .file("content/briefs/2025-10-30-a/index.md", "---\ntitle: A\ndate: 2025-10-30\nimage: chart.png\n---\nText.\n")
        .brief("2025-10-30-b", "title: B\ndate: 2025-10-30", "![A chart]() and [the folder](./).")
        .run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("expected a map with `src` and `alt`"), "{}", run.stderr);
    assert!(run.stderr.contains("content/briefs/2025-10-30-b.md:5:1: error: the link names no file"), "{}", run.stderr);
    assert!(run.stderr.contains("error: \"./\" names a folder, not a file"), "{}", run.stderr);
}

/// Share cards are kept in one store of the cache (`.briefing-cache/cards/`: its data and
/// its index, not a file a card): a build into a new folder draws only the cards whose text
/// changed, a damaged store is not trusted, and the file a card an older version kept is
/// removed.
#[test]
fn share_cards_are_kept_in_one_store_and_drawn_again_only_when_their_text_changes() {
    let brief = |title: &str| format!("title: {title}\ndate: 2025-10-30\ncompanies: [meta]");
    let site = SiteTest::new().file("site.toml", SUB).brief("2025-10-30-a", &brief("Alpha"), "Text.").brief("2025-10-29-b", &brief("Beta"), "Text.");
    let outs = tempfile::tempdir().unwrap();
    let into = |site: &SiteTest, name: &str, more: &[&str]| {
        let out = outs.path().join(name);
        let run = site.build_timed(&out, more);
        let cards = ["a", "b"].map(|s| std::fs::read(out.join(format!("briefs/{s}/social.png"))).unwrap());
        (run.done_again("share cards drawn"), cards)
    };
    let (drawn, first) = into(&site, "first", &[]);
    assert_eq!(drawn, (2, 2));
    assert!(first.iter().all(|c| c.starts_with(b"\x89PNG")) && first[0] != first[1]);
    let store = site.root().join(".briefing-cache/cards");
    let names = |dir: &std::path::Path| -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        n.sort();
        n
    };
    assert_eq!(names(&store), ["data", "index"]);
    std::fs::create_dir_all(store.join("ab")).unwrap();
    std::fs::write(store.join("ab/ab12-social.png"), b"kept by an older version").unwrap();
    let (drawn, second) = into(&site, "second", &[]);
    assert_eq!(drawn, (0, 2), "a new folder, nothing changed: every card from the store");
    assert_eq!(second, first);
    assert_eq!(names(&store), ["data", "index"], "what an older version kept is removed");

    let site = site.brief("2025-10-30-a", &brief("Alpha, renamed"), "Text.");
    let (drawn, renamed) = into(&site, "renamed", &[]);
    assert_eq!(drawn, (1, 2), "only the renamed brief's card");
    assert!(renamed[0] != first[0] && renamed[1] == first[1]);
    let (drawn, clean) = into(&site, "clean", &["--no-cache"]);
    assert_eq!(drawn, (2, 2));
    assert_eq!(renamed, clean);

    let data = store.join("data");
    std::fs::write(&data, vec![b' '; std::fs::metadata(&data).unwrap().len() as usize]).unwrap();
    let (drawn, damaged) = into(&site, "damaged", &[]);
    assert_eq!(drawn, (2, 2), "nothing taken from a damaged store");
    assert_eq!(damaged, clean);
}
