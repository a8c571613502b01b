//! The ledger's HTTP API as types: what `paicha-ledger serve` answers under `/api` and what
//! the app reads. Serde only, so the app's wasm build carries nothing heavier.
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /api/health` | [`Health`]; 503 [`ErrorBody`] when the database is unavailable |
//! | `GET /healthz` | [`Health`]: the process answers (never touches the database) |
//! | `GET /readyz` | [`Readiness`]: 200 when every check passed, else 503 |
//! | `POST /api/bundles` (the envelope file) | [`UploadResult`]: 201 imported, 200 already imported |
//! | `GET /api/checklists` | [`ChecklistsResponse`] |
//! | `GET /api/hazards?…` ([`HazardsQuery`]), signed in | [`HazardsResponse`]: only the caller's regions |
//! | `GET /api/me`, signed in | [`Me`] |
//! | `POST /api/device/enrolment` ([`DeviceEnrolmentRequest`]), signed by the new key | [`DeviceStatus`] |
//! | `GET /api/device`, signed by the device | [`DeviceStatus`] |
//! | `GET /api/device/assignments`, signed by the device | [`AssignmentsResponse`] |
//! | `GET /api/device/pull?` [`PullQuery`], signed by the device | [`PullResponse`] |
//! | `GET` [`device_photo_path`], signed by the device | the photo's bytes |
//! | `GET` [`device_thumbnail_path`], signed by the device | a JPEG at most 256 px on its longest side; 422 `no_thumbnail` when the photo does not decode |
//! | anything that fails | 4xx/5xx [`ErrorBody`] |
//!
//! "Signed in" is a staff session (a passkey sign-in); "signed" is an HTTP Message Signature of
//! the device's key ([`crate::httpsig`]). Without them the answer is 401 (or 403 for a key the
//! ledger refuses). The passkey ceremonies' JSON is WebAuthn's own and is not repeated here.

use crate::checklist::SECTORS;
use crate::dsse::KeyId;
use crate::followup::HazardStatus;
use crate::hazard_ledger::{HazardLedgerRow, HazardLevel};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const HEALTH_PATH: &str = "/api/health";
pub const BUNDLES_PATH: &str = "/api/bundles";
/// `PUT`: one file a stored bundle names, its bytes as the body (axum route syntax).
pub const BLOB_ROUTE: &str = "/api/blobs/{sha256}";

/// The path of [`BLOB_ROUTE`] for one file.
pub fn blob_path(sha256: &str) -> String {
    format!("/api/blobs/{sha256}")
}
pub const CHECKLISTS_PATH: &str = "/api/checklists";
pub const HAZARDS_PATH: &str = "/api/hazards";
pub const ME_PATH: &str = "/api/me";
pub const DEVICE_PATH: &str = "/api/device";
pub const DEVICE_ENROLMENT_PATH: &str = "/api/device/enrolment";
pub const DEVICE_ASSIGNMENTS_PATH: &str = "/api/device/assignments";

/// `GET /api/device/assignments`: the hazards still open that supervisors assigned (交办) to
/// the device's person or to a township where that person works.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentsResponse {
    pub assignments: Vec<AssignedHazard>,
}

/// One assignment and the hazard it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedHazard {
    pub hazard_no: String,
    pub inspection_id: String,
    pub item_id: String,
    /// Who it is assigned to, as the supervisor chose it (`乡镇 建北街道`, `检查员 张三`).
    pub assigned_to: String,
    /// 办理期限
    pub deadline: NaiveDate,
    /// 交办说明
    pub note: String,
    pub assigned_at: chrono::DateTime<chrono::Utc>,
    /// The hazard as the ledger shows it: item, legal basis, description, order, deadline in
    /// force, status, who found it and when.
    pub hazard: HazardLedgerRow,
}

pub const DEVICE_PULL_PATH: &str = "/api/device/pull";
/// One photo of a pulled hazard (axum's route syntax); [`device_photo_path`] fills it in.
pub const DEVICE_PHOTO_ROUTE: &str =
    "/api/device/hazards/{inspection_id}/{item_id}/photos/{sha256}";

/// Its thumbnail; [`device_thumbnail_path`] fills it in.
pub const DEVICE_THUMBNAIL_ROUTE: &str =
    "/api/device/hazards/{inspection_id}/{item_id}/photos/{sha256}/thumbnail";

/// The path of a pulled hazard's photo's thumbnail.
pub fn device_thumbnail_path(inspection_id: &str, item_id: &str, sha256: &str) -> String {
    format!(
        "{}/thumbnail",
        device_photo_path(inspection_id, item_id, sha256)
    )
}

/// The path of a pulled hazard's photo (`sha256` from [`PulledHazard::photos`]).
pub fn device_photo_path(inspection_id: &str, item_id: &str, sha256: &str) -> String {
    format!(
        "/api/device/hazards/{}/{}/photos/{}",
        percent_encode(inspection_id),
        percent_encode(item_id),
        percent_encode(sha256)
    )
}

/// The most hazards one pull answers (and the default `limit`).
pub const PULL_LIMIT_MAX: usize = 200;

/// `GET /api/device/pull`'s query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullQuery {
    /// Where the last pull ended (its [`PullResponse::after`]); empty or absent: from the start.
    #[serde(default)]
    pub after: String,
    /// At most this many changes (1 to [`PULL_LIMIT_MAX`]).
    #[serde(default)]
    pub limit: Option<usize>,
}

impl PullQuery {
    /// The request's path and query (`/api/device/pull?after=…`).
    pub fn path(&self) -> String {
        let mut path = format!("{DEVICE_PULL_PATH}?after={}", percent_encode(&self.after));
        if let Some(limit) = self.limit {
            path.push_str(&format!("&limit={limit}"));
        }
        path
    }
}

/// `GET /api/device/pull`: what changed for the device's person since `after` — the open
/// hazards of the regions where that person holds a role, and the hazards that left them.
/// Pull again with [`PullResponse::after`] while [`PullResponse::more`]; storing by key makes
/// a hazard that arrives twice (an interrupted pull, the overlap window) one hazard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Hazards new or changed (found, reviewed, assigned, reassigned), still open.
    pub hazards: Vec<PulledHazard>,
    /// Hazards that left since: verified (已验收销号), or no longer in the person's regions. A
    /// device drops what it pulled of them, and marks its own as verified by whom.
    pub closed: Vec<ClosedHazard>,
    /// Where the next pull starts: send it back as `after` once this answer is stored.
    pub after: String,
    /// More changes are waiting: pull again at once.
    pub more: bool,
}

/// A hazard that left the pull: verified by a sealed re-inspection, or moved out of reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedHazard {
    pub inspection_id: String,
    pub item_id: String,
    /// Verified: who sealed the re-inspection that decided it, and on which day (China's
    /// calendar). Absent when the hazard left the person's regions instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<Verification>,
}

/// Who verified a hazard's rectification (谁验收、谁签字), and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The re-inspector's name and 执法证号.
    pub by: String,
    pub cert_no: String,
    pub on: NaiveDate,
    /// The verifying re-inspection conflicted with another (复查冲突).
    #[serde(default)]
    pub conflict: bool,
}

/// One hazard as a re-inspector needs it offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledHazard {
    pub inspection_id: String,
    pub item_id: String,
    /// Item, legal basis, description, location, order, deadline in force, status, who found
    /// it and when, as the ledger shows it.
    pub hazard: HazardLedgerRow,
    /// The SHA-256 of its photos, in order.
    pub photos: Vec<String>,
    /// Its current 交办, if any.
    pub assignment: Option<PulledAssignment>,
    /// Two re-inspections decided it without each other's result (复查冲突): both are on the
    /// ledger, the one sealed last decides; show it, do not resolve it.
    pub conflict: bool,
    /// The sealed re-inspections (their ids) whose reviews of it the ledger holds: once a
    /// device's own re-inspection is among them, the ledger's status has taken it in and
    /// decides (someone may have reviewed it since). Absent from ledgers before it: none.
    #[serde(default)]
    pub reviewed_in: Vec<String>,
}

/// A hazard's current 交办.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledAssignment {
    /// As the supervisor chose it (`乡镇 建北街道`, `检查员 张三`).
    pub assigned_to: String,
    /// Assigned to the device's person, or to a township where that person works: 待办.
    pub to_me: bool,
    /// 办理期限
    pub deadline: NaiveDate,
    /// 交办说明
    pub note: String,
    pub assigned_at: chrono::DateTime<chrono::Utc>,
}

/// `GET /api/me`: the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub account_id: String,
    pub name: String,
    pub grants: Vec<MeGrant>,
    /// The region codes whose hazard ledger this person reads.
    pub reads: Vec<String>,
    /// To send back as `X-CSRF-Token` with every state-changing request.
    pub csrf_token: String,
}

/// A role held in a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeGrant {
    /// `admin` | `supervisor` | `township` | `inspector`
    pub role: String,
    pub region: String,
    /// `河北省 石家庄市 长安区`
    pub region_name: String,
}

/// `POST /api/device/enrolment`: a phone asks to be enrolled, signed with the key it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEnrolmentRequest {
    /// The raw 32-byte Ed25519 public key, standard base64.
    pub public_key: String,
    pub inspector_name: String,
    /// 执法证号
    pub cert_no: String,
    #[serde(default)]
    pub organisation: String,
    /// 所属区域: a region code, or the text an older profile holds.
    #[serde(default)]
    pub region: String,
}

/// Where a device's enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    /// Asked; a supervisor has not confirmed it yet.
    Pending,
    /// Enrolled and bound to an account: its bundles are accepted.
    Enrolled,
    /// Refused by a supervisor.
    Refused,
    /// Revoked, or its account disabled: refused from now on.
    Revoked,
}

/// `GET /api/device`, and the answer to an enrolment request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStatus {
    pub key_id: String,
    pub state: DeviceState,
    /// The code the phone shows, for the supervisor to compare (while pending).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub short_code: String,
    /// The account the key is bound to, once enrolled.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub account_name: String,
}

/// Liveness: the process answers. Never touches the database.
pub const HEALTHZ_PATH: &str = "/healthz";
/// Readiness: the database (and, later, the blob store) answer.
pub const READYZ_PATH: &str = "/readyz";
/// Prometheus text format.
pub const METRICS_PATH: &str = "/metrics";

/// The body of every error answer: `{"error": "<reason for people>", "code": "<reason for
/// programs>"}`. On the wire the message is `error`, as installed apps read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(rename = "error")]
    pub message: String,
    pub code: String,
}

