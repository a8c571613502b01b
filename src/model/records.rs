//! What the printed records say, as data: the lines of the 现场检查记录 (on-site inspection
//! record), the cells of its findings table and of the 复查意见书, and the hazard ledger
//! (隐患台账) of every inspection on the device as a CSV file.
//!
//! The printed documents contain only what the record holds: no document numbers (文号) are
//! made up, the legal basis is the one the checklist item carries, and items whose text is a
//! paraphrase (or whose source is unverified) say so. Everything the user typed goes to the CSV
//! as data: quoted per RFC 4180 and guarded against spreadsheet formula injection.

use super::Model;
use chrono::{Datelike, NaiveDate};
use paicha_core::checklist::{ChecklistRef, Item};
use paicha_core::hazard_ledger::{HazardLedgerRow, Header, write_csv};
use paicha_core::reinspection::{Escalation, HazardReview, ReviewOutcome};
use paicha_core::{Answer, Checklist, Inspection, Verdict};

/// The first 12 hex digits of a checklist content hash.
pub fn short_hash(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
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
        let applies = item.applies(&yes);
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

impl Model {
    /// Every hazard of every inspection on this device as rows of the one hazard ledger
    /// ([`paicha_core::hazard_ledger`], the ledger's own columns), oldest inspection first, each
    /// inspection's hazards in checklist order, with where each stands on `today` (the local
    /// date). `checklist_for` finds the exact checklist version an inspection used (None when
    /// it is not on the device).
    pub fn hazard_ledger<'c>(
        &self,
        checklist_for: impl Fn(&ChecklistRef) -> Option<&'c Checklist>,
        today: NaiveDate,
    ) -> Vec<HazardLedgerRow> {
        let follow_up = self.follow_up(today);
        let mut inspections: Vec<&Inspection> = self.inspections.values().collect();
        inspections.sort_by_key(|i| (i.started_at, i.id));
        let mut rows = Vec::new();
        for inspection in inspections {
            let checklist = checklist_for(&inspection.checklist);
            let bundle = self
                .bundle_for(inspection.id)
                .map(|b| b.bundle_id.to_string());
            for row in hazard_rows(inspection, checklist) {
                let standing = follow_up
                    .iter()
                    .find(|f| f.inspection.id == inspection.id && f.item_id == row.item_id);
                let found =
                    HazardLedgerRow::from_inspection(inspection, checklist, &row.item_id, standing);
                rows.extend(found.map(|mut r| {
                    r.bundle_id = bundle.clone().unwrap_or_default();
                    r
                }));
            }
        }
        rows
    }
}

