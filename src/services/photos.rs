//! The photo store. Photos of findings: taken with the camera or picked from the gallery, down-scaled on the
//! device (longest side at most 1600 px, JPEG quality 0.8, EXIF orientation applied), stored
//! offline in the IndexedDB store `photos` keyed by the SHA-256 (hex) of the stored bytes, and
//! referenced from the answer by that hash.
//!
//! Durability: the photo is written in its own durable transaction first; only then does the
//! answer refer to it, and the persistence Effect writes the answer. A failed photo write (e.g.
//! storage full) is reported naming the photo and changes nothing else.
//!
//! Keeping: a file stays while a record refers to it. Sealed inspections are never removed,
//! so a bundle's photos stay on the device until, and by default after, the ledger has
//! confirmed every one of them; with the device setting "free photos once the ledger holds
//! them" on, they are deleted once that confirmation is stored ([`free_delivered`],
//! `Model::photos_to_free`): the device then shows that the ledger holds them
//! (`Model::held_by_ledger`) instead of the photo. A photo no record refers to any more (removed from an answer, a signature
//! drawn again, a write whose record never followed) is deleted: at once when the change that
//! dropped it is stored ([`delete_when_unused`]), and at start-up ([`prune`]).

use crate::model::Model;
use crate::model::persist;
use crate::platform::storage::{self, Db, StorageError};
use js_sys::{Array, ArrayBuffer, Object, Promise, Reflect, Uint8Array};
use leptos::prelude::*;
use paicha_core::{Attachment, sha256_hex};
use std::collections::HashSet;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement};

/// Longest side of a stored photo, in pixels.
pub const MAX_SIDE: u32 = 1600;
/// JPEG quality of stored photos (0..1).
pub const JPEG_QUALITY: f64 = 0.8;
pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";

/// The size a `width`×`height` image is scaled to so that its longest side is at most `max`,
/// keeping the aspect ratio; images already small enough keep their size.
pub fn target_size(width: u32, height: u32, max: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max || longest == 0 {
        return (width, height);
    }
    let scale = f64::from(max) / f64::from(longest);
    let side = |n: u32| ((f64::from(n) * scale).round() as u32).clamp(1, max);
    if width >= height {
        (max, side(height))
    } else {
        (side(width), max)
    }
}

/// The media type of image bytes, from their signature.
pub fn media_type_of(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(JPEG)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PNG)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// A short form of a hash for messages.
pub fn short(sha256: &str) -> &str {
    &sha256[..sha256.len().min(12)]
}

pub async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, StorageError> {
    let buffer = JsFuture::from(blob.array_buffer()).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

pub fn bytes_blob(bytes: &[u8], media_type: &str) -> Result<Blob, StorageError> {
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let parts = Array::of1(&Uint8Array::from(bytes));
    Ok(Blob::new_with_u8_array_sequence_and_options(
        &parts, &options,
    )?)
}

/// The canvas's pixels encoded as `media_type` (with `quality` for JPEG).
pub async fn canvas_blob(
    canvas: &HtmlCanvasElement,
    media_type: &str,
    quality: Option<f64>,
) -> Result<Blob, StorageError> {
    let mut result = Ok(());
    let promise = Promise::new(&mut |resolve, reject| {
        let callback = Closure::once_into_js(move |blob: JsValue| {
            if blob.is_null() {
                let _ = reject.call1(
                    &JsValue::NULL,
                    &JsValue::from_str("图像编码失败 / the image could not be encoded"),
                );
            } else {
                let _ = resolve.call1(&JsValue::NULL, &blob);
            }
        });
        let quality = quality.map_or(JsValue::UNDEFINED, JsValue::from_f64);
        result = canvas.to_blob_with_type_and_encoder_options(
            callback.unchecked_ref(),
            media_type,
            &quality,
        );
    });
    result?;
    Ok(JsFuture::from(promise).await?.unchecked_into())
}

fn document() -> Result<web_sys::Document, StorageError> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| StorageError("no document".into()))
}

pub fn context_2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, StorageError> {
    canvas
        .get_context("2d")?
        .ok_or_else(|| StorageError("canvas 2d context unavailable".into()))?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| StorageError("canvas 2d context unavailable".into()))
}

