//! What the printed records say, as data: the lines of the 现场检查记录 (on-site inspection
//! record), the cells of its findings table and of the 复查意见书, and the hazard ledger
//! (隐患台账) of every inspection on the device as a CSV file.
//!
//! The printed documents contain only what the record holds: no document numbers (文号) are
//! made up, the legal basis is the one the checklist item carries, and items whose text is a
//! paraphrase (or whose source is unverified) say so. Everything the user typed goes to the CSV
//! as data: quoted per RFC 4180 and guarded against spreadsheet formula injection.

use super::Model;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use paicha_core::checklist::{ChecklistRef, Item, SourceStatus, Verification};
use paicha_core::finding::Suspension;
use paicha_core::followup::FollowUp;
use paicha_core::reinspection::{Escalation, HazardReview, ReviewOutcome};
use paicha_core::{Answer, Checklist, Inspection, Inspector, Verdict};
use uuid::Uuid;

/// The first 8 hex digits of an inspection id: short enough to print, long enough to tell the
/// inspections of one device apart.
pub fn short_id(id: &Uuid) -> String {
    id.simple().to_string()[..8].to_string()
}

/// 隐患编号: `<inspection short id>-<item id>`, stable across exports.
pub fn hazard_no(inspection: &Uuid, item_id: &str) -> String {
    format!("{}-{item_id}", short_id(inspection))
}

/// The first 12 hex digits of a checklist content hash.
pub fn short_hash(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// The legal basis an item carries: source title, its document number when the checklist
/// confirms one, and the clause. Nothing is added that the checklist does not hold.
pub fn basis_text(checklist: &Checklist, item: &Item) -> String {
    match checklist.source(&item.basis.source) {
        Some(source) => {
            let number = source
                .number
                .as_ref()
                .map(|n| format!("（{n}）"))
                .unwrap_or_default();
            format!("{}{number} {}", source.title, item.basis.clause)
        }
        None => item.basis.clause.clone(),
    }
}

/// Caveats about an item's basis, to be printed next to it: a paraphrase is not the official
/// wording; a fragment's place in the source is inferred; an unverified or superseded source.
pub fn basis_caveats(checklist: &Checklist, item: &Item) -> Vec<&'static str> {
    let mut out = Vec::new();
    match item.verification {
        Verification::Verbatim => {}
        Verification::Fragment => out.push("条文片段，出处推定"),
        Verification::Paraphrase => out.push("转述，非法规原文，引用前请核对原文"),
    }
    match checklist.source(&item.basis.source).map(|s| s.status) {
        Some(SourceStatus::Unverified) => out.push("出处待核实"),
        Some(SourceStatus::Superseded) => out.push("依据已被替代"),
        _ => {}
    }
    out
}

/// The basis with its caveats in brackets, for a single cell.
pub fn basis_with_caveats(checklist: &Checklist, item: &Item) -> String {
    let mut text = basis_text(checklist, item);
    for caveat in basis_caveats(checklist, item) {
        text.push_str(&format!("〔{caveat}〕"));
    }
    text
}

pub fn level_zh(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::MajorHazard => "重大",
        Verdict::GeneralHazard => "一般",
        _ => "",
    }
}

pub fn suspension_zh(suspension: Suspension) -> &'static str {
    match suspension {
        Suspension::Undecided => "未决定",
        Suspension::None => "否",
        Suspension::Partial => "局部停产停业",
        Suspension::Full => "全部停产停业",
    }
}

/// A date in Chinese document style, e.g. `2026年11月29日`.
pub fn date_zh(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// One line of the record: an item that applies (answered or not), or an answered item.
#[derive(Debug, Clone)]
pub struct RecordRow<'c> {
    pub item_id: String,
    /// None when the checklist version is not on this device.
    pub item: Option<&'c Item>,
    pub answer: Option<Answer>,
}

impl RecordRow<'_> {
    pub fn is_hazard(&self) -> bool {
        self.answer.as_ref().is_some_and(|a| a.verdict.is_hazard())
    }
}

