//! Pulling work from the ledger (复查 across people, issue 18): the open hazards of the regions
//! where this device's person holds a role and those assigned to them, with their 交办, page by
//! page from the stored cursor (`GET /api/device/pull`, signed with the device key); once a day
//! from the beginning, dropping what the ledger no longer sends (a hazard moved elsewhere, a
//! role the person lost). Pulls run at start-up, when the
//! browser comes back online, every five minutes while the app is open, and on the follow-up
//! screen's button. Each page is applied to the model, whose persistence Effect stores its
//! hazards and the cursor that follows them in one transaction: a pull cut off midway starts
//! again from the last stored page, and a hazard read twice is stored once (by key).
//!
//! Photos of hazards assigned to this person (待办) and of hazards under review on this device
//! are fetched after each run, and a thumbnail of every pulled photo, into a store of
//! their own (`pulled_photos`: never in a backup, deleted with the hazards that name them),
//! so that 复查 works offline and the list shows what each hazard looked like. A photo itself
//! comes on demand ([`fetch_full`]).

use crate::model::context::AppContext;
use crate::platform::clock::{self, now};
use crate::platform::http;
use crate::platform::lazy::{Task, on_demand};
use crate::services::device_requests::{get_signed_bytes, send_signed};
use crate::services::photos;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use leptos::prelude::*;
use paicha_core::followup::under_review;
use paicha_core::wire::{self, ErrorBody, PullQuery, PullResponse};

/// Where pulling stands, for the follow-up screen.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncState {
    /// Not pulled since the app started.
    Idle,
    /// A run is under way: hazards received so far.
    Pulling { received: usize },
    /// A run is fetching photos and thumbnails: how many of them it has been through.
    Photos { done: usize, total: usize },
    /// The last run finished.
    Done { at: DateTime<Utc>, received: usize },
    /// The ledger could not be reached or answered an error; the next trigger tries again.
    Failed(String),
    /// The ledger does not know this device yet (or it has no account): nothing to pull.
    NotEnrolled,
    /// The ledger refused this device for good (key revoked, account disabled): what was
    /// pulled has been wiped; the device's own records are kept.
    Refused(String),
}

thread_local! {
    static RUNNING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// A pull was asked for while one ran (e.g. a 复查 started during the start-up pull, whose
    /// photos that run may not fetch): run once more when it ends.
    static AGAIN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static STATE: ArcRwSignal<SyncState> = ArcRwSignal::new(SyncState::Idle);
}

/// Where pulling stands (not tied to a screen).
pub fn state() -> ArcRwSignal<SyncState> {
    STATE.with(Clone::clone)
}

/// Pulls now, unless a pull is under way or the device is not registered. "Pulling" shows at
/// once, and the outcome only once another pull may start.
pub fn pull_now(app: AppContext) {
    if app.device_key.with_untracked(Option::is_none) {
        return;
    }
    if RUNNING.with(|r| r.replace(true)) {
        AGAIN.with(|a| a.set(true));
        return;
    }
    state().set(SyncState::Pulling { received: 0 });
    leptos::task::spawn_local(async move {
        let outcome = if !http::online() {
            SyncState::Failed("离线 / offline".into())
        } else {
            match pull_run(app).await {
                Ok(run) => run.await,
                Err(_) => {
                    SyncState::Failed("同步程序未能加载 / the sync code could not be loaded".into())
                }
            }
        };
        let done = matches!(outcome, SyncState::Done { .. });
        RUNNING.with(|r| r.set(false));
        state().set(outcome);
        if AGAIN.with(|a| a.replace(false)) && done {
            pull_now(app);
        }
    });
}

/// What one page's request came to.
enum Page {
    Received(PullResponse),
    NotEnrolled,
    Refused(String),
    Failed(String),
}

