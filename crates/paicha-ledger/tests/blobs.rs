//! The blob store (`paicha_ledger::blobs`), every behaviour on a temporary directory and on a
//! real S3 protocol server: moto (`eval "$(scripts/s3 start)"` sets `PAICHA_TEST_S3` and the
//! AWS variables; `scripts/test` does). Each S3 test gets a bucket of its own and opens the
//! store under the prefix `ledger/`. Without `PAICHA_TEST_S3` the S3 tests pass without
//! running, said on stderr, unless `PAICHA_REQUIRE_S3=1` or `CI=true`, where they fail.
//!
//! Not `mod common`: none of the ledger's fixtures are needed here but the photo.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use paicha_core::sha256_hex;
use paicha_ledger::blobs::{BlobError, BlobLocation, BlobStore, MAX_BLOB_BYTES, S3Credentials};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWriteExt, ReadBuf};

const REVIEW_PHOTO: &[u8] = include_bytes!("common/review-photo.png");
const MIB: u64 = 1024 * 1024;

// ---------------------------------------------------------------- the two stores

/// The variable naming the S3 server for tests (`eval "$(scripts/s3 start)"`).
const S3_ENV: &str = "PAICHA_TEST_S3";

/// The S3 endpoint for tests, or `None` (skip) when it is not set, unless required.
fn s3_endpoint() -> Option<String> {
    match std::env::var(S3_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_string()),
        _ if std::env::var("PAICHA_REQUIRE_S3").is_ok_and(|v| v == "1")
            || std::env::var("CI").is_ok_and(|v| v == "true") =>
        {
            panic!(
                "{S3_ENV} is not set, and PAICHA_REQUIRE_S3=1 or CI=true requires the S3 tests \
                 to run: start a server with eval \"$(scripts/s3 start)\" (scripts/test does)"
            )
        }
        _ => {
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                // Straight to stderr: libtest captures print!/eprint! but not this, so the
                // skip is visible in every run, not only in failures.
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "\nSKIPPED: S3 blob store tests pass without running: {S3_ENV} is not set \
                     (eval \"$(scripts/s3 start)\" starts a throwaway server)\n"
                );
            });
            None
        }
    }
}

enum Kind {
    Dir(tempfile::TempDir),
    S3 { endpoint: String, bucket: String },
}

/// A fresh, empty store, and a view of the same place without the store in between.
struct Fixture {
    store: BlobStore,
    /// The directory, or the whole bucket (keys then start with `ledger/`).
    raw: Arc<dyn ObjectStore>,
    kind: Kind,
}

/// Keys of the S3 stores start here (exercises the location's prefix).
const S3_PREFIX: &str = "ledger";

static BUCKETS: AtomicUsize = AtomicUsize::new(0);

