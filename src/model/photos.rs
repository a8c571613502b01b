//! Photos referred to by answers and reviews. The files themselves are stored before they are
//! referred to (`services::photos`); the model holds only their hashes.

use super::{Model, RecordKey};
use paicha_core::reinspection::HazardRef;
use paicha_core::{Inspection, InspectionError};
use uuid::Uuid;

impl Model {
    /// Refers the answer to `item_id` to a photo already stored under `sha256`.
    pub fn attach_photo(
        &mut self,
        id: Uuid,
        item_id: &str,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Answer(id, item_id.to_string()), |i| {
            i.attach_photo(item_id, sha256)
        })
    }

    /// Every file a record refers to (photos of answers and reviews, site signatures) and every
    /// file a bundle names: what the photo store must keep. A bundle's files are its
    /// inspections' too, and sealed inspections are never removed, so the device keeps them
    /// after the ledger has confirmed them all.
    pub fn files_in_use(&self) -> std::collections::HashSet<String> {
        self.inspections
            .values()
            .flat_map(|i| i.attachment_refs())
            .map(str::to_string)
            .chain(self.bundles.iter().flat_map(|b| b.blobs.iter().cloned()))
            .collect()
    }

    /// Whether any record or bundle refers to the file `sha256`.
    pub fn file_in_use(&self, sha256: &str) -> bool {
        self.inspections
            .values()
            .any(|i| i.attachment_refs().contains(&sha256))
            || self
                .bundles
                .iter()
                .any(|b| b.blobs.iter().any(|h| h == sha256))
    }

    /// Turns the device setting "free photos once the ledger holds them" on or off.
    pub fn set_free_delivered_photos(&mut self, on: bool) {
        self.settings.free_delivered_photos = on;
        self.touch(RecordKey::Settings);
    }

    /// Whether a bundle that names `sha256` has been fully delivered: the ledger holds the
    /// file. Absent from the device, such a file was freed, not lost.
    pub fn held_by_ledger(&self, sha256: &str) -> bool {
        self.bundles
            .iter()
            .any(|b| b.is_delivered() && b.blobs.iter().any(|h| h == sha256))
    }

    /// The files the device may free: named by a bundle, every bundle that names them fully
    /// delivered (the ledger confirmed the envelope and each file), and referred to by no
    /// inspection outside a delivered bundle (a draft, or a sealed one not exported yet).
    /// Whether the setting is on is not asked here: "free now" runs this rule once.
    pub fn freeable_photos(&self) -> std::collections::BTreeSet<String> {
        let delivered = |id: &Uuid| {
            self.bundles
                .iter()
                .any(|b| b.is_delivered() && b.inspection_ids.contains(id))
        };
        let mut out: std::collections::BTreeSet<String> = self
            .bundles
            .iter()
            .filter(|b| b.is_delivered())
            .flat_map(|b| b.blobs.iter().cloned())
            .collect();
        for b in self.bundles.iter().filter(|b| !b.is_delivered()) {
            b.blobs.iter().for_each(|h| {
                out.remove(h);
            });
        }
        for i in self.inspections.values().filter(|i| !delivered(&i.id)) {
            i.attachment_refs().into_iter().for_each(|h| {
                out.remove(h);
            });
        }
        out
    }

    /// What the device frees by itself now: [`Model::freeable_photos`] if the person chose
    /// to free delivered photos, else nothing.
    pub fn photos_to_free(&self) -> std::collections::BTreeSet<String> {
        if self.settings.free_delivered_photos {
            self.freeable_photos()
        } else {
            Default::default()
        }
    }

    /// Removes the reference; the stored file stays while another answer shows it too.
    pub fn detach_photo(
        &mut self,
        id: Uuid,
        item_id: &str,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Answer(id, item_id.to_string()), |i| {
            i.detach_photo(item_id, sha256)
        })
    }

    /// Refers `target` (a finding or a re-inspection's review) to a photo stored under `sha256`.
    pub fn attach_photo_to(
        &mut self,
        id: Uuid,
        target: &PhotoTarget,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        match target {
            PhotoTarget::Answer(item_id) => self.attach_photo(id, item_id, sha256),
            PhotoTarget::Review(hazard) => self.attach_review_photo(id, hazard, sha256),
        }
    }

    pub fn detach_photo_from(
        &mut self,
        id: Uuid,
        target: &PhotoTarget,
        sha256: &str,
    ) -> Result<(), InspectionError> {
        match target {
            PhotoTarget::Answer(item_id) => self.detach_photo(id, item_id, sha256),
            PhotoTarget::Review(hazard) => self.detach_review_photo(id, hazard, sha256),
        }
    }
}

