//! The blob store: photos kept as content-addressed files, not in SQL rows.
//!
//! A blob is stored under the lower-case hex SHA-256 of its bytes, in a directory or an
//! S3-compatible bucket (`object_store`'s `LocalFileSystem` or `AmazonS3`):
//!
//! | key | what |
//! |---|---|
//! | `blobs/<first 2 hex>/<sha256>` | the blobs, verified against their hash when stored |
//! | `<kind>/<first 2 hex>/<sha256>` | files derived from a blob (`thumbnails/…`), not verified |
//! | `incoming/<32 random hex>` | a streamed upload until its hash is known to match |
//!
//! The two hex digits spread the blobs over 256 directories (prefixes on S3), so that no
//! directory holds millions of files. Every hash and kind is checked before a key is made of
//! it, so no argument can reach outside these prefixes (`../x` is not 64 hex digits).
//!
//! Writes are atomic: a reader sees a whole blob or none. A directory store writes a staged
//! file beside the target and renames it into place (fsynced, file and directory); S3 PUT,
//! CopyObject and CompleteMultipartUpload publish whole objects.
//!
//! Left behind by a crash: staged files (`…#<n>`, skipped by listings) and `incoming/`
//! objects, which [`BlobStore::sweep_incoming`] deletes; on S3 also multipart uploads that
//! were never completed nor aborted, which the bucket's lifecycle rule
//! `AbortIncompleteMultipartUpload` removes (they are invisible to listings of objects).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload,
    RetryConfig, WriteMultipart,
};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Largest blob accepted (a photo; the app sends JPEGs of at most 1600 px).
pub const MAX_BLOB_BYTES: u64 = 32 * 1024 * 1024;

/// Prefix of the verified blobs.
const BLOBS: &str = "blobs";
/// Prefix of streamed uploads whose hash is not checked yet.
const INCOMING: &str = "incoming";

/// Part size of a streamed upload to S3: its minimum for every part but the last, and so the
/// memory a stream holds (one part at a time: the next is read once the last is sent).
const S3_PART_BYTES: usize = 5 * 1024 * 1024;
/// Part size of a streamed upload to a directory (parts are writes at offsets of one file).
const DIR_PART_BYTES: usize = 1024 * 1024;
/// One read from the caller's reader.
const READ_BYTES: usize = 64 * 1024;

/// Where blobs live: parsed from `--blob-store` / `PAICHA_BLOB_STORE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobLocation {
    /// A directory (created by [`BlobStore::open`] if missing).
    Dir(PathBuf),
    /// A bucket of S3 or of an S3-compatible server (MinIO, Ceph, …). Credentials come from
    /// the standard environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, and the rest of
    /// what `AmazonS3Builder::from_env` reads), never from the location.
    S3 {
        bucket: String,
        /// Key prefix inside the bucket, without leading or trailing `/`; empty for none.
        prefix: String,
        /// `http(s)://host:port` of an S3-compatible server; `None` for AWS itself.
        endpoint: Option<String>,
        region: String,
        /// Whether plain HTTP is allowed: exactly when the endpoint is `http://`.
        allow_http: bool,
    },
}

