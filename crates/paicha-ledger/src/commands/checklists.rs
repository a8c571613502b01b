//! `paicha-ledger checklists …`: the checklist spreadsheet tool (`paicha-sheets`:
//! convert, validate, export) and the signed packs (sign, verify-pack, keygen, rotate, coverage;
//! see docs/checklist-packs.md) on the command line.

use crate::packs;
use clap::{Args, Subcommand, ValueEnum};
use paicha_sheets::Command;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ChecklistsArgs {
    #[command(subcommand)]
    pub command: ChecklistsCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChecklistsCommand {
    /// Convert a spreadsheet (.xlsx or .csv) into a checklist file (.toml) and validate it.
    ///
    /// The layout (sheets 检查表, 依据, 适用性, 条目 and their columns) is described in
    /// checklists/README.md; `checklists export` writes an example. Every problem is reported
    /// as SHEET!ROW: reason, all at once, and nothing is written while there is one.
    Convert {
        /// The spreadsheet: .xlsx (or .xls, .ods) or .csv.
        #[arg(value_name = "INPUT.xlsx|INPUT.csv")]
        input: PathBuf,
        /// Name of the items sheet, when it is not called 条目 (or items).
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// Where to write the checklist file; "-" for standard output. Default: INPUT with
        /// the extension .toml.
        #[arg(long, short, value_name = "OUT.toml")]
        output: Option<PathBuf>,
    },
    /// Validate checklist files (.toml), or spreadsheets (.xlsx, .csv) without writing anything.
    ///
    /// Prints id, version, item count and content hash of each good file, then the totals;
    /// exits with status 1 if any file fails.
    Validate {
        /// Checklist files (.toml), spreadsheets (.xlsx, .csv), or directories whose *.toml
        /// files are validated.
        #[arg(required = true, value_name = "FILE|DIR")]
        files: Vec<PathBuf>,
    },
    /// Write a checklist file as a spreadsheet in the layout `convert` reads (.xlsx or .csv).
    ///
    /// Comments (#) travel in the 注释/备注 cells, so converting the spreadsheet back gives the
    /// same checklist (same content hash).
    Export {
        /// The checklist file to write out.
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
        /// The spreadsheet to write: OUT.xlsx or OUT.csv.
        #[arg(long, short, required = true, value_name = "OUT.xlsx|OUT.csv")]
        output: PathBuf,
    },
    /// Sign checklists into a pack the app installs (checklists/pack.json, GET /api/checklists).
    ///
    /// Every checklist is checked first as publication needs it (valid, at least 15 items,
    /// issuer, region, change log, dates checked, agreement with the register in
    /// DIR/documents/); nothing is written while any problem remains. The pack is signed with
    /// the key file (see `checklists keygen`); key statements given with --statement travel in
    /// the pack, so that devices learn a rotated key (see `checklists rotate`).
    Sign {
        /// Checklist files (.toml) or directories of them.
        #[arg(required = true, value_name = "FILE|DIR")]
        inputs: Vec<PathBuf>,
        /// The signing key file.
        #[arg(long, value_name = "KEY.json")]
        key: PathBuf,
        /// A key statement (from `checklists rotate`) to include; repeat, oldest first.
        #[arg(long = "statement", value_name = "STATEMENT.json")]
        statements: Vec<PathBuf>,
        /// Who issues the pack, as the app shows it.
        #[arg(long, default_value = "省应急管理厅")]
        issuer: String,
        /// The pack's time (RFC 3339); default now. A device installs a pack only if it is not
        /// older than its own.
        #[arg(long, value_name = "TIME")]
        issued_at: Option<chrono::DateTime<chrono::Utc>>,
        /// The trust root devices start from: the pack is checked against it before it is
        /// written (a pack devices would refuse is never written).
        #[arg(long, value_name = "TRUST.json")]
        trust_root: Option<PathBuf>,
        /// Where to write the pack.
        #[arg(long, short, value_name = "PACK.json")]
        output: PathBuf,
    },
    /// Check a signed pack as the app does: signature, key statements, content hashes.
    ///
    /// Prints the signer, the issue time and the checklists; exits with status 1 and the
    /// reason when a device would refuse the pack.
    VerifyPack {
        #[arg(value_name = "PACK.json")]
        file: PathBuf,
        /// The trust root devices start from (checklists/keys/trust-root.json in a checkout).
        #[arg(long, value_name = "TRUST.json")]
        trust_root: PathBuf,
    },
    /// Make a new signing key file (private: keep it off shared machines and out of the
    /// repository). Prints the key id to put in a trust root or a key statement.
    Keygen {
        /// Whose key it is, e.g. "某省应急管理厅 2027".
        #[arg(long)]
        name: String,
        /// The key file to write (it must not exist).
        #[arg(long, short, value_name = "KEY.json")]
        output: PathBuf,
    },
    /// Make a key statement: the next list of trusted keys, signed by a key devices trust now.
    ///
    /// Devices that trust --key accept the statement (when it comes with a pack) and from then
    /// on trust exactly the keys it lists. Use it to add a new key, then retire the old one.
    Rotate {
        /// The current list: the trust root, or the last statement.
        #[arg(long = "from", value_name = "TRUST.json|STATEMENT.json")]
        from: PathBuf,
        /// A key devices trust now, to sign the statement.
        #[arg(long, value_name = "KEY.json")]
        key: PathBuf,
        /// A key file to trust from now on (only its public half is used); repeat as needed.
        #[arg(long = "add", value_name = "KEY.json")]
        add: Vec<PathBuf>,
        /// The id of a key to stop trusting; repeat as needed.
        #[arg(long = "retire", value_name = "KEY_ID")]
        retire: Vec<String>,
        /// Where to write the statement.
        #[arg(long, short, value_name = "STATEMENT.json")]
        output: PathBuf,
    },
    /// How much of each official document the checklists cover: official criteria, covered,
    /// percentage and the missing clauses, from DIR/*.toml and the register DIR/documents/.
    Coverage {
        /// The checklist directory.
        #[arg(long, default_value = "checklists", value_name = "DIR")]
        dir: PathBuf,
        #[arg(long, value_enum, default_value_t = CoverageFormat::Text)]
        format: CoverageFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CoverageFormat {
    /// A Markdown table and the missing clauses.
    Text,
    /// One JSON object per document.
    Json,
}

pub fn run(
    args: ChecklistsArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<bool> {
    let command = match args.command {
        ChecklistsCommand::Sign {
            inputs,
            key,
            statements,
            issuer,
            issued_at,
            trust_root,
            output,
        } => {
            return sign(
                &inputs,
                &key,
                &statements,
                &issuer,
                issued_at,
                trust_root.as_deref(),
                &output,
                out,
                err,
            );
        }
        ChecklistsCommand::VerifyPack { file, trust_root } => {
            return verify_pack(&file, &trust_root, out, err);
        }
        ChecklistsCommand::Keygen { name, output } => return keygen(&name, &output, out),
        ChecklistsCommand::Rotate {
            from,
            key,
            add,
            retire,
            output,
        } => return rotate(&from, &key, &add, &retire, &output, out),
        ChecklistsCommand::Coverage { dir, format } => return coverage(&dir, format, out),
        ChecklistsCommand::Convert {
            input,
            sheet,
            output,
        } => Command::Convert {
            input,
            sheet,
            output,
        },
        ChecklistsCommand::Validate { files } => Command::Validate { files },
        ChecklistsCommand::Export { file, output } => Command::Export { file, output },
    };
    paicha_sheets::run(command, out, err)
}

#[allow(clippy::too_many_arguments)]
fn sign(
    inputs: &[PathBuf],
    key: &Path,
    statements: &[PathBuf],
    issuer: &str,
    issued_at: Option<chrono::DateTime<chrono::Utc>>,
    trust_root: Option<&Path>,
    output: &Path,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<bool> {
    let key = packs::read_key(key)?;
    let statements = packs::read_statements(statements)?;
    let checklists = match packs::load_for_publication(inputs) {
        Ok(c) => c,
        Err(problems) => {
            for p in &problems {
                writeln!(err, "{p}")?;
            }
            writeln!(
                err,
                "FAIL: {} 个问题，未签名 / {} problem(s); nothing signed",
                problems.len(),
                problems.len()
            )?;
            return Ok(false);
        }
    };
    let count = checklists.len();
    let file = packs::sign(
        checklists,
        &key,
        issuer,
        issued_at.unwrap_or_else(chrono::Utc::now),
        statements,
    );
    let bytes = file.to_json();
    if let Some(trust_root) = trust_root {
        let trust = packs::read_key_list(trust_root)?;
        if let Err(refusal) = paicha_core::signed_pack::open_sync(&bytes, &trust) {
            writeln!(
                err,
                "FAIL: 设备会拒绝这个包，未写入 / devices would refuse this pack, nothing written: {refusal}"
            )?;
            return Ok(false);
        }
    }
    std::fs::write(output, &bytes)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", output.display()))?;
    writeln!(
        out,
        "OK  {}: {count} checklists signed by {} ({}), key {}",
        output.display(),
        key.name,
        issuer,
        key.key_id.short()
    )?;
    if !key.warning.is_empty() {
        writeln!(err, "warning: {}", key.warning)?;
    }
    Ok(true)
}

fn verify_pack(
    file: &Path,
    trust_root: &Path,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<bool> {
    let trust = packs::read_key_list(trust_root)?;
    match packs::verify(file, &trust) {
        Ok(opened) => {
            writeln!(
                out,
                "OK  {}: signed by {} (key {}), issued by {} at {}",
                file.display(),
                opened.signed_by.name,
                opened.signed_by.key_id.short(),
                opened.pack.issuer.as_deref().unwrap_or("?"),
                opened
                    .pack
                    .issued_at
                    .map_or_else(|| "?".to_string(), |t| t.to_rfc3339()),
            )?;
            if let Some(keys) = &opened.new_keys {
                writeln!(
                    out,
                    "    key statements move devices to key list {} ({} key(s))",
                    keys.serial,
                    keys.keys.len()
                )?;
            }
            for entry in &opened.pack.checklists {
                let c = &entry.checklist;
                writeln!(
                    out,
                    "    {} {} ({} items) {}",
                    c.id,
                    c.version,
                    c.items().count(),
                    entry.content_hash
                )?;
            }
            Ok(true)
        }
        Err(refusal) => {
            writeln!(err, "REFUSED {}: {refusal}", file.display())?;
            Ok(false)
        }
    }
}

fn keygen(name: &str, output: &Path, out: &mut impl Write) -> anyhow::Result<bool> {
    if output.exists() {
        anyhow::bail!("{} exists; keys are never overwritten", output.display());
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let key = paicha_core::signed_pack::KeyFile::new(seed, name, "");
    write_private(output, &key.to_json())?;
    writeln!(
        out,
        "OK  {}: key {} ({})
trusted entry: {}",
        output.display(),
        key.key_id.short(),
        key.key_id,
        serde_json::to_string(&key.trusted())?
    )?;
    Ok(true)
}

/// Writes a private key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::fs::OpenOptions;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}

fn rotate(
    from: &Path,
    key: &Path,
    add: &[PathBuf],
    retire: &[String],
    output: &Path,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let current = packs::read_key_list(from)?;
    let signer = packs::read_key(key)?;
    let added = add
        .iter()
        .map(|p| packs::read_key(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (next, statement) =
        packs::rotate(&current, &signer, &added, &[], retire, chrono::Utc::now())?;
    std::fs::write(output, statement.to_json())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", output.display()))?;
    writeln!(
        out,
        "OK  {}: key list {} trusts {}",
        output.display(),
        next.serial,
        next.keys
            .iter()
            .map(|k| format!("{} ({})", k.key_id.short(), k.name))
            .collect::<Vec<_>>()
            .join(", ")
    )?;
    Ok(true)
}

fn coverage(dir: &Path, format: CoverageFormat, out: &mut impl Write) -> anyhow::Result<bool> {
    let (coverage, register) = packs::coverage(dir)?;
    match format {
        CoverageFormat::Text => {
            out.write_all(packs::coverage_text(&coverage, &register).as_bytes())?
        }
        CoverageFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &coverage)?;
            writeln!(out)?;
        }
    }
    Ok(true)
}
