//! Photos on screen: the camera and gallery inputs under a finding or a review, thumbnails with
//! remove buttons, and the writes still in flight that keep "saved" from showing.
//!
//! Durability: a photo is written in its own durable transaction first (`services::photos`);
//! only then does the answer refer to it, and the persistence Effect writes the answer. A failed
//! photo write (e.g. storage full) is reported naming the photo and changes nothing else.

use crate::model::context::{use_db, use_model};
use crate::model::photos::PhotoTarget;
use crate::platform::i18n::{localize, t, t_string};
use crate::platform::storage::StorageError;
use crate::services::photos::{JPEG, delete_when_unused, downscale, load_shown, short, store};
use js_sys::Promise;
use leptos::prelude::*;
use std::sync::{Arc, Mutex};
use uuid::Uuid;
use wasm_bindgen_futures::JsFuture;

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
    let db = use_db();
    let model = use_model();
    let pending = use_context::<PendingWrites>().unwrap_or_else(PendingWrites::provide);
    let target = StoredValue::new(target);
    let label = StoredValue::new(label);
    let photos = Memo::new(move |_| {
        model.with(|m| {
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
        let db = db.get_value();
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
                        let attached = model.try_update(|m| {
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
        let result =
            model.try_update(|m| target.with_value(|t| m.detach_photo_from(id, t, &sha256)));
        match result {
            Some(Err(e)) => error.set(Some(e.to_string())),
            // The file goes too, once no other answer shows it.
            Some(Ok(())) => delete_when_unused(db.get_value(), model, sha256),
            None => {}
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
            {super::field_error::error_line(error)}
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

/// A stored photo shown from an object URL, revoked when the thumbnail goes away; for a pulled
/// hazard's photo not fetched yet, the ledger's thumbnail of it.
#[component]
pub fn Thumbnail(sha256: String, label: Signal<String>) -> impl IntoView {
    let db = use_db();
    let model = use_model();
    let url = RwSignal::new(None::<String>);
    let failed = RwSignal::new(None::<String>);
    // Absent because the ledger holds it and the device freed it: said so, not an error.
    let freed = RwSignal::new(false);
    // (still shown, object URL): the URL is created after an await, possibly after cleanup.
    let holder: Arc<Mutex<(bool, Option<String>)>> = Arc::new(Mutex::new((true, None)));
    let on_loaded = holder.clone();
    let db = db.get_value();
    let key = sha256.clone();
    leptos::task::spawn_local(async move {
        let created = match load_shown(&db, &key).await {
            Ok(Some(blob)) => web_sys::Url::create_object_url_with_blob(&blob)
                .map_err(|e| StorageError::from(e).to_string()),
            Ok(None) if model.with_untracked(|m| m.held_by_ledger(&key)) => {
                freed.try_set(true);
                return;
            }
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
    // One element: the photo once loaded; if it cannot be loaded, its alt text says why; a
    // freed photo is a placeholder that says where it is.
    move || {
        if freed.get() {
            let text = t(
                "照片已送达台账，本机已释放",
                "Held by the ledger; freed from this device",
            );
            return view! {
                <span class="thumbnail photo-freed" role="img"
                    aria-label=move || format!("{} — {text}", label.get())>{text}</span>
            }
            .into_any();
        }
        view! {
            <img class="thumbnail" src=move || url.get()
                alt=move || match failed.get() {
                    Some(e) => format!("{} — {}", label.get(), localize(&e)),
                    None => label.get(),
                } />
        }
        .into_any()
    }
}
