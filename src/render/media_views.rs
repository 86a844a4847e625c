//! Images as templates see them: a lead image, logo or portrait (`image`), its thumbnail
//! on cards, and the share image of a page (`share_image`: the lead image's widest variant,
//! or the brief's generated card).

use serde::Serialize;

use crate::content::media::{Format, SIZES};
use crate::render::views::Views;
use crate::site::{BriefId, Lead};

/// `sizes` of a thumbnail on a card.
const THUMB_SIZES: &str = "(min-width: 40rem) 10rem, 30vw";

/// An image on a page or a card.
#[derive(Serialize)]
pub struct ImageView<'a> {
    /// The whole `<picture>` (or `<img>`), sized and loaded as fits its place: print with `| safe`.
    pub html: String,
    /// Root-relative URL of its widest variant in its own format.
    pub src: String,
    /// `srcset` in its own format (empty for GIF and SVG).
    pub srcset: String,
    /// `srcset` in WebP (empty for GIF and SVG).
    pub webp_srcset: String,
    /// `sizes` that goes with the two.
    pub sizes: &'static str,
    /// Width and height of the original, in pixels.
    pub width: u32,
    /// See `width`.
    pub height: u32,
    /// Text alternative.
    pub alt: &'a str,
    /// Caption.
    pub caption: Option<&'a str>,
    /// Credit.
    pub credit: Option<&'a str>,
}

/// The image a page is shared with (`og:image`).
#[derive(Serialize)]
pub struct ShareImage {
    /// Absolute URL.
    pub url: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Its media type.
    pub mime: &'static str,
    /// Text alternative.
    pub alt: String,
}

impl<'a> Views<'a> {
    /// `lead` at the top of a page (eager) or as a card's thumbnail (lazy).
    pub fn image(&self, lead: &'a Lead, on_page: bool) -> ImageView<'a> {
        let p = &lead.picture;
        let base = self.site.config.base_path();
        let sizes = if on_page { SIZES } else { THUMB_SIZES };
        ImageView {
            html: p.html_sized(base, &lead.alt, on_page, sizes),
            src: format!("{base}{}", p.largest().0),
            srcset: p.srcset(base, p.info.format),
            webp_srcset: p.srcset(base, Format::Webp),
            sizes,
            width: p.info.width,
            height: p.info.height,
            alt: &lead.alt,
            caption: lead.caption.as_deref(),
            credit: lead.credit.as_deref(),
        }
    }

    /// The share image of an image (none for SVG, which social networks do not show).
    pub fn share_of(&self, lead: &Lead) -> Option<ShareImage> {
        let (path, width, height, mime) = lead.share()?;
        Some(ShareImage { url: self.site.config.absolute(&path), width, height, mime, alt: lead.alt.clone() })
    }

    /// A brief's share image: its lead image, else its card when the site makes cards.
    pub fn brief_share(&self, id: BriefId) -> Option<ShareImage> {
        let b = self.site.brief(id);
        let (path, width, height, mime) = self.site.share_image(b)?;
        let alt = b.image.as_ref().map_or_else(|| b.title.clone(), |l| l.alt.clone());
        Some(ShareImage { url: self.site.config.absolute(&path), width, height, mime, alt })
    }
}
