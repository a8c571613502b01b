//! 交办 and the campaign's other three lists (一个台账、四个清单: 排查整治 is the hazard ledger;
//! 案件查办, 违法企业处罚 and 追责问责 are here): their vocabulary and the checks of what a
//! supervisor records, so that the console, the ledger's store and any later client agree.
//!
//! Forms arrive as text (an HTML form or JSON); [`AssignmentForm::check`] and its siblings turn
//! them into typed records or say, field by field, what to correct. Where a record belongs
//! (its region) and whether the person may record there is the ledger's business, since it
//! needs the stored hazards and the person's roles.

use crate::credit_code::CreditCode;
use crate::finding::parse_date;
use crate::hazard_ledger::china_day;
use crate::region::{RegionCode, RegionLevel};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The longest free text a list entry keeps in one field (characters).
pub const MAX_TEXT: usize = 500;

/// One field's problem, for the form to show beside that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's name.
    pub field: String,
    /// 中文 / English.
    pub message: String,
}

/// Everything wrong with a form (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；"))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    /// The message for `field`, if it has one.
    pub fn message(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// Collects field problems while a form is read.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// Trimmed text that must be present and short enough.
    fn required(&mut self, field: &str, label: &str, text: &str) -> String {
        let text = text.trim();
        if text.is_empty() {
            self.add(field, format!("请填写{label} / {label} is required"));
        }
        self.short(field, label, text)
    }

    /// Trimmed text that may be empty but not too long.
    fn short(&mut self, field: &str, label: &str, text: &str) -> String {
        let text = text.trim();
        if text.chars().count() > MAX_TEXT {
            self.add(
                field,
                format!("{label}不能超过{MAX_TEXT}字 / {label}: at most {MAX_TEXT} characters"),
            );
        }
        text.to_string()
    }

    fn date(&mut self, field: &str, label: &str, text: &str) -> Option<NaiveDate> {
        if text.trim().is_empty() {
            self.add(field, format!("请填写{label} / {label} is required"));
            return None;
        }
        let date = parse_date(text);
        if date.is_none() {
            self.add(
                field,
                format!("{label}应为日期，如 2026-12-31 / {label}: a date such as 2026-12-31"),
            );
        }
        date
    }

    /// A day that has already come (a decision cannot be dated in the future).
    fn past_date(
        &mut self,
        field: &str,
        label: &str,
        text: &str,
        today: NaiveDate,
    ) -> Option<NaiveDate> {
        let date = self.date(field, label, text)?;
        if date > today {
            self.add(
                field,
                format!("{label}不能晚于今天 / {label} cannot be in the future"),
            );
            return None;
        }
        Some(date)
    }

    fn credit_code(&mut self, field: &str, text: &str) -> Option<CreditCode> {
        match CreditCode::parse(text) {
            Ok(code) => Some(code),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    fn hazard_numbers(&mut self, field: &str, text: &str) -> Vec<HazardNumber> {
        let mut out: Vec<HazardNumber> = Vec::new();
        for word in
            text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        {
            if word.is_empty() {
                continue;
            }
            match HazardNumber::parse(word) {
                Some(number) if !out.contains(&number) => out.push(number),
                Some(_) => {}
                None => self.add(
                    field,
                    format!(
                        "“{}”不是隐患编号（如 YH-20261129-0123456789ab-A-01） / {:?} is not a hazard number",
                        word.chars().take(40).collect::<String>(),
                        word.chars().take(40).collect::<String>()
                    ),
                ),
            }
        }
        out
    }

    fn finish<T>(self, value: T) -> Result<T, Invalid> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(Invalid(self.0))
        }
    }
}

/// A 隐患编号 as printed (`YH-<yyyymmdd>-<12 hex>-<item id>`, see
/// [`crate::hazard_ledger::hazard_no`]), read back to find the hazard it names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HazardNumber {
    /// The inspection's day (China Standard Time).
    pub day: NaiveDate,
    /// The last 12 hex digits of the inspection id, lower case.
    pub inspection_tail: String,
    pub item_id: String,
}

