//! Compile the Leptos app to wasm32, split it into a main module and chunks loaded on demand
//! (`src/screens.rs`), run wasm-bindgen on the main module, then wasm-opt on every module.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
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

/// What the build's `RUSTFLAGS` hold. They replace `.cargo/config.toml`'s list, so that
/// list's `erase_components` is repeated here. `paicha_split` turns the screen groups into
/// split points; `--emit-relocs` keeps the relocations the splitter reads.
const RUSTFLAGS_SPLIT: &[&str] = &[
    "--cfg",
    "erase_components",
    "--cfg",
    "paicha_split",
    "-Clink-args=--emit-relocs",
];
const RUSTFLAGS_WHOLE: &[&str] = &["--cfg", "erase_components"];

/// The name under which the wasm-bindgen glue imports the split link module, and the name
/// under which the link module imports the glue: both are rewritten to the hashed names in
/// `dist/` (see `dist::assemble`).
pub const LINK_PLACEHOLDER: &str = "./paicha-split.js";
pub const MAIN_PLACEHOLDER: &str = "./paicha-main.js";

/// Chunks of a split build and the JS that loads them.
pub struct Split {
    /// ES module imported by the glue as [`LINK_PLACEHOLDER`]; it imports the glue as
    /// [`MAIN_PLACEHOLDER`] and fetches each chunk as `"./<stem>.wasm"`.
    pub link_js: String,
    /// (stem, optimised wasm) of every chunk.
    pub chunks: Vec<(String, Vec<u8>)>,
}

/// The bindgen output, ready to be hashed and written into `dist/`.
pub struct Bundle {
    /// ES module produced by wasm-bindgen (`--target web`).
    pub js: Vec<u8>,
    /// The optimised wasm binary.
    pub wasm: Vec<u8>,
    /// `snippets/...` files (from `#[wasm_bindgen(module/inline_js)]`), relative
    /// paths as imported by `js`; they keep their names because `js` refers to them.
    pub snippets: Vec<(PathBuf, Vec<u8>)>,
    /// Present when the app was split into chunks.
    pub split: Option<Split>,
}

/// Builds the app; `trust_root` is the checklist-pack trust root it embeds (see the root crate's
/// build.rs).
pub fn build(root: &Path, optimise: bool, split: bool, trust_root: &Path) -> Result<Bundle> {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    cargo_build(root, split, trust_root)?;

    let raw = target_dir
        .join(TARGET)
        .join(PROFILE)
        .join(format!("{CRATE}.wasm"));
    let staging = target_dir.join("paicha-build").join("bindgen");
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    fs::create_dir_all(&staging)?;

    let (input, chunks) = if split {
        let (main, chunks) = split_wasm(&raw, &staging.join("split"))?;
        (main, Some(chunks))
    } else {
        (raw, None)
    };

    eprintln!("wasm-bindgen {}", input.display());
    Bindgen::new()
        .input_path(&input)
        .out_name(CRATE)
        .web(true)?
        .typescript(false)
        // The loader always passes the hashed wasm URL to `init`, so the default
        // `new URL('paicha_bg.wasm', import.meta.url)` would only point at a
        // file that does not exist in dist/.
        .omit_default_module_path(true)
        // The chunks call into the main module through exports the linker made; keep them.
        .keep_lld_exports(split)
        .generate(&staging)
        .with_context(|| format!("wasm-bindgen on {}", input.display()))?;

    let wasm = optimised(root, &staging.join(format!("{CRATE}_bg.wasm")), optimise)?;

    let split = match chunks {
        Some(paths) => {
            let mut chunks = Vec::new();
            for path in paths {
                let stem = path
                    .file_stem()
                    .context("chunk without a name")?
                    .to_string_lossy()
                    .into_owned();
                chunks.push((stem, optimised(root, &path, optimise)?));
            }
            let link_js = fs::read_to_string(staging.join("split").join(LINK_PLACEHOLDER))
                .context("reading the split link module")?;
            Some(Split { link_js, chunks })
        }
        None => None,
    };

    Ok(Bundle {
        js: fs::read(staging.join(format!("{CRATE}.js")))?,
        wasm,
        snippets: read_tree(&staging, &staging.join("snippets"))?,
        split,
    })
}