/// `GET /api/health` when the server and its database answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    /// The ledger's version.
    pub version: String,
}

/// `GET /readyz`: whether this instance can take uploads. 200 with `status` `ready` when every
/// check passed; 503 with `not_ready` (a check failed) or `draining` (shutting down).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    pub status: String,
    /// Each check by name (`database`, …): `ok`, or why it failed.
    pub checks: std::collections::BTreeMap<String, String>,
}

/// `POST /api/bundles`: what became of an accepted bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UploadResult {
    /// 201: stored now.
    Imported(Imported),
    /// 200: the same bundle was stored before; nothing changed.
    AlreadyImported(AlreadyImported),
}

impl UploadResult {
    /// Whether the ledger had the bundle already (a retry that changed nothing).
    pub fn is_duplicate(&self) -> bool {
        matches!(self, UploadResult::AlreadyImported(_))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    pub bundle_id: Uuid,
    pub key_id: KeyId,
    pub sequence: u64,
    pub payload_sha256: String,
    /// Inspections stored by this bundle (one carried before is linked, not stored again).
    pub new_inspections: u64,
    pub findings: u64,
    /// Re-inspection reviews stored.
    pub reviews: u64,
    /// Of those, how many name a hazard the ledger does not hold yet.
    pub unmatched_reviews: u64,
    /// Another bundle of this device already had the sequence number: stored and flagged.
    pub fork: bool,
    /// The files the payload names that the ledger does not hold yet: send each with
    /// `PUT /api/blobs/{sha256}`. The inspections are incomplete until they have arrived.
    #[serde(default)]
    pub missing_blobs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlreadyImported {
    pub bundle_id: Uuid,
    pub payload_sha256: String,
    /// As in [`Imported::missing_blobs`]: a retry learns what is still to send.
    #[serde(default)]
    pub missing_blobs: Vec<String>,
}

impl UploadResult {
    /// The files still to send after this answer.
    pub fn missing_blobs(&self) -> &[String] {
        match self {
            UploadResult::Imported(i) => &i.missing_blobs,
            UploadResult::AlreadyImported(a) => &a.missing_blobs,
        }
    }
}

/// `PUT /api/blobs/{sha256}`: the file is held (201 the first time, 200 after).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobStored {
    pub sha256: String,
    pub size: u64,
    /// Whether the ledger held these bytes before this request.
    pub already_held: bool,
}

/// `GET /api/checklists`: the signed checklist pack file (docs/checklist-packs.md), as the build
/// writes `dist/checklists/pack.json`; a client opens it with [`crate::signed_pack::open`].
pub type ChecklistsResponse = crate::signed_pack::SignedPackFile;

/// `GET /api/hazards`: the hazard ledger's rows, as `export hazards --header keys` writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HazardsResponse {
    /// Rows returned (at most the query's limit).
    pub count: usize,
    /// Whether more hazards matched than were returned.
    pub truncated: bool,
    pub hazards: Vec<HazardLedgerRow>,
}

