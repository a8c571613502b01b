//! Storage of the device registry and imported bundles.
//!
//! All SQL goes through sqlx's runtime-generic `Any` driver with portable statements (`$n`
//! placeholders, TEXT times, BIGINT integers, `ON CONFLICT DO NOTHING`), so SQLite and
//! PostgreSQL share every query and each migration file. No compile-time checked macros:
//! CI has no database at build time; the tests run every statement on both databases instead.

mod access;
pub mod audit;
mod backfill;
mod bundles;
mod devices;
mod hazards;
pub mod regions;
mod reviews;
pub mod sqlite;

pub use access::{Account, Ceremony, DeviceRequest, EnrolmentLink, Grant, Role, SessionRow};
pub use audit::{AuditEntry, AuditRow, Outcome};
pub use bundles::{Conflict, InsertOutcome};
pub use devices::{Device, EnrolOutcome, NewDevice, RevokeOutcome};
pub use hazards::{HazardFilter, HazardRow, HazardStatus, LatestReview, derive_status};
pub use paicha_core::hazard_ledger::HazardLevel;
pub use reviews::{Unmatched, UnmatchedReview};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, SqlSafeStr};
use std::path::{Path, PathBuf};
use std::str::FromStr;

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
    #[error("cannot open the database {location}: {source}")]
    Open {
        location: String,
        source: sqlx::Error,
    },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("unreadable value in table {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
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
    /// Serialises this process's imports. SQLite has one writer anyway, and waiting here is
    /// cheaper and clearer than waiting on SQLITE_BUSY; other processes are handled by the
    /// database's own locking and the unique constraints.
    import_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// This process's copy of the region table (`regions`).
    regions: std::sync::Arc<regions::RegionCache>,
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
        sqlx::any::install_default_drivers();
        let (options, backend) = match location {
            Location::SqliteFile(path) => (sqlite::file_options(path)?, Backend::Sqlite),
            Location::Url(url) => connect_options_for_url(url)?,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections(backend))
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                location: location.to_string(),
                source,
            })?;
        if backend == Backend::Sqlite {
            sqlite::tune(&pool).await?;
        }
        migrator().run(&pool).await?;
        let store = Self {
            pool,
            backend,
            import_lock: Default::default(),
            regions: Default::default(),
        };
        store.complete_old_inspections().await?;
        store.seed_regions().await?;
        store.place_inspections(true).await?;
        Ok(store)
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

fn connect_options_for_url(url: &str) -> Result<(AnyConnectOptions, Backend), StoreError> {
    let scheme = url
        .split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match scheme.as_str() {
        "sqlite" => Ok((sqlite::url_options(url)?, Backend::Sqlite)),
        "postgres" | "postgresql" => {
            let options = AnyConnectOptions::from_str(url).map_err(|source| StoreError::Open {
                location: redact(url),
                source,
            })?;
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
