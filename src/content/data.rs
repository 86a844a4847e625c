//! Data files: `data/*.csv`, `*.json`, `*.yaml` (`*.yml`) and `*.toml`, each read once and
//! handed to templates as `data.<file stem>`. CSV becomes a list of rows, each a map from
//! the header's names to the row's values (numbers as numbers). A malformed file is an
//! error at its line and column.

use std::path::Path;

use serde_json::{Map, Value};

use crate::content::diag::{Diagnostic, Diagnostics};

/// Reads every data file under `root/data`, by file stem, in name order.
pub fn load(root: &Path, shown: &dyn Fn(&Path) -> std::path::PathBuf, diags: &mut Diagnostics) -> Map<String, Value> {
    let mut out = Map::new();
    let Ok(dir) = std::fs::read_dir(root.join("data")) else { return out };
    let mut files: Vec<std::path::PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    files.sort();
    for path in files {
        let (Some(stem), Some(ext)) = (path.file_stem().and_then(|s| s.to_str()), path.extension().and_then(|e| e.to_str())) else { continue };
        let shown_path = shown(path.strip_prefix(root).unwrap_or(&path));
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::error(&shown_path, 0, 0, format!("cannot read it: {e}")));
                continue;
            }
        };
        let parsed = match ext {
            "csv" => csv_rows(&text),
            "json" => serde_json::from_str(&text).map_err(|e| (e.line(), e.column(), e.to_string())),
            "yaml" | "yml" => serde_yaml::from_str(&text).map_err(|e| {
                let (l, c) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                (l, c, e.to_string())
            }),
            "toml" => toml::from_str::<Value>(&text).map_err(|e| {
                let at = e.span().map_or(0, |s| s.start);
                let (l, c) = crate::content::diag::line_col(&text, at);
                (l, c, e.message().to_string())
            }),
            _ => continue,
        };
        match parsed {
            Ok(_) if out.contains_key(stem) => {
                diags.push(Diagnostic::error(&shown_path, 0, 0, format!("another data file is also named \"{stem}\"")).with_hint("data files are named by their stem: rename one"));
            }
            Ok(value) => {
                out.insert(stem.to_string(), value);
            }
            Err((line, col, message)) => {
                diags.push(Diagnostic::error(&shown_path, line, col, message).with_hint("fix the file, or move it out of data/").with_source(&text));
            }
        }
    }
    out
}

/// CSV as a list of maps from the header's names to the row's values.
fn csv_rows(text: &str) -> Result<Value, (usize, usize, String)> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().map_err(|e| (1, 1, e.to_string()))?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            (line, 1, format!("{e}").split(": ").last().unwrap_or("malformed row").to_string())
        })?;
        let row: Map<String, Value> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.clone(), v.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or_else(|| Value::from(v), Value::Number)))
            .collect();
        rows.push(Value::Object(row));
    }
    Ok(Value::Array(rows))
}
