//! Small helpers over HTML text: escaping a value for an attribute (pulldown-cmark's own
//! escaper), and rewriting the URLs of `src`, `href` and `srcset` attributes (raw HTML in
//! bodies names files like Markdown does; feeds need absolute URLs).

/// Escapes text for a quoted HTML attribute (`&`, `<`, `>`, `"` and `'`).
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}

/// `html` with each URL of its `src`, `href` and `srcset` attributes (inside tags, quoted)
/// replaced by what `f` returns for it; `None` when `f` replaced none.
pub fn map_urls(html: &str, mut f: impl FnMut(&str) -> Option<String>) -> Option<String> {
    let bytes = html.as_bytes();
    let (mut out, mut copied, mut in_tag, mut i) = (String::new(), 0, false, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'<' => in_tag = true,
            b'>' => in_tag = false,
            b'=' if in_tag && matches!(bytes.get(i + 1), Some(b'"' | b'\'')) => {
                let start = i + 2;
                let end = html[start..].find(bytes[i + 1] as char).map_or(html.len(), |n| start + n);
                let name = html[..i].rsplit(|c: char| c.is_ascii_whitespace()).next().unwrap_or("");
                let named = html[..i].len() > name.len() && matches!(name, "src" | "href" | "srcset");
                if let Some(value) = named.then(|| rewrite(&html[start..end], name == "srcset", &mut f)).flatten() {
                    out.push_str(&html[copied..start]);
                    out.push_str(&value);
                    copied = end;
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    (copied > 0).then(|| {
        out.push_str(&html[copied..]);
        out
    })
}

/// An attribute's value with its URL (or each URL of a `srcset`) replaced by `f`'s.
fn rewrite(value: &str, srcset: bool, f: &mut impl FnMut(&str) -> Option<String>) -> Option<String> {
    if !srcset {
        return f(value);
    }
    let mut changed = false;
    let parts: Vec<String> = value
        .split(',')
        .map(|candidate| {
            let candidate = candidate.trim();
            let (url, descriptor) = candidate.split_once(char::is_whitespace).unwrap_or((candidate, ""));
            let url = f(url).inspect(|_| changed = true).unwrap_or_else(|| url.to_string());
            if descriptor.is_empty() {
                url
            } else {
                format!("{url} {}", descriptor.trim())
            }
        })
        .collect();
    changed.then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_urls_of_tags_change() {
        let html = r#"<p>a="/b" <a href="/x" title="src='/y'">x</a><img src='/c.png' srcset="/c-1w.png 1w, https://e.org/d.png 2w" alt="/z"></p>"#;
        let out = map_urls(html, |u| u.strip_prefix('/').map(|rest| format!("https://e.org/{rest}"))).unwrap();
        assert_eq!(
            out,
            r#"<p>a="/b" <a href="https://e.org/x" title="src='/y'">x</a><img src='https://e.org/c.png' srcset="https://e.org/c-1w.png 1w, https://e.org/d.png 2w" alt="/z"></p>"#
        );
        assert_eq!(map_urls("<p>plain</p>", |_| Some("x".into())), None);
        assert_eq!(escape_attr(r#"a "b" & <c> d's"#), "a &quot;b&quot; &amp; &lt;c&gt; d&#39;s");
    }
}

/// Text with the typography Markdown gives bodies: curly quotes and apostrophes, en and em
/// dashes, an ellipsis. For titles and summaries written in front matter, so that a
/// headline and the paragraph under it agree.
pub fn typography(text: &str) -> String {
    if !text.contains(['\'', '"']) && !text.contains("--") && !text.contains("...") {
        return text.to_string();
    }
    let text = text.replace("...", "…").replace("---", "—").replace("--", "–");
    let mut out = String::with_capacity(text.len() + 8);
    let mut prev: Option<char> = None;
    for c in text.chars() {
        let opening = prev.is_none_or(|p| p.is_whitespace() || "([{–—".contains(p));
        out.push(match c {
            '"' if opening => '“',
            '"' => '”',
            '\'' if opening => '‘',
            '\'' => '’',
            c => c,
        });
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod typography_tests {
    #[test]
    fn quotes_dashes_and_ellipses() {
        assert_eq!(super::typography("Google's \"Gemini\" -- or 'not'..."), "Google’s “Gemini” – or ‘not’…");
        assert_eq!(super::typography("plain"), "plain");
    }
}
