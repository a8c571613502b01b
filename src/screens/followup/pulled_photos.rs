//! The photos of a hazard pulled from the ledger, under its row: folded until opened (a list
//! of thousands of hazards must not decode thousands of pictures), shown from the ledger's
//! thumbnails, and the photos themselves fetched on demand for viewing or evidence offline.

use crate::model::context::use_app;
use crate::platform::i18n::{localize, t, t_string};
use crate::services::sync::{PulledPhoto, fetch_full};
use crate::widgets::photos::Thumbnail;
use leptos::prelude::*;
use std::collections::HashMap;

/// What each hazard's photo panel holds, kept by the screen and handed to each row: the list
/// is drawn anew whenever the model or the catalogue changes, and an open panel must not fold
/// up under the user's finger, nor a download's outcome vanish.
#[derive(Clone, Copy)]
pub struct PhotoPanels(RwSignal<HashMap<String, Panel>>);

#[derive(Clone, Default)]
pub struct Panel {
    open: bool,
    busy: bool,
    /// Downloads finished so far: the pictures are read again after each.
    fetched: u32,
    outcome: Option<String>,
}

impl PhotoPanels {
    pub fn new() -> Self {
        PhotoPanels(RwSignal::new(HashMap::new()))
    }
}

#[component]
pub fn PulledPhotos(
    inspection_id: String,
    item_id: String,
    photos: Vec<String>,
    panels: PhotoPanels,
) -> impl IntoView {
    let app = use_app();
    let panels = panels.0;
    let key = format!("{inspection_id}/{item_id}");
    let panel = {
        let key = key.clone();
        move || panels.with(|p| p.get(&key).cloned().unwrap_or_default())
    };
    let change = {
        let key = key.clone();
        move |f: &dyn Fn(&mut Panel)| {
            panels.try_update(|p| f(p.entry(key.clone()).or_default()));
        }
    };
    let count = photos.len();
    let label_base = format!("{item_id} {}", t("原始照片", "original photo"));
    let wanted: Vec<PulledPhoto> = photos
        .iter()
        .map(|sha| PulledPhoto {
            inspection_id: inspection_id.clone(),
            item_id: item_id.clone(),
            sha256: sha.clone(),
        })
        .collect();
    let fetch = {
        let change = change.clone();
        move |_| {
            let wanted = wanted.clone();
            let change = change.clone();
            change(&|p| {
                p.busy = true;
                p.outcome = None;
            });
            leptos::task::spawn_local(async move {
                let mut failed = None;
                for photo in &wanted {
                    if let Err(e) = fetch_full(app, photo).await {
                        failed = Some(e);
                    }
                }
                let outcome = match failed {
                    None => {
                        t("原图已保存在本机。", "The photos are saved on this device.").to_string()
                    }
                    Some(e) => format!(
                        "{}{}",
                        t(
                            "原图未能全部下载：",
                            "Not every photo could be downloaded: "
                        ),
                        localize(&e)
                    ),
                };
                change(&|p| {
                    p.busy = false;
                    p.fetched += 1;
                    p.outcome = Some(outcome.clone());
                });
            });
        }
    };
    let open = {
        let panel = panel.clone();
        Memo::new(move |_| panel().open)
    };
    let fetched = {
        let panel = panel.clone();
        Memo::new(move |_| panel().fetched)
    };
    let pictures = move || {
        fetched.track();
        open.get().then(|| {
            photos
                .iter()
                .enumerate()
                .map(|(n, sha)| {
                    let name = format!("{label_base} {}", n + 1);
                    view! { <li><Thumbnail sha256=sha.clone() label=Signal::derive(move || name.clone()) /></li> }
                })
                .collect_view()
        })
    };
    let busy = {
        let panel = panel.clone();
        move || panel().busy
    };
    let outcome = move || panel().outcome;
    (count > 0).then(|| {
        view! {
            <details class="fu-photos" prop:open=move || open.get()>
                // A click on the summary (or Enter/Space on it) opens and closes the details; the
                // panel's state decides, not the element's own toggle.
                <summary on:click=move |ev| {
                    ev.prevent_default();
                    change(&|p| p.open = !p.open);
                }>
                    {t_string(format!("照片 {count} 张"), format!("{count} photos"))}
                </summary>
                <ul class="thumbnails">{pictures}</ul>
                <button type="button" class="secondary" disabled=busy on:click=fetch>
                    {t("下载原图", "Download full photos")}
                </button>
                <p role="status">{outcome}</p>
            </details>
        }
    })
}