impl BlobLocation {
    /// `file:///abs/path` or a plain path → [`BlobLocation::Dir`];
    /// `s3://bucket/optional/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1` →
    /// [`BlobLocation::S3`]. Without `region`, the region is `AWS_REGION`, else
    /// `AWS_DEFAULT_REGION`, else `us-east-1`. Credentials in the text (`s3://key:secret@…`)
    /// are refused: they belong in the environment, and a location is printed in logs.
    pub fn parse(text: &str) -> Result<Self, BlobError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(BlobError::BadLocation(
                "the blob store location is empty".into(),
            ));
        }
        let Some((scheme, _)) = text.split_once("://").filter(|(s, _)| is_scheme(s)) else {
            return Ok(BlobLocation::Dir(PathBuf::from(text)));
        };
        // The text is echoed in the error unless it may hold credentials (`user:secret@`,
        // percent-encoded or not).
        let shown = if text.contains('@') || text.to_ascii_lowercase().contains("%40") {
            "(not shown: it may hold credentials)".to_string()
        } else {
            format!("{text:?}")
        };
        let bad = |why: &str| BlobError::BadLocation(format!("{why}: {shown}"));
        let url = url::Url::parse(text).map_err(|e| bad(&format!("not a URL ({e})")))?;
        match scheme.to_ascii_lowercase().as_str() {
            "file" => {
                if url.query().is_some() || url.fragment().is_some() {
                    return Err(bad("a file: location takes no query nor fragment"));
                }
                let path = url
                    .to_file_path()
                    .map_err(|()| bad("a file: URL needs an absolute local path (file:///…)"))?;
                Ok(BlobLocation::Dir(path))
            }
            "s3" => parse_s3(text, &url, &bad),
            _ => Err(bad(
                "unknown scheme (use a path, file:///… or s3://bucket/prefix)",
            )),
        }
    }

    /// For logs and errors; never holds credentials (a location cannot carry any).
    pub fn describe(&self) -> String {
        match self {
            BlobLocation::Dir(path) => format!("directory {}", path.display()),
            BlobLocation::S3 {
                bucket,
                prefix,
                endpoint,
                region,
                ..
            } => {
                let mut out = format!("s3://{bucket}");
                if !prefix.is_empty() {
                    out.push('/');
                    out.push_str(prefix);
                }
                match endpoint {
                    Some(endpoint) => out.push_str(&format!(" at {endpoint}")),
                    None => out.push_str(" at AWS"),
                }
                out.push_str(&format!(" (region {region})"));
                out
            }
        }
    }
}

fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn parse_s3(
    text: &str,
    url: &url::Url,
    bad: &dyn Fn(&str) -> BlobError,
) -> Result<BlobLocation, BlobError> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "credentials do not belong in the location: set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY",
        ));
    }
    if url.port().is_some() || url.fragment().is_some() {
        return Err(bad(
            "an s3: location is s3://bucket/prefix?endpoint=…&region=…",
        ));
    }
    let bucket = url.host_str().unwrap_or_default().to_string();
    if !is_bucket_name(&bucket) {
        return Err(bad(
            "not a bucket name (3 to 63 of a-z, 0-9, '.', '-', starting and ending with a \
             letter or digit)",
        ));
    }
    // The prefix as written: the URL parser would resolve `..` and `%2F` away.
    let after_scheme = text.split_once("://").map_or("", |(_, rest)| rest);
    let before_query = after_scheme.split(['?', '#']).next().unwrap_or_default();
    let raw_path = before_query.split_once('/').map_or("", |(_, path)| path);
    let prefix = raw_path.trim_matches('/').to_string();
    if !prefix.is_empty()
        && !prefix.split('/').all(|segment| {
            !segment.is_empty()
                && segment != "."
                && segment != ".."
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
    {
        return Err(bad(
            "the prefix is segments of A-Z, a-z, 0-9, '.', '_', '-' separated by single '/'",
        ));
    }
    let (mut endpoint, mut region) = (None, None);
    for (key, value) in url.query_pairs() {
        let slot = match key.as_ref() {
            "endpoint" => &mut endpoint,
            "region" => &mut region,
            other => {
                return Err(bad(&format!(
                    "unknown parameter {other:?} (endpoint, region)"
                )));
            }
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(bad(&format!("parameter {key:?} given twice")));
        }
    }
    let endpoint = match endpoint {
        None => None,
        Some(endpoint) => {
            let parsed = url::Url::parse(&endpoint)
                .map_err(|e| bad(&format!("the endpoint is not a URL ({e})")))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
                return Err(bad(
                    "the endpoint is http://host[:port] or https://host[:port]",
                ));
            }
            if !parsed.username().is_empty() || parsed.password().is_some() {
                return Err(bad("credentials do not belong in the endpoint"));
            }
            if parsed.query().is_some() || parsed.fragment().is_some() {
                return Err(bad("the endpoint takes no query nor fragment"));
            }
            Some(endpoint.trim_end_matches('/').to_string())
        }
    };
    let region = match region {
        Some(region) if region.is_empty() => return Err(bad("the region is empty")),
        Some(region) => region,
        None => ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .iter()
            .find_map(|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
            .unwrap_or_else(|| "us-east-1".to_string()),
    };
    let allow_http = endpoint
        .as_deref()
        .is_some_and(|e| e.starts_with("http://"));
    Ok(BlobLocation::S3 {
        bucket,
        prefix,
        endpoint,
        region,
        allow_http,
    })
}

fn is_bucket_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'))
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
}

