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
    /// Opens an archive and checks its structure before anything in it is read (step 12.1):
    /// `bundle.json` first, every other entry `blobs/<hex64>`, each name once, stored and not
    /// encrypted.
    pub fn open(path: &Path) -> Result<Self, VerifyError> {
        let unreadable = |e: std::io::Error| malformed(format!("{}: {e}", path.display()));
        let mut file = File::open(path).map_err(unreadable)?;
        // The `zip` crate keeps one entry per name (the last one's bytes at the first one's
        // place): count the central directory's records here, so that a repeated name is
        // refused instead of read as whichever copy the library picks.
        let recorded = central_directory_records(&mut file).map_err(unreadable)?;
        let mut zip = ZipArchive::new(file).map_err(malformed)?;
        if recorded != Some(zip.len()) {
            return Err(malformed(
                "an entry name appears more than once (or the end record is unreadable)",
            ));
        }
        for index in 0..zip.len() {
            let entry = zip.by_index_raw(index).map_err(malformed)?;
            let name = entry.name().map_err(malformed)?.to_string();
            match (index, archive::entry(&name)?) {
                (0, Entry::Bundle) | (1.., Entry::Blob(_)) => {}
                (0, Entry::Blob(_)) => {
                    return Err(malformed(format!(
                        "the first entry must be {}, not {name:?}",
                        archive::BUNDLE_ENTRY
                    )));
                }
                (_, Entry::Bundle) => {
                    return Err(malformed(format!(
                        "{} must be the first entry",
                        archive::BUNDLE_ENTRY
                    )));
                }
            }
            if entry.compression() != zip::CompressionMethod::Stored || entry.encrypted() {
                return Err(malformed(format!(
                    "entry {name:?} is compressed or encrypted; entries are stored (method 0)"
                )));
            }
        }
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
        let name = self.read_entry(0, |name, _| match archive::entry(name)? {
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
        let (name, bytes) = self.read_entry(n, |name, size| match archive::entry(name)? {
            Entry::Bundle => Err(malformed(format!(
                "{} appears twice",
                archive::BUNDLE_ENTRY
            ))),
            Entry::Blob(hash) => {
                // Named, then the named size from the entry's header, before reading it.
                let named = checks.expect(hash)?;
                if size != named.size {
                    named.check_blob_digest(size, hash)?;
                }
                Ok(named.size)
            }
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
        limit_of: impl FnOnce(&str, u64) -> Result<u64, VerifyError>,
    ) -> Result<(String, Vec<u8>), VerifyError> {
        let entry = self.zip.by_index(index).map_err(malformed)?;
        let name = entry.name().map_err(malformed)?.to_string();
        let limit = limit_of(&name, entry.size())?;
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

/// The number of records the end of central directory record announces (`None` if there is no
/// such record in the last 65,557 bytes, where the format puts it).
fn central_directory_records(file: &mut File) -> std::io::Result<Option<usize>> {
    use std::io::{Seek, SeekFrom};
    let len = file.seek(SeekFrom::End(0))?;
    let tail_len = len.min(22 + 65_535);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = Vec::with_capacity(tail_len as usize);
    (&mut *file).take(tail_len).read_to_end(&mut tail)?;
    file.seek(SeekFrom::Start(0))?;
    let found = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..i + 4] == [0x50, 0x4b, 0x05, 0x06]);
    Ok(found.map(|i| u16::from_le_bytes([tail[i + 10], tail[i + 11]]) as usize))
}