impl Fixture {
    async fn dir() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        // A directory that does not exist yet: open creates it.
        let root = dir.path().join("blobs-root");
        let location = BlobLocation::parse(&format!("file://{}", root.display())).unwrap();
        let store = BlobStore::open(&location).await.unwrap();
        let raw = Arc::new(LocalFileSystem::new_with_prefix(&root).unwrap());
        Fixture {
            store,
            raw,
            kind: Kind::Dir(dir),
        }
    }

    async fn s3() -> Option<Fixture> {
        let endpoint = s3_endpoint()?;
        let bucket = format!(
            "paicha-test-{}-{}",
            std::process::id(),
            BUCKETS.fetch_add(1, Ordering::Relaxed)
        );
        let (status, body) = http(&endpoint, "PUT", &format!("/{bucket}")).await;
        assert_eq!(status, 200, "creating bucket {bucket}: {body}");
        let location = BlobLocation::parse(&format!(
            "s3://{bucket}/{S3_PREFIX}?endpoint={endpoint}&region=us-east-1"
        ))
        .unwrap();
        // The AWS variables that scripts/s3 exports, as in production; moto takes any.
        let store = if std::env::var("AWS_ACCESS_KEY_ID").is_ok() {
            BlobStore::open(&location).await.unwrap()
        } else {
            BlobStore::open_with_credentials(&location, Some(test_credentials()))
                .await
                .unwrap()
        };
        let raw = AmazonS3Builder::new()
            .with_bucket_name(&bucket)
            .with_region("us-east-1")
            .with_endpoint(&endpoint)
            .with_allow_http(true)
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .build()
            .unwrap();
        Some(Fixture {
            store,
            raw: Arc::new(raw),
            kind: Kind::S3 { endpoint, bucket },
        })
    }

    fn is_s3(&self) -> bool {
        matches!(self.kind, Kind::S3 { .. })
    }

    /// Every key in the store's place, relative to the store's root, sorted. In a directory
    /// every file counts, staged ones (`…#1`) too.
    async fn keys(&self) -> Vec<String> {
        let mut keys = match &self.kind {
            Kind::Dir(dir) => {
                let root = dir.path().join("blobs-root");
                let mut keys = Vec::new();
                let mut stack = vec![root.clone()];
                while let Some(folder) = stack.pop() {
                    for entry in std::fs::read_dir(&folder).unwrap() {
                        let path = entry.unwrap().path();
                        if path.is_dir() {
                            stack.push(path);
                        } else {
                            let key = path.strip_prefix(&root).unwrap();
                            keys.push(key.to_string_lossy().into_owned());
                        }
                    }
                }
                keys
            }
            Kind::S3 { .. } => {
                let all: Vec<_> = self.raw.list(None).try_collect().await.unwrap();
                all.into_iter()
                    .map(|meta| {
                        let key = meta.location.to_string();
                        let rest = key.strip_prefix(&format!("{S3_PREFIX}/"));
                        rest.unwrap_or_else(|| panic!("{key} is outside {S3_PREFIX}/"))
                            .to_string()
                    })
                    .collect()
            }
        };
        keys.sort();
        keys
    }

    /// Multipart uploads begun and neither completed nor aborted (S3 lists them apart from
    /// objects; in a directory they are staged files, which `keys` shows).
    async fn pending_uploads(&self) -> usize {
        match &self.kind {
            Kind::Dir(_) => 0,
            Kind::S3 { endpoint, bucket } => {
                let (status, body) = http(endpoint, "GET", &format!("/{bucket}?uploads")).await;
                assert_eq!(status, 200, "{body}");
                body.matches("<Upload>").count()
            }
        }
    }

    /// Asserts that nothing but `expected` (keys relative to the root) is stored, and that no
    /// upload is pending; waits up to 5 s for cleanups that run in the background.
    async fn assert_only(&self, expected: &[String]) {
        let mut expected = expected.to_vec();
        expected.sort();
        let started = Instant::now();
        loop {
            let (keys, pending) = (self.keys().await, self.pending_uploads().await);
            if keys == expected && pending == 0 {
                return;
            }
            if started.elapsed() > Duration::from_secs(5) {
                panic!("stored: {keys:?}, pending uploads: {pending}; expected {expected:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What changes when an object is written again: inode and mtime of a file, the
    /// last-modified time (to the second) of an S3 object.
    async fn stamp(&self, key: &str) -> String {
        match &self.kind {
            Kind::Dir(dir) => {
                use std::os::unix::fs::MetadataExt;
                let meta = std::fs::metadata(dir.path().join("blobs-root").join(key)).unwrap();
                format!("{}-{}.{}", meta.ino(), meta.mtime(), meta.mtime_nsec())
            }
            Kind::S3 { .. } => {
                let path = Path::from(format!("{S3_PREFIX}/{key}"));
                let meta = self.raw.head(&path).await.unwrap();
                format!("{}-{:?}", meta.last_modified, meta.e_tag)
            }
        }
    }

    /// Writes an object behind the store's back (key relative to the root).
    async fn put_raw(&self, key: &str, bytes: &'static [u8]) {
        let path = match self.kind {
            Kind::Dir(_) => Path::from(key),
            Kind::S3 { .. } => Path::from(format!("{S3_PREFIX}/{key}")),
        };
        self.raw
            .put(&path, PutPayload::from_static(bytes))
            .await
            .unwrap();
    }

    /// Long enough for S3's one-second last-modified times to tell two writes apart.
    async fn let_the_clock_tick(&self) {
        if self.is_s3() {
            tokio::time::sleep(Duration::from_millis(1100)).await;
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn test_credentials() -> S3Credentials {
    S3Credentials {
        access_key_id: "test".into(),
        secret_access_key: "test".into(),
    }
}

/// One plain HTTP/1.1 request without a body (moto checks no signature): `PUT /<bucket>`
/// creates a bucket, `GET /<bucket>?uploads` lists pending multipart uploads.
async fn http(endpoint: &str, method: &str, target: &str) -> (u16, String) {
    let authority = endpoint
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("{S3_ENV} must be http://host:port, not {endpoint}"))
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let mut stream = tokio::net::TcpStream::connect(&authority)
        .await
        .unwrap_or_else(|e| panic!("cannot reach {S3_ENV}={endpoint}: {e}"));
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut response)
        .await
        .unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response}"));
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_string();
    (status, body)
}

/// Generates `on_dir::NAME` and `on_s3::NAME` tests from `async fn NAME(f: Fixture)`.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod on_dir {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name(super::Fixture::dir().await).await
            })*
        }
        mod on_s3 {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(fixture) = super::Fixture::s3().await {
                    super::$name(fixture).await
                }
            })*
        }
    };
}

