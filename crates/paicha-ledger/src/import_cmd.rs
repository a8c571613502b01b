//! `paicha-ledger import`: verifies and stores bundle files, then prints a summary.

use crate::files::{expand_paths, read_bundle_file};
use crate::import::{ImportOutcome, import_bytes};
use crate::store::Store;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub imported: usize,
    pub already_imported: usize,
    pub rejected: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported {}, already imported {}, rejected {}",
            self.imported, self.already_imported, self.rejected
        )
    }
}

pub async fn run(store: &Store, args: &[PathBuf]) -> std::io::Result<Summary> {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    run_with(store, args, &mut out, &mut err).await
}

pub async fn run_with(
    store: &Store,
    args: &[PathBuf],
    out: &mut impl Write,
    err: &mut impl Write,
) -> std::io::Result<Summary> {
    let (files, skipped) = expand_paths(args);
    if skipped > 0 {
        writeln!(
            err,
            "note: skipped {skipped} file(s) in the given directories not named *.json or *.dsse"
        )?;
    }
    let mut summary = Summary::default();
    for file in &files {
        let result = match read_bundle_file(file) {
            Ok(bytes) => import_bytes(store, &bytes, chrono::Utc::now())
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(ImportOutcome::Imported(b)) => {
                summary.imported += 1;
                writeln!(
                    out,
                    "imported  {}  bundle {} seq {}  {} new inspection(s), {} finding(s)",
                    file.display(),
                    b.bundle_id,
                    b.sequence,
                    b.new_inspections,
                    b.findings
                )?;
                if b.fork {
                    writeln!(
                        out,
                        "  FORK: key {} already had another bundle with sequence {}; both are kept \
                         and this one is flagged",
                        b.key_id.short(),
                        b.sequence
                    )?;
                }
            }
            Ok(ImportOutcome::AlreadyImported { bundle_id, .. }) => {
                summary.already_imported += 1;
                writeln!(
                    out,
                    "already imported: bundle {bundle_id}  ({})",
                    file.display()
                )?;
            }
            Err(e) => {
                summary.rejected += 1;
                writeln!(err, "REJECTED {}: {e}", file.display())?;
            }
        }
    }
    writeln!(out, "{summary}")?;
    Ok(summary)
}
