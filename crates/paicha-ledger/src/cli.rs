//! Command-line interface: what an operator types, and dispatch to the commands.

use crate::store::{Location, Store};
use clap::{Args, Parser, Subcommand};
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
bundles only from device keys that an operator has enrolled (see `keys add`).\n\n\
Typical first steps:\n  \
paicha-ledger keys add --from-bundle first-export.json --organisation \"XX县应急管理局\"\n  \
paicha-ledger import inbox/\n  \
paicha-ledger serve --dist dist"
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

    /// Database to use instead of the SQLite file in --data-dir, e.g. sqlite:///srv/ledger.sqlite3.
    #[arg(long, global = true, value_name = "URL", env = "PAICHA_DATABASE_URL")]
    pub database_url: Option<String>,

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
    Serve(ServeArgs),

    /// Check bundle files without a database: signature, format and hash-chain rules.
    ///
    /// Prints who signed each good file and why each bad file fails. The signature is checked
    /// with the key the bundle carries; whether that key is enrolled is checked by `import`.
    /// Exits with status 1 if any file fails. Directories are searched for *.json and *.dsse.
    Verify {
        /// Bundle files (or directories of them).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },

    /// Verify bundles and store them in the database, one transaction per bundle.
    ///
    /// A bundle imported before is reported as "already imported" and changes nothing. A
    /// different bundle reusing a device's sequence number is stored and flagged as a fork.
    /// Bundles from keys that are not enrolled, or revoked, are rejected. Ends with a summary
    /// and exits with status 1 if any bundle was rejected.
    Import {
        /// Bundle files, or directories whose *.json and *.dsse files are imported in name order.
        #[arg(required = true, value_name = "FILE|DIR")]
        paths: Vec<PathBuf>,
    },

    /// Report, per device, sequence numbers never received, forks and chain breaks.
    ///
    /// Each phone numbers its bundles 1, 2, 3, ... and links each to the previous one by hash.
    /// A missing number means a bundle was not delivered yet (or was lost); a fork means two
    /// different bundles carry one number (for example a phone restored from a backup).
    /// Also lists re-inspection reviews (复查) of hazards the ledger does not hold: the bundle
    /// with the hazard has not arrived (or was lost), so the review cannot close it yet.
    Gaps,

    /// Export data from the ledger (see `export hazards --help`).
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },

    /// Manage the registry of enrolled device keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },

    /// Checklists for authors: convert a spreadsheet (.xlsx, .csv) into a checklist file,
    /// validate checklist files, export a checklist file as a spreadsheet.
    Checklists {
        #[command(subcommand)]
        command: crate::checklist_convert::ChecklistsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The hazard ledger (隐患台账): one row per hazard found, with the enterprise, inspectors,
    /// level (一般/重大), description and legal basis.
    ///
    /// Dates are China Standard Time. Sector, item text and basis come from the checklist files
    /// in --checklists; without them those columns stay empty.
    ///
    /// 状态 (and status_code) is derived as on the inspectors' phones: 已验收销号 (verified)
    /// once a sealed re-inspection (复查) found the hazard rectified, 验收日期 being its date;
    /// 升级处理 (escalated) if it found it not rectified (unless it extended the deadline);
    /// otherwise by the deadline in force against --as-of: 逾期未整改 (overdue) after it,
    /// 即将到期 (due_soon) within 3 days, else 整改中 (open).
    Hazards(ExportHazardsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    /// 一般隐患
    General,
    /// 重大隐患
    Major,
}

/// A follow-up status, as `paicha_core::followup::HazardStatus` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    /// 逾期未整改: the deadline has passed and no re-inspection closed the hazard.
    Overdue,
    /// 升级处理: a re-inspection found it not rectified and escalated it.
    Escalated,
    /// 即将到期: the deadline is at most 3 days away.
    #[value(name = "due_soon", alias = "due-soon")]
    DueSoon,
    /// 整改中: being rectified, deadline further away (or none given).
    Open,
    /// 已整改待验收: never on the ledger, which holds sealed re-inspections only.
    Rectified,
    /// 已验收销号: a sealed re-inspection verified the rectification (`closed` also works).
    #[value(alias = "closed")]
    Verified,
}

