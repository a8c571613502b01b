//! `paicha-ledger audit bundles`: after a restore (or any time), every stored envelope is
//! verified again against the registry, and what the tables hold is compared with it.

use crate::import::{parse_upload, verify_with_registry};
use crate::store::Store;
use clap::{Args, Subcommand};
use paicha_core::KeyId;
use std::io::Write;

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub what: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify every stored bundle again: its signature against the enrolled key (a key
    /// revoked since still vouches for what it signed before), its payload hash, and that its
    /// inspections and their findings are in the tables as the envelope says. Read-only.
    /// Prints each problem and a summary; exits 1 if there is any.
    Bundles,
}

/// Bundles read per query.
const PAGE: i64 = 500;

pub async fn run(store: &Store, args: &AuditArgs, out: &mut impl Write) -> anyhow::Result<bool> {
    match args.what {
        AuditCommand::Bundles => bundles(store, out).await,
    }
}

async fn bundles(store: &Store, out: &mut impl Write) -> anyhow::Result<bool> {
    let (mut checked, mut problems) = (0usize, 0usize);
    let mut after = String::new();
    loop {
        let page = store.bundles_after(&after, PAGE).await?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.payload_sha256.clone();
        for stored in page {
            checked += 1;
            if let Err(problem) = audit_one(store, &stored).await? {
                problems += 1;
                writeln!(out, "FAILED  bundle {}: {problem}", stored.payload_sha256)?;
            }
        }
    }
    writeln!(
        out,
        "audited {checked} bundle(s): {} ok, {problems} failed",
        checked - problems
    )?;
    Ok(problems == 0)
}

/// `Ok(Err(why))` for a bundle that does not hold up; `Err` only for the database's trouble.
async fn audit_one(
    store: &Store,
    stored: &crate::store::StoredBundle,
) -> anyhow::Result<Result<(), String>> {
    let parsed = match parse_upload(stored.envelope.as_bytes()) {
        Ok(parsed) => parsed,
        Err(e) => return Ok(Err(format!("the stored envelope does not parse: {e}"))),
    };
    let key_id = match KeyId::try_from(stored.key_id.clone()) {
        Ok(k) => k,
        Err(e) => return Ok(Err(format!("stored key id: {e}"))),
    };
    let Some(mut device) = store.device(&key_id).await? else {
        return Ok(Err(format!(
            "key {} is not in the registry",
            key_id.short()
        )));
    };
    // What the key signed before it was revoked stays signed.
    device.revoked_at = None;
    let bundle = match verify_with_registry(parsed, Some(&device)) {
        Ok(b) => b,
        Err(e) => return Ok(Err(format!("does not verify: {e}"))),
    };
    if bundle.payload_sha256 != stored.payload_sha256 {
        return Ok(Err(format!(
            "its payload hashes to {}, not to the stored hash",
            bundle.payload_sha256
        )));
    }
    if bundle.key_id != key_id {
        return Ok(Err(format!(
            "signed by {}, stored as {}",
            bundle.key_id, key_id
        )));
    }
    for inspection in &bundle.payload.inspections {
        let id = inspection.id.to_string();
        let content = paicha_core::sha256_hex(
            &serde_json::to_vec(inspection).expect("an inspection always serialises"),
        );
        match store.stored_inspection(&id).await? {
            None => return Ok(Err(format!("inspection {id} is missing"))),
            Some(s) if s.content_sha256 != content => {
                return Ok(Err(format!("inspection {id} differs from the envelope")));
            }
            Some(s) if s.findings != inspection.answers.len() as i64 => {
                return Ok(Err(format!(
                    "inspection {id} has {} finding(s) stored, the envelope {}",
                    s.findings,
                    inspection.answers.len()
                )));
            }
            Some(_) => {}
        }
    }
    Ok(Ok(()))
}
