//! Files that are not Markdown: a bundle's own files (the files beside an `index.md`),
//! the images of `static/`, and what each image is: its format and size, read from its
//! header. Nothing is decoded here; a file too large, too many pixels (a decompression
//! bomb), or unreadable is recorded as such, and reported where a page references it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::content::diag::Error;
use crate::content::html::escape_attr;
use crate::content::load::StaticSource;

/// The largest image file accepted.
pub const MAX_BYTES: u64 = 50 * 1000 * 1000;
/// The most pixels an image may have (checked before decoding).
pub const MAX_PIXELS: u64 = 40 * 1000 * 1000;

/// The image formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// WebP.
    Webp,
    /// GIF (published as it is: resizing would stop an animation).
    Gif,
    /// SVG (published as it is).
    Svg,
}

impl Format {
    /// Every format, in the order of their discriminants.
    pub const ALL: [Format; 5] = [Format::Png, Format::Jpeg, Format::Webp, Format::Gif, Format::Svg];

    /// The file extension of its variants.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Svg => "svg",
        }
    }

    /// Its media type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Svg => "image/svg+xml",
        }
    }

    /// Whether the build makes resized variants of it.
    pub fn resized(self) -> bool {
        matches!(self, Format::Png | Format::Jpeg | Format::Webp)
    }
}

/// What an image is, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImageInfo {
    /// Width in pixels, as shown (after the EXIF orientation of a JPEG).
    pub width: u32,
    /// Height in pixels, as shown.
    pub height: u32,
    /// Its format, from its bytes (not its name).
    pub format: Format,
}

/// A file a page may reference.
#[derive(Debug, Clone)]
pub struct MediaFile {
    /// Where its bytes are.
    pub disk: PathBuf,
    /// For an image (by its extension): what it is, or why it cannot be used.
    pub image: Option<Result<ImageInfo, String>>,
}

/// The files beside the Markdown.
#[derive(Debug, Default, Clone)]
pub struct Media {
    /// Files of bundles, by path under `content/` (`briefs/x/chart.png`).
    pub bundled: BTreeMap<String, MediaFile>,
    /// The images of `static/` (the site's and the theme's), by output path (`img/x.png`).
    pub statics: HashMap<String, MediaFile>,
    /// Every output path of `static/`, images or not.
    pub static_paths: HashSet<String>,
    /// Files under `content/` outside every bundle: published nowhere.
    pub stray: HashSet<String>,
}

/// The `sizes` of every picture: the default theme's column is 46rem less its padding.
pub const SIZES: &str = "(min-width: 46rem) 44rem, 100vw";

/// An image a page shows, and the variants the build makes of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// Site-relative path of the original (`briefs/x/chart.png`), published as it is.
    pub out: String,
    /// Where its bytes are.
    pub disk: PathBuf,
    /// Its format and size.
    pub info: ImageInfo,
    /// Widths of its resized variants, smallest first (none for GIF and SVG).
    pub widths: Vec<u32>,
}

impl Picture {
    /// The picture of an image at `out`, with variants at those of `widths` narrower than
    /// it, and at its own width when that is not past the widest (never upscaled).
    pub fn new(out: String, disk: PathBuf, info: ImageInfo, widths: &[u32]) -> Picture {
        let mut own: Vec<u32> = Vec::new();
        if info.format.resized() {
            own = widths.iter().copied().filter(|w| *w < info.width).collect();
            if widths.last().is_some_and(|max| info.width <= *max) {
                own.push(info.width);
            }
        }
        Picture { out, disk, info, widths: own }
    }

    /// Site-relative path of the variant `width` pixels wide in `format`
    /// (`briefs/x/chart-480w.webp`).
    pub fn variant(&self, width: u32, format: Format) -> String {
        let stem = self.out.rsplit_once('.').map_or(self.out.as_str(), |(s, _)| s);
        format!("{stem}-{width}w.{}", format.ext())
    }

    /// Height of the variant `width` pixels wide.
    pub fn height_at(&self, width: u32) -> u32 {
        ((u64::from(self.info.height) * u64::from(width) + u64::from(self.info.width) / 2) / u64::from(self.info.width)).max(1) as u32
    }

    /// Every file the build makes of it besides the original: (path, width, format).
    pub fn variants(&self) -> Vec<(String, u32, Format)> {
        let mut out = Vec::with_capacity(self.widths.len() * 2);
        for &w in &self.widths {
            out.push((self.variant(w, self.info.format), w, self.info.format));
            if self.info.format != Format::Webp {
                out.push((self.variant(w, Format::Webp), w, Format::Webp));
            }
        }
        out
    }

    /// The widest file in its own format (the fallback `src`, and the share image): its
    /// site-relative path, width and height.
    pub fn largest(&self) -> (String, u32, u32) {
        match self.widths.last() {
            Some(&w) => (self.variant(w, self.info.format), w, self.height_at(w)),
            None => (self.out.clone(), self.info.width, self.info.height),
        }
    }