async fn page(app: AppContext, after: String) -> Page {
    let Some(key) = app.device_key.get_untracked() else {
        return Page::NotEnrolled;
    };
    let path = PullQuery { after, limit: None }.path();
    let reply = match send_signed(&key, "GET", &path, None).await {
        Ok(reply) => reply,
        Err(e) => return Page::Failed(e.to_string()),
    };
    let error = || serde_json::from_str::<ErrorBody>(&reply.body).ok();
    match reply.status {
        200 => match serde_json::from_str::<PullResponse>(&reply.body) {
            Ok(response) => Page::Received(response),
            Err(e) => Page::Failed(format!("台账的答复无法读取 / unreadable answer: {e}")),
        },
        403 => match error() {
            Some(e) if e.code == "unknown_key" => Page::NotEnrolled,
            Some(e) => Page::Refused(e.message),
            None => Page::Failed("HTTP 403".into()),
        },
        status => Page::Failed(error().map_or_else(|| format!("HTTP {status}"), |e| e.message)),
    }
}

on_demand! {
    /// One pull run: pages from the stored cursor until the ledger has nothing more (what
    /// changed, closed hazards included); once a day then every page from the beginning,
    /// dropping what was not sent again; then the photos to keep. Returns how it ended.
    fn pull_run in screens / preload_pull (app: AppContext) -> Task<SyncState> {
        Box::pin(async move {
            let mut received = 0;
            let stored = app.model.with_untracked(|m| m.pull.after.clone());
            let today = clock::today_iso();
            // A first pull (or one after a wipe) is a full one already.
            let full_due = stored.is_empty() || app.model.with_untracked(|m| m.pull.full_on != today);
            if !stored.is_empty()
                && let Err(end) = pages(app, stored, &mut received, None).await
            {
                return end;
            }
            if full_due {
                let mut seen = std::collections::BTreeSet::new();
                if let Err(end) = pages(app, String::new(), &mut received, Some(&mut seen)).await {
                    return end;
                }
                app.model.update(|m| m.finish_full_pull(&seen, &today));
            }
            fetch_photos(app).await;
            // Photos of hazards no longer pulled leave with them.
            let keep: Vec<String> = app.model.with_untracked(|m| {
                m.pulled_open().flat_map(|h| h.photos.iter().cloned()).collect()
            });
            let _ = photos::prune_pulled(&app.db.get_value(), &keep).await;
            SyncState::Done { at: now(), received }
        })
    }
}

/// Pulls page after page from `after` until the ledger has nothing more, applying each to the
/// model; `seen` collects the keys received. An error is how the run ends.
async fn pages(
    app: AppContext,
    mut after: String,
    received: &mut usize,
    mut seen: Option<&mut std::collections::BTreeSet<String>>,
) -> Result<(), SyncState> {
    loop {
        match page(app, after).await {
            Page::Received(response) => {
                *received += response.hazards.len();
                if let Some(seen) = seen.as_deref_mut() {
                    seen.extend(response.hazards.iter().map(|h| h.key()));
                }
                let more = response.more;
                after = response.after.clone();
                app.model.update(|m| m.apply_pull(response));
                state().set(SyncState::Pulling {
                    received: *received,
                });
                if !more {
                    return Ok(());
                }
            }
            Page::NotEnrolled => return Err(SyncState::NotEnrolled),
            Page::Refused(message) => {
                // Told so by the ledger: the region's data leaves this device.
                app.model.update(|m| m.wipe_pulled());
                let _ = photos::prune_pulled(&app.db.get_value(), &[]).await;
                return Err(SyncState::Refused(message));
            }
            Page::Failed(message) => return Err(SyncState::Failed(message)),
        }
    }
}

/// One photo of a pulled hazard, as the ledger's photo paths name it.
#[derive(Debug, Clone)]
pub struct PulledPhoto {
    pub inspection_id: String,
    pub item_id: String,
    pub sha256: String,
}

impl PulledPhoto {
    /// The photos of a pulled hazard.
    pub fn of(hazard: &wire::PulledHazard) -> impl Iterator<Item = PulledPhoto> + '_ {
        hazard.photos.iter().map(|sha| PulledPhoto {
            inspection_id: hazard.inspection_id.clone(),
            item_id: hazard.item_id.clone(),
            sha256: sha.clone(),
        })
    }
}

