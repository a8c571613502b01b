//! `paicha-ledger gaps`: per device, the sequence numbers never received, forks and chain
//! breaks among the stored bundles.

use crate::rules::{ChainNote, analyse, show_ranges};
use crate::store::Store;
use paicha_core::KeyId;
use std::io::Write;

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
    // Version 2 bundles arrive before their photos: an inspection is complete on the ledger
    // only once every file it names is here.
    let incomplete = store.incomplete_bundles().await?;
    if !incomplete.is_empty() {
        writeln!(
            out,
            "{} bundle(s) with photos not arrived yet (their inspections are incomplete):",
            incomplete.len()
        )?;
        for bundle in &incomplete {
            let short = KeyId::try_from(bundle.key_id.clone())
                .map(|k| k.short())
                .unwrap_or_else(|_| bundle.key_id.clone());
            writeln!(
                out,
                "  {short} sequence {}: {} photo(s) awaited [payload {}]",
                bundle.sequence,
                bundle.awaited,
                &bundle.payload_sha256[..16.min(bundle.payload_sha256.len())]
            )?;
        }
    }
    writeln!(
        out,
        "note: bundles after a device's highest received sequence show up once a later one arrives."
    )?;
    Ok(true)
}
