//! `paicha-ledger keys add|list|revoke`: the operator's view of the device registry. Times are
//! China Standard Time, like every date the ledger prints.

use crate::files::read_bundle_file;
use crate::registry::normalise_key_id;
use crate::store::{
    Account, AuditEntry, Device, EnrolOutcome, NewDevice, Outcome, RevokeOutcome, Role, Store,
};
use crate::time::{cst_day, cst_minute};
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use paicha_core::KeyId;
use std::io::Write;
use std::path::PathBuf;

/// Fewest leading hex digits accepted to name a key for revocation: the short id on phones.
const MIN_PREFIX: usize = 16;

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Enrol a device key, from one of its bundles or from explicit values.
    ///
    /// With --from-bundle, the key, inspector name and 执法证号 are read from a bundle the
    /// phone exported, after checking its signature. Compare the printed key id with the one
    /// shown on the inspector's phone before trusting it (or pass it as --expect-key-id).
    Add(KeysAddArgs),
    /// List enrolled device keys, the account each belongs to, and whether they are revoked.
    List,
    /// Bind an enrolled key to an inspector's account (keys enrolled before accounts existed).
    Bind {
        /// The key id, or at least its first 16 hex digits.
        #[arg(value_name = "KEYID")]
        key_id: String,
        /// The inspector's account (`paicha-ledger users list`).
        #[arg(long, value_name = "ACCOUNT")]
        account: String,
    },
    /// List phones that asked to be enrolled (the app's 申请登记) and the code each shows.
    Requests,
    /// Enrol a phone that asked, after comparing its key id and code with the phone.
    Confirm {
        /// The key id, or at least its first 16 hex digits, as the phone shows it.
        #[arg(value_name = "KEYID")]
        key_id: String,
        /// The six-digit code the phone shows.
        #[arg(long, value_name = "CODE")]
        code: String,
        /// The inspector's account the key is bound to.
        #[arg(long, value_name = "ACCOUNT")]
        account: String,
    },
    /// Revoke a device key (lost or replaced phone, departed inspector). Bundles signed with
    /// it are rejected from then on.
    Revoke {
        /// The key id, or at least its first 16 hex digits as shown by `keys list`.
        #[arg(value_name = "KEYID")]
        key_id: String,
        /// Why the key is revoked (kept in the registry).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct KeysAddArgs {
    /// A bundle exported by the device whose key is enrolled: its file (.json) or its transfer
    /// archive (.zip).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "key_id",
        conflicts_with_all = ["key_id", "public_key", "name", "cert_no"]
    )]
    pub from_bundle: Option<PathBuf>,
    /// With --from-bundle: the key id read from the phone (at least its first 16 hex digits);
    /// enrolment is refused if the bundle's key differs.
    #[arg(long, value_name = "KEYID", requires = "from_bundle")]
    pub expect_key_id: Option<String>,
    /// The inspector's account the key belongs to (`paicha-ledger users add --role
    /// inspector@REGION` creates one): its uploads are accepted while the account is enabled.
    #[arg(long, value_name = "ACCOUNT")]
    pub account: String,
    /// The key id: 64 hex digits, the SHA-256 of the raw public key.
    #[arg(long, value_name = "ID", requires_all = ["public_key", "name", "cert_no"])]
    pub key_id: Option<String>,
    /// The raw 32-byte Ed25519 public key in base64.
    #[arg(long, value_name = "B64")]
    pub public_key: Option<String>,
    /// The inspector's name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The inspector's law-enforcement certificate number (执法证号).
    #[arg(long, value_name = "CERT")]
    pub cert_no: Option<String>,
    /// The inspector's organisation, e.g. a county emergency-management bureau.
    #[arg(
        long,
        value_name = "ORG",
        default_value = "",
        hide_default_value = true
    )]
    pub organisation: String,
}

