//! SQLite specifics: the default database file under the data directory and its settings.

use super::StoreError;
use sqlx::any::AnyConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyPool, ConnectOptions};
use std::path::Path;
use std::str::FromStr;

/// Options for a database file, creating its directory and the file itself when missing.
pub fn file_options(path: &Path) -> Result<AnyConnectOptions, StoreError> {
    // An absolute path keeps the URL unambiguous (a relative first segment would read as a host).
    let path = std::path::absolute(path).map_err(|source| StoreError::DataDir {
        path: path.to_path_buf(),
        source,
    })?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    // Build the URL through sqlx's own encoder so unusual characters in the path survive.
    let url = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .to_url_lossy();
    AnyConnectOptions::from_url(&url).map_err(|source| StoreError::open(path.display(), source))
}

/// Options for a database file that must already exist (read-only commands): neither the
/// file nor its directory is created.
pub fn existing_file_options(path: &Path) -> Result<AnyConnectOptions, StoreError> {
    let path = std::path::absolute(path).map_err(|source| StoreError::DataDir {
        path: path.to_path_buf(),
        source,
    })?;
    let url = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(false)
        .to_url_lossy();
    AnyConnectOptions::from_url(&url).map_err(|source| StoreError::open(path.display(), source))
}

/// Options for a `sqlite:` URL. Unless the URL sets `mode=` or the database `must_exist`, a
/// missing file (and its directory) is created, as for the default database.
pub fn url_options(url: &str, must_exist: bool) -> Result<AnyConnectOptions, StoreError> {
    let open_err = |source| StoreError::open(url, source);
    let mut options = SqliteConnectOptions::from_str(url).map_err(open_err)?;
    if must_exist {
        options = options.create_if_missing(false);
    } else if !url.contains("mode=") {
        options = options.create_if_missing(true);
        let dir = options
            .get_filename()
            .parent()
            .filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
    }
    AnyConnectOptions::from_url(&options.to_url_lossy()).map_err(open_err)
}

/// Write-ahead logging lets readers (the web API) proceed while an import writes. The setting
/// is stored in the database file, so setting it once per open is enough.
pub async fn tune(pool: &AnyPool) -> Result<(), StoreError> {
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(pool)
        .await?;
    Ok(())
}
