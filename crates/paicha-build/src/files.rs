//! Reading trees of files: what assembling `dist/`, measuring it and checking the workspace's
//! architecture all need, kept below them so that none of them imports another for it.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use walkdir::WalkDir;

/// Regular files under `dir`, recursively, in path order; names starting with a dot are
/// passed over.
pub fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    walk_skipping(dir, &[])
}

/// [`walk`], also passing over every directory named in `skip` (with all it holds).
pub fn walk_skipping(dir: &Path, skip: &[&str]) -> Result<Vec<PathBuf>> {
    let passed_over = |entry: &walkdir::DirEntry| {
        let name = entry.file_name().to_string_lossy();
        entry.depth() > 0
            && (name.starts_with('.') || entry.file_type().is_dir() && skip.contains(&&*name))
    };
    let mut out = Vec::new();
    for entry in WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| !passed_over(entry))
    {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        if !entry.file_type().is_dir() {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

/// `path`'s contents; the error names the file.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// A relative path as a URL path: components joined by `/` on every platform.
pub fn url_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_lists_files_in_path_order_without_dotfiles_or_skipped_directories() {
        let dir = tempfile::tempdir().unwrap();
        for rel in [
            "b.txt",
            "a/z.txt",
            "a.txt",
            ".hidden/x",
            "a/.env",
            "target/t",
            "c/target",
        ] {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, rel).unwrap();
        }
        let rel = |paths: Vec<PathBuf>| -> Vec<String> {
            paths
                .iter()
                .map(|p| url_path(p.strip_prefix(dir.path()).unwrap()))
                .collect()
        };
        assert_eq!(
            rel(walk(dir.path()).unwrap()),
            ["a/z.txt", "a.txt", "b.txt", "c/target", "target/t"]
        );
        assert_eq!(
            rel(walk_skipping(dir.path(), &["target"]).unwrap()),
            ["a/z.txt", "a.txt", "b.txt", "c/target"],
            "a file named like a skipped directory is kept"
        );
    }
}
