//! Sector checklists: the TOML format authors write (see `checklists/README.md`), its validation
//! with `file:line` messages, and the content hash that pins the exact version an inspection used.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use toml::Spanned;

/// Sectors of the provincial campaign. Unknown sectors are rejected so that a typo cannot hide
/// a checklist from the picker.
pub const SECTORS: &[(&str, &str, &str)] = &[
    (
        "hazardous_chemicals",
        "危险化学品/化工",
        "Hazardous chemicals",
    ),
    ("coal_mine", "煤矿", "Coal mines"),
    (
        "metal_nonmetal_mine",
        "金属非金属矿山",
        "Metal and non-metal mines",
    ),
    ("fireworks", "烟花爆竹", "Fireworks"),
    ("tourism", "旅游", "Tourism"),
    ("crowded_venues", "人员密集场所", "Crowded venues"),
    ("road_transport", "道路运输", "Road transport"),
    ("construction", "建筑施工", "Construction"),
    ("city_gas", "城镇燃气", "City gas"),
    ("forest_fire", "森林草原防火", "Forest and grassland fire"),
    ("industry_trade", "工贸", "Industry and trade"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

/// How faithfully an item's text reproduces its legal source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// Copied verbatim from the source document.
    Verbatim,
    /// A verbatim fragment whose place in the source was inferred.
    Fragment,
    /// A paraphrase, not yet checked against the official text: shown as such in the app.
    Paraphrase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    InForce,
    Superseded,
    Unverified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub key: String,
    pub title: String,
    /// Document number (文号) or standard code; omitted when it could not be confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    pub status: SourceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    /// Key of an entry in the checklist's `sources`.
    pub source: String,
    /// Article, clause or item within the source, e.g. "第三条（一）".
    pub clause: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceRule {
    #[default]
    None,
    /// A photo must be attached when the item is recorded as a hazard.
    PhotoIfHazard,
}

/// A yes/no question asked when an inspection starts; items naming it apply only on "yes".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub key: String,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub basis: Basis,
    pub major: bool,
    pub verification: Verification,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guidance: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_if: Vec<String>,
    #[serde(default)]
    pub evidence: EvidenceRule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    pub id: String,
    pub sector: String,
    pub title: Text,
    pub version: String,
    pub effective: String,
    pub sources: Vec<Source>,
    #[serde(default)]
    pub questions: Vec<Question>,
    pub sections: Vec<Section>,
}

/// SHA-256 (lower-case hex) of a checklist's canonical JSON serialization.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContentHash(pub String);

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an inspection records about the checklist it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChecklistRef {
    pub id: String,
    pub version: String,
    pub content_hash: ContentHash,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct ChecklistError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

impl Checklist {
    /// Parses and validates one checklist file; `file` names it in error messages.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, ChecklistError> {
        let raw: raw::Checklist = toml::from_str(text).map_err(|e| ChecklistError {
            file: file.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            reason: e.message().trim().to_string(),
        })?;
        raw.validate(file, text)
    }

    /// The canonical serialization is compact JSON of the validated structure (fields in
    /// declaration order, no floats, no maps with unordered keys), so native and wasm32 agree.
    pub fn canonical_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a checklist always serialises")
    }

    pub fn content_hash(&self) -> ContentHash {
        ContentHash(crate::sha256_hex(&self.canonical_json()))
    }

    pub fn reference(&self) -> ChecklistRef {
        ChecklistRef {
            id: self.id.clone(),
            version: self.version.clone(),
            content_hash: self.content_hash(),
        }
    }

    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|i| i.id == id)
    }

    pub fn source(&self, key: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.key == key)
    }

    /// Items that apply given the answers to the start-of-inspection questions
    /// (`answers` holds the keys answered "yes").
    pub fn applicable_items<'a>(
        &'a self,
        yes: &'a BTreeSet<String>,
    ) -> impl Iterator<Item = &'a Item> + 'a {
        self.items()
            .filter(move |i| i.applies_if.iter().all(|k| yes.contains(k)))
    }

    pub fn sector_name_zh(&self) -> &'static str {
        sector_name_zh(&self.sector).unwrap_or("")
    }
}