/// Splits the linked wasm at its split points: returns the main module (for wasm-bindgen)
/// and the chunks, all written under `dir` with the link module beside them.
fn split_wasm(input: &Path, dir: &Path) -> Result<(PathBuf, Vec<PathBuf>)> {
    eprintln!("wasm-split {}", input.display());
    let bytes = fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    fs::create_dir_all(dir)?;
    let main = dir.join("main.wasm");
    let mut opts = wasm_split_cli_support::Options::new(&bytes);
    opts.output_dir = dir;
    opts.main_out_path = &main;
    opts.link_name = LINK_PLACEHOLDER;
    opts.main_module = MAIN_PLACEHOLDER;
    let result = wasm_split_cli_support::transform(opts)
        .map_err(|e| anyhow::anyhow!("wasm-split: {e:#}"))?;
    let mut chunks = result.split_modules;
    chunks.sort();
    Ok((main, chunks))
}

fn cargo_build(root: &Path, split: bool, trust_root: &Path) -> Result<()> {
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
    let mut flags: Vec<String> = if split {
        RUSTFLAGS_SPLIT
    } else {
        RUSTFLAGS_WHOLE
    }
    .iter()
    .map(|f| f.to_string())
    .collect();
    flags.extend(remap_path_prefixes(root));
    // The encoded form keeps a path with spaces in one argument.
    cmd.env_remove("RUSTFLAGS")
        .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\u{1f}"))
        .env(
            "PAICHA_TRUST_ROOT",
            trust_root
                .canonicalize()
                .with_context(|| format!("the trust root {}", trust_root.display()))?,
        );
    eprintln!("{cmd:?}");
    let status = cmd.status().context("spawning cargo")?;
    ensure!(
        status.success(),
        "cargo build of the wasm app failed ({status})"
    );
    Ok(())
}

/// Panic locations name their source file, and the app ships them: without remapping each
/// carries the build machine's paths (`/root/.cargo/registry/src/index.crates.io-<hash>/...`,
/// the checkout's directory). Mapped to paths relative to the crate or the workspace they are
/// shorter, and the build no longer depends on where the checkout or the cargo home are.
fn remap_path_prefixes(root: &Path) -> Vec<String> {
    let mut prefixes = vec![format!("{}/", root.display())];
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    if let Some(Ok(registries)) = cargo_home.map(|home| fs::read_dir(home.join("registry/src"))) {
        let mut dirs: Vec<String> = registries
            .flatten()
            .map(|entry| format!("{}/", entry.path().display()))
            .collect();
        dirs.sort();
        prefixes.extend(dirs);
    }
    prefixes
        .into_iter()
        .map(|prefix| format!("--remap-path-prefix={prefix}="))
        .collect()
}

/// The module at `input`, through wasm-opt (written beside it as `<stem>_opt.wasm`) when
/// `optimise`.
fn optimised(root: &Path, input: &Path, optimise: bool) -> Result<Vec<u8>> {
    if !optimise {
        return Ok(fs::read(input)?);
    }
    let stem = input.file_stem().context("wasm file without a name")?;
    let out = input.with_file_name(format!("{}_opt.wasm", stem.to_string_lossy()));
    wasm_opt(root, input, &out)?;
    Ok(fs::read(&out)?)
}

fn wasm_opt(root: &Path, input: &Path, output: &Path) -> Result<()> {
    // npm binaryen@132 only: Debian's binaryen 108 emits broken modules.
    let bin = crate::npm::tool(root, "wasm-opt")?;
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
    for path in crate::files::walk(dir)? {
        let rel = path.strip_prefix(base)?.to_path_buf();
        out.push((rel, crate::files::read(&path)?));
    }
    Ok(out)
}
