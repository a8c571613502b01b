//! Importing a transfer archive of a large inspection (bundle format version 2): time and the
//! process's peak memory, which must not grow with the number of photos.
//!
//!   cargo run --release -p paicha-ledger --example archive_bench -- [PHOTOS] [KIB]
//!
//! Writes one sealed inspection with PHOTOS (default 200) distinct photos of KIB (default 300)
//! KiB each, one per hazard, as a `.zip` transfer archive in a temporary directory, one photo in
//! memory at a time (`paicha_core::archive::ZipWriter`). Then imports it into a fresh SQLite
//! ledger with its blob directory (`paicha_ledger::import::import_archive`, what `paicha-ledger
//! import FILE.zip` does) and prints the envelope's and the archive's size, the import time, and
//! the peak resident memory (VmHWM) before and after the import.

#[path = "support/checklist.rs"]
mod bench_checklist;
use bench_checklist::checklist;
use chrono::{TimeZone, Utc};
use ed25519_dalek::SigningKey;
use paicha_core::archive::{BUNDLE_ENTRY, ZipWriter, blob_entry_name, crc32};
use paicha_core::bundle::{BundlePayload, ChainState, DeviceInfo, sign_with};
use paicha_core::{Attachment, CreditCode, Inspection, Inspector, Site, Verdict};
use paicha_ledger::import::{ImportOutcome, import_archive};
use paicha_ledger::store::{Location, NewDevice, Store};
use std::io::Write;
use std::time::Instant;
use uuid::Uuid;

/// Photo `n`: `kib` KiB that start like a JPEG and differ from every other photo.
fn photo(n: usize, kib: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(kib * 1024);
    bytes.extend_from_slice(&[0xff, 0xd8, 0xff, 0xe0]);
    let mut state = (n as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    while bytes.len() < kib * 1024 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(kib * 1024);
    bytes
}

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let photos: usize = args.next().map_or(200, |a| a.parse().expect("PHOTOS"));
    let kib: usize = args.next().map_or(300, |a| a.parse().expect("KIB"));
    let dir = tempfile::tempdir().expect("a temporary directory");

    let key = SigningKey::from_bytes(&[42; 32]);
    let checklist = checklist(photos);
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let inspector = Inspector::new("基准", "44030000001").unwrap();
    let site = Site::new(
        "某某化工有限公司",
        CreditCode::parse("91440300708461136T").unwrap(),
    )
    .unwrap();
    let mut inspection =
        Inspection::start(Uuid::from_u128(7), site, &checklist, inspector.clone(), at);
    let mut attachments = Vec::new();
    let items: Vec<String> = checklist.items().map(|i| i.id.clone()).collect();
    for (n, item) in items.iter().enumerate() {
        inspection
            .answer(&checklist, item, Verdict::GeneralHazard, "隐患", at)
            .unwrap();
        let bytes = photo(n, kib);
        let named = Attachment::new("image/jpeg", &bytes).unwrap();
        inspection.attach_photo(item, &named.sha256).unwrap();
        attachments.push(named);
    }
    inspection
        .seal(&checklist, at + chrono::Duration::hours(1))
        .unwrap();
    let payload = BundlePayload::new(
        Uuid::from_u128(8),
        at,
        "bench",
        DeviceInfo::from_public_key(&key.verifying_key().to_bytes()),
        &ChainState::default(),
        inspector,
        vec![inspection],
    )
    .unwrap()
    .with_attachments(attachments)
    .unwrap();
    let envelope = sign_with(&key, &payload.to_bytes()).to_json();

    // The archive, one photo in memory at a time.
    let archive = dir.path().join("inspection.zip");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&archive).unwrap());
    let mut zip = ZipWriter::new();
    file.write_all(&zip.entry(BUNDLE_ENTRY, envelope.as_bytes()).unwrap())
        .unwrap();
    for (n, attachment) in payload.attachments.iter().enumerate() {
        let bytes = photo(n, kib);
        let header = zip
            .entry_header(
                &blob_entry_name(&attachment.sha256),
                bytes.len() as u64,
                crc32(&bytes),
            )
            .unwrap();
        file.write_all(&header).unwrap();
        file.write_all(&bytes).unwrap();
    }
    file.write_all(&zip.finish().unwrap()).unwrap();
    file.flush().unwrap();
    drop(file);
    let archive_bytes = std::fs::metadata(&archive).unwrap().len();

    let location = Location::SqliteFile(dir.path().join("ledger.sqlite3"));
    let store = Store::open(&location).await.expect("the ledger opens");
    let device = NewDevice::from_parts(
        &paicha_core::KeyId::from_public_key(&key.verifying_key().to_bytes()).to_string(),
        &paicha_core::dsse::b64_encode(&key.verifying_key().to_bytes()),
        "基准",
        "44030000001",
        "",
    )
    .unwrap();
    store.enrol(&device, at).await.unwrap();
    drop(payload);

    let before = peak_mib();
    let started = Instant::now();
    let outcome = import_archive(&store, &archive, Utc::now())
        .await
        .expect("the archive imports");
    let took = started.elapsed();
    let after = peak_mib();
    let ImportOutcome::Imported(imported) = outcome else {
        panic!("imported once")
    };
    assert!(imported.missing_blobs.is_empty(), "every photo arrived");
    let held = store.blobs().list().await.unwrap().len();
    assert_eq!(held, photos, "the blob store holds every photo");
    println!("| figure | value |\n| --- | --- |");
    println!("| photos × size | {photos} × {kib} KiB |");
    println!(
        "| envelope (bundle.json) | {:.1} KiB |",
        envelope.len() as f64 / 1024.0
    );
    println!("| archive | {:.1} MiB |", archive_bytes as f64 / 1048576.0);
    println!(
        "| import (verify, {photos} blobs to the directory, rows) | {:.2} s |",
        took.as_secs_f64()
    );
    println!(
        "| peak memory before → after the import | {before:.1} → {after:.1} MiB (+{:.1}) |",
        after - before
    );
}
