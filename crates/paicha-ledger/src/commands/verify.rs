//! `paicha-ledger verify`: checks bundle files without any database.

use crate::files::{expand_paths, read_bundle_file};
use crate::rules;
use clap::Args;
use paicha_core::VerifiedBundle;
use paicha_core::verify::{EmbeddedKey, verify_bundle_full};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Bundle files, or directories whose *.json and *.dsse files are verified.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
}

/// Verifies each file; good results and the totals go to `out`, failures and warnings to
/// `err`. Returns whether every file verified.
pub fn run(args: &VerifyArgs, out: &mut impl Write, err: &mut impl Write) -> std::io::Result<bool> {
    let args = &args.files;
    let (files, _skipped) = expand_paths(args);
    if files.is_empty() {
        writeln!(
            err,
            "FAIL no bundle files (*.json, *.dsse, *.zip) found in {}",
            list(args)
        )?;
        return Ok(false);
    }
    let mut good: Vec<VerifiedBundle> = Vec::new();
    let mut failed = 0usize;
    for file in &files {
        match verify_file(file) {
            Ok(bundle) => {
                let p = &bundle.payload;
                writeln!(
                    out,
                    "OK  {}  bundle {} seq {}  signed by {} (执法证号 {}) key {}",
                    file.display(),
                    p.bundle_id,
                    p.sequence,
                    p.inspector.name,
                    p.inspector.cert_no,
                    bundle.key_id.short(),
                )?;
                good.push(bundle);
            }
            Err(reason) => {
                failed += 1;
                writeln!(err, "FAIL {}: {reason}", file.display())?;
            }
        }
    }
    for note in rules::chain_notes(good.iter().map(rules::ChainLink::from)) {
        writeln!(err, "warning: {note}")?;
    }
    if !good.is_empty() {
        writeln!(
            out,
            "note: signatures were checked with the key each bundle carries; whether that key is \
             enrolled and not revoked is checked by `paicha-ledger import`."
        )?;
    }
    writeln!(
        out,
        "{} file(s): {} ok, {failed} failed",
        files.len(),
        good.len()
    )?;
    Ok(failed == 0)
}

fn verify_file(path: &Path) -> Result<VerifiedBundle, String> {
    if crate::archive::is_archive_name(path) {
        return verify_archive(path).map_err(|e| format!("{e} ({})", e.code()));
    }
    let bytes = read_bundle_file(path).map_err(|e| e.to_string())?;
    verify_bundle_full(&bytes, &EmbeddedKey).map_err(|e| e.to_string())
}

/// Steps 1 to 12 of the spec on a transfer archive: its bundle file, then every blob against
/// the payload's names, one blob in memory at a time.
fn verify_archive(path: &Path) -> Result<VerifiedBundle, paicha_core::VerifyError> {
    let mut archive = crate::archive::Archive::open(path)?;
    let bundle = verify_bundle_full(&archive.bundle_file()?, &EmbeddedKey)?;
    let mut checks = paicha_core::archive::BlobChecks::new(&bundle.payload);
    for n in 1..=archive.blob_entries() {
        archive.blob(n, &mut checks)?;
    }
    checks.finish()?;
    Ok(bundle)
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
