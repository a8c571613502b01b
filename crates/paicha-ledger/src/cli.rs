//! The command line: global options and dispatch. Each command's arguments and work are in
//! its module under [`crate::commands`].

use crate::commands::{
    audit, blobs, checklists, export, gaps, import, keys, regions, serve, users, verify,
};
use crate::store::{Location, Store, StoreOptions};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "paicha-ledger",
    version,
    about = "Paicha ledger: checks and stores the signed inspection bundles that inspectors' phones export",
    long_about = "Paicha ledger: checks and stores the signed inspection bundles that inspectors' \
phones export, and serves the Paicha app.\n\n\
A bundle is a DSSE v1 envelope signed with the phone's Ed25519 device key. The ledger accepts \
bundles only from device keys that an operator has enrolled (see `keys add`). Dates and times \
are China Standard Time.\n\n\
Typical first steps:\n  \
paicha-ledger users add --name \"王督查\" --role supervisor@130102   (prints a passkey enrolment link)\n  \
paicha-ledger users add --name \"张三\" --role inspector@130102\n  \
paicha-ledger keys add --from-bundle first-export.json --account ACCOUNT\n  \
paicha-ledger import inbox/\n  \
paicha-ledger serve --dist dist --public-url https://ledger.example.gov.cn"
)]
pub struct Cli {
    /// Directory for the ledger's data; the default SQLite database is DIR/ledger.sqlite3.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        default_value = "data",
        env = "PAICHA_DATA_DIR"
    )]
    pub data_dir: PathBuf,

    /// Database to use instead of the SQLite file in --data-dir: sqlite:///srv/ledger.sqlite3
    /// (SQLite) or postgres://USER[:PASSWORD]@HOST[:PORT]/DB (PostgreSQL; the database must
    /// exist, the ledger creates its tables).
    #[arg(long, global = true, value_name = "URL", env = "PAICHA_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Where photos are kept: a directory (/srv/paicha/blobs or file:///srv/paicha/blobs) or
    /// an S3-compatible bucket (s3://BUCKET/PREFIX?endpoint=https://oss.example&region=R, with
    /// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). Default: blobs/ beside the SQLite file,
    /// or DIR/blobs with PostgreSQL; several instances must share one (a bucket).
    #[arg(
        long,
        global = true,
        value_name = "LOCATION",
        env = "PAICHA_BLOB_STORE"
    )]
    pub blob_store: Option<String>,

    /// Database connections per process (default 4 on SQLite, 8 on PostgreSQL). Several
    /// `serve` instances on one PostgreSQL share its max_connections: keep the sum below it.
    #[arg(
        long,
        global = true,
        value_name = "N",
        env = "PAICHA_DB_MAX_CONNECTIONS"
    )]
    pub db_max_connections: Option<u32>,

    /// Seconds a request waits for a database connection before it is answered 503 with
    /// Retry-After (the database is down, restarting or saturated).
    #[arg(
        long,
        global = true,
        value_name = "SECONDS",
        default_value_t = 3.0,
        env = "PAICHA_DB_ACQUIRE_TIMEOUT"
    )]
    pub db_acquire_timeout: f64,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server: the Paicha app (from --dist) and the ledger's HTTP API.
    ///
    /// Phones upload bundles to POST /api/bundles and fetch the current checklists from
    /// GET /api/checklists; GET /api/hazards queries the hazard ledger; GET /api/health
    /// reports the server's state.
    /// Prints "Paicha ledger listening on http://HOST:PORT/" once it accepts connections, and
    /// stops cleanly on Ctrl-C or SIGTERM after finishing requests in progress.
    Serve(serve::ServeArgs),

    /// Check bundle files without a database: signature, format and hash-chain rules.
    ///
    /// Prints who signed each good file and why each bad file fails, then the totals. The
    /// signature is checked with the key the bundle carries; whether that key is enrolled is
    /// checked by `import`. Exits with status 1 if any file fails. Directories are searched
    /// for *.json and *.dsse.
    Verify(verify::VerifyArgs),

    /// Verify bundles and store them in the database, one transaction per bundle.
    ///
    /// A bundle imported before is reported as "already imported" and changes nothing. A
    /// different bundle reusing a device's sequence number is stored and flagged as a fork.
    /// Bundles from keys that are not enrolled, or revoked, are rejected. Ends with a summary
    /// and exits with status 1 if any bundle was rejected.
    Import(import::ImportArgs),

    /// Report, per device, sequence numbers never received, forks and chain breaks.
    ///
    /// Each phone numbers its bundles 1, 2, 3, ... and links each to the previous one by hash.
    /// A missing number means a bundle was not delivered yet (or was lost); a fork means two
    /// different bundles carry one number (for example a phone restored from a backup).
    /// Also lists re-inspection reviews (复查) of hazards the ledger does not hold: the bundle
    /// with the hazard has not arrived (or was lost), so the review cannot close it yet.
    Gaps,

    /// Export data from the ledger (see `export hazards --help`).
    Export(export::ExportArgs),

    /// Manage the registry of enrolled device keys, and phones asking to be enrolled.
    Keys(keys::KeysArgs),

    /// Accounts of the people who use the ledger, their roles per region, and the one-time
    /// links with which they register a passkey.
    Users(users::UsersArgs),

    /// The 行政区划 table that scopes accounts and places inspections.
    Regions(regions::RegionsArgs),

    /// The audit trail (check its hash chain, export it), and the stored bundles checked
    /// again, e.g. after a restore (`audit bundles`).
    Audit(audit::AuditArgs),

    /// The blob store (photos as files): check every photo against its hash, collect files
    /// no bundle names.
    Blobs(blobs::BlobsArgs),

    /// Checklists for authors: convert a spreadsheet (.xlsx, .csv) into a checklist file,
    /// validate checklist files, export a checklist file as a spreadsheet.
    Checklists(checklists::ChecklistsArgs),
}

