//! Finding shortcodes in a body: `{{ name(key="value", n=3) }}` and the block form
//! `{% name(key="value") %}Markdown{% end %}`. Each is replaced by a marker
//! (`<!--sc:0-->`) that the renderer swaps for the shortcode's HTML; [`Shifts`] maps a byte
//! of the new text back to the body as written, so that every message keeps its place.

use std::borrow::Cow;

use super::{LinkError, LinkProblem};

/// A value given to a shortcode.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `"text"` or `'text'`.
    Str(String),
    /// `3`, `-1.5`.
    Num(f64),
    /// `true`, `false`.
    Bool(bool),
}

impl Value {
    /// The value as text (numbers and booleans as written).
    pub fn text(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Num(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// One shortcode as written.
#[derive(Debug, Clone)]
pub struct Call {
    /// Its name.
    pub name: String,
    /// Its arguments, in order.
    pub args: Vec<(String, Value)>,
    /// The block form's body and where it starts in the body as written.
    pub body: Option<(usize, String)>,
    /// Where it starts in the body as written.
    pub offset: usize,
}

impl Call {
    /// The argument `key`, if given.
    pub fn arg(&self, key: &str) -> Option<&Value> {
        self.args.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// The marker that stands for call `n` in the text handed to the Markdown parser.
pub fn marker(n: usize) -> String {
    format!("<!--sc:{n}-->")
}

/// The number of the call a piece of raw HTML stands for, when it is only a marker.
pub fn marker_at(html: &str) -> Option<(usize, usize, usize)> {
    let start = html.find("<!--sc:")?;
    let digits = &html[start + 7..];
    let len = digits.find("-->")?;
    let n = digits[..len].parse().ok()?;
    Some((start, start + 7 + len + 3, n))
}

/// Where each piece of the new text came from: `(start in new text, start in old text)`.
#[derive(Debug, Default)]
pub struct Shifts(Vec<(usize, usize)>);

impl Shifts {
    /// The offset in the body as written of byte `at` of the new text.
    pub fn original(&self, at: usize) -> usize {
        match self.0.iter().rev().find(|(new, _)| *new <= at) {
            Some((new, old)) => old + (at - new),
            None => at,
        }
    }
}

/// The body with each shortcode replaced by its marker, the calls, and where they were.
pub fn find<'b>(body: &'b str, problems: &mut Vec<LinkProblem>) -> (Cow<'b, str>, Vec<Call>, Shifts) {
    if !body.contains("{{") && !body.contains("{%") {
        return (Cow::Borrowed(body), Vec::new(), Shifts::default());
    }
    let mut out = String::with_capacity(body.len());
    let mut calls = Vec::new();
    let mut shifts = Shifts::default();
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = next_opening(body, at) {
        match parse(body, found) {
            Ok(None) => at = found + 2,
            Ok(Some((call, end))) => {
                out.push_str(&body[copied..found]);
                out.push_str(&marker(calls.len()));
                calls.push(call);
                shifts.0.push((out.len(), end));
                copied = end;
                at = end;
            }
            Err((offset, error)) => {
                problems.push(LinkProblem::error(offset, error));
                at = found + 2;
            }
        }
    }
    if calls.is_empty() {
        return (Cow::Borrowed(body), calls, shifts);
    }
    out.push_str(&body[copied..]);
    (Cow::Owned(out), calls, shifts)
}

/// The next `{{` or `{%` at or after `from` that is not inside code.
fn next_opening(body: &str, from: usize) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = from;
    while i + 1 < bytes.len() {
        let line_start = i == 0 || bytes[i - 1] == b'\n';
        if line_start {
            let line = &body[i..body[i..].find('\n').map_or(body.len(), |e| i + e)];
            let fence = line.trim_start();
            if fence.starts_with("```") || fence.starts_with("~~~") {
                let mark = &fence[..3];
                let after = i + line.len();
                let close = body[after..].find(&format!("\n{mark}")).or_else(|| body[after..].find(&format!("\n {mark}")));
                i = close.map_or(body.len(), |c| after + c + 1 + mark.len());
                continue;
            }
        }
        match bytes[i] {
            b'`' => {
                let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
                let ticks = &body[i..i + run];
                i = body[i + run..].find(ticks).map_or(i + run, |e| i + run + e + run);
            }
            b'{' if bytes[i + 1] == b'{' || bytes[i + 1] == b'%' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

type Failure = (usize, LinkError);

/// The shortcode at `start` and the byte after it; `None` when the braces open no shortcode.
fn parse(body: &str, start: usize) -> Result<Option<(Call, usize)>, Failure> {
    let block = body.as_bytes()[start + 1] == b'%';
    let mut p = Cursor { text: body, at: start + 2 };
    p.spaces();
    let name = p.ident();
    if name.is_empty() || !p.eat("(") {
        return Ok(None);
    }
    let args = p.args()?;
    p.spaces();
    let close = if block { "%}" } else { "}}" };
    if !p.eat(close) {
        return Err(p.fail(format!("the shortcode {name}(...) is not closed with {close}"), format!("write it as {{{{ {name}(...) }}}}")));
    }
    let mut call = Call { name, args, body: None, offset: start };
    if !block {
        return Ok(Some((call, p.at)));
    }
    let Some((end_at, end_len)) = find_end(body, p.at) else {
        let message = format!("the shortcode {{% {}(...) %}} has no {{% end %}}", call.name);
        return Err((start, LinkError::new(message, "end its body with {% end %} on a line of its own")));
    };
    call.body = Some((p.at, body[p.at..end_at].to_string()));
    Ok(Some((call, end_at + end_len)))
}

/// The `{% end %}` after `from`: where it starts and how long it is.
fn find_end(body: &str, from: usize) -> Option<(usize, usize)> {
    let mut at = from;
    while let Some(i) = body[at..].find("{%") {
        let start = at + i;
        let rest = &body[start + 2..];
        let inner = rest.trim_start();
        if let Some(after) = inner.strip_prefix("end") {
            let after = after.trim_start();
            if after.starts_with("%}") {
                return Some((start, body.len() - start - (after.len() - 2)));
            }
        }
        at = start + 2;
    }
    None
}

/// A reading position in a body.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn spaces(&mut self) {
        self.at += self.rest().len() - self.rest().trim_start().len();
    }

    fn eat(&mut self, s: &str) -> bool {
        let ok = self.rest().starts_with(s);
        if ok {
            self.at += s.len();
        }
        ok
    }

    fn ident(&mut self) -> String {
        let n = self.rest().bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        let id = self.rest()[..n].to_string();
        self.at += n;
        id
    }

    fn fail(&self, message: String, hint: impl Into<String>) -> Failure {
        (self.at, LinkError::new(message, hint))
    }

    /// `key="value", n=3)`: the arguments, up to and including the closing parenthesis.
    fn args(&mut self) -> Result<Vec<(String, Value)>, Failure> {
        let mut args: Vec<(String, Value)> = Vec::new();
        loop {
            self.spaces();
            if self.eat(")") {
                return Ok(args);
            }
            let key = self.ident();
            self.spaces();
            if key.is_empty() || !self.eat("=") {
                return Err(self.fail("expected an argument such as key=\"value\"".into(), "arguments are name=value pairs separated by commas: figure(src=\"chart.png\", alt=\"...\")"));
            }
            self.spaces();
            let value = self.value()?;
            if args.iter().any(|(k, _)| *k == key) {
                return Err(self.fail(format!("the argument `{key}` is given twice"), "keep one of them"));
            }
            args.push((key, value));
            self.spaces();
            if !self.eat(",") && !self.rest().starts_with(')') {
                return Err(self.fail("expected `,` or `)` after an argument".into(), "separate arguments with commas and close the list with )"));
            }
        }
    }

    fn value(&mut self) -> Result<Value, Failure> {
        let rest = self.rest();
        if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let mut text = String::new();
            let mut chars = rest[1..].char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => text.extend(chars.next().map(|(_, c)| c)),
                    c if c == q => {
                        self.at += i + 2;
                        return Ok(Value::Str(text));
                    }
                    c => text.push(c),
                }
            }
            return Err(self.fail("this text is not closed".into(), format!("end it with {q}")));
        }
        let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')).collect();
        let value = match word.as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            w => w.parse::<f64>().ok().map(Value::Num),
        };
        match value {
            Some(v) => {
                self.at += word.len();
                Ok(v)
            }
            None => Err(self.fail(format!("`{word}` is not a value"), "put text in quotes: key=\"value\"; numbers and true/false need none")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_both_forms_and_keeps_code_alone() {
        let body = "A {{ toc() }}\n\n{% quote(by=\"andy-stone\", n=2, ok=true) %}\nNot **true**.\n{% end %}\n\n`{{ x() }}`\n\n```\n{{ y() }}\n```\n";
        let mut problems = Vec::new();
        let (text, calls, shifts) = find(body, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[1].args, [("by".into(), Value::Str("andy-stone".into())), ("n".into(), Value::Num(2.0)), ("ok".into(), Value::Bool(true))]);
        assert_eq!(calls[1].body.as_ref().map(|b| b.1.as_str()), Some("\nNot **true**.\n"));
        assert_eq!(text, "A <!--sc:0-->\n\n<!--sc:1-->\n\n`{{ x() }}`\n\n```\n{{ y() }}\n```\n");
        let at = text.find("`{{").expect("code");
        assert_eq!(&body[shifts.original(at)..][..4], "`{{ ");
    }

    #[test]
    fn mistakes_are_located() {
        let mut problems = Vec::new();
        let body = "x {{ figure(src=\"a.png\" alt=\"b\") }} and {% quote(by=\"x\") %}never ended";
        let (_, calls, _) = find(body, &mut problems);
        assert!(calls.is_empty());
        assert_eq!(problems.len(), 2);
        assert_eq!(&body[problems[0].offset..][..3], "alt");
        assert!(problems[1].error.message.contains("has no {% end %}"));
    }
}
