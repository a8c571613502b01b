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
/// up under the user's finger, nor a download's outcome vanish. One reference-counted signal
/// per panel, not owned by the row that draws it (a row drawn anew finds the same one), and
/// each row subscribed to its own only: thousands of rows subscribed to one map of panels made
/// the list three times slower to draw.
#[derive(Clone, Copy)]
pub struct PhotoPanels(StoredValue<HashMap<String, ArcRwSignal<Panel>>>);

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
        PhotoPanels(StoredValue::new(HashMap::new()))
    }

    fn panel(self, key: String) -> ArcRwSignal<Panel> {
        self.0
            .try_update_value(|p| p.entry(key).or_default().clone())
            .unwrap_or_default()
    }
}

#[component]
pub fn PulledPhotos(
    inspection_id: String,
    item_id: String,
    photos: Vec<String>,
    panels: PhotoPanels,
) -> impl IntoView {
    let count = photos.len();
    if count == 0 {
        return None;
    }
    let app = use_app();
    let panel = panels.panel(format!("{inspection_id}/{item_id}"));
    let label_base = format!("{item_id} {}", t("原始照片", "original photo"));
    let shown = photos.clone();
    let pictures = {
        let panel = panel.clone();
        move || {
            // Read again once photos arrive (the photo, not its thumbnail).
            panel.with(|p| p.fetched);
            shown
                .iter()
                .enumerate()
                .map(|(n, sha)| {
                    let name = format!("{label_base} {}", n + 1);
                    view! { <li><Thumbnail sha256=sha.clone() label=Signal::derive(move || name.clone()) /></li> }
                })
                .collect_view()
        }
    };
    let toggle = {
        let panel = panel.clone();
        move |_| panel.update(|p| p.open = !p.open)
    };
    let fetch = {
        let panel = panel.clone();
        move |_| {
            let wanted: Vec<PulledPhoto> = photos
                .iter()
                .map(|sha| PulledPhoto {
                    inspection_id: inspection_id.clone(),
                    item_id: item_id.clone(),
                    sha256: sha.clone(),
                })
                .collect();
            let panel = panel.clone();
            panel.update(|p| {
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
                panel.update(|p| {
                    p.busy = false;
                    p.fetched += 1;
                    p.outcome = Some(outcome);
                });
            });
        }
    };
    let expanded = panel.clone();
    let body = move || {
        let busy = panel.clone();
        let outcome = panel.clone();
        let fetch = fetch.clone();
        panel.with(|p| p.open).then(|| {
            view! {
                <ul class="thumbnails">{pictures.clone()}</ul>
                <button type="button" class="secondary" disabled=move || busy.with(|p| p.busy) on:click=fetch>
                    {t("下载原图", "Download full photos")}
                </button>
                <p role="status">{move || outcome.with(|p| p.outcome.clone())}</p>
            }
        })
    };
    // A disclosure button rather than <details>: each <details> brings a shadow tree of its
    // own, and a list of 300 drew three times slower with them (bench/pull-device.mjs).
    Some(view! {
        <div class="fu-photos">
            <button type="button" class="secondary" aria-expanded=move || expanded.with(|p| p.open).to_string()
                on:click=toggle>
                {t_string(format!("照片 {count} 张"), format!("{count} photos"))}
            </button>
            {body}
        </div>
    })
}
