//! What a device asks with a signed request (RFC 9421, `paicha_core::httpsig`): to be enrolled,
//! where its enrolment stands, and the hazards assigned to its person (交办).

use super::AppState;
use super::api::current_pack;
use super::auth::{as_signed, refuse_device, signed_device};
use super::error::ApiError;
use crate::access::device::{DeviceAuthError, Signer, authenticate_new_key, authenticate_signer};
use crate::hazards::hazard_rows;
use crate::store::{AuditEntry, DeviceRequest, HazardFilter, HazardStatus, Outcome};
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use paicha_core::lists::Assignee;
use paicha_core::wire::{
    AssignedHazard, AssignmentsResponse, ClosedHazard, DEVICE_ASSIGNMENTS_PATH,
    DEVICE_ENROLMENT_PATH, DEVICE_PATH, DEVICE_PHOTO_ROUTE, DEVICE_PULL_PATH,
    DEVICE_THUMBNAIL_ROUTE, DeviceEnrolmentRequest, DeviceState, DeviceStatus, PULL_LIMIT_MAX,
    PullQuery, PullResponse, PulledAssignment, PulledHazard, Verification,
};

/// An enrolment request is a few hundred bytes.
const MAX_REQUEST_BYTES: usize = 16 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(DEVICE_PATH, get(status))
        .route(DEVICE_ASSIGNMENTS_PATH, get(assignments))
        .route(DEVICE_PULL_PATH, get(pull))
        .route(DEVICE_PHOTO_ROUTE, get(photo))
        .route(DEVICE_THUMBNAIL_ROUTE, get(thumbnail))
}

/// Apart from [`routes`], so that they get a rate limit of their own.
pub fn enrolment_routes() -> Router<AppState> {
    Router::new().route(
        DEVICE_ENROLMENT_PATH,
        post(ask).layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES)),
    )
}

/// Six digits the phone shows and the supervisor compares.
fn short_code() -> String {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    format!("{:06}", u32::from_le_bytes(bytes) % 1_000_000)
}

/// `POST /api/device/enrolment`: a phone asks to be enrolled (and asks again to learn how it
/// stands). The request is signed with the key it names, which proves the phone holds it.
async fn ask(
    State(state): State<AppState>,
    request: Request,
) -> Result<Json<DeviceStatus>, ApiError> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_REQUEST_BYTES)
        .await
        .map_err(|_| ApiError::bad_request("too_large", "the request is too large"))?;
    let asked: DeviceEnrolmentRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "bad_request",
            format!("请求内容有误 / the request is malformed: {e}"),
        )
    })?;
    let public_key: [u8; 32] = paicha_core::dsse::b64_decode(asked.public_key.trim())
        .ok()
        .and_then(|raw| raw.try_into().ok())
        .ok_or_else(|| {
            ApiError::bad_request(
                "bad_key",
                "公钥应为32字节的Ed25519公钥（base64） / public_key must be a 32-byte Ed25519 key in base64",
            )
        })?;
    if [&asked.inspector_name, &asked.cert_no]
        .iter()
        .any(|v| v.trim().is_empty() || v.chars().count() > 100)
    {
        return Err(ApiError::bad_request(
            "bad_request",
            "请填写姓名和执法证号 / the inspector's name and certificate number are required",
        ));
    }
    let now = Utc::now();
    let checked = as_signed(&state, &parts, async |signed| {
        authenticate_new_key(&state.store, signed, &body, public_key, now).await
    })
    .await;
    let key_id = match checked {
        Ok(key_id) => key_id,
        Err(e) => return Err(refuse_device(&state, e, parts.uri.path()).await),
    };
    // Already enrolled: say so (the phone asks again until it is).
    if let Some(device) = state
        .store
        .device(&key_id)
        .await
        .map_err(ApiError::from_store)?
    {
        return Ok(Json(device_status(&state, &device).await?));
    }
    let request = DeviceRequest {
        key_id: key_id.to_string(),
        public_key: paicha_core::dsse::b64_encode(&public_key),
        short_code: short_code(),
        inspector_name: asked.inspector_name.trim().to_string(),
        cert_no: asked.cert_no.trim().to_string(),
        organisation: asked.organisation.trim().to_string(),
        region: asked.region.trim().to_string(),
        requested_at: now,
        decision: String::new(),
    };
    let entry = AuditEntry::new(
        format!("device:{key_id}"),
        "device_enrolment_asked",
        Outcome::Ok,
    )
    .target(key_id.short())
    .detail(format!("{} {}", request.inspector_name, request.cert_no));
    let stored = state
        .store
        .put_device_request(&request, &entry)
        .await
        .map_err(ApiError::from_store)?;
    Ok(Json(waiting(stored)))
}