/// Decodes an image file, applying its EXIF orientation.
pub async fn decode(blob: &Blob) -> Result<web_sys::ImageBitmap, StorageError> {
    let window = web_sys::window().ok_or_else(|| StorageError("no window".into()))?;
    let options = web_sys::ImageBitmapOptions::new();
    options.set_image_orientation(web_sys::ImageOrientation::FromImage);
    // Browsers without the `imageOrientation` option (older Safari) refuse it: decode without
    // it there (they apply the EXIF orientation by default or not at all).
    let with_options =
        match window.create_image_bitmap_with_blob_and_image_bitmap_options(blob, &options) {
            Ok(promise) => JsFuture::from(promise).await,
            Err(e) => Err(e),
        };
    let bitmap = match with_options {
        Ok(bitmap) => bitmap,
        Err(_) => JsFuture::from(window.create_image_bitmap_with_blob(blob)?)
            .await
            .map_err(|e| {
                StorageError(format!(
                    "无法读取图像 / the image cannot be read: {}",
                    StorageError::from(e)
                ))
            })?,
    };
    Ok(bitmap.unchecked_into())
}

/// A photo as stored: JPEG bytes and their pixel size.
#[derive(Debug, Clone, PartialEq)]
pub struct Processed {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Down-scales an image file on the device: upright (EXIF orientation applied), longest side
/// at most [`MAX_SIDE`], JPEG at [`JPEG_QUALITY`], transparent areas white.
pub async fn downscale(file: &Blob) -> Result<Processed, StorageError> {
    let bitmap = decode(file).await?;
    let (width, height) = target_size(bitmap.width(), bitmap.height(), MAX_SIDE);
    let canvas: HtmlCanvasElement = document()?.create_element("canvas")?.unchecked_into();
    canvas.set_width(width);
    canvas.set_height(height);
    let context = context_2d(&canvas)?;
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, f64::from(width), f64::from(height));
    let _ = Reflect::set(&context, &"imageSmoothingQuality".into(), &"high".into());
    let drawn = context.draw_image_with_image_bitmap_and_dw_and_dh(
        &bitmap,
        0.0,
        0.0,
        f64::from(width),
        f64::from(height),
    );
    bitmap.close();
    drawn?;
    let blob = canvas_blob(&canvas, JPEG, Some(JPEG_QUALITY)).await;
    // Release the pixels now rather than at the next garbage collection (phones are short
    // of memory with several 12-megapixel photos).
    canvas.set_width(0);
    canvas.set_height(0);
    let bytes = blob_bytes(&blob?).await?;
    Ok(Processed {
        bytes,
        width,
        height,
    })
}

/// Stores `bytes` under their SHA-256 in one durable transaction; returns the hash. Storing the
/// same bytes again writes the same record (content-addressed: one copy).
pub async fn store(db: &Db, bytes: &[u8], media_type: &str) -> Result<String, StorageError> {
    let sha256 = sha256_hex(bytes);
    let blob = bytes_blob(bytes, media_type)?;
    STORED.with(|s| s.borrow_mut().insert(sha256.clone()));
    db.put(storage::PHOTOS, &sha256, blob.into()).await?;
    Ok(sha256)
}

/// A stored photo: the device's own, else one of a pulled hazard.
pub async fn load(db: &Db, sha256: &str) -> Result<Option<Blob>, StorageError> {
    for store in [storage::PHOTOS, storage::PULLED_PHOTOS] {
        if let Some(blob) = db
            .get(store, sha256)
            .await?
            .and_then(|v| v.dyn_into::<Blob>().ok())
        {
            return Ok(Some(blob));
        }
    }
    Ok(None)
}

/// What the screen shows for a photo: the photo itself if stored, else the ledger's thumbnail
/// of a pulled hazard's photo (a preview, never evidence: [`attachments`] reads only photos).
pub async fn load_shown(db: &Db, sha256: &str) -> Result<Option<Blob>, StorageError> {
    if let Some(blob) = load(db, sha256).await? {
        return Ok(Some(blob));
    }
    thumbnail(db, sha256).await
}

/// The ledger's thumbnail of a pulled photo, if the device holds it.
pub async fn thumbnail(db: &Db, sha256: &str) -> Result<Option<Blob>, StorageError> {
    Ok(db
        .get(storage::PULLED_PHOTOS, &thumbnail_key(sha256))
        .await?
        .and_then(|v| v.dyn_into::<Blob>().ok()))
}

