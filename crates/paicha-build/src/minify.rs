//! Minify the shell's JavaScript and CSS with esbuild (npm, pinned in package.json).
//!
//! The wasm-bindgen glue alone is 63 KB as generated; minified it is under half of that, and
//! 1.9 KiB less brotli. Every start downloads (or reads from cache and parses) these files, so
//! the optimised build minifies them; `--no-opt` keeps them readable for debugging.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, ensure};

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// An ES module: imports and exports are kept as they are.
    Module,
    Css,
}

/// `source`, minified. Fails (never falls back to the unminified text) when esbuild is missing
/// or rejects the input, so a broken build is not shipped unnoticed.
pub fn minify(root: &Path, kind: Kind, name: &str, source: &[u8]) -> Result<Vec<u8>> {
    let bin = crate::npm::tool(root, "esbuild")?;
    let args: &[&str] = match kind {
        Kind::Module => &["--loader=js", "--format=esm"],
        Kind::Css => &["--loader=css"],
    };
    let mut child = Command::new(&bin)
        .args(["--minify", "--log-level=warning", "--charset=utf8"])
        .args(args)
        .arg(format!("--sourcefile={name}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("spawning {}", bin.display()))?;
    // Written from a thread so that neither side can block on a full pipe.
    let mut stdin = child.stdin.take().context("esbuild stdin")?;
    let input = source.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().context("waiting for esbuild")?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("the thread writing to esbuild panicked"))?
        .context("writing to esbuild")?;
    ensure!(
        output.status.success(),
        "esbuild could not minify {name} ({})",
        output.status
    );
    ensure!(
        !output.stdout.is_empty(),
        "esbuild minified {name} to nothing"
    );
    Ok(output.stdout)
}