/// Rows returned without `limit`.
pub const DEFAULT_HAZARD_LIMIT: usize = 1000;
/// The largest `limit`.
pub const MAX_HAZARD_LIMIT: usize = 10_000;

/// The filters of `GET /api/hazards` (and of `export hazards`); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HazardsQuery {
    /// 2 to 6 digits of the 行政区划代码 (positions 3–8 of the credit code).
    pub region: Option<String>,
    /// A sector id, e.g. `fireworks`.
    pub sector: Option<String>,
    pub level: Option<HazardLevel>,
    /// Any of these statuses; empty: any status.
    pub status: Vec<HazardStatus>,
    /// The day statuses are judged on; none: today in China Standard Time.
    pub as_of: Option<NaiveDate>,
    /// First and last day (China Standard Time, inclusive) of the inspections' start.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// At most this many rows (1 to [`MAX_HAZARD_LIMIT`], default [`DEFAULT_HAZARD_LIMIT`]).
    pub limit: Option<usize>,
}

/// Why a hazard query is refused, in words for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

const DATE_FORMAT: &str = "%Y-%m-%d";

impl HazardsQuery {
    /// The query parameters, in the order a query string lists them.
    pub const PARAMETERS: [&'static str; 8] = [
        "region", "sector", "level", "status", "as_of", "from", "to", "limit",
    ];

