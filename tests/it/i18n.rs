//! Interface text in the site's language: the built-in French and German tables, a site's
//! own `i18n/` overrides, English for what is missing (with a warning), dates by language.

use crate::support::*;

fn site_in(language: &str) -> SiteTest {
    SiteTest::new()
        .file("site.toml", &format!("{CONFIG}language = \"{language}\"\ntimezone = \"Europe/Paris\"\n"))
        .brief(
            "2025-10-30-report",
            "title: Le rapport\ndate: 2025-10-30 14:00\ncompanies: [meta]\nsources: [the-info]\nstatus: denied",
            "Texte.",
        )
        .brief("2025-10-29-day", "title: Un jour\ndate: 2025-10-29\nsources: [the-info]\nstatus: reported", "Texte.")
}

#[test]
fn a_french_site_speaks_french() {
    let run = site_in("fr").build();
    let home = run.page("");
    assert_eq!(attrs(&home, "html", "lang"), ["fr"]);
    assert!(texts(&home, "nav a").contains(&"À la une".to_string()), "{:?}", texts(&home, "nav a"));
    assert_eq!(texts(&home, "h1"), ["Dernières brèves"]);
    assert!(texts(&home, ".status").contains(&"Démenti".to_string()));
    let brief = run.page("briefs/report/");
    assert_eq!(texts(&brief, ".meta time")[0], "30 octobre 2025 à 14:00 CET");
    assert_eq!(texts(&run.page("briefs/day/"), ".meta time")[0], "29 octobre 2025");
    assert!(texts(&run.page("companies/"), ".count").contains(&"1 brève".to_string()));
    let source = run.page("sources/the-info/");
    assert!(texts(&source, ".outcomes").join(" ").contains("est cité pour 1 affirmation"), "{:?}", texts(&source, ".outcomes"));
}

#[test]
fn a_german_site_and_its_dates() {
    let run = site_in("de").build();
    assert_eq!(texts(&run.page("briefs/report/"), ".meta time")[0], "30. Oktober 2025, 14:00 CET");
    assert!(texts(&run.page(""), "nav a").contains(&"Archiv".to_string()));
}

#[test]
fn a_site_table_overrides_and_english_fills_the_gaps() {
    let r = site_in("fr").file("i18n/fr.toml", "nav_latest = \"Le fil\"\n").run(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(texts(&r.page(""), "nav a").contains(&"Le fil".to_string()));
    let r = site_in("es").file("i18n/es.toml", "nav_latest = \"Lo último\"\n").run(&["build"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let nav = texts(&r.page(""), "nav a");
    assert!(nav.contains(&"Lo último".to_string()) && nav.contains(&"Archive".to_string()), "{nav:?}");
    assert!(r.stderr.contains("i18n/es.toml:1:1: warning:") && r.stderr.contains("not translated, shown in English"), "{}", r.stderr);
    assert!(texts(&r.page("briefs/day/"), ".meta time")[0].contains("octubre"), "month names follow the language");
    let strict = site_in("es").file("i18n/es.toml", "nav_latest = \"Lo último\"\n").run(&["build", "--strict"]);
    assert_eq!(strict.code, 1, "a missing translation is a warning, so --strict refuses it");
}

#[test]
fn a_malformed_translation_is_located() {
    let r = site_in("fr").file("i18n/fr.toml", "nav_latest = \"Le fil\"\npages = 3\nbroken = \"\n").build_fails();
    assert!(r.stderr.contains("i18n/fr.toml:3:"), "{}", r.stderr);
}
