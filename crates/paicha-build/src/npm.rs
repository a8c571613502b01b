//! The tools `scripts/setup` installs from npm (pinned in package.json), not from Debian.

use std::path::{Path, PathBuf};

use anyhow::{Result, ensure};

/// `node_modules/.bin/<name>` under the workspace `root`, or why it is not there.
pub fn tool(root: &Path, name: &str) -> Result<PathBuf> {
    let bin = root.join("node_modules/.bin").join(name);
    ensure!(
        bin.exists(),
        "{} is missing: run scripts/setup (npm ci)",
        bin.display()
    );
    Ok(bin)
}
