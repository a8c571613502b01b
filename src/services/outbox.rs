//! The outbox: bundles wait here until the ledger has them. Uploads are tried when a bundle
//! is created, when the browser comes back online, and every 30 s while any is due; failures
//! that may pass (offline, server error) back off, refusals wait for the user.
//!
//! A bundle whose payload names files (version 2) goes in two steps: the envelope
//! (`POST /api/bundles`), whose answer lists the files the ledger lacks, then each of those,
//! one at a time (`PUT /api/blobs/{sha256}`, signed by the device key, the stored Blob as the
//! body: nothing is read into the page). Each file the ledger confirms is recorded in the
//! bundle's upload state at once and never sent again; the bundle is uploaded when none is
//! missing.

use crate::model::context::AppContext;
use crate::model::persist;
use crate::model::{BundleRecord, Model, UploadState};
use crate::platform::clock::now;
use crate::platform::device_key::DeviceKey;
use crate::platform::http;
use crate::platform::lazy::{Task, on_demand};
use crate::platform::storage::Db;
use crate::services::{device_requests, photos};
use leptos::prelude::*;
use paicha_core::wire;

enum Outcome {
    Accepted {
        duplicate: bool,
        /// The files the ledger lacks (`None`: its answer could not be read).
        missing: Option<Vec<String>>,
    },
    /// Every file the ledger lacked was sent and confirmed.
    Delivered,
    /// The ledger holds no bundle naming the file sent (404 `blob_not_named`): the envelope
    /// goes again first.
    EnvelopeUnknown,
    Refused(String),
    TryLater(String),
    /// The ledger does not know this device's key yet (403 `unknown_key`): it will once a
    /// supervisor enrols it, so the bundle waits and is sent again by itself.
    NotEnrolled,
}

/// What the inspector reads while the device waits for enrolment: never the operator's
/// command line or the 64-digit key id the ledger's message holds.
const NOT_ENROLLED: &str = "本设备尚未在台账登记，登记后自动上传 / this device is not enrolled on the ledger yet; it uploads by itself once enrolled";

/// Whether a bundle waits because the ledger does not know this device yet.
pub fn awaits_enrolment(state: &UploadState) -> bool {
    matches!(state, UploadState::Retrying { last_error, .. } if last_error == NOT_ENROLLED)
}

async fn post(envelope_json: &str) -> Outcome {
    if !http::online() {
        return Outcome::TryLater("离线 / offline".into());
    }
    let reply = match http::post_json(wire::BUNDLES_PATH, envelope_json).await {
        Ok(reply) => reply,
        Err(e) => return Outcome::TryLater(e.to_string()),
    };
    match reply.status {
        200 | 201 => match serde_json::from_str::<wire::UploadResult>(&reply.body) {
            Ok(result) => Outcome::Accepted {
                duplicate: result.is_duplicate(),
                missing: Some(result.missing_blobs().to_vec()),
            },
            // Stored, by the status; an answer we cannot read is not a refusal.
            Err(_) => Outcome::Accepted {
                duplicate: false,
                missing: None,
            },
        },
        status => refusal_or_later(status, &reply.body),
    }
}

/// What an answer other than success means: the ledger's refusal (4xx, with its message), or
/// a failure that may pass (5xx and anything else, a timeout, too many requests).
fn refusal_or_later(status: u16, body: &str) -> Outcome {
    if !(400..=499).contains(&status) || matches!(status, 408 | 429) {
        return Outcome::TryLater(format!("HTTP {status}"));
    }
    match serde_json::from_str::<wire::ErrorBody>(body) {
        Ok(e) if status == 403 && e.code == "unknown_key" => Outcome::NotEnrolled,
        Ok(e) if status == 404 && e.code == "blob_not_named" => Outcome::EnvelopeUnknown,
        Ok(e) => Outcome::Refused(e.message),
        Err(_) => Outcome::Refused(format!("HTTP {status}")),
    }
}

/// Sends one stored file to the ledger: its Blob from the photo store as the body, as it is
/// (the browser streams it from disk: no copy in the page, whatever its size), signed by the
/// device key with the digest its name gives. The ledger checks the bytes against the name
/// (422 `blob_hash_mismatch` for a damaged file). `None` when the ledger confirmed it (201
/// stored, 200 held).
async fn put_blob(key: &DeviceKey, db: &Db, sha256: &str) -> Option<Outcome> {
    if !http::online() {
        return Some(Outcome::TryLater("离线 / offline".into()));
    }
    // A file missing on the device cannot be sent: the inspector must see why.
    let blob = match photos::load_own(db, sha256).await {
        Ok(blob) => blob,
        Err(e) => return Some(Outcome::Refused(e.to_string())),
    };
    let path = wire::blob_path(sha256);
    let media_type = blob.type_();
    let reply =
        device_requests::send_signed_file(key, "PUT", &path, &blob, &media_type, sha256).await;
    match reply {
        Ok(reply) if matches!(reply.status, 200 | 201) => None,
        Ok(reply) => Some(refusal_or_later(reply.status, &reply.body)),
        Err(e) => Some(Outcome::TryLater(e.to_string())),
    }
}