/// The record's lines in checklist order: every applicable item, answered or not, and any
/// answered item even if it no longer applies. Without the checklist, the answers by item id.
pub fn record_rows<'c>(
    inspection: &Inspection,
    checklist: Option<&'c Checklist>,
) -> Vec<RecordRow<'c>> {
    let mut rows = Vec::new();
    let Some(checklist) = checklist else {
        return inspection
            .answers
            .iter()
            .map(|(id, a)| RecordRow {
                item_id: id.clone(),
                item: None,
                answer: Some(a.clone()),
            })
            .collect();
    };
    let yes = inspection.applicable_keys();
    for item in checklist.items() {
        let answer = inspection.answers.get(&item.id).cloned();
        let applies = item.applies_if.iter().all(|k| yes.contains(k));
        if applies || answer.is_some() {
            rows.push(RecordRow {
                item_id: item.id.clone(),
                item: Some(item),
                answer,
            });
        }
    }
    // Answers to items the checklist does not have cannot occur (answering checks the item),
    // but a record must never hide what it holds.
    for (id, answer) in &inspection.answers {
        if checklist.item(id).is_none() {
            rows.push(RecordRow {
                item_id: id.clone(),
                item: None,
                answer: Some(answer.clone()),
            });
        }
    }
    rows
}

/// The hazards of an inspection, in checklist order.
pub fn hazard_rows<'c>(
    inspection: &Inspection,
    checklist: Option<&'c Checklist>,
) -> Vec<RecordRow<'c>> {
    record_rows(inspection, checklist)
        .into_iter()
        .filter(RecordRow::is_hazard)
        .collect()
}

