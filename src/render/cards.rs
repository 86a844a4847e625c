//! Share cards: the `social.png` of a brief without a lead image, 1200 × 630, with the
//! site's title, the headline, the date, the status and the companies.
//!
//! Drawn cheaply: flat colours and anti-aliased text from Liberation Sans (OFL, compiled in;
//! Latin, Greek and Cyrillic), into palette indices, encoded as an indexed-colour PNG with
//! the fast deflate of the `png` crate (about 25 kB and 0.4 ms a card). Glyphs are rasterised once per thread and size.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};

/// Width of a card.
pub const WIDTH: u32 = crate::site::paths::CARD_SIZE.0;
/// Height of a card.
pub const HEIGHT: u32 = crate::site::paths::CARD_SIZE.1;
/// Coverage levels of anti-aliased text, per colour: with the background, 16 colours,
/// four bits a pixel.
const LEVELS: u8 = 5;
const MARGIN: f32 = 80.0;

static BOLD: &[u8] = include_bytes!("../../themes/default/fonts/LiberationSans-Bold.ttf");
static REGULAR: &[u8] = include_bytes!("../../themes/default/fonts/LiberationSans-Regular.ttf");

/// The colours of a card: background, then the three inks (headline, details, accent).
#[derive(Debug, Clone, Copy, Hash)]
pub struct Style {
    /// Background.
    pub background: [u8; 3],
    /// The headline.
    pub text: [u8; 3],
    /// Site title, date and companies.
    pub muted: [u8; 3],
    /// The bar at the left and the status.
    pub accent: [u8; 3],
}

/// The default theme's card: its dark colours.
pub const STYLE: Style = Style { background: [0x14, 0x15, 0x18], text: [0xf4, 0xf2, 0xed], muted: [0xa5, 0xa9, 0xb0], accent: [0x7d, 0xb4, 0xf0] };

/// What a card says.
#[derive(Debug, Clone, Hash)]
pub struct CardText {
    /// The site's title.
    pub site: String,
    /// The brief's headline.
    pub headline: String,
    /// Its date, as the site writes dates.
    pub date: String,
    /// Its status, as the site names it (may be empty).
    pub status: String,
    /// The companies it is about, by name.
    pub companies: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Face {
    Bold,
    Regular,
}

#[derive(Clone, Copy)]
enum Ink {
    Text = 0,
    Muted = 1,
    Accent = 2,
}

fn font(face: Face) -> Option<&'static FontRef<'static>> {
    static FONTS: OnceLock<Option<(FontRef<'static>, FontRef<'static>)>> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| Some((FontRef::try_from_slice(BOLD).ok()?, FontRef::try_from_slice(REGULAR).ok()?))).as_ref()?;
    Some(match face {
        Face::Bold => &fonts.0,
        Face::Regular => &fonts.1,
    })
}

/// A glyph's coverage, in levels, placed relative to its origin on the baseline.
struct Raster {
    left: i32,
    top: i32,
    width: usize,
    coverage: Vec<u8>,
}

/// Rasterised glyphs by face, glyph and size (`None`: nothing to draw, a space).
type Glyphs = HashMap<(Face, u16, u16), Option<Rc<Raster>>>;

thread_local! {
    static GLYPHS: RefCell<Glyphs> = RefCell::new(HashMap::new());
}

fn raster(face: Face, id: ab_glyph::GlyphId, size: u16) -> Option<Rc<Raster>> {
    GLYPHS.with_borrow_mut(|cache| {
        cache
            .entry((face, id.0, size))
            .or_insert_with(|| {
                let glyph = id.with_scale_and_position(PxScale::from(f32::from(size)), ab_glyph::point(0.0, 0.0));
                let outline = font(face)?.outline_glyph(glyph)?;
                let b = outline.px_bounds();
                let width = b.width() as usize;
                let mut coverage = vec![0u8; width * b.height() as usize];
                outline.draw(|x, y, c| {
                    if let Some(p) = coverage.get_mut(y as usize * width + x as usize) {
                        *p = (c.clamp(0.0, 1.0) * f32::from(LEVELS)).round() as u8;
                    }
                });
                Some(Rc::new(Raster { left: b.min.x as i32, top: b.min.y as i32, width, coverage }))
            })
            .clone()
    })
}

