//! What the model's unit tests share: the shipped fireworks checklist and a re-inspection's
//! review of one hazard.

use paicha_core::reinspection::{HazardRef, HazardReview, ReviewOutcome};
use paicha_core::{Checklist, Verdict};
use uuid::Uuid;

pub fn fireworks() -> Checklist {
    Checklist::from_toml(
        "fireworks.toml",
        include_str!("../../checklists/fireworks.toml"),
    )
    .unwrap()
}

/// A review of `item` (a general hazard of inspection 1, due 2026-12-04) with `outcome`.
pub fn review(item: &str, outcome: ReviewOutcome) -> HazardReview {
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