impl HazardNumber {
    /// Reads a printed number; `None` if it is not one. Hex digits in either case.
    pub fn parse(text: &str) -> Option<Self> {
        let rest = text.trim().strip_prefix("YH-")?;
        let (day, rest) = rest.split_once('-')?;
        let (tail, item_id) = rest.split_once('-')?;
        let day = NaiveDate::parse_from_str(day, "%Y%m%d")
            .ok()
            .filter(|_| day.len() == 8)?;
        let hex = tail.len() == 12 && tail.bytes().all(|b| b.is_ascii_hexdigit());
        let item_ok = !item_id.is_empty()
            && item_id.len() <= 64
            && item_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        (hex && item_ok).then(|| Self {
            day,
            inspection_tail: tail.to_ascii_lowercase(),
            item_id: item_id.to_string(),
        })
    }

    /// Whether this number names the hazard `item_id` of the inspection `inspection_id`
    /// started at `started_at`.
    pub fn names(&self, inspection_id: &str, started_at: DateTime<Utc>, item_id: &str) -> bool {
        let hex: String = inspection_id
            .chars()
            .filter(char::is_ascii_hexdigit)
            .collect::<String>()
            .to_ascii_lowercase();
        item_id == self.item_id
            && hex.ends_with(&self.inspection_tail)
            && china_day(started_at) == self.day
    }
}

impl std::fmt::Display for HazardNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "YH-{}-{}-{}",
            self.day.format("%Y%m%d"),
            self.inspection_tail,
            self.item_id
        )
    }
}

/// Declares a closed vocabulary: its stored slug and its Chinese and English labels.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $slug:literal, $zh:literal, $en:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug,)* }
            }

            pub fn from_slug(slug: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.slug() == slug)
            }

            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)* }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en,)* }
            }

            /// Chinese, then English: `罚款 Fine`.
            pub fn label(self) -> String {
                format!("{} {}", self.label_zh(), self.label_en())
            }
        }
    };
}

vocabulary! {
    /// 案件状态.
    CaseStatus {
        Open => "open", "办理中", "Open";
        Closed => "closed", "已结案", "Closed";
    }
}

vocabulary! {
    /// 行政处罚的种类 an enterprise may receive (《中华人民共和国行政处罚法》第九条, the
    /// kinds that apply to a unit; 行政拘留 applies to persons only).
    PenaltyKind {
        Warning => "warning", "警告", "Warning";
        Criticism => "criticism", "通报批评", "Public criticism";
        Fine => "fine", "罚款", "Fine";
        Confiscation => "confiscation", "没收违法所得、没收非法财物", "Confiscation";
        LicenceSuspended => "licence_suspended", "暂扣许可证件", "Licence suspended";
        LicenceRevoked => "licence_revoked", "降低资质等级、吊销许可证件", "Licence downgraded or revoked";
        Suspension => "suspension", "责令停产停业", "Ordered to suspend production";
        Closure => "closure", "责令关闭", "Ordered to close";
        Other => "other", "其他行政处罚", "Other penalty";
    }
}

vocabulary! {
    /// 问责方式 for officials and their units (《中国共产党问责条例》第八条 and
    /// 《中华人民共和国公职人员政务处分法》第七条, as campaign accountability lists use them).
    AccountabilityMeasure {
        Inspection => "inspection", "责令检查", "Ordered to make a self-examination";
        Circular => "circular", "通报", "Circulated criticism";
        Admonition => "admonition", "诫勉", "Admonishment";
        Adjustment => "adjustment", "组织调整或组织处理", "Organisational adjustment";
        Discipline => "discipline", "纪律处分或政务处分", "Disciplinary sanction";
        Referred => "referred", "移送司法机关", "Referred to the judicial authorities";
    }
}

impl PenaltyKind {
    /// Whether the decision states an amount (罚款, and what was confiscated).
    pub fn has_amount(self) -> bool {
        matches!(self, PenaltyKind::Fine | PenaltyKind::Confiscation)
    }
}