/// A card being drawn: one palette index per pixel.
struct Canvas {
    pixels: Vec<u8>,
}

impl Canvas {
    fn fill(&mut self, x0: u32, x1: u32, ink: Ink) {
        let index = 1 + ink as u8 * LEVELS + (LEVELS - 1);
        for row in self.pixels.chunks_exact_mut(WIDTH as usize) {
            row[x0 as usize..x1 as usize].fill(index);
        }
    }

    /// Draws `text` with its left end at `x` and its baseline at `y`.
    fn text(&mut self, face: Face, size: u16, mut x: f32, y: f32, text: &str, ink: Ink) {
        let Some(f) = font(face) else { return };
        let scaled = f.as_scaled(PxScale::from(f32::from(size)));
        let mut prev = None;
        for c in text.chars() {
            let id = f.glyph_id(c);
            if let Some(p) = prev {
                x += scaled.kern(p, id);
            }
            if let Some(r) = raster(face, id, size) {
                self.blit(&r, x.round() as i32, y.round() as i32, ink);
            }
            x += scaled.h_advance(id);
            prev = Some(id);
        }
    }

    fn blit(&mut self, r: &Raster, x: i32, y: i32, ink: Ink) {
        let base = 1 + ink as u8 * LEVELS - 1;
        for (row, line) in r.coverage.chunks_exact(r.width.max(1)).enumerate() {
            let py = y + r.top + row as i32;
            if !(0..HEIGHT as i32).contains(&py) {
                continue;
            }
            for (col, &c) in line.iter().enumerate() {
                let px = x + r.left + col as i32;
                if c == 0 || !(0..WIDTH as i32).contains(&px) {
                    continue;
                }
                let p = &mut self.pixels[py as usize * WIDTH as usize + px as usize];
                let level = if *p == 0 { 0 } else { (*p - 1) % LEVELS + 1 };
                if c > level {
                    *p = base + c;
                }
            }
        }
    }
}

/// The width of `text` set in `face` at `size`.
fn width(face: Face, size: u16, text: &str) -> f32 {
    let Some(f) = font(face) else { return 0.0 };
    let scaled = f.as_scaled(PxScale::from(f32::from(size)));
    let mut prev = None;
    let mut w = 0.0;
    for c in text.chars() {
        let id = f.glyph_id(c);
        if let Some(p) = prev {
            w += scaled.kern(p, id);
        }
        w += scaled.h_advance(id);
        prev = Some(id);
    }
    w
}