    /// Reads decoded query parameters; an unknown or repeated parameter, or a value that is
    /// not what the parameter takes, is refused with a message that says so. An empty value
    /// counts as not given (as an empty form field sends it).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, QueryError> {
        let mut query = Self::default();
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in pairs {
            if !Self::PARAMETERS.contains(&name) {
                return Err(QueryError(format!(
                    "unknown query parameter {name:?}; the parameters are {}",
                    Self::PARAMETERS.join(", ")
                )));
            }
            if seen.contains(&name) {
                return Err(QueryError(format!(
                    "the query parameter {name} is given twice"
                )));
            }
            seen.push(name);
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match name {
                "region" => query.region = Some(value.to_string()),
                "sector" => query.sector = Some(value.to_string()),
                "level" => {
                    query.level = Some(HazardLevel::from_slug(value).ok_or_else(|| {
                        QueryError(format!("level must be general or major, got {value:?}"))
                    })?)
                }
                "status" => query.status = parse_statuses(value)?,
                "as_of" => query.as_of = Some(parse_day(name, value)?),
                "from" => query.from = Some(parse_day(name, value)?),
                "to" => query.to = Some(parse_day(name, value)?),
                "limit" => {
                    query.limit = Some(value.parse().map_err(|_| {
                        QueryError(format!(
                            "limit must be a number from 1 to {MAX_HAZARD_LIMIT}, got {value:?}"
                        ))
                    })?)
                }
                _ => unreachable!("checked against PARAMETERS"),
            }
        }
        Ok(query)
    }

    /// Checks what the parameters mean together: the region's digits, a known sector, the
    /// limit's range, a start not after the end.
    pub fn validate(&self) -> Result<(), QueryError> {
        if let Some(region) = &self.region
            && (!(2..=6).contains(&region.len()) || !region.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(QueryError(format!(
                "the region must be 2 to 6 digits of an administrative division code, got {region:?}"
            )));
        }
        if let Some(sector) = &self.sector
            && !SECTORS.iter().any(|s| s.0 == sector)
        {
            let known: Vec<&str> = SECTORS.iter().map(|s| s.0).collect();
            return Err(QueryError(format!(
                "unknown sector {sector:?}; known sectors: {}",
                known.join(", ")
            )));
        }
        if let Some(limit) = self.limit
            && !(1..=MAX_HAZARD_LIMIT).contains(&limit)
        {
            return Err(QueryError(format!(
                "limit must be a number from 1 to {MAX_HAZARD_LIMIT}, got {limit}"
            )));
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(QueryError(format!(
                "the start date {from} is after the end date {to}"
            )));
        }
        Ok(())
    }

    /// The limit in force.
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(DEFAULT_HAZARD_LIMIT)
    }

    /// The query string (without `?`) that [`HazardsQuery::from_pairs`] reads back.
    pub fn to_query_string(&self) -> String {
        let day = |d: &Option<NaiveDate>| d.map(|d| d.format(DATE_FORMAT).to_string());
        let status: Vec<&str> = self.status.iter().map(|s| s.slug()).collect();
        let values = [
            self.region.clone(),
            self.sector.clone(),
            self.level.map(|l| l.slug().to_string()),
            (!status.is_empty()).then(|| status.join(",")),
            day(&self.as_of),
            day(&self.from),
            day(&self.to),
            self.limit.map(|n| n.to_string()),
        ];
        Self::PARAMETERS
            .iter()
            .zip(values)
            .filter_map(|(name, value)| value.map(|v| format!("{name}={}", percent_encode(&v))))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A status as queries spell it: its slug, `due-soon` for `due_soon`, or `closed` (the name
/// before the follow-up statuses) for `verified`.
pub fn parse_status(text: &str) -> Option<HazardStatus> {
    let text = text.trim();
    if text == "closed" {
        return Some(HazardStatus::Verified);
    }
    HazardStatus::ALL
        .into_iter()
        .find(|s| s.slug() == text || s.slug().replace('_', "-") == text)
}

fn parse_statuses(value: &str) -> Result<Vec<HazardStatus>, QueryError> {
    value
        .split(',')
        .map(|text| {
            parse_status(text).ok_or_else(|| {
                QueryError(format!(
                    "status must be overdue, escalated, due_soon, open, rectified or verified \
                     (several separated by commas), got {text:?}"
                ))
            })
        })
        .collect()
}

fn parse_day(name: &str, value: &str) -> Result<NaiveDate, QueryError> {
    NaiveDate::parse_from_str(value, DATE_FORMAT).map_err(|_| {
        QueryError(format!(
            "{name} must be a date like 2026-03-01, got {value:?}"
        ))
    })
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> Result<HazardsQuery, QueryError> {
        HazardsQuery::from_pairs(
            text.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, ""))),
        )
    }

    #[test]
    fn a_query_reads_back_what_it_writes() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d);
        let q = HazardsQuery {
            region: Some("4403".into()),
            sector: Some("fireworks".into()),
            level: Some(HazardLevel::Major),
            status: vec![HazardStatus::Overdue, HazardStatus::DueSoon],
            as_of: day(31),
            from: day(1),
            to: day(30),
            limit: Some(20),
        };
        let text = q.to_query_string();
        assert_eq!(
            text,
            "region=4403&sector=fireworks&level=major&status=overdue%2Cdue_soon&as_of=2026-03-31\
             &from=2026-03-01&to=2026-03-30&limit=20"
        );
        let decoded = text.replace("%2C", ",");
        assert_eq!(query(&decoded).unwrap(), q);
        assert_eq!(HazardsQuery::default().to_query_string(), "");
    }

    #[test]
    fn bad_parameters_are_named() {
        let err = |text| query(text).unwrap_err().0;
        assert!(err("colour=red").contains("unknown query parameter \"colour\""));
        assert!(err("level=major&level=general").contains("given twice"));
        assert!(err("level=high").contains("general or major"));
        assert!(err("status=done").contains("\"done\""));
        assert!(err("as_of=2026-13-01").contains("as_of must be a date"));
        assert!(err("limit=many").contains("limit must be a number"));
        let q = query("status=due-soon,closed&region=").unwrap();
        assert_eq!(q.status, [HazardStatus::DueSoon, HazardStatus::Verified]);
        assert_eq!(q.region, None, "an empty value is not given");
    }

    #[test]
    fn validation_checks_what_values_mean() {
        let invalid = |text| query(text).unwrap().validate().unwrap_err().0;
        assert!(invalid("region=4").contains("2 to 6 digits"));
        assert!(invalid("region=44a").contains("2 to 6 digits"));
        assert!(invalid("sector=bakery").contains("known sectors: hazardous_chemicals"));
        assert!(invalid("limit=0").contains("from 1 to 10000"));
        assert!(invalid("limit=10001").contains("from 1 to 10000"));
        assert!(invalid("from=2026-03-02&to=2026-03-01").contains("after the end date"));
        assert!(query("region=44&limit=10000").unwrap().validate().is_ok());
        assert_eq!(HazardsQuery::default().limit(), DEFAULT_HAZARD_LIMIT);
    }

    #[test]
    fn upload_results_are_tagged_by_status() {
        let duplicate = UploadResult::AlreadyImported(AlreadyImported {
            bundle_id: Uuid::nil(),
            payload_sha256: "ab".into(),
            missing_blobs: vec!["cd".into()],
        });
        let json = serde_json::to_value(&duplicate).unwrap();
        assert_eq!(json["status"], "already_imported");
        assert_eq!(duplicate.missing_blobs(), ["cd"]);
        assert!(duplicate.is_duplicate());
        let error = ErrorBody {
            message: "no".into(),
            code: "too_large".into(),
        };
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"error":"no","code":"too_large"}"#
        );
    }
}
