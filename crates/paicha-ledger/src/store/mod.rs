//! Storage of the device registry and imported bundles.
//!
//! All SQL goes through sqlx's runtime-generic `Any` driver with portable statements (`$n`
//! placeholders, TEXT times, BIGINT integers, `ON CONFLICT DO NOTHING`), so SQLite and
//! PostgreSQL share every query and each migration file. No compile-time checked macros:
//! CI has no database at build time; the tests run every statement on both databases instead.

mod access;
pub mod audit;
mod backfill;
mod blob_rows;
mod bundles;
mod devices;
mod evidence;
mod hazard_page;
mod hazard_state;
mod hazards;
pub mod lists;
mod readback;
pub mod regions;
mod reviews;
pub mod sqlite;

pub use access::{Account, Ceremony, DeviceRequest, EnrolmentLink, Grant, Role, SessionRow};
pub use audit::{AuditEntry, AuditRow, Outcome};
pub use blob_rows::{BlobReceipt, BlobReport, Incomplete};
pub use bundles::{Conflict, InsertOutcome};
pub use devices::{Device, EnrolOutcome, NewDevice, RevokeOutcome};
pub use evidence::{PageReviews, PhotoRef, Provenance, ReviewEntry};
pub use hazard_page::{
    AssignedTo, COUNT_CAP, ChangeCursor, HazardChange, HazardCursor, HazardOrder, HazardPage,
    HazardTallies, PageRequest, PageStart, Total,
};
pub use hazards::{HazardFilter, HazardRow, HazardStatus, LatestReview, derive_status};
pub use paicha_core::hazard_ledger::HazardLevel;
pub use readback::{StoredBundle, StoredInspection};
pub use reviews::{Unmatched, UnmatchedReview};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, SqlSafeStr};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// File name of the default SQLite database inside the data directory.
pub const SQLITE_FILE_NAME: &str = "ledger.sqlite3";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "unsupported database URL {0:?}: expected postgres://USER@HOST/DB or sqlite://PATH \
         (or omit --database-url for DATA_DIR/ledger.sqlite3)"
    )]
    UnsupportedUrl(String),
    #[error("cannot create the data directory {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    // The cause is in the message, not also a `source`: `{:#}` would print it twice.
    #[error("cannot open the database {location}: {detail}")]
    Open { location: String, detail: String },
    #[error(
        "there is no ledger database at {location}: nothing was enrolled or imported there. \
         Point --data-dir (PAICHA_DATA_DIR) or --database-url (PAICHA_DATABASE_URL) at the \
         ledger's database; read-only commands never create one"
    )]
    Missing { location: String },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("unreadable value in table {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
    #[error("blob store: {0}")]
    Blobs(#[from] crate::blobs::BlobError),
    #[error(
        "a ledger on PostgreSQL needs --blob-store (PAICHA_BLOB_STORE): a directory every \
         instance shares, or s3://BUCKET"
    )]
    NoBlobStore,
}

impl StoreError {
    pub(crate) fn open(location: impl std::fmt::Display, source: sqlx::Error) -> Self {
        StoreError::Open {
            location: location.to_string(),
            detail: source.to_string(),
        }
    }

    /// The database cannot be reached right now (down, restarting, refusing connections, no
    /// free connection within the acquire timeout): worth retrying later, nothing was stored.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Sql(e) => sql_unavailable(e),
            StoreError::Open { .. } => true,
            StoreError::Blobs(crate::blobs::BlobError::Unavailable(_)) => true,
            _ => false,
        }
    }

    /// The database's disk (or the data directory) is full: nothing was stored.
    pub fn is_storage_full(&self) -> bool {
        match self {
            StoreError::Sql(sqlx::Error::Database(db)) => storage_full_code(db.code().as_deref()),
            _ => false,
        }
    }

    /// Two transactions waited on each other (PostgreSQL aborted one) or a serialisation
    /// failure: the transaction rolled back and may simply run again.
    pub fn is_transient_conflict(&self) -> bool {
        matches!(self, StoreError::Sql(sqlx::Error::Database(db))
            if matches!(db.code().as_deref(), Some("40P01" | "40001")))
    }
}

