//! The app's state as plain data with plain methods. Components call these methods; one
//! Effect (`persist`) writes whatever records they changed to IndexedDB.
//!
//! Every `impl Model` is in this layer: this file holds the records and the inspection's own
//! changes; `sites`, `bundles`, `photos`, `followup` (and re-inspection), `records` (what the
//! printed records and the hazard ledger say) and `start` (starting an inspection) add theirs.
//! Beside the model: the checklist `catalog`, the `context` the screens find, loading the
//! `data`, the first screen's `summary`.

pub mod bundles;
pub mod catalog;
pub mod context;
pub mod data;
#[cfg(test)]
mod fixtures;
pub mod followup;
pub mod persist;
pub mod photos;
pub mod pulled;
pub mod records;
pub mod reviews;
pub mod sites;
pub mod start;
pub mod summary;

pub use bundles::{BundleRecord, UploadState};
pub use sites::{SiteConflict, SiteEntry};

use chrono::{DateTime, Utc};
use paicha_core::bundle::ChainState;
use paicha_core::finding::{GeoPosition, MajorHazardPlan, RectificationOrder};
use paicha_core::{
    Checklist, Inspection, InspectionError, InspectionKind, Inspector, Site, Verdict,
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// One durable record; the unit of a write. An inspection is stored as a header plus one
/// record per answer, so saving an answer costs the same with 10 or 1,000 findings stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordKey {
    Profile,
    /// The inspection without its answers.
    Inspection(Uuid),
    /// One answer: inspection id and item id.
    Answer(Uuid, String),
    /// A bundle's upload state (its envelope never changes once created).
    Bundle(Uuid),
    /// A saved site (enterprise).
    Site(Uuid),
    /// A hazard pulled from the ledger, by `inspection id/item id`: written while the model
    /// holds it, deleted once it does not.
    Pulled(String),
    /// Where the next pull starts, and when the last full pull finished.
    PullState,
    /// The device's settings ([`DeviceSettings`]).
    Settings,
}

/// Choices that belong to this device (stored in `kv`, never in a backup). A state stored
/// before a setting existed loads with its default.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeviceSettings {
    /// Delete a photo from the device once the ledger holds it (`model::photos`); off by
    /// default: the device keeps its evidence unless the person chooses otherwise.
    #[serde(default)]
    pub free_delivered_photos: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Model {
    pub profile: Option<Inspector>,
    pub inspections: BTreeMap<Uuid, Inspection>,
    pub chain: ChainState,
    pub bundles: Vec<BundleRecord>,
    pub sites: BTreeMap<Uuid, SiteEntry>,
    /// What the ledger sent of its hazards (`model::pulled`), by `inspection id/item id`.
    pub pulled: BTreeMap<String, pulled::Pulled>,
    /// Where the next pull starts, and the day of the last full one.
    pub pull: pulled::PullState,
    pub settings: DeviceSettings,
    /// Bumped on every change of a record; the persistence Effect compares it with what it wrote.
    revisions: BTreeMap<RecordKey, u64>,
    next_revision: u64,
}

impl Model {
    /// The model as loaded. `rewrite` names inspections stored in an older layout (answers
    /// inside the inspection record): they are marked changed, so the persistence Effect
    /// rewrites them, header and answers in one transaction, in the current layout.
    pub fn loaded(
        profile: Option<Inspector>,
        inspections: Vec<Inspection>,
        chain: ChainState,
        bundles: Vec<BundleRecord>,
        rewrite: &[Uuid],
    ) -> Self {
        let mut model = Self {
            profile,
            inspections: inspections.into_iter().map(|i| (i.id, i)).collect(),
            chain,
            bundles,
            ..Self::default()
        };
        for id in rewrite {
            let items: Vec<String> = model
                .inspections
                .get(id)
                .map(|i| i.answers.keys().cloned().collect())
                .unwrap_or_default();
            model.touch(RecordKey::Inspection(*id));
            for item in items {
                model.touch(RecordKey::Answer(*id, item));
            }
        }
        model
    }

    pub(crate) fn touch(&mut self, key: RecordKey) {
        self.next_revision += 1;
        self.revisions.insert(key, self.next_revision);
    }