/// Fetches what the device lacks of the pulled hazards' photos: the photo itself for hazards
/// assigned to this person and hazards under review in a draft here (a re-inspection needs
/// them offline), then a thumbnail of every one (the list shows it; other photos come on
/// demand, [`fetch_full`]). One that fails is tried again after the next pull.
async fn fetch_photos(app: AppContext) {
    let (full, all): (Vec<PulledPhoto>, Vec<PulledPhoto>) = app.model.with_untracked(|m| {
        let reviewing = under_review(m.inspections.values(), None);
        let mut full = Vec::new();
        let mut all = Vec::new();
        for h in m.pulled_open() {
            if h.assignment.as_ref().is_some_and(|a| a.to_me)
                || h.hazard_ref().is_some_and(|r| reviewing.contains(&&r))
            {
                full.extend(PulledPhoto::of(h));
            }
            all.extend(PulledPhoto::of(h));
        }
        (full, all)
    });
    let db = app.db.get_value();
    let total = full.len() + all.len();
    let done = std::cell::Cell::new(0);
    let step = || {
        done.set(done.get() + 1);
        state().set(SyncState::Photos {
            done: done.get(),
            total,
        });
    };
    for photo in &full {
        let _ = fetch_full(app, photo).await;
        step();
    }
    futures::stream::iter(&all)
        .for_each_concurrent(THUMBNAILS_AT_ONCE, |photo| {
            let db = db.clone();
            async move {
                if !matches!(photos::thumbnail(&db, &photo.sha256).await, Ok(Some(_))) {
                    let _ = fetch_thumbnail(app, photo).await;
                }
                step();
            }
        })
        .await;
}

/// Thumbnails fetched at once: each waits mostly for its signature and its round trip (and,
/// the first time, for the ledger to make it), so a few in flight keep both sides busy.
/// Measured with `bench/pull-device.mjs` (docs/performance.md).
const THUMBNAILS_AT_ONCE: usize = 6;

/// Fetches a pulled photo itself unless the device holds it, kept only if its bytes are what
/// the ledger's hash names.
pub async fn fetch_full(app: AppContext, photo: &PulledPhoto) -> Result<(), String> {
    let db = app.db.get_value();
    if matches!(photos::load(&db, &photo.sha256).await, Ok(Some(_))) {
        return Ok(());
    }
    let path = wire::device_photo_path(&photo.inspection_id, &photo.item_id, &photo.sha256);
    let (served_type, bytes) = signed_get(app, &path).await?;
    if paicha_core::sha256_hex(&bytes) != photo.sha256 {
        return Err(format!(
            "照片 {} 与台账的哈希值不符 / photo {} does not match the ledger's hash",
            photos::short(&photo.sha256),
            photo.sha256
        ));
    }
    let media_type = photos::media_type_of(&bytes).unwrap_or(&served_type);
    photos::store_pulled(&db, &photo.sha256, &bytes, media_type)
        .await
        .map_err(|e| e.to_string())
}

/// `GET path` signed with the device key: (media type, bytes).
async fn signed_get(app: AppContext, path: &str) -> Result<(String, Vec<u8>), String> {
    let key = app
        .device_key
        .get_untracked()
        .ok_or("本设备尚未登记 / this device is not enrolled")?;
    get_signed_bytes(&key, path)
        .await
        .map_err(|e| e.to_string())
}

/// Fetches a pulled photo's thumbnail, made by the ledger (a preview: there is no hash to check
/// it against; the signed request and the ledger's origin vouch for it).
async fn fetch_thumbnail(app: AppContext, photo: &PulledPhoto) -> Result<(), String> {
    let path = wire::device_thumbnail_path(&photo.inspection_id, &photo.item_id, &photo.sha256);
    let (_, bytes) = signed_get(app, &path).await?;
    let media_type = photos::media_type_of(&bytes).unwrap_or(photos::JPEG);
    let db = app.db.get_value();
    photos::store_pulled(
        &db,
        &photos::thumbnail_key(&photo.sha256),
        &bytes,
        media_type,
    )
    .await
    .map_err(|e| e.to_string())
}

/// Starts the triggers: now, the `online` event and a five-minute timer.
pub fn start_puller(app: AppContext) {
    pull_now(app);
    http::when_online_and_every(300_000, move || pull_now(app));
}