fn sql_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Protocol(_) => true,
        // SQLSTATE class 08 (connection exception), 57P01-03 (admin/crash shutdown, cannot
        // connect now: PostgreSQL restarting), 53300 (too many connections); SQLite 5/6
        // (busy, locked) after its busy timeout.
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some(code) if code.starts_with("08") => true,
            Some("57P01" | "57P02" | "57P03" | "53300" | "5" | "6") => true,
            _ => false,
        },
        _ => false,
    }
}

/// PostgreSQL 53100 (disk_full), 53200 (out of memory); SQLite 13 (SQLITE_FULL: "database or
/// disk is full").
fn storage_full_code(code: Option<&str>) -> bool {
    matches!(code, Some("53100" | "53200" | "13"))
}

/// How the ledger uses its database connections: `serve` reads them from its configuration,
/// the commands take the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// Connections in the pool (per process). `None`: 4 on SQLite, 8 on PostgreSQL.
    pub max_connections: Option<u32>,
    /// How long a request waits for a connection before it is answered "unavailable" (503).
    /// sqlx's default is 30 s, longer than any health probe or client waits.
    pub acquire_timeout: Duration,
    /// Read-only commands: never create a database, fail if there is none.
    pub must_exist: bool,
    /// Where photos are kept. `None`: `blobs/` beside a SQLite database; PostgreSQL needs one.
    pub blobs: Option<crate::blobs::BlobLocation>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(3),
            must_exist: false,
            blobs: None,
        }
    }
}

/// Where the database lives, resolved from `--database-url` and `--data-dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    SqliteFile(PathBuf),
    Url(String),
}

impl Location {
    /// `--database-url` wins; without it the database is `<data_dir>/ledger.sqlite3`.
    pub fn resolve(database_url: Option<&str>, data_dir: &Path) -> Self {
        match database_url {
            Some(url) => Location::Url(url.to_string()),
            None => Location::SqliteFile(data_dir.join(SQLITE_FILE_NAME)),
        }
    }
}

impl Location {
    /// What an operator reads to know which database a command used.
    /// Where photos go when nobody says: `blobs/` beside the SQLite file. A PostgreSQL
    /// ledger has no directory of its own; it must be told (`--blob-store`).
    pub fn default_blobs(&self) -> Option<crate::blobs::BlobLocation> {
        let file = match self {
            Location::SqliteFile(path) => path.clone(),
            Location::Url(url) => {
                let rest = url
                    .strip_prefix("sqlite://")
                    .or(url.strip_prefix("sqlite:"))?;
                PathBuf::from(rest.split('?').next().unwrap_or(rest))
            }
        };
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        Some(crate::blobs::BlobLocation::Dir(dir.join("blobs")))
    }

    pub fn describe(&self) -> String {
        match self {
            Location::SqliteFile(path) => {
                let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                format!("SQLite {}", path.display())
            }
            Location::Url(url) if url.starts_with("sqlite:") => format!("SQLite {}", redact(url)),
            Location::Url(url) => format!("PostgreSQL {}", redact(url)),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::SqliteFile(path) => write!(f, "{}", path.display()),
            // Never print a password that a URL may carry.
            Location::Url(url) => f.write_str(&redact(url)),
        }
    }
}

/// A database URL fit for logs and messages: user and password replaced by `…`.
pub fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rsplit_once('@')) {
        (Some((scheme, _)), Some((_, host))) => format!("{scheme}://…@{host}"),
        _ => url.to_string(),
    }
}

/// The ledger's database: a connection pool plus the backend it talks to.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Serialises this process's imports on SQLite, which has one writer anyway: waiting here
    /// is cheaper and clearer than waiting on SQLITE_BUSY. On PostgreSQL imports run
    /// concurrently, in this process and across instances: each import locks its device's
    /// row first, so one device's bundles are stored one after the other wherever they
    /// arrive, and the unique keys store the same bundle once.
    import_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// This process's copy of the region table (`regions`).
    regions: std::sync::Arc<regions::RegionCache>,
    max_connections: u32,
    /// Photos and thumbnails, by hash.
    blobs: crate::blobs::BlobStore,
}

/// Row counts, for summaries and for tests that prove "nothing changed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub devices: i64,
    pub bundles: i64,
    pub sites: i64,
    pub inspections: i64,
    pub findings: i64,
    pub attachments: i64,
    /// Re-inspection reviews (`hazard_reviews`).
    pub reviews: i64,
}