/// The hazard ledger as the file the device offers: a byte-order mark (Excel then reads
/// UTF-8), the Chinese header, and cells that would start a formula defused.
pub fn ledger_csv(rows: &[HazardLedgerRow]) -> Vec<u8> {
    let mut out = Vec::new();
    write_csv(rows, Header::Chinese, true, &mut out).expect("writing to memory cannot fail");
    out
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
pub fn review_cells(
    review: &HazardReview,
    hazard_no: String,
    item_text: &str,
) -> (&'static str, [String; 7]) {
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
            hazard_no,
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
    use crate::model::fixtures::{fireworks, review};
    use chrono::{DateTime, Utc};
    use paicha_core::finding::{MajorHazardPlan, RectificationOrder, Suspension};
    use paicha_core::hazard_ledger::{COLUMNS, column, hazard_no};
    use paicha_core::reinspection::HazardRef;
    use paicha_core::{CreditCode, Inspector, Site};
    use uuid::Uuid;

    const HOSTILE: &str = "<img src=x onerror=alert(1)>";

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
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

    /// The cell of column `key` in `row`.
    fn cell<'r>(row: &'r HazardLedgerRow, key: &str) -> &'r str {
        row.cells()[column(key).expect("a column of the ledger")]
    }

    #[test]
    fn the_device_writes_the_ledgers_own_rows_one_per_hazard() {
        let checklist = fireworks();
        let mut model = Model::default();
        let first = inspection(
            &checklist,
            0xabcdef12_0000_0000_0000_000000000001,
            "2026-11-29T20:00:00Z",
        );
        model.inspections.insert(first.id, first.clone());
        let rows = model.hazard_ledger(|_| Some(&checklist), day(1));
        assert_eq!(rows.len(), 2, "FW-01 is compliant: two hazards");
        // Checklist order: FW-02 before FW-05, whatever the order of answering.
        assert_eq!(cell(&rows[0], "item_id"), "FW-02");
        assert_eq!(cell(&rows[1], "item_id"), "FW-05");
        // The one hazard number; 20:00 UTC is the next morning in China.
        assert_eq!(
            cell(&rows[0], "hazard_no"),
            hazard_no(&first.id.to_string(), first.started_at, "FW-02")
        );
        assert!(cell(&rows[0], "hazard_no").starts_with("YH-20261130-"));
        assert_eq!(cell(&rows[0], "check_date"), "2026-11-30");
        assert_eq!(cell(&rows[0], "level"), "一般隐患");
        assert_eq!(cell(&rows[1], "level"), "重大隐患");
        assert_eq!(cell(&rows[0], "suspension"), "否");
        assert_eq!(cell(&rows[1], "suspension"), "局部停产停业");
        assert_eq!(
            cell(&rows[0], "plan_target"),
            "",
            "a general hazard has no plan"
        );
        assert_eq!(cell(&rows[1], "plan_target"), "消除重大事故隐患");
        assert!(cell(&rows[1], "basis").contains("安监总管三〔2017〕121号"));
        assert!(cell(&rows[1], "basis").contains("第五项"));
        assert_eq!(cell(&rows[0], "inspectors"), "张三");
        assert_eq!(cell(&rows[0], "enforcement_cert_no"), "44010012345");
        assert_eq!(cell(&rows[0], "funds_yuan"), "5000");
        assert_eq!(
            cell(&rows[0], "status"),
            "",
            "a draft's hazard has no status yet"
        );
        assert_eq!(cell(&rows[0], "record_state"), "草稿（未签章）");
        assert_eq!(cell(&rows[0], "bundle_id"), "", "not exported");
        assert_eq!(
            cell(&rows[0], "checklist"),
            format!("{} {}", checklist.id, checklist.version)
        );
        // Without the checklist version the hazards are still all there, named by item id.
        let rows = model.hazard_ledger(|_| None, day(1));
        assert_eq!(rows.len(), 2);
        assert_eq!(cell(&rows[0], "item"), "FW-02");
    }

    #[test]
    fn each_hazard_says_where_it_stands_and_how_it_was_reviewed() {
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
            let order = RectificationOrder {
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

        let rows = model.hazard_ledger(|_| Some(&checklist), day(1));
        assert_eq!(rows.len(), 4, "the re-inspection found nothing new");
        // The whole team, the inspector first.
        assert_eq!(cell(&rows[0], "inspectors"), "张三、王五、李四");
        assert_eq!(
            cell(&rows[0], "enforcement_cert_no"),
            "44010012345、=GD-0003、GD-0002"
        );
        assert_eq!(cell(&rows[0], "inspection_kind"), "专项检查");
        assert_eq!(cell(&rows[0], "status"), "逾期未整改");
        assert_eq!(cell(&rows[0], "review_outcome"), "未整改");
        assert_eq!(cell(&rows[0], "escalation"), "责令延期整改");
        assert_eq!(cell(&rows[0], "deadline"), "2026-11-20");
        assert_eq!(cell(&rows[0], "review_day"), "2026-11-15");
        assert_eq!(cell(&rows[1], "status"), "已验收销号");
        assert_eq!(cell(&rows[1], "review_outcome"), "已整改");
        assert_eq!(cell(&rows[1], "review_date"), "2026-11-15");
        // A draft's hazards have no follow-up status yet.
        assert_eq!(cell(&rows[2], "inspection_kind"), "日常检查");
        assert_eq!(cell(&rows[2], "status"), "");
        assert_eq!(cell(&rows[2], "review_outcome"), "");
        // On the 18th the extension still runs.
        let nov18 = NaiveDate::from_ymd_opt(2026, 11, 18).unwrap();
        let rows = model.hazard_ledger(|_| Some(&checklist), nov18);
        assert_eq!(cell(&rows[0], "status"), "即将到期");
        assert_eq!(cell(&rows[0], "status_code"), "due_soon");
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
        let rows = model.hazard_ledger(|_| Some(&checklist), day(1));
        let bytes = ledger_csv(&rows);
        assert!(
            bytes.starts_with(&[0xef, 0xbb, 0xbf]),
            "UTF-8 byte-order mark"
        );
        let csv = String::from_utf8(bytes).unwrap();
        assert!(csv.contains(HOSTILE), "no HTML escaping in a data file");
        assert!(csv.ends_with("\r\n"));
        let parsed = parse_csv(csv.trim_start_matches('\u{feff}'));
        assert_eq!(parsed.len(), 1 + 4);
        let labels: Vec<&str> = COLUMNS.iter().map(|c| c.label).collect();
        assert_eq!(
            parsed[0], labels,
            "the ledger's Chinese header, every column"
        );
        // Oldest inspection first.
        assert_eq!(
            parsed[1][0],
            hazard_no(&older.id.to_string(), older.started_at, "FW-02")
        );
        assert_eq!(
            parsed[3][0],
            hazard_no(&newer.id.to_string(), newer.started_at, "FW-02")
        );
        // Every cell reads back as written, except the formula guard.
        for (line, row) in parsed[1..].iter().zip(&rows) {
            for (read, written) in line.iter().zip(row.cells()) {
                if written.starts_with('=') {
                    assert_eq!(read, &format!("'{written}"));
                } else {
                    assert_eq!(read, written);
                }
            }
        }
        let at = |key| column(key).unwrap();
        assert_eq!(parsed[1][at("description")], HOSTILE);
        assert_eq!(parsed[1][at("responsible")], "'=HYPERLINK(\"http://x\")");
        assert_eq!(parsed[2][at("description")], "超量存药\n约两倍");
        assert_eq!(parsed[1][at("org_name")], "某某烟花爆竹有限公司, \"东厂\"");
        assert_eq!(parsed[1][at("record_state")], "已签章");
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
    }

    #[test]
    fn hashes_dates_and_file_names() {
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

    #[test]
    fn the_review_record_says_what_was_found_and_what_follows() {
        let mut rectified = review("FW-01", ReviewOutcome::Rectified);
        rectified.photos = vec!["a".repeat(64), "b".repeat(64)];
        rectified.note = "已更换".into();
        let (class, cells) = review_cells(
            &rectified,
            "YH-20261201-000000000001-FW-01".into(),
            "防爆电气",
        );
        assert_eq!(class, "ok-row");
        assert_eq!(cells[0], "YH-20261201-000000000001-FW-01");
        assert_eq!(cells[1], "防爆电气");
        assert_eq!(cells[2], "一般隐患：问题");
        assert_eq!(cells[3], "2026-12-04");
        assert_eq!(cells[4], "已整改\n（附照片 2 张）");
        assert_eq!(cells[5], "验收销号");
        assert_eq!(cells[6], "已更换");
        let mut extended = review("FW-02", ReviewOutcome::NotRectified);
        extended.escalation = Some(Escalation::Extension);
        extended.new_deadline = "2027-01-31".into();
        let (class, cells) = review_cells(&extended, String::new(), "");
        assert_eq!(class, "major-row");
        assert_eq!(cells[1], "—");
        assert_eq!(cells[4], "未整改");
        assert_eq!(cells[5], "责令延期整改，新整改期限 2027-01-31");
        assert_eq!(cells[6], "—");
        let (_, cells) = review_cells(&review("FW-03", ReviewOutcome::Pending), String::new(), "x");
        assert_eq!((cells[4].as_str(), cells[5].as_str()), ("未复查", "—"));
    }
}
