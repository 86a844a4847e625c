//! Tests of the Markdown renderer.
use super::*;

struct Fake;
impl LinkResolver for Fake {
    fn wiki(&self, target: &str) -> Result<WikiTarget, LinkError> {
        match target.to_lowercase().as_str() {
            "meta" => Ok(WikiTarget { url: "/companies/meta/".into(), display: Some("Meta".into()), entity: None }),
            "facebook" => Ok(WikiTarget { url: "/companies/meta/".into(), display: None, entity: None }),
            _ => Err(LinkError { message: format!("no match for {target}"), hint: None }),
        }
    }
    fn file(&self, _from: &str, target: &str) -> Result<String, LinkError> {
        if target == "../companies/meta.md" {
            Ok("/companies/meta/".into())
        } else {
            Err(LinkError { message: "no file".into(), hint: None })
        }
    }
    fn asset(&self, _from: &str, target: &str) -> Result<AssetTarget, LinkError> {
        use crate::content::media::{Format, ImageInfo};
        let info = ImageInfo { width: 800, height: 400, format: Format::Png };
        match target {
            "c.png" => Ok(AssetTarget {
                url: "/b/x/c.png".into(),
                picture: Some(Picture::new("b/x/c.png".into(), Default::default(), info, &[400])),
            }),
            "a.pdf" => Ok(AssetTarget { url: "/b/x/a.pdf".into(), picture: None }),
            _ => Err(LinkError { message: format!("no file {target}"), hint: None }),
        }
    }
    fn base(&self) -> &str {
        "/"
    }
}

#[test]
fn wiki_links_resolve_with_labels() {
    let r = render("See [[meta]], [[Facebook]] and [[meta|the giant]].", "briefs/a.md", &Fake);
    assert_eq!(
        &*r.html,
        "<p>See <a href=\"/companies/meta/\">Meta</a>, <a href=\"/companies/meta/\">Facebook</a> and <a href=\"/companies/meta/\">the giant</a>.</p>\n"
    );
    assert!(r.problems.is_empty());
    assert_eq!(r.first_paragraph, "See Meta, Facebook and the giant.");
}

#[test]
fn unresolved_links_are_reported_at_their_offset() {
    let r = render("Intro.\n\nAbout [[metta]] and [x](nope.md).", "briefs/a.md", &Fake);
    assert_eq!(r.problems.len(), 2);
    assert_eq!(r.problems[0].offset, 14);
    assert_eq!(&"Intro.\n\nAbout [[metta]] and [x](nope.md)."[r.problems[1].offset..][..3], "[x]");
}

#[test]
fn md_links_and_fragments() {
    let r = render("[Meta](../companies/meta.md#profile) [web](https://x.org/a.md)", "briefs/a.md", &Fake);
    assert!(r.html.contains("href=\"/companies/meta/#profile\""));
    assert!(r.html.contains("href=\"https://x.org/a.md\""));
}

#[test]
fn images_become_pictures_and_figures() {
    let r = render("![A chart](c.png \"Shares, 8-9 a.m.\")\n\nSee ![inline](c.png) and [the PDF](a.pdf).", "b/x/index.md", &Fake);
    assert!(r.html.starts_with("<figure><picture><source type=\"image/webp\" srcset=\"/b/x/c-400w.webp 400w\""), "{}", r.html);
    assert!(r.html.contains("<figcaption>Shares, 8-9 a.m.</figcaption></figure>\n<p>See <picture>"));
    assert!(r.html.contains("alt=\"inline\""));
    assert!(r.html.contains("<a href=\"/b/x/a.pdf\">the PDF</a>"));
    assert_eq!(r.pictures.len(), 1);
    assert!(r.problems.is_empty());
}

#[test]
fn images_need_alt_text_and_a_file() {
    let r = render("![](c.png) ![x](gone.png) [y](gone.pdf) [z](#top) [w](https://e.org/a.png)", "b/x/index.md", &Fake);
    let messages: Vec<&str> = r.problems.iter().map(|p| p.error.message.as_str()).collect();
    assert_eq!(messages, ["the image \"c.png\" has no alt text", "no file gone.png", "no file gone.pdf"]);
    assert_eq!(r.problems[1].offset, 11);
}

#[test]
fn raw_html_names_files_like_markdown() {
    let r = render("<figure><img src=\"c.png\" alt=\"x\"><a href='a.pdf'>PDF</a><a href=\"https://e.org/a.png\">x</a></figure>\n\nText <img src=\"gone.png\" alt=\"y\">.", "b/x/index.md", &Fake);
    assert!(r.html.contains("<img src=\"/b/x/c.png\" alt=\"x\"><a href=\"/b/x/a.pdf\">PDF</a><a href=\"https://e.org/a.png\">"), "{}", r.html);
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].error.message, "no file gone.png");
}

struct Policy(RawHtml);
impl LinkResolver for Policy {
    fn wiki(&self, target: &str) -> Result<WikiTarget, LinkError> {
        Fake.wiki(target)
    }
    fn file(&self, from: &str, target: &str) -> Result<String, LinkError> {
        Fake.file(from, target)
    }
    fn asset(&self, from: &str, target: &str) -> Result<AssetTarget, LinkError> {
        Fake.asset(from, target)
    }
    fn base(&self) -> &str {
        "/"
    }
    fn raw_html(&self) -> RawHtml {
        self.0
    }
}

