//! The offline transfer file (docs/bundle-format.md, "Transfer archive"): one ZIP holding a
//! bundle file and the blobs its payload names, for when there is no network at all. The
//! reading and writing of ZIP bytes is the ledger's and the app's (I/O); the rules a reader
//! applies to the entries, and their order, are here so that both agree.

use crate::attachment::{Attachment, AttachmentError};
use crate::bundle::BundlePayload;
use crate::verify::VerifyError;
use std::collections::{BTreeMap, BTreeSet};

/// The first entry: the bundle file exactly as section 2 of the spec writes it.
pub const BUNDLE_ENTRY: &str = "bundle.json";
/// Every other entry is `blobs/<sha256>`.
pub const BLOB_PREFIX: &str = "blobs/";

/// What an entry of a transfer archive is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    Bundle,
    /// A blob, by the hash its name declares (64 lower-case hex digits).
    Blob(&'a str),
}

/// Reads an entry's name; anything but `bundle.json` and `blobs/<hex64>` (directories
/// included) is `malformed_archive`.
pub fn entry(name: &str) -> Result<Entry<'_>, VerifyError> {
    if name == BUNDLE_ENTRY {
        return Ok(Entry::Bundle);
    }
    match name.strip_prefix(BLOB_PREFIX) {
        Some(hash) if crate::is_hex64(hash) => Ok(Entry::Blob(hash)),
        _ => Err(VerifyError::MalformedArchive(format!(
            "unexpected entry {name:?}: an archive holds {BUNDLE_ENTRY} and blobs/<sha256> only"
        ))),
    }
}

/// The blob checks of one archive, fed entry by entry after the bundle (step 12 of the spec):
/// each blob named by the payload, once, with the named size and hash; then none missing.
pub struct BlobChecks<'a> {
    named: BTreeMap<&'a str, &'a Attachment>,
    arrived: BTreeSet<String>,
    order: Vec<&'a str>,
}

impl<'a> BlobChecks<'a> {
    /// A version 1 payload names no blobs (its files are embedded), so every blob entry of its
    /// archive is `blob_unnamed`.
    pub fn new(payload: &'a BundlePayload) -> Self {
        let blobs: Vec<&Attachment> = payload
            .attachments
            .iter()
            .filter(|a| a.data.is_none())
            .collect();
        Self {
            named: blobs.iter().map(|a| (a.sha256.as_str(), *a)).collect(),
            arrived: BTreeSet::new(),
            order: blobs.iter().map(|a| a.sha256.as_str()).collect(),
        }
    }

    /// Which attachment a blob entry stands for, before its bytes are read: unnamed or a
    /// second copy are refused without reading them.
    pub fn expect(&self, sha256: &str) -> Result<&'a Attachment, VerifyError> {
        let attachment = self
            .named
            .get(sha256)
            .copied()
            .ok_or_else(|| AttachmentError::BlobUnnamed(sha256.to_string()))?;
        if self.arrived.contains(sha256) {
            return Err(VerifyError::MalformedArchive(format!(
                "blob {sha256} appears twice"
            )));
        }
        Ok(attachment)
    }

    /// Records a blob whose bytes were streamed: `size` bytes hashing to `digest`.
    pub fn arrived(&mut self, sha256: &str, size: u64, digest: &str) -> Result<(), VerifyError> {
        self.expect(sha256)?.check_blob_digest(size, digest)?;
        self.arrived.insert(sha256.to_string());
        Ok(())
    }

    /// After the last entry: the first named blob (in `attachments` order) that never came.
    pub fn finish(self) -> Result<(), VerifyError> {
        match self.order.iter().find(|h| !self.arrived.contains(**h)) {
            Some(missing) => Err(AttachmentError::BlobMissing(missing.to_string()).into()),
            None => Ok(()),
        }
    }
}

/// Writes a transfer archive as ZIP (APPNOTE 6.3.10) with stored entries, piece by piece, so
/// that the content of an entry never has to pass through here: the app hands the browser the
/// headers from here and each photo as its own `Blob`, and the browser assembles the file
/// without the photos ever being in wasm memory together.
///
/// Hand-written rather than the `zip` crate, for that reason and for size: `zip` writes to one
/// `Write + Seek` sink (the whole archive through wasm memory) and brings deflate into the app;
/// this is about 100 lines and adds under 2 KiB to the app. The ledger reads archives with the
/// `zip` crate, an independent reader, and the vectors' archives are read by it in the tests.
///
/// Stored (uncompressed) entries only: photos are JPEG already. No ZIP64: at most 65,535
/// entries and 4 GiB in all; a device splits larger inspections into several bundles.
#[derive(Debug, Default)]
pub struct ZipWriter {
    offset: u64,
    central: Vec<u8>,
    entries: u16,
}

/// Why an archive cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZipError {
    #[error(
        "传输文件超过 4 GiB 或 65,535 个文件 / the transfer file would pass 4 GiB or 65,535 files"
    )]
    TooLarge,
}

/// 1980-01-01 00:00, the earliest MS-DOS date: entries carry no time, so the same bundle and
/// photos always give the same archive bytes.
const DOS_DATE: u16 = (1 << 5) | 1;
const VERSION: u16 = 20;

