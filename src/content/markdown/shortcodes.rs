//! Running shortcodes: each call becomes HTML through a template `shortcodes/<name>.html`
//! (the site's, else the theme's, else the one built in). The built-in names check their
//! arguments and hand their templates what they need already resolved: `figure` its image,
//! `quote` and `post` who said it (linked when it names a person, company or source) and
//! their body as HTML, `chart` its SVG and table; `toc` lists the body's headings.

use std::sync::OnceLock;

use tera::{Context, Tera};

use super::calls::{Call, Value};
use super::{chart, AssetTarget, LinkError, LinkResolver};
use crate::content::diag::did_you_mean;
use crate::content::html::escape_attr;

/// The arguments each built-in shortcode takes; the first ones listed are required.
const BUILT_IN: [(&str, &[&str], usize); 5] = [
    ("figure", &["src", "alt", "caption", "credit"], 2),
    ("quote", &["by", "url", "date"], 1),
    ("post", &["url", "by", "date"], 3),
    ("chart", &["title", "kind", "unit", "data"], 1),
    ("toc", &[], 0),
];

/// The shortcode templates of a site.
pub struct Shortcodes {
    tera: Tera,
    names: Vec<String>,
    /// A fingerprint of the templates: a body rendered with other templates is not reused.
    pub fingerprint: u64,
}

impl Shortcodes {
    /// The built-in templates under `templates` (name and text, `shortcodes/x.html`); a
    /// template that does not parse is an error naming it.
    pub fn new<'t>(templates: impl IntoIterator<Item = (&'t str, &'t str)>) -> Result<Shortcodes, tera::Error> {
        let mut tera = Tera::new();
        let mut names = Vec::new();
        let own: Vec<(&str, &str)> = templates.into_iter().filter(|(n, _)| n.starts_with("shortcodes/")).collect();
        let built_in = crate::content::theme::TEMPLATES.iter().filter(|(n, _)| n.starts_with("shortcodes/"));
        let mut all: Vec<(&str, &str)> = built_in.copied().filter(|(n, _)| !own.iter().any(|(o, _)| o == n)).collect();
        all.extend(own);
        for (name, _) in &all {
            names.push(name.trim_start_matches("shortcodes/").trim_end_matches(".html").to_string());
        }
        let fingerprint = crate::content::model::fingerprint(&all);
        tera.add_raw_templates(all)?;
        for (n, _, _) in BUILT_IN {
            if !names.iter().any(|x| x == n) {
                names.push(n.to_string());
            }
        }
        Ok(Shortcodes { tera, names, fingerprint })
    }

    /// The built-in shortcodes alone.
    pub fn builtin() -> &'static Shortcodes {
        static SET: OnceLock<Shortcodes> = OnceLock::new();
        SET.get_or_init(|| Shortcodes::new([]).unwrap_or_else(|_| Shortcodes { tera: Tera::new(), names: Vec::new(), fingerprint: 0 }))
    }
}

/// What a call needs from the document it is in.
pub struct Place<'a> {
    /// The document's path under `content/`.
    pub from: &'a str,
    /// Resolves links, files and entities.
    pub links: &'a dyn LinkResolver,
    /// Renders a block's Markdown body (at its offset in the document) to HTML.
    pub body: &'a mut dyn FnMut(&str, usize) -> String,
    /// The call's number in its document, for ids.
    pub n: usize,
    /// Whom a `quote` or `post` is by, when `by` names an entity of the site: the brief
    /// names them, as a wiki link would.
    pub by: Option<(crate::content::kinds::Kind, u32)>,
}

/// The HTML of `call`, or why it cannot be made (located at the call).
pub fn run(call: &Call, place: &mut Place<'_>) -> Result<String, Located> {
    let set = place.links.shortcodes();
    if !set.names.contains(&call.name) {
        let hint = did_you_mean(&call.name, set.names.iter().map(String::as_str))
            .map_or_else(|| format!("the shortcodes are {}; add your own as templates/shortcodes/{}.html", set.names.join(", "), call.name), |n| format!("did you mean {n}(...)?"));
        return Err(LinkError::new(format!("there is no shortcode named \"{}\"", call.name), hint).into());
    }
    let mut ctx = Context::new();
    if let Some((_, spec, required)) = BUILT_IN.iter().find(|(n, _, _)| *n == call.name) {
        check_args(call, spec, *required)?;
        prepare(call, place, &mut ctx)?;
    }
    if call.name == "toc" {
        return Ok(String::new());
    }
    for (k, v) in &call.args {
        if !ctx.contains_key(k) {
            match v {
                Value::Str(s) => ctx.insert(k.clone(), s),
                Value::Num(n) => ctx.insert(k.clone(), n),
                Value::Bool(b) => ctx.insert(k.clone(), b),
            }
        }
    }
    if !ctx.contains_key("body") {
        let body = call.body.as_ref().map(|(at, text)| (place.body)(text, *at)).unwrap_or_default();
        ctx.insert("body", &body);
    }
    let name = format!("shortcodes/{}.html", call.name);
    set.tera.render(&name, &ctx).map(|html| html.trim().replace("\n\n", "\n")).map_err(|e| {
        let reason = std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
        LinkError::new(format!("the shortcode {}(...) failed in its template {name}: {reason}", call.name), "see docs/writing.md for what each shortcode takes").into()
    })
}

