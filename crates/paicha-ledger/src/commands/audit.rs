//! `paicha-ledger audit`: check the audit trail's hash chain and export it; after a restore
//! (or any time), verify every stored envelope again against the registry and compare what
//! the tables hold with it.

use crate::import::{parse_upload, verify_with_registry};
use crate::store::Store;
use crate::store::audit::verify_chain;
use crate::time::cst_minute;
use anyhow::Context;
use clap::{Args, Subcommand};
use paicha_core::KeyId;
use paicha_core::hazard_ledger::defuse_formula;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no row of the audit trail was edited, deleted or reordered: each row's hash
    /// must match its contents and the row before it, and the last must match the chain's
    /// head. Exits with status 1 at the first break, naming the row.
    Verify,
    /// Write the audit trail as CSV (UTF-8 with a byte-order mark for Excel): seq, time (China
    /// Standard Time), actor, action, target, outcome, detail, previous hash, hash.
    Export {
        /// The file to write; standard output without it.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Verify every stored bundle again: its signature against the enrolled key (a key
    /// revoked since still vouches for what it signed before), its payload hash, and that its
    /// inspections and their findings are in the tables as the envelope says. Read-only.
    /// Prints each problem and a summary; exits 1 if there is any.
    Bundles,
}

pub async fn run(store: &Store, args: AuditArgs, out: &mut impl Write) -> anyhow::Result<bool> {
    match args.command {
        AuditCommand::Bundles => bundles(store, out).await,
        AuditCommand::Verify => {
            let rows = store.audit_all().await?;
            let (seq, hash) = store.audit_head().await?;
            match verify_chain(&rows, (seq, &hash)) {
                Ok(n) => {
                    writeln!(out, "audit trail intact: {n} row(s), head {hash}")?;
                    Ok(true)
                }
                Err(brk) => {
                    writeln!(out, "AUDIT TRAIL BROKEN: {brk}")?;
                    Ok(false)
                }
            }
        }
        AuditCommand::Export { output } => {
            let rows = store.audit_all().await?;
            let mut bytes = Vec::new();
            bytes.extend_from_slice("\u{feff}".as_bytes());
            {
                let mut csv = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(&mut bytes);
                csv.write_record([
                    "seq",
                    "time",
                    "actor",
                    "action",
                    "target",
                    "outcome",
                    "detail",
                    "prev_hash",
                    "hash",
                ])?;
                for row in &rows {
                    // Details hold what people typed (names): never a formula in Excel.
                    let safe = |text: &str| defuse_formula(text).into_owned();
                    csv.write_record([
                        row.seq.to_string(),
                        cst_minute(row.at),
                        safe(&row.actor),
                        safe(&row.action),
                        safe(&row.target),
                        safe(&row.outcome),
                        safe(&row.detail),
                        row.prev_hash.clone(),
                        row.hash.clone(),
                    ])?;
                }
                csv.flush()?;
            }
            match output {
                Some(path) => std::fs::write(&path, &bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => out.write_all(&bytes)?,
            }
            eprintln!("exported {} audit row(s)", rows.len());
            Ok(true)
        }
    }
}

/// Bundles read per query.
const PAGE: i64 = 500;

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