on_both_stores!(
    photos_come_back_byte_for_byte_under_their_hash,
    a_wrong_hash_is_refused_and_nothing_is_stored,
    misspelt_hashes_are_refused_before_any_key_is_made,
    storing_the_same_bytes_again_changes_nothing,
    too_large_blobs_are_refused,
    a_20_mib_stream_is_stored_in_parts,
    a_stream_with_a_wrong_hash_leaves_nothing,
    a_stream_of_the_wrong_size_leaves_nothing,
    an_abandoned_stream_leaves_nothing,
    a_stream_of_a_stored_blob_is_checked_and_not_rewritten,
    two_streams_of_the_same_blob_store_it_once,
    list_names_exactly_the_stored_blobs,
    delete_and_contains,
    derived_files_live_beside_their_blob,
    stale_uploads_are_swept,
    a_reachable_store_passes_the_check,
);

// ---------------------------------------------------------------- photos

/// A small JPEG, as the app makes them (encoded here: no JPEG is kept in the repository).
fn jpeg() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    let out = out.into_inner();
    assert_eq!(&out[..3], b"\xff\xd8\xff", "a JPEG");
    out
}

fn webp() -> Vec<u8> {
    let image = image::RgbImage::from_fn(32, 32, |x, y| image::Rgb([x as u8 * 8, y as u8 * 8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::WebP).unwrap();
    let out = out.into_inner();
    assert_eq!((&out[..4], &out[8..12]), (&b"RIFF"[..], &b"WEBP"[..]));
    out
}

fn key_of(hash: &str) -> String {
    format!("blobs/{}/{hash}", &hash[..2])
}

async fn photos_come_back_byte_for_byte_under_their_hash(f: Fixture) {
    assert_eq!(f.store.list().await.unwrap(), Vec::<String>::new());
    let mut keys = Vec::new();
    for photo in [REVIEW_PHOTO.to_vec(), jpeg(), webp()] {
        let hash = sha256_hex(&photo);
        assert!(!f.store.contains(&hash).await.unwrap());
        assert_eq!(f.store.get(&hash).await.unwrap(), None);
        f.store
            .put_verified(&hash, Bytes::from(photo.clone()))
            .await
            .unwrap();
        let got = f.store.get(&hash).await.unwrap().expect("stored");
        assert_eq!(got.len(), photo.len());
        assert!(got == photo, "the bytes differ");
        assert!(f.store.contains(&hash).await.unwrap());
        keys.push(key_of(&hash));
    }
    // blobs/<2 hex>/<sha256>, nothing else (no temporary left over).
    f.assert_only(&keys).await;
}

async fn a_wrong_hash_is_refused_and_nothing_is_stored(f: Fixture) {
    let declared = sha256_hex(b"another photo");
    let error = f
        .store
        .put_verified(&declared, Bytes::from_static(REVIEW_PHOTO))
        .await
        .unwrap_err();
    match error {
        BlobError::HashMismatch {
            declared: d,
            actual,
        } => {
            assert_eq!(d, declared);
            assert_eq!(actual, sha256_hex(REVIEW_PHOTO));
        }
        other => panic!("{other:?}"),
    }
    assert!(!f.store.contains(&declared).await.unwrap());
    assert!(!f.store.contains(&sha256_hex(REVIEW_PHOTO)).await.unwrap());
    f.assert_only(&[]).await;
}

async fn misspelt_hashes_are_refused_before_any_key_is_made(f: Fixture) {
    let good = sha256_hex(REVIEW_PHOTO);
    let bad = [
        "../x".to_string(),
        format!("../../{}", &good[6..]),
        good.to_uppercase(),
        good[..63].to_string(),
        format!("{good}0"),
        format!("{}/{}", &good[..2], &good[3..]),
        format!("{}g", &good[..63]),
        String::new(),
    ];
    for hash in &bad {
        let is_bad = |r: Result<(), BlobError>| matches!(r, Err(BlobError::BadHash(_)));
        let photo = Bytes::from_static(REVIEW_PHOTO);
        assert!(
            is_bad(f.store.put_verified(hash, photo.clone()).await),
            "{hash}"
        );
        assert!(
            is_bad(f.store.put_stream(hash, None, REVIEW_PHOTO).await.map(drop)),
            "{hash}"
        );
        assert!(is_bad(f.store.get(hash).await.map(drop)), "{hash}");
        assert!(is_bad(f.store.contains(hash).await.map(drop)), "{hash}");
        assert!(is_bad(f.store.delete(hash).await), "{hash}");
        assert!(
            is_bad(f.store.put_derived("thumbnails", hash, photo).await),
            "{hash}"
        );
        assert!(
            is_bad(f.store.get_derived("thumbnails", hash).await.map(drop)),
            "{hash}"
        );
    }
    for kind in [
        "",
        "..",
        "../blobs",
        "a/b",
        "blobs",
        "incoming",
        "Thumbnails",
    ] {
        let result = f
            .store
            .put_derived(kind, &good, Bytes::from_static(b"x"))
            .await;
        assert!(matches!(result, Err(BlobError::BadLocation(_))), "{kind}");
        let result = f.store.get_derived(kind, &good).await;
        assert!(matches!(result, Err(BlobError::BadLocation(_))), "{kind}");
    }
    f.assert_only(&[]).await;
}

async fn storing_the_same_bytes_again_changes_nothing(f: Fixture) {
    let hash = sha256_hex(REVIEW_PHOTO);
    let photo = Bytes::from_static(REVIEW_PHOTO);
    f.store.put_verified(&hash, photo.clone()).await.unwrap();
    let first = f.stamp(&key_of(&hash)).await;
    f.let_the_clock_tick().await;
    f.store.put_verified(&hash, photo.clone()).await.unwrap();
    assert_eq!(
        f.stamp(&key_of(&hash)).await,
        first,
        "rewritten by put_verified"
    );
    let size = f.store.put_stream(&hash, None, REVIEW_PHOTO).await.unwrap();
    assert_eq!(size, REVIEW_PHOTO.len() as u64);
    assert_eq!(
        f.stamp(&key_of(&hash)).await,
        first,
        "rewritten by put_stream"
    );
    assert_eq!(f.store.get(&hash).await.unwrap().unwrap(), photo);
    f.assert_only(&[key_of(&hash)]).await;
}

async fn too_large_blobs_are_refused(f: Fixture) {
    let limit = MAX_BLOB_BYTES;
    let too_large = Bytes::from(vec![7u8; limit as usize + 1]);
    // Refused for its size before it is hashed: any well-formed hash.
    let hash = sha256_hex(b"too large");
    let error = f.store.put_verified(&hash, too_large).await.unwrap_err();
    assert!(
        matches!(error, BlobError::TooLarge { limit: l } if l == limit),
        "{error:?}"
    );
    // Declared too large: refused before a byte is read.
    let error = f
        .store
        .put_stream(&hash, Some(limit + 1), Unreadable)
        .await
        .unwrap_err();
    assert!(matches!(error, BlobError::TooLarge { .. }), "{error:?}");
    // Found too large: cut short one byte past the limit.
    let (hash, stream) = generated(limit + 1, 3);
    let error = f.store.put_stream(&hash, None, stream).await.unwrap_err();
    assert!(matches!(error, BlobError::TooLarge { .. }), "{error:?}");
    f.assert_only(&[]).await;
    // Exactly at the limit is fine (a stream, so that one blob of 32 MiB is in memory once).
    let (hash, stream) = generated(limit, 4);
    assert_eq!(
        f.store.put_stream(&hash, None, stream).await.unwrap(),
        limit
    );
    f.assert_only(&[key_of(&hash)]).await;
}

// ---------------------------------------------------------------- streams

/// A deterministic stream of `len` pseudo-random bytes, read in uneven pieces, and its hash.
fn generated(len: u64, seed: u64) -> (String, Generated) {
    let mut hasher = Sha256::new();
    let mut generator = Generated::new(len, seed);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = generator.fill(&mut buf);
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    (
        paicha_core::hex(&hasher.finalize()),
        Generated::new(len, seed),
    )
}

struct Generated {
    remaining: u64,
    state: u64,
    reads: u64,
}

impl Generated {
    fn new(len: u64, seed: u64) -> Self {
        Generated {
            remaining: len,
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            reads: 0,
        }
    }

    fn fill(&mut self, buf: &mut [u8]) -> usize {
        // Uneven reads (1 byte to 40 KiB), as a network gives them.
        self.reads += 1;
        let want = 1 + (self.reads * 7919 % 40_960) as usize;
        let n = (self.remaining.min(buf.len() as u64) as usize).min(want);
        for byte in &mut buf[..n] {
            // xorshift64
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            *byte = self.state as u8;
        }
        self.remaining -= n as u64;
        n
    }
}

impl AsyncRead for Generated {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = self.fill(buf.initialize_unfilled());
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

/// A reader that must never be read.
struct Unreadable;

impl AsyncRead for Unreadable {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        panic!("read a stream that was to be refused unread")
    }
}

/// Gives `inner`, then hangs (a client that stops sending).
struct ThenHang(Generated);

impl AsyncRead for ThenHang {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.0.remaining == 0 {
            return Poll::Pending;
        }
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

async fn a_20_mib_stream_is_stored_in_parts(f: Fixture) {
    let len = 20 * MIB;
    let (hash, stream) = generated(len, 20);
    let size = f.store.put_stream(&hash, Some(len), stream).await.unwrap();
    assert_eq!(size, len);
    let got = f.store.get(&hash).await.unwrap().expect("stored");
    assert_eq!(got.len() as u64, len);
    assert_eq!(sha256_hex(&got), hash);
    assert_eq!(f.store.list().await.unwrap(), vec![hash.clone()]);
    // Published under its key; nothing left in incoming/.
    f.assert_only(&[key_of(&hash)]).await;
}

async fn a_stream_with_a_wrong_hash_leaves_nothing(f: Fixture) {
    // Small (held in memory, one write) and larger than a part (a multipart upload).
    for (len, seed) in [(100 * 1024, 5), (6 * MIB + 123, 6)] {
        let (actual, stream) = generated(len, seed);
        let declared = sha256_hex(b"not these bytes");
        let error = f
            .store
            .put_stream(&declared, None, stream)
            .await
            .unwrap_err();
        match error {
            BlobError::HashMismatch {
                declared: d,
                actual: a,
            } => assert_eq!((d, a), (declared.clone(), actual.clone())),
            other => panic!("{len}: {other:?}"),
        }
        assert!(!f.store.contains(&declared).await.unwrap());
        assert!(!f.store.contains(&actual).await.unwrap());
        f.assert_only(&[]).await;
    }
}

async fn a_stream_of_the_wrong_size_leaves_nothing(f: Fixture) {
    let len = 6 * MIB + 1;
    for declared in [len - 1, len + 1, 10] {
        let (hash, stream) = generated(len, 7);
        let error = f
            .store
            .put_stream(&hash, Some(declared), stream)
            .await
            .unwrap_err();
        match error {
            BlobError::SizeMismatch {
                declared: d,
                actual,
            } => {
                assert_eq!(d, declared);
                // Longer than declared: stopped one byte past it.
                assert_eq!(actual, len.min(declared + 1));
            }
            other => panic!("{declared}: {other:?}"),
        }
        f.assert_only(&[]).await;
    }
}

async fn an_abandoned_stream_leaves_nothing(f: Fixture) {
    // 6 MiB sent (a part uploaded on either store), then the client hangs and is given up on.
    let (hash, stream) = generated(6 * MIB, 8);
    let put = f.store.put_stream(&hash, None, ThenHang(stream));
    let outcome = tokio::time::timeout(Duration::from_secs(3), put).await;
    assert!(outcome.is_err(), "the stream was to hang: {outcome:?}");
    // The upload is aborted in the background.
    f.assert_only(&[]).await;
}

async fn a_stream_of_a_stored_blob_is_checked_and_not_rewritten(f: Fixture) {
    let len = 6 * MIB;
    let (hash, stream) = generated(len, 9);
    f.store.put_stream(&hash, Some(len), stream).await.unwrap();
    let first = f.stamp(&key_of(&hash)).await;
    f.let_the_clock_tick().await;
    let (_, stream) = generated(len, 9);
    assert_eq!(f.store.put_stream(&hash, None, stream).await.unwrap(), len);
    assert_eq!(f.stamp(&key_of(&hash)).await, first);
    // Other bytes under the stored hash are still refused.
    let (_, other) = generated(len, 10);
    let error = f.store.put_stream(&hash, None, other).await.unwrap_err();
    assert!(matches!(error, BlobError::HashMismatch { .. }), "{error:?}");
    assert_eq!(f.stamp(&key_of(&hash)).await, first);
    f.assert_only(&[key_of(&hash)]).await;
}

async fn two_streams_of_the_same_blob_store_it_once(f: Fixture) {
    let len = 11 * MIB + 5;
    let (hash, one) = generated(len, 11);
    let (_, two) = generated(len, 11);
    let (a, b) = tokio::join!(
        f.store.put_stream(&hash, Some(len), one),
        f.store.put_stream(&hash, Some(len), two),
    );
    assert_eq!((a.unwrap(), b.unwrap()), (len, len));
    assert_eq!(
        sha256_hex(&f.store.get(&hash).await.unwrap().unwrap()),
        hash
    );
    f.assert_only(&[key_of(&hash)]).await;
}

// ---------------------------------------------------------------- listing, deleting

async fn list_names_exactly_the_stored_blobs(f: Fixture) {
    let mut hashes = Vec::new();
    for i in 0..5u8 {
        let bytes = format!("photo {i}").into_bytes();
        let hash = sha256_hex(&bytes);
        f.store
            .put_verified(&hash, Bytes::from(bytes))
            .await
            .unwrap();
        hashes.push(hash);
    }
    // Not blobs: a derived file, a temporary, a stray file under blobs/.
    f.store
        .put_derived("thumbnails", &hashes[0], Bytes::from_static(b"thumb"))
        .await
        .unwrap();
    f.put_raw("incoming/0123456789abcdef0123456789abcdef", b"half")
        .await;
    f.put_raw("blobs/zz/not-a-hash", b"stray").await;
    f.put_raw(&format!("blobs/00/{}", hashes[1]), b"misplaced")
        .await;
    hashes.sort();
    assert_eq!(f.store.list().await.unwrap(), hashes);
    f.store.delete(&hashes[2]).await.unwrap();
    hashes.remove(2);
    assert_eq!(f.store.list().await.unwrap(), hashes);
}

async fn delete_and_contains(f: Fixture) {
    let hash = sha256_hex(REVIEW_PHOTO);
    assert!(!f.store.contains(&hash).await.unwrap());
    // Deleting what is not there is no error.
    f.store.delete(&hash).await.unwrap();
    f.store
        .put_verified(&hash, Bytes::from_static(REVIEW_PHOTO))
        .await
        .unwrap();
    f.store
        .put_derived("thumbnails", &hash, Bytes::from_static(b"thumb"))
        .await
        .unwrap();
    assert!(f.store.contains(&hash).await.unwrap());
    f.store.delete(&hash).await.unwrap();
    assert!(!f.store.contains(&hash).await.unwrap());
    assert_eq!(f.store.get(&hash).await.unwrap(), None);
    assert_eq!(f.store.list().await.unwrap(), Vec::<String>::new());
    f.store.delete(&hash).await.unwrap();
    // The derived file is deleted on its own.
    let thumbnail = format!("thumbnails/{}/{hash}", &hash[..2]);
    f.assert_only(std::slice::from_ref(&thumbnail)).await;
    f.store.delete_derived("thumbnails", &hash).await.unwrap();
    f.store.delete_derived("thumbnails", &hash).await.unwrap();
    f.assert_only(&[]).await;
    // And it can be stored again.
    f.store
        .put_verified(&hash, Bytes::from_static(REVIEW_PHOTO))
        .await
        .unwrap();
    assert!(f.store.contains(&hash).await.unwrap());
}

async fn derived_files_live_beside_their_blob(f: Fixture) {
    let hash = sha256_hex(REVIEW_PHOTO);
    let thumbnail = Bytes::from(jpeg());
    assert_eq!(
        f.store.get_derived("thumbnails", &hash).await.unwrap(),
        None
    );
    // Not checked against the hash, and the blob itself need not be stored.
    f.store
        .put_derived("thumbnails", &hash, thumbnail.clone())
        .await
        .unwrap();
    assert_eq!(
        f.store.get_derived("thumbnails", &hash).await.unwrap(),
        Some(thumbnail)
    );
    assert_eq!(f.store.get_derived("previews", &hash).await.unwrap(), None);
    assert_eq!(f.store.get(&hash).await.unwrap(), None);
    assert!(!f.store.contains(&hash).await.unwrap());
    // Made again: replaced.
    let smaller = Bytes::from_static(b"a smaller thumbnail");
    f.store
        .put_derived("thumbnails", &hash, smaller.clone())
        .await
        .unwrap();
    assert_eq!(
        f.store.get_derived("thumbnails", &hash).await.unwrap(),
        Some(smaller)
    );
    let too_large = Bytes::from(vec![0u8; MAX_BLOB_BYTES as usize + 1]);
    let error = f
        .store
        .put_derived("thumbnails", &hash, too_large)
        .await
        .unwrap_err();
    assert!(matches!(error, BlobError::TooLarge { .. }), "{error:?}");
    f.assert_only(&[format!("thumbnails/{}/{hash}", &hash[..2])])
        .await;
}

async fn stale_uploads_are_swept(f: Fixture) {
    let hash = sha256_hex(REVIEW_PHOTO);
    f.store
        .put_verified(&hash, Bytes::from_static(REVIEW_PHOTO))
        .await
        .unwrap();
    f.put_raw("incoming/00000000000000000000000000000000", b"crashed")
        .await;
    assert_eq!(
        f.store
            .sweep_incoming(Duration::from_secs(3600))
            .await
            .unwrap(),
        0
    );
    f.let_the_clock_tick().await;
    assert_eq!(f.store.sweep_incoming(Duration::ZERO).await.unwrap(), 1);
    f.assert_only(&[key_of(&hash)]).await;
}

// ---------------------------------------------------------------- availability

async fn a_reachable_store_passes_the_check(f: Fixture) {
    f.store.check().await.unwrap();
    match &f.kind {
        // The directory gone: unavailable.
        Kind::Dir(dir) => {
            std::fs::remove_dir_all(dir.path().join("blobs-root")).unwrap();
            let error = f.store.check().await.unwrap_err();
            assert!(matches!(error, BlobError::Unavailable(_)), "{error:?}");
        }
        // A bucket that does not exist: unavailable.
        Kind::S3 { endpoint, .. } => {
            let location = BlobLocation::parse(&format!(
                "s3://paicha-no-such-bucket?endpoint={endpoint}&region=us-east-1"
            ))
            .unwrap();
            let store = BlobStore::open_with_credentials(&location, Some(test_credentials()))
                .await
                .unwrap();
            let error = store.check().await.unwrap_err();
            assert!(matches!(error, BlobError::Unavailable(_)), "{error:?}");
        }
    }
}

/// A closed port: nothing listens there. Needs no S3 server, so it always runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_s3_endpoint_is_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let location = BlobLocation::parse(&format!(
        "s3://paicha-photos/ledger?endpoint=http://127.0.0.1:{port}&region=us-east-1"
    ))
    .unwrap();
    let secret = "s3cr3t-never-printed";
    let credentials = S3Credentials {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: secret.into(),
    };
    assert!(!format!("{credentials:?}").contains(secret));
    let store = BlobStore::open_with_credentials(&location, Some(credentials))
        .await
        .expect("opening does not contact the store");
    assert!(!format!("{store:?}").contains(secret));
    let hash = sha256_hex(REVIEW_PHOTO);
    let started = Instant::now();
    let (check, contains, get, put, list) = tokio::join!(
        store.check(),
        store.contains(&hash),
        store.get(&hash),
        store.put_verified(&hash, Bytes::from_static(REVIEW_PHOTO)),
        store.list(),
    );
    let took = started.elapsed();
    for (what, error) in [
        ("check", check.err()),
        ("contains", contains.err()),
        ("get", get.err()),
        ("put_verified", put.err()),
        ("list", list.err()),
    ] {
        let error = error.unwrap_or_else(|| panic!("{what} succeeded"));
        assert!(
            matches!(error, BlobError::Unavailable(_)),
            "{what}: {error:?}"
        );
        assert!(
            !format!("{error} {error:?}").contains(secret),
            "{what}: {error}"
        );
    }
    // Retried briefly (connection refused), not for minutes.
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
