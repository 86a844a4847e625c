//! `chart`: a bar or line chart drawn at build time as inline SVG from CSV (a first column
//! of labels, then one numeric column per series), with a text alternative for screen
//! readers and the numbers as a table. Colours come from the theme's stylesheet (classes
//! `s1`...`s6`), so one drawing serves light and dark.

use std::fmt::Write;

use crate::content::html::escape_attr;

/// The data of a chart: column names, then rows of a label and one value per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The label column's name, then each series' name.
    pub headers: Vec<String>,
    /// Each row's label and values.
    pub rows: Vec<(String, Vec<f64>)>,
}

/// Reads CSV; an error gives the line (0-based, within the CSV) and what is wrong.
pub fn read_csv(text: &str) -> Result<Table, (usize, String)> {
    let data = text.trim_start_matches('\n');
    let skipped = text.len() - data.len();
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(data.as_bytes());
    let headers: Vec<String> = reader.headers().map_err(|e| (0, e.to_string()))?.iter().map(str::to_string).collect();
    if headers.len() < 2 {
        return Err((skipped, "a chart needs a label column and at least one column of numbers, such as `time,GOOGL`".into()));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| (skipped, e.to_string()))?;
        let line = skipped + record.position().map_or(0, |p| p.line() as usize - 1);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != headers.len() {
            return Err((line, format!("this row has {} values where the header names {}", record.len(), headers.len())));
        }
        let mut values = Vec::new();
        for (i, cell) in record.iter().enumerate().skip(1) {
            let v = cell.replace([',', '_'], "").parse::<f64>().ok().filter(|v| v.is_finite());
            values.push(v.ok_or_else(|| (line, format!("\"{cell}\" in column \"{}\" is not a number", headers[i])))?);
        }
        rows.push((record[0].to_string(), values));
    }
    if rows.is_empty() {
        return Err((skipped, "the chart has a header but no rows of data".into()));
    }
    Ok(Table { headers, rows })
}

const W: f64 = 640.0;
const H: f64 = 300.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;

