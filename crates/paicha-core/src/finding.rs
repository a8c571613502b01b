//! What an inspector orders for a hazard (交办): the rectification order and, for a major
//! hazard, the "五落实" plan and any suspension. Fields are kept as typed, so nothing the
//! inspector wrote is ever discarded; they are checked when the inspection is sealed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 责令限期整改: what must be done, by whom, by when, at what estimated cost.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RectificationOrder {
    /// 整改措施
    #[serde(default)]
    pub measures: String,
    /// 整改责任人
    #[serde(default)]
    pub responsible: String,
    /// 整改期限, `YYYY-MM-DD` (checked when sealing).
    #[serde(default)]
    pub deadline: String,
    /// 预计整改资金（元）, digits only; empty when not estimated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub funds_yuan: String,
}

/// 停产停业 ordered for a major hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Suspension {
    /// Not decided yet: sealing requires a decision.
    #[default]
    Undecided,
    None,
    Partial,
    Full,
}

impl Suspension {
    /// 是否停产停业 as the hazard ledger and the records print it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Suspension::Undecided => "未决定",
            Suspension::None => "否",
            Suspension::Partial => "局部停产停业",
            Suspension::Full => "全部停产停业",
        }
    }
}

/// 重大事故隐患治理方案 "五落实" (16号令 第十五条, a paraphrase in the research notes).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MajorHazardPlan {
    /// 治理的目标和任务
    #[serde(default)]
    pub target: String,
    /// 负责治理的机构和人员
    #[serde(default)]
    pub organisation: String,
    /// 安全措施和应急预案
    #[serde(default)]
    pub safety_measures: String,
    /// 经费和物资的落实
    #[serde(default)]
    pub funds_materials: String,
    /// 治理的时限, `YYYY-MM-DD`.
    #[serde(default)]
    pub time_limit: String,
    #[serde(default)]
    pub suspension: Suspension,
}

/// Where the inspection took place, from the device's location service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GeoPosition {
    /// Degrees × 10⁷ (integers keep the signed JSON exact on every platform).
    pub latitude_e7: i64,
    pub longitude_e7: i64,
    /// Radius of 95 % confidence, metres.
    pub accuracy_m: u32,
}

impl GeoPosition {
    pub fn from_degrees(latitude: f64, longitude: f64, accuracy_m: f64) -> Option<Self> {
        let valid = (-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude);
        valid.then(|| Self {
            latitude_e7: (latitude * 1e7).round() as i64,
            longitude_e7: (longitude * 1e7).round() as i64,
            accuracy_m: accuracy_m.max(0.0).min(u32::MAX as f64).round() as u32,
        })
    }

    pub fn degrees(&self) -> (f64, f64) {
        (
            self.latitude_e7 as f64 / 1e7,
            self.longitude_e7 as f64 / 1e7,
        )
    }
}

/// A date as typed (`YYYY-MM-DD`), if it is one.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// What is missing or wrong in a hazard's order, as field names for the completion summary.
pub fn problems(
    order: Option<&RectificationOrder>,
    plan: Option<&MajorHazardPlan>,
    major: bool,
    inspected_on: NaiveDate,
) -> Vec<&'static str> {
    let mut out = Vec::new();
    let empty = |s: &str| s.trim().is_empty();
    let date_ok = |s: &str| parse_date(s).is_some_and(|d| d >= inspected_on);
    let order = order.cloned().unwrap_or_default();
    if empty(&order.measures) {
        out.push("整改措施");
    }
    if empty(&order.responsible) {
        out.push("整改责任人");
    }
    if !date_ok(&order.deadline) {
        out.push("整改期限");
    }
    if !order.funds_yuan.is_empty() && !order.funds_yuan.bytes().all(|b| b.is_ascii_digit()) {
        out.push("整改资金");
    }
    if major {
        let plan = plan.cloned().unwrap_or_default();
        if empty(&plan.target) {
            out.push("治理目标和任务");
        }
        if empty(&plan.organisation) {
            out.push("治理机构和人员");
        }
        if empty(&plan.safety_measures) {
            out.push("安全措施和应急预案");
        }
        if empty(&plan.funds_materials) {
            out.push("经费和物资");
        }
        if !date_ok(&plan.time_limit) {
            out.push("治理时限");
        }
        if plan.suspension == Suspension::Undecided {
            out.push("是否停产停业");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_date_takes_the_dates_the_app_stores() {
        assert_eq!(
            parse_date("2026-02-28"),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert_eq!(
            parse_date(" 2026-02-28 "),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert_eq!(parse_date("2026-02-29"), None);
    }

    fn day(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn a_complete_general_order_has_no_problems() {
        let order = RectificationOrder {
            measures: "更换防雷引下线".into(),
            responsible: "张厂长".into(),
            deadline: "2026-12-15".into(),
            funds_yuan: "3000".into(),
        };
        assert!(problems(Some(&order), None, false, day("2026-11-29")).is_empty());
    }

    #[test]
    fn missing_fields_past_deadlines_and_bad_funds_are_named() {
        let order = RectificationOrder {
            deadline: "2026-11-01".into(),
            funds_yuan: "3千".into(),
            ..Default::default()
        };
        assert_eq!(
            problems(Some(&order), None, false, day("2026-11-29")),
            ["整改措施", "整改责任人", "整改期限", "整改资金"]
        );
        assert_eq!(
            problems(None, None, false, day("2026-11-29")),
            ["整改措施", "整改责任人", "整改期限"]
        );
        let impossible = RectificationOrder {
            deadline: "2026-02-30".into(),
            ..Default::default()
        };
        assert!(problems(Some(&impossible), None, false, day("2026-01-01")).contains(&"整改期限"));
    }

    #[test]
    fn a_major_hazard_needs_the_five_measures_and_a_suspension_decision() {
        let order = RectificationOrder {
            measures: "m".into(),
            responsible: "r".into(),
            deadline: "2026-12-01".into(),
            funds_yuan: String::new(),
        };
        let missing = problems(Some(&order), None, true, day("2026-11-29"));
        assert_eq!(missing.len(), 6);
        let plan = MajorHazardPlan {
            target: "t".into(),
            organisation: "o".into(),
            safety_measures: "s".into(),
            funds_materials: "f".into(),
            time_limit: "2026-12-31".into(),
            suspension: Suspension::Partial,
        };
        assert!(problems(Some(&order), Some(&plan), true, day("2026-11-29")).is_empty());
    }

    #[test]
    fn positions_are_exact_integers_and_validated() {
        let p = GeoPosition::from_degrees(23.1291, 113.2644, 12.4).unwrap();
        assert_eq!(
            (p.latitude_e7, p.longitude_e7, p.accuracy_m),
            (231_291_000, 1_132_644_000, 12)
        );
        assert!(GeoPosition::from_degrees(91.0, 0.0, 1.0).is_none());
    }
}