/// How a key that asked and is not enrolled stands: waiting with its code, or refused.
fn waiting(asked: DeviceRequest) -> DeviceStatus {
    DeviceStatus {
        state: if asked.decision == "refused" {
            DeviceState::Refused
        } else {
            DeviceState::Pending
        },
        key_id: asked.key_id,
        short_code: asked.short_code,
        account_name: String::new(),
    }
}

async fn device_status(
    state: &AppState,
    device: &crate::store::Device,
) -> Result<DeviceStatus, ApiError> {
    let account_name = match &device.account_id {
        Some(id) => state
            .store
            .account(id)
            .await
            .map_err(ApiError::from_store)?
            .map(|a| a.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(DeviceStatus {
        key_id: device.key_id.to_string(),
        state: if device.refusal().is_some() {
            DeviceState::Revoked
        } else {
            DeviceState::Enrolled
        },
        short_code: String::new(),
        account_name,
    })
}

/// `GET /api/device`: where the signing device's enrolment stands: enrolled (to whom),
/// or, for a key that asked and is not enrolled yet, pending with its code or
/// refused. A key the ledger never heard of gets 403 `unknown_key`.
async fn status(
    State(state): State<AppState>,
    request: Request,
) -> Result<Json<DeviceStatus>, ApiError> {
    let (parts, _) = request.into_parts();
    let checked = as_signed(&state, &parts, async |signed| {
        authenticate_signer(&state.store, signed, &[], Utc::now()).await
    })
    .await;
    match checked {
        // A revoked key (or a disabled account) is refused like any request it signs.
        Ok(Signer::Enrolled(device)) => match device.refusal() {
            Some(reason) => {
                Err(refuse_device(&state, DeviceAuthError::Revoked(reason), parts.uri.path()).await)
            }
            None => Ok(Json(device_status(&state, &device).await?)),
        },
        Ok(Signer::Asking(asked)) => Ok(Json(waiting(asked))),
        Err(e) => Err(refuse_device(&state, e, parts.uri.path()).await),
    }
}

/// `GET /api/device/assignments`: the hazards still open that a supervisor assigned (交办) to
/// the signing device's person, or to a township where that person works (a role granted in
/// the township or inside it), each with the hazard as the ledger shows it. A key without an
/// account has none; a revoked key or a disabled account is refused.
async fn assignments(
    State(state): State<AppState>,
    request: Request,
) -> Result<Json<AssignmentsResponse>, ApiError> {
    let (parts, _) = request.into_parts();
    let device = signed_device(&state, &parts, &[]).await?;
    let account = account_of(&state, &device).await?;
    let Some(account) = account else {
        return Ok(Json(AssignmentsResponse::default()));
    };
    let current = state
        .store
        .current_assignments(None)
        .await
        .map_err(ApiError::from_store)?;
    let pack = current_pack(&state).await?.names();
    let mine: Vec<_> = current
        .into_iter()
        .filter(|assignment| assigned_to(&account, &assignment.assignee))
        .collect();
    // One read for all of them.
    let filter = HazardFilter {
        hazards: Some(
            mine.iter()
                .map(|a| (a.hazard.inspection_id.clone(), a.hazard.item_id.clone()))
                .collect(),
        ),
        ..Default::default()
    };
    let mut rows: std::collections::HashMap<(String, String), _> =
        hazard_rows(&state.store, &filter, None, &pack)
            .await
            .map_err(ApiError::from_store)?
            .into_iter()
            .map(|row| ((row.inspection_id.clone(), row.item_id.clone()), row))
            .collect();
    let mut out = Vec::new();
    for assignment in mine {
        let key = (
            assignment.hazard.inspection_id.clone(),
            assignment.hazard.item_id.clone(),
        );
        let Some(hazard) = rows.remove(&key) else {
            continue;
        };
        if hazard.status_code == HazardStatus::Verified.slug() {
            continue;
        }
        out.push(AssignedHazard {
            hazard_no: hazard.hazard_no.clone(),
            inspection_id: assignment.hazard.inspection_id,
            item_id: assignment.hazard.item_id,
            assigned_to: assignment.assignee_name,
            deadline: assignment.deadline,
            note: assignment.note,
            assigned_at: assignment.assigned_at,
            hazard,
        });
    }
    Ok(Json(AssignmentsResponse { assignments: out }))
}

/// `GET /api/device/hazards/{inspection}/{item}/photos/{sha256}`: one photo of a hazard the
/// device may pull, for 复查 offline.
async fn photo(
    State(state): State<AppState>,
    Path((inspection_id, item_id, sha256)): Path<(String, String, String)>,
    request: Request,
) -> Result<axum::response::Response, ApiError> {
    let key = hazard_in_reach(&state, request, inspection_id, item_id).await?;
    let (media_type, bytes) = state
        .store
        .hazard_photo(&key, &sha256)
        .await
        .map_err(ApiError::from_store)?
        .ok_or_else(no_such_photo)?;
    Ok(evidence_response(media_type, bytes))
}

/// `GET /api/device/hazards/{inspection}/{item}/photos/{sha256}/thumbnail`: a small JPEG of
/// it (`crate::thumbnail`), made on the first request and kept. 422 `no_thumbnail` for bytes
/// that do not decode as an image.
async fn thumbnail(
    State(state): State<AppState>,
    Path((inspection_id, item_id, sha256)): Path<(String, String, String)>,
    request: Request,
) -> Result<axum::response::Response, ApiError> {
    let key = hazard_in_reach(&state, request, inspection_id, item_id).await?;
    let stored = state
        .store
        .hazard_thumbnail(&key, &sha256)
        .await
        .map_err(ApiError::from_store)?
        .ok_or_else(no_such_photo)?;
    let bytes = match stored {
        Some(bytes) => bytes,
        None => {
            let (_, photo) = state
                .store
                .hazard_photo(&key, &sha256)
                .await
                .map_err(ApiError::from_store)?
                .ok_or_else(no_such_photo)?;
            // Decoding takes milliseconds of CPU: off the threads that serve requests.
            let made = tokio::task::spawn_blocking(move || crate::thumbnail::make(&photo))
                .await
                .map_err(|e| ApiError::internal("thumbnail", e))?
                .map_err(|e| {
                    ApiError::new(
                        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                        "no_thumbnail",
                        e.to_string(),
                    )
                })?;
            state
                .store
                .put_thumbnail(&sha256, &made)
                .await
                .map_err(ApiError::from_store)?;
            made
        }
    };
    Ok(evidence_response(
        crate::thumbnail::MEDIA_TYPE.to_string(),
        bytes,
    ))
}

fn no_such_photo() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        "没有此照片 / no such photo",
    )
}