impl ZipWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// The local header to write just before an entry's `size` bytes whose CRC-32 is `crc32`.
    pub fn entry_header(&mut self, name: &str, size: u64, crc32: u32) -> Result<Vec<u8>, ZipError> {
        let size32 = u32::try_from(size).map_err(|_| ZipError::TooLarge)?;
        let offset = u32::try_from(self.offset).map_err(|_| ZipError::TooLarge)?;
        self.entries = self.entries.checked_add(1).ok_or(ZipError::TooLarge)?;
        let name_len = u16::try_from(name.len()).map_err(|_| ZipError::TooLarge)?;
        let mut header = Vec::with_capacity(30 + name.len());
        put32(&mut header, 0x0403_4b50);
        put16(&mut header, VERSION);
        common_fields(&mut header, crc32, size32, name_len);
        header.extend_from_slice(name.as_bytes());

        put32(&mut self.central, 0x0201_4b50);
        put16(&mut self.central, VERSION); // made by
        put16(&mut self.central, VERSION); // needed
        common_fields(&mut self.central, crc32, size32, name_len);
        put16(&mut self.central, 0); // comment length
        put16(&mut self.central, 0); // disk
        put16(&mut self.central, 0); // internal attributes
        put32(&mut self.central, 0); // external attributes
        put32(&mut self.central, offset);
        self.central.extend_from_slice(name.as_bytes());

        self.offset += header.len() as u64 + size;
        Ok(header)
    }

    /// The whole of one small entry (the bundle file): its header and its bytes.
    pub fn entry(&mut self, name: &str, bytes: &[u8]) -> Result<Vec<u8>, ZipError> {
        let mut out = self.entry_header(name, bytes.len() as u64, crc32(bytes))?;
        out.extend_from_slice(bytes);
        Ok(out)
    }

    /// The central directory and its end record: the archive's last bytes.
    pub fn finish(self) -> Result<Vec<u8>, ZipError> {
        let offset = u32::try_from(self.offset).map_err(|_| ZipError::TooLarge)?;
        let size = u32::try_from(self.central.len()).map_err(|_| ZipError::TooLarge)?;
        offset.checked_add(size).ok_or(ZipError::TooLarge)?;
        let mut out = self.central;
        put32(&mut out, 0x0605_4b50);
        put16(&mut out, 0); // this disk
        put16(&mut out, 0); // the directory's disk
        put16(&mut out, self.entries);
        put16(&mut out, self.entries);
        put32(&mut out, size);
        put32(&mut out, offset);
        put16(&mut out, 0); // comment length
        Ok(out)
    }
}

/// Flags, method (0: stored), time, date, CRC, sizes, name and extra lengths: the fields a
/// local header and a central directory entry share, in the same order.
fn common_fields(out: &mut Vec<u8>, crc32: u32, size: u32, name_len: u16) {
    put16(out, 0); // flags
    put16(out, 0); // stored
    put16(out, 0); // time 00:00
    put16(out, DOS_DATE);
    put32(out, crc32);
    put32(out, size); // compressed
    put32(out, size); // uncompressed
    put16(out, name_len);
    put16(out, 0); // extra length
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// CRC-32 (ISO-HDLC, as ZIP uses it) of an entry's bytes, four bits at a time from a 64-byte
/// table. A byte-wise crate (`crc32fast`) carries 16 KiB of tables, which added 16 KiB
/// (brotli) to the app's screens chunk; this takes a few milliseconds for a 300 KB photo in
/// the browser, where the photo's SHA-256 is the slower step anyway.
pub fn crc32(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 16] = {
        let mut table = [0u32; 16];
        let mut i = 0;
        while i < 16 {
            let mut c = i as u32;
            let mut bit = 0;
            while bit < 4 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
                bit += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut crc = !0u32;
    for &byte in bytes {
        crc = (crc >> 4) ^ TABLE[((crc ^ u32::from(byte)) & 15) as usize];
        crc = (crc >> 4) ^ TABLE[((crc ^ u32::from(byte >> 4)) & 15) as usize];
    }
    !crc
}

/// The name of a blob's entry.
pub fn blob_entry_name(sha256: &str) -> String {
    format!("{BLOB_PREFIX}{sha256}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crc_is_zips() {
        // The check value of CRC-32/ISO-HDLC, and the empty input.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"a"), 0xE8B7_BE43);
    }

    #[test]
    fn entry_names_are_the_bundle_and_hash_named_blobs_only() {
        let hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(entry("bundle.json").unwrap(), Entry::Bundle);
        assert_eq!(entry(&format!("blobs/{hash}")).unwrap(), Entry::Blob(hash));
        for bad in [
            "blobs/",
            "blobs/../bundle.json",
            "Bundle.json",
            "photo.jpg",
            &format!("blobs/{}", hash.to_uppercase()),
            &format!("blobs/{hash}/x"),
        ] {
            assert_eq!(entry(bad).unwrap_err().code(), "malformed_archive", "{bad}");
        }
    }
}