/// What a set of photos belongs to: the answer to a checklist item, or the review of an
/// earlier hazard in a re-inspection (photos of the result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoTarget {
    Answer(String),
    Review(HazardRef),
}

impl PhotoTarget {
    /// The photos `target` refers to in `inspection`, in the order they were added.
    pub fn photos(&self, inspection: &Inspection) -> Vec<String> {
        match self {
            PhotoTarget::Answer(item_id) => inspection
                .answers
                .get(item_id)
                .map(|a| a.photos.clone())
                .unwrap_or_default(),
            PhotoTarget::Review(hazard) => inspection
                .reviews
                .iter()
                .find(|r| &r.hazard == hazard)
                .map(|r| r.photos.clone())
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use paicha_core::{Checklist, CreditCode, Inspector, Site, Verdict, sha256_hex};

    #[test]
    fn attaching_a_photo_touches_only_its_answer_and_sealing_needs_it() {
        let checklist = Checklist::from_toml(
            "fireworks.toml",
            include_str!("../../checklists/fireworks.toml"),
        )
        .unwrap();
        let mut model = Model::default();
        model.set_profile(Inspector::new("张三", "A1").unwrap());
        let site = Site::new("某公司", CreditCode::parse("91440300708461136T").unwrap()).unwrap();
        let id = model
            .start_inspection(Uuid::from_u128(3), site, &checklist, Utc::now())
            .unwrap();
        model
            .set_team(
                id,
                paicha_core::InspectionKind::Routine,
                vec![Inspector::new("李四", "A2").unwrap()],
            )
            .unwrap();
        model
            .answer(
                id,
                &checklist,
                "FW-21",
                Verdict::GeneralHazard,
                "超量",
                Utc::now(),
            )
            .unwrap();
        let order = paicha_core::finding::RectificationOrder {
            measures: "清理".into(),
            responsible: "李某".into(),
            deadline: "2099-12-31".into(),
            ..Default::default()
        };
        model.set_order(id, "FW-21", "一号库", order, None).unwrap();
        // FW-21 requires a photo for a hazard: sealing is refused and names it.
        let err = model.seal(id, &checklist, Utc::now()).unwrap_err();
        assert_eq!(err, InspectionError::MissingEvidence(vec!["FW-21".into()]));

        let before = model.revisions().clone();
        let photo = sha256_hex(b"jpeg bytes");
        model.attach_photo(id, "FW-21", &photo).unwrap();
        let key = RecordKey::Answer(id, "FW-21".into());
        assert!(model.revisions()[&key] > before[&key]);
        assert_eq!(
            model.revisions()[&RecordKey::Inspection(id)],
            before[&RecordKey::Inspection(id)]
        );
        // A bad reference changes nothing.
        let unchanged = model.revisions().clone();
        assert!(model.attach_photo(id, "FW-21", "not-a-hash").is_err());
        assert!(
            model.attach_photo(id, "FW-06", &photo).is_err(),
            "not answered"
        );
        assert_eq!(model.revisions(), &unchanged);

        model.seal(id, &checklist, Utc::now()).unwrap();
        assert_eq!(
            model.detach_photo(id, "FW-21", &photo),
            Err(InspectionError::Sealed)
        );
    }

    #[test]
    fn only_photos_the_ledger_holds_and_no_other_record_needs_are_freed_and_only_when_chosen() {
        use crate::model::{BundleRecord, DeviceSettings, UploadState};
        let checklist = Checklist::from_toml(
            "fireworks.toml",
            include_str!("../../checklists/fireworks.toml"),
        )
        .unwrap();
        let mut model = Model::default();
        model.set_profile(Inspector::new("张三", "A1").unwrap());
        let photo = |n: u8| sha256_hex(&[n]);
        let (p1, p2, p3, p4) = (photo(1), photo(2), photo(3), photo(4));
        let mut inspection = |n: u128, photos: &[&String]| {
            let site =
                Site::new("某公司", CreditCode::parse("91440300708461136T").unwrap()).unwrap();
            let id = model
                .start_inspection(Uuid::from_u128(n), site, &checklist, Utc::now())
                .unwrap();
            model
                .answer(
                    id,
                    &checklist,
                    "FW-21",
                    Verdict::GeneralHazard,
                    "超量",
                    Utc::now(),
                )
                .unwrap();
            for p in photos {
                model.attach_photo(id, "FW-21", p).unwrap();
            }
            id
        };
        // A: exported and delivered. B: a draft sharing p2. C: exported, p3 not confirmed yet,
        // and p4 also in A's bundle.
        let a = inspection(1, &[&p1, &p2, &p4]);
        let b = inspection(2, &[&p2]);
        let c = inspection(3, &[&p3, &p4]);
        let bundle = |n: u128, ids: Vec<Uuid>, blobs: Vec<String>, missing: Vec<String>| {
            let upload = if missing.is_empty() {
                UploadState::Uploaded {
                    at: Utc::now(),
                    duplicate: false,
                }
            } else {
                UploadState::Pending
            };
            BundleRecord {
                bundle_id: Uuid::from_u128(n),
                sequence: n as u64,
                file_name: format!("{n}.json"),
                envelope_json: None,
                inspection_ids: ids,
                created_at: Utc::now(),
                upload,
                blob_crc32: vec![0; blobs.len()],
                blobs,
                missing_blobs: Some(missing),
            }
        };
        model.bundles.push(bundle(
            10,
            vec![a],
            vec![p1.clone(), p2.clone(), p4.clone()],
            vec![],
        ));
        model.bundles.push(bundle(
            11,
            vec![c],
            vec![p3.clone(), p4.clone()],
            vec![p3.clone()],
        ));
        let set = |v: &[&String]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let freeable = |m: &Model| m.freeable_photos().into_iter().collect::<Vec<_>>();
        assert_eq!(freeable(&model), set(&[&p1]));
        assert!(model.held_by_ledger(&p2) && !model.held_by_ledger(&p3));

        // Off (the default, also for a state stored before the setting): nothing is freed.
        assert!(!model.settings.free_delivered_photos);
        let old: DeviceSettings = serde_json::from_str("{}").unwrap();
        assert!(!old.free_delivered_photos);
        assert!(model.photos_to_free().is_empty());
        let before = model.revisions().get(&RecordKey::Settings).copied();
        model.set_free_delivered_photos(true);
        assert!(model.revisions().get(&RecordKey::Settings).copied() > before);
        assert_eq!(
            model.photos_to_free().into_iter().collect::<Vec<_>>(),
            set(&[&p1])
        );

        // The draft lets go of p2; C's last file is confirmed: every photo may go.
        model.detach_photo(b, "FW-21", &p2).unwrap();
        assert_eq!(freeable(&model), set(&[&p1, &p2]));
        model.blob_delivered(Uuid::from_u128(11), &p3, Utc::now());
        let mut all = set(&[&p1, &p2, &p3, &p4]);
        all.sort();
        assert_eq!(freeable(&model), all);
        model.set_free_delivered_photos(false);
        assert!(model.photos_to_free().is_empty());
    }
}
