//! `paicha-ledger blobs`: the blob store beside the database (photos as files). `check` reads
//! every photo a row says is stored and compares its hash (after a restore, or to audit a
//! bucket); `collect` deletes files no row marks as stored (left by an import that failed after
//! writing them) and temporaries of interrupted uploads.

use crate::store::Store;
use clap::{Args, Subcommand};
use std::io::Write;

#[derive(Debug, Args)]
pub struct BlobsArgs {
    #[command(subcommand)]
    pub command: BlobsCommand,
}

#[derive(Debug, Subcommand)]
pub enum BlobsCommand {
    /// Read every stored photo back and compare its hash with its name; count the photos
    /// bundles name that have not arrived, and files no row names. Read-only. Exits 1 if a
    /// photo a row says is stored is missing or altered.
    Check,
    /// Delete files of the blob store that no row marks as stored, and temporaries of uploads
    /// interrupted more than an hour ago. Run it when no import is in progress (an import
    /// writes its photos before its rows).
    Collect,
}

pub async fn run(store: &Store, args: BlobsArgs, out: &mut impl Write) -> anyhow::Result<bool> {
    writeln!(out, "blob store: {}", store.blobs().describe())?;
    match args.command {
        BlobsCommand::Check => {
            let report = store.check_blobs().await?;
            for problem in &report.problems {
                writeln!(out, "PROBLEM {problem}")?;
            }
            writeln!(
                out,
                "{} photo(s) stored and intact, {} awaited from devices, {} file(s) no row names, \
                 {} problem(s)",
                report.intact,
                report.awaited,
                report.unnamed,
                report.problems.len()
            )?;
            Ok(report.problems.is_empty())
        }
        BlobsCommand::Collect => {
            let removed = store.collect_orphan_blobs().await?;
            let swept = store
                .blobs()
                .sweep_incoming(std::time::Duration::from_secs(3600))
                .await?;
            writeln!(
                out,
                "deleted {removed} file(s) no row names and {swept} interrupted upload(s)"
            )?;
            Ok(true)
        }
    }
}
