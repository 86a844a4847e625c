//! What a page read, as one key: a build into an output folder that already holds a page
//! made from the same key leaves it as it is, without rendering it again.
//!
//! A page's bytes are a function of its template context (the values its template is
//! given), of the templates and their shared context (`site`, `t`, `data`), of our filters'
//! settings and of the program itself. The key hashes all of it (XXH3, 128 bits), so a
//! page is rendered again exactly when something it reads changed: a brief's title shown on
//! the home page, a company's name on its briefs' cards, a template. Nothing is trusted
//! that was not hashed.

use tera::{Context, Value};

use crate::content::diag::Diagnostic;

/// Bump when a page's bytes can change with the same context (never needed for changes of
/// the program: its size and modification time are part of every key).
const VERSION: &str = "briefing-pages-1";

/// A value of a page's context made only when the page is rendered.
type Later<'a> = Box<dyn FnOnce() -> Result<Value, Diagnostic> + 'a>;

/// A page's context, with the key of everything put in it.
pub(super) struct Keyed<'a> {
    ctx: Context,
    /// What was put in, hashed as it comes, when a key is wanted (`build`); `serve` and
    /// `check` do without.
    sink: Option<Sink>,
    /// Values known by their key alone, made when the page is rendered (a page that its
    /// key finds kept never makes its lists of cards).
    later: Vec<(&'static str, Later<'a>)>,
}

impl<'a> Keyed<'a> {
    /// An empty context; `keyed` says whether its key is wanted.
    pub fn new(keyed: bool) -> Keyed<'a> {
        Keyed { ctx: Context::new(), sink: keyed.then(Sink::default), later: Vec::new() }
    }

    /// Whether a key is wanted.
    pub fn keyed(&self) -> bool {
        self.sink.is_some()
    }

    /// Puts `value` in the context as `name`.
    pub fn insert_value(&mut self, name: &'static str, value: Value) {
        if let Some(sink) = &mut self.sink {
            sink.str(name);
            encode(&value, sink);
        }
        self.ctx.insert_value(name, value);
    }

    /// Puts `value` in the context as `name`.
    pub fn insert<T: serde::Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.insert_value(name, Value::from_serializable(value));
    }

    /// Puts what `value` makes in the context as `name`, keyed by `parts` instead of its
    /// contents (the keys of what makes all of it, in order, such as the cards of a list).
    /// With a key wanted, `value` is called only when the page is rendered.
    pub fn insert_made_of(&mut self, name: &'static str, parts: &[[u8; 16]], value: impl FnOnce() -> Result<Value, Diagnostic> + 'a) -> Result<(), Diagnostic> {
        let Some(sink) = &mut self.sink else {
            self.ctx.insert_value(name, value()?);
            return Ok(());
        };
        sink.str(name);
        sink.bytes(b"made of");
        sink.bytes(&(parts.len() as u64).to_le_bytes());
        parts.iter().for_each(|p| sink.bytes(p));
        self.later.push((name, Box::new(value)));
        Ok(())
    }

    /// The key of this context rendered with `template` under `shared` (the key of
    /// everything the pages share), as 32 hex digits; `None` when no key was wanted.
    pub fn key(&mut self, shared: &[u8; 16], template: &str) -> Option<String> {
        self.sink.take().map(|mut sink| {
            sink.bytes(shared);
            sink.str(template);
            format!("{:032x}", sink.finish())
        })
    }

    /// The context, with every value put off made now.
    pub fn into_context(mut self) -> Result<Context, Diagnostic> {
        for (name, value) in self.later {
            self.ctx.insert_value(name, value()?);
        }
        Ok(self.ctx)
    }
}

