//! Photos of findings: taken with the camera or picked from the gallery, down-scaled on the
//! device (longest side at most 1600 px, JPEG quality 0.8, EXIF orientation applied), stored
//! offline in the IndexedDB store `photos` keyed by the SHA-256 (hex) of the stored bytes, and
//! referenced from the answer by that hash.
//!
//! Durability: the photo is written in its own durable transaction first; only then does the
//! answer refer to it, and the persistence Effect writes the answer. A failed photo write (e.g.
//! storage full) is reported naming the photo and changes nothing else.

use crate::i18n::{localize, t, t_string};
use crate::model::{Model, RecordKey};
use crate::storage::{self, Db, StorageError};
use crate::use_app;
use js_sys::{Array, Promise, Reflect, Uint8Array};
use leptos::prelude::*;
use paicha_core::reinspection::HazardRef;
use paicha_core::{Attachment, Inspection, InspectionError, sha256_hex};
use std::sync::{Arc, Mutex};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement};

/// Longest side of a stored photo, in pixels.
pub const MAX_SIDE: u32 = 1600;
/// JPEG quality of stored photos (0..1).
pub const JPEG_QUALITY: f64 = 0.8;
pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";

impl Model {
    /// Refers the answer to `item_id` to a photo already stored under `sha256`.
    pub fn attach_photo(
        &mut self,
        id: Uuid,
        item_id: &str,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Answer(id, item_id.to_string()), |i| {
            i.attach_photo(item_id, sha256)
        })
    }

    /// Removes the reference; the stored file stays (another answer may show it too).
    pub fn detach_photo(
        &mut self,
        id: Uuid,
        item_id: &str,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Answer(id, item_id.to_string()), |i| {
            i.detach_photo(item_id, sha256)
        })
    }

    /// Refers `target` (a finding or a re-inspection's review) to a photo stored under `sha256`.
    pub fn attach_photo_to(
        &mut self,
        id: Uuid,
        target: &PhotoTarget,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        match target {
            PhotoTarget::Answer(item_id) => self.attach_photo(id, item_id, sha256),
            PhotoTarget::Review(hazard) => self.attach_review_photo(id, hazard, sha256),
        }
    }

    pub fn detach_photo_from(
        &mut self,
        id: Uuid,
        target: &PhotoTarget,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        match target {
            PhotoTarget::Answer(item_id) => self.detach_photo(id, item_id, sha256),
            PhotoTarget::Review(hazard) => self.detach_review_photo(id, hazard, sha256),
        }
    }
}

/// What a set of photos belongs to: the answer to a checklist item, or the review of an
/// earlier hazard in a re-inspection (photos of the result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoTarget {
    Answer(String),
    Review(HazardRef),
}

impl PhotoTarget {
    /// The photos `target` refers to in `inspection`, in the order they were added.
    pub fn photos(&self, inspection: &Inspection) -> Vec<String> {
        match self {
            PhotoTarget::Answer(item_id) => inspection
                .answers
                .get(item_id)
                .map(|a| a.photos.clone())
                .unwrap_or_default(),
            PhotoTarget::Review(hazard) => inspection
                .reviews
                .iter()
                .find(|r| &r.hazard == hazard)
                .map(|r| r.photos.clone())
                .unwrap_or_default(),
        }
    }
}

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
    db.put(storage::PHOTOS, &sha256, blob.into()).await?;
    Ok(sha256)
}

pub async fn load(db: &Db, sha256: &str) -> Result<Option<Blob>, StorageError> {
    Ok(db
        .get(storage::PHOTOS, sha256)
        .await?
        .and_then(|v| v.dyn_into::<Blob>().ok()))
}

/// The stored files named by `hashes`, as bundle attachments, each checked against its hash.
pub async fn attachments(db: &Db, hashes: &[String]) -> Result<Vec<Attachment>, StorageError> {
    let mut out = Vec::with_capacity(hashes.len());
    for sha256 in hashes {
        let blob = load(db, sha256).await?.ok_or_else(|| {
            StorageError(format!(
                "照片 {} 不在本机存储中 / photo {sha256} is not stored on this device",
                short(sha256)
            ))
        })?;
        let bytes = blob_bytes(&blob).await?;
        if sha256_hex(&bytes) != *sha256 {
            return Err(StorageError(format!(
                "照片 {} 已损坏 / photo {sha256} is damaged: its bytes do not match its hash",
                short(sha256)
            )));
        }
        let blob_type = blob.type_();
        let media_type = media_type_of(&bytes).unwrap_or(blob_type.as_str());
        out.push(Attachment::new(media_type, &bytes).map_err(|e| StorageError(e.to_string()))?);
    }
    Ok(out)
}

/// Writes in flight that the model does not know about yet (a photo or a signature being
/// processed and stored): while any is pending the save indicator does not say "saved".
#[derive(Clone, Copy)]
pub struct PendingWrites(pub RwSignal<u32>);

impl PendingWrites {
    pub fn provide() -> Self {
        let pending = PendingWrites(RwSignal::new(0));
        provide_context(pending);
        pending
    }

