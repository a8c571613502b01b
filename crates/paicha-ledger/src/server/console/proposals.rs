//! Entries a device proposed: a re-inspection that escalated a hazard (立案查处, 提请挂牌督办,
//! 责令停产停业整顿) proposes an entry of the right list, shown above it until a supervisor
//! records one that answers it.

use super::links::href;
use crate::access::Identity;
use crate::server::AppState;
use crate::server::error::ApiError;
use crate::store::lists::FoundHazard;
use crate::store::{HazardFilter, HazardStatus};
use maud::{Markup, html};
use paicha_core::reinspection::Escalation;

/// Hazards of the person's regions whose deciding review escalated them in one of `kinds`.
pub async fn escalated(
    state: &AppState,
    identity: &Identity,
    kinds: &[Escalation],
) -> Result<Vec<(FoundHazard, Escalation)>, ApiError> {
    let filter = HazardFilter {
        scope: Some(identity.reads()),
        statuses: vec![HazardStatus::Escalated],
        ..Default::default()
    };
    let rows = state
        .store
        .hazards(&filter)
        .await
        .map_err(ApiError::from_store)?;
    let mut out = Vec::new();
    for row in rows {
        let Some(escalation) = row.review.as_ref().and_then(|r| r.escalation) else {
            continue;
        };
        if !kinds.contains(&escalation) {
            continue;
        }
        out.push((row.found(), escalation));
    }
    Ok(out)
}

/// The proposals above a list (nothing when there are none).
pub fn proposed(
    title: (&str, &str),
    explanation: &str,
    items: &[(FoundHazard, Escalation)],
) -> Markup {
    html! {
        @if !items.is_empty() {
            section.card aria-labelledby="proposed-title" {
                h2 #proposed-title { (title.0) " " span.en lang="en" { (title.1) } }
                p { (explanation) }
                ul {
                    @for (found, escalation) in items {
                        li {
                            a href=(href(&found.key)) { (found.number) }
                            " · " (found.org_name) " · " (escalation.label_zh()) " " span.en lang="en" { (escalation.label_en()) }
                        }
                    }
                }
            }
        }
    }
}