/// Sends the files of `bundle` that the ledger lacks, one at a time, recording each it
/// confirms; stops at the first that fails.
async fn send_blobs(app: AppContext, bundle: &BundleRecord, missing: &[String]) -> Outcome {
    let Some(key) = app.device_key.get_untracked() else {
        return Outcome::Refused("no device key".into());
    };
    let db = app.db.get_value();
    for sha256 in missing {
        if let Some(failed) = put_blob(&key, &db, sha256).await {
            return failed;
        }
        app.model
            .update(|m| m.blob_delivered(bundle.bundle_id, sha256, now()));
    }
    Outcome::Delivered
}

thread_local! {
    static RUNNING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// (sent so far, total) while an upload run is under way; not tied to any screen, so the
    /// outbox shows it whenever it is opened.
    static PROGRESS: ArcRwSignal<Option<(usize, usize)>> = ArcRwSignal::new(None);
}

/// (sent so far, total) while an upload run is under way.
pub fn progress() -> ArcRwSignal<Option<(usize, usize)>> {
    PROGRESS.with(Clone::clone)
}

/// Sends every due bundle, one at a time, oldest first (the ledger checks the chain in order).
/// The sending code is loaded on demand, so nothing is fetched while nothing is due.
pub fn upload_due(app: AppContext) {
    if !app.model.with_untracked(|m| m.any_upload_due(now())) || RUNNING.with(|r| r.replace(true)) {
        return;
    }
    leptos::task::spawn_local(async move {
        // Without its code (offline before it was cached) nothing is sent; a later trigger
        // tries again.
        if let Ok(run) = upload_run(app).await {
            run.await;
        }
        progress().set(None);
        RUNNING.with(|r| r.set(false));
    });
}

on_demand! {
    /// One upload run: sends due bundles until none is left or the ledger cannot be reached.
    fn upload_run in screens / preload_upload (app: AppContext) -> Task<()> {
        Box::pin(async move {
            let total = app.model.with_untracked(|m| m.due_uploads(now()).len());
            let mut sent = 0;
            let mut last = None;
            loop {
                let due = app.model.with_untracked(|m| m.due_uploads(now()));
                let Some(bundle) = due.into_iter().next() else {
                    break;
                };
                // A bundle goes in two steps (envelope, then files): counted once.
                if last != Some(bundle.bundle_id) {
                    progress().set(Some((sent, total.max(sent + 1))));
                    sent += 1;
                    last = Some(bundle.bundle_id);
                }
                let next = match &bundle.missing_blobs {
                    Some(missing) => send_blobs(app, &bundle, missing).await,
                    None => match persist::envelope(&app.db.get_value(), &bundle).await {
                        Ok(envelope) => post(&envelope).await,
                        // Nothing to send: say so in the outbox rather than retrying forever.
                        Err(e) => Outcome::Refused(e.to_string()),
                    },
                };
                let id = bundle.bundle_id;
                let next = match next {
                    Outcome::Accepted { duplicate, missing } => {
                        // An answer without the list: every named file, as if none were there
                        // (a file the ledger holds already is answered 200 and not stored again).
                        let missing = missing.unwrap_or_else(|| bundle.blobs.clone());
                        app.model
                            .update(|m| m.envelope_taken(id, missing, duplicate, now()));
                        continue;
                    }
                    // Each confirmed file has been recorded, and with the last one the bundle
                    // is uploaded (also when nothing was left to send, e.g. after a manual
                    // retry).
                    Outcome::Delivered => UploadState::Uploaded {
                        at: now(),
                        duplicate: false,
                    },
                    Outcome::EnvelopeUnknown => {
                        app.model.update(|m| m.forget_missing_blobs(id));
                        bundle.upload.after_failure(
                            "台账未找到该签名文件，将重新上传 / the ledger does not hold the signed file; sending it again".into(),
                            now(),
                        )
                    }
                    Outcome::Refused(reason) => UploadState::Rejected { at: now(), reason },
                    Outcome::TryLater(error) => app
                        .model
                        .with_untracked(|m| current_upload(m, id))
                        .unwrap_or(bundle.upload)
                        .after_failure(error, now()),
                    Outcome::NotEnrolled => bundle.upload.awaiting_enrolment(NOT_ENROLLED, now()),
                };
                let stop = matches!(next, UploadState::Retrying { .. });
                app.model.update(|m| m.set_upload(id, next));
                if stop {
                    // The network or the server is down: the next trigger tries again.
                    break;
                }
            }
            // Photos the ledger now holds go, if the person chose so, once that is stored.
            if app.model.with_untracked(|m| m.settings.free_delivered_photos) {
                photos::free_delivered(app.db.get_value(), app.model, false, || ());
            }
        })
    }
}

/// Where the bundle `id` stands now (files confirmed during this run may have changed it).
fn current_upload(model: &Model, id: uuid::Uuid) -> Option<UploadState> {
    model
        .bundles
        .iter()
        .find(|b| b.bundle_id == id)
        .map(|b| b.upload.clone())
}

/// Starts the triggers: the `online` event and a 30 s timer.
pub fn start_uploader(app: AppContext) {
    upload_due(app);
    http::when_online_and_every(30_000, move || upload_due(app));
}