impl StatusArg {
    pub fn status(self) -> paicha_core::followup::HazardStatus {
        use paicha_core::followup::HazardStatus as S;
        match self {
            StatusArg::Overdue => S::Overdue,
            StatusArg::Escalated => S::Escalated,
            StatusArg::DueSoon => S::DueSoon,
            StatusArg::Open => S::Open,
            StatusArg::Rectified => S::Rectified,
            StatusArg::Verified => S::Verified,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HeaderArg {
    /// Chinese column names as on printed ledgers.
    Zh,
    /// snake_case keys for programs.
    Keys,
}

#[derive(Debug, Args)]
pub struct ExportHazardsArgs {
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Directory of checklist files (*.toml) used to name sectors, items and legal bases.
    #[arg(long, value_name = "DIR", default_value = "checklists")]
    pub checklists: PathBuf,
    /// Only enterprises registered in this administrative division: 2 to 6 digits of the
    /// 行政区划代码 (positions 3–8 of the credit code), e.g. 44 (province) or 4403 (city).
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// Only this sector, e.g. fireworks or hazardous_chemicals.
    #[arg(long)]
    pub sector: Option<String>,
    /// Only this hazard level.
    #[arg(long, value_enum)]
    pub level: Option<LevelArg>,
    /// Only hazards with this status; several separated by commas, e.g.
    /// overdue,escalated. Everything not yet verified: overdue,escalated,due_soon,open.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "STATUS")]
    pub status: Vec<StatusArg>,
    /// Judge deadlines on this day instead of today (China Standard Time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Only inspections started on or after this day (China Standard Time).
    #[arg(long, alias = "from", value_name = "YYYY-MM-DD")]
    pub since: Option<chrono::NaiveDate>,
    /// Only inspections started on or before this day (China Standard Time).
    #[arg(long, alias = "to", value_name = "YYYY-MM-DD")]
    pub until: Option<chrono::NaiveDate>,
    #[arg(long, value_enum, default_value = "zh")]
    pub header: HeaderArg,
    /// For Excel/WPS: add a byte order mark and defuse cells that look like formulas.
    #[arg(long)]
    pub excel: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Directory with the built app (index.html, the wasm and JS files, sw.js, ...).
    #[arg(long, value_name = "DIR", default_value = "dist")]
    pub dist: PathBuf,
    /// Address to listen on. Keep 127.0.0.1 unless a reverse proxy or firewall guards the port.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free port (the printed URL shows which).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Checklist files (*.toml) served at GET /api/checklists, re-read when they change.
    /// Without this option: ./checklists if it exists, else the pack in DIST/checklists.
    #[arg(long, value_name = "DIR")]
    pub checklists: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Enrol a device key, from one of its bundles or from explicit values.
    ///
    /// With --from-bundle, the key, inspector name and 执法证号 are read from a bundle the
    /// phone exported, after checking its signature. Compare the printed key id with the one
    /// shown on the inspector's phone before trusting it (or pass it as --expect-key-id).
    Add(KeysAddArgs),
    /// List enrolled device keys and whether they are revoked.
    List,
    /// Revoke a device key (lost or replaced phone, departed inspector). Bundles signed with
    /// it are rejected from then on.
    Revoke {
        /// The key id, or at least its first 16 hex digits as shown by `keys list`.
        #[arg(value_name = "KEYID")]
        key_id: String,
        /// Why the key is revoked (kept in the registry).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct KeysAddArgs {
    /// A bundle exported by the device whose key is enrolled.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "key_id",
        conflicts_with_all = ["key_id", "public_key", "name", "cert_no"]
    )]
    pub from_bundle: Option<PathBuf>,
    /// With --from-bundle: the key id (or its start) read from the phone; enrolment is refused
    /// if the bundle's key differs.
    #[arg(long, value_name = "KEYID", requires = "from_bundle")]
    pub expect_key_id: Option<String>,
    /// The key id: 64 hex digits, the SHA-256 of the raw public key.
    #[arg(long, value_name = "ID", requires_all = ["public_key", "name", "cert_no"])]
    pub key_id: Option<String>,
    /// The raw 32-byte Ed25519 public key in base64.
    #[arg(long, value_name = "B64")]
    pub public_key: Option<String>,
    /// The inspector's name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The inspector's law-enforcement certificate number (执法证号).
    #[arg(long, value_name = "CERT")]
    pub cert_no: Option<String>,
    /// The inspector's organisation, e.g. a county emergency-management bureau.
    #[arg(
        long,
        value_name = "ORG",
        default_value = "",
        hide_default_value = true
    )]
    pub organisation: String,
}

impl Cli {
    pub fn location(&self) -> Location {
        Location::resolve(self.database_url.as_deref(), &self.data_dir)
    }
}

/// Runs a parsed command line; the exit code says whether everything succeeded.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let location = cli.location();
    let ok = match cli.command {
        Command::Verify { files } => crate::verify_cmd::run(
            &files,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        )?,
        Command::Serve(args) => {
            let store = Store::open(&location).await?;
            tracing::info!(database = %location, "database ready");
            let result = crate::server::run(store.clone(), &args).await;
            store.close().await;
            result?;
            true
        }
        Command::Import { paths } => {
            let store = Store::open(&location).await?;
            let summary = crate::import_cmd::run(&store, &paths).await?;
            store.close().await;
            summary.rejected == 0
        }
        Command::Gaps => {
            let store = Store::open(&location).await?;
            let ok = crate::gaps::run(&store, &mut std::io::stdout().lock()).await?;
            store.close().await;
            ok
        }
        Command::Export {
            what: ExportCommand::Hazards(args),
        } => {
            let store = Store::open(&location).await?;
            let result = crate::export::run(&store, &args).await;
            store.close().await;
            result?
        }
        Command::Checklists { command } => crate::checklist_convert::run(
            command,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        )?,
        Command::Keys { command } => {
            let store = Store::open(&location).await?;
            let ok = crate::keys_cmd::run(&store, command).await?;
            store.close().await;
            ok
        }
    };
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn status_arguments_are_spelled_as_the_core_slugs() {
        for arg in StatusArg::value_variants() {
            let value = arg.to_possible_value().unwrap();
            assert_eq!(value.get_name(), arg.status().slug());
        }
        assert_eq!(StatusArg::value_variants().len(), 6);
        let cli = Cli::try_parse_from([
            "paicha-ledger",
            "export",
            "hazards",
            "--status",
            "overdue,due-soon,closed",
            "--as-of",
            "2026-12-08",
        ])
        .unwrap();
        let Command::Export {
            what: ExportCommand::Hazards(args),
        } = cli.command
        else {
            panic!("export hazards");
        };
        assert_eq!(
            args.status,
            [StatusArg::Overdue, StatusArg::DueSoon, StatusArg::Verified]
        );
        assert_eq!(args.as_of, chrono::NaiveDate::from_ymd_opt(2026, 12, 8));
    }
}
