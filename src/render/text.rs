//! Filters for interface text from the translation tables (`t.<key>`):
//! `{{ t.page_of | fill(n=2, total=9) }}` puts each argument into its `{name}`, and
//! `{{ count | plural(one=t.n_brief, many=t.n_briefs) }}` picks the form for the count in
//! the site's language. Translations are trusted text (they may hold a link); the values
//! put into them are escaped, so the result is printed as it is.

use tera::{Kwargs, State, TeraResult, Value};

/// `{name}` in `text` replaced by each argument, escaped for HTML.
fn fill_in(text: &str, kwargs: &Kwargs) -> Value {
    let mut out = text.to_string();
    for (key, value) in kwargs.iter() {
        let shown = match value.as_str() {
            Some(s) => s.to_string(),
            None => value.to_string(),
        };
        out = out.replace(&format!("{{{key}}}"), &super::feeds::xml_escape(&shown));
    }
    Value::safe_string(&out)
}

/// `{{ t.page_of | fill(n=2, total=9) }}`.
pub(super) fn fill(text: &str, kwargs: Kwargs, _: &State) -> Value {
    fill_in(text, &kwargs)
}

/// `{{ n | plural(one=t.n_brief, many=t.n_briefs) }}`, with `{n}` (and any other
/// argument) filled in.
pub(super) struct Plural {
    /// French and other languages count 0 and 1 alike ("0 brief"); English does not.
    zero_is_one: bool,
}

impl Plural {
    /// The rule of `language` (a BCP 47 tag).
    pub fn new(language: &str) -> Self {
        let lang = language.split(['-', '_']).next().unwrap_or("en").to_ascii_lowercase();
        Plural { zero_is_one: matches!(lang.as_str(), "fr" | "pt" | "hi" | "bn") }
    }
}

impl tera::Filter<i64, TeraResult<Value>> for Plural {
    fn call(&self, n: i64, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
        let one = n == 1 || (self.zero_is_one && n == 0);
        let text: &str = kwargs.must_get(if one { "one" } else { "many" })?;
        let filled = fill_in(text, &kwargs);
        Ok(Value::safe_string(&filled.as_str().unwrap_or_default().replace("{n}", &n.to_string())))
    }
}

/// `{{ "style.css" | asset }}`: the URL of a static file, under the base path, by its
/// fingerprinted name when it has one (stylesheets and scripts), so that a changed file is
/// never served from a stale cache.
pub(super) struct Asset {
    pub base: String,
    pub names: std::collections::HashMap<String, String>,
}

impl tera::Filter<&str, Value> for Asset {
    fn call(&self, name: &str, _: Kwargs, _: &State) -> Value {
        let name = name.trim_start_matches('/');
        Value::from(format!("{}{}", self.base, self.names.get(name).map_or(name, String::as_str)))
    }
}