    pub fn begin(self) {
        self.0.update(|n| *n += 1);
    }

    /// Ends a pending write after the model update that follows it has reached the
    /// persistence Effect (which runs before the next task), so "saved" never shows in between.
    pub async fn end(self) {
        let tick = Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
            }
        });
        let _ = JsFuture::from(tick).await;
        self.0.try_update(|n| *n = n.saturating_sub(1));
    }
}

/// Photos under a finding: camera and gallery inputs, thumbnails, remove buttons.
#[component]
pub fn PhotoField(id: Uuid, item_id: &'static str, required: bool) -> impl IntoView {
    view! {
        <Photos id target=PhotoTarget::Answer(item_id.to_string()) label=item_id.to_string()
            required=Signal::stored(required)
            rule=t("此项判为隐患时须附照片。", "A photo is required for this hazard.") />
    }
}

/// Photos of `target`: camera and gallery inputs, thumbnails, remove buttons. `label` starts
/// every accessible name (e.g. "FW-05 照片 1"); `rule` is shown while `required` and none
/// is attached.
#[component]
pub fn Photos(
    id: Uuid,
    target: PhotoTarget,
    label: String,
    required: Signal<bool>,
    rule: &'static str,
) -> impl IntoView {
    let app = use_app();
    let pending = use_context::<PendingWrites>().unwrap_or_else(PendingWrites::provide);
    let target = StoredValue::new(target);
    let label = StoredValue::new(label);
    let photos = Memo::new(move |_| {
        app.model.with(|m| {
            m.inspections
                .get(&id)
                .map(|i| target.with_value(|t| t.photos(i)))
                .unwrap_or_default()
        })
    });
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(0u32);
    let on_files = move |ev: web_sys::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(list) = input.files() else { return };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        // Cleared so that choosing the same file again is noticed.
        input.set_value("");
        if files.is_empty() {
            return;
        }
        error.set(None);
        let db = app.db.get_value();
        pending.begin();
        busy.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            for file in files {
                let name = file.name();
                let stored = async {
                    let processed = downscale(&file).await?;
                    store(&db, &processed.bytes, JPEG).await
                }
                .await;
                match stored {
                    Ok(sha256) => {
                        let attached = app.model.try_update(|m| {
                            target.with_value(|t| m.attach_photo_to(id, t, &sha256))
                        });
                        if let Some(Err(e)) = attached {
                            let e = localize(&e.to_string());
                            error.try_set(Some(t_string(
                                format!("照片“{name}”未添加：{e}"),
                                format!("Photo “{name}” not added: {e}"),
                            )));
                        }
                    }
                    Err(e) => {
                        let e = localize(&e.to_string());
                        error.try_set(Some(t_string(
                            format!("照片“{name}”未能保存，其他记录未受影响：{e}"),
                            format!("Photo “{name}” was not saved; nothing else was changed: {e}"),
                        )));
                        break;
                    }
                }
            }
            busy.try_update(|n| *n = n.saturating_sub(1));
            pending.end().await;
        });
    };
    let remove = move |sha256: String| {
        let result = app
            .model
            .try_update(|m| target.with_value(|t| m.detach_photo_from(id, t, &sha256)));
        if let Some(Err(e)) = result {
            error.set(Some(e.to_string()));
        }
    };
    let item_id = label.get_value();
    // Element ids from the label: letters, digits and '-' only.
    let key: String = item_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let camera_id = format!("photo-camera-{key}");
    let gallery_id = format!("photo-gallery-{key}");
    let (camera_for, gallery_for) = (camera_id.clone(), gallery_id.clone());
    view! {
        <div class="photos" role="group" aria-label=format!("{item_id} {}", t("照片", "photos"))>
            <p class="photos-title">{format!("{item_id} {}", t("照片", "photos"))}</p>
            <p class="photo-rule" hidden=move || !required.get() || !photos.with(Vec::is_empty)>
                <small>{rule}</small>
            </p>
            <div class="photo-buttons">
                <label class="button secondary file-button" for=camera_for>
                    <span class="visually-hidden">{item_id.clone()}" "</span>
                    {t("拍照", "Take photo")}
                    <input id=camera_id type="file" accept="image/*" capture="environment"
                        class="visually-hidden" on:change=on_files />
                </label>
                <label class="button secondary file-button" for=gallery_for>
                    <span class="visually-hidden">{item_id.clone()}" "</span>
                    {t("从相册选择", "Choose from gallery")}
                    <input id=gallery_id type="file" accept="image/*" multiple
                        class="visually-hidden" on:change=on_files />
                </label>
            </div>
            <p class="photo-busy" hidden=move || busy.get() == 0>{t("正在处理照片…", "Processing photo…")}</p>
            {crate::features::error_line(error)}
            <ul class="thumbnails">
                <For each=move || photos.get() key=|sha| sha.clone() children=move |sha| {
                    let for_label = sha.clone();
                    let number = Signal::derive(move || {
                        photos.with(|p| p.iter().position(|s| *s == for_label).map_or(0, |n| n + 1))
                    });
                    let for_remove = sha.clone();
                    let (photo, remove_text) = (t("照片", "photo"), t("删除", "Remove"));
                    view! {
                        <li>
                            <Thumbnail sha256=sha
                                label=Signal::derive(move || label.with_value(|l| format!("{l} {photo} {}", number.get()))) />
                            <button type="button" class="secondary"
                                aria-label=move || label.with_value(|l| format!("{remove_text} {l} {photo} {}", number.get()))
                                on:click=move |_| remove(for_remove.clone())>
                                {remove_text}
                            </button>
                        </li>
                    }
                } />
            </ul>
        </div>
    }
}

