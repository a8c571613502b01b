//! The hazard ledger (隐患台账): one row per hazard, in one column set for the device's CSV,
//! the ledger's `export hazards` and `GET /api/hazards`.
//!
//! Columns are only ever appended: programs read the ledger's CSV by position. Every day in
//! a row (and in the hazard number) is a China Standard Time day, whatever the clock of the
//! machine that writes it, so a phone and the ledger write the same row for one hazard.

use crate::checklist::{Checklist, sector_name_zh};
use crate::finding::{MajorHazardPlan, RectificationOrder, Suspension};
use crate::followup::{FollowUp, HazardStatus};
use crate::inspection::{Inspection, InspectionKind, Verdict};
use crate::review::{Escalation, ReviewOutcome};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// China Standard Time (UTC+8, no daylight saving): the time zone of every day the ledger
/// reports.
pub fn china_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The China Standard Time day of an instant.
pub fn china_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&china_time()).date_naive()
}

/// The instant a China Standard Time day starts, in UTC.
pub fn china_day_start(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    china_time()
        .from_local_datetime(&midnight)
        .single()
        .expect("fixed offsets are unambiguous")
        .with_timezone(&Utc)
}

/// 隐患编号: `YH-<inspection day, yyyymmdd CST>-<last 12 hex digits of the inspection id>-<item
/// id>`, e.g. `YH-20261129-0123456789ab-FW-05`. The tail of the id is its random part (the
/// head of a time-ordered UUID is a clock), so numbers of one day do not collide.
pub fn hazard_no(inspection_id: &str, started_at: DateTime<Utc>, item_id: &str) -> String {
    let hex: Vec<char> = inspection_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    let tail: String = hex[hex.len().saturating_sub(12)..].iter().collect();
    let day = china_day(started_at).format("%Y%m%d");
    format!("YH-{day}-{tail}-{item_id}")
}

/// One column: a stable snake_case key for programs and the Chinese label printed ledgers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub label: &'static str,
}

/// Which names head the columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Header {
    /// The Chinese labels, as on printed ledgers.
    #[default]
    Chinese,
    /// The snake_case keys.
    Keys,
}

impl Header {
    pub fn names(self) -> Vec<&'static str> {
        COLUMNS
            .iter()
            .map(|c| match self {
                Header::Chinese => c.label,
                Header::Keys => c.key,
            })
            .collect()
    }
}

