//! The inspector's judgement on one checklist item.

use serde::{Deserialize, Serialize};

/// The inspector's judgement on one checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 符合
    Compliant,
    /// 一般隐患
    GeneralHazard,
    /// 重大隐患
    MajorHazard,
    /// 不适用
    NotApplicable,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Compliant,
        Verdict::GeneralHazard,
        Verdict::MajorHazard,
        Verdict::NotApplicable,
    ];

    pub fn is_hazard(self) -> bool {
        matches!(self, Verdict::GeneralHazard | Verdict::MajorHazard)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Verdict::Compliant => "符合",
            Verdict::GeneralHazard => "一般隐患",
            Verdict::MajorHazard => "重大隐患",
            Verdict::NotApplicable => "不适用",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Verdict::Compliant => "Compliant",
            Verdict::GeneralHazard => "General hazard",
            Verdict::MajorHazard => "Major hazard",
            Verdict::NotApplicable => "Not applicable",
        }
    }
}
