//! Bundles this device signed, and where each stands in the outbox.

use super::{Model, RecordKey};
use chrono::{DateTime, Utc};
use paicha_core::bundle::ChainState;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a bundle stands in the outbox. Stored as `{"state": "retrying", "attempts": 2, …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UploadState {
    /// Waiting to be sent; `attempts` failed so far, next try not before `retry_at`.
    #[default]
    Pending,
    Retrying {
        attempts: u32,
        retry_at: DateTime<Utc>,
        last_error: String,
    },
    /// The ledger has it (`duplicate`: it already had it before this upload).
    Uploaded { at: DateTime<Utc>, duplicate: bool },
    /// The ledger refused it; only a manual retry sends it again.
    Rejected { at: DateTime<Utc>, reason: String },
}

impl UploadState {
    /// Waiting time after `attempts` failed tries: 5 s doubling, at most 10 minutes.
    pub fn backoff(attempts: u32) -> chrono::Duration {
        chrono::Duration::seconds((5i64 << attempts.min(7)).min(600))
    }

    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        match self {
            UploadState::Pending => true,
            UploadState::Retrying { retry_at, .. } => *retry_at <= now,
            _ => false,
        }
    }

    /// The state while the ledger does not know the device's key yet: tried again every
    /// minute (enrolment is a person's step and may come any time), without backing off.
    pub fn awaiting_enrolment(&self, reason: &str, now: DateTime<Utc>) -> Self {
        let attempts = match self {
            UploadState::Retrying { attempts, .. } => attempts + 1,
            _ => 1,
        };
        UploadState::Retrying {
            attempts,
            retry_at: now + chrono::Duration::seconds(60),
            last_error: reason.to_string(),
        }
    }

    /// The state after a failed try that is worth repeating (network down, server error).
    pub fn after_failure(&self, error: String, now: DateTime<Utc>) -> Self {
        let attempts = match self {
            UploadState::Retrying { attempts, .. } => attempts + 1,
            _ => 1,
        };
        UploadState::Retrying {
            attempts,
            retry_at: now + Self::backoff(attempts),
            last_error: error,
        }
    }
}

/// A bundle this device created. Its envelope is kept verbatim (so a re-download gives the
/// same bytes) in the `envelopes` store, not here: the model holds every record, and a
/// version 1 envelope carries the bundle's photos (a version 2 one names them only; their
/// bytes stay in the photo store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleRecord {
    pub bundle_id: Uuid,
    pub sequence: u64,
    pub file_name: String,
    /// The envelope of a record stored before v6 whose move to the `envelopes` store has not
    /// succeeded yet: kept, and written back with the record, until it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope_json: Option<String>,
    pub inspection_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub upload: UploadState,
    /// The files the payload names (photos and the site representative's signature, by
    /// SHA-256, in its `attachments` order). A version 2 payload carries none of their bytes:
    /// they go to the ledger one by one after the envelope (`PUT /api/blobs/{sha256}`) and into
    /// the offline transfer archive beside it. Empty for a bundle without files, and for one
    /// created before version 2 (its envelope embeds them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blobs: Vec<String>,
    /// The CRC-32 of each of `blobs`, in order, computed when signing read the file: what the
    /// transfer archive's entry headers need, so that a download does not read the photos.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blob_crc32: Vec<u32>,
    /// The files the ledger still lacks: those its answer to the envelope listed, less each it
    /// has confirmed since, so that a confirmed file is never sent again, not after a reload
    /// nor after a network cut. `None` until the ledger has taken the envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_blobs: Option<Vec<String>>,
}

impl BundleRecord {
    /// IndexedDB key of a bundle record.
    /// Keyed by bundle id: sequence numbers restart with a new device key (e.g. after a
    /// restore on another device), bundle ids never collide.
    pub fn storage_key(bundle_id: Uuid) -> String {
        bundle_id.to_string()
    }

    /// The name a download offers: the bundle file, or, when its payload names files, the
    /// transfer archive that holds the bundle file and those files (`paicha-…-000001.zip`).
    pub fn download_name(&self) -> String {
        if self.blobs.is_empty() {
            return self.file_name.clone();
        }
        let stem = self
            .file_name
            .strip_suffix(".json")
            .unwrap_or(&self.file_name);
        format!("{stem}.zip")
    }

    /// (delivered, named) for a bundle whose files travel beside the envelope: files the ledger
    /// holds, out of all it names. `None` for a bundle without such files.
    pub fn blob_progress(&self) -> Option<(usize, usize)> {
        let named = self.blobs.len();
        if named == 0 {
            return None;
        }
        let delivered = match (&self.missing_blobs, &self.upload) {
            (Some(missing), _) => named.saturating_sub(missing.len()),
            (None, UploadState::Uploaded { .. }) => named,
            (None, _) => 0,
        };
        Some((delivered, named))
    }
}

impl BundleRecord {
    /// Whether the ledger confirmed the envelope and every file it names.
    pub fn is_delivered(&self) -> bool {
        matches!(self.upload, UploadState::Uploaded { .. })
            && self.missing_blobs.as_ref().is_some_and(Vec::is_empty)
    }
}

impl Model {
    pub fn bundle_for(&self, inspection: Uuid) -> Option<&BundleRecord> {
        self.bundles
            .iter()
            .rev()
            .find(|b| b.inspection_ids.contains(&inspection))
    }

    /// Records a bundle that has already been durably stored together with the new chain state.
    pub fn bundle_created(&mut self, record: BundleRecord, chain: ChainState) {
        self.bundles.push(record);
        self.chain = chain;
    }

    pub fn set_upload(&mut self, bundle_id: Uuid, state: UploadState) {
        if let Some(bundle) = self.bundles.iter_mut().find(|b| b.bundle_id == bundle_id) {
            bundle.upload = state;
            self.touch(RecordKey::Bundle(bundle_id));
        }
    }

    /// The ledger took the envelope of `bundle_id` (`duplicate`: it had it already) and lacks
    /// `missing` of its files: uploaded if it lacks none, else due again at once to send them.
    pub fn envelope_taken(
        &mut self,
        bundle_id: Uuid,
        missing: Vec<String>,
        duplicate: bool,
        now: DateTime<Utc>,
    ) {
        if let Some(bundle) = self.bundles.iter_mut().find(|b| b.bundle_id == bundle_id) {
            bundle.upload = if missing.is_empty() {
                UploadState::Uploaded { at: now, duplicate }
            } else {
                UploadState::Pending
            };
            bundle.missing_blobs = Some(missing);
            self.touch(RecordKey::Bundle(bundle_id));
        }
    }

    /// The ledger confirmed that it holds the file `sha256` of `bundle_id` (201 or 200): it is
    /// never sent again, and the bundle is uploaded once no file is missing. A bundle that was
    /// waiting to retry made progress: its next failure starts the backoff afresh.
    pub fn blob_delivered(&mut self, bundle_id: Uuid, sha256: &str, now: DateTime<Utc>) {
        let Some(bundle) = self.bundles.iter_mut().find(|b| b.bundle_id == bundle_id) else {
            return;
        };
        let Some(missing) = bundle.missing_blobs.as_mut() else {
            return;
        };
        missing.retain(|h| h != sha256);
        if missing.is_empty() {
            bundle.upload = UploadState::Uploaded {
                at: now,
                duplicate: false,
            };
        } else if matches!(bundle.upload, UploadState::Retrying { .. }) {
            bundle.upload = UploadState::Pending;
        }
        self.touch(RecordKey::Bundle(bundle_id));
    }

    /// The ledger does not know that a stored bundle names the file it was sent (404
    /// `blob_not_named`): what it lacked is forgotten, so the envelope goes again first and
    /// its answer says afresh what to send.
    pub fn forget_missing_blobs(&mut self, bundle_id: Uuid) {
        if let Some(bundle) = self.bundles.iter_mut().find(|b| b.bundle_id == bundle_id) {
            bundle.missing_blobs = None;
            self.touch(RecordKey::Bundle(bundle_id));
        }
    }

    /// "Upload now": every bundle waiting for a retry is due at once (the person knows the
    /// network is back, or that the device was just enrolled). Refused ones stay refused.
    pub fn retry_waiting_uploads(&mut self, now: DateTime<Utc>) {
        let waiting: Vec<Uuid> = self
            .bundles
            .iter()
            .filter(|b| matches!(b.upload, UploadState::Retrying { .. }) && !b.upload.is_due(now))
            .map(|b| b.bundle_id)
            .collect();
        for id in waiting {
            if let Some(UploadState::Retrying {
                attempts,
                last_error,
                ..
            }) = self.bundle_upload(id)
            {
                self.set_upload(
                    id,
                    UploadState::Retrying {
                        attempts,
                        retry_at: now,
                        last_error,
                    },
                );
            }
        }
    }

    fn bundle_upload(&self, id: Uuid) -> Option<UploadState> {
        self.bundles
            .iter()
            .find(|b| b.bundle_id == id)
            .map(|b| b.upload.clone())
    }

    /// Whether [`Model::due_uploads`] would return anything, without copying any bundle.
    pub fn any_upload_due(&self, now: DateTime<Utc>) -> bool {
        self.bundles.iter().any(|b| b.upload.is_due(now))
    }

    /// Bundles whose next upload attempt is due, oldest first.
    pub fn due_uploads(&self, now: DateTime<Utc>) -> Vec<BundleRecord> {
        self.bundles
            .iter()
            .filter(|b| b.upload.is_due(now))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(n: u8) -> String {
        format!("{n:02x}").repeat(32)
    }

    #[test]
    fn a_record_stored_before_blobs_loads_and_shows_no_photo_progress() {
        let stored = r#"{"bundle_id":"8d4e2f60-1c3b-4a5d-9e7f-0a1b2c3d4e5f","sequence":1,"file_name":"paicha-91440300708461136T-20261120-000001.json","inspection_ids":[],"created_at":"2026-11-29T09:00:00Z","upload":{"state":"uploaded","at":"2026-11-29T09:01:00Z","duplicate":false}}"#;
        let record: BundleRecord = serde_json::from_str(stored).unwrap();
        assert!(record.blobs.is_empty());
        assert_eq!(record.missing_blobs, None);
        assert_eq!(record.blob_progress(), None);
        assert_eq!(record.download_name(), record.file_name);
        // Written back without the new fields, as the previous version would read it.
        let json = serde_json::to_string(&record).unwrap();
        assert!(!json.contains("blobs"), "{json}");
    }

    #[test]
    fn files_are_delivered_one_by_one_and_never_again_then_the_bundle_is_uploaded() {
        let now = "2026-11-29T08:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let id = Uuid::from_u128(7);
        let mut model = Model::default();
        model.bundles.push(BundleRecord {
            bundle_id: id,
            sequence: 1,
            file_name: "paicha-91440300708461136T-20261129-000001.json".into(),
            envelope_json: None,
            inspection_ids: vec![],
            created_at: now,
            upload: UploadState::Pending,
            blobs: vec![hash(1), hash(2), hash(3)],
            blob_crc32: vec![1, 2, 3],
            missing_blobs: None,
        });
        let bundle = |m: &Model| m.bundles[0].clone();
        assert_eq!(
            bundle(&model).download_name(),
            "paicha-91440300708461136T-20261129-000001.zip"
        );
        assert_eq!(bundle(&model).blob_progress(), Some((0, 3)));

        // The ledger already held the first file: two to send; still due.
        model.envelope_taken(id, vec![hash(2), hash(3)], false, now);
        assert_eq!(bundle(&model).blob_progress(), Some((1, 3)));
        assert!(model.any_upload_due(now));
        let before = model.revisions()[&RecordKey::Bundle(id)];
        model.blob_delivered(id, &hash(2), now);
        assert!(model.revisions()[&RecordKey::Bundle(id)] > before, "stored");
        assert_eq!(bundle(&model).missing_blobs, Some(vec![hash(3)]));

        // A network cut: backing off; the next confirmed file makes it due again.
        let failed = bundle(&model).upload.after_failure("offline".into(), now);
        model.set_upload(id, failed);
        assert!(!model.any_upload_due(now));
        // Stored and read back (a reload): what was confirmed stays confirmed.
        let reloaded: BundleRecord =
            serde_json::from_str(&serde_json::to_string(&bundle(&model)).unwrap()).unwrap();
        assert_eq!(reloaded, bundle(&model));
        model.blob_delivered(id, &hash(3), now);
        assert_eq!(
            bundle(&model).upload,
            UploadState::Uploaded {
                at: now,
                duplicate: false
            }
        );
        assert_eq!(bundle(&model).blob_progress(), Some((3, 3)));
        assert!(!model.any_upload_due(now));

        // An envelope the ledger lacks nothing of is uploaded at once.
        model.forget_missing_blobs(id);
        assert_eq!(bundle(&model).blob_progress(), Some((3, 3)));
        model.envelope_taken(id, vec![], true, now);
        assert_eq!(
            bundle(&model).upload,
            UploadState::Uploaded {
                at: now,
                duplicate: true
            }
        );
    }
}