pub async fn run(store: &Store, args: KeysArgs, out: &mut impl Write) -> anyhow::Result<bool> {
    match args.command {
        KeysCommand::Add(args) => add(store, &args, out).await,
        KeysCommand::List => list(store, out).await,
        KeysCommand::Bind { key_id, account } => bind(store, &key_id, &account, out).await,
        KeysCommand::Requests => requests(store, out).await,
        KeysCommand::Confirm {
            key_id,
            code,
            account,
        } => confirm(store, &key_id, &code, &account, out).await,
        KeysCommand::Revoke { key_id, reason } => revoke(store, &key_id, &reason, out).await,
    }
}

pub async fn add(store: &Store, args: &KeysAddArgs, out: &mut impl Write) -> anyhow::Result<bool> {
    if let Some(expected) = &args.expect_key_id {
        key_prefix(expected).context("--expect-key-id")?;
    }
    let account = inspector_account(store, &args.account).await?;
    let mut new = match &args.from_bundle {
        Some(path) => {
            // An inspector's transfer archive carries the bundle file as its first entry.
            let bytes = if crate::archive::is_archive_name(path) {
                crate::archive::Archive::open(path)
                    .and_then(|mut archive| archive.bundle_file())
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            } else {
                read_bundle_file(path)?
            };
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
    new.account_id = Some(account.id.clone());
    enrol(store, &new, &account, out).await
}

/// An existing, enabled account holding an inspector role.
async fn inspector_account(store: &Store, id: &str) -> anyhow::Result<Account> {
    let account = store
        .account(id.trim())
        .await?
        .with_context(|| format!("no account {id:?}; `paicha-ledger users list` shows them"))?;
    if !account.is_active() {
        bail!("account {} ({}) is disabled", account.name, account.id);
    }
    if !account.grants.iter().any(|g| g.role == Role::Inspector) {
        bail!(
            "account {} ({}) has no inspector role: give it one with \
             paicha-ledger users grant {} inspector@REGION",
            account.name,
            account.id,
            account.id
        );
    }
    Ok(account)
}

/// A key id or its start as an operator types it: at least [`MIN_PREFIX`] hex digits.
fn key_prefix(text: &str) -> anyhow::Result<String> {
    let prefix = normalise_key_id(text);
    if prefix.len() < MIN_PREFIX
        || prefix.len() > 64
        || !prefix.bytes().all(|b| b.is_ascii_hexdigit())
    {
        bail!(
            "a key id must be given whole or by at least its first {MIN_PREFIX} hex digits (the \
             phone shows them), got {text:?}"
        );
    }
    Ok(prefix)
}

async fn enrol(
    store: &Store,
    new: &NewDevice,
    account: &Account,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let now = chrono::Utc::now();
    let audit = |action, outcome| {
        AuditEntry::new("cli", action, outcome)
            .target(new.key_id.as_str())
            .detail(format!("account {} ({})", account.id, account.name))
    };
    match store.enrol(new, now).await? {
        EnrolOutcome::AlreadyEnrolled(d) if d.account_id.is_none() => {
            store
                .bind_device(
                    d.key_id.as_str(),
                    &account.id,
                    &audit("device_bound", Outcome::Ok),
                    now,
                )
                .await?;
            writeln!(
                out,
                "Device key {} was enrolled before accounts existed; now bound to {}.",
                d.key_id.short(),
                account.name
            )?;
            Ok(true)
        }
        EnrolOutcome::Enrolled(d) => {
            store
                .audit(&audit("device_enrolled", Outcome::Ok), now)
                .await?;
            writeln!(out, "Enrolled device key  {}", d.key_id.short())?;
            writeln!(out, "  account       {} ({})", account.name, account.id)?;
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
            d.revoked_at.map(cst_day).unwrap_or_default(),
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
    writeln!(out, "  enrolled      {}", cst_minute(d.enrolled_at))?;
    if let Some(at) = d.revoked_at {
        let reason = d.revoke_reason.as_deref().unwrap_or("");
        writeln!(out, "  REVOKED       {} ({reason})", cst_minute(at))?;
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
                    cst_day(*at),
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
            cst_day(d.enrolled_at),
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
    let prefix = key_prefix(key_id)?;
    let reason = reason.trim();
    if reason.is_empty() {
        bail!("--reason must not be empty: the registry keeps why a key was revoked");
    }
    match store.revoke(&prefix, reason, chrono::Utc::now()).await? {
        RevokeOutcome::Revoked(d) => {
            let audit = AuditEntry::new("cli", "device_revoked", Outcome::Ok)
                .target(d.key_id.as_str())
                .detail(reason);
            store.audit(&audit, chrono::Utc::now()).await?;
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

/// The one enrolled key whose id starts with `key_id`.
async fn find_device(store: &Store, key_id: &str) -> anyhow::Result<Device> {
    let prefix = key_prefix(key_id)?;
    let matching: Vec<Device> = store
        .devices()
        .await?
        .into_iter()
        .filter(|d| d.key_id.as_str().starts_with(&prefix))
        .collect();
    match matching.len() {
        0 => bail!("no enrolled device key starts with {prefix}"),
        1 => Ok(matching.into_iter().next().expect("one")),
        n => bail!("{prefix} matches {n} keys; give more digits"),
    }
}

pub async fn bind(
    store: &Store,
    key_id: &str,
    account: &str,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let device = find_device(store, key_id).await?;
    let account = inspector_account(store, account).await?;
    let audit = AuditEntry::new("cli", "device_bound", Outcome::Ok)
        .target(device.key_id.as_str())
        .detail(format!("account {} ({})", account.id, account.name));
    store
        .bind_device(
            device.key_id.as_str(),
            &account.id,
            &audit,
            chrono::Utc::now(),
        )
        .await?;
    writeln!(
        out,
        "Device key {} is bound to {} ({})",
        device.key_id.short(),
        account.name,
        account.id
    )?;
    Ok(true)
}

pub async fn requests(store: &Store, out: &mut impl Write) -> anyhow::Result<bool> {
    let pending = store.pending_device_requests().await?;
    for r in &pending {
        writeln!(
            out,
            "{}  code {}  {} (执法证号 {})  {}  asked {}",
            &r.key_id[..16.min(r.key_id.len())],
            r.short_code,
            r.inspector_name,
            r.cert_no,
            if r.organisation.is_empty() {
                "-"
            } else {
                &r.organisation
            },
            cst_minute(r.requested_at)
        )?;
    }
    writeln!(out, "{} phone(s) waiting", pending.len())?;
    Ok(true)
}

pub async fn confirm(
    store: &Store,
    key_id: &str,
    code: &str,
    account: &str,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let prefix = key_prefix(key_id)?;
    let pending = store.pending_device_requests().await?;
    let matching: Vec<_> = pending
        .iter()
        .filter(|r| r.key_id.starts_with(&prefix))
        .collect();
    let request = match matching.as_slice() {
        [one] => *one,
        [] => {
            bail!("no phone waiting with a key id starting {prefix} (`keys requests` lists them)")
        }
        _ => bail!("{prefix} matches several waiting phones; give more digits"),
    };
    if code.trim() != request.short_code {
        let audit = AuditEntry::new("cli", "device_enrolled", Outcome::Failed)
            .target(&request.key_id)
            .detail("the code did not match");
        store.audit(&audit, chrono::Utc::now()).await?;
        bail!("the code does not match the one the phone shows; nothing was enrolled");
    }
    let account = inspector_account(store, account).await?;
    let mut new = NewDevice::from_parts(
        &request.key_id,
        &request.public_key,
        &request.inspector_name,
        &request.cert_no,
        &request.organisation,
    )?;
    new.account_id = Some(account.id.clone());
    let ok = enrol(store, &new, &account, out).await?;
    store
        .decide_device_request(&request.key_id, "enrolled", chrono::Utc::now())
        .await?;
    Ok(ok)
}
