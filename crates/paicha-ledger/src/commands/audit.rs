//! `paicha-ledger audit`: check the audit trail's hash chain, and export it.

use crate::store::Store;
use crate::store::audit::verify_chain;
use crate::time::cst_minute;
use anyhow::Context;
use clap::{Args, Subcommand};
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
}

pub async fn run(store: &Store, args: AuditArgs, out: &mut impl Write) -> anyhow::Result<bool> {
    let rows = store.audit_all().await?;
    match args.command {
        AuditCommand::Verify => {
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