fn evidence_response(media_type: String, bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, media_type),
            // Evidence of one region: the device keeps it in its own store, no HTTP cache does.
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The hazard a signed photo request names, if the device may pull it: its person holds a
/// role where the hazard is, or it is assigned to them now, wherever it is. Anything else is
/// 404, whether it exists or not.
async fn hazard_in_reach(
    state: &AppState,
    request: Request,
    inspection_id: String,
    item_id: String,
) -> Result<crate::store::lists::HazardKey, ApiError> {
    let (parts, _) = request.into_parts();
    let device = signed_device(state, &parts, &[]).await?;
    let account = account_of(state, &device).await?;
    let pulls = account
        .as_ref()
        .map(crate::access::pulls_of)
        .unwrap_or_default();
    let key = crate::store::lists::HazardKey {
        inspection_id,
        item_id,
    };
    let found = state
        .store
        .hazard(&key)
        .await
        .map_err(ApiError::from_store)?
        .ok_or_else(no_such_photo)?;
    let in_region = paicha_core::region::RegionCode::parse(&found.region_code)
        .is_ok_and(|code| pulls.iter().any(|r| r.contains(&code)));
    if in_region {
        return Ok(found.key);
    }
    let Some(account) = account else {
        return Err(no_such_photo());
    };
    let current = state
        .store
        .current_assignments_of(&[(key.inspection_id.clone(), key.item_id.clone())])
        .await
        .map_err(ApiError::from_store)?;
    if current.iter().any(|a| assigned_to(&account, &a.assignee)) {
        Ok(found.key)
    } else {
        Err(no_such_photo())
    }
}

