//! Paicha's build tooling: the wasm build, `dist/` assembly, the size budget (the
//! `paicha-build` command, `main.rs`) and the workspace's architecture check
//! (`tests/architecture.rs`).

use std::path::{Path, PathBuf};

pub mod architecture;
pub mod dist;
pub mod pack;
pub mod size;
pub mod wasm;

mod compress;
mod files;
mod minify;
mod npm;

/// The workspace root, fixed at compile time so the tool works from any cwd.
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .expect("crate lives at <root>/crates/paicha-build")
        .to_path_buf()
}
