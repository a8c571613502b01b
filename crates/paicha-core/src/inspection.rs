//! Inspections: who inspects which site against which checklist, and what they found.

use crate::checklist::{Checklist, ChecklistRef};
pub use crate::error::{InspectionError, MissingField};
use crate::finding::{self, GeoPosition, MajorHazardPlan, RectificationOrder};
use crate::review::{HazardReview, review_problems};
pub use crate::site::Site;
pub use crate::verdict::Verdict;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A law-enforcement officer: name and 执法证号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Inspector {
    pub name: String,
    pub cert_no: String,
    /// 所属单位, e.g. 某县应急管理局. Absent in JSON when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organisation: String,
    /// 所属区域（县/乡镇）. Absent in JSON when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
}

impl Inspector {
    pub fn new(name: &str, cert_no: &str) -> Result<Self, MissingField> {
        let name = name.trim();
        let cert_no = cert_no.trim();
        if name.is_empty() {
            return Err(MissingField("检查人员姓名 inspector name"));
        }
        if cert_no.is_empty() {
            return Err(MissingField("执法证号 certificate number"));
        }
        Ok(Self {
            name: name.to_string(),
            cert_no: cert_no.to_string(),
            organisation: String::new(),
            region: String::new(),
        })
    }

    /// The same officer with the unit they belong to (trimmed).
    pub fn with_unit(mut self, organisation: &str, region: &str) -> Self {
        self.organisation = organisation.trim().to_string();
        self.region = region.trim().to_string();
        self
    }

    /// How the record names the officer: 姓名（执法证号）.
    pub fn display(&self) -> String {
        format!("{}（{}）", self.name, self.cert_no)
    }
}

/// 检查类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// 日常检查
    #[default]
    Routine,
    /// 专项检查
    Special,
    /// 复查: re-inspects earlier hazards of the site and closes or escalates each.
    Reinspection,
}

impl InspectionKind {
    pub const ALL: [InspectionKind; 3] = [
        InspectionKind::Routine,
        InspectionKind::Special,
        InspectionKind::Reinspection,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            InspectionKind::Routine => "日常检查",
            InspectionKind::Special => "专项检查",
            InspectionKind::Reinspection => "复查",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            InspectionKind::Routine => "Routine inspection",
            InspectionKind::Special => "Special inspection",
            InspectionKind::Reinspection => "Re-inspection",
        }
    }

    pub fn is_default(&self) -> bool {
        *self == InspectionKind::Routine
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub verdict: Verdict,
    /// What was found; required for hazards before the inspection can be sealed.
    #[serde(default)]
    pub description: String,
    pub answered_at: DateTime<Utc>,
    /// Photos of what was found: SHA-256 (lower-case hex) of attachments embedded in the
    /// bundle. Absent in JSON when empty, so records written before photos existed still parse.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(
        feature = "schema",
        schemars(inner(regex(pattern = r"^[0-9a-f]{64}$")))
    )]
    pub photos: Vec<String>,
    /// 隐患部位: where in the site the hazard is.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub location: String,
    /// 整改指令, for hazards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification: Option<RectificationOrder>,
    /// "五落实" and suspension, for major hazards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major_plan: Option<MajorHazardPlan>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    #[cfg_attr(
        feature = "schema",
        schemars(regex(
            pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
        ))
    )]
    pub id: Uuid,
    pub site: Site,
    pub checklist: ChecklistRef,
    pub inspector: Inspector,
    pub started_at: DateTime<Utc>,
    /// Answers to the checklist's applicability questions (question key → yes/no).
    #[serde(default)]
    pub applicability: BTreeMap<String, bool>,
    /// Keyed by checklist item id.
    pub answers: BTreeMap<String, Answer>,
    /// Set once; a sealed inspection is immutable.
    pub sealed_at: Option<DateTime<Utc>>,
    /// Where the inspection was started, if the device could tell (the inspector may refuse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<GeoPosition>,
    /// The site representative's handwritten signature (optional): SHA-256 (lower-case hex)
    /// of a PNG embedded as an attachment of the bundle. Absent in JSON when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(regex(pattern = r"^[0-9a-f]{64}$")))]
    pub site_signature: Option<String>,
    /// 检查类型; absent in JSON for a routine inspection (records from before it existed).
    #[serde(default, skip_serializing_if = "InspectionKind::is_default")]
    pub kind: InspectionKind,
    /// The other officers present (执法检查须两人以上), each by name and 执法证号.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_inspectors: Vec<Inspector>,
    /// For a re-inspection (复查): the earlier hazards it reviews and what was found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<HazardReview>,
}

