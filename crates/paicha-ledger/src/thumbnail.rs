//! Thumbnails of hazard photos, for devices that pull hazards they did not find (issue 18): a
//! tablet holds a small picture of every open hazard of its region at once and fetches the
//! full photo only for what it re-inspects. Made on first request and kept (`thumbnails`
//! table): a photo is decoded once, however many devices pull it.
//!
//! A thumbnail is a preview, not evidence: the full photo is what its hash names and what a
//! re-inspector checks against.

use image::codecs::jpeg::JpegEncoder;
use std::io::Cursor;

/// The longest side of a thumbnail, in pixels: the app shows it in an 8 rem (128 CSS px)
/// square, sharp on a 2× screen.
pub const LONGEST_SIDE: u32 = 256;
/// JPEG quality (1–100): 10–20 KB for a 256 × 192 picture of a site (`scripts/bench`).
pub const QUALITY: u8 = 65;
pub const MEDIA_TYPE: &str = "image/jpeg";

/// Photos larger than this (in either side) are refused rather than decoded: a device stores
/// at most 1600 px (the app's `photos::MAX_SIDE`), and a crafted bundle must not make the
/// ledger allocate gigabytes.
const MAX_SIDE: u32 = 12_000;
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ThumbnailError {
    #[error("照片无法解码，不能生成缩略图 / the photo cannot be decoded into a thumbnail: {0}")]
    Decode(String),
    #[error("缩略图编码失败 / the thumbnail could not be encoded: {0}")]
    Encode(String),
}

/// A JPEG of `photo` (JPEG, PNG or WebP bytes) whose longest side is at most
/// [`LONGEST_SIDE`], keeping its aspect ratio; a smaller photo keeps its size.
pub fn make(photo: &[u8]) -> Result<Vec<u8>, ThumbnailError> {
    let decode = |e: image::ImageError| ThumbnailError::Decode(e.to_string());
    let mut reader = image::ImageReader::new(Cursor::new(photo))
        .with_guessed_format()
        .map_err(|e| ThumbnailError::Decode(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let image = reader.decode().map_err(decode)?;
    let small = if image.width().max(image.height()) > LONGEST_SIDE {
        image.thumbnail(LONGEST_SIDE, LONGEST_SIDE)
    } else {
        image
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&small.into_rgb8())
        .map_err(|e| ThumbnailError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, RgbImage};

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn size_of(jpeg: &[u8]) -> (u32, u32) {
        let image = image::load_from_memory_with_format(jpeg, ImageFormat::Jpeg).unwrap();
        (image.width(), image.height())
    }

    #[test]
    fn a_photo_becomes_a_small_jpeg_of_the_same_shape() {
        for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP] {
            let photo = encoded(1600, 1200, format);
            let thumbnail = make(&photo).unwrap();
            assert_eq!(size_of(&thumbnail), (256, 192), "{format:?}");
            // A few kilobytes, whatever the photo weighed (a phone's is 200–600 KB).
            assert!(
                thumbnail.len() < 32 * 1024,
                "{format:?}: {} bytes",
                thumbnail.len()
            );
        }
        // Portrait, and a photo already small enough keeps its size.
        assert_eq!(
            size_of(&make(&encoded(900, 1600, ImageFormat::Jpeg)).unwrap()),
            (144, 256)
        );
        assert_eq!(
            size_of(&make(&encoded(200, 100, ImageFormat::Png)).unwrap()),
            (200, 100)
        );
    }

    #[test]
    fn what_is_not_a_photo_or_too_large_is_refused_with_a_reason() {
        let error = make(b"abc").unwrap_err();
        assert!(matches!(error, ThumbnailError::Decode(_)), "{error}");
        assert!(error.to_string().starts_with("照片无法解码"));
        // A PNG header claiming 20,000 × 20,000 pixels is not decoded.
        let mut huge = encoded(2, 2, ImageFormat::Png);
        huge[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        huge[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        assert!(matches!(make(&huge), Err(ThumbnailError::Decode(_))));
    }
}