/// Declares the row struct, its column list and its cells from one list, so that the three
/// cannot disagree: a field's name is its column's key.
macro_rules! hazard_ledger_columns {
    ($($(#[$doc:meta])* $key:ident => $label:literal,)*) => {
        /// One hazard-ledger row, every cell as printed. Serialised (JSON) with the column
        /// keys, in column order.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct HazardLedgerRow {
            $($(#[$doc])* pub $key: String,)*
        }

        /// The columns, in order.
        pub const COLUMNS: &[Column] = &[$(Column { key: stringify!($key), label: $label },)*];

        impl HazardLedgerRow {
            /// The cells in column order.
            pub fn cells(&self) -> Vec<&str> {
                vec![$(self.$key.as_str(),)*]
            }
        }
    };
}

hazard_ledger_columns! {
    hazard_no => "隐患编号",
    org_name => "单位名称",
    uscc => "统一社会信用代码",
    /// Positions 3–8 of the credit code.
    area_code => "行政区划代码",
    /// The checklist's sector.
    industry => "行业类别",
    check_date => "检查日期",
    /// The inspector, then the co-inspectors, joined by 、.
    inspectors => "检查人员",
    enforcement_cert_no => "执法证号",
    item => "检查项",
    description => "隐患描述",
    level => "隐患等级",
    basis => "判定依据",
    status => "状态",
    /// Checklist id and version.
    checklist => "检查表",
    inspection_id => "检查记录编号",
    bundle_id => "批次编号",
    /// The day a re-inspection verified the rectification (its seal).
    review_date => "验收日期",
    // Since the follow-up statuses (ledger schema version 3):
    status_code => "状态代码",
    /// The deadline in force (an extension's, else the order's).
    deadline => "整改期限",
    escalation => "处理措施",
    review_inspection_id => "复查记录编号",
    review_note => "复查意见",
    inspection_kind => "检查类型",
    inspector_organisation => "执法单位",
    location => "隐患部位",
    site_address => "单位地址",
    site_township => "乡镇（街道）",
    site_grid => "网格",
    site_sectors => "单位行业",
    contact_name => "联系人",
    contact_phone => "联系电话",
    // Since one column set serves the device and the ledger (ledger schema version 4):
    item_id => "条目编号",
    measures => "整改措施",
    responsible => "整改责任人",
    funds_yuan => "预计资金（元）",
    /// 否 for a general hazard; the decision for a major one.
    suspension => "是否停产停业",
    /// The 五落实 plan of a major hazard (empty for a general one).
    plan_target => "治理目标和任务",
    plan_organisation => "治理机构和人员",
    plan_safety_measures => "安全措施和应急预案",
    plan_funds_materials => "经费和物资",
    plan_time_limit => "治理时限",
    /// 已签章, or 草稿（未签章） for a draft on the device.
    record_state => "签章状态",
    /// 已整改 or 未整改 by the latest review, （复查未签章） while its re-inspection is open.
    review_outcome => "复查结论",
    /// The day of that review.
    review_day => "复查日期",
    // Since checklists carry their documents' editions (issue 20):
    /// The document the item cites, as 《title》（number）.
    basis_document => "依据文件",
    /// That document's edition as the inspection's checklist recorded it: number, dates, status
    /// and the day it was checked (`Source::edition`); flagged when the ledger does not hold the
    /// exact checklist version the inspection used.
    basis_edition => "依据文件版本",
    /// The content hash of the exact checklist version the inspection used.
    checklist_content_hash => "检查表内容哈希",
}

/// Index of a column by its key.
pub fn column(key: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| c.key == key)
}

/// 隐患等级.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardLevel {
    /// 一般隐患
    General,
    /// 重大隐患
    Major,
}

impl HazardLevel {
    pub const ALL: [HazardLevel; 2] = [HazardLevel::General, HazardLevel::Major];

    /// The level of a verdict; none for compliant and not applicable.
    pub fn of(verdict: Verdict) -> Option<Self> {
        match verdict {
            Verdict::GeneralHazard => Some(HazardLevel::General),
            Verdict::MajorHazard => Some(HazardLevel::Major),
            Verdict::Compliant | Verdict::NotApplicable => None,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            HazardLevel::General => "general",
            HazardLevel::Major => "major",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.slug() == slug)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            HazardLevel::General => "一般隐患",
            HazardLevel::Major => "重大隐患",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            HazardLevel::General => "General hazard",
            HazardLevel::Major => "Major hazard",
        }
    }
}

/// What a row is made of, as the device or the ledger holds it.
#[derive(Debug, Clone)]
pub struct HazardFacts<'a> {
    pub inspection_id: &'a str,
    pub item_id: &'a str,
    /// The checklist version the inspection used (or one with its id), when known: it names
    /// the sector, the item and its legal basis.
    pub checklist: Option<&'a Checklist>,
    pub checklist_id: &'a str,
    pub checklist_version: &'a str,
    /// The content hash the inspection recorded.
    pub checklist_content_hash: &'a str,
    /// Whether `checklist` is that exact version (not only one with the same id).
    pub checklist_exact: bool,
    pub site_name: &'a str,
    pub credit_code: &'a str,
    pub site_address: &'a str,
    pub site_township: &'a str,
    pub site_grid: &'a str,
    /// Sector ids.
    pub site_sectors: &'a [String],
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub kind: InspectionKind,
    /// (name, 执法证号): the inspector first, then the co-inspectors. An officer listed twice
    /// (by certificate) is shown once.
    pub officers: Vec<(&'a str, &'a str)>,
    pub inspector_organisation: &'a str,
    pub started_at: DateTime<Utc>,
    pub sealed: bool,
    /// The bundle that brought the inspection to the ledger (empty on the device).
    pub bundle_id: &'a str,
    pub level: HazardLevel,
    pub description: &'a str,
    pub location: &'a str,
    pub order: Option<&'a RectificationOrder>,
    /// Used for a major hazard only.
    pub plan: Option<&'a MajorHazardPlan>,
    /// Where the hazard stands; none for a hazard of an inspection not sealed.
    pub standing: Option<Standing<'a>>,
}