/// Whether a 交办 is the person's: to them, or to a township where they hold a role (in the
/// township or inside it).
fn assigned_to(account: &crate::store::Account, assignee: &Assignee) -> bool {
    match assignee {
        Assignee::Inspector(id) => *id == account.id,
        Assignee::Township(code) => account.grants.iter().any(|g| code.contains(&g.region)),
    }
}

/// The account a device key is bound to, if any.
async fn account_of(
    state: &AppState,
    device: &crate::store::Device,
) -> Result<Option<crate::store::Account>, ApiError> {
    match &device.account_id {
        Some(id) => state.store.account(id).await.map_err(ApiError::from_store),
        None => Ok(None),
    }
}

/// How far back a pull's cursor stays from the ledger's clock: a transaction that set a row's
/// `changed_at` may commit after a pull that ran meanwhile, so the next pull reads this window
/// again (a device stores what it pulls by key, so a hazard read twice is stored once).
const PULL_OVERLAP: chrono::Duration = chrono::Duration::seconds(30);

/// `GET /api/device/pull?after=CURSOR&limit=N`: what changed for the device's person since the
/// cursor — the open hazards of the regions where that person holds a role, each as a
/// re-inspector needs it, with its current 交办; and the hazards that left (verified). A key
/// without an account has nothing to pull; a revoked key or a disabled account is refused.
async fn pull(
    State(state): State<AppState>,
    request: Request,
) -> Result<Json<PullResponse>, ApiError> {
    let (parts, _) = request.into_parts();
    let device = signed_device(&state, &parts, &[]).await?;
    let axum::extract::Query(query) = axum::extract::Query::<PullQuery>::try_from_uri(&parts.uri)
        .map_err(|e| {
        ApiError::bad_request("bad_query", format!("查询参数有误 / bad query: {e}"))
    })?;
    let after = crate::store::ChangeCursor::decode(&query.after).ok_or_else(|| {
        ApiError::bad_request(
            "bad_query",
            format!(
                "after 不是上次拉取给出的位置 / after is not a position a pull gave: {:?}",
                query.after
            ),
        )
    })?;
    let limit = query
        .limit
        .unwrap_or(PULL_LIMIT_MAX)
        .clamp(1, PULL_LIMIT_MAX);
    let account = account_of(&state, &device).await?;
    let reads = account
        .as_ref()
        .map(crate::access::pulls_of)
        .unwrap_or_default();
    if reads.is_empty() {
        return Ok(Json(PullResponse {
            after: after.encode(),
            ..PullResponse::default()
        }));
    }
    let account = account.expect("an account reads some region");
    let store = &state.store;
    // The regions' hazards, and those ever assigned to the person or their township wherever
    // they are (a township's staff re-inspect hazards the county recorded); one no longer
    // assigned to them leaves. One query: each hazard once, in one order.
    let assigned = crate::store::AssignedTo {
        account_id: account.id.clone(),
        townships: townships_of(&account),
    };
    let changes = store
        .hazard_changes(&reads, Some(&assigned), &after, limit)
        .await
        .map_err(ApiError::from_store)?;
    let more = changes.len() == limit;
    let changed: Vec<(String, String)> = changes
        .iter()
        .filter(|c| !c.verified)
        .map(|c| (c.inspection_id.clone(), c.item_id.clone()))
        .collect();
    let assignments: std::collections::HashMap<(String, String), _> = store
        .current_assignments_of(&changed)
        .await
        .map_err(ApiError::from_store)?
        .into_iter()
        .map(|a| {
            (
                (a.hazard.inspection_id.clone(), a.hazard.item_id.clone()),
                a,
            )
        })
        .collect();
    let pack = current_pack(&state).await?.names();
    // The changed hazards in the regions, then those outside them assigned to the person now.
    let in_regions = HazardFilter {
        hazards: Some(changed.clone()),
        scope: Some(reads.clone()),
        ..Default::default()
    };
    let mut rows: std::collections::HashMap<(String, String), _> =
        hazard_rows(store, &in_regions, None, &pack)
            .await
            .map_err(ApiError::from_store)?
            .into_iter()
            .map(|row| ((row.inspection_id.clone(), row.item_id.clone()), row))
            .collect();
    let outside: Vec<(String, String)> = changed
        .iter()
        .filter(|key| !rows.contains_key(*key))
        .filter(|key| {
            assignments
                .get(*key)
                .is_some_and(|a| assigned_to(&account, &a.assignee))
        })
        .cloned()
        .collect();
    if !outside.is_empty() {
        let assigned_only = HazardFilter {
            hazards: Some(outside),
            ..Default::default()
        };
        rows.extend(
            hazard_rows(store, &assigned_only, None, &pack)
                .await
                .map_err(ApiError::from_store)?
                .into_iter()
                .map(|row| ((row.inspection_id.clone(), row.item_id.clone()), row)),
        );
    }
    let open: Vec<(String, String)> = changed
        .into_iter()
        .filter(|key| rows.contains_key(key))
        .collect();
    // A page's photos and reviews in one query each, not two per hazard.
    let mut photos = store.photos_of(&open).await.map_err(ApiError::from_store)?;
    let mut reviews = store
        .reviews_of(&open)
        .await
        .map_err(ApiError::from_store)?;
    let first_pull = after == crate::store::ChangeCursor::default();
    let mut hazards = Vec::new();
    let mut closed = Vec::new();
    for change in &changes {
        let key = (change.inspection_id.clone(), change.item_id.clone());
        // Verified ones were not read (not in `open`); nor is one no longer readable here.
        let Some(row) = rows.remove(&key) else {
            // A first pull has nothing to drop.
            if !first_pull {
                let verified = if change.verified {
                    verification(store, &key).await?
                } else {
                    None
                };
                closed.push(ClosedHazard {
                    inspection_id: key.0,
                    item_id: key.1,
                    verified,
                });
            }
            continue;
        };
        let assignment = assignments.get(&key).map(|a| PulledAssignment {
            assigned_to: a.assignee_name.clone(),
            to_me: assigned_to(&account, &a.assignee),
            deadline: a.deadline,
            note: a.note.clone(),
            assigned_at: a.assigned_at,
        });
        let reviewed = reviews.remove(&key).unwrap_or_default();
        hazards.push(PulledHazard {
            photos: photos.remove(&key).unwrap_or_default(),
            conflict: reviewed.conflict,
            reviewed_in: reviewed.reinspections,
            inspection_id: key.0,
            item_id: key.1,
            hazard: row,
            assignment,
        });
    }
    // The next pull starts after the last change read; once everything is read, no later than
    // the overlap window behind the clock (mid-stream it must move on, or a window holding more
    // than a page would be read for ever).
    let read_to = changes.last().map_or(after.clone(), |c| c.cursor.clone());
    let next = if more {
        read_to
    } else {
        read_to.min(crate::store::ChangeCursor::at(Utc::now() - PULL_OVERLAP))
    };
    Ok(Json(PullResponse {
        hazards,
        closed,
        after: next.encode(),
        more,
    }))
}

/// Who verified a hazard: the re-inspector of the review that decides it (sealed last).
async fn verification(
    store: &crate::store::Store,
    (inspection_id, item_id): &(String, String),
) -> Result<Option<Verification>, ApiError> {
    let key = crate::store::lists::HazardKey {
        inspection_id: inspection_id.clone(),
        item_id: item_id.clone(),
    };
    let history = store
        .review_history(&key)
        .await
        .map_err(ApiError::from_store)?;
    let conflict = history.iter().any(|e| e.conflict);
    Ok(history.last().map(|last| Verification {
        by: last.inspector.0.clone(),
        cert_no: last.inspector.1.clone(),
        on: paicha_core::hazard_ledger::china_day(last.sealed_at),
        conflict,
    }))
}

/// The townships where the person holds a role (in the township or inside it): 交办 to one of
/// them is theirs ([`assigned_to`]).
fn townships_of(account: &crate::store::Account) -> Vec<paicha_core::region::RegionCode> {
    let mut out: Vec<paicha_core::region::RegionCode> = account
        .grants
        .iter()
        .filter_map(|g| g.region.as_str().get(..9))
        .filter_map(|code| paicha_core::region::RegionCode::parse(code).ok())
        .collect();
    out.sort();
    out.dedup();
    out
}
