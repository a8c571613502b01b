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

/// A date as typed (`YYYY-MM-DD`), if it is one: exactly what chrono's
/// `NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")` accepts (tested against it), without
/// chrono's format-string parser, which would otherwise be in the app's first wasm module
/// (deadlines decide the overdue count on the home screen).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let (year, rest) = year_field(text.trim())?;
    let (month, rest) = number_field(rest.strip_prefix('-')?, 2)?;
    let (day, rest) = number_field(rest.strip_prefix('-')?, 2)?;
    if !rest.is_empty() {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        u32::try_from(month).ok()?,
        u32::try_from(day).ok()?,
    )
}

/// chrono's numeric field: whitespace, then 1 to `max` ASCII digits.
fn number_field(s: &str, max: usize) -> Option<(i64, &str)> {
    digits(s.trim_start(), max)
}

/// chrono's `%Y`: whitespace, then a sign and any number of digits, or 1 to 4 digits.
fn year_field(s: &str) -> Option<(i64, &str)> {
    let s = s.trim_start();
    if let Some(rest) = s.strip_prefix('-') {
        digits(rest, usize::MAX).and_then(|(v, rest)| Some((v.checked_neg()?, rest)))
    } else if let Some(rest) = s.strip_prefix('+') {
        digits(rest, usize::MAX)
    } else {
        digits(s, 4)
    }
}

fn digits(s: &str, max: usize) -> Option<(i64, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
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
    fn parse_date_accepts_exactly_what_chrono_accepts() {
        let years = [
            "2026",
            "26",
            "0",
            "0002026",
            "+2026",
            "-2026",
            "+ 2026",
            " 2026",
            "20261",
            "-0",
            "+99999999999999999999",
            "262143",
            "+262144",
        ];
        let seps = ["-", "--", " -", "- ", "/", ""];
        let months = ["1", "01", "001", " 1", "13", "0", "12", "\u{3000}2", "a"];
        let days = ["1", "01", "31", "32", "29", "30", " 9", "009", ""];
        let ends = ["", " ", "x", "\t", "-"];
        let mut checked = 0;
        for y in years {
            for s1 in seps {
                for m in months {
                    for s2 in ["-", " -", ""] {
                        for d in days {
                            for end in ends {
                                let text = format!(" {y}{s1}{m}{s2}{d}{end}");
                                let chrono =
                                    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
                                assert_eq!(super::parse_date(&text), chrono, "{text:?}");
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 10_000);
        // The dates the app stores.
        assert_eq!(
            super::parse_date("2026-02-28"),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert_eq!(super::parse_date("2026-02-29"), None);
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
