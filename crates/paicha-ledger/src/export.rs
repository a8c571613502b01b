//! `paicha-ledger export hazards`: the hazard ledger (隐患台账) as CSV.

use crate::checklist_pack::ChecklistPack;
use crate::cli::{ExportFormat, ExportHazardsArgs, HeaderArg, LevelArg};
use crate::store::{HazardFilter, HazardLevel, HazardRow, Store};
use anyhow::{Context, bail};
use chrono::{FixedOffset, NaiveDate, TimeZone, Utc};
use std::io::Write;

/// Dates in the ledger are China Standard Time dates, as the inspector saw them.
pub fn china_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The start of a CST day, in UTC.
pub fn day_start(date: NaiveDate) -> chrono::DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    china_time()
        .from_local_datetime(&midnight)
        .single()
        .expect("fixed offsets are unambiguous")
        .with_timezone(&Utc)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderStyle {
    /// Column names as printed on Chinese ledgers (隐患编号, 单位名称, ...).
    Chinese,
    /// Stable snake_case keys for programs.
    Keys,
}

/// (Chinese label, key) of each column, in order.
pub const COLUMNS: &[(&str, &str)] = &[
    ("隐患编号", "hazard_no"),
    ("单位名称", "org_name"),
    ("统一社会信用代码", "uscc"),
    ("行政区划代码", "area_code"),
    ("行业类别", "industry"),
    ("检查日期", "check_date"),
    ("检查人员", "inspectors"),
    ("执法证号", "enforcement_cert_no"),
    ("检查项", "item"),
    ("隐患描述", "description"),
    ("隐患等级", "level"),
    ("判定依据", "basis"),
    ("状态", "status"),
    ("检查表", "checklist"),
    ("检查记录编号", "inspection_id"),
    ("批次编号", "bundle_id"),
];

#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub header: HeaderStyle,
    /// Excel/WPS friendly: a UTF-8 byte order mark, and cells that would start a formula are
    /// prefixed with an apostrophe so that opening the file cannot run them.
    pub excel: bool,
    /// Only hazards whose checklist belongs to this sector (needs the checklist pack).
    pub sector: Option<String>,
}

/// Runs `export hazards` from its command-line arguments.
pub async fn run(store: &Store, args: &ExportHazardsArgs) -> anyhow::Result<bool> {
    let ExportFormat::Csv = args.format;
    let mut filter = HazardFilter {
        level: args.level.map(|l| match l {
            LevelArg::General => HazardLevel::General,
            LevelArg::Major => HazardLevel::Major,
        }),
        started_from: args.since.map(day_start),
        started_before: args.until.and_then(|d| d.succ_opt()).map(day_start),
        area_prefix: None,
    };
    if let Some(region) = &args.region {
        let region = region.trim();
        if !(2..=6).contains(&region.len()) || !region.bytes().all(|b| b.is_ascii_digit()) {
            bail!(
                "--region must be 2 to 6 digits of an administrative division code, got {region:?}"
            );
        }
        filter.area_prefix = Some(region.to_string());
    }
    if let Some(sector) = &args.sector
        && !paicha_core::checklist::SECTORS
            .iter()
            .any(|s| s.0 == sector)
    {
        let known: Vec<&str> = paicha_core::checklist::SECTORS
            .iter()
            .map(|s| s.0)
            .collect();
        bail!(
            "unknown sector {sector:?}; known sectors: {}",
            known.join(", ")
        );
    }
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
            HeaderArg::Zh => HeaderStyle::Chinese,
            HeaderArg::Keys => HeaderStyle::Keys,
        },
        excel: args.excel,
        sector: args.sector.clone(),
    };
    let written = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            let n = write_hazards_csv(store, &filter, &pack, &options, &mut out).await?;
            out.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
            n
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let n = write_hazards_csv(store, &filter, &pack, &options, &mut out).await?;
            out.flush()?;
            n
        }
    };
    eprintln!("exported {written} hazard(s)");
    Ok(true)
}

