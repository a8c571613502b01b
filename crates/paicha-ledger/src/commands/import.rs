//! `paicha-ledger import`: verifies and stores bundle files, then prints a summary.

use crate::files::{expand_paths, read_bundle_file};
use crate::import::{ImportOutcome, import_bytes};
use crate::store::Store;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Bundle files, or directories whose *.json and *.dsse files are imported in name order.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
}

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

/// Imports the files, with a progress bar on stderr when it is a terminal and there is more
/// than one file (never in logs or pipes).
pub async fn run(store: &Store, args: &ImportArgs) -> std::io::Result<Summary> {
    let args = &args.paths;
    let (files, _) = expand_paths(args);
    let progress = (files.len() > 1 && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::with_draw_target(
            Some(files.len() as u64),
            ProgressDrawTarget::stderr_with_hz(10),
        );
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} bundles  {elapsed} {wide_msg}")
                .expect("valid template"),
        );
        bar
    });
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    let summary = run_with_progress(store, args, &mut out, &mut err, progress.as_ref()).await;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    summary
}

/// Lines printed while a progress bar is drawn must not tear it: the bar steps aside.
fn line(
    progress: Option<&ProgressBar>,
    to: &mut impl Write,
    text: std::fmt::Arguments<'_>,
) -> std::io::Result<()> {
    match progress {
        Some(bar) => bar.suspend(|| writeln!(to, "{text}")),
        None => writeln!(to, "{text}"),
    }
}

pub async fn run_with_progress(
    store: &Store,
    args: &[PathBuf],
    out: &mut impl Write,
    err: &mut impl Write,
    progress: Option<&ProgressBar>,
) -> std::io::Result<Summary> {
    let (files, skipped) = expand_paths(args);
    if skipped > 0 {
        writeln!(
            err,
            "note: skipped {skipped} file(s) in the given directories not named *.json, *.dsse or *.zip"
        )?;
    }
    let mut summary = Summary::default();
    for file in &files {
        if let Some(bar) = progress {
            bar.set_message(file.display().to_string());
        }
        let result = if crate::archive::is_archive_name(file) {
            crate::import::import_archive(store, file, chrono::Utc::now())
                .await
                .map_err(|e| format!("{e} ({})", e.code()))
        } else {
            match read_bundle_file(file) {
                Ok(bytes) => import_bytes(store, &bytes, chrono::Utc::now())
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }
        };
        match result {
            Ok(ImportOutcome::Imported(b)) => {
                summary.imported += 1;
                line(
                    progress,
                    out,
                    format_args!(
                        "imported  {}  bundle {} seq {}  {} new inspection(s), {} finding(s){}",
                        file.display(),
                        b.bundle_id,
                        b.sequence,
                        b.new_inspections,
                        b.findings,
                        match b.reviews {
                            0 => String::new(),
                            n => format!(", {n} review(s)"),
                        }
                    ),
                )?;
                for review in &b.unmatched_reviews {
                    line(progress, err, format_args!("warning: {review}"))?;
                }
                if !b.missing_blobs.is_empty() {
                    line(
                        progress,
                        out,
                        format_args!(
                            "  INCOMPLETE: {} photo(s) named by the bundle have not arrived \
                             (the device sends them, or import its .zip)",
                            b.missing_blobs.len()
                        ),
                    )?;
                }
                if b.fork {
                    line(
                        progress,
                        out,
                        format_args!(
                            "  FORK: key {} already had another bundle with sequence {}; both are kept \
                         and this one is flagged",
                            b.key_id.short(),
                            b.sequence
                        ),
                    )?;
                }
            }
            Ok(ImportOutcome::AlreadyImported { bundle_id, .. }) => {
                summary.already_imported += 1;
                line(
                    progress,
                    out,
                    format_args!("already imported: bundle {bundle_id}  ({})", file.display()),
                )?;
            }
            Err(e) => {
                summary.rejected += 1;
                line(
                    progress,
                    err,
                    format_args!("REJECTED {}: {e}", file.display()),
                )?;
            }
        }
        if let Some(bar) = progress {
            bar.inc(1);
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    writeln!(out, "{summary}")?;
    Ok(summary)
}