impl Store {
    /// Opens (creating if needed) the database and applies pending migrations.
    pub async fn open(location: &Location) -> Result<Self, StoreError> {
        Self::open_with(location, &StoreOptions::default()).await
    }

    /// Opens (creating if needed) with photos in `blob_dir`: for tools and benchmarks on
    /// PostgreSQL, which has no directory of its own.
    pub async fn open_with_blob_dir(
        location: &Location,
        blob_dir: &Path,
    ) -> Result<Self, StoreError> {
        let options = StoreOptions {
            blobs: Some(crate::blobs::BlobLocation::Dir(blob_dir.to_path_buf())),
            ..StoreOptions::default()
        };
        Self::open_with(location, &options).await
    }

    /// Opens an existing ledger database for a read-only command: a missing SQLite file, or a
    /// PostgreSQL database without the ledger's tables, is an error, never created.
    pub async fn open_existing(location: &Location) -> Result<Self, StoreError> {
        let options = StoreOptions {
            must_exist: true,
            ..StoreOptions::default()
        };
        Self::open_with(location, &options).await
    }

    pub async fn open_with(location: &Location, opts: &StoreOptions) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let missing = || StoreError::Missing {
            location: location.describe(),
        };
        let (options, backend) = match location {
            Location::SqliteFile(path) if opts.must_exist => {
                if !path.is_file() {
                    return Err(missing());
                }
                (sqlite::existing_file_options(path)?, Backend::Sqlite)
            }
            Location::SqliteFile(path) => (sqlite::file_options(path)?, Backend::Sqlite),
            Location::Url(url) => connect_options_for_url(url, opts.must_exist)?,
        };
        let max_connections = opts
            .max_connections
            .unwrap_or_else(|| max_connections(backend));
        let connected = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(opts.acquire_timeout)
            .connect_with(options.clone())
            .await;
        let pool = match connected {
            Ok(pool) => pool,
            // The pool only says it timed out; one plain connection attempt says why
            // (connection refused, no such database, authentication failed).
            Err(sqlx::Error::PoolTimedOut) => {
                use sqlx::ConnectOptions;
                let cause = match options.connect().await {
                    Ok(_) => sqlx::Error::PoolTimedOut,
                    Err(e) => e,
                };
                return Err(StoreError::open(location, cause));
            }
            // SQLite's "unable to open database file" for a URL with mode=rw.
            Err(sqlx::Error::Database(db))
                if opts.must_exist && db.code().as_deref() == Some("14") =>
            {
                return Err(missing());
            }
            Err(e) => return Err(StoreError::open(location, e)),
        };
        if opts.must_exist && !has_ledger_tables(&pool, backend).await? {
            pool.close().await;
            return Err(missing());
        }
        if backend == Backend::Sqlite {
            sqlite::tune(&pool).await?;
        }
        let blob_location = match &opts.blobs {
            Some(given) => given.clone(),
            None => location.default_blobs().ok_or(StoreError::NoBlobStore)?,
        };
        let blobs = crate::blobs::BlobStore::open(&blob_location).await?;
        migrator().run(&pool).await?;
        let store = Self {
            pool,
            backend,
            import_lock: Default::default(),
            regions: Default::default(),
            max_connections,
            blobs,
        };
        store.move_embedded_files().await?;
        store.complete_old_inspections().await?;
        store.seed_regions().await?;
        store.place_inspections(true).await?;
        store.complete_hazard_states().await?;
        store.optimise().await?;
        Ok(store)
    }

    /// Refreshes the planner's statistics (after a bulk load: the hazard list's plans depend
    /// on how many hazards a region holds, e.g. whether a province walks the deadline index
    /// or a county sorts its own).
    pub async fn analyse(&self) -> Result<(), StoreError> {
        sqlx::query("ANALYZE").execute(self.pool()).await?;
        Ok(())
    }

    /// Keeps the planner's statistics current, cheaply: on SQLite `PRAGMA optimize` (with
    /// 0x10000, tables never analysed are analysed too, within `analysis_limit`), as SQLite
    /// advises at open and every few hours; PostgreSQL's autovacuum does this by itself.
    pub async fn optimise(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA analysis_limit = 1000")
                .execute(self.pool())
                .await?;
            sqlx::query("PRAGMA optimize = 0x10002")
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Waits for in-flight queries and closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The pool's connections: (open, idle, most allowed).
    pub fn pool_usage(&self) -> (u32, u32, u32) {
        (
            self.pool.size(),
            self.pool.num_idle() as u32,
            self.max_connections,
        )
    }

    pub async fn counts(&self) -> Result<Counts, StoreError> {
        async fn count(pool: &AnyPool, sql: &'static str) -> Result<i64, StoreError> {
            Ok(sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?)
        }
        let pool = &self.pool;
        Ok(Counts {
            devices: count(pool, "SELECT COUNT(*) FROM devices").await?,
            bundles: count(pool, "SELECT COUNT(*) FROM bundles").await?,
            sites: count(pool, "SELECT COUNT(*) FROM sites").await?,
            inspections: count(pool, "SELECT COUNT(*) FROM inspections").await?,
            findings: count(pool, "SELECT COUNT(*) FROM findings").await?,
            attachments: count(pool, "SELECT COUNT(*) FROM attachments").await?,
            reviews: count(pool, "SELECT COUNT(*) FROM hazard_reviews").await?,
        })
    }
}

