//! The outbox: bundles wait here until the ledger has them. Uploads are tried when a bundle
//! is created, when the browser comes back online, and every 30 s while any is due; failures
//! that may pass (offline, server error) back off, refusals wait for the user.

use crate::model::UploadState;
use crate::model::context::AppContext;
use crate::model::persist;
use crate::platform::clock::now;
use crate::platform::http;
use crate::platform::lazy::{Task, on_demand};
use leptos::prelude::*;
use paicha_core::wire;

enum Outcome {
    Accepted {
        duplicate: bool,
    },
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
            },
            // Stored, by the status; an answer we cannot read is not a refusal.
            Err(_) => Outcome::Accepted { duplicate: false },
        },
        status @ 400..=499 => match serde_json::from_str::<wire::ErrorBody>(&reply.body) {
            Ok(e) if status == 403 && e.code == "unknown_key" => Outcome::NotEnrolled,
            Ok(e) => Outcome::Refused(e.message),
            Err(_) => Outcome::Refused(format!("HTTP {status}")),
        },
        status => Outcome::TryLater(format!("HTTP {status}")),
    }
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
            loop {
                let due = app.model.with_untracked(|m| m.due_uploads(now()));
                let Some(bundle) = due.into_iter().next() else {
                    break;
                };
                progress().set(Some((sent, total.max(sent + 1))));
                sent += 1;
                let envelope = persist::envelope(&app.db.get_value(), &bundle).await;
                let next = match envelope {
                    Ok(envelope) => post(&envelope).await,
                    // Nothing to send: say so in the outbox rather than retrying forever.
                    Err(e) => Outcome::Refused(e.to_string()),
                };
                let next = match next {
                    Outcome::Accepted { duplicate } => UploadState::Uploaded {
                        at: now(),
                        duplicate,
                    },
                    Outcome::Refused(reason) => UploadState::Rejected { at: now(), reason },
                    Outcome::TryLater(error) => bundle.upload.after_failure(error, now()),
                    Outcome::NotEnrolled => bundle.upload.awaiting_enrolment(NOT_ENROLLED, now()),
                };
                let stop = matches!(next, UploadState::Retrying { .. });
                app.model.update(|m| m.set_upload(bundle.bundle_id, next));
                if stop {
                    // The network or the server is down: the next trigger tries again.
                    break;
                }
            }
        })
    }
}

/// Starts the triggers: the `online` event and a 30 s timer.
pub fn start_uploader(app: AppContext) {
    upload_due(app);
    http::when_online_and_every(30_000, move || upload_due(app));
}
