//! The photos of a hazard pulled from the ledger: a button under its row opens them in one
//! panel for the whole screen, shown from the ledger's thumbnails, and the photos themselves
//! are fetched on demand for viewing or evidence offline.
//!
//! One panel, not one per row: a list of 2,000 pulled hazards is drawn anew after every page
//! of a pull, and a folding panel with signals of its own under every row made that drawing
//! twice as slow (`bench/pull-device.mjs`, docs/performance.md); the rows now hold a plain
//! button each. The panel is the screen's, so it also survives the list being drawn anew.

use crate::model::context::use_app;
use crate::platform::i18n::{localize, t, t_string};
use crate::services::sync::{PulledPhoto, fetch_full};
use crate::widgets::photos::Thumbnail;
use leptos::prelude::*;

/// The hazard whose photos the panel shows.
#[derive(Clone, PartialEq)]
struct Shown {
    inspection_id: String,
    item_id: String,
    photos: Vec<String>,
}

/// The screen's photo panel: which hazard it shows and what its last download came to.
#[derive(Clone, Copy)]
pub struct PhotoViewer {
    shown: RwSignal<Option<Shown>>,
    busy: RwSignal<bool>,
    /// Downloads finished so far: the pictures are read again after each.
    fetched: RwSignal<u32>,
    outcome: RwSignal<Option<String>>,
}

impl PhotoViewer {
    pub fn new() -> Self {
        PhotoViewer {
            shown: RwSignal::new(None),
            busy: RwSignal::new(false),
            fetched: RwSignal::new(0),
            outcome: RwSignal::new(None),
        }
    }
}

/// The button under a pulled row that opens its photos ("照片 2 张"); nothing without photos.
pub fn photos_button(
    viewer: PhotoViewer,
    inspection_id: String,
    item_id: String,
    photos: Vec<String>,
) -> Option<impl IntoView + use<>> {
    let count = photos.len();
    (count > 0).then(|| {
        let shown = Shown {
            inspection_id,
            item_id,
            photos,
        };
        let open = move |_| {
            viewer.outcome.set(None);
            viewer.shown.set(Some(shown.clone()));
        };
        view! {
            <button type="button" class="secondary fu-photos" aria-haspopup="dialog" on:click=open>
                {t_string(format!("照片 {count} 张"), format!("{count} photos"))}
            </button>
        }
    })
}

/// The panel: the shown hazard's pictures, 下载原图 and its outcome, 关闭.
#[component]
pub fn PhotoPanel(viewer: PhotoViewer) -> impl IntoView {
    let app = use_app();
    let fetch = move |_| {
        let Some(shown) = viewer.shown.get_untracked() else {
            return;
        };
        viewer.busy.set(true);
        viewer.outcome.set(None);
        leptos::task::spawn_local(async move {
            let mut failed = None;
            for sha256 in &shown.photos {
                let photo = PulledPhoto {
                    inspection_id: shown.inspection_id.clone(),
                    item_id: shown.item_id.clone(),
                    sha256: sha256.clone(),
                };
                if let Err(e) = fetch_full(app, &photo).await {
                    failed = Some(e);
                }
            }
            viewer.outcome.try_set(Some(match failed {
                None => t("原图已保存在本机。", "The photos are saved on this device.").to_string(),
                Some(e) => format!(
                    "{}{}",
                    t(
                        "原图未能全部下载：",
                        "Not every photo could be downloaded: "
                    ),
                    localize(&e)
                ),
            }));
            viewer.busy.try_set(false);
            viewer.fetched.try_update(|n| *n += 1);
        });
    };
    // Focus moves to the panel when it opens, so a keyboard or screen-reader user lands there.
    let panel = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if viewer.shown.with(Option::is_some)
            && let Some(element) = panel.get()
        {
            let _ = element.focus();
        }
    });
    move || {
        let shown = viewer.shown.get()?;
        let title = format!("{} {}", shown.item_id, t("原始照片", "original photos"));
        let pictures = move || {
            viewer.fetched.track();
            shown
                .photos
                .iter()
                .enumerate()
                .map(|(n, sha)| {
                    let name = format!("{} {} {}", shown.item_id, t("原始照片", "original photo"), n + 1);
                    view! { <li><Thumbnail sha256=sha.clone() label=Signal::derive(move || name.clone()) /></li> }
                })
                .collect_view()
        };
        let heading = title.clone();
        Some(view! {
            <section class="photo-panel card" role="dialog" aria-label=title tabindex="-1" node_ref=panel>
                <h2>{heading}</h2>
                <ul class="thumbnails">{pictures}</ul>
                <p role="status">{move || viewer.outcome.get()}</p>
                <div class="actions">
                    <button type="button" disabled=move || viewer.busy.get() on:click=fetch>
                        {t("下载原图", "Download full photos")}
                    </button>
                    <button type="button" class="secondary" on:click=move |_| viewer.shown.set(None)>
                        {t("关闭", "Close")}
                    </button>
                </div>
            </section>
        })
    }
}