/// Unknown arguments and missing required ones.
fn check_args(call: &Call, spec: &[&str], required: usize) -> Result<(), LinkError> {
    for (k, _) in &call.args {
        if !spec.contains(&k.as_str()) {
            let hint = did_you_mean(k, spec.iter().copied()).map_or_else(|| format!("{}(...) takes {}", call.name, spec.join(", ")), |s| format!("did you mean `{s}`?"));
            return Err(LinkError::new(format!("{}(...) has no argument `{k}`", call.name), hint));
        }
    }
    if let Some(missing) = spec[..required].iter().find(|k| call.arg(k).is_none()) {
        return Err(LinkError::new(format!("{}(...) needs `{missing}`", call.name), format!("write it as {}({}=\"...\")", call.name, missing)));
    }
    let block = matches!(call.name.as_str(), "quote" | "post");
    if block && call.body.is_none() {
        return Err(LinkError::new(format!("{}(...) needs a body", call.name), format!("write {{% {}(...) %}}what was said{{% end %}}", call.name)));
    }
    Ok(())
}

/// The variables a built-in template needs, resolved.
fn prepare(call: &Call, place: &mut Place<'_>, ctx: &mut Context) -> Result<(), Located> {
    let text = |k: &str| call.arg(k).map(Value::text);
    match call.name.as_str() {
        "figure" => {
            let (src, alt) = (text("src").unwrap_or_default(), text("alt").unwrap_or_default());
            if alt.trim().is_empty() {
                return Err(LinkError::new("figure(...) has an empty `alt`", "describe the image for readers who cannot see it").into());
            }
            let html = match place.links.asset(place.from, &src)? {
                AssetTarget { picture: Some(p), .. } => p.html(place.links.base(), &alt, false),
                AssetTarget { url, .. } => format!(r#"<img src="{}" alt="{}" loading="lazy" decoding="async">"#, escape_attr(&url), escape_attr(&alt)),
            };
            ctx.insert("image", &html);
        }
        "quote" | "post" => {
            let by = text("by").unwrap_or_default();
            let (url, name) = match place.links.wiki(&by) {
                Ok(t) => {
                    place.by = t.entity;
                    (Some(t.url), t.display.unwrap_or_else(|| by.clone()))
                }
                Err(e) if call.name == "quote" => return Err(LinkError { message: format!("quote(by=...): {}", e.message), hint: e.hint }.into()),
                Err(_) => (None, by.clone()),
            };
            ctx.insert("by_url", &url);
            ctx.insert("by_name", &name);
            if let Some(u) = text("url") {
                let host = web_host(&u).ok_or_else(|| LinkError::new(format!("`url` \"{u}\" is not a web address"), "write the full address, starting with https://"))?;
                ctx.insert("host", &host);
            }
            if let Some(d) = text("date") {
                if let Err(why) = crate::content::dates::Date::parse(&d) {
                    return Err(LinkError::new(format!("`date`: {why}"), "write it as 2025-10-30 or 2025-10-30T11:30:00-04:00").into());
                }
                // As written, without seconds or offset: "2025-10-30 11:30".
                let shown = if d.len() >= 16 { format!("{} {}", &d[..10], &d[11..16]) } else { d[..10.min(d.len())].to_string() };
                ctx.insert("date_text", &shown);
            }
        }
        "chart" => chart_context(call, place, ctx)?,
        _ => {}
    }
    Ok(())
}

/// A problem, and where in the body it is when that is not the call itself.
pub struct Located(pub Option<usize>, pub LinkError);

impl From<LinkError> for Located {
    fn from(e: LinkError) -> Self {
        Located(None, e)
    }
}

/// `chart`: its data (the body, or `data="file.csv"`) drawn.
fn chart_context(call: &Call, place: &mut Place<'_>, ctx: &mut Context) -> Result<(), Located> {
    let kind = call.arg("kind").map_or_else(|| "bar".to_string(), Value::text);
    if kind != "bar" && kind != "line" {
        return Err(LinkError::new(format!("chart kind \"{kind}\" is not known"), "write kind=\"bar\" or kind=\"line\"").into());
    }
    let csv = match (call.arg("data").map(Value::text), &call.body) {
        (Some(file), _) => place.links.data_file(place.from, &file)?,
        (None, Some((_, body))) if !body.trim().is_empty() => body.clone(),
        _ => return Err(LinkError::new("chart(...) has no data", "write CSV between {% chart(...) %} and {% end %}, or name a file: data=\"prices.csv\"").into()),
    };
    let table = chart::read_csv(&csv).map_err(|(line, message)| {
        let hint = "the first row names the columns (label, then one column per series); every other row is a label and numbers";
        match (call.arg("data"), &call.body) {
            (Some(file), _) => Located(None, LinkError::new(format!("{} line {}: {message}", file.text(), line + 1), hint)),
            (None, Some((at, body))) => {
                let offset: usize = body.split_inclusive('\n').take(line).map(str::len).sum();
                Located(Some(at + offset), LinkError::new(format!("chart data: {message}"), hint))
            }
            (None, None) => Located(None, LinkError::new(message, hint)),
        }
    })?;
    let title = call.arg("title").map(Value::text).unwrap_or_default();
    let unit = call.arg("unit").map(Value::text);
    let id = format!("chart-{}-{}", place.from.trim_end_matches(".md").replace(|c: char| !c.is_ascii_alphanumeric(), "-"), place.n);
    ctx.insert("svg", &chart::svg(&table, kind == "line", &title, unit.as_deref(), &id));
    ctx.insert("table", &chart::html_table(&table));
    ctx.insert("kind", &kind);
    ctx.insert("columns", &table.headers);
    ctx.insert("rows", &table.rows);
    ctx.insert("body", "");
    Ok(())
}

/// The host of an http(s) URL (`threads.net`), without `www.`.
fn web_host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https"))?;
    parsed.host_str().map(|h| h.trim_start_matches("www.").to_string())
}