    pub fn revisions(&self) -> &BTreeMap<RecordKey, u64> {
        &self.revisions
    }

    pub fn set_profile(&mut self, inspector: Inspector) {
        self.profile = Some(inspector);
        self.touch(RecordKey::Profile);
    }

    pub fn start_inspection(
        &mut self,
        id: Uuid,
        site: Site,
        checklist: &Checklist,
        now: DateTime<Utc>,
    ) -> Result<Uuid, InspectionError> {
        let inspector = self
            .profile
            .clone()
            .ok_or(InspectionError::Required("检查人员 inspector"))?;
        self.inspections
            .insert(id, Inspection::start(id, site, checklist, inspector, now));
        self.touch(RecordKey::Inspection(id));
        Ok(id)
    }

    pub fn answer(
        &mut self,
        id: Uuid,
        checklist: &Checklist,
        item_id: &str,
        verdict: Verdict,
        description: &str,
        now: DateTime<Utc>,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Answer(id, item_id.to_string()), |i| {
            i.answer(checklist, item_id, verdict, description, now)
        })
    }

    pub fn set_applicability(
        &mut self,
        id: Uuid,
        checklist: &Checklist,
        answers: BTreeMap<String, bool>,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Inspection(id), |i| {
            i.set_applicability(checklist, answers)
        })
    }

    pub fn set_order(
        &mut self,
        id: Uuid,
        item_id: &str,
        location: &str,
        order: RectificationOrder,
        plan: Option<MajorHazardPlan>,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Answer(id, item_id.to_string()), |i| {
            i.set_order(item_id, location, order, plan)
        })
    }

    pub fn set_position(&mut self, id: Uuid, position: GeoPosition) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Inspection(id), |i| i.set_position(position))
    }

    pub fn seal(
        &mut self,
        id: Uuid,
        checklist: &Checklist,
        now: DateTime<Utc>,
    ) -> Result<(), InspectionError> {
        // The app seals only once every hazard has a description, a complete order (交办) and
        // the photo its item requires (the completion screen lists all of these).
        self.edit(id, RecordKey::Inspection(id), |i| {
            paicha_core::completion::Completion::of(i, checklist).blockers()?;
            i.seal(checklist, now)
        })
    }

    /// Records (or with `None` removes) the site representative's signature, a PNG already
    /// stored under `sha256`.
    pub fn set_site_signature(
        &mut self,
        id: Uuid,
        sha256: Option<&str>,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Inspection(id), |i| {
            i.set_site_signature(sha256)
        })
    }

    pub fn set_team(
        &mut self,
        id: Uuid,
        kind: InspectionKind,
        co_inspectors: Vec<Inspector>,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Inspection(id), |i| {
            i.set_team(kind, co_inspectors)
        })
    }

    /// The co-inspectors of the most recent inspection: officers usually work in pairs, so a
    /// new inspection starts with the same team.
    pub fn last_team(&self) -> Vec<Inspector> {
        self.inspections_newest_first()
            .first()
            .map(|i| i.co_inspectors.clone())
            .unwrap_or_default()
    }

    /// Applies `change` to inspection `id` and, if it succeeds, marks `record` (the stored
    /// record it changed: the header, or one answer) for the persistence Effect.
    pub(crate) fn edit<T>(
        &mut self,
        id: Uuid,
        record: RecordKey,
        change: impl FnOnce(&mut Inspection) -> Result<T, InspectionError>,
    ) -> Result<T, InspectionError> {
        let out = change(self.inspection_mut(id)?)?;
        self.touch(record);
        Ok(out)
    }

    pub(crate) fn inspection_mut(&mut self, id: Uuid) -> Result<&mut Inspection, InspectionError> {
        self.inspections
            .get_mut(&id)
            .ok_or(InspectionError::Required("检查记录 inspection"))
    }

    /// Inspections newest first.
    pub fn inspections_newest_first(&self) -> Vec<&Inspection> {
        let mut list: Vec<_> = self.inspections.values().collect();
        list.sort_by_key(|i| std::cmp::Reverse(i.started_at));
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paicha_core::CreditCode;

    fn checklist() -> Checklist {
        Checklist::from_toml(
            "fireworks.toml",
            include_str!("../../checklists/fireworks.toml"),
        )
        .unwrap()
    }

    #[test]
    fn every_change_bumps_the_revision_of_its_record_only() {
        let mut model = Model::default();
        model.set_profile(Inspector::new("张三", "A1").unwrap());
        let site = Site::new("某公司", CreditCode::parse("91440300708461136T").unwrap()).unwrap();
        let id = model
            .start_inspection(Uuid::from_u128(1), site, &checklist(), Utc::now())
            .unwrap();
        let before = model.revisions().clone();
        let item = checklist().items().next().unwrap().id.clone();
        model
            .answer(
                id,
                &checklist(),
                &item,
                Verdict::MajorHazard,
                "x",
                Utc::now(),
            )
            .unwrap();
        assert_eq!(
            model.revisions()[&RecordKey::Profile],
            before[&RecordKey::Profile]
        );
        // Only the answer's own record changes: not the inspection header, not other answers.
        assert_eq!(
            model.revisions()[&RecordKey::Inspection(id)],
            before[&RecordKey::Inspection(id)]
        );
        assert!(
            model
                .revisions()
                .contains_key(&RecordKey::Answer(id, item.clone()))
        );
        assert_eq!(model.revisions().len(), before.len() + 1);
    }

    #[test]
    fn records_in_the_old_layout_are_marked_for_rewriting() {
        let mut old = Model::default();
        old.set_profile(Inspector::new("张三", "A1").unwrap());
        let site = Site::new("某公司", CreditCode::parse("91440300708461136T").unwrap()).unwrap();
        let id = old
            .start_inspection(Uuid::from_u128(7), site, &checklist(), Utc::now())
            .unwrap();
        for item in ["FW-01", "FW-02"] {
            old.answer(id, &checklist(), item, Verdict::Compliant, "", Utc::now())
                .unwrap();
        }
        let inspection = old.inspections[&id].clone();
        let model = Model::loaded(None, vec![inspection], ChainState::default(), vec![], &[id]);
        let keys: Vec<_> = model.revisions().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                RecordKey::Inspection(id),
                RecordKey::Answer(id, "FW-01".into()),
                RecordKey::Answer(id, "FW-02".into())
            ]
        );
    }

    #[test]
    fn upload_backoff_doubles_and_is_capped() {
        assert_eq!(UploadState::backoff(1).num_seconds(), 10);
        assert_eq!(UploadState::backoff(3).num_seconds(), 40);
        assert_eq!(UploadState::backoff(30).num_seconds(), 600);
        let now = Utc::now();
        let first = UploadState::Pending.after_failure("offline".into(), now);
        assert!(!first.is_due(now));
        assert!(first.is_due(now + chrono::Duration::seconds(10)));
        let second = first.after_failure("offline".into(), now);
        assert!(matches!(second, UploadState::Retrying { attempts: 2, .. }));
        assert!(
            !UploadState::Rejected {
                at: now,
                reason: "x".into()
            }
            .is_due(now)
        );
    }

    #[test]
    fn a_device_awaiting_enrolment_is_tried_every_minute_however_long_it_waits() {
        let now = Utc::now();
        let mut state = UploadState::Pending;
        for _ in 0..20 {
            state = state.awaiting_enrolment("not enrolled", now);
        }
        assert!(matches!(state, UploadState::Retrying { attempts: 20, .. }));
        assert!(!state.is_due(now + chrono::Duration::seconds(59)));
        assert!(state.is_due(now + chrono::Duration::seconds(60)));

        // "Upload now" makes it due at once, and leaves a refused bundle alone.
        let mut model = Model::default();
        let waiting = Uuid::from_u128(1);
        let refused = Uuid::from_u128(2);
        for (id, upload) in [
            (waiting, state.clone()),
            (
                refused,
                UploadState::Rejected {
                    at: now,
                    reason: "bad".into(),
                },
            ),
        ] {
            model.bundles.push(BundleRecord {
                bundle_id: id,
                sequence: id.as_u128() as u64,
                file_name: format!("{id}.json"),
                envelope_json: None,
                inspection_ids: vec![],
                created_at: now,
                upload,
                blobs: vec![],
                blob_crc32: vec![],
                missing_blobs: None,
            });
        }
        assert!(!model.any_upload_due(now));
        model.retry_waiting_uploads(now);
        let due: Vec<Uuid> = model.due_uploads(now).iter().map(|b| b.bundle_id).collect();
        assert_eq!(due, vec![waiting]);
    }

    #[test]
    fn upload_states_keep_their_stored_json() {
        let at = "2026-11-29T08:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let cases = [
            (UploadState::Pending, r#"{"state":"pending"}"#),
            (
                UploadState::Retrying {
                    attempts: 2,
                    retry_at: at,
                    last_error: "offline".into(),
                },
                r#"{"state":"retrying","attempts":2,"retry_at":"2026-11-29T08:00:00Z","last_error":"offline"}"#,
            ),
            (
                UploadState::Uploaded {
                    at,
                    duplicate: true,
                },
                r#"{"state":"uploaded","at":"2026-11-29T08:00:00Z","duplicate":true}"#,
            ),
            (
                UploadState::Rejected {
                    at,
                    reason: "未登记".into(),
                },
                r#"{"state":"rejected","at":"2026-11-29T08:00:00Z","reason":"未登记"}"#,
            ),
        ];
        for (state, json) in cases {
            assert_eq!(serde_json::to_string(&state).unwrap(), json);
            assert_eq!(serde_json::from_str::<UploadState>(json).unwrap(), state);
        }
        // Field order and unknown fields do not matter; a missing field or state is an error.
        let reordered =
            r#"{"duplicate":false,"at":"2026-11-29T08:00:00Z","state":"uploaded","x":1}"#;
        assert_eq!(
            serde_json::from_str::<UploadState>(reordered).unwrap(),
            UploadState::Uploaded {
                at,
                duplicate: false
            }
        );
        let missing = serde_json::from_str::<UploadState>(r#"{"state":"retrying","attempts":1}"#);
        assert!(missing.unwrap_err().to_string().contains("retry_at"));
        assert!(serde_json::from_str::<UploadState>(r#"{"state":"lost"}"#).is_err());
        assert!(serde_json::from_str::<UploadState>(r#"{"attempts":1}"#).is_err());
    }

    #[test]
    fn a_failed_change_does_not_bump_anything() {
        let mut model = Model::default();
        let site = Site::new("某公司", CreditCode::parse("91440300708461136T").unwrap()).unwrap();
        assert!(
            model
                .start_inspection(Uuid::from_u128(1), site, &checklist(), Utc::now())
                .is_err()
        );
        assert!(model.revisions().is_empty());
    }

    #[test]
    fn sites_are_unique_by_credit_code_and_listed_most_recent_first() {
        let t = |h| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 29, h, 0, 0).unwrap();
        let mut model = Model::default();
        model.set_profile(Inspector::new("张三", "A1").unwrap());
        let a = Site::new("甲厂", CreditCode::parse("91440300708461136T").unwrap()).unwrap();
        let b = Site::new("乙厂", CreditCode::parse("911100001000044477").unwrap()).unwrap();
        model
            .save_site(Uuid::from_u128(1), a.clone(), t(8))
            .unwrap();
        model
            .save_site(Uuid::from_u128(2), b.clone(), t(9))
            .unwrap();
        let names = |m: &Model| -> Vec<String> {
            m.sites_recent_first()
                .iter()
                .map(|e| e.site.name.clone())
                .collect()
        };
        assert_eq!(names(&model), ["乙厂", "甲厂"]);
        // Inspecting 甲厂 later brings it to the top.
        model
            .start_inspection(Uuid::from_u128(9), a.clone(), &checklist(), t(10))
            .unwrap();
        assert_eq!(names(&model), ["甲厂", "乙厂"]);
        // A second site with the same code is refused; editing the same site is not.
        let conflict = model
            .save_site(Uuid::from_u128(3), a.clone(), t(11))
            .unwrap_err();
        assert_eq!(conflict.existing, Uuid::from_u128(1));
        let mut renamed = a;
        renamed.name = "甲厂（新）".into();
        model.save_site(Uuid::from_u128(1), renamed, t(12)).unwrap();
        assert_eq!(model.sites[&Uuid::from_u128(1)].created_at, t(8));
        assert!(
            model
                .revisions()
                .contains_key(&RecordKey::Site(Uuid::from_u128(1)))
        );
    }
}
