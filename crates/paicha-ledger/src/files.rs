//! Bundle files on disk: which files a directory argument means, and reading them safely.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is larger than the limit of {limit} bytes for a bundle", path.display())]
    TooLarge { path: PathBuf, limit: usize },
}

/// Reads a bundle file, refusing files over the size limit before reading them.
pub fn read_bundle_file(path: &Path) -> Result<Vec<u8>, FileError> {
    let read_err = |source| FileError::Read {
        path: path.to_path_buf(),
        source,
    };
    let len = std::fs::metadata(path).map_err(read_err)?.len();
    if len > crate::MAX_BUNDLE_BYTES as u64 {
        return Err(FileError::TooLarge {
            path: path.to_path_buf(),
            limit: crate::MAX_BUNDLE_BYTES,
        });
    }
    std::fs::read(path).map_err(read_err)
}

/// File names taken from a directory argument: exported bundles are `.json` (or `.dsse`),
/// transfer archives `.zip`.
pub fn is_bundle_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !lower.starts_with('.')
        && (lower.ends_with(".json") || lower.ends_with(".dsse") || lower.ends_with(".zip"))
}

/// Expands the command-line arguments: files as given, directories to their bundle files
/// (not recursive, sorted by name). Returns the files and the number of other files skipped.
pub fn expand_paths(args: &[PathBuf]) -> (Vec<PathBuf>, usize) {
    let mut files = Vec::new();
    let mut skipped = 0;
    for arg in args {
        let Ok(entries) = std::fs::read_dir(arg) else {
            // Not a directory (or unreadable): treated as a file, so reading reports the error.
            files.push(arg.clone());
            continue;
        };
        let mut found: Vec<PathBuf> = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.is_file() {
                continue; // not recursive: subdirectories (such as the data directory) are ignored
            }
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_bundle_file_name)
            {
                found.push(path);
            } else {
                skipped += 1;
            }
        }
        found.sort();
        files.extend(found);
    }
    (files, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_entries_are_filtered_by_extension() {
        assert!(is_bundle_file_name("paicha-bundle-0001.json"));
        assert!(is_bundle_file_name("X.DSSE"));
        assert!(!is_bundle_file_name("README.md"));
        assert!(!is_bundle_file_name(".hidden.json"));
    }

    #[test]
    fn expand_paths_lists_directories_sorted_and_keeps_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.json", "a.json", "notes.txt"] {
            std::fs::write(dir.path().join(name), "{}").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub.json")).unwrap();
        let missing = dir.path().join("missing.json");
        let (files, skipped) = expand_paths(&[dir.path().to_path_buf(), missing.clone()]);
        assert_eq!(
            files,
            vec![
                dir.path().join("a.json"),
                dir.path().join("b.json"),
                missing
            ]
        );
        assert_eq!(skipped, 1);
    }
}