/// The key of what `v` serializes to (a view hashed without being made into a value).
/// Its JSON is written into the thread's buffer, then hashed in one piece.
pub(super) fn serialized_key<T: serde::Serialize + ?Sized>(v: &T, more: &[[u8; 16]]) -> [u8; 16] {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let json = crate::content::buffer::with_buffer(|json| serde_json::to_writer(&mut *json, v).map(|()| hasher.update(json)));
    if json.is_err() {
        // JSON has no place for it (a map with keys that are not strings): the long way.
        let mut sink = Sink::default();
        encode(&Value::from_serializable(v), &mut sink);
        hasher.update(b"value");
        hasher.update(&sink.finish().to_le_bytes());
    }
    hasher.update(&(more.len() as u64).to_le_bytes());
    more.iter().for_each(|m| hasher.update(m));
    hasher.digest128().to_le_bytes()
}

/// The key of one value (a brief's list card, shared by the pages that list it).
pub(super) fn value_key(v: &Value) -> [u8; 16] {
    let mut sink = Sink::default();
    encode(v, &mut sink);
    sink.finish().to_le_bytes()
}

/// The key of `parts` (each length-prefixed, in order), as 32 hex digits.
pub(super) fn hex_key(parts: &[&str]) -> String {
    let mut sink = Sink::default();
    parts.iter().for_each(|p| sink.str(p));
    format!("{:032x}", sink.finish())
}

/// A hasher fed in pieces large enough to hash fast: small pieces are gathered first.
#[derive(Default)]
struct Sink {
    hasher: xxhash_rust::xxh3::Xxh3,
    buf: Vec<u8>,
}

impl Sink {
    const GATHER: usize = 16 * 1024;

    fn bytes(&mut self, b: &[u8]) {
        if b.len() >= Self::GATHER {
            self.hasher.update(&self.buf);
            self.buf.clear();
            self.hasher.update(b);
            return;
        }
        if self.buf.len() + b.len() > Self::GATHER {
            self.hasher.update(&self.buf);
            self.buf.clear();
        }
        self.buf.extend_from_slice(b);
    }

    fn str(&mut self, s: &str) {
        self.bytes(&(s.len() as u64).to_le_bytes());
        self.bytes(s.as_bytes());
    }

    fn finish(mut self) -> u128 {
        self.hasher.update(&self.buf);
        self.hasher.digest128()
    }
}

/// The key of what every page shares: the program, the templates, their shared context
/// and the filters' settings (`settings`, given in a fixed order).
pub(super) fn shared(templates: &[(&str, &str)], globals: &Context, names: &[&str], settings: &[&str]) -> [u8; 16] {
    let mut sink = Sink::default();
    sink.str(VERSION);
    sink.str(&crate::content::model::program_stamp());
    for (name, text) in templates {
        sink.str(name);
        sink.str(text);
    }
    for name in names {
        sink.str(name);
        encode(globals.get(name).unwrap_or(&Value::none()), &mut sink);
    }
    for s in settings {
        sink.str(s);
    }
    sink.finish().to_le_bytes()
}