/// A stored photo shown from an object URL, revoked when the thumbnail goes away.
#[component]
pub fn Thumbnail(sha256: String, label: Signal<String>) -> impl IntoView {
    let app = use_app();
    let url = RwSignal::new(None::<String>);
    let failed = RwSignal::new(None::<String>);
    // (still shown, object URL): the URL is created after an await, possibly after cleanup.
    let holder: Arc<Mutex<(bool, Option<String>)>> = Arc::new(Mutex::new((true, None)));
    let on_loaded = holder.clone();
    let db = app.db.get_value();
    let key = sha256.clone();
    leptos::task::spawn_local(async move {
        let created = match load(&db, &key).await {
            Ok(Some(blob)) => web_sys::Url::create_object_url_with_blob(&blob)
                .map_err(|e| StorageError::from(e).to_string()),
            Ok(None) => Err(format!(
                "照片 {0} 不在本机存储中 / photo {0} is not stored on this device",
                short(&key)
            )),
            Err(e) => Err(e.to_string()),
        };
        match created {
            Ok(object_url) => {
                let mut h = on_loaded.lock().unwrap();
                if h.0 {
                    h.1 = Some(object_url.clone());
                    drop(h);
                    url.try_set(Some(object_url));
                } else {
                    let _ = web_sys::Url::revoke_object_url(&object_url);
                }
            }
            Err(e) => {
                failed.try_set(Some(e));
            }
        }
    });
    on_cleanup(move || {
        let mut h = holder.lock().unwrap();
        h.0 = false;
        if let Some(object_url) = h.1.take() {
            let _ = web_sys::Url::revoke_object_url(&object_url);
        }
    });
    // One element: the photo once loaded; if it cannot be loaded, its alt text says why.
    view! {
        <img class="thumbnail" src=move || url.get()
            alt=move || match failed.get() {
                Some(e) => format!("{} — {}", label.get(), localize(&e)),
                None => label.get(),
            } />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use paicha_core::{Checklist, CreditCode, Inspector, Site, Verdict};

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

    #[test]
    fn attaching_a_photo_touches_only_its_answer_and_sealing_needs_it() {
        let checklist = Checklist::from_toml(
            "fireworks.toml",
            include_str!("../../checklists/fireworks.toml"),
        )
        .unwrap();
        let mut model = Model::default();
        model.set_profile(Inspector::new("张三", "A1").unwrap());
        let site = Site::new("某公司", CreditCode::parse("91440300708461136T").unwrap()).unwrap();
        let id = model
            .start_inspection(Uuid::from_u128(3), site, &checklist, Utc::now())
            .unwrap();
        model
            .set_team(
                id,
                paicha_core::InspectionKind::Routine,
                vec![Inspector::new("李四", "A2").unwrap()],
            )
            .unwrap();
        model
            .answer(
                id,
                &checklist,
                "FW-05",
                Verdict::GeneralHazard,
                "超量",
                Utc::now(),
            )
            .unwrap();
        let order = paicha_core::finding::RectificationOrder {
            measures: "清理".into(),
            responsible: "李某".into(),
            deadline: "2099-12-31".into(),
            ..Default::default()
        };
        model.set_order(id, "FW-05", "一号库", order, None).unwrap();
        // FW-05 requires a photo for a hazard: sealing is refused and names it.
        let err = model.seal(id, &checklist, Utc::now()).unwrap_err();
        assert_eq!(err, InspectionError::MissingEvidence(vec!["FW-05".into()]));

        let before = model.revisions().clone();
        let photo = sha256_hex(b"jpeg bytes");
        model.attach_photo(id, "FW-05", &photo).unwrap();
        let key = RecordKey::Answer(id, "FW-05".into());
        assert!(model.revisions()[&key] > before[&key]);
        assert_eq!(
            model.revisions()[&RecordKey::Inspection(id)],
            before[&RecordKey::Inspection(id)]
        );
        // A bad reference changes nothing.
        let unchanged = model.revisions().clone();
        assert!(model.attach_photo(id, "FW-05", "not-a-hash").is_err());
        assert!(
            model.attach_photo(id, "FW-06", &photo).is_err(),
            "not answered"
        );
        assert_eq!(model.revisions(), &unchanged);

        model.seal(id, &checklist, Utc::now()).unwrap();
        assert_eq!(
            model.detach_photo(id, "FW-05", &photo),
            Err(InspectionError::Sealed)
        );
    }
}