/// The chart as inline SVG; `id` must be unique on the page.
pub fn svg(table: &Table, line: bool, title: &str, unit: Option<&str>, id: &str) -> String {
    let values = table.rows.iter().flat_map(|(_, v)| v.iter().copied());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if line { (lo, hi) } else { (lo.min(0.0), hi.max(0.0)) };
    let (start, step, ticks) = scale(lo, hi);
    let top = start + step * ticks as f64;
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - start) / (top - start));
    let mut s = String::with_capacity(2048);
    let _ = write!(
        s,
        r#"<svg class="chart-svg" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape_attr(title),
        escape_attr(&describe(table, line, unit))
    );
    for i in 0..=ticks {
        let v = start + step * i as f64;
        let (at, right, left) = (y(v), W - RIGHT, LEFT - 6.0);
        let _ = write!(s, r#"<line class="grid" x1="{LEFT}" x2="{right}" y1="{at:.1}" y2="{at:.1}"/><text class="tick" x="{left}" y="{:.1}" text-anchor="end">{}</text>"#, at + 4.0, number(v));
    }
    let n = table.rows.len();
    let band = (W - LEFT - RIGHT) / n as f64;
    let every = n.div_ceil(12);
    for (i, (label, _)) in table.rows.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(s, r#"<text class="label" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#, LEFT + band * (i as f64 + 0.5), H - BOTTOM + 18.0, escape_attr(label));
    }
    let series = table.headers.len() - 1;
    for k in 0..series {
        let class = format!("s{}", k % 6 + 1);
        if line {
            let points: Vec<String> = table.rows.iter().enumerate().map(|(i, (_, v))| format!("{:.1},{:.1}", LEFT + band * (i as f64 + 0.5), y(v[k]))).collect();
            let _ = write!(s, r#"<polyline class="{class}" fill="none" stroke-width="2.5" points="{}"/>"#, points.join(" "));
        } else {
            let width = band * 0.8 / series as f64;
            for (i, (_, v)) in table.rows.iter().enumerate() {
                let x = LEFT + band * (i as f64 + 0.1) + width * k as f64;
                let (a, b) = (y(v[k]), y(0.0_f64.max(start)));
                let _ = write!(s, r#"<rect class="{class}" x="{x:.1}" y="{:.1}" width="{width:.1}" height="{:.1}"/>"#, a.min(b), (a - b).abs());
            }
        }
        if series > 1 {
            let x = LEFT + 130.0 * k as f64;
            let _ = write!(s, r#"<rect class="{class}" x="{x}" y="6" width="12" height="12"/><text class="legend" x="{}" y="16">{}</text>"#, x + 16.0, escape_attr(&table.headers[k + 1]));
        }
    }
    s.push_str("</svg>");
    s
}

/// The chart in words, for readers who cannot see it.
fn describe(table: &Table, line: bool, unit: Option<&str>) -> String {
    let kind = if line { "Line chart" } else { "Bar chart" };
    let unit = unit.map(|u| format!(" {u}")).unwrap_or_default();
    let parts: Vec<String> = (1..table.headers.len())
        .map(|k| {
            let points: Vec<String> = table.rows.iter().map(|(l, v)| format!("{l}: {}{unit}", number(v[k - 1]))).collect();
            format!("{}, {}", table.headers[k], points.join("; "))
        })
        .collect();
    format!("{kind} by {}. {}.", table.headers[0], parts.join(". "))
}

/// The data as an HTML table.
pub fn html_table(table: &Table) -> String {
    let mut s = String::from("<table><thead><tr>");
    for h in &table.headers {
        let _ = write!(s, "<th scope=\"col\">{}</th>", escape_attr(h));
    }
    s.push_str("</tr></thead><tbody>");
    for (label, values) in &table.rows {
        let _ = write!(s, "<tr><th scope=\"row\">{}</th>", escape_attr(label));
        for v in values {
            let _ = write!(s, "<td>{}</td>", number(*v));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

/// An axis from `lo` to `hi` in round steps: its start, step and number of steps.
fn scale(lo: f64, hi: f64) -> (f64, f64, usize) {
    let span = if hi > lo { hi - lo } else { hi.abs().max(1.0) };
    let raw = span / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let ticks = (((hi - start) / step).ceil() as usize).max(1);
    (start, step, ticks)
}

/// A number as a reader writes it: no trailing zeros, at most two decimals.
fn number(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_csv_and_locates_mistakes() {
        let t = read_csv("\ntime,GOOGL\n8:00,170.5\n\"9:00\",\"1,172.4\"\n").expect("good data");
        assert_eq!(t.headers, ["time", "GOOGL"]);
        assert_eq!(t.rows[1], ("9:00".to_string(), vec![1172.4]));
        assert_eq!(read_csv("time,GOOGL\n8:00,170\n9:00,up\n").unwrap_err(), (2, "\"up\" in column \"GOOGL\" is not a number".into()));
        assert_eq!(read_csv("time,GOOGL\n8:00,1,2\n").unwrap_err().0, 1);
    }

    #[test]
    fn draws_bars_lines_and_words() {
        let t = read_csv("quarter,Revenue,Costs\nQ1,10,4\nQ2,14,5\n").expect("data");
        let bars = svg(&t, false, "Revenue & costs", Some("$bn"), "c1");
        assert_eq!(bars.matches("<rect class=\"s").count(), 4 + 2, "four bars and two legend keys");
        assert!(bars.contains("<title id=\"c1-t\">Revenue &amp; costs</title>"));
        assert!(bars.contains("Bar chart by quarter. Revenue, Q1: 10 $bn; Q2: 14 $bn. Costs, Q1: 4 $bn; Q2: 5 $bn."));
        let lines = svg(&t, true, "x", None, "c2");
        assert_eq!(lines.matches("<polyline").count(), 2);
        assert_eq!(scale(0.0, 14.0), (0.0, 5.0, 3));
        assert!(html_table(&t).contains("<tr><th scope=\"row\">Q2</th><td>14</td><td>5</td></tr>"));
    }
}