/// Writes the hazards matching `filter`; returns how many rows were written.
pub async fn write_hazards_csv(
    store: &Store,
    filter: &HazardFilter,
    pack: &ChecklistPack,
    options: &CsvOptions,
    out: &mut impl Write,
) -> anyhow::Result<usize> {
    let rows = store.hazards(filter).await?;
    if options.excel {
        out.write_all("\u{feff}".as_bytes())?;
    }
    let header: Vec<&str> = COLUMNS
        .iter()
        .map(|(zh, key)| {
            if options.header == HeaderStyle::Chinese {
                *zh
            } else {
                *key
            }
        })
        .collect();
    write_record(out, &header, options.excel)?;
    let mut written = 0;
    for row in &rows {
        let checklist = pack.find(&row.checklist_id, &row.checklist_content_hash);
        if let Some(sector) = &options.sector
            && checklist.is_none_or(|c| &c.sector != sector)
        {
            continue;
        }
        let fields = fields(row, checklist);
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        write_record(out, &refs, options.excel)?;
        written += 1;
    }
    Ok(written)
}

fn fields(row: &HazardRow, checklist: Option<&paicha_core::Checklist>) -> Vec<String> {
    let date = row.started_at.with_timezone(&china_time()).date_naive();
    let item = checklist.and_then(|c| c.item(&row.item_id));
    let basis = match (checklist, item) {
        (Some(c), Some(item)) => {
            let source = c.source(&item.basis.source);
            let title = source.map_or(item.basis.source.as_str(), |s| s.title.as_str());
            let number = source
                .and_then(|s| s.number.as_deref())
                .map(|n| format!("（{n}）"))
                .unwrap_or_default();
            format!("《{title}》{number}{}", item.basis.clause)
        }
        _ => String::new(),
    };
    let names: Vec<&str> = row.inspectors.iter().map(|(n, _)| n.as_str()).collect();
    let certs: Vec<&str> = row.inspectors.iter().map(|(_, c)| c.as_str()).collect();
    // The random tail of the inspection's UUID (the head of a time-ordered UUID is a clock).
    let hex: Vec<char> = row
        .inspection_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    let short_id: String = hex[hex.len().saturating_sub(12)..].iter().collect();
    vec![
        format!("YH-{}-{short_id}-{}", date.format("%Y%m%d"), row.item_id),
        row.site_name.clone(),
        row.credit_code.clone(),
        row.credit_code.get(2..8).unwrap_or("").to_string(),
        checklist
            .map(|c| c.sector_name_zh().to_string())
            .unwrap_or_default(),
        date.format("%Y-%m-%d").to_string(),
        names.join("、"),
        certs.join("、"),
        item.map_or_else(|| row.item_id.clone(), |i| i.zh.clone()),
        row.description.clone(),
        match row.level {
            HazardLevel::General => "一般隐患",
            HazardLevel::Major => "重大隐患",
        }
        .to_string(),
        basis,
        // Rectification is not tracked by the ledger yet: every hazard is still open.
        "未整改".to_string(),
        format!("{} {}", row.checklist_id, row.checklist_version),
        row.inspection_id.clone(),
        row.bundle_id.clone(),
    ]
}

/// One RFC 4180 record: fields quoted when needed, CRLF line end.
fn write_record(out: &mut impl Write, fields: &[&str], excel: bool) -> std::io::Result<()> {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        let guarded;
        let field = if excel && field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            guarded = format!("'{field}");
            guarded.as_str()
        } else {
            field
        };
        if field.contains([',', '"', '\n', '\r']) {
            write!(out, "\"{}\"", field.replace('"', "\"\""))?;
        } else {
            out.write_all(field.as_bytes())?;
        }
    }
    out.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str], excel: bool) -> String {
        let mut out = Vec::new();
        write_record(&mut out, fields, excel).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(
            record(&["a", "b,c", "say \"hi\"", "two\nlines"], false),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
    }

    #[test]
    fn excel_mode_defuses_formulas() {
        assert_eq!(record(&["=1+1", "ok"], true), "'=1+1,ok\r\n");
        assert_eq!(record(&["=1+1"], false), "=1+1\r\n");
    }

    #[test]
    fn days_are_china_standard_time() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            crate::time::to_db(day_start(d)),
            "2026-02-28T16:00:00.000000Z"
        );
    }
}