/// Where a pulled photo's thumbnail is kept in the `pulled_photos` store, beside the photos
/// (keyed by their hash).
pub fn thumbnail_key(sha256: &str) -> String {
    format!("thumbnail/{sha256}")
}

/// Stores a pulled hazard's photo (bytes already checked against `sha256`), or its thumbnail
/// under [`thumbnail_key`].
pub async fn store_pulled(
    db: &Db,
    key: &str,
    bytes: &[u8],
    media_type: &str,
) -> Result<(), StorageError> {
    let blob = bytes_blob(bytes, media_type)?;
    db.put(storage::PULLED_PHOTOS, key, blob.into()).await
}

/// Deletes the pulled photos and thumbnails none of `keep` (photo hashes) names (all of them
/// for an empty `keep`), in one transaction.
pub async fn prune_pulled(db: &Db, keep: &[String]) -> Result<(), StorageError> {
    let keep: std::collections::HashSet<String> = keep
        .iter()
        .flat_map(|sha| [sha.clone(), thumbnail_key(sha)])
        .collect();
    let gone: Vec<String> = stored_keys(db, storage::PULLED_PHOTOS)
        .await?
        .into_iter()
        .filter(|k| !keep.contains(k))
        .collect();
    delete_keys(db, storage::PULLED_PHOTOS, &gone).await
}

/// Every key of `store`.
async fn stored_keys(db: &Db, store: &str) -> Result<Vec<String>, StorageError> {
    let keys = db.read(&[storage::Read::GetAllKeys(store)]).await?;
    Ok(keys
        .first()
        .map(|v| {
            Array::from(v)
                .iter()
                .filter_map(|k| k.as_string())
                .collect()
        })
        .unwrap_or_default())
}

/// Deletes `keys` of `store` in one transaction (those already gone are no error).
async fn delete_keys(db: &Db, store: &str, keys: &[String]) -> Result<(), StorageError> {
    let deletes: Vec<(&str, &str)> = keys.iter().map(|k| (store, k.as_str())).collect();
    db.write(&[], &deletes).await
}

/// The stored files named by `hashes`, named as a version 2 payload's attachments (hash, size,
/// media type; their bytes travel beside the envelope), with the CRC-32 of each (what the
/// transfer archive's headers need, so that downloading it does not read the photos again).
/// One file at a time is read ([`Reader`]) and checked against its hash; its bytes are gone
/// before the next is read, so memory stays flat however many photos a bundle names.
pub async fn attachments(
    db: &Db,
    hashes: &[String],
) -> Result<(Vec<Attachment>, Vec<u32>), StorageError> {
    let mut out = Vec::with_capacity(hashes.len());
    let mut crcs = Vec::with_capacity(hashes.len());
    let mut reader = Reader::default();
    let mut bytes = Vec::new();
    for sha256 in hashes {
        let blob = load_own(db, sha256).await?;
        reader.read(&blob, &mut bytes).await?;
        check_hash(sha256, &sha256_hex(&bytes))?;
        crcs.push(paicha_core::archive::crc32(&bytes));
        let blob_type = blob.type_();
        out.push(Attachment {
            sha256: sha256.clone(),
            media_type: media_type_of(&bytes)
                .unwrap_or(blob_type.as_str())
                .to_string(),
            size: bytes.len() as u64,
            data: None,
        });
    }
    Ok((out, crcs))
}

/// Reads stored files into wasm memory through the Blob's byte stream, into one JS buffer
/// used again for every read of every file. `Blob.arrayBuffer()` makes a new buffer per photo,
/// and those pile up between garbage collections: reading 200 photos of 0.5 MB that way took
/// the page 30 to 40 MB more at its peak, this way 4 MB. Where the browser has no byte
/// streams it falls back to `arrayBuffer()`.
#[derive(Default)]
pub struct Reader {
    chunk: Option<ArrayBuffer>,
}

/// The reused buffer's size.
const CHUNK: u32 = 1 << 20;

fn method(target: &JsValue, name: &str) -> Result<js_sys::Function, StorageError> {
    Reflect::get(target, &name.into())?
        .dyn_into()
        .map_err(|_| StorageError(format!("{name} is not available")))
}

