//! How several bundles of one device fit together: forks and chain breaks. The rules one
//! bundle must satisfy on its own (genesis, sequence range, no inspection twice) are
//! `paicha_core::verify::check_chain_rules`, applied by `verify_bundle_full`.

use paicha_core::VerifiedBundle;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The chain facts of one bundle, from a verified file or from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    pub key_id: String,
    pub sequence: u64,
    pub bundle_id: Uuid,
    pub payload_sha256: String,
    pub previous_payload_sha256: String,
}

impl From<&VerifiedBundle> for ChainLink {
    fn from(b: &VerifiedBundle) -> Self {
        Self {
            key_id: b.key_id.to_string(),
            sequence: b.payload.sequence,
            bundle_id: b.payload.bundle_id,
            payload_sha256: b.payload_sha256.clone(),
            previous_payload_sha256: b.payload.previous_payload_sha256.clone(),
        }
    }
}

/// A finding about how several bundles of one device fit together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainNote {
    /// Two different bundles with one sequence number.
    Fork {
        key_id: String,
        sequence: u64,
        bundle_ids: Vec<Uuid>,
    },
    /// Bundle `sequence` does not name any known bundle `sequence - 1` as its predecessor.
    Break {
        key_id: String,
        sequence: u64,
        bundle_id: Uuid,
        previous_bundle_id: Uuid,
    },
}

impl std::fmt::Display for ChainNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainNote::Fork {
                key_id,
                sequence,
                bundle_ids,
            } => {
                let ids: Vec<String> = bundle_ids.iter().map(Uuid::to_string).collect();
                write!(
                    f,
                    "fork: key {} has {} different bundles with sequence {sequence}: {}",
                    short(key_id),
                    ids.len(),
                    ids.join(", ")
                )
            }
            ChainNote::Break {
                key_id,
                sequence,
                bundle_id,
                previous_bundle_id,
            } => write!(
                f,
                "chain break: key {}: bundle {bundle_id} (sequence {sequence}) does not follow \
                 bundle {previous_bundle_id} (sequence {})",
                short(key_id),
                sequence - 1
            ),
        }
    }
}

fn short(key_id: &str) -> &str {
    &key_id[..key_id.len().min(16)]
}

/// Forks and chain breaks among the given bundles (of any number of devices), in key and
/// sequence order.
pub fn chain_notes(links: impl IntoIterator<Item = ChainLink>) -> Vec<ChainNote> {
    // key id -> sequence -> payload hash -> link (one entry per distinct payload)
    let mut by_key: BTreeMap<String, BTreeMap<u64, BTreeMap<String, ChainLink>>> = BTreeMap::new();
    for link in links {
        by_key
            .entry(link.key_id.clone())
            .or_default()
            .entry(link.sequence)
            .or_default()
            .insert(link.payload_sha256.clone(), link);
    }
    let mut notes = Vec::new();
    for (key_id, sequences) in &by_key {
        for (&sequence, versions) in sequences {
            if versions.len() > 1 {
                let mut bundle_ids: Vec<Uuid> = versions.values().map(|l| l.bundle_id).collect();
                bundle_ids.sort();
                notes.push(ChainNote::Fork {
                    key_id: key_id.clone(),
                    sequence,
                    bundle_ids,
                });
            }
            let Some(previous) = sequence.checked_sub(1).and_then(|s| sequences.get(&s)) else {
                continue;
            };
            for link in versions.values() {
                // With a fork below, following any one version is fine.
                if !previous.contains_key(&link.previous_payload_sha256) {
                    let previous_bundle_id = previous
                        .values()
                        .map(|p| p.bundle_id)
                        .min()
                        .unwrap_or_default();
                    notes.push(ChainNote::Break {
                        key_id: key_id.clone(),
                        sequence,
                        bundle_id: link.bundle_id,
                        previous_bundle_id,
                    });
                }
            }
        }
    }
    notes
}