/// Who a hazard is assigned to (交办).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Assignee {
    /// A township (乡镇/街道) by its 9-digit code.
    Township(RegionCode),
    /// An inspector by account id.
    Inspector(String),
}

impl Assignee {
    /// The form's spelling: `township:130102001` or `inspector:<account id>`.
    pub fn parse(text: &str) -> Option<Self> {
        let (kind, id) = text.trim().split_once(':')?;
        match kind {
            "township" => RegionCode::parse(id)
                .ok()
                .filter(|c| c.level() == RegionLevel::Township)
                .map(Assignee::Township),
            "inspector" if !id.is_empty() && id.len() <= 64 => {
                Some(Assignee::Inspector(id.to_string()))
            }
            _ => None,
        }
    }

    pub fn form_value(&self) -> String {
        match self {
            Assignee::Township(code) => format!("township:{code}"),
            Assignee::Inspector(id) => format!("inspector:{id}"),
        }
    }
}

/// 交办 as a supervisor fills it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentForm {
    /// [`Assignee::form_value`].
    #[serde(default)]
    pub assignee: String,
    /// 办理期限, `YYYY-MM-DD`.
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAssignment {
    pub assignee: Assignee,
    pub deadline: NaiveDate,
    pub note: String,
}

impl AssignmentForm {
    /// The assignment, or what to correct; the deadline cannot have passed on `today`.
    pub fn check(&self, today: NaiveDate) -> Result<NewAssignment, Invalid> {
        let mut p = Problems::default();
        let assignee = Assignee::parse(&self.assignee);
        if assignee.is_none() {
            p.add(
                "assignee",
                "请选择交办对象 / choose who the hazard is assigned to",
            );
        }
        let deadline = p.date("deadline", "办理期限", &self.deadline);
        if deadline.is_some_and(|d| d < today) {
            p.add(
                "deadline",
                "办理期限不能早于今天 / the deadline cannot be in the past",
            );
        }
        let note = p.short("note", "交办说明", &self.note);
        let (Some(assignee), Some(deadline)) = (assignee, deadline) else {
            return Err(Invalid(p.0));
        };
        p.finish(NewAssignment {
            assignee,
            deadline,
            note,
        })
    }
}

/// 立案 as a supervisor fills it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseForm {
    /// 案件编号 (the 立案 number the enforcement body gives it).
    #[serde(default)]
    pub case_no: String,
    /// 案由
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub org_name: String,
    #[serde(default)]
    pub credit_code: String,
    /// 立案日期
    #[serde(default)]
    pub opened_on: String,
    /// 关联隐患编号, separated by spaces, commas or lines.
    #[serde(default)]
    pub hazards: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCase {
    pub case_no: String,
    pub cause: String,
    pub org_name: String,
    pub credit_code: CreditCode,
    pub opened_on: NaiveDate,
    pub hazards: Vec<HazardNumber>,
}

impl CaseForm {
    pub fn check(&self, today: NaiveDate) -> Result<NewCase, Invalid> {
        let mut p = Problems::default();
        let case_no = p.required("case_no", "案件编号", &self.case_no);
        let cause = p.required("cause", "案由", &self.cause);
        let org_name = p.required("org_name", "单位名称", &self.org_name);
        let credit_code = p.credit_code("credit_code", &self.credit_code);
        let opened_on = p.past_date("opened_on", "立案日期", &self.opened_on, today);
        let hazards = p.hazard_numbers("hazards", &self.hazards);
        let (Some(credit_code), Some(opened_on)) = (credit_code, opened_on) else {
            return Err(Invalid(p.0));
        };
        p.finish(NewCase {
            case_no,
            cause,
            org_name,
            credit_code,
            opened_on,
            hazards,
        })
    }
}

/// 结案 of an open case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseCaseForm {
    #[serde(default)]
    pub closed_on: String,
}

