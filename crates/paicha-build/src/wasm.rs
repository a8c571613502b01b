//! Compile the Leptos app to wasm32, run wasm-bindgen, then wasm-opt.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use wasm_bindgen_cli_support::Bindgen;

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
const CRATE: &str = "paicha";

/// wasm-opt must be told which post-MVP features the input already uses;
/// these are the ones rustc 1.95 enables by default for wasm32-unknown-unknown
/// (LLVM's "generic" CPU: bulk-memory(-opt), call-indirect-overlong, multivalue,
/// mutable-globals, nontrapping-fptoint, reference-types, sign-ext). wasm-bindgen relies on reference-types for its externref table.
const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-call-indirect-overlong",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
    "--enable-reference-types",
];

/// The bindgen output, ready to be hashed and written into `dist/`.
pub struct Bundle {
    /// ES module produced by wasm-bindgen (`--target web`).
    pub js: Vec<u8>,
    /// The optimised wasm binary.
    pub wasm: Vec<u8>,
    /// `snippets/...` files (from `#[wasm_bindgen(module/inline_js)]`), relative
    /// paths as imported by `js`; they keep their names because `js` refers to them.
    pub snippets: Vec<(PathBuf, Vec<u8>)>,
}

pub fn build(root: &Path, optimise: bool) -> Result<Bundle> {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    cargo_build(root)?;

    let input = target_dir
        .join(TARGET)
        .join(PROFILE)
        .join(format!("{CRATE}.wasm"));
    let staging = target_dir.join("paicha-build").join("bindgen");
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    fs::create_dir_all(&staging)?;

    eprintln!("wasm-bindgen {}", input.display());
    Bindgen::new()
        .input_path(&input)
        .web(true)?
        .typescript(false)
        // The loader always passes the hashed wasm URL to `init`, so the default
        // `new URL('paicha_bg.wasm', import.meta.url)` would only point at a
        // file that does not exist in dist/.
        .omit_default_module_path(true)
        .generate(&staging)
        .with_context(|| format!("wasm-bindgen on {}", input.display()))?;

    let bindgen_wasm = staging.join(format!("{CRATE}_bg.wasm"));
    let wasm = if optimise {
        let out = staging.join(format!("{CRATE}_opt.wasm"));
        wasm_opt(root, &bindgen_wasm, &out)?;
        fs::read(&out)?
    } else {
        fs::read(&bindgen_wasm)?
    };

    Ok(Bundle {
        js: fs::read(staging.join(format!("{CRATE}.js")))?,
        wasm,
        snippets: read_tree(&staging, &staging.join("snippets"))?,
    })
}

fn cargo_build(root: &Path) -> Result<()> {
    // `CARGO` is set when we run under `cargo run`: reuse the same toolchain.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root).args([
        "build",
        "-p",
        CRATE,
        "--bin",
        CRATE,
        "--target",
        TARGET,
        "--profile",
        PROFILE,
    ]);
    eprintln!("{cmd:?}");
    let status = cmd.status().context("spawning cargo")?;
    ensure!(
        status.success(),
        "cargo build of the wasm app failed ({status})"
    );
    Ok(())
}

fn wasm_opt(root: &Path, input: &Path, output: &Path) -> Result<()> {
    // npm binaryen@132 only: Debian's binaryen 108 emits broken modules.
    let bin = root.join("node_modules/.bin/wasm-opt");
    if !bin.exists() {
        bail!("{} is missing: run scripts/setup (npm ci)", bin.display());
    }
    let mut cmd = Command::new(&bin);
    cmd.arg("-Oz")
        .args(WASM_OPT_FEATURES)
        .args(["--strip-debug", "--strip-producers"])
        .arg(input)
        .arg("-o")
        .arg(output);
    eprintln!("{cmd:?}");
    let status = cmd.status().context("spawning wasm-opt")?;
    ensure!(status.success(), "wasm-opt failed ({status})");
    Ok(())
}

/// All files under `dir`, as (path relative to `base`, contents), sorted.
fn read_tree(base: &Path, dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for path in crate::dist::walk(dir)? {
        let rel = path.strip_prefix(base)?.to_path_buf();
        out.push((rel, fs::read(&path)?));
    }
    Ok(out)
}
