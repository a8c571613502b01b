//! `paicha-ledger keys add|list|revoke`: the operator's view of the device registry.

use crate::cli::{KeysAddArgs, KeysCommand};
use crate::files::read_bundle_file;
use crate::registry::normalise_key_id;
use crate::store::{Device, EnrolOutcome, NewDevice, RevokeOutcome, Store};
use anyhow::{Context, bail};
use paicha_core::KeyId;
use std::io::Write;

/// Fewest leading hex digits accepted to name a key for revocation: the short id on phones.
const MIN_PREFIX: usize = 16;

pub async fn run(store: &Store, command: KeysCommand) -> anyhow::Result<bool> {
    let mut out = std::io::stdout().lock();
    match command {
        KeysCommand::Add(args) => add(store, &args, &mut out).await,
        KeysCommand::List => list(store, &mut out).await,
        KeysCommand::Revoke { key_id, reason } => revoke(store, &key_id, &reason, &mut out).await,
    }
}

pub async fn add(store: &Store, args: &KeysAddArgs, out: &mut impl Write) -> anyhow::Result<bool> {
    let new = match &args.from_bundle {
        Some(path) => {
            let bytes = read_bundle_file(path)?;
            let (device, _) =
                NewDevice::from_bundle(&bytes, &args.organisation, args.expect_key_id.as_deref())
                    .with_context(|| format!("cannot enrol from {}", path.display()))?;
            device
        }
        None => {
            // clap guarantees these are present together.
            let get = |v: &Option<String>| v.clone().unwrap_or_default();
            NewDevice::from_parts(
                &get(&args.key_id),
                &get(&args.public_key),
                &get(&args.name),
                &get(&args.cert_no),
                &args.organisation,
            )?
        }
    };
    match store.enrol(&new, chrono::Utc::now()).await? {
        EnrolOutcome::Enrolled(d) => {
            writeln!(out, "Enrolled device key  {}", d.key_id.short())?;
            describe(out, &d)?;
            writeln!(
                out,
                "Read \"{}\" aloud and compare it with the key id on the inspector's phone. If they \
                 differ, revoke at once: paicha-ledger keys revoke {} --reason \"key id mismatch\"",
                d.key_id.short(),
                d.key_id
            )?;
            Ok(true)
        }
        EnrolOutcome::AlreadyEnrolled(d) => {
            writeln!(
                out,
                "Device key {} is already enrolled; nothing changed.",
                d.key_id.short()
            )?;
            describe(out, &d)?;
            Ok(true)
        }
        EnrolOutcome::Revoked(d) => bail!(
            "device key {} was revoked on {} ({}); a revoked key cannot be enrolled again: the \
             device must create a new key",
            d.key_id.short(),
            d.revoked_at
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            d.revoke_reason.unwrap_or_default()
        ),
    }
}

fn describe(out: &mut impl Write, d: &Device) -> std::io::Result<()> {
    writeln!(out, "  key id        {}", d.key_id)?;
    writeln!(
        out,
        "  inspector     {} (执法证号 {})",
        d.inspector_name, d.cert_no
    )?;
    if !d.organisation.is_empty() {
        writeln!(out, "  organisation  {}", d.organisation)?;
    }
    writeln!(
        out,
        "  enrolled      {}",
        d.enrolled_at.format("%Y-%m-%d %H:%M UTC")
    )?;
    if let Some(at) = d.revoked_at {
        let reason = d.revoke_reason.as_deref().unwrap_or("");
        writeln!(
            out,
            "  REVOKED       {} ({reason})",
            at.format("%Y-%m-%d %H:%M UTC")
        )?;
    }
    Ok(())
}

pub async fn list(store: &Store, out: &mut impl Write) -> anyhow::Result<bool> {
    let devices = store.devices().await?;
    if devices.is_empty() {
        writeln!(
            out,
            "No device keys are enrolled. Enrol one with: paicha-ledger keys add --from-bundle FILE"
        )?;
        return Ok(true);
    }
    for d in &devices {
        let status = match (&d.revoked_at, &d.revoke_reason) {
            (Some(at), reason) => {
                format!(
                    "REVOKED {} ({})",
                    at.format("%Y-%m-%d"),
                    reason.as_deref().unwrap_or("")
                )
            }
            (None, _) => "active".to_string(),
        };
        let org = if d.organisation.is_empty() {
            "-"
        } else {
            d.organisation.as_str()
        };
        writeln!(
            out,
            "{}  {} (执法证号 {})  {org}  enrolled {}  {status}",
            d.key_id.short(),
            d.inspector_name,
            d.cert_no,
            d.enrolled_at.format("%Y-%m-%d"),
        )?;
    }
    writeln!(out, "{} device key(s)", devices.len())?;
    Ok(true)
}

pub async fn revoke(
    store: &Store,
    key_id: &str,
    reason: &str,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let prefix = normalise_key_id(key_id);
    if prefix.len() < MIN_PREFIX
        || prefix.len() > 64
        || !prefix.bytes().all(|b| b.is_ascii_hexdigit())
    {
        bail!(
            "KEYID must be the key id or at least its first {MIN_PREFIX} hex digits, got {key_id:?}"
        );
    }
    let reason = reason.trim();
    if reason.is_empty() {
        bail!("--reason must not be empty: the registry keeps why a key was revoked");
    }
    match store.revoke(&prefix, reason, chrono::Utc::now()).await? {
        RevokeOutcome::Revoked(d) => {
            writeln!(
                out,
                "Revoked device key {} ({}): {reason}",
                d.key_id.short(),
                d.inspector_name
            )?;
            writeln!(
                out,
                "Bundles signed with this key are rejected from now on."
            )?;
            Ok(true)
        }
        RevokeOutcome::AlreadyRevoked(d) => {
            writeln!(
                out,
                "Device key {} was already revoked; nothing changed.",
                d.key_id.short()
            )?;
            describe(out, &d)?;
            Ok(true)
        }
        RevokeOutcome::NotFound => bail!("no enrolled device key starts with {prefix}"),
        RevokeOutcome::Ambiguous(keys) => bail!(
            "{prefix} matches {} keys; give more digits: {}",
            keys.len(),
            keys.iter()
                .map(KeyId::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