/// Feeds `v` to `out` unambiguously: a tag for its kind (strings: and whether they are
/// safe, i.e. not escaped), lengths before contents.
fn encode(v: &Value, out: &mut Sink) {
    if let Some(s) = v.as_str() {
        out.bytes(if v.is_safe() { b"S" } else { b"s" });
        out.str(s);
    } else if let Some(items) = v.as_array() {
        out.bytes(b"[");
        out.bytes(&(items.len() as u64).to_le_bytes());
        items.iter().for_each(|i| encode(i, out));
    } else if let Some(map) = v.as_map() {
        out.bytes(b"{");
        out.bytes(&(map.len() as u64).to_le_bytes());
        for (k, v) in map {
            match k.as_str() {
                Some(k) => out.str(k),
                None => out.str(&format!("{k:?}")),
            }
            encode(v, out);
        }
    } else if let Some(b) = v.as_bool() {
        out.bytes(if b { b"T" } else { b"F" });
    } else if v.is_none() || v.is_undefined() {
        out.bytes(b"0");
    } else {
        // Numbers and bytes: their kind and their text.
        out.bytes(b"#");
        out.str(&format!("{:?}:{v}", v.kind()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(pairs: &[(&'static str, Value)]) -> String {
        let mut k = Keyed::new(true);
        for (n, v) in pairs {
            k.insert_value(n, v.clone());
        }
        k.key(&[0; 16], "brief.html").unwrap()
    }

    #[test]
    fn keys_change_with_anything_a_page_reads() {
        let title = |t: &str| Value::from_serializable(&serde_json::json!({"title": t, "tags": ["a", "b"], "n": 3}));
        let base = key_of(&[("brief", title("Meta talks to Google"))]);
        assert_eq!(base, key_of(&[("brief", title("Meta talks to Google"))]), "the same context, the same key");
        assert_ne!(base, key_of(&[("brief", title("Meta talks to Googl"))]));
        assert_ne!(base, key_of(&[("page", title("Meta talks to Google"))]), "the name counts");
        assert_ne!(key_of(&[("a", Value::from("bc"))]), key_of(&[("ab", Value::from("c"))]), "no ambiguity");
        assert_ne!(key_of(&[("a", Value::from("<b>"))]), key_of(&[("a", Value::safe_string("<b>"))]), "escaping counts");
        assert_ne!(key_of(&[("a", Value::from(1u64))]), key_of(&[("a", Value::from(1.0f64))]));
        assert_ne!(key_of(&[("a", Value::none())]), key_of(&[("a", Value::from(false))]));
        let key = |shared: &[u8; 16], template: &str| {
            let mut k = Keyed::new(true);
            k.insert_value("brief", title("x"));
            k.key(shared, template)
        };
        assert_ne!(key(&[0; 16], "brief.html"), key(&[1; 16], "brief.html"), "what pages share counts");
        assert_ne!(key(&[0; 16], "brief.html"), key(&[0; 16], "page.html"), "the template counts");
        assert_eq!(Keyed::new(false).key(&[0; 16], "brief.html"), None);
        let made = std::cell::Cell::new(0);
        let cards = |parts: &[[u8; 16]]| {
            let mut k = Keyed::new(true);
            k.insert_made_of("briefs", parts, || {
                made.set(made.get() + 1);
                Ok(Value::from("the cards"))
            })
            .unwrap();
            let key = k.key(&[0; 16], "index.html");
            (key, k)
        };
        let (a, b) = (serialized_key("card a", &[]), serialized_key("card b", &[]));
        assert_ne!(cards(&[a, b]).0, cards(&[b, a]).0, "the order of cards counts");
        assert_ne!(cards(&[a]).0, cards(&[a, a]).0);
        assert_eq!(made.get(), 0, "nothing made for a key alone");
        let context = cards(&[a]).1.into_context().unwrap();
        assert_eq!((made.get(), context.get("briefs")), (1, Some(&Value::from("the cards"))), "made for the page");
        assert_ne!(serialized_key("card a", &[a]), serialized_key("card a", &[b]), "what is added counts");
        assert_ne!(serialized_key(&("a", "b"), &[]), serialized_key(&("ab", ""), &[]), "no ambiguity");
    }

    #[test]
    fn shared_keys_change_with_templates_and_globals() {
        let mut globals = Context::new();
        globals.insert("site", &serde_json::json!({"title": "AI Briefing"}));
        let one = shared(&[("base.html", "<html>")], &globals, &["site"], &["Europe/Paris"]);
        assert_eq!(one, shared(&[("base.html", "<html>")], &globals, &["site"], &["Europe/Paris"]));
        assert_ne!(one, shared(&[("base.html", "<html lang>")], &globals, &["site"], &["Europe/Paris"]));
        assert_ne!(one, shared(&[("base.html", "<html>")], &globals, &["site"], &["UTC"]));
        globals.insert("site", &serde_json::json!({"title": "AI Briefing!"}));
        assert_ne!(one, shared(&[("base.html", "<html>")], &globals, &["site"], &["Europe/Paris"]));
    }
}