/// `text` broken into lines no wider than `max` (a word too long for a line is broken
/// between characters).
fn wrap(face: Face, size: u16, text: &str, max: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if width(face, size, &candidate) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if width(face, size, &line) > max {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` cut to fit `max`, with an ellipsis when cut.
fn fit(face: Face, size: u16, text: &str, max: f32) -> String {
    if width(face, size, text) <= max {
        return text.to_string();
    }
    let mut out: String = text.to_string();
    while !out.is_empty() && width(face, size, &format!("{out}…")) > max {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

/// The headline in the largest size whose lines fit, the last line cut when none does.
fn headline_lines(text: &str) -> (u16, Vec<String>) {
    let max = WIDTH as f32 - 2.0 * MARGIN;
    for (size, most) in [(68, 4), (58, 5), (50, 6)] {
        let lines = wrap(Face::Bold, size, text, max);
        if lines.len() <= most {
            return (size, lines);
        }
    }
    let mut lines = wrap(Face::Bold, 50, text, max);
    let rest = lines.split_off(5).join(" ");
    lines.push(fit(Face::Bold, 50, &rest, max));
    (50, lines)
}

/// The card, as an indexed-colour PNG.
pub fn draw(text: &CardText, style: &Style) -> Result<Vec<u8>, String> {
    let mut canvas = Canvas { pixels: vec![0u8; (WIDTH * HEIGHT) as usize] };
    canvas.fill(0, 16, Ink::Accent);
    let max = WIDTH as f32 - 2.0 * MARGIN;
    canvas.text(Face::Regular, 32, MARGIN, 104.0, &fit(Face::Regular, 32, &text.site, max), Ink::Muted);
    let (size, lines) = headline_lines(&text.headline);
    let step = f32::from(size) * 1.18;
    for (i, line) in lines.iter().enumerate() {
        canvas.text(Face::Bold, size, MARGIN, 200.0 + step * i as f32, line, Ink::Text);
    }
    let mut x = MARGIN;
    let baseline = HEIGHT as f32 - 72.0;
    canvas.text(Face::Regular, 30, x, baseline, &text.date, Ink::Muted);
    x += width(Face::Regular, 30, &text.date);
    if !text.status.is_empty() {
        let status = format!("  ·  {}", text.status.to_uppercase());
        canvas.text(Face::Bold, 30, x, baseline, &status, Ink::Accent);
        x += width(Face::Bold, 30, &status);
    }
    if !text.companies.is_empty() {
        let companies = fit(Face::Regular, 30, &format!("  ·  {}", text.companies.join(", ")), WIDTH as f32 - MARGIN - x);
        canvas.text(Face::Regular, 30, x, baseline, &companies, Ink::Muted);
    }
    encode(&canvas.pixels, style)
}

fn palette(style: &Style) -> Vec<u8> {
    let mut p = style.background.to_vec();
    for ink in [style.text, style.muted, style.accent] {
        for level in 1..=LEVELS {
            for (bg, fg) in style.background.iter().zip(ink) {
                let t = f32::from(level) / f32::from(LEVELS);
                p.push((f32::from(*bg) + (f32::from(fg) - f32::from(*bg)) * t).round() as u8);
            }
        }
    }
    p
}

fn encode(pixels: &[u8], style: &Style) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(32 * 1024);
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Four);
    encoder.set_palette(palette(style));
    encoder.set_compression(png::Compression::Fast);
    // Text rows repeat the row above them more than the pixel before: `Up` halves the size.
    encoder.set_filter(png::Filter::Up);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    let packed: Vec<u8> = pixels.chunks_exact(2).map(|p| (p[0] << 4) | p[1]).collect();
    writer.write_image_data(&packed).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(headline: &str) -> image::RgbImage {
        let text = CardText {
            site: "AI Industry Briefing".into(),
            headline: headline.into(),
            date: "30 Oct 2025".into(),
            status: "denied".into(),
            companies: vec!["Meta".into(), "Alphabet".into()],
        };
        let png = draw(&text, &STYLE).unwrap();
        assert!(png.len() < 60_000, "{} bytes", png.len());
        image::load_from_memory(&png).unwrap().into_rgb8()
    }

    /// How many pixels of the headline's area are not background.
    fn inked(img: &image::RgbImage) -> usize {
        (150..450).flat_map(|y| (80..1120).map(move |x| (x, y))).filter(|(x, y)| img.get_pixel(*x, *y).0 != STYLE.background).count()
    }

    #[test]
    fn cards_are_1200_by_630_with_text() {
        let img = card("Meta held talks with Google about using Gemini for ads");
        assert_eq!(img.dimensions(), (1200, 630));
        assert_eq!(img.get_pixel(5, 300).0, STYLE.accent);
        assert!(inked(&img) > 5_000);
    }

    #[test]
    fn greek_and_cyrillic_have_glyphs() {
        let notdef = |c: char| [Face::Bold, Face::Regular].iter().any(|f| font(*f).unwrap().glyph_id(c).0 == 0);
        for c in "Ελληνικά Ωμέγα Русский Ёжик Ђорђе ÆØÅ ŁŻŚ ß".chars().filter(|c| !c.is_whitespace()) {
            assert!(!notdef(c), "no glyph for {c}");
        }
        assert!(inked(&card("Η Meta συζήτησε με την Google — Мета обсуждала с Google")) > 5_000);
    }

    #[test]
    fn long_headlines_are_cut_to_fit() {
        let (size, lines) = headline_lines(&"word ".repeat(200));
        assert_eq!((size, lines.len()), (50, 6));
        assert!(lines[5].ends_with('…'));
        let (size, lines) = headline_lines("Short");
        assert_eq!((size, lines), (68, vec!["Short".to_string()]));
    }
}
