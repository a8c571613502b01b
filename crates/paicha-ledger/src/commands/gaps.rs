//! `paicha-ledger gaps`: per device, the sequence numbers never received, forks and chain
//! breaks among the stored bundles.

use crate::rules::{ChainLink, ChainNote, chain_notes};
use crate::store::Store;
use paicha_core::KeyId;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::ops::RangeInclusive;

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

fn show_ranges(ranges: &[RangeInclusive<u64>]) -> String {
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

pub async fn run(store: &Store, out: &mut impl Write) -> anyhow::Result<bool> {
    let devices = store.devices().await?;
    let mut chains = analyse(store.chain_links().await?);
    let unmatched = store.unmatched_reviews().await?;
    if devices.is_empty() && chains.is_empty() {
        writeln!(
            out,
            "No device keys are enrolled and no bundles are stored."
        )?;
        return Ok(true);
    }
    let (mut with_missing, mut forks, mut breaks) = (0, 0, 0);
    for device in &devices {
        let chain = chains.remove(device.key_id.as_str()).unwrap_or_default();
        let revoked = if device.is_revoked() { "  REVOKED" } else { "" };
        write!(
            out,
            "{}  {} (执法证号 {}){revoked}  ",
            device.key_id.short(),
            device.inspector_name,
            device.cert_no
        )?;
        if chain.bundles == 0 {
            writeln!(out, "no bundles yet")?;
            continue;
        }
        writeln!(
            out,
            "{} bundle(s), highest sequence {}",
            chain.bundles, chain.highest_sequence
        )?;
        if !chain.missing.is_empty() {
            with_missing += 1;
            writeln!(
                out,
                "  missing sequence(s): {}",
                show_ranges(&chain.missing)
            )?;
        }
        for note in &chain.notes {
            match note {
                ChainNote::Fork { .. } => forks += 1,
                ChainNote::Break { .. } => breaks += 1,
            }
            writeln!(out, "  {note}")?;
        }
        if chain.missing.is_empty() && chain.notes.is_empty() {
            writeln!(out, "  complete: no missing sequences, no forks")?;
        }
    }
    // Bundles can only come from enrolled keys, so this stays empty unless rows were removed.
    for (key_id, chain) in chains {
        let short = KeyId::try_from(key_id.clone())
            .map(|k| k.short())
            .unwrap_or(key_id);
        writeln!(
            out,
            "{short}  (not in the registry)  {} bundle(s)",
            chain.bundles
        )?;
    }
    writeln!(
        out,
        "{} device(s): {with_missing} with missing sequences, {forks} fork(s), {breaks} chain break(s)",
        devices.len()
    )?;
    // Re-inspections name the hazards they review; a hazard the ledger never received (a
    // lost bundle, or one still on a phone) leaves its review without effect: list them.
    if !unmatched.is_empty() {
        writeln!(
            out,
            "{} re-inspection review(s) of hazards not in the ledger:",
            unmatched.len()
        )?;
        for review in &unmatched {
            writeln!(
                out,
                "  {review} [bundle {}, sealed {}]",
                review.bundle_id,
                review
                    .sealed_at
                    .with_timezone(&paicha_core::hazard_ledger::china_time())
                    .format("%Y-%m-%d")
            )?;
        }
    }
    writeln!(
        out,
        "note: bundles after a device's highest received sequence show up once a later one arrives."
    )?;
    Ok(true)
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