impl CloseCaseForm {
    /// The closing day: not before the case was opened, not in the future.
    pub fn check(&self, opened_on: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Invalid> {
        let mut p = Problems::default();
        let closed_on = p.past_date("closed_on", "结案日期", &self.closed_on, today);
        if closed_on.is_some_and(|d| d < opened_on) {
            p.add(
                "closed_on",
                "结案日期不能早于立案日期 / a case cannot close before it opened",
            );
        }
        match closed_on {
            Some(day) => p.finish(day),
            None => Err(Invalid(p.0)),
        }
    }
}

/// 行政处罚 of an enterprise as a supervisor records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyForm {
    /// 行政处罚决定书文号
    #[serde(default)]
    pub decision_no: String,
    #[serde(default)]
    pub org_name: String,
    #[serde(default)]
    pub credit_code: String,
    /// 处罚依据: the law and article applied.
    #[serde(default)]
    pub legal_basis: String,
    /// [`PenaltyKind::slug`].
    #[serde(default)]
    pub kind: String,
    /// 金额（元）, for a fine or a confiscation.
    #[serde(default)]
    pub amount_yuan: String,
    /// 决定日期
    #[serde(default)]
    pub decided_on: String,
    /// The case it closes, by 案件编号 (optional).
    #[serde(default)]
    pub case_no: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPenalty {
    pub decision_no: String,
    pub org_name: String,
    pub credit_code: CreditCode,
    pub legal_basis: String,
    pub kind: PenaltyKind,
    /// In fen (分), for the kinds that state an amount.
    pub amount_fen: Option<i64>,
    pub decided_on: NaiveDate,
    pub case_no: Option<String>,
}

/// Yuan as people write them (`50000`, `12,500.5`, `3.00`) in fen; `None` if not an amount.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let text: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' '))
        .collect();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 13
        || !digits(whole)
        || fraction.len() > 2
        || !digits(fraction)
    {
        return None;
    }
    let fen = format!("{fraction:0<2}").parse::<i64>().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(fen)
}

/// Fen as yuan with two decimals: `5000000` → `50000.00`.
pub fn format_yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

impl PenaltyForm {
    pub fn check(&self, today: NaiveDate) -> Result<NewPenalty, Invalid> {
        let mut p = Problems::default();
        let decision_no = p.required("decision_no", "决定书文号", &self.decision_no);
        let org_name = p.required("org_name", "单位名称", &self.org_name);
        let credit_code = p.credit_code("credit_code", &self.credit_code);
        let legal_basis = p.required("legal_basis", "处罚依据", &self.legal_basis);
        let kind = PenaltyKind::from_slug(self.kind.trim());
        if kind.is_none() {
            p.add("kind", "请选择处罚种类 / choose the kind of penalty");
        }
        let mut amount_fen = None;
        if kind.is_some_and(PenaltyKind::has_amount) {
            amount_fen = parse_yuan(&self.amount_yuan).filter(|&f| f > 0);
            if amount_fen.is_none() {
                p.add(
                    "amount_yuan",
                    "请填写金额（元），如 50000 或 12500.50 / the amount in yuan, e.g. 50000 or 12500.50",
                );
            }
        } else if !self.amount_yuan.trim().is_empty() {
            p.add(
                "amount_yuan",
                "该处罚种类没有金额 / this kind of penalty has no amount",
            );
        }
        let decided_on = p.past_date("decided_on", "决定日期", &self.decided_on, today);
        let case_no = Some(p.short("case_no", "案件编号", &self.case_no)).filter(|c| !c.is_empty());
        let (Some(credit_code), Some(kind), Some(decided_on)) = (credit_code, kind, decided_on)
        else {
            return Err(Invalid(p.0));
        };
        p.finish(NewPenalty {
            decision_no,
            org_name,
            credit_code,
            legal_basis,
            kind,
            amount_fen,
            decided_on,
            case_no,
        })
    }
}