/// Whether the ledger's schema is there (a read must not create it).
async fn has_ledger_tables(pool: &AnyPool, backend: Backend) -> Result<bool, StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'bundles'"
        }
        // current_schema(): the first schema of the search_path, where the ledger's tables are.
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'bundles'"
        }
    };
    let n: i64 = sqlx::query_scalar(sql).fetch_one(pool).await?;
    Ok(n > 0)
}

fn connect_options_for_url(
    url: &str,
    must_exist: bool,
) -> Result<(AnyConnectOptions, Backend), StoreError> {
    let scheme = url
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match scheme.as_str() {
        "sqlite" => Ok((sqlite::url_options(url, must_exist)?, Backend::Sqlite)),
        "postgres" | "postgresql" => {
            let options =
                AnyConnectOptions::from_str(url).map_err(|e| StoreError::open(redact(url), e))?;
            Ok((options, Backend::Postgres))
        }
        _ => Err(StoreError::UnsupportedUrl(redact(url))),
    }
}

fn max_connections(backend: Backend) -> u32 {
    match backend {
        // Readers run concurrently in WAL mode; writers are serialised by `import_lock`.
        Backend::Sqlite => 4,
        // API readers and one importer; a province-wide deployment tunes the server instead.
        Backend::Postgres => 8,
    }
}

/// Migrations are embedded so that the binary carries its schema; the SQL is portable.
fn migrator() -> Migrator {
    let migration = |version, name: &'static str, sql: &'static str| {
        Migration::new(
            version,
            name.into(),
            MigrationType::Simple,
            sql.into_sql_str(),
            false,
        )
    };
    Migrator::with_migrations(vec![
        migration(
            1,
            "initial",
            include_str!("../../migrations/0001_initial.sql"),
        ),
        migration(
            2,
            "attachments",
            include_str!("../../migrations/0002_attachments.sql"),
        ),
        migration(
            3,
            "followup",
            include_str!("../../migrations/0003_followup.sql"),
        ),
        migration(
            4,
            "hazard_orders",
            include_str!("../../migrations/0004_hazard_orders.sql"),
        ),
        migration(
            5,
            "access",
            include_str!("../../migrations/0005_access.sql"),
        ),
        migration(6, "lists", include_str!("../../migrations/0006_lists.sql")),
        migration(
            7,
            "hazard_state",
            include_str!("../../migrations/0007_hazard_state.sql"),
        ),
        migration(
            8,
            "thumbnails",
            include_str!("../../migrations/0008_thumbnails.sql"),
        ),
        migration(9, "blobs", include_str!("../../migrations/0009_blobs.sql")),
    ])
}

/// Reads a required TEXT column that must parse as a stored timestamp.
pub(crate) fn parse_time(
    table: &'static str,
    text: &str,
) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    crate::time::from_db(text).map_err(|e| StoreError::Corrupt {
        table,
        detail: format!("bad timestamp {text:?}: {e}"),
    })
}