/// Credentials for an S3 store given by the caller instead of the environment.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl fmt::Debug for S3Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"******")
            .finish()
    }
}

/// What went wrong with the blob store.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// `--blob-store` / `PAICHA_BLOB_STORE` cannot be used (or a derived kind is not a plain
    /// name: it would be a location of its own).
    #[error("bad blob store location: {0}")]
    BadLocation(String),
    /// Not 64 lower-case hex digits.
    #[error("not a SHA-256 (64 lower-case hex digits): {0:?}")]
    BadHash(String),
    #[error("the bytes' SHA-256 is {actual}, not the declared {declared}")]
    HashMismatch { declared: String, actual: String },
    /// `actual` is the size read when the mismatch showed: for a stream longer than declared,
    /// the first size past it.
    #[error("the blob has {actual} bytes, not the declared {declared}")]
    SizeMismatch { declared: u64, actual: u64 },
    #[error("the blob is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// The store cannot be reached (connection refused, timeout, 5xx after retries): a 503.
    #[error("the blob store is unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a local I/O error, an error the store answered, a reader that failed.
    #[error("blob store error: {0}")]
    Io(String),
}

/// The blob store. Cheap to clone: one shared client inside.
#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn ObjectStore>,
    /// The directory of a directory store (checked by [`BlobStore::check`]).
    dir: Option<PathBuf>,
    part_bytes: usize,
    description: String,
}

impl fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlobStore")
            .field("location", &self.inner.description)
            .finish_non_exhaustive()
    }
}

impl BlobStore {
    /// Opens the store. A directory is created if needed; an S3 store is not contacted (see
    /// [`BlobStore::check`]), and takes its credentials from the environment.
    pub async fn open(location: &BlobLocation) -> Result<Self, BlobError> {
        Self::open_with_credentials(location, None).await
    }

