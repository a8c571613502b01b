//! Reading a transfer archive (docs/bundle-format.md, "Transfer archive"): the bundle file
//! first, then each blob, one at a time, checked against the payload's names. At most one
//! blob (32 MiB) is in memory whatever the archive's size.

use paicha_core::VerifyError;
use paicha_core::archive::{self, BlobChecks, Entry};
use std::fs::File;
use std::io::Read;
use std::path::Path;
use zip::ZipArchive;

/// Whether a file name is a transfer archive's.
pub fn is_archive_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// An open transfer archive.
pub struct Archive {
    zip: ZipArchive<File>,
}

fn malformed(reason: impl std::fmt::Display) -> VerifyError {
    VerifyError::MalformedArchive(reason.to_string())
}

impl Archive {
    pub fn open(path: &Path) -> Result<Self, VerifyError> {
        let file = File::open(path).map_err(|e| malformed(format!("{}: {e}", path.display())))?;
        let zip = ZipArchive::new(file).map_err(malformed)?;
        Ok(Self { zip })
    }

    /// The number of blob entries (every entry after the first).
    pub fn blob_entries(&self) -> usize {
        self.zip.len().saturating_sub(1)
    }

    /// The first entry, which must be `bundle.json`: the bundle file's bytes.
    pub fn bundle_file(&mut self) -> Result<Vec<u8>, VerifyError> {
        if self.zip.is_empty() {
            return Err(malformed("the archive is empty"));
        }
        let limit = crate::MAX_BUNDLE_BYTES as u64;
        let name = self.read_entry(0, |name| match archive::entry(name)? {
            Entry::Bundle => Ok(limit),
            Entry::Blob(_) => Err(malformed(format!(
                "the first entry must be {}, not {name:?}",
                archive::BUNDLE_ENTRY
            ))),
        })?;
        Ok(name.1)
    }

    /// Blob entry `n` (1-based, after the bundle), checked against the payload's names before
    /// its bytes are read (named, not a second copy, the named size) and after (hash).
    pub fn blob(
        &mut self,
        n: usize,
        checks: &mut BlobChecks<'_>,
    ) -> Result<(String, Vec<u8>), VerifyError> {
        let (name, bytes) = self.read_entry(n, |name| match archive::entry(name)? {
            Entry::Bundle => Err(malformed(format!(
                "{} appears twice",
                archive::BUNDLE_ENTRY
            ))),
            Entry::Blob(hash) => Ok(checks.expect(hash)?.size),
        })?;
        let sha256 = name
            .strip_prefix(archive::BLOB_PREFIX)
            .unwrap_or(&name)
            .to_string();
        checks.arrived(
            &sha256,
            bytes.len() as u64,
            &paicha_core::sha256_hex(&bytes),
        )?;
        Ok((sha256, bytes))
    }

    /// Reads entry `index` whose name `limit_of` accepts, returning at most the size it
    /// allows plus one byte (so that a longer entry is caught as too long by the caller's
    /// size check, without reading it all).
    fn read_entry(
        &mut self,
        index: usize,
        limit_of: impl FnOnce(&str) -> Result<u64, VerifyError>,
    ) -> Result<(String, Vec<u8>), VerifyError> {
        let entry = self.zip.by_index(index).map_err(malformed)?;
        let name = entry.name().map_err(malformed)?.to_string();
        let limit = limit_of(&name)?;
        if entry.compression() != zip::CompressionMethod::Stored {
            return Err(malformed(format!(
                "entry {name:?} is compressed; entries are stored (method 0)"
            )));
        }
        let mut bytes = Vec::with_capacity(entry.size().min(limit + 1) as usize);
        entry
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| malformed(format!("entry {name:?}: {e}")))?;
        Ok((name, bytes))
    }
}