/// A hazard's follow-up status on the day asked about.
#[derive(Debug, Clone)]
pub struct Standing<'a> {
    pub status: HazardStatus,
    /// The deadline in force.
    pub deadline: Option<NaiveDate>,
    /// The latest decided review, if any.
    pub review: Option<ReviewFacts<'a>>,
}

/// The review that decides a hazard's status.
#[derive(Debug, Clone)]
pub struct ReviewFacts<'a> {
    pub reviewing_inspection_id: String,
    pub outcome: ReviewOutcome,
    pub escalation: Option<Escalation>,
    /// 复查意见
    pub note: &'a str,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// When the re-inspection was sealed (the rectification is verified then); none while
    /// it is open on the device.
    pub sealed_at: Option<DateTime<Utc>>,
}

impl HazardLedgerRow {
    /// The row of one hazard.
    pub fn new(f: &HazardFacts<'_>) -> Self {
        let day = |t: DateTime<Utc>| china_day(t).format("%Y-%m-%d").to_string();
        let item = f.checklist.and_then(|c| c.item(f.item_id));
        let source = f
            .checklist
            .zip(item)
            .and_then(|(c, item)| c.source_of(item));
        let major = f.level == HazardLevel::Major;
        let mut officers: Vec<(&str, &str)> = Vec::new();
        for officer in &f.officers {
            if !officers.iter().any(|(_, cert)| *cert == officer.1) {
                officers.push(*officer);
            }
        }
        let join = |cells: Vec<&str>| cells.join("、");
        let order = f.order.cloned().unwrap_or_default();
        let plan = f.plan.filter(|_| major).cloned();
        let plan_cell = |field: fn(&MajorHazardPlan) -> &String| {
            plan.as_ref().map(|p| field(p).clone()).unwrap_or_default()
        };
        let standing = f.standing.as_ref();
        let review = standing.and_then(|s| s.review.as_ref());
        let verified = standing.is_some_and(|s| s.status == HazardStatus::Verified);
        Self {
            hazard_no: hazard_no(f.inspection_id, f.started_at, f.item_id),
            org_name: f.site_name.to_string(),
            uscc: f.credit_code.to_string(),
            area_code: f.credit_code.get(2..8).unwrap_or("").to_string(),
            industry: f
                .checklist
                .map(|c| c.sector_name_zh().to_string())
                .unwrap_or_default(),
            check_date: day(f.started_at),
            inspectors: join(officers.iter().map(|o| o.0).collect()),
            enforcement_cert_no: join(officers.iter().map(|o| o.1).collect()),
            item: item.map_or_else(|| f.item_id.to_string(), |i| i.zh.clone()),
            description: f.description.to_string(),
            level: f.level.label_zh().to_string(),
            basis: match (f.checklist, item) {
                (Some(c), Some(item)) => c.basis_with_caveats(item),
                _ => String::new(),
            },
            status: standing.map_or("", |s| s.status.label_zh()).to_string(),
            checklist: format!("{} {}", f.checklist_id, f.checklist_version),
            inspection_id: f.inspection_id.to_string(),
            bundle_id: f.bundle_id.to_string(),
            review_date: review
                .and_then(|r| r.sealed_at)
                .filter(|_| verified)
                .map(day)
                .unwrap_or_default(),
            status_code: standing.map_or("", |s| s.status.slug()).to_string(),
            deadline: standing
                .and_then(|s| s.deadline)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| order.deadline.clone()),
            escalation: review
                .and_then(|r| r.escalation)
                .map_or("", Escalation::label_zh)
                .to_string(),
            review_inspection_id: review
                .map(|r| r.reviewing_inspection_id.clone())
                .unwrap_or_default(),
            review_note: review.map(|r| r.note.to_string()).unwrap_or_default(),
            inspection_kind: f.kind.label_zh().to_string(),
            inspector_organisation: f.inspector_organisation.to_string(),
            location: f.location.to_string(),
            site_address: f.site_address.to_string(),
            site_township: f.site_township.to_string(),
            site_grid: f.site_grid.to_string(),
            site_sectors: join(
                f.site_sectors
                    .iter()
                    .map(|id| sector_name_zh(id).unwrap_or(id))
                    .collect(),
            ),
            contact_name: f.contact_name.to_string(),
            contact_phone: f.contact_phone.to_string(),
            item_id: f.item_id.to_string(),
            measures: order.measures,
            responsible: order.responsible,
            funds_yuan: order.funds_yuan,
            suspension: if major {
                plan.as_ref()
                    .map_or(Suspension::Undecided, |p| p.suspension)
                    .label_zh()
            } else {
                Suspension::None.label_zh()
            }
            .to_string(),
            plan_target: plan_cell(|p| &p.target),
            plan_organisation: plan_cell(|p| &p.organisation),
            plan_safety_measures: plan_cell(|p| &p.safety_measures),
            plan_funds_materials: plan_cell(|p| &p.funds_materials),
            plan_time_limit: plan_cell(|p| &p.time_limit),
            record_state: if f.sealed {
                "已签章"
            } else {
                "草稿（未签章）"
            }
            .to_string(),
            review_outcome: review.map(review_outcome).unwrap_or_default(),
            review_day: review
                .and_then(|r| r.reviewed_at)
                .map(day)
                .unwrap_or_default(),
            basis_document: source
                .map(|s| {
                    let number = s
                        .number
                        .as_ref()
                        .map(|n| format!("（{n}）"))
                        .unwrap_or_default();
                    format!("《{}》{number}", s.title)
                })
                .unwrap_or_default(),
            basis_edition: source
                .map(|s| {
                    let mut edition = s.edition();
                    if !f.checklist_exact {
                        edition.push_str("〔台账没有检查所用的检查表版本，按同编号的版本推定〕");
                    }
                    edition
                })
                .unwrap_or_default(),
            checklist_content_hash: f.checklist_content_hash.to_string(),
        }
    }

    /// The row of hazard `item_id` of an inspection on the device, with where it stands
    /// (`follow_up`: its entry in [`crate::followup::follow_up`], none for a draft's hazard).
    /// None when the item is not a hazard of the inspection.
    pub fn from_inspection(
        inspection: &Inspection,
        checklist: Option<&Checklist>,
        item_id: &str,
        follow_up: Option<&FollowUp<'_>>,
    ) -> Option<Self> {
        let answer = inspection.answers.get(item_id)?;
        let level = HazardLevel::of(answer.verdict)?;
        let site = &inspection.site;
        let id = inspection.id.to_string();
        let standing = follow_up.map(|f| Standing {
            status: f.status,
            deadline: f.deadline,
            review: f.review.map(|(re, review)| ReviewFacts {
                reviewing_inspection_id: re.id.to_string(),
                outcome: review.outcome,
                escalation: review.escalation,
                note: &review.note,
                reviewed_at: review.reviewed_at,
                sealed_at: re.sealed_at,
            }),
        });
        Some(Self::new(&HazardFacts {
            inspection_id: &id,
            item_id,
            checklist,
            checklist_id: &inspection.checklist.id,
            checklist_version: &inspection.checklist.version,
            checklist_content_hash: &inspection.checklist.content_hash.0,
            // On the device the checklist is looked up by its content hash.
            checklist_exact: checklist.is_some(),
            site_name: &site.name,
            credit_code: site.credit_code.as_str(),
            site_address: &site.address,
            site_township: &site.township,
            site_grid: &site.grid,
            site_sectors: &site.sectors,
            contact_name: &site.contact_name,
            contact_phone: &site.contact_phone,
            kind: inspection.kind,
            officers: inspection
                .officers()
                .map(|o| (o.name.as_str(), o.cert_no.as_str()))
                .collect(),
            inspector_organisation: &inspection.inspector.organisation,
            started_at: inspection.started_at,
            sealed: inspection.is_sealed(),
            bundle_id: "",
            level,
            description: &answer.description,
            location: &answer.location,
            order: answer.rectification.as_ref(),
            plan: answer.major_plan.as_ref(),
            standing,
        }))
    }
}