impl Cli {
    pub fn location(&self) -> Location {
        Location::resolve(self.database_url.as_deref(), &self.data_dir)
    }

    /// How to open the database for this command: read-only commands never create one.
    pub fn store_options(&self) -> anyhow::Result<StoreOptions> {
        let timeout = self.db_acquire_timeout;
        if !(timeout.is_finite() && timeout > 0.0) {
            anyhow::bail!("--db-acquire-timeout must be a positive number of seconds");
        }
        if self.db_max_connections == Some(0) {
            anyhow::bail!("--db-max-connections must be at least 1");
        }
        let blobs = match &self.blob_store {
            Some(text) => crate::blobs::BlobLocation::parse(text)?,
            None => self
                .location()
                .default_blobs()
                .unwrap_or_else(|| crate::blobs::BlobLocation::Dir(self.data_dir.join("blobs"))),
        };
        Ok(StoreOptions {
            max_connections: self.db_max_connections,
            acquire_timeout: std::time::Duration::from_secs_f64(timeout),
            must_exist: self.command.reads_only(),
            blobs: Some(blobs),
        })
    }
}

impl Command {
    /// Commands that only read the ledger: they must find an existing database.
    pub fn reads_only(&self) -> bool {
        match self {
            Command::Gaps | Command::Export(_) | Command::Audit(_) => true,
            Command::Blobs(blobs) => matches!(blobs.command, blobs::BlobsCommand::Check),
            Command::Keys(keys) => matches!(keys.command, keys::KeysCommand::List),
            _ => false,
        }
    }
}

/// Runs a parsed command line; the exit code says whether everything succeeded.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let location = cli.location();
    let options = cli.store_options()?;
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let ok = match cli.command {
        // Neither needs a database.
        Command::Verify(args) => verify::run(&args, &mut out, &mut err)?,
        Command::Checklists(args) => checklists::run(args, &mut out, &mut err)?,
        command => {
            drop((out, err));
            let store = Store::open_with(&location, &options).await?;
            if options.must_exist {
                // Which ledger answered: a wrong --data-dir must not look like an empty ledger.
                eprintln!("ledger database: {}", location.describe());
            }
            let result = run_with_store(command, &store, &location).await;
            store.close().await;
            result?
        }
    };
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn run_with_store(
    command: Command,
    store: &Store,
    location: &Location,
) -> anyhow::Result<bool> {
    let mut out = std::io::stdout();
    match command {
        Command::Serve(args) => {
            tracing::info!(database = %location, "database ready");
            serve::run(store, &args).await?;
            Ok(true)
        }
        Command::Import(args) => Ok(import::run(store, &args).await?.rejected == 0),
        Command::Gaps => gaps::run(store, &mut out).await,
        Command::Export(args) => export::run(store, &args).await,
        Command::Keys(args) => keys::run(store, args, &mut out).await,
        Command::Users(args) => users::run(store, args, &mut out).await,
        Command::Regions(args) => regions::run(store, args, &mut out).await,
        Command::Audit(args) => audit::run(store, args, &mut out).await,
        Command::Blobs(args) => blobs::run(store, args, &mut out).await,
        Command::Verify(_) | Command::Checklists(_) => {
            unreachable!("dispatched without a database")
        }
    }
}