impl Inspection {
    pub fn start(
        id: Uuid,
        site: Site,
        checklist: &Checklist,
        inspector: Inspector,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            site,
            checklist: checklist.reference(),
            inspector,
            started_at: now,
            applicability: BTreeMap::new(),
            answers: BTreeMap::new(),
            sealed_at: None,
            position: None,
            site_signature: None,
            kind: InspectionKind::Routine,
            co_inspectors: Vec::new(),
            reviews: Vec::new(),
        }
    }

    /// Sets the inspection type and the co-inspectors (each once, never the inspector).
    pub fn set_team(
        &mut self,
        kind: InspectionKind,
        co_inspectors: Vec<Inspector>,
    ) -> Result<(), InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        let mut seen = vec![self.inspector.cert_no.clone()];
        for co in &co_inspectors {
            if seen.contains(&co.cert_no) {
                return Err(InspectionError::DuplicateInspector(co.display()));
            }
            seen.push(co.cert_no.clone());
        }
        if kind != InspectionKind::Reinspection && !self.reviews.is_empty() {
            return Err(InspectionError::NotAReinspection);
        }
        self.kind = kind;
        self.co_inspectors = co_inspectors;
        Ok(())
    }

    /// Every officer of the inspection: the inspector first, then the co-inspectors.
    pub fn officers(&self) -> impl Iterator<Item = &Inspector> {
        std::iter::once(&self.inspector).chain(self.co_inspectors.iter())
    }

    /// Records the answers to the applicability questions; items whose questions were not
    /// answered "yes" do not apply.
    pub fn set_applicability(
        &mut self,
        checklist: &Checklist,
        answers: BTreeMap<String, bool>,
    ) -> Result<(), InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        if let Some(unknown) = answers
            .keys()
            .find(|k| !checklist.questions.iter().any(|q| &q.key == *k))
        {
            return Err(InspectionError::UnknownItem(unknown.clone()));
        }
        self.applicability = answers;
        Ok(())
    }

    /// Question keys answered "yes".
    pub fn applicable_keys(&self) -> std::collections::BTreeSet<String> {
        self.applicability
            .iter()
            .filter(|(_, yes)| **yes)
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub fn is_sealed(&self) -> bool {
        self.sealed_at.is_some()
    }

    /// Records (or replaces) the answer to one item. Photos already attached to the item stay.
    pub fn answer(
        &mut self,
        checklist: &Checklist,
        item_id: &str,
        verdict: Verdict,
        description: &str,
        now: DateTime<Utc>,
    ) -> Result<(), InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        if checklist.item(item_id).is_none() {
            return Err(InspectionError::UnknownItem(item_id.to_string()));
        }
        // Kept as typed (the text box shows it back); emptiness is judged when sealing.
        let description = if verdict.is_hazard() {
            description.to_string()
        } else {
            String::new()
        };
        let previous = self.answers.remove(item_id);
        let photos = previous
            .as_ref()
            .map(|p| p.photos.clone())
            .unwrap_or_default();
        // A hazard's order survives a change between general and major; it means nothing for
        // a compliant or not-applicable item.
        let kept = previous.filter(|_| verdict.is_hazard());
        let location = kept
            .as_ref()
            .map(|p| p.location.clone())
            .unwrap_or_default();
        let rectification = kept.as_ref().and_then(|p| p.rectification.clone());
        let major_plan = kept
            .and_then(|p| p.major_plan)
            .filter(|_| verdict == Verdict::MajorHazard);
        self.answers.insert(
            item_id.to_string(),
            Answer {
                verdict,
                description,
                answered_at: now,
                photos,
                location,
                rectification,
                major_plan,
            },
        );
        Ok(())
    }

    /// Records the order (交办) for a hazard: location within the site, the rectification
    /// order and, for a major hazard, the five-measures plan. Stored as typed.
    pub fn set_order(
        &mut self,
        item_id: &str,
        location: &str,
        rectification: RectificationOrder,
        major_plan: Option<MajorHazardPlan>,
    ) -> Result<(), InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        let answer = self
            .answers
            .get_mut(item_id)
            .ok_or_else(|| InspectionError::NotAnswered(item_id.to_string()))?;
        if !answer.verdict.is_hazard() {
            return Err(InspectionError::NotAHazard(item_id.to_string()));
        }
        answer.location = location.to_string();
        answer.rectification = Some(rectification);
        answer.major_plan = if answer.verdict == Verdict::MajorHazard {
            major_plan
        } else {
            None
        };
        Ok(())
    }

    /// Hazards whose order (交办) is incomplete, each as "item：missing fields". The app seals
    /// only when this is empty; the domain's `seal` does not insist, because a bundle from
    /// an older app version without orders is still a valid record.
    pub fn order_problems(&self) -> Vec<String> {
        let inspected_on = self.started_at.date_naive();
        self.hazards()
            .filter_map(|(id, a)| {
                let major = a.verdict == Verdict::MajorHazard;
                let missing = finding::problems(
                    a.rectification.as_ref(),
                    a.major_plan.as_ref(),
                    major,
                    inspected_on,
                );
                (!missing.is_empty()).then(|| format!("{id}：{}", missing.join("、")))
            })
            .collect()
    }

    pub fn set_position(&mut self, position: GeoPosition) -> Result<(), InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        self.position = Some(position);
        Ok(())
    }

    /// Attaches a photo, named by the SHA-256 (lower-case hex) of its bytes, to an answered
    /// item. Attaching the same photo twice is a no-op. The bytes themselves travel as an
    /// [`Attachment`](crate::attachment::Attachment) of the bundle.
    pub fn attach_photo(&mut self, item_id: &str, sha256: &str) -> Result<(), InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        if !crate::is_hex64(sha256) {
            return Err(InspectionError::BadPhotoRef(sha256.to_string()));
        }
        let answer = self
            .answers
            .get_mut(item_id)
            .ok_or_else(|| InspectionError::NotAnswered(item_id.to_string()))?;
        if !answer.photos.iter().any(|p| p == sha256) {
            answer.photos.push(sha256.to_string());
        }
        Ok(())
    }

    /// Removes a photo reference from an item (no-op when it is not there).
    pub fn detach_photo(&mut self, item_id: &str, sha256: &str) -> Result<(), InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        let answer = self
            .answers
            .get_mut(item_id)
            .ok_or_else(|| InspectionError::NotAnswered(item_id.to_string()))?;
        answer.photos.retain(|p| p != sha256);
        Ok(())
    }

    /// Every photo reference, in item order, each once.
    pub fn photo_refs(&self) -> Vec<&str> {
        let mut seen = std::collections::BTreeSet::new();
        self.answers
            .values()
            .flat_map(|a| a.photos.iter())
            .chain(self.reviews.iter().flat_map(|r| r.photos.iter()))
            .filter(|p| seen.insert(p.as_str()))
            .map(String::as_str)
            .collect()
    }

    /// Records (or, with `None`, removes) the site representative's signature, named by the
    /// SHA-256 (lower-case hex) of its PNG. The bytes travel as an attachment of the bundle.
    pub fn set_site_signature(&mut self, sha256: Option<&str>) -> Result<(), InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        if let Some(hash) = sha256
            && !crate::is_hex64(hash)
        {
            return Err(InspectionError::BadSignatureRef(hash.to_string()));
        }
        self.site_signature = sha256.map(str::to_string);
        Ok(())
    }

    /// Every file the inspection refers to (photos in item order, then the signature), each
    /// once: what a bundle carrying it must embed.
    pub fn attachment_refs(&self) -> Vec<&str> {
        let mut refs = self.photo_refs();
        if let Some(signature) = self.site_signature.as_deref()
            && !refs.contains(&signature)
        {
            refs.push(signature);
        }
        refs
    }

    /// Hazards recorded on items whose evidence is a photo where photos are allowed
    /// ([`Evidence::photo_required`](crate::checklist::Evidence::photo_required)) but that have
    /// none, as item ids in checklist order. Items where photos are not allowed never appear.
    /// The app seals only when this is empty.
    pub fn missing_evidence(&self, checklist: &Checklist) -> Vec<String> {
        checklist
            .items()
            .filter(|item| item.evidence.photo_required())
            .filter(|item| {
                self.answers
                    .get(&item.id)
                    .is_some_and(|a| a.verdict.is_hazard() && a.photos.is_empty())
            })
            .map(|item| item.id.clone())
            .collect()
    }

    /// Hazards recorded on items whose evidence is a measurement, whose description does not
    /// state a value in the item's unit ([`Evidence::mentions_measurement`]), as item ids in
    /// checklist order. The app seals only when this is empty.
    ///
    /// [`Evidence::mentions_measurement`]: crate::checklist::Evidence::mentions_measurement
    pub fn missing_measurements(&self, checklist: &Checklist) -> Vec<String> {
        checklist
            .items()
            .filter(|item| item.evidence.kind == crate::checklist::EvidenceKind::Measurement)
            .filter(|item| {
                self.answers.get(&item.id).is_some_and(|a| {
                    a.verdict.is_hazard() && !item.evidence.mentions_measurement(&a.description)
                })
            })
            .map(|item| item.id.clone())
            .collect()
    }

    pub fn hazards(&self) -> impl Iterator<Item = (&String, &Answer)> {
        self.answers.iter().filter(|(_, a)| a.verdict.is_hazard())
    }

    pub fn count(&self, verdict: Verdict) -> usize {
        self.answers
            .values()
            .filter(|a| a.verdict == verdict)
            .count()
    }

    /// Seals the inspection after checking it is complete enough to sign.
    pub fn seal(
        &mut self,
        checklist: &Checklist,
        now: DateTime<Utc>,
    ) -> Result<(), InspectionError> {
        if self.is_sealed() {
            return Err(InspectionError::Sealed);
        }
        if checklist.reference() != self.checklist {
            return Err(InspectionError::ChecklistMismatch);
        }
        if self.kind == InspectionKind::Reinspection {
            review_problems(&self.reviews)?;
        } else if self.answers.is_empty() {
            return Err(InspectionError::NothingAnswered);
        }
        let missing: Vec<String> = self
            .hazards()
            .filter(|(_, a)| a.description.trim().is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        if !missing.is_empty() {
            return Err(InspectionError::HazardsWithoutDescription(missing));
        }
        for review in &mut self.reviews {
            review.settle();
        }
        self.sealed_at = Some(now);
        Ok(())
    }
}