fn review_outcome(review: &ReviewFacts<'_>) -> String {
    let outcome = match review.outcome {
        ReviewOutcome::Rectified => "已整改",
        ReviewOutcome::NotRectified | ReviewOutcome::Pending => "未整改",
    };
    let open = if review.sealed_at.is_none() {
        "（复查未签章）"
    } else {
        ""
    };
    format!("{outcome}{open}")
}

/// RFC 4180 CSV of `rows` under `header`: UTF-8, CRLF, fields quoted only when needed.
pub fn write_csv(
    rows: &[HazardLedgerRow],
    header: Header,
    excel: bool,
    out: &mut impl std::io::Write,
) -> csv::Result<()> {
    if excel {
        out.write_all("\u{feff}".as_bytes())?;
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(header.names())?;
    for row in rows {
        let cells = row.cells();
        if excel {
            writer.write_record(cells.iter().map(|cell| defuse_formula(cell).into_owned()))?;
        } else {
            writer.write_record(cells)?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// A cell a spreadsheet would read as a formula (first character `=`, `+`, `-`, `@`, tab or
/// carriage return) gets a leading apostrophe, so that opening the file cannot run it.
pub fn defuse_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(rows: &[HazardLedgerRow], excel: bool) -> String {
        let mut out = Vec::new();
        write_csv(rows, Header::Keys, excel, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn row(description: &str, location: &str) -> HazardLedgerRow {
        HazardLedgerRow {
            description: description.into(),
            location: location.into(),
            ..HazardLedgerRow::default()
        }
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_ends_lines_in_crlf() {
        let text = csv(&[row("say \"hi\", twice", "two\nlines")], false);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with("hazard_no,org_name,uscc,"));
        assert!(
            text.contains(",\"say \"\"hi\"\", twice\","),
            "quotes doubled, comma quoted: {text}"
        );
        assert!(text.contains("\"two\nlines\""), "{text}");
        assert!(text.ends_with("\r\n"));
    }

    #[test]
    fn excel_mode_adds_a_bom_and_defuses_formulas_and_plain_mode_does_neither() {
        let rows = [row("=1+1", "@A1")];
        let excel = csv(&rows, true);
        assert!(excel.starts_with('\u{feff}'));
        assert!(excel.contains(",'=1+1,"), "{excel}");
        assert!(excel.contains(",'@A1,"), "{excel}");
        let plain = csv(&rows, false);
        assert!(!plain.starts_with('\u{feff}'));
        assert!(plain.contains(",=1+1,") && !plain.contains('\''), "{plain}");
    }

    use chrono::TimeZone;

    #[test]
    fn the_hazard_number_uses_the_china_day_and_the_random_tail_of_the_id() {
        let evening_utc = Utc.with_ymd_and_hms(2026, 11, 29, 20, 0, 0).unwrap();
        assert_eq!(
            hazard_no("0192f3a4-0000-7000-8000-0123456789ab", evening_utc, "FW-05"),
            "YH-20261130-0123456789ab-FW-05"
        );
    }

    #[test]
    fn keys_are_unique_snake_case_and_the_first_columns_keep_their_places() {
        let mut keys: Vec<&str> = COLUMNS.iter().map(|c| c.key).collect();
        assert!(
            keys.iter()
                .all(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), COLUMNS.len());
        let mut labels: Vec<&str> = COLUMNS.iter().map(|c| c.label).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), COLUMNS.len(), "one column per concept");
        // Programs read the ledger's CSV by position: these never move.
        assert_eq!(column("hazard_no"), Some(0));
        assert_eq!(column("status"), Some(12));
        assert_eq!(column("review_date"), Some(16));
        assert_eq!(column("contact_phone"), Some(30));
        assert_eq!(column("item_id"), Some(31));
    }

    #[test]
    fn json_keys_are_the_column_keys_in_column_order() {
        let json = serde_json::to_string(&HazardLedgerRow::default()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value.as_object().unwrap().len(), COLUMNS.len());
        let mut at = 0;
        for column in COLUMNS {
            let found = json[at..].find(&format!("\"{}\":", column.key)).unwrap();
            at += found;
        }
        assert_eq!(HazardLedgerRow::default().cells().len(), COLUMNS.len());
        assert_eq!(Header::Keys.names()[0], "hazard_no");
        assert_eq!(Header::Chinese.names()[0], "隐患编号");
    }

    #[test]
    fn levels_are_spelled_by_slug() {
        for level in HazardLevel::ALL {
            assert_eq!(HazardLevel::from_slug(level.slug()), Some(level));
            assert_eq!(
                serde_json::to_value(level).unwrap(),
                serde_json::Value::String(level.slug().into())
            );
        }
        assert_eq!(HazardLevel::of(Verdict::Compliant), None);
        assert_eq!(HazardLevel::from_slug("high"), None);
    }
}
