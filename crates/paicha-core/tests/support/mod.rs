//! What the core's tests share: the test vectors (built in memory) and small builders.

#![allow(dead_code)]

pub mod vectors;

use chrono::{TimeZone, Utc};
use paicha_core::finding::RectificationOrder;
use paicha_core::*;
use uuid::Uuid;

/// An inspection of 某公司 by 张三 started at 08:00 UTC on 29 November 2026, nothing answered.
pub fn start(checklist: &Checklist, id: u128) -> Inspection {
    let site = Site::new("某公司", CreditCode::parse("91440300708461136T").unwrap()).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 29, 8, 0, 0).unwrap();
    Inspection::start(
        Uuid::from_u128(id),
        site,
        checklist,
        Inspector::new("张三", "1").unwrap(),
        t0,
    )
}

/// A complete rectification order due on 10 December 2026.
pub fn order(measures: &str, funds_yuan: &str) -> RectificationOrder {
    RectificationOrder {
        measures: measures.into(),
        responsible: "李厂长".into(),
        deadline: "2026-12-10".into(),
        funds_yuan: funds_yuan.into(),
    }
}
