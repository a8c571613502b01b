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
/// same bytes) in the `envelopes` store, not here: the model holds every record, and an
/// envelope carries the bundle's photos.
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
}

impl BundleRecord {
    /// IndexedDB key of a bundle record.
    /// Keyed by bundle id: sequence numbers restart with a new device key (e.g. after a
    /// restore on another device), bundle ids never collide.
    pub fn storage_key(bundle_id: Uuid) -> String {
        bundle_id.to_string()
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
