//! Fenced code, highlighted at build time: `<pre><code class="language-x">` with `<span>`s
//! whose classes name the grammar's scopes (`hl-keyword`, `hl-string`...); the theme's
//! stylesheet colours them, in light and dark, and no script runs in the reader's browser.

use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::content::html::escape_attr;

/// Sublime Text's grammars as syntect ships them, read on the first highlighted block.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A code block being read: its language and its text so far.
#[derive(Default)]
pub struct Code {
    open: Option<(String, String)>,
}

impl Code {
    /// Whether a code block is open (its text goes to [`Code::text`]).
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// A code block starts.
    pub fn start(&mut self, kind: &CodeBlockKind<'_>) {
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info.split([' ', ',', '{']).next().unwrap_or("").to_string(),
            CodeBlockKind::Indented => String::new(),
        };
        self.open = Some((lang, String::new()));
    }

    /// Text inside the block.
    pub fn text(&mut self, text: &str) {
        if let Some((_, body)) = self.open.as_mut() {
            body.push_str(text);
        }
    }

    /// The block ends: its HTML, highlighted when a grammar knows its language (a block
    /// without one, or in a language none knows, is shown plain).
    pub fn end(&mut self) -> Option<Event<'static>> {
        let (lang, body) = self.open.take()?;
        let plain = |class: &str| format!("<pre><code{class}>{}</code></pre>\n", escape_attr(&body));
        if lang.is_empty() {
            return Some(Event::Html(CowStr::from(plain(""))));
        }
        let class = format!(" class=\"language-{}\"", escape_attr(&lang));
        let set = syntaxes();
        let Some(syntax) = set.find_syntax_by_token(&lang) else { return Some(Event::Html(CowStr::from(plain(&class)))) };
        let mut html = ClassedHTMLGenerator::new_with_class_style(syntax, set, ClassStyle::SpacedPrefixed { prefix: "hl-" });
        for line in LinesWithEndings::from(&body) {
            if html.parse_html_for_line_which_includes_newline(line).is_err() {
                return Some(Event::Html(CowStr::from(plain(&class))));
            }
        }
        Some(Event::Html(CowStr::from(format!("<pre class=\"highlight\"><code{class}>{}</code></pre>\n", html.finalize()))))
    }
}