const UNSAFE: &str = "<div class=\"note\" onclick=\"steal()\">Hi <a href=\"javascript:alert(1)\">x</a></div>\n<script>alert(2)</script>\n\nText <span onmouseover=\"x()\">hover</span> <script>alert(3)</script> and <iframe src=\"https://e.org\">fallback</iframe> end.\n";

#[test]
fn raw_html_is_sanitized_with_warnings() {
    let r = render(UNSAFE, "a.md", &Fake);
    assert!(!r.html.contains("onclick") && !r.html.contains("javascript") && !r.html.contains("alert") && !r.html.contains("iframe"), "{}", r.html);
    assert!(!r.html.contains("fallback") && !r.html.contains("onmouseover"), "{}", r.html);
    assert!(r.html.contains("<div class=\"note\">Hi <a>x</a></div>"), "{}", r.html);
    assert!(r.html.contains("Text <span>hover</span>  and  end."), "{}", r.html);
    assert!(r.problems.iter().all(|p| p.warning));
    let messages: Vec<&str> = r.problems.iter().map(|p| p.error.message.as_str()).collect();
    assert!(messages[0].contains("<script>") && messages[0].contains("onclick") && messages[0].contains("javascript:"), "{messages:?}");
    assert_eq!(r.problems.len(), 4, "{messages:?}");
}

#[test]
fn raw_html_can_be_denied_or_allowed() {
    let r = render(UNSAFE, "a.md", &Policy(RawHtml::Deny));
    assert!(!r.html.contains('<') || !r.html.contains("script"), "{}", r.html);
    assert_eq!(r.problems.iter().filter(|p| !p.warning).count(), 4);
    assert_eq!(r.problems[1].offset, UNSAFE.find("<span").expect("span"));
    let r = render(UNSAFE, "a.md", &Policy(RawHtml::Allow));
    assert!(r.html.contains("<script>alert(3)</script>") && r.problems.is_empty());
}

#[test]
fn unclosed_wiki_brackets_are_warnings() {
    let body = "On [[Threads it said.\n\n[[meta]] and `[[code]]` and ]] alone.\n\n```\n[[x\n```\n";
    let r = render(body, "a.md", &Fake);
    let found: Vec<(usize, bool)> = r.problems.iter().map(|p| (p.offset, p.warning)).collect();
    assert_eq!(found, [(3, true), (body.find("]] alone").expect("lone"), true)]);
    assert!(r.problems[0].error.message.contains("[[Threads is not closed"));
}

#[test]
fn headings_get_unique_ids() {
    let r = render("## Why it matters\n\n## Why it matters\n\n## Own {#mine}", "a.md", &Fake);
    assert!(r.html.contains("<h2 id=\"why-it-matters\">"));
    assert!(r.html.contains("<h2 id=\"why-it-matters-1\">"));
    assert!(r.html.contains("<h2 id=\"mine\"><a class=\"anchor\" href=\"#mine\">Own</a></h2>"));
    let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["why-it-matters", "why-it-matters-1", "mine"]);
}

#[test]
fn footnotes_are_numbered_gathered_and_named_after_their_document() {
    let body = "One[^b], two[^a], one again[^b].\n\n[^a]: Alpha.\n[^b]: Beta, see [[meta]].\n[^c]: Unused.\n";
    let r = render(body, "briefs/2025/meta-gemini.md", &Fake);
    assert!(r.html.contains("One<sup class=\"footnote-ref\" id=\"meta-gemini-fnref-1\"><a href=\"#meta-gemini-fn-1\""), "{}", r.html);
    assert!(r.html.contains("id=\"meta-gemini-fnref-1-2\""));
    let notes = &r.html[r.html.find("<section class=\"footnotes\"").expect("notes at the end")..];
    assert!(notes.find("Beta, see <a href=\"/companies/meta/\">Meta</a>").expect("b") < notes.find("Alpha.").expect("a"));
    assert!(notes.contains("<li id=\"meta-gemini-fn-2\">\n<p>Alpha. <a href=\"#meta-gemini-fnref-2\" class=\"footnote-back\""));
    assert!(!notes.contains("Unused"));
    assert_eq!(r.problems.len(), 1);
    assert!(r.problems[0].warning && r.problems[0].error.message.contains("[^c] is never referenced"));
    assert_eq!(&body[r.problems[0].offset..][..5], "[^c]:");
}

#[test]
fn fenced_code_is_highlighted_with_classes() {
    let r = render("```python\nreturn \"<b>\"  # done\n```\n\n```nosuchlang\nx < y\n```\n\n    plain <i>\n", "a.md", &Fake);
    assert!(r.html.contains("<pre class=\"highlight\"><code class=\"language-python\">"), "{}", r.html);
    assert!(r.html.contains("hl-keyword") && r.html.contains("hl-comment"));
    assert!(r.html.contains("&quot;&lt;b&gt;&quot;") || r.html.contains("&lt;b&gt;"));
    assert!(r.html.contains("<pre><code class=\"language-nosuchlang\">x &lt; y\n</code></pre>"));
    assert!(r.html.contains("<pre><code>plain &lt;i&gt;\n</code></pre>"));
}
