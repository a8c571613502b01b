//! `paicha-ledger export hazards`: the hazard ledger (隐患台账) as CSV.

use crate::checklist_pack::ChecklistPack;
use crate::cli::{ExportFormat, ExportHazardsArgs, HeaderArg, LevelArg};
use crate::store::{HazardFilter, HazardLevel, HazardRow, HazardStatus, Store, StoreError};
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

/// (Chinese label, key) of each column, in order. New columns are appended, so that programs
/// reading columns by position keep working.
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
    ("验收日期", "review_date"),
    // Since the follow-up statuses (schema version 3):
    ("状态代码", "status_code"),
    ("整改期限", "deadline"),
    ("处理措施", "escalation"),
    ("复查记录编号", "review_inspection_id"),
    ("复查意见", "review_note"),
    ("检查类型", "inspection_kind"),
    ("执法单位", "inspector_organisation"),
    ("隐患部位", "location"),
    ("单位地址", "site_address"),
    ("乡镇（街道）", "site_township"),
    ("网格", "site_grid"),
    ("单位行业", "site_sectors"),
    ("联系人", "contact_name"),
    ("联系电话", "contact_phone"),
];

/// Index of a column in [`COLUMNS`] by its key (for tests and readers of the CSV).
pub fn column(key: &str) -> Option<usize> {
    COLUMNS.iter().position(|(_, k)| *k == key)
}

/// A status as `--status` and `?status=` spell it: the slug of
/// [`HazardStatus`](paicha_core::followup::HazardStatus), or `closed` (the name before
/// follow-up statuses) for `verified`.
pub fn parse_status(text: &str) -> Option<HazardStatus> {
    let text = text.trim();
    if text == "closed" {
        return Some(HazardStatus::Verified);
    }
    HazardStatus::ALL
        .into_iter()
        .find(|s| s.slug() == text || s.slug().replace('_', "-") == text)
}

#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub header: HeaderStyle,
    /// Excel/WPS friendly: a UTF-8 byte order mark, and cells that would start a formula are
    /// prefixed with an apostrophe so that opening the file cannot run them.
    pub excel: bool,
    /// Only hazards whose checklist belongs to this sector (needs the checklist pack).
    pub sector: Option<String>,
}

/// Which hazards to list, validated: the store's filter plus the sector, which needs the
/// checklist pack.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HazardQuery {
    pub filter: HazardFilter,
    pub sector: Option<String>,
}

/// Filters as an operator (`export hazards`) or an API client (`GET /api/hazards`) gives them.
#[derive(Debug, Clone, Default)]
pub struct HazardQueryInput<'a> {
    pub region: Option<&'a str>,
    pub sector: Option<&'a str>,
    pub level: Option<HazardLevel>,
    /// Any of these statuses; empty: any status.
    pub status: Vec<HazardStatus>,
    /// The day statuses are judged on; `None`: today (local).
    pub as_of: Option<NaiveDate>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl HazardQuery {
    /// Checks the filters; the error says what is wrong in words for people.
    pub fn new(input: HazardQueryInput<'_>) -> Result<Self, String> {
        let mut filter = HazardFilter {
            level: input.level,
            statuses: input.status,
            as_of: input.as_of,
            started_from: input.since.map(day_start),
            started_before: input.until.and_then(|d| d.succ_opt()).map(day_start),
            area_prefix: None,
        };
        if let (Some(since), Some(until)) = (input.since, input.until)
            && since > until
        {
            return Err(format!(
                "the start date {since} is after the end date {until}"
            ));
        }
        if let Some(region) = input.region {
            let region = region.trim();
            if !(2..=6).contains(&region.len()) || !region.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "the region must be 2 to 6 digits of an administrative division code, got {region:?}"
                ));
            }
            filter.area_prefix = Some(region.to_string());
        }
        if let Some(sector) = input.sector
            && !paicha_core::checklist::SECTORS
                .iter()
                .any(|s| s.0 == sector)
        {
            let known: Vec<&str> = paicha_core::checklist::SECTORS
                .iter()
                .map(|s| s.0)
                .collect();
            return Err(format!(
                "unknown sector {sector:?}; known sectors: {}",
                known.join(", ")
            ));
        }
        Ok(Self {
            filter,
            sector: input.sector.map(str::to_string),
        })
    }
}