    /// `srcset` in `format`, with URLs under `base` (`/` or `/briefing/`).
    pub fn srcset(&self, base: &str, format: Format) -> String {
        let parts: Vec<String> = self.widths.iter().map(|&w| format!("{base}{} {w}w", self.variant(w, format))).collect();
        parts.join(", ")
    }

    /// Its HTML: a `<picture>` with a WebP source and the original format's variants, sized,
    /// loaded lazily, or eagerly and first when it is a page's `lead` image.
    pub fn html(&self, base: &str, alt: &str, lead: bool) -> String {
        self.html_sized(base, alt, lead, SIZES)
    }

    /// Like [`Picture::html`], for a place `sizes` wide.
    pub fn html_sized(&self, base: &str, alt: &str, lead: bool, sizes: &str) -> String {
        let (src, _, _) = self.largest();
        let loading = if lead { r#"fetchpriority="high" decoding="async""# } else { r#"loading="lazy" decoding="async""# };
        let img = |srcset: &str| {
            let set = if srcset.is_empty() { String::new() } else { format!(r#" srcset="{srcset}" sizes="{sizes}""#) };
            format!(
                r#"<img src="{base}{src}"{set} width="{}" height="{}" alt="{}" {loading}>"#,
                self.info.width,
                self.info.height,
                escape_attr(alt)
            )
        };
        if self.widths.is_empty() {
            return img("");
        }
        if self.info.format == Format::Webp {
            return img(&self.srcset(base, Format::Webp));
        }
        format!(
            r#"<picture><source type="image/webp" srcset="{}" sizes="{sizes}">{}</picture>"#,
            self.srcset(base, Format::Webp),
            img(&self.srcset(base, self.info.format))
        )
    }
}

/// Whether a file name is an image's, by its extension.
pub fn is_image_name(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "webp" | "gif" | "svg")
}

/// Reads the files of `content/` that are not Markdown, sorting each into the bundle it
/// belongs to (`bundles`: folders under `content/` with an `index.md`, `briefs/x`), and
/// the headers of every image there and in `statics`.
pub fn scan(content: &Path, bundles: &HashSet<String>, statics: &[(String, StaticSource)]) -> Result<Media, Error> {
    let others = crate::content::walk::walk(content, &[])?.others;
    Ok(scan_files(content, others, bundles, statics))
}

/// Like [`scan`], with the files of `content/` that are not Markdown already found.
pub fn scan_files(content: &Path, others: Vec<PathBuf>, bundles: &HashSet<String>, statics: &[(String, StaticSource)]) -> Media {
    let mut media = Media::default();
    for path in others {
        let rel = path.strip_prefix(content).unwrap_or(&path);
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let in_bundle = std::iter::successors(rel.rsplit_once('/').map(|(d, _)| d), |d| d.rsplit_once('/').map(|(p, _)| p))
            .any(|d| bundles.contains(d));
        if in_bundle {
            media.bundled.insert(rel, MediaFile { disk: path, image: None });
        } else {
            media.stray.insert(rel);
        }
    }
    for (rel, src) in statics {
        media.static_paths.insert(rel.clone());
        if let (StaticSource::Disk(disk), true) = (src, is_image_name(rel)) {
            media.statics.insert(rel.clone(), MediaFile { disk: disk.clone(), image: None });
        }
    }
    let files = media.bundled.iter_mut().map(|(k, f)| (k.as_str(), f)).chain(media.statics.iter_mut().map(|(k, f)| (k.as_str(), f)));
    let images: Vec<&mut MediaFile> = files.filter(|(k, _)| is_image_name(k)).map(|(_, f)| f).collect();
    images.into_par_iter().for_each(|f| f.image = Some(read_info(&f.disk)));
    media
}

/// An image's format and size from its header, checked against the limits.
pub fn read_info(path: &Path) -> Result<ImageInfo, String> {
    let len = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?.len();
    if len > MAX_BYTES {
        return Err(format!("is {:.1} MB: an image may be at most 50 MB", len as f64 / 1e6));
    }
    let svg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let info = if svg { svg_info(path)? } else { raster_info(path)? };
    let pixels = u64::from(info.width) * u64::from(info.height);
    if pixels > MAX_PIXELS {
        return Err(format!(
            "is {} × {} pixels ({:.0} megapixels): an image may have at most 40 megapixels",
            info.width,
            info.height,
            pixels as f64 / 1e6
        ));
    }
    if info.width == 0 || info.height == 0 {
        return Err("has no pixels (its width or height is 0)".into());
    }
    Ok(info)
}

fn raster_info(path: &Path) -> Result<ImageInfo, String> {
    use image::ImageDecoder;
    let reader = image::ImageReader::open(path).map_err(|e| format!("cannot be read: {e}"))?;
    let reader = reader.with_guessed_format().map_err(|e| format!("cannot be read: {e}"))?;
    let format = match reader.format() {
        Some(image::ImageFormat::Png) => Format::Png,
        Some(image::ImageFormat::Jpeg) => Format::Jpeg,
        Some(image::ImageFormat::WebP) => Format::Webp,
        Some(image::ImageFormat::Gif) => Format::Gif,
        _ => return Err("is not a PNG, JPEG, WebP, GIF or SVG image (its first bytes match none of them)".into()),
    };
    let corrupt = |e: image::ImageError| format!("is not a readable {} image: {e}", format.ext().to_uppercase());
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (mut width, mut height) = decoder.dimensions();
    let turned = decoder.orientation().is_ok_and(|o| {
        use image::metadata::Orientation::*;
        matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
    });
    if turned {
        (width, height) = (height, width);
    }
    Ok(ImageInfo { width, height, format })
}

fn svg_info(path: &Path) -> Result<ImageInfo, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot be read as SVG text: {e}"))?;
    let (width, height) = svg_size(&text).ok_or_else(|| {
        "is an SVG without a size: give its <svg> element width and height, or a viewBox".to_string()
    })?;
    Ok(ImageInfo { width, height, format: Format::Svg })
}

/// The size of an SVG from its root element: `width` and `height` (in pixels or unitless),
/// else its `viewBox`.
pub fn svg_size(text: &str) -> Option<(u32, u32)> {
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let attr = |name: &str| -> Option<&str> {
        let at = tag.match_indices(name).find(|(i, _)| tag[..*i].ends_with(char::is_whitespace))?.0 + name.len();
        let rest = tag[at..].trim_start().strip_prefix('=')?.trim_start();
        let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        rest[1..].split(quote).next()
    };
    let number = |v: &str| -> Option<f64> { v.trim().trim_end_matches("px").trim().parse::<f64>().ok().filter(|n| *n > 0.0) };
    let size = match (attr("width").and_then(number), attr("height").and_then(number)) {
        (Some(w), Some(h)) => (w, h),
        _ => {
            let vb: Vec<f64> = attr("viewBox")?.split([' ', ',']).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect();
            match vb[..] {
                [_, _, w, h] if w > 0.0 && h > 0.0 => (w, h),
                _ => return None,
            }
        }
    };
    Some((size.0.round().max(1.0) as u32, size.1.round().max(1.0) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(width: u32, height: u32, format: Format) -> ImageInfo {
        ImageInfo { width, height, format }
    }

    #[test]
    fn variants_are_never_upscaled() {
        let widths = [480, 960, 1600];
        let p = |w| Picture::new("b/x/c.png".into(), PathBuf::new(), info(w, 500, Format::Png), &widths).widths;
        assert_eq!(p(1000), [480, 960, 1000]);
        assert_eq!(p(3000), [480, 960, 1600]);
        assert_eq!(p(300), [300]);
        assert_eq!(p(480), [480]);
        let gif = Picture::new("a.gif".into(), PathBuf::new(), info(900, 500, Format::Gif), &widths);
        assert!(gif.widths.is_empty());
        assert_eq!(gif.largest(), ("a.gif".to_string(), 900, 500));
    }

    #[test]
    fn picture_markup() {
        let p = Picture::new("briefs/x/c.png".into(), PathBuf::new(), info(1000, 500, Format::Png), &[480, 960]);
        let html = p.html("/sub/", "A \"chart\"", false);
        assert!(html.starts_with(r#"<picture><source type="image/webp" srcset="/sub/briefs/x/c-480w.webp 480w, /sub/briefs/x/c-960w.webp 960w""#));
        assert!(html.contains(r#"<img src="/sub/briefs/x/c-960w.png" srcset="/sub/briefs/x/c-480w.png 480w"#));
        assert!(html.contains(r#"width="1000" height="500" alt="A &quot;chart&quot;" loading="lazy""#));
        assert_eq!(p.height_at(480), 240);
        assert_eq!(p.variants().len(), 4);
        let lead = p.html("/", "a", true);
        assert!(lead.contains(r#"fetchpriority="high""#) && !lead.contains("lazy"));
    }

    #[test]
    fn svg_sizes() {
        assert_eq!(svg_size(r#"<?xml?><svg xmlns="x" width="640" height="360px">"#), Some((640, 360)));
        assert_eq!(svg_size(r#"<svg viewBox="0 0 1200 630" stroke-width="2">"#), Some((1200, 630)));
        assert_eq!(svg_size(r#"<svg width="100%" viewBox="0,0,30,20">"#), Some((30, 20)));
        assert_eq!(svg_size(r#"<svg width="50%">"#), None);
        assert_eq!(svg_size("no svg"), None);
    }
}