/// 问责 of an official as a supervisor records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountabilityForm {
    /// 被问责人
    #[serde(default)]
    pub person: String,
    /// 职务
    #[serde(default)]
    pub post: String,
    /// 单位
    #[serde(default)]
    pub unit: String,
    /// 问责事由
    #[serde(default)]
    pub reason: String,
    /// [`AccountabilityMeasure::slug`].
    #[serde(default)]
    pub measure: String,
    /// 问责日期
    #[serde(default)]
    pub decided_on: String,
    /// The hazard it concerns (a 隐患编号) …
    #[serde(default)]
    pub hazard: String,
    /// … or the case (案件编号): at least one.
    #[serde(default)]
    pub case_no: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccountability {
    pub person: String,
    pub post: String,
    pub unit: String,
    pub reason: String,
    pub measure: AccountabilityMeasure,
    pub decided_on: NaiveDate,
    pub hazard: Option<HazardNumber>,
    pub case_no: Option<String>,
}

impl AccountabilityForm {
    pub fn check(&self, today: NaiveDate) -> Result<NewAccountability, Invalid> {
        let mut p = Problems::default();
        let person = p.required("person", "被问责人", &self.person);
        let post = p.required("post", "职务", &self.post);
        let unit = p.required("unit", "单位", &self.unit);
        let reason = p.required("reason", "问责事由", &self.reason);
        let measure = AccountabilityMeasure::from_slug(self.measure.trim());
        if measure.is_none() {
            p.add("measure", "请选择问责方式 / choose the measure");
        }
        let decided_on = p.past_date("decided_on", "问责日期", &self.decided_on, today);
        let mut hazards = p.hazard_numbers("hazard", &self.hazard);
        if hazards.len() > 1 {
            p.add("hazard", "只能填写一个隐患编号 / one hazard number only");
        }
        let case_no = Some(p.short("case_no", "案件编号", &self.case_no)).filter(|c| !c.is_empty());
        if hazards.is_empty() && case_no.is_none() && self.hazard.trim().is_empty() {
            p.add(
                "hazard",
                "请填写所涉隐患编号或案件编号 / name the hazard or the case it concerns",
            );
        }
        let (Some(measure), Some(decided_on)) = (measure, decided_on) else {
            return Err(Invalid(p.0));
        };
        p.finish(NewAccountability {
            person,
            post,
            unit,
            reason,
            measure,
            decided_on,
            hazard: hazards.pop(),
            case_no,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    const CODE: &str = "91130102708461136T";

    fn valid_code() -> String {
        CreditCode::with_check_digit(&CODE[..17])
            .unwrap()
            .as_str()
            .to_string()
    }

    #[test]
    fn a_hazard_number_reads_back_to_the_hazard_it_was_printed_for() {
        let id = "3f2b8c1e-7a4d-4f6b-9e2a-5c8d1b0a7e64";
        let started = Utc.with_ymd_and_hms(2026, 11, 28, 20, 0, 0).unwrap(); // 29th in CST
        let printed = crate::hazard_ledger::hazard_no(id, started, "A-01");
        let number = HazardNumber::parse(&printed).unwrap();
        assert_eq!(number.to_string(), printed);
        assert!(number.names(id, started, "A-01"));
        assert!(!number.names(id, started, "A-02"));
        assert!(!number.names("00000000-7a4d-4f6b-9e2a-000000000000", started, "A-01"));
        let next_day = started + chrono::Duration::days(1);
        assert!(!number.names(id, next_day, "A-01"));
        assert_eq!(
            HazardNumber::parse(&printed.to_uppercase()).map(|n| n.item_id),
            Some("A-01".into())
        );
        for bad in [
            "",
            "YH-2026-abc-A",
            "YH-20261340-5c8d1b0a7e64-A-01",
            "XX-20261129-5c8d1b0a7e64-A-01",
            "YH-20261129-5c8d1b0a7e6z-A-01",
            "YH-20261129-5c8d1b0a7e64-",
            "YH-20261129-5c8d1b0a7e64-A 01",
        ] {
            assert_eq!(HazardNumber::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn an_assignment_names_a_township_or_an_inspector_and_a_deadline_not_past() {
        let form = AssignmentForm {
            assignee: "township:130102001".into(),
            deadline: "2026-12-20".into(),
            note: " 请于期限内复查 ".into(),
        };
        let done = form.check(today()).unwrap();
        assert_eq!(
            done.assignee,
            Assignee::Township(RegionCode::parse("130102001").unwrap())
        );
        assert_eq!(done.note, "请于期限内复查");
        assert_eq!(
            Assignee::parse(&done.assignee.form_value()),
            Some(done.assignee)
        );
        assert_eq!(
            Assignee::parse("inspector:abc"),
            Some(Assignee::Inspector("abc".into()))
        );
        for assignee in ["", "township:130102", "county:130102", "inspector:"] {
            let e = AssignmentForm {
                assignee: assignee.into(),
                ..form.clone()
            }
            .check(today())
            .unwrap_err();
            assert!(e.message("assignee").is_some(), "{assignee:?}: {e}");
        }
        let e = AssignmentForm {
            deadline: "2026-12-06".into(),
            ..form.clone()
        }
        .check(today())
        .unwrap_err();
        assert!(e.message("deadline").unwrap().contains("不能早于今天"));
        let e = AssignmentForm {
            deadline: "next week".into(),
            ..form.clone()
        }
        .check(today())
        .unwrap_err();
        assert!(e.message("deadline").unwrap().contains("2026-12-31"));
        let e = AssignmentForm {
            note: "长".repeat(MAX_TEXT + 1),
            ..form
        }
        .check(today())
        .unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert!(e.message("note").is_some());
    }

    #[test]
    fn a_case_needs_its_number_cause_enterprise_and_a_day_that_has_come() {
        let form = CaseForm {
            case_no: "冀石应急罚立〔2026〕12号".into(),
            cause: "未按规定排查治理事故隐患".into(),
            org_name: "长安区某烟花爆竹批发部".into(),
            credit_code: valid_code(),
            opened_on: "2026-12-07".into(),
            hazards: "YH-20261129-5c8d1b0a7e64-A-01，YH-20261129-5c8d1b0a7e64-A-01\nYH-20261130-000000000001-B-2".into(),
        };
        let case = form.check(today()).unwrap();
        assert_eq!(case.hazards.len(), 2, "duplicates collapse");
        let empty = CaseForm::default().check(today()).unwrap_err();
        let fields: Vec<&str> = empty.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["case_no", "cause", "org_name", "credit_code", "opened_on"]
        );
        let e = CaseForm {
            opened_on: "2026-12-08".into(),
            hazards: "YH-1".into(),
            ..form.clone()
        }
        .check(today())
        .unwrap_err();
        assert!(e.message("opened_on").unwrap().contains("不能晚于今天"));
        assert!(e.message("hazards").unwrap().contains("YH-1"));
        let e = CaseForm {
            credit_code: "91130102708461136X".into(),
            ..form
        }
        .check(today())
        .unwrap_err();
        assert!(e.message("credit_code").unwrap().contains("校验码"));
        let opened = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            CloseCaseForm {
                closed_on: "2026-12-05".into()
            }
            .check(opened, today())
            .unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
        );
        assert!(
            CloseCaseForm {
                closed_on: "2026-11-30".into()
            }
            .check(opened, today())
            .is_err()
        );
        assert!(
            CloseCaseForm {
                closed_on: "2026-12-08".into()
            }
            .check(opened, today())
            .is_err()
        );
    }

    #[test]
    fn amounts_are_yuan_as_written_and_only_for_the_kinds_that_have_one() {
        assert_eq!(parse_yuan("50000"), Some(5_000_000));
        assert_eq!(parse_yuan("12,500.5"), Some(1_250_050));
        assert_eq!(parse_yuan(" 3.07 "), Some(307));
        for bad in ["", "-5", "1.234", "五万", "1e5", ".5", "99999999999999"] {
            assert_eq!(parse_yuan(bad), None, "{bad:?}");
        }
        assert_eq!(format_yuan(1_250_050), "12500.50");
        let form = PenaltyForm {
            decision_no: "（冀石）应急罚〔2026〕8号".into(),
            org_name: "长安区某烟花爆竹批发部".into(),
            credit_code: valid_code(),
            legal_basis: "《中华人民共和国安全生产法》第一百零二条".into(),
            kind: "fine".into(),
            amount_yuan: "50000".into(),
            decided_on: "2026-12-07".into(),
            case_no: String::new(),
        };
        let penalty = form.check(today()).unwrap();
        assert_eq!(
            (penalty.kind, penalty.amount_fen, penalty.case_no),
            (PenaltyKind::Fine, Some(5_000_000), None)
        );
        let e = PenaltyForm {
            amount_yuan: String::new(),
            ..form.clone()
        }
        .check(today())
        .unwrap_err();
        assert!(e.message("amount_yuan").is_some());
        let e = PenaltyForm {
            kind: "warning".into(),
            ..form.clone()
        }
        .check(today())
        .unwrap_err();
        assert!(e.message("amount_yuan").unwrap().contains("没有金额"));
        let warning = PenaltyForm {
            kind: "warning".into(),
            amount_yuan: String::new(),
            ..form.clone()
        }
        .check(today())
        .unwrap();
        assert_eq!(warning.amount_fen, None);
        let e = PenaltyForm {
            kind: "detention".into(),
            ..form
        }
        .check(today())
        .unwrap_err();
        assert!(
            e.message("kind").is_some(),
            "行政拘留 is not a penalty on an enterprise"
        );
    }

    #[test]
    fn accountability_names_a_person_a_measure_and_what_it_concerns() {
        let form = AccountabilityForm {
            person: "李四".into(),
            post: "副镇长".into(),
            unit: "建北街道办事处".into(),
            reason: "重大事故隐患逾期未整改，监管不力".into(),
            measure: "admonition".into(),
            decided_on: "2026-12-07".into(),
            hazard: "YH-20261129-5c8d1b0a7e64-A-01".into(),
            case_no: String::new(),
        };
        let done = form.check(today()).unwrap();
        assert_eq!(done.measure.label_zh(), "诫勉");
        assert_eq!(done.hazard.unwrap().item_id, "A-01");
        let e = AccountabilityForm {
            hazard: String::new(),
            ..form.clone()
        }
        .check(today())
        .unwrap_err();
        assert!(e.message("hazard").unwrap().contains("案件编号"));
        let by_case = AccountabilityForm {
            hazard: String::new(),
            case_no: "冀石应急罚立〔2026〕12号".into(),
            ..form.clone()
        }
        .check(today())
        .unwrap();
        assert_eq!(by_case.hazard, None);
        let e = AccountabilityForm {
            hazard: "YH-20261129-5c8d1b0a7e64-A-01 YH-20261129-5c8d1b0a7e64-A-02".into(),
            ..form
        }
        .check(today())
        .unwrap_err();
        assert!(e.message("hazard").unwrap().contains("一个"));
    }

    #[test]
    fn every_vocabulary_slug_reads_back_and_labels_are_distinct() {
        fn distinct(labels: Vec<&str>) {
            let mut sorted = labels.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), labels.len(), "{labels:?}");
        }
        for kind in PenaltyKind::ALL {
            assert_eq!(PenaltyKind::from_slug(kind.slug()), Some(*kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.slug());
        }
        for measure in AccountabilityMeasure::ALL {
            assert_eq!(
                AccountabilityMeasure::from_slug(measure.slug()),
                Some(*measure)
            );
            assert_eq!(serde_json::to_value(measure).unwrap(), measure.slug());
        }
        distinct(PenaltyKind::ALL.iter().map(|k| k.label_zh()).collect());
        distinct(
            AccountabilityMeasure::ALL
                .iter()
                .map(|k| k.label_zh())
                .collect(),
        );
        assert_eq!(CaseStatus::from_slug("closed"), Some(CaseStatus::Closed));
    }
}