/// The hazards matching `query`, each as the fields of [`COLUMNS`].
pub async fn hazard_records(
    store: &Store,
    query: &HazardQuery,
    pack: &ChecklistPack,
) -> Result<Vec<Vec<String>>, StoreError> {
    let rows = store.hazards(&query.filter).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let checklist = pack.find(&row.checklist_id, &row.checklist_content_hash);
        if let Some(sector) = &query.sector
            && checklist.is_none_or(|c| &c.sector != sector)
        {
            continue;
        }
        out.push(fields(row, checklist));
    }
    Ok(out)
}

/// Runs `export hazards` from its command-line arguments.
pub async fn run(store: &Store, args: &ExportHazardsArgs) -> anyhow::Result<bool> {
    let ExportFormat::Csv = args.format;
    let query = HazardQuery::new(HazardQueryInput {
        region: args.region.as_deref(),
        sector: args.sector.as_deref(),
        level: args.level.map(|l| match l {
            LevelArg::General => HazardLevel::General,
            LevelArg::Major => HazardLevel::Major,
        }),
        status: args.status.iter().map(|s| s.status()).collect(),
        as_of: args.as_of,
        since: args.since,
        until: args.until,
    })
    .map_err(|e| anyhow::anyhow!(e))?;
    let filter = query.filter;
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
    let query = HazardQuery {
        filter: filter.clone(),
        sector: options.sector.clone(),
    };
    let records = hazard_records(store, &query, pack).await?;
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
    for fields in &records {
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        write_record(out, &refs, options.excel)?;
    }
    Ok(records.len())
}

fn fields(row: &HazardRow, checklist: Option<&paicha_core::Checklist>) -> Vec<String> {
    let cst_day = |t: chrono::DateTime<Utc>| {
        t.with_timezone(&china_time())
            .format("%Y-%m-%d")
            .to_string()
    };
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
    let sectors: Vec<&str> = row
        .site
        .sectors
        .iter()
        .map(|id| {
            paicha_core::checklist::SECTORS
                .iter()
                .find(|s| s.0 == id.as_str())
                .map_or(id.as_str(), |s| s.1)
        })
        .collect();
    let review = row.review.as_ref();
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
        row.status.label_zh().to_string(),
        format!("{} {}", row.checklist_id, row.checklist_version),
        row.inspection_id.clone(),
        row.bundle_id.clone(),
        row.verified_at().map(cst_day).unwrap_or_default(),
        row.status.slug().to_string(),
        row.deadline
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| row.order_deadline.clone()),
        review
            .and_then(|r| r.escalation)
            .map(|e| e.label_zh().to_string())
            .unwrap_or_default(),
        review
            .map(|r| r.reviewing_inspection_id.clone())
            .unwrap_or_default(),
        review.map(|r| r.note.clone()).unwrap_or_default(),
        row.kind.label_zh().to_string(),
        row.inspector_organisation.clone(),
        row.location.clone(),
        row.site.address.clone(),
        row.site.township.clone(),
        row.site.grid.clone(),
        sectors.join("、"),
        row.site.contact_name.clone(),
        row.site.contact_phone.clone(),
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
    fn columns_are_unique_and_statuses_parse_by_slug() {
        let mut keys: Vec<&str> = COLUMNS.iter().map(|(_, k)| *k).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), COLUMNS.len());
        assert_eq!(column("status"), Some(12));
        assert_eq!(
            column("review_date"),
            Some(16),
            "the first 17 columns keep their places"
        );
        for status in HazardStatus::ALL {
            assert_eq!(parse_status(status.slug()), Some(status));
        }
        assert_eq!(parse_status("due-soon"), Some(HazardStatus::DueSoon));
        assert_eq!(parse_status("closed"), Some(HazardStatus::Verified));
        assert_eq!(parse_status("done"), None);
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