/// Items that apply but have not been answered.
pub fn unanswered(rows: &[RecordRow<'_>]) -> usize {
    rows.iter().filter(|r| r.answer.is_none()).count()
}

// ---- The hazard ledger (隐患台账) as CSV ----------------------------------------------------

/// Columns of the ledger, after the fields of real 隐患台账 forms (research notes, section 12).
/// New columns go at the end, so that existing consumers keep reading the first ones.
pub const LEDGER_HEADER: [&str; 30] = [
    "隐患编号",
    "单位名称",
    "统一社会信用代码",
    "检查日期",
    "检查人员",
    "执法证号",
    "检查表",
    "条目编号",
    "检查内容",
    "隐患描述",
    "隐患部位",
    "隐患等级",
    "判定依据",
    "整改措施",
    "整改责任人",
    "整改期限",
    "预计资金（元）",
    "是否停产停业",
    "治理目标和任务",
    "治理机构和人员",
    "安全措施和应急预案",
    "经费和物资",
    "治理时限",
    "状态",
    "检查记录",
    "同行检查人员",
    "同行执法证号",
    "检查类型",
    "督查状态",
    "复查结论",
];

pub type LedgerRow = [String; LEDGER_HEADER.len()];

/// One ledger row for one hazard. `tz` gives the local dates; `follow_up` is where the hazard
/// stands on the export date (none for a hazard of an inspection not sealed).
pub fn ledger_row<Tz: TimeZone>(
    inspection: &Inspection,
    checklist: Option<&Checklist>,
    row: &RecordRow<'_>,
    follow_up: Option<&FollowUp<'_>>,
    tz: &Tz,
) -> LedgerRow {
    let date = |t: &DateTime<Utc>| {
        t.with_timezone(tz)
            .date_naive()
            .format("%Y-%m-%d")
            .to_string()
    };
    let answer = row
        .answer
        .clone()
        .expect("ledger rows are answered hazards");
    let order = answer.rectification.clone().unwrap_or_default();
    let major = answer.verdict == Verdict::MajorHazard;
    let plan = answer
        .major_plan
        .clone()
        .filter(|_| major)
        .unwrap_or_default();
    let plan_field = |s: &str| if major { s.to_string() } else { String::new() };
    let team = |field: fn(&Inspector) -> &String| {
        let list: Vec<&str> = inspection
            .co_inspectors
            .iter()
            .map(|co| field(co).as_str())
            .collect();
        list.join("、")
    };
    let checklist_name = match checklist {
        Some(c) => format!("{} v{}", c.title.zh, c.version),
        None => format!(
            "{} v{}",
            inspection.checklist.id, inspection.checklist.version
        ),
    };
    let status = follow_up.map_or("", |f| f.status.label_zh()).to_string();
    let (text, basis) = match (checklist, row.item) {
        (Some(c), Some(item)) => (item.zh.clone(), basis_with_caveats(c, item)),
        _ => (
            "（检查表版本不在本机）".to_string(),
            "（检查表版本不在本机）".to_string(),
        ),
    };
    [
        hazard_no(&inspection.id, &row.item_id),
        inspection.site.name.clone(),
        inspection.site.credit_code.to_string(),
        date(&inspection.started_at),
        inspection.inspector.name.clone(),
        inspection.inspector.cert_no.clone(),
        checklist_name,
        row.item_id.clone(),
        text,
        answer.description.clone(),
        answer.location.clone(),
        level_zh(answer.verdict).to_string(),
        basis,
        order.measures,
        order.responsible,
        order.deadline,
        order.funds_yuan,
        if major {
            suspension_zh(plan.suspension).to_string()
        } else {
            "否".to_string()
        },
        plan_field(&plan.target),
        plan_field(&plan.organisation),
        plan_field(&plan.safety_measures),
        plan_field(&plan.funds_materials),
        plan_field(&plan.time_limit),
        // Where the hazard stands, as in 督查状态 (and the ledger's 状态); none for a draft.
        status.clone(),
        if inspection.is_sealed() {
            "已签章".to_string()
        } else {
            "草稿（未签章）".to_string()
        },
        team(|co| &co.name),
        team(|co| &co.cert_no),
        inspection.kind.label_zh().to_string(),
        status,
        follow_up
            .and_then(|f| f.review)
            .map(|(re, review)| {
                let outcome = match review.outcome {
                    ReviewOutcome::Rectified => "已整改",
                    _ => "未整改",
                };
                let action = match review.escalation {
                    Some(Escalation::Extension) => {
                        format!("，责令延期整改至 {}", review.new_deadline)
                    }
                    Some(e) => format!("，{}", e.label_zh()),
                    None => String::new(),
                };
                let draft = if re.is_sealed() {
                    ""
                } else {
                    "（复查未签章）"
                };
                format!("{} {outcome}{action}{draft}", date(&re.started_at))
            })
            .unwrap_or_default(),
    ]
}

impl Model {
    /// Every hazard of every inspection on this device, oldest inspection first, each
    /// inspection's hazards in checklist order, with its follow-up status on `today` (the
    /// local date). `checklist_for` finds the exact checklist version an inspection used
    /// (None when it is not on the device).
    pub fn hazard_ledger<'c, Tz: TimeZone>(
        &self,
        checklist_for: impl Fn(&ChecklistRef) -> Option<&'c Checklist>,
        tz: &Tz,
        today: NaiveDate,
    ) -> Vec<LedgerRow> {
        let follow_up = self.follow_up(today);
        let mut inspections: Vec<&Inspection> = self.inspections.values().collect();
        inspections.sort_by_key(|i| (i.started_at, i.id));
        inspections
            .into_iter()
            .flat_map(|inspection| {
                let checklist = checklist_for(&inspection.checklist);
                hazard_rows(inspection, checklist)
                    .iter()
                    .map(|row| {
                        let f = follow_up
                            .iter()
                            .find(|f| f.inspection.id == inspection.id && f.item_id == row.item_id);
                        ledger_row(inspection, checklist, row, f, tz)
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// One CSV field. A value a spreadsheet would read as a formula (first character `=`, `+`,
/// `-`, `@`, tab or carriage return) gets a leading `'`; a value with a quote, comma or line
/// break is quoted, with quotes doubled (RFC 4180).
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if guarded.contains(['"', ',', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A CSV document: UTF-8 byte-order mark (so that Excel reads the file as UTF-8), the header
/// and one line per row, each ending in CRLF (RFC 4180).
pub fn to_csv<R: AsRef<[String]>>(header: &[&str], rows: &[R]) -> String {
    let mut out = String::from('\u{feff}');
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        let cells: Vec<String> = cells.collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(&mut header.iter().map(|h| csv_cell(h)));
    for row in rows {
        line(&mut row.as_ref().iter().map(|c| csv_cell(c)));
    }
    out
}

pub fn ledger_csv(rows: &[LedgerRow]) -> String {
    to_csv(&LEDGER_HEADER, rows)
}

/// `paicha-hazards-<yyyymmdd>.csv`
pub fn ledger_file_name(date: NaiveDate) -> String {
    format!("paicha-hazards-{}.csv", date.format("%Y%m%d"))
}

/// A cell's text, or a dash where there is none.
pub fn dash(s: &str) -> String {
    if s.trim().is_empty() {
        "—".to_string()
    } else {
        s.to_string()
    }
}

/// The cells of one line of the findings table, and the line's class.
pub fn finding_cells(row: &RecordRow<'_>) -> (&'static str, [String; 8]) {
    let answer = row.answer.as_ref();
    let verdict = answer.map(|a| a.verdict);
    let class = match verdict {
        Some(Verdict::MajorHazard) => "major-row",
        Some(Verdict::GeneralHazard) => "general-row",
        _ => "",
    };
    let text = row.item.map_or_else(|| "—".to_string(), |i| i.zh.clone());
    let result = verdict.map_or("未检查", Verdict::label_zh).to_string();
    let mut cells = [
        row.item_id.clone(),
        text,
        result,
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ];
    if let Some(a) = answer.filter(|a| a.verdict.is_hazard()) {
        let order = a.rectification.clone().unwrap_or_default();
        let mut description = dash(&a.description);
        if !a.photos.is_empty() {
            description.push_str(&format!("\n（附照片 {} 张）", a.photos.len()));
        }
        cells[3] = description;
        cells[4] = dash(&a.location);
        cells[5] = dash(&order.measures);
        cells[6] = dash(&order.responsible);
        cells[7] = dash(&order.deadline);
    }
    (class, cells)
}

/// The cells of one reviewed hazard in the 复查意见书, and the line's class.
pub fn review_cells(review: &HazardReview, item_text: &str) -> (&'static str, [String; 7]) {
    let (class, result) = match review.outcome {
        ReviewOutcome::Rectified => ("ok-row", "已整改".to_string()),
        ReviewOutcome::NotRectified => ("major-row", "未整改".to_string()),
        ReviewOutcome::Pending => ("", "未复查".to_string()),
    };
    let result = if review.photos.is_empty() {
        result
    } else {
        format!("{result}\n（附照片 {} 张）", review.photos.len())
    };
    let action = match review.escalation {
        Some(Escalation::Extension) => format!(
            "{}，新整改期限 {}",
            Escalation::Extension.label_zh(),
            dash(&review.new_deadline)
        ),
        Some(e) => e.label_zh().to_string(),
        None if review.outcome == ReviewOutcome::Rectified => "验收销号".to_string(),
        None => "—".to_string(),
    };
    (
        class,
        [
            hazard_no(&review.hazard.inspection_id, &review.hazard.item_id),
            dash(item_text),
            format!(
                "{}：{}",
                review.original_verdict.label_zh(),
                dash(&review.original_description)
            ),
            dash(&review.original_deadline),
            result,
            action,
            dash(&review.note),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;
    use paicha_core::finding::{MajorHazardPlan, RectificationOrder};
    use paicha_core::reinspection::HazardRef;
    use paicha_core::{CreditCode, Site};

    const HOSTILE: &str = "<img src=x onerror=alert(1)>";

    fn fireworks() -> Checklist {
        Checklist::from_toml(
            "fireworks.toml",
            include_str!("../../checklists/fireworks.toml"),
        )
        .unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn beijing() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    /// An inspection with FW-01 compliant, FW-02 a general hazard (hostile description,
    /// formula-like responsible person), FW-05 a major hazard with its plan.
    fn inspection(checklist: &Checklist, id: u128, started: &str) -> Inspection {
        let site = Site::new(
            "某某烟花爆竹有限公司, \"东厂\"",
            CreditCode::parse("91440300708461136T").unwrap(),
        )
        .unwrap();
        let inspector = Inspector::new("张三", "44010012345").unwrap();
        let now = at(started);
        let mut i = Inspection::start(Uuid::from_u128(id), site, checklist, inspector, now);
        i.answer(checklist, "FW-01", Verdict::Compliant, "", now)
            .unwrap();
        i.answer(
            checklist,
            "FW-05",
            Verdict::MajorHazard,
            "超量存药\n约两倍",
            now,
        )
        .unwrap();
        i.answer(checklist, "FW-02", Verdict::GeneralHazard, HOSTILE, now)
            .unwrap();
        let order = |responsible: &str| RectificationOrder {
            measures: "立即停止作业并整改".into(),
            responsible: responsible.into(),
            deadline: "2099-12-31".into(),
            funds_yuan: "5000".into(),
        };
        i.set_order("FW-02", "二号工房", order("=HYPERLINK(\"http://x\")"), None)
            .unwrap();
        let plan = MajorHazardPlan {
            target: "消除重大事故隐患".into(),
            organisation: "安全科 王某".into(),
            safety_measures: "停用工房".into(),
            funds_materials: "企业安全费用".into(),
            time_limit: "2099-12-31".into(),
            suspension: Suspension::Partial,
        };
        i.set_order("FW-05", "中转库", order("陈某"), Some(plan))
            .unwrap();
        i
    }

    /// A small RFC 4180 reader, to read back what `to_csv` writes.
    fn parse_csv(text: &str) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => cell.push(c),
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut cell)),
                (false, '\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                (false, c) => cell.push(c),
            }
        }
        assert!(
            cell.is_empty() && row.is_empty(),
            "the last line ends in CRLF"
        );
        rows
    }

    #[test]
    fn cells_are_quoted_per_rfc_4180_only_when_needed() {
        assert_eq!(csv_cell("二号工房"), "二号工房");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("line 1\nline 2"), "\"line 1\nline 2\"");
        assert_eq!(csv_cell("cr\r"), "\"cr\r\"");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn formula_like_cells_are_defused() {
        for (value, expected) in [
            ("=1+1", "'=1+1"),
            ("+86 123", "'+86 123"),
            ("-2", "'-2"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\tx", "'\tx"),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
        ] {
            assert_eq!(csv_cell(value), expected, "{value:?}");
        }
        // Only the first character counts; dates and plain text stay as they are.
        assert_eq!(csv_cell("a=b"), "a=b");
        assert_eq!(csv_cell("2099-12-31"), "2099-12-31");
    }

    #[test]
    fn the_document_starts_with_a_bom_and_lines_end_in_crlf() {
        let csv = to_csv(&["a", "b"], &[vec!["1".to_string(), "x,y".to_string()]]);
        assert!(csv.as_bytes().starts_with(&[0xef, 0xbb, 0xbf]));
        assert_eq!(csv, "\u{feff}a,b\r\n1,\"x,y\"\r\n");
        let empty = ledger_csv(&[]);
        assert_eq!(empty.trim_start_matches('\u{feff}').lines().count(), 1);
        assert!(empty.contains("隐患编号,单位名称,统一社会信用代码,检查日期"));
    }

    #[test]
    fn the_ledger_has_one_row_per_hazard_with_derived_fields() {
        let checklist = fireworks();
        let mut model = Model::default();
        let first = inspection(
            &checklist,
            0xabcdef12_0000_0000_0000_000000000001,
            "2026-11-29T20:00:00Z",
        );
        model.inspections.insert(first.id, first.clone());
        let rows = model.hazard_ledger(|_| Some(&checklist), &beijing(), day(1));
        assert_eq!(rows.len(), 2, "FW-01 is compliant: two hazards");
        let col = |name: &str| LEDGER_HEADER.iter().position(|h| *h == name).unwrap();
        // Checklist order: FW-02 before FW-05, whatever the order of answering.
        assert_eq!(rows[0][col("条目编号")], "FW-02");
        assert_eq!(rows[1][col("条目编号")], "FW-05");
        assert_eq!(rows[0][col("隐患编号")], "abcdef12-FW-02");
        // 20:00 UTC is the next morning in Beijing.
        assert_eq!(rows[0][col("检查日期")], "2026-11-30");
        assert_eq!(rows[0][col("隐患等级")], "一般");
        assert_eq!(rows[1][col("隐患等级")], "重大");
        assert_eq!(rows[0][col("是否停产停业")], "否");
        assert_eq!(rows[1][col("是否停产停业")], "局部停产停业");
        assert_eq!(
            rows[0][col("治理目标和任务")],
            "",
            "a general hazard has no plan"
        );
        assert_eq!(rows[1][col("治理目标和任务")], "消除重大事故隐患");
        assert!(rows[1][col("判定依据")].contains("安监总管三〔2017〕121号"));
        assert!(rows[1][col("判定依据")].contains("第（五）项"));
        assert_eq!(rows[0][col("检查人员")], "张三");
        assert_eq!(rows[0][col("执法证号")], "44010012345");
        assert_eq!(rows[0][col("预计资金（元）")], "5000");
        assert_eq!(
            rows[0][col("状态")],
            "",
            "a draft's hazard has no status yet"
        );
        assert_eq!(rows[0][col("状态")], rows[0][col("督查状态")]);
        assert_eq!(rows[0][col("检查记录")], "草稿（未签章）");
        assert!(rows[0][col("检查表")].starts_with("烟花爆竹生产经营单位安全检查 v"));
    }

    #[test]
    fn the_ledger_ends_with_the_team_the_type_and_where_each_hazard_stands() {
        let checklist = fireworks();
        let mut model = Model::default();
        let mut original = inspection(&checklist, 1, "2026-11-01T02:00:00Z");
        let team = vec![
            Inspector::new("王五", "=GD-0003").unwrap(),
            Inspector::new("李四", "GD-0002").unwrap(),
        ];
        original
            .set_team(paicha_core::InspectionKind::Special, team)
            .unwrap();
        for item in ["FW-02", "FW-05"] {
            let order = paicha_core::finding::RectificationOrder {
                deadline: "2026-11-10".into(),
                ..original.answers[item].rectification.clone().unwrap()
            };
            let plan = original.answers[item].major_plan.clone();
            original.set_order(item, "二号工房", order, plan).unwrap();
        }
        original
            .seal(&checklist, at("2026-11-01T03:00:00Z"))
            .unwrap();
        // Re-inspected on 15 November: FW-05 rectified, FW-02 given until 20 November.
        let reviewed = at("2026-11-15T02:00:00Z");
        let mut re = Inspection::start(
            Uuid::from_u128(2),
            original.site.clone(),
            &checklist,
            original.inspector.clone(),
            reviewed,
        );
        re.set_team(paicha_core::InspectionKind::Reinspection, vec![])
            .unwrap();
        re.add_reviews(["FW-02", "FW-05"].map(|item| HazardReview::of(&original, item).unwrap()))
            .unwrap();
        let decide =
            |outcome, escalation: Option<Escalation>| paicha_core::reinspection::ReviewDecision {
                outcome,
                note: String::new(),
                escalation,
                new_deadline: escalation.map(|_| "2026-11-20".into()).unwrap_or_default(),
            };
        let [fw02, fw05] = ["FW-02", "FW-05"].map(|item| HazardRef {
            inspection_id: original.id,
            item_id: item.into(),
        });
        let extended = decide(ReviewOutcome::NotRectified, Some(Escalation::Extension));
        re.review(&fw02, extended, reviewed).unwrap();
        re.review(&fw05, decide(ReviewOutcome::Rectified, None), reviewed)
            .unwrap();
        re.attach_review_photo(&fw05, &paicha_core::sha256_hex(b"after"))
            .unwrap();
        re.seal(&checklist, reviewed).unwrap();
        let draft = inspection(&checklist, 3, "2026-11-29T02:00:00Z");
        for i in [original, re, draft] {
            model.inspections.insert(i.id, i);
        }

        let rows = model.hazard_ledger(|_| Some(&checklist), &beijing(), day(1));
        assert_eq!(rows.len(), 4, "the re-inspection found nothing new");
        let col = |name: &str| LEDGER_HEADER.iter().position(|h| *h == name).unwrap();
        assert_eq!(
            col("检查记录"),
            24,
            "the original columns keep their places"
        );
        assert_eq!(col("同行检查人员"), 25);
        assert_eq!(rows[0][col("同行检查人员")], "王五、李四");
        assert_eq!(rows[0][col("同行执法证号")], "=GD-0003、GD-0002");
        assert_eq!(rows[0][col("检查类型")], "专项检查");
        assert_eq!(rows[0][col("督查状态")], "逾期未整改");
        assert_eq!(
            rows[0][col("复查结论")],
            "2026-11-15 未整改，责令延期整改至 2026-11-20"
        );
        assert_eq!(rows[1][col("督查状态")], "已验收销号");
        assert_eq!(rows[1][col("复查结论")], "2026-11-15 已整改");
        // 状态 keeps its place and says the same as 督查状态.
        assert_eq!(col("状态"), 23);
        for row in &rows {
            assert_eq!(row[col("状态")], row[col("督查状态")]);
        }
        assert_eq!(rows[1][col("状态")], "已验收销号");
        // A draft's hazards have no follow-up status yet.
        assert_eq!(rows[2][col("检查类型")], "日常检查");
        assert_eq!(rows[2][col("同行检查人员")], "");
        assert_eq!(rows[2][col("督查状态")], "");
        assert_eq!(rows[2][col("复查结论")], "");
        // On the 18th the extension still runs.
        let nov18 = NaiveDate::from_ymd_opt(2026, 11, 18).unwrap();
        let rows = model.hazard_ledger(|_| Some(&checklist), &beijing(), nov18);
        assert_eq!(rows[0][col("督查状态")], "即将到期");
        assert_eq!(rows[0][col("状态")], "即将到期");
        // The new cells go through the same guard: BOM, CRLF, formula defused.
        let csv = ledger_csv(&rows);
        let parsed = parse_csv(csv.trim_start_matches('\u{feff}'));
        assert_eq!(parsed[0].len(), 30);
        assert_eq!(parsed[1][col("同行执法证号")], "'=GD-0003、GD-0002");
        assert!(csv.ends_with("\r\n"));
    }

    #[test]
    fn hostile_and_awkward_text_survives_the_csv_literally() {
        let checklist = fireworks();
        let mut model = Model::default();
        let mut older = inspection(&checklist, 2, "2026-11-01T02:00:00Z");
        older.seal(&checklist, at("2026-11-01T03:00:00Z")).unwrap();
        let newer = inspection(&checklist, 1, "2026-11-29T02:00:00Z");
        model.inspections.insert(older.id, older.clone());
        model.inspections.insert(newer.id, newer.clone());
        let rows = model.hazard_ledger(|_| Some(&checklist), &beijing(), day(1));
        let csv = ledger_csv(&rows);
        assert!(csv.contains(HOSTILE), "no HTML escaping in a data file");
        let parsed = parse_csv(csv.trim_start_matches('\u{feff}'));
        assert_eq!(parsed.len(), 1 + 4);
        assert_eq!(parsed[0], LEDGER_HEADER);
        // Oldest inspection first.
        assert_eq!(parsed[1][0], hazard_no(&older.id, "FW-02"));
        assert_eq!(parsed[1][24], "已签章");
        assert_eq!(parsed[3][0], hazard_no(&newer.id, "FW-02"));
        // Every cell reads back as written, except the formula guard.
        for (line, row) in parsed[1..].iter().zip(&rows) {
            for (read, written) in line.iter().zip(row.iter()) {
                if written.starts_with('=') {
                    assert_eq!(read, &format!("'{written}"));
                } else {
                    assert_eq!(read, written);
                }
            }
        }
        assert_eq!(parsed[1][9], HOSTILE);
        assert_eq!(parsed[1][14], "'=HYPERLINK(\"http://x\")");
        assert_eq!(parsed[2][9], "超量存药\n约两倍");
        assert_eq!(parsed[1][1], "某某烟花爆竹有限公司, \"东厂\"");
    }

    #[test]
    fn paraphrased_items_and_unverified_sources_are_marked() {
        let checklist = fireworks();
        let verbatim = checklist.item("FW-05").unwrap();
        assert!(basis_caveats(&checklist, verbatim).is_empty());
        assert_eq!(
            basis_text(&checklist, verbatim),
            "烟花爆竹生产经营单位重大生产安全事故隐患判定标准（试行）（安监总管三〔2017〕121号） 第（五）项"
        );
        let paraphrase = checklist
            .items()
            .find(|i| i.verification == Verification::Paraphrase)
            .expect("the fireworks checklist has paraphrased items");
        let text = basis_with_caveats(&checklist, paraphrase);
        assert!(text.contains("〔转述，非法规原文"), "{text}");
        assert!(text.contains("〔出处待核实〕"), "{text}");
        // No document number is printed when the checklist has none.
        assert!(
            text.starts_with("烟花爆竹安全管理条例；烟花爆竹经营许可实施办法 许可与经营管理规定"),
            "{text}"
        );
    }

    #[test]
    fn the_record_lists_applicable_items_in_order_and_unanswered_ones() {
        let checklist = fireworks();
        let i = inspection(&checklist, 3, "2026-11-29T02:00:00Z");
        let rows = record_rows(&i, Some(&checklist));
        let applicable = checklist.applicable_items(&i.applicable_keys()).count();
        assert_eq!(rows.len(), applicable);
        assert!(
            applicable < checklist.items().count(),
            "retail items need a yes"
        );
        assert_eq!(rows[0].item_id, "FW-01");
        assert_eq!(unanswered(&rows), applicable - 3);
        let hazards: Vec<_> = hazard_rows(&i, Some(&checklist))
            .into_iter()
            .map(|r| r.item_id)
            .collect();
        assert_eq!(hazards, ["FW-02", "FW-05"]);
        // Without the checklist version the answers are still all there.
        assert_eq!(record_rows(&i, None).len(), 3);
        let mut model = Model::default();
        model.inspections.insert(i.id, i.clone());
        let rows = model.hazard_ledger(|_| None, &beijing(), day(1));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][12], "（检查表版本不在本机）");
    }

    #[test]
    fn ids_and_file_names() {
        let id = Uuid::parse_str("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0").unwrap();
        assert_eq!(short_id(&id), "0f1e2d3c");
        assert_eq!(hazard_no(&id, "FW-05"), "0f1e2d3c-FW-05");
        assert_eq!(short_hash("0123456789abcdef0123"), "0123456789ab");
        assert_eq!(
            ledger_file_name(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()),
            "paicha-hazards-20260305.csv"
        );
        assert_eq!(
            date_zh(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()),
            "2026年3月5日"
        );
    }

    fn review(item: &str, outcome: ReviewOutcome) -> HazardReview {
        HazardReview {
            hazard: HazardRef {
                inspection_id: Uuid::from_u128(1),
                item_id: item.into(),
            },
            original_verdict: Verdict::GeneralHazard,
            original_description: "问题".into(),
            original_deadline: "2026-12-04".into(),
            outcome,
            note: String::new(),
            photos: Vec::new(),
            escalation: None,
            new_deadline: String::new(),
            reviewed_at: None,
        }
    }

    #[test]
    fn the_review_record_says_what_was_found_and_what_follows() {
        let mut rectified = review("FW-01", ReviewOutcome::Rectified);
        rectified.photos = vec!["a".repeat(64), "b".repeat(64)];
        rectified.note = "已更换".into();
        let (class, cells) = review_cells(&rectified, "防爆电气");
        assert_eq!(class, "ok-row");
        assert_eq!(cells[0], "00000000-FW-01");
        assert_eq!(cells[1], "防爆电气");
        assert_eq!(cells[2], "一般隐患：问题");
        assert_eq!(cells[3], "2026-12-04");
        assert_eq!(cells[4], "已整改\n（附照片 2 张）");
        assert_eq!(cells[5], "验收销号");
        assert_eq!(cells[6], "已更换");
        let mut extended = review("FW-02", ReviewOutcome::NotRectified);
        extended.escalation = Some(Escalation::Extension);
        extended.new_deadline = "2027-01-31".into();
        let (class, cells) = review_cells(&extended, "");
        assert_eq!(class, "major-row");
        assert_eq!(cells[1], "—");
        assert_eq!(cells[4], "未整改");
        assert_eq!(cells[5], "责令延期整改，新整改期限 2027-01-31");
        assert_eq!(cells[6], "—");
        let (_, cells) = review_cells(&review("FW-03", ReviewOutcome::Pending), "x");
        assert_eq!((cells[4].as_str(), cells[5].as_str()), ("未复查", "—"));
    }
}