    /// [`BlobStore::open`] with S3 credentials given here rather than by the environment
    /// (ignored for a directory).
    pub async fn open_with_credentials(
        location: &BlobLocation,
        credentials: Option<S3Credentials>,
    ) -> Result<Self, BlobError> {
        let description = location.describe();
        let inner = match location {
            BlobLocation::Dir(path) => {
                let io = |what: &str, e: std::io::Error| {
                    BlobError::Io(format!("{what} {}: {e}", path.display()))
                };
                tokio::fs::create_dir_all(path)
                    .await
                    .map_err(|e| io("cannot create the blob directory", e))?;
                let root = tokio::fs::canonicalize(path)
                    .await
                    .map_err(|e| io("cannot resolve the blob directory", e))?;
                let store = LocalFileSystem::new_with_prefix(&root)
                    .map_err(|e| BlobError::Io(e.to_string()))?
                    .with_fsync(true);
                Inner {
                    store: Arc::new(store),
                    dir: Some(root),
                    part_bytes: DIR_PART_BYTES,
                    description,
                }
            }
            BlobLocation::S3 {
                bucket,
                prefix,
                endpoint,
                region,
                allow_http,
            } => {
                let mut builder = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_retry(RetryConfig {
                        // Connection errors and 5xx are retried 4 times, 100 ms to 2 s
                        // apart (jittered): a store that is down is Unavailable within
                        // a few seconds.
                        backoff: BackoffConfig {
                            init_backoff: Duration::from_millis(100),
                            max_backoff: Duration::from_secs(2),
                            base: 2.0,
                        },
                        max_retries: 4,
                        retry_timeout: Duration::from_secs(20),
                    })
                    .with_client_options(
                        ClientOptions::new()
                            .with_connect_timeout(Duration::from_secs(5))
                            // One request carries at most a 32 MiB blob.
                            .with_timeout(Duration::from_secs(120)),
                    );
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(*allow_http)
                        .with_virtual_hosted_style_request(false);
                }
                if let Some(credentials) = credentials {
                    builder = builder
                        .with_access_key_id(credentials.access_key_id)
                        .with_secret_access_key(credentials.secret_access_key);
                }
                let s3 = builder
                    .build()
                    .map_err(|e| BlobError::BadLocation(format!("{description}: {e}")))?;
                let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(PrefixStore::new(s3, prefix.as_str()))
                };
                Inner {
                    store,
                    dir: None,
                    part_bytes: S3_PART_BYTES,
                    description,
                }
            }
        };
        Ok(BlobStore {
            inner: Arc::new(inner),
        })
    }

    /// The location, for logs.
    pub fn describe(&self) -> &str {
        &self.inner.description
    }

    /// Stores `bytes` under `sha256` once they are checked: a wrong hash is
    /// [`BlobError::HashMismatch`], more than [`MAX_BLOB_BYTES`] is [`BlobError::TooLarge`],
    /// and nothing is stored. Storing a blob that is there already changes nothing.
    pub async fn put_verified(&self, sha256: &str, bytes: Bytes) -> Result<(), BlobError> {
        check_hash(sha256)?;
        if bytes.len() as u64 > MAX_BLOB_BYTES {
            return Err(BlobError::TooLarge {
                limit: MAX_BLOB_BYTES,
            });
        }
        let actual = paicha_core::hex(&Sha256::digest(&bytes));
        if actual != sha256 {
            return Err(BlobError::HashMismatch {
                declared: sha256.to_string(),
                actual,
            });
        }
        if self.contains(sha256).await? {
            return Ok(());
        }
        self.publish(&blob_path(sha256), PutPayload::from(bytes))
            .await
    }

    /// Writes a blob known to be right (hash checked) to its key, never rewriting one that is
    /// there: a directory store links the staged file only if the name is free; S3 overwrites
    /// (with the same bytes), as not every S3-compatible server supports `If-None-Match`.
    async fn publish(&self, path: &Path, payload: PutPayload) -> Result<(), BlobError> {
        let mode = if self.inner.dir.is_some() {
            PutMode::Create
        } else {
            PutMode::Overwrite
        };
        match self
            .inner
            .store
            .put_opts(path, payload, PutOptions::from(mode))
            .await
        {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }

    /// Streams a blob of unknown size from `reader`, hashing it as it goes, in bounded memory
    /// (one part: 5 MiB for S3, 1 MiB for a directory, plus a 64 KiB read buffer). Up to one
    /// part it is held and written like [`BlobStore::put_verified`]; past that it goes to a
    /// temporary `incoming/<random>` as a multipart upload, which is completed and renamed
    /// (S3: copied, then deleted) to the blob's key only when the hash and the size match, and
    /// aborted otherwise. A stream longer than `expected_size` or [`MAX_BLOB_BYTES`] is cut
    /// short. A blob that is there already is read and checked, not written again. Nothing
    /// of a refused or abandoned (dropped) stream is left (see the module's note on crashes).
    /// Returns the size.
    pub async fn put_stream<R: AsyncRead + Unpin + Send>(
        &self,
        sha256: &str,
        expected_size: Option<u64>,
        mut reader: R,
    ) -> Result<u64, BlobError> {
        check_hash(sha256)?;
        if expected_size.is_some_and(|size| size > MAX_BLOB_BYTES) {
            return Err(BlobError::TooLarge {
                limit: MAX_BLOB_BYTES,
            });
        }
        let limit = expected_size.unwrap_or(MAX_BLOB_BYTES);
        let exists = self.contains(sha256).await?;
        let part_bytes = self.inner.part_bytes;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut read_buf = vec![0u8; READ_BYTES];
        let mut part: Vec<u8> = Vec::new();
        let mut upload: Option<Incoming> = None;
        loop {
            // Never more than one byte past the limit, never past the part.
            let room = (limit + 1 - size).min(READ_BYTES as u64) as usize;
            let room = if exists {
                room
            } else {
                room.min(part_bytes - part.len())
            };
            let n = reader
                .read(&mut read_buf[..room])
                .await
                .map_err(|e| BlobError::Io(format!("reading the blob: {e}")))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if size > limit {
                if let Some(upload) = upload.take() {
                    upload.abort().await;
                }
                return Err(match expected_size {
                    Some(declared) => BlobError::SizeMismatch {
                        declared,
                        actual: size,
                    },
                    None => BlobError::TooLarge {
                        limit: MAX_BLOB_BYTES,
                    },
                });
            }
            hasher.update(&read_buf[..n]);
            if exists {
                continue;
            }
            part.extend_from_slice(&read_buf[..n]);
            if part.len() == part_bytes {
                let incoming = match &mut upload {
                    Some(incoming) => incoming,
                    None => upload.insert(self.start_incoming().await?),
                };
                incoming
                    .send(Bytes::from(std::mem::take(&mut part)))
                    .await?;
            }
        }
        let actual = paicha_core::hex(&hasher.finalize());
        let refused = if actual != sha256 {
            Some(BlobError::HashMismatch {
                declared: sha256.to_string(),
                actual,
            })
        } else if expected_size.is_some_and(|declared| declared != size) {
            Some(BlobError::SizeMismatch {
                declared: expected_size.unwrap_or_default(),
                actual: size,
            })
        } else {
            None
        };
        if let Some(error) = refused {
            if let Some(upload) = upload.take() {
                upload.abort().await;
            }
            return Err(error);
        }
        match upload {
            _ if exists => {}
            None => {
                self.publish(&blob_path(sha256), PutPayload::from(part))
                    .await?
            }
            Some(mut incoming) => {
                if !part.is_empty() {
                    incoming.send(Bytes::from(part)).await?;
                }
                incoming.finish_as(&blob_path(sha256)).await?;
            }
        }
        Ok(size)
    }

    async fn start_incoming(&self) -> Result<Incoming, BlobError> {
        let mut random = [0u8; 16];
        getrandom::fill(&mut random)
            .map_err(|e| BlobError::Io(format!("no random name for an upload: {e}")))?;
        let name = paicha_core::hex(&random);
        let path = Path::from_iter([INCOMING, name.as_str()]);
        let upload = self
            .inner
            .store
            .put_multipart(&path)
            .await
            .map_err(store_error)?;
        Ok(Incoming {
            store: self.inner.store.clone(),
            path,
            writer: Some(WriteMultipart::new_with_chunk_size(
                upload,
                self.inner.part_bytes,
            )),
            completed: false,
            no_overwrite: self.inner.dir.is_some(),
        })
    }

    /// The blob's bytes, or `None` if it is not stored.
    pub async fn get(&self, sha256: &str) -> Result<Option<Bytes>, BlobError> {
        check_hash(sha256)?;
        self.read(&blob_path(sha256)).await
    }

    async fn read(&self, path: &Path) -> Result<Option<Bytes>, BlobError> {
        match self.inner.store.get(path).await {
            Ok(result) => Ok(Some(result.bytes().await.map_err(store_error)?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }

    pub async fn contains(&self, sha256: &str) -> Result<bool, BlobError> {
        check_hash(sha256)?;
        match self.inner.store.head(&blob_path(sha256)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    /// Deletes the blob; deleting one that is not there is no error. Its derived files stay
    /// (see [`BlobStore::delete_derived`]).
    pub async fn delete(&self, sha256: &str) -> Result<(), BlobError> {
        check_hash(sha256)?;
        self.remove(&blob_path(sha256)).await
    }

    async fn remove(&self, path: &Path) -> Result<(), BlobError> {
        match self.inner.store.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }

    /// Every stored blob's hash, sorted (for collecting orphans). Keys under `blobs/` that
    /// are not a blob's (a stray file) are left out.
    pub async fn list(&self) -> Result<Vec<String>, BlobError> {
        let prefix = Path::from(BLOBS);
        let mut listing = self.inner.store.list(Some(&prefix));
        let mut hashes = Vec::new();
        while let Some(meta) = listing.try_next().await.map_err(store_error)? {
            let parts: Vec<_> = meta.location.parts().collect();
            if let [top, shard, name] = parts.as_slice()
                && top.as_ref() == BLOBS
                && paicha_core::is_hex64(name.as_ref())
                && name.as_ref().starts_with(shard.as_ref())
                && shard.as_ref().len() == 2
            {
                hashes.push(name.as_ref().to_string());
            }
        }
        hashes.sort_unstable();
        hashes.dedup();
        Ok(hashes)
    }

    /// A readiness probe: one cheap request (S3: a listing of `incoming/` in the bucket; a
    /// directory: its metadata and a listing). Any failure is [`BlobError::Unavailable`].
    pub async fn check(&self) -> Result<(), BlobError> {
        let unavailable =
            |what: String| BlobError::Unavailable(format!("{}: {what}", self.inner.description));
        if let Some(dir) = &self.inner.dir {
            match tokio::fs::metadata(dir).await {
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => return Err(unavailable("not a directory".into())),
                Err(e) => return Err(unavailable(e.to_string())),
            }
        }
        self.inner
            .store
            .list_with_delimiter(Some(&Path::from(INCOMING)))
            .await
            .map(|_| ())
            .map_err(|e| unavailable(e.to_string()))
    }

    /// Stores a file derived from a blob (`put_derived("thumbnails", sha256, jpeg)`), at most
    /// [`MAX_BLOB_BYTES`], replacing any earlier one. Not checked against the hash: it names
    /// the blob the file was made from. `kind` is a plain name (`[a-z][a-z0-9_-]{0,31}`, not
    /// `blobs` nor `incoming`).
    pub async fn put_derived(
        &self,
        kind: &str,
        sha256: &str,
        bytes: Bytes,
    ) -> Result<(), BlobError> {
        let path = derived_path(kind, sha256)?;
        if bytes.len() as u64 > MAX_BLOB_BYTES {
            return Err(BlobError::TooLarge {
                limit: MAX_BLOB_BYTES,
            });
        }
        self.inner
            .store
            .put(&path, PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(store_error)
    }

    pub async fn get_derived(&self, kind: &str, sha256: &str) -> Result<Option<Bytes>, BlobError> {
        self.read(&derived_path(kind, sha256)?).await
    }

    /// Deletes a derived file; one that is not there is no error.
    pub async fn delete_derived(&self, kind: &str, sha256: &str) -> Result<(), BlobError> {
        self.remove(&derived_path(kind, sha256)?).await
    }

    /// Deletes what crashed uploads left in `incoming/` that is older than `age` (pick an age
    /// well past the longest upload; an hour). Returns how many objects were deleted.
    pub async fn sweep_incoming(&self, age: Duration) -> Result<usize, BlobError> {
        let Some(cutoff) = chrono::Duration::from_std(age)
            .ok()
            .and_then(|age| chrono::Utc::now().checked_sub_signed(age))
        else {
            return Ok(0);
        };
        let prefix = Path::from(INCOMING);
        let stale: Vec<Path> = self
            .inner
            .store
            .list(Some(&prefix))
            .try_filter_map(|meta| async move {
                Ok((meta.last_modified < cutoff).then_some(meta.location))
            })
            .try_collect()
            .await
            .map_err(store_error)?;
        for path in &stale {
            self.remove(path).await?;
        }
        Ok(stale.len())
    }
}

/// A streamed upload to `incoming/<random>`: aborted, or its object deleted, if it is dropped
/// before [`Incoming::finish_as`] moved it to its key (a caller that gives up on the future).
struct Incoming {
    store: Arc<dyn ObjectStore>,
    path: Path,
    writer: Option<WriteMultipart>,
    /// The multipart upload is complete: `path` is an object until it is renamed.
    completed: bool,
    /// Never replace the target (a directory: a hard link, refused if the name is taken);
    /// S3 copies over it (same bytes), as its copy-if-absent needs extra configuration.
    no_overwrite: bool,
}

impl Incoming {
    /// Uploads one part and waits for it, so that at most one part is in memory.
    async fn send(&mut self, part: Bytes) -> Result<(), BlobError> {
        let Some(writer) = self.writer.as_mut() else {
            return Err(BlobError::Io("the upload is closed".into()));
        };
        writer.put(part);
        writer.wait_for_capacity(1).await.map_err(store_error)
    }

    /// Completes the upload and renames it to `to`.
    async fn finish_as(mut self, to: &Path) -> Result<(), BlobError> {
        if let Some(writer) = self.writer.take() {
            // On failure WriteMultipart aborts the upload itself.
            writer.finish().await.map_err(store_error)?;
            self.completed = true;
        }
        if !self.no_overwrite {
            self.store
                .rename(&self.path, to)
                .await
                .map_err(store_error)?;
        } else {
            match self.store.rename_if_not_exists(&self.path, to).await {
                Ok(()) => {}
                // Stored meanwhile by another upload of the same bytes: this copy goes.
                Err(object_store::Error::AlreadyExists { .. }) => {
                    self.store.delete(&self.path).await.map_err(store_error)?
                }
                Err(e) => return Err(store_error(e)),
            }
        }
        self.completed = false;
        Ok(())
    }

    async fn abort(mut self) {
        if let Some(writer) = self.writer.take()
            && let Err(e) = writer.abort().await
        {
            tracing::warn!(path = %self.path, error = %e, "aborting a blob upload failed");
        }
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        let writer = self.writer.take();
        let leftover = self
            .completed
            .then(|| (self.store.clone(), self.path.clone()));
        if writer.is_none() && leftover.is_none() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            if let Some(writer) = writer {
                let _ = writer.abort().await;
            }
            if let Some((store, path)) = leftover {
                let _ = store.delete(&path).await;
            }
        });
    }
}

fn check_hash(sha256: &str) -> Result<(), BlobError> {
    if paicha_core::is_hex64(sha256) {
        Ok(())
    } else {
        Err(BlobError::BadHash(sha256.chars().take(80).collect()))
    }
}

/// `blobs/<first 2>/<sha256>`; `sha256` has been checked.
fn blob_path(sha256: &str) -> Path {
    Path::from_iter([BLOBS, &sha256[..2], sha256])
}

/// `<kind>/<first 2>/<sha256>`, both checked here.
fn derived_path(kind: &str, sha256: &str) -> Result<Path, BlobError> {
    check_hash(sha256)?;
    let plain = kind.len() <= 32
        && kind.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
    if !plain || kind == BLOBS || kind == INCOMING {
        return Err(BlobError::BadLocation(format!(
            "a derived kind is a plain name ([a-z][a-z0-9_-]{{0,31}}, not {BLOBS} nor \
             {INCOMING}): {:?}",
            kind.chars().take(40).collect::<String>()
        )));
    }
    Ok(Path::from_iter([kind, &sha256[..2], sha256]))
}

/// An `object_store` error as a [`BlobError`]: a store that cannot be reached (connection
/// refused or reset, timeout, 5xx once retries are spent) is `Unavailable`, anything else `Io`.
/// `NotFound` is the callers' to turn into `None` or `false` before this.
fn store_error(error: object_store::Error) -> BlobError {
    let unreachable = match &error {
        object_store::Error::Generic { source, .. } => {
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
            let mut found = false;
            while let Some(e) = cause {
                if let Some(http) = e.downcast_ref::<object_store::client::HttpError>() {
                    use object_store::client::HttpErrorKind as Kind;
                    found |= matches!(
                        http.kind(),
                        Kind::Connect | Kind::Request | Kind::Timeout | Kind::Interrupted
                    );
                }
                cause = e.source();
            }
            // A 5xx answer is reported only in the text (the retry error's type is private).
            found || source.to_string().contains("status code: 5")
        }
        _ => false,
    };
    if unreachable {
        BlobError::Unavailable(error.to_string())
    } else {
        BlobError::Io(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3(bucket: &str, prefix: &str, endpoint: Option<&str>, region: &str) -> BlobLocation {
        BlobLocation::S3 {
            bucket: bucket.into(),
            prefix: prefix.into(),
            endpoint: endpoint.map(Into::into),
            region: region.into(),
            allow_http: endpoint.is_some_and(|e| e.starts_with("http://")),
        }
    }

    #[test]
    fn paths_and_file_urls_are_directories() {
        for (text, path) in [
            ("/var/lib/paicha/blobs", "/var/lib/paicha/blobs"),
            ("data/blobs", "data/blobs"),
            ("  ./blobs ", "./blobs"),
            ("file:///var/lib/paicha/blobs", "/var/lib/paicha/blobs"),
            ("file:///srv/%E7%85%A7%E7%89%87", "/srv/照片"),
            ("file://localhost/srv/blobs", "/srv/blobs"),
        ] {
            assert_eq!(
                BlobLocation::parse(text).unwrap(),
                BlobLocation::Dir(PathBuf::from(path)),
                "{text}"
            );
        }
        assert_eq!(
            BlobLocation::Dir("/srv/blobs".into()).describe(),
            "directory /srv/blobs"
        );
    }

    #[test]
    fn s3_urls_are_buckets_with_prefix_endpoint_and_region() {
        assert_eq!(
            BlobLocation::parse(
                "s3://paicha-photos/ledger/prod?endpoint=http://127.0.0.1:9000&region=us-east-1"
            )
            .unwrap(),
            s3(
                "paicha-photos",
                "ledger/prod",
                Some("http://127.0.0.1:9000"),
                "us-east-1"
            )
        );
        assert_eq!(
            BlobLocation::parse(
                "s3://photos.example/?region=cn-north-1&endpoint=https://s3.example.cn/"
            )
            .unwrap(),
            s3(
                "photos.example",
                "",
                Some("https://s3.example.cn"),
                "cn-north-1"
            )
        );
        let BlobLocation::S3 {
            region,
            endpoint,
            allow_http,
            ..
        } = BlobLocation::parse("s3://paicha-photos").unwrap()
        else {
            panic!("not s3")
        };
        assert!(!region.is_empty());
        assert_eq!((endpoint, allow_http), (None, false));
        assert_eq!(
            s3("b-1", "p/q", Some("http://127.0.0.1:9000"), "us-east-1").describe(),
            "s3://b-1/p/q at http://127.0.0.1:9000 (region us-east-1)"
        );
        assert_eq!(
            s3("b-1", "", None, "eu-west-1").describe(),
            "s3://b-1 at AWS (region eu-west-1)"
        );
    }

    #[test]
    fn bad_locations_are_refused() {
        for text in [
            "",
            "   ",
            "s3://",
            "s3://AB/x",
            "s3://ab",
            "s3://-bucket",
            "s3://key:secret@bucket/x",
            "s3://key@bucket/x",
            "s3://bucket:9000/x",
            "s3://bucket/../x",
            "s3://bucket/a//b",
            "s3://bucket/./x",
            "s3://bucket/a%2Fb",
            "s3://bucket/a/%2E%2E/b",
            "s3://bucket/a?b=c",
            "s3://bucket/a?region=",
            "s3://bucket/a?region=x&region=y",
            "s3://bucket/a?endpoint=ftp://host",
            "s3://bucket/a?endpoint=http://k:secret@host:9000",
            "s3://bucket/a?endpoint=http%3A%2F%2Fk%3Asecret%40host%3A9000",
            "s3://bucket/a?endpoint=not a url",
            "s3://bucket/a#frag",
            "gs://bucket/x",
            "http://host/x",
            "file://server/share",
            "file:///srv/blobs?x=1",
        ] {
            let error = BlobLocation::parse(text).expect_err(text);
            assert!(
                matches!(error, BlobError::BadLocation(_)),
                "{text}: {error}"
            );
            assert!(!error.to_string().contains("secret"), "{text}: {error}");
        }
    }

    #[test]
    fn keys_are_sharded_by_the_first_two_hex_digits() {
        let hash = paicha_core::sha256_hex(b"photo");
        assert_eq!(
            blob_path(&hash).as_ref(),
            format!("blobs/{}/{hash}", &hash[..2])
        );
        assert_eq!(
            derived_path("thumbnails", &hash).unwrap().as_ref(),
            format!("thumbnails/{}/{hash}", &hash[..2])
        );
        for kind in [
            "",
            "../x",
            "a/b",
            "Thumbs",
            "blobs",
            "incoming",
            "1x",
            &"x".repeat(33),
        ] {
            assert!(
                matches!(derived_path(kind, &hash), Err(BlobError::BadLocation(_))),
                "{kind}"
            );
        }
        for hash in [
            "../x",
            &hash.to_uppercase(),
            &hash[..63],
            &format!("{hash}0"),
        ] {
            assert!(
                matches!(check_hash(hash), Err(BlobError::BadHash(_))),
                "{hash}"
            );
        }
    }
}