impl Reader {
    /// Reads `blob` into `out` (cleared first; its capacity is kept for the next file).
    pub async fn read(&mut self, blob: &Blob, out: &mut Vec<u8>) -> Result<(), StorageError> {
        out.clear();
        let options = Object::new();
        Reflect::set(&options, &"mode".into(), &"byob".into())?;
        let reader = method(blob, "stream")
            .and_then(|stream| Ok(stream.call0(blob)?))
            .and_then(|stream| Ok(method(&stream, "getReader")?.call1(&stream, &options)?));
        let (Ok(reader), Ok(read)) = (
            reader.clone(),
            reader.and_then(|reader| method(&reader, "read")),
        ) else {
            out.extend_from_slice(&blob_bytes(blob).await?);
            return Ok(());
        };
        let mut buffer = self
            .chunk
            .take()
            .unwrap_or_else(|| Uint8Array::new_with_length(CHUNK).buffer());
        loop {
            let pending = read.call1(&reader, &Uint8Array::new(&buffer))?;
            let result = JsFuture::from(Promise::from(pending)).await?;
            let done = Reflect::get(&result, &"done".into())?.is_truthy();
            // The read hands the buffer back (moved) with what it holds; a stream cancelled
            // under us ends without it.
            let value = Reflect::get(&result, &"value".into())?.dyn_into::<Uint8Array>();
            let value = match (value, done) {
                (Ok(value), _) => value,
                (Err(_), true) => return Ok(()),
                (Err(_), false) => {
                    return Err(StorageError(
                        "照片读取中断 / the photo's stream broke".into(),
                    ));
                }
            };
            buffer = value.buffer();
            if done {
                break;
            }
            out.extend_from_slice(&value.to_vec());
        }
        self.chunk = Some(buffer);
        Ok(())
    }
}

/// A stored photo a bundle names, or the error that names the one missing.
pub async fn load_own(db: &Db, sha256: &str) -> Result<Blob, StorageError> {
    load(db, sha256).await?.ok_or_else(|| {
        StorageError(format!(
            "照片 {} 不在本机存储中 / photo {sha256} is not stored on this device",
            short(sha256)
        ))
    })
}

/// Whether a stored file's bytes still hash to its name (`actual`: their SHA-256, hex).
pub fn check_hash(sha256: &str, actual: &str) -> Result<(), StorageError> {
    if actual == sha256 {
        return Ok(());
    }
    Err(StorageError(format!(
        "照片 {} 已损坏 / photo {sha256} is damaged: its bytes do not match its hash",
        short(sha256)
    )))
}

thread_local! {
    /// Files stored since the page was opened: never pruned by [`prune`], which could
    /// otherwise see one between its write and the record that refers to it.
    static STORED: std::cell::RefCell<HashSet<String>> = std::cell::RefCell::new(HashSet::new());
}

/// Deletes the stored files (photos, site signatures) that no record refers to any more
/// (`keep`: [`crate::model::Model::files_in_use`]) in one transaction, e.g. a photo removed from
/// an answer, or one stored just before the page closed and never referred to. Files stored
/// since the page was opened are left alone.
pub async fn prune(db: &Db, keep: &HashSet<String>) -> Result<(), StorageError> {
    let unused: Vec<String> = stored_keys(db, storage::PHOTOS)
        .await?
        .into_iter()
        .filter(|k| !keep.contains(k) && !STORED.with(|s| s.borrow().contains(k)))
        .collect();
    free(db, &unused).await
}

/// Deletes the stored file `sha256` once the change that dropped the last reference to it is
/// durably stored, if by then no record refers to it (if that write fails, the reference is
/// kept and so is the file).
pub fn delete_when_unused(db: Db, model: RwSignal<Model>, sha256: String) {
    persist::after_saved(move || {
        if model.try_with_untracked(|m| m.file_in_use(&sha256)) != Some(false) {
            return;
        }
        STORED.with(|s| s.borrow_mut().remove(&sha256));
        leptos::task::spawn_local(async move {
            if let Err(e) = db.write(&[], &[(storage::PHOTOS, &sha256)]).await {
                leptos::logging::warn!("unused photo {sha256} not deleted yet: {e}");
            }
        });
    });
}

