//! `paicha-ledger export hazards`: the hazard ledger (隐患台账) as CSV.

use crate::checklist_pack::ChecklistPack;
use crate::hazards::{CsvOptions, HazardQuery, write_hazards_csv};
use crate::store::Store;
use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use paicha_core::followup::HazardStatus;
use paicha_core::hazard_ledger::{HazardLevel, Header};
use paicha_core::wire::HazardsQuery;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub what: ExportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The hazard ledger (隐患台账): one row per hazard found, with the enterprise, inspectors,
    /// level (一般/重大), description, legal basis, the order and where the hazard stands.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// RFC 4180 CSV: UTF-8, CRLF line ends, a header line.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    /// 一般隐患
    General,
    /// 重大隐患
    Major,
}

/// A follow-up status, as `paicha_core::followup::HazardStatus` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
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
    pub fn status(self) -> HazardStatus {
        match self {
            StatusArg::Overdue => HazardStatus::Overdue,
            StatusArg::Escalated => HazardStatus::Escalated,
            StatusArg::DueSoon => HazardStatus::DueSoon,
            StatusArg::Open => HazardStatus::Open,
            StatusArg::Rectified => HazardStatus::Rectified,
            StatusArg::Verified => HazardStatus::Verified,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HeaderArg {
    /// Chinese column names as on printed ledgers (隐患编号, 单位名称, ...).
    Zh,
    /// snake_case keys for programs (hazard_no, org_name, ...), as GET /api/hazards names them.
    Keys,
}

#[derive(Debug, Args)]
pub struct ExportHazardsArgs {
    /// Output format.
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
    #[arg(long, visible_alias = "from", value_name = "YYYY-MM-DD")]
    pub since: Option<chrono::NaiveDate>,
    /// Only inspections started on or before this day (China Standard Time).
    #[arg(long, visible_alias = "to", value_name = "YYYY-MM-DD")]
    pub until: Option<chrono::NaiveDate>,
    /// Column names in the first line.
    #[arg(long, value_enum, default_value = "zh")]
    pub header: HeaderArg,
    /// For Excel/WPS: add a byte order mark and defuse cells that look like formulas.
    #[arg(long)]
    pub excel: bool,
}

impl ExportHazardsArgs {
    /// The filters, as the API's query would give them.
    pub fn query(&self) -> HazardsQuery {
        HazardsQuery {
            region: self.region.clone(),
            sector: self.sector.clone(),
            level: self.level.map(|l| match l {
                LevelArg::General => HazardLevel::General,
                LevelArg::Major => HazardLevel::Major,
            }),
            status: self.status.iter().map(|s| s.status()).collect(),
            as_of: self.as_of,
            from: self.since,
            to: self.until,
            limit: None,
        }
    }
}

pub async fn run(store: &Store, args: &ExportArgs) -> anyhow::Result<bool> {
    let ExportCommand::Hazards(args) = &args.what;
    let ExportFormat::Csv = args.format;
    let query = HazardQuery::new(&args.query())?;
    let (pack, warnings) = ChecklistPack::load(&args.checklists);
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    if args.sector.is_some() && pack.is_empty() {
        bail!(
            "--sector needs the checklist files to know each checklist's sector (--checklists DIR)"
        );
    }
    let options = CsvOptions {
        header: match args.header {
            HeaderArg::Zh => Header::Chinese,
            HeaderArg::Keys => Header::Keys,
        },
        excel: args.excel,
        sector: query.sector.clone(),
    };
    let written = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let n = write_hazards_csv(store, &query.filter, &pack, &options, &mut out).await?;
            out.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
            n
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let n = write_hazards_csv(store, &query.filter, &pack, &options, &mut out).await?;
            out.flush()?;
            n
        }
    };
    eprintln!("exported {written} hazard(s)");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    #[test]
    fn status_arguments_are_spelled_as_the_core_slugs() {
        for arg in StatusArg::value_variants() {
            let value = arg.to_possible_value().unwrap();
            assert_eq!(value.get_name(), arg.status().slug());
        }
        assert_eq!(StatusArg::value_variants().len(), HazardStatus::ALL.len());
        let cli = Cli::try_parse_from([
            "paicha-ledger",
            "export",
            "hazards",
            "--status",
            "overdue,due-soon,closed",
            "--as-of",
            "2026-12-08",
            "--from",
            "2026-12-01",
        ])
        .unwrap();
        let Command::Export(ExportArgs {
            what: ExportCommand::Hazards(args),
        }) = cli.command
        else {
            panic!("export hazards");
        };
        assert_eq!(
            args.status,
            [StatusArg::Overdue, StatusArg::DueSoon, StatusArg::Verified]
        );
        assert_eq!(args.as_of, chrono::NaiveDate::from_ymd_opt(2026, 12, 8));
        assert_eq!(
            args.query().from,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        );
    }
}
