//! `paicha-build`: builds the Paicha PWA into `dist/` and checks its size budget.
//!
//! Run from anywhere inside the workspace: paths are resolved against the
//! workspace root (the parent of this crate's directory).

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};
use paicha_build::pack::{PackOptions, Signing};
use paicha_build::{dist, size, wasm, workspace_root};

#[derive(Parser)]
#[command(name = "paicha-build", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the wasm app and assemble a content-hashed, precached `dist/`.
    Build {
        /// Output directory, relative to the workspace root (replaced on every build).
        #[arg(long, default_value = "dist")]
        out: PathBuf,
        /// Skip wasm-opt and JS/CSS minification (faster local iteration, readable output;
        /// sizes will be larger).
        #[arg(long)]
        no_opt: bool,
        /// Keep the app in one wasm module instead of splitting the on-demand screens
        /// into chunks (for comparison; the shipped build splits).
        #[arg(long)]
        no_split: bool,
        /// The checklist-pack trust root the app embeds and the shipped pack must open against
        /// (default: the development trust root checklists/keys/trust-root.json).
        #[arg(long, env = "PAICHA_TRUST_ROOT", value_name = "TRUST.json")]
        trust_root: Option<PathBuf>,
        /// Sign the shipped checklist pack with this key file, kept outside the repository
        /// (default: the development key checklists/keys/development.key.json).
        #[arg(
            long,
            env = "PAICHA_PACK_KEY",
            value_name = "KEY.json",
            conflicts_with = "signed_pack"
        )]
        pack_key: Option<PathBuf>,
        /// A key statement to ship with the pack (see `paicha-ledger checklists rotate`).
        #[arg(
            long = "pack-statement",
            value_name = "STATEMENT.json",
            conflicts_with = "signed_pack"
        )]
        pack_statements: Vec<PathBuf>,
        /// Ship this pack, signed elsewhere (`paicha-ledger checklists sign`), instead of
        /// signing one.
        #[arg(long, env = "PAICHA_SIGNED_PACK", value_name = "PACK.json")]
        signed_pack: Option<PathBuf>,
    },
    /// Print app-shell sizes and fail if the brotli total exceeds the budget.
    Size {
        /// Directory to measure, relative to the workspace root.
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
        /// Budget for the app shell, brotli-compressed, in KiB.
        #[arg(long, default_value_t = 120)]
        budget_kb: u64,
    },
}

fn main() {
    // Print the error chain on one line, without anyhow's backtrace noise.
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let root = workspace_root();
    match cli.command {
        Command::Build {
            out,
            no_opt,
            no_split,
            trust_root,
            pack_key,
            pack_statements,
            signed_pack,
        } => {
            let out = root.join(out);
            let mut pack = PackOptions::development(&root);
            if let Some(trust_root) = trust_root {
                pack.trust_root = trust_root;
            }
            if let Some(signed) = signed_pack {
                pack.signing = Signing::Signed(signed);
            } else if let Signing::Key { key, statements } = &mut pack.signing {
                if let Some(k) = pack_key {
                    *key = k;
                }
                *statements = pack_statements;
            }
            let bundle = wasm::build(&root, !no_opt, !no_split, &pack.trust_root)?;
            let report = dist::assemble(&root, bundle, &out, !no_opt, &pack)?;
            println!("dist: {} (build {})", out.display(), report.version);
            for url in &report.precache {
                println!("  {url}");
            }
        }
        Command::Size { dist, budget_kb } => {
            if !size::report(&root.join(dist), budget_kb)? {
                std::process::exit(1);
            }
        }
    }
    Ok(())
}