/// Deletes the stored files `hashes` in one transaction (those already gone are no error).
pub async fn free(db: &Db, hashes: &[String]) -> Result<(), StorageError> {
    delete_keys(db, storage::PHOTOS, hashes).await
}

/// Once every change made so far (the ledger's last confirmation) is durably stored, deletes
/// the files the model then says may go: [`Model::photos_to_free`] (nothing while the setting
/// is off), or with `always` [`Model::freeable_photos`] (the person's "free now"); then
/// `done`.
pub fn free_delivered(db: Db, model: RwSignal<Model>, always: bool, done: impl FnOnce() + 'static) {
    persist::after_saved(move || {
        let Some(gone) = model.try_with_untracked(|m| {
            if always {
                m.freeable_photos()
            } else {
                m.photos_to_free()
            }
        }) else {
            return;
        };
        let gone: Vec<String> = gone.into_iter().collect();
        leptos::task::spawn_local(async move {
            if let Err(e) = free(&db, &gone).await {
                leptos::logging::warn!("delivered photos not freed yet: {e}");
            }
            done();
        });
    });
}

/// Each stored file of the device's own (photos, signatures) with its size in bytes (nothing
/// is read but the Blobs' sizes).
pub async fn stored_sizes(
    db: &Db,
) -> Result<std::collections::BTreeMap<String, f64>, StorageError> {
    let values = db
        .read(&[
            storage::Read::GetAllKeys(storage::PHOTOS),
            storage::Read::GetAll(storage::PHOTOS),
        ])
        .await?;
    let (Some(keys), Some(blobs)) = (values.first(), values.get(1)) else {
        return Ok(Default::default());
    };
    Ok(Array::from(keys)
        .iter()
        .zip(Array::from(blobs).iter())
        .filter_map(|(k, b)| {
            let size = Reflect::get(&b, &"size".into()).ok()?.as_f64()?;
            Some((k.as_string()?, size))
        })
        .collect())
}

/// How much the photos on this device occupy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoUsage {
    /// The device's own photos and signatures: (files, bytes).
    pub own: (usize, f64),
    /// Photos of hazards pulled from the ledger, with their thumbnails: (files, bytes).
    pub pulled: (usize, f64),
}

/// Counts and sizes of the stored files (the Blobs' sizes: nothing is read). `size` is read
/// with `Reflect` rather than web-sys's `Blob::size`, whose binding would grow the app shell's
/// glue.
pub async fn usage(db: &Db) -> Result<PhotoUsage, StorageError> {
    let values = db
        .read(&[
            storage::Read::GetAll(storage::PHOTOS),
            storage::Read::GetAll(storage::PULLED_PHOTOS),
        ])
        .await?;
    let sum = |v: Option<&JsValue>| {
        v.map(Array::from)
            .map(|a| {
                a.iter()
                    .filter_map(|b| Reflect::get(&b, &"size".into()).ok()?.as_f64())
                    .fold((0, 0.0), |(n, bytes), size| (n + 1, bytes + size))
            })
            .unwrap_or_default()
    };
    Ok(PhotoUsage {
        own: sum(values.first()),
        pulled: sum(values.get(1)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_side_becomes_at_most_1600_and_the_aspect_ratio_is_kept() {
        assert_eq!(target_size(4000, 3000, MAX_SIDE), (1600, 1200));
        assert_eq!(target_size(3000, 4000, MAX_SIDE), (1200, 1600));
        assert_eq!(target_size(1600, 900, MAX_SIDE), (1600, 900));
        assert_eq!(target_size(800, 600, MAX_SIDE), (800, 600));
        assert_eq!(target_size(10_000, 3, MAX_SIDE), (1600, 1));
        assert_eq!(target_size(4032, 3024, MAX_SIDE), (1600, 1200));
    }

    #[test]
    fn media_types_are_read_from_the_bytes() {
        assert_eq!(media_type_of(&[0xff, 0xd8, 0xff, 0xe0]), Some(JPEG));
        assert_eq!(media_type_of(b"\x89PNG\r\n\x1a\n...."), Some(PNG));
        assert_eq!(media_type_of(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(media_type_of(b"GIF89a"), None);
    }
}