/// The Chinese name of a sector id (`fireworks` → 烟花爆竹), if it is one of [`SECTORS`].
pub fn sector_name_zh(id: &str) -> Option<&'static str> {
    SECTORS.iter().find(|s| s.0 == id).map(|s| s.1)
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// The on-disk shape, with spans kept for error messages.
mod raw {
    use super::*;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Checklist {
        id: Spanned<String>,
        sector: Spanned<String>,
        title: Text,
        version: Spanned<String>,
        effective: Spanned<String>,
        sources: Vec<Spanned<Source>>,
        #[serde(default)]
        questions: Vec<Spanned<Question>>,
        sections: Vec<Section>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Section {
        id: Spanned<String>,
        title: Text,
        #[serde(default)]
        items: Vec<Spanned<Item>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        id: Spanned<String>,
        zh: String,
        en: String,
        basis: Option<Basis>,
        major: bool,
        verification: Verification,
        #[serde(default)]
        guidance: String,
        #[serde(default)]
        applies_if: Vec<String>,
        #[serde(default)]
        evidence: EvidenceRule,
    }

    impl Checklist {
        pub fn validate(self, file: &str, text: &str) -> Result<super::Checklist, ChecklistError> {
            let fail = |span: std::ops::Range<usize>, reason: String| ChecklistError {
                file: file.to_string(),
                line: line_of(text, span.start),
                reason,
            };
            let is_slug = |s: &str| {
                !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            };
            if !is_slug(self.id.get_ref()) {
                return Err(fail(
                    self.id.span(),
                    format!("invalid checklist id {:?}", self.id.get_ref()),
                ));
            }
            if !SECTORS.iter().any(|s| s.0 == self.sector.get_ref()) {
                let known: Vec<_> = SECTORS.iter().map(|s| s.0).collect();
                return Err(fail(
                    self.sector.span(),
                    format!(
                        "unknown sector {:?} (known: {})",
                        self.sector.get_ref(),
                        known.join(", ")
                    ),
                ));
            }
            if self.version.get_ref().trim().is_empty() {
                return Err(fail(self.version.span(), "empty version".into()));
            }
            if chrono::NaiveDate::parse_from_str(self.effective.get_ref(), "%Y-%m-%d").is_err() {
                return Err(fail(
                    self.effective.span(),
                    "effective must be a date YYYY-MM-DD".into(),
                ));
            }
            let mut source_keys = BTreeSet::new();
            for s in &self.sources {
                if !source_keys.insert(s.get_ref().key.clone()) {
                    return Err(fail(
                        s.span(),
                        format!("duplicate source key {:?}", s.get_ref().key),
                    ));
                }
                if s.get_ref().title.trim().is_empty() {
                    return Err(fail(s.span(), "source without a title".into()));
                }
            }
            let mut question_keys = BTreeSet::new();
            for q in &self.questions {
                if !is_slug(&q.get_ref().key) || !question_keys.insert(q.get_ref().key.clone()) {
                    return Err(fail(
                        q.span(),
                        format!("invalid or duplicate question key {:?}", q.get_ref().key),
                    ));
                }
            }
            if self.sections.is_empty() {
                return Err(fail(0..0, "a checklist needs at least one section".into()));
            }
            let mut ids = BTreeSet::new();
            let mut sections = Vec::with_capacity(self.sections.len());
            for section in self.sections {
                if !is_slug(section.id.get_ref()) || !ids.insert(section.id.get_ref().clone()) {
                    return Err(fail(
                        section.id.span(),
                        format!("invalid or duplicate section id {:?}", section.id.get_ref()),
                    ));
                }
                if section.items.is_empty() {
                    return Err(fail(
                        section.id.span(),
                        format!("section {:?} has no items", section.id.get_ref()),
                    ));
                }
                let mut items = Vec::with_capacity(section.items.len());
                for spanned in section.items {
                    let span = spanned.span();
                    let item = spanned.into_inner();
                    let id = item.id.get_ref().clone();
                    if !is_slug(&id) || !ids.insert(id.clone()) {
                        return Err(fail(
                            item.id.span(),
                            format!("invalid or duplicate id {id:?}"),
                        ));
                    }
                    if item.zh.trim().is_empty() {
                        return Err(fail(span, format!("item {id}: empty text (zh)")));
                    }
                    if item.en.trim().is_empty() {
                        return Err(fail(span, format!("item {id}: empty English gloss (en)")));
                    }
                    let Some(basis) = item.basis else {
                        return Err(fail(
                            span,
                            format!("item {id}: missing basis (legal source and clause)"),
                        ));
                    };
                    if !source_keys.contains(&basis.source) {
                        return Err(fail(
                            span,
                            format!("item {id}: basis names unknown source {:?}", basis.source),
                        ));
                    }
                    if basis.clause.trim().is_empty() {
                        return Err(fail(span, format!("item {id}: basis has an empty clause")));
                    }
                    if let Some(unknown) =
                        item.applies_if.iter().find(|k| !question_keys.contains(*k))
                    {
                        return Err(fail(
                            span,
                            format!("item {id}: unknown applicability key {unknown:?}"),
                        ));
                    }
                    items.push(super::Item {
                        id,
                        zh: item.zh,
                        en: item.en,
                        basis,
                        major: item.major,
                        verification: item.verification,
                        guidance: item.guidance,
                        applies_if: item.applies_if,
                        evidence: item.evidence,
                    });
                }
                sections.push(super::Section {
                    id: section.id.into_inner(),
                    title: section.title,
                    items,
                });
            }
            Ok(super::Checklist {
                id: self.id.into_inner(),
                sector: self.sector.into_inner(),
                title: self.title,
                version: self.version.into_inner(),
                effective: self.effective.into_inner(),
                sources: self.sources.into_iter().map(Spanned::into_inner).collect(),
                questions: self
                    .questions
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect(),
                sections,
            })
        }
    }
}
