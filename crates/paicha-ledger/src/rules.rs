//! How several bundles of one device fit together: forks and chain breaks. The rules one
//! bundle must satisfy on its own (genesis, sequence range, no inspection twice) are
//! `paicha_core::verify::check_chain_rules`, applied by `verify_bundle_full`.

use paicha_core::VerifiedBundle;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
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

/// What the stored bundles of one device show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceChain {
    pub bundles: usize,
    pub highest_sequence: u64,
    /// Sequence numbers below the highest one that no stored bundle has.
    pub missing: Vec<RangeInclusive<u64>>,
    pub notes: Vec<ChainNote>,
}

/// Groups links by key id and finds missing sequences, forks and breaks.
pub fn analyse(links: Vec<ChainLink>) -> BTreeMap<String, DeviceChain> {
    let mut out: BTreeMap<String, DeviceChain> = BTreeMap::new();
    let mut sequences: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for link in &links {
        let chain = out.entry(link.key_id.clone()).or_default();
        chain.bundles += 1;
        chain.highest_sequence = chain.highest_sequence.max(link.sequence);
        sequences
            .entry(link.key_id.clone())
            .or_default()
            .insert(link.sequence);
    }
    for (key_id, present) in &sequences {
        if let Some(chain) = out.get_mut(key_id) {
            chain.missing = missing_ranges(present);
        }
    }
    for note in chain_notes(links) {
        let key_id = match &note {
            ChainNote::Fork { key_id, .. } | ChainNote::Break { key_id, .. } => key_id.clone(),
        };
        out.entry(key_id).or_default().notes.push(note);
    }
    out
}

/// The numbers in 1..=max(present) that are not present, as ranges.
pub fn missing_ranges(present: &BTreeSet<u64>) -> Vec<RangeInclusive<u64>> {
    let mut ranges = Vec::new();
    let mut next = 1u64;
    for &n in present {
        if n > next {
            ranges.push(next..=n - 1);
        }
        next = next.max(n.saturating_add(1));
    }
    ranges
}

/// Ranges as people read them: `3, 5–7`.
pub fn show_ranges(ranges: &[RangeInclusive<u64>]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|r| {
            if r.start() == r.end() {
                r.start().to_string()
            } else {
                format!("{}–{}", r.start(), r.end())
            }
        })
        .collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_ranges_are_compressed_and_start_at_one() {
        let set = |v: &[u64]| v.iter().copied().collect::<BTreeSet<u64>>();
        assert_eq!(missing_ranges(&set(&[1, 2, 3])), vec![]);
        assert_eq!(
            missing_ranges(&set(&[3, 4, 7, 9])),
            vec![1..=2, 5..=6, 8..=8]
        );
        assert_eq!(
            show_ranges(&missing_ranges(&set(&[3, 4, 7, 9]))),
            "1–2, 5–6, 8"
        );
    }
}
