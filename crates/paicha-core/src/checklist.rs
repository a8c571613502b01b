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
    ("special_equipment", "特种设备", "Special equipment"),
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
    /// Copied verbatim from the source document, complete (no "…"): where the text was taken
    /// from is the source's `text_from`.
    Verbatim,
    /// Verbatim words, but only part of the clause (the rest not obtained), or a verbatim
    /// text whose place in the source was inferred.
    Fragment,
    /// A paraphrase, not the official wording: shown as such in the app.
    Paraphrase,
    /// The text of a third-party copy, not compared with the official document.
    Unverified,
    /// The official text could not be obtained: the item names the clause (and a topic) only,
    /// and the inspector judges against the printed document.
    Unobtainable,
}

impl Verification {
    pub const ALL: [Verification; 5] = [
        Verification::Verbatim,
        Verification::Fragment,
        Verification::Paraphrase,
        Verification::Unverified,
        Verification::Unobtainable,
    ];

    /// The key written in checklist files.
    pub fn key(self) -> &'static str {
        match self {
            Verification::Verbatim => "verbatim",
            Verification::Fragment => "fragment",
            Verification::Paraphrase => "paraphrase",
            Verification::Unverified => "unverified",
            Verification::Unobtainable => "unobtainable",
        }
    }

    /// The word authors and the spreadsheets use.
    pub fn word_zh(self) -> &'static str {
        match self {
            Verification::Verbatim => "原文",
            Verification::Fragment => "片段",
            Verification::Paraphrase => "转述",
            Verification::Unverified => "未核对",
            Verification::Unobtainable => "原文未取得",
        }
    }

    /// What the app prints next to the item, Chinese and English; none for a verbatim text.
    pub fn note(self) -> Option<(&'static str, &'static str)> {
        match self {
            Verification::Verbatim => None,
            Verification::Fragment => Some((
                "条文片段：只收录了条文的一部分，或出处系推定",
                "Fragment: only part of the clause, or its place in the source inferred",
            )),
            Verification::Paraphrase => Some((
                "转述，非法规原文，待核实",
                "Paraphrase: not the official wording, to be checked",
            )),
            Verification::Unverified => Some((
                "文字取自第三方副本，未与正式文本核对",
                "Text from a third-party copy, not checked against the official document",
            )),
            Verification::Unobtainable => Some((
                "原文未取得：本条只列条款号和主题，须对照正式文本判定",
                "Official text not obtained: clause number and topic only; judge against the printed document",
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// In force (现行有效), as checked on the source's `checked_on`.
    InForce,
    /// Replaced or repealed (已被代替或废止): items citing it are shown as superseded and may
    /// not be major-hazard criteria.
    Superseded,
    /// Status not confirmed (状态待核实).
    Unverified,
}

impl SourceStatus {
    pub const ALL: [SourceStatus; 3] = [
        SourceStatus::InForce,
        SourceStatus::Superseded,
        SourceStatus::Unverified,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SourceStatus::InForce => "in_force",
            SourceStatus::Superseded => "superseded",
            SourceStatus::Unverified => "unverified",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SourceStatus::InForce => "现行",
            SourceStatus::Superseded => "已被代替",
            SourceStatus::Unverified => "状态待核实",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            SourceStatus::InForce => "in force",
            SourceStatus::Superseded => "superseded",
            SourceStatus::Unverified => "status not verified",
        }
    }
}

/// A document items cite: a regulation, a standard, a notice. Everything beyond `key`, `title`
/// and `status` is optional so that packs stored before it existed still parse (and keep their
/// content hash: absent fields are not serialised).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub key: String,
    pub title: String,
    /// Document number (文号) or standard code; omitted when it could not be confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// 施行/实施日期, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    pub status: SourceStatus,
    /// 发布机关, e.g. 应急管理部.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// 发布/公布日期, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The day the status was last checked, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_on: Option<String>,
    /// What replaced a superseded document (a number or title), e.g. `GB 35181-2025`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
    /// A note on the status (why unverified, how the replacement is known), in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the item texts were taken from and how they were checked, in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_from: Option<String>,
    /// Key of the document's register of official criteria (`checklists/documents/<key>.toml`),
    /// against which items citing it are checked and coverage is counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

impl Source {
    /// The edition as printed in a ledger: number (or title), dates and status, e.g.
    /// `GB 35181-2017，2018-07-01实施；已被代替（GB 35181-2025）`.
    pub fn edition(&self) -> String {
        let mut out = self.number.clone().unwrap_or_else(|| self.title.clone());
        let mut dates = Vec::new();
        if let Some(p) = &self.published {
            dates.push(format!("{p}发布"));
        }
        if let Some(e) = &self.effective {
            dates.push(format!("{e}施行"));
        }
        if !dates.is_empty() {
            out.push('，');
            out.push_str(&dates.join("、"));
        }
        out.push('；');
        out.push_str(self.status.label_zh());
        if let Some(r) = self
            .replaced_by
            .as_ref()
            .filter(|_| self.status == SourceStatus::Superseded)
        {
            out.push_str(&format!("（{r}）"));
        }
        if let Some(c) = &self.checked_on {
            out.push_str(&format!("，{c}核对"));
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basis {
    /// Key of an entry in the checklist's `sources`.
    pub source: String,
    /// Article, clause or item within the source, e.g. "第三条（一）".
    pub clause: String,
}

/// What proves compliance or the hazard of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Nothing beyond the description.
    #[default]
    None,
    /// A photo of the condition: required when the item is recorded as a hazard.
    Photo,
    /// A document (licence, record, plan, register) the inspector examined: named in the
    /// description.
    Document,
    /// A measured value with its unit (`unit`): the description of a hazard must state it.
    Measurement,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 4] = [
        EvidenceKind::None,
        EvidenceKind::Photo,
        EvidenceKind::Document,
        EvidenceKind::Measurement,
    ];

    pub fn key(self) -> &'static str {
        match self {
            EvidenceKind::None => "none",
            EvidenceKind::Photo => "photo",
            EvidenceKind::Document => "document",
            EvidenceKind::Measurement => "measurement",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            EvidenceKind::None => "无",
            EvidenceKind::Photo => "照片",
            EvidenceKind::Document => "文件",
            EvidenceKind::Measurement => "测量",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            EvidenceKind::None => "none",
            EvidenceKind::Photo => "photo",
            EvidenceKind::Document => "document",
            EvidenceKind::Measurement => "measurement",
        }
    }
}

/// Whether photos may be taken where an item is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhotoRule {
    #[default]
    Allowed,
    /// Not allowed there (explosion-hazard zones, fireworks workshops, underground mines):
    /// the app never demands a photo for the item.
    NotAllowed,
}

/// An item's evidence rule: what proves compliance or the hazard, and whether photos may be
/// taken. Files written before it existed spell it `"none"` or `"photo_if_hazard"`; those two
/// cases are still serialised so (and read so), which keeps their content hashes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// Unit of a measurement, e.g. `m`, `%`, `MPa`.
    pub unit: String,
    /// What the evidence is, in Chinese (e.g. 安全生产许可证、考核合格证).
    pub what: String,
    pub photos: PhotoRule,
}

impl Evidence {
    pub fn of(kind: EvidenceKind) -> Self {
        Self {
            kind,
            ..Self::default()
        }
    }

    /// Whether a hazard on the item needs a photo before the inspection is sealed. Never
    /// where photos are not allowed.
    pub fn photo_required(&self) -> bool {
        self.kind == EvidenceKind::Photo && self.photos == PhotoRule::Allowed
    }

    /// The spelling of files written before evidence kinds existed, when this rule has one.
    fn legacy(&self) -> Option<&'static str> {
        let plain = self.unit.is_empty() && self.what.is_empty();
        match (self.kind, self.photos, plain) {
            (EvidenceKind::None, PhotoRule::Allowed, true) => Some("none"),
            (EvidenceKind::Photo, PhotoRule::Allowed, true) => Some("photo_if_hazard"),
            _ => None,
        }
    }

    /// Problems of the rule itself, as "中文 / English".
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.kind == EvidenceKind::Photo && self.photos == PhotoRule::NotAllowed {
            out.push(
                "证据为照片，但该处禁止拍照：改为文件或测量 / the evidence is a photo where photos are not allowed: use a document or a measurement".to_string(),
            );
        }
        if self.kind == EvidenceKind::Measurement && self.unit.trim().is_empty() {
            out.push("测量证据须写明单位（unit） / a measurement needs its unit".to_string());
        }
        if self.kind != EvidenceKind::Measurement && !self.unit.is_empty() {
            out.push("只有测量证据才有单位 / only a measurement has a unit".to_string());
        }
        out
    }

    /// Whether `description` states a measured value in this rule's unit: a number followed
    /// (spaces allowed) by the unit, e.g. `12.5 m`, `1.2%`.
    pub fn mentions_measurement(&self, description: &str) -> bool {
        let unit = self.unit.trim();
        if unit.is_empty() {
            return true;
        }
        let chars: Vec<char> = description.chars().collect();
        let unit: Vec<char> = unit.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if chars[i].is_ascii_digit() {
                let mut j = i;
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                    j += 1;
                }
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                if chars[j..].starts_with(&unit) {
                    return true;
                }
                i = j.max(i + 1);
            } else {
                i += 1;
            }
        }
        false
    }
}

impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if let Some(word) = self.legacy() {
            return s.serialize_str(word);
        }
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("kind", &self.kind)?;
        if !self.unit.is_empty() {
            map.serialize_entry("unit", &self.unit)?;
        }
        if !self.what.is_empty() {
            map.serialize_entry("what", &self.what)?;
        }
        if self.photos != PhotoRule::Allowed {
            map.serialize_entry("photos", &self.photos)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            #[serde(default)]
            kind: EvidenceKind,
            #[serde(default)]
            unit: String,
            #[serde(default)]
            what: String,
            #[serde(default)]
            photos: PhotoRule,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Spelling {
            Word(String),
            Table(Table),
        }
        match Spelling::deserialize(d)? {
            Spelling::Word(word) => match word.as_str() {
                "none" => Ok(Evidence::of(EvidenceKind::None)),
                "photo_if_hazard" | "photo" => Ok(Evidence::of(EvidenceKind::Photo)),
                "document" => Ok(Evidence::of(EvidenceKind::Document)),
                other => Err(serde::de::Error::custom(format!(
                    "证据要求无效 {other:?}（可写 none、photo、document，或表 {{ kind = \"measurement\", unit = \"m\" }}） / unknown evidence {other:?}"
                ))),
            },
            Spelling::Table(t) => Ok(Evidence {
                kind: t.kind,
                unit: t.unit,
                what: t.what,
                photos: t.photos,
            }),
        }
    }
}

/// A condition of the parent clause that limits where an item applies (a kind of mine, a
/// hazard class, a size). With a `question`, answering it "no" at the start hides the item;
/// without one, the condition is a scope line on the item card and the inspector answers
/// 不适用 where it does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub zh: String,
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
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
    pub evidence: Evidence,
    /// Conditions of the parent clause that limit the item (see [`Condition`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

impl Item {
    /// Question keys the item depends on: its `applies_if` and its conditions' questions.
    pub fn questions(&self) -> impl Iterator<Item = &str> {
        self.applies_if
            .iter()
            .map(String::as_str)
            .chain(self.conditions.iter().filter_map(|c| c.question.as_deref()))
    }

    /// Whether the item applies given the questions answered "yes".
    pub fn applies(&self, yes: &BTreeSet<String>) -> bool {
        self.questions().all(|k| yes.contains(k))
    }

    /// Conditions not settled by a question: the scope lines the inspector judges on site.
    pub fn scope_lines(&self) -> impl Iterator<Item = &Condition> {
        self.conditions.iter().filter(|c| c.question.is_none())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub items: Vec<Item>,
}

/// One entry of a checklist's change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub version: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub zh: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
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
    /// 发布机关: who issues this checklist, e.g. 某省应急管理厅.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// 适用地区, e.g. 某省.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The version this one replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    /// What changed, newest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changelog: Vec<Change>,
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
    /// Parses and validates one checklist file; `file` names it in error messages, which say
    /// what is wrong in Chinese, then in English.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, ChecklistError> {
        let raw: raw::Checklist = toml::from_str(text).map_err(|e| ChecklistError {
            file: file.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            reason: toml_reason(e.message().trim()),
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

    /// The source an item cites.
    pub fn source_of(&self, item: &Item) -> Option<&Source> {
        self.source(&item.basis.source)
    }

    /// Items that apply given the answers to the start-of-inspection questions
    /// (`answers` holds the keys answered "yes"): their `applies_if` and the questions of
    /// their conditions.
    pub fn applicable_items<'a>(
        &'a self,
        yes: &'a BTreeSet<String>,
    ) -> impl Iterator<Item = &'a Item> + 'a {
        self.items().filter(move |i| i.applies(yes))
    }

    /// Whether an item cites a superseded source: it is shown as superseded, never as a
    /// current criterion.
    pub fn is_superseded(&self, item: &Item) -> bool {
        self.source_of(item)
            .is_some_and(|s| s.status == SourceStatus::Superseded)
    }

    /// Sources that are superseded and still cited by an item: the picker warns about them.
    pub fn superseded_sources_cited(&self) -> Vec<&Source> {
        self.sources
            .iter()
            .filter(|s| s.status == SourceStatus::Superseded)
            .filter(|s| self.items().any(|i| i.basis.source == s.key))
            .collect()
    }

    /// Sources cited by items whose official text could not be obtained.
    pub fn unobtainable_sources_cited(&self) -> Vec<&Source> {
        self.sources
            .iter()
            .filter(|s| {
                self.items().any(|i| {
                    i.basis.source == s.key && i.verification == Verification::Unobtainable
                })
            })
            .collect()
    }

    pub fn sector_name_zh(&self) -> &'static str {
        sector_name_zh(&self.sector).unwrap_or("")
    }

    /// What a checklist to be published (shipped in the app, signed into a pack) must carry
    /// beyond a valid file: who issues it and where, and for every source its issuer, the day
    /// its status was checked and, when superseded, what replaced it. Each problem as
    /// "中文 / English".
    pub fn publication_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.issuer.as_deref().is_none_or(|s| s.trim().is_empty()) {
            out.push("检查表未写发布机关（issuer） / the checklist names no issuer".to_string());
        }
        if self.region.as_deref().is_none_or(|s| s.trim().is_empty()) {
            out.push("检查表未写适用地区（region） / the checklist names no region".to_string());
        }
        if self
            .changelog
            .first()
            .is_none_or(|c| c.version != self.version)
        {
            out.push(format!(
                "变更记录（changelog）的第一条应是本版 {} / the change log must start with this version {}",
                self.version, self.version
            ));
        }
        for s in &self.sources {
            if s.checked_on.is_none() {
                out.push(format!(
                    "依据 {}：未写状态核对日期（checked_on） / source {}: no date its status was checked",
                    s.key, s.key
                ));
            }
            if s.issuer.is_none() && s.status != SourceStatus::Unverified {
                out.push(format!(
                    "依据 {}：未写发布机关（issuer） / source {}: no issuer",
                    s.key, s.key
                ));
            }
        }
        out
    }
}

/// The Chinese name of a sector id (`fireworks` → 烟花爆竹), if it is one of [`SECTORS`].
pub fn sector_name_zh(id: &str) -> Option<&'static str> {
    SECTORS.iter().find(|s| s.0 == id).map(|s| s.1)
}

/// Whether a text abridges with an ellipsis ("…", "...", "……"): a verbatim item never does.
pub fn has_ellipsis(text: &str) -> bool {
    text.contains('…') || text.contains("...") || text.contains('⋯')
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// A TOML parser message, led by a Chinese reading of what is wrong.
fn toml_reason(message: &str) -> String {
    let zh = if message.starts_with("unknown variant") {
        "取值不在允许范围内"
    } else if message.starts_with("unknown field") {
        "不认识的字段"
    } else if message.starts_with("missing field") {
        "缺少必填字段"
    } else if message.starts_with("invalid type") {
        "取值类型不对（例如应加英文双引号）"
    } else if message.starts_with("duplicate key") {
        "字段重复"
    } else {
        "TOML 格式错误（检查引号、括号、逗号）"
    };
    format!("{zh} / {message}")
}

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
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
        #[serde(default)]
        issuer: Option<String>,
        #[serde(default)]
        region: Option<String>,
        #[serde(default)]
        supersedes: Option<String>,
        #[serde(default)]
        changelog: Vec<Spanned<Change>>,
        sources: Vec<Spanned<Source>>,
        #[serde(default)]
        questions: Vec<Spanned<Question>>,
        sections: Vec<Section>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Source {
        key: String,
        title: String,
        #[serde(default)]
        number: Option<String>,
        #[serde(default)]
        effective: Option<String>,
        status: SourceStatus,
        #[serde(default)]
        issuer: Option<String>,
        #[serde(default)]
        published: Option<String>,
        #[serde(default)]
        checked_on: Option<String>,
        #[serde(default)]
        replaced_by: Option<String>,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        text_from: Option<String>,
        #[serde(default)]
        document: Option<String>,
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
        evidence: Evidence,
        #[serde(default)]
        conditions: Vec<Condition>,
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
                    format!(
                        "检查表编号 {:?} 无效（只用英文字母、数字、-、_） / invalid checklist id {:?}",
                        self.id.get_ref(),
                        self.id.get_ref()
                    ),
                ));
            }
            if !SECTORS.iter().any(|s| s.0 == self.sector.get_ref()) {
                let known: Vec<_> = SECTORS.iter().map(|s| s.0).collect();
                return Err(fail(
                    self.sector.span(),
                    format!(
                        "未知行业 {:?}（可用：{}） / unknown sector {:?} (known: {})",
                        self.sector.get_ref(),
                        known.join("、"),
                        self.sector.get_ref(),
                        known.join(", ")
                    ),
                ));
            }
            if self.version.get_ref().trim().is_empty() {
                return Err(fail(
                    self.version.span(),
                    "版本号为空 / empty version".into(),
                ));
            }
            if !is_date(self.effective.get_ref()) {
                return Err(fail(
                    self.effective.span(),
                    "启用日期（effective）须写作 YYYY-MM-DD / effective must be a date YYYY-MM-DD"
                        .into(),
                ));
            }
            for change in &self.changelog {
                let c = change.get_ref();
                if !is_date(&c.date) || c.version.trim().is_empty() || c.zh.trim().is_empty() {
                    return Err(fail(
                        change.span(),
                        "变更记录须有版本（version）、日期（date，YYYY-MM-DD）和说明（zh） / a change log entry needs a version, a date YYYY-MM-DD and a text (zh)".into(),
                    ));
                }
            }
            let mut source_keys = BTreeSet::new();
            let mut sources = Vec::with_capacity(self.sources.len());
            for spanned in self.sources {
                let span = spanned.span();
                let s = spanned.into_inner();
                if !source_keys.insert(s.key.clone()) {
                    return Err(fail(
                        span,
                        format!(
                            "依据简称重复 {:?} / duplicate source key {:?}",
                            s.key, s.key
                        ),
                    ));
                }
                if s.title.trim().is_empty() {
                    return Err(fail(
                        span,
                        format!(
                            "依据 {} 没有文件名称 / source {} without a title",
                            s.key, s.key
                        ),
                    ));
                }
                for (field, value) in [
                    ("effective", &s.effective),
                    ("published", &s.published),
                    ("checked_on", &s.checked_on),
                ] {
                    if let Some(v) = value
                        && !is_date(v)
                    {
                        return Err(fail(
                            span,
                            format!(
                                "依据 {}：{field} 须写作 YYYY-MM-DD（写了 {v:?}） / source {}: {field} must be a date YYYY-MM-DD",
                                s.key, s.key
                            ),
                        ));
                    }
                }
                if s.status == SourceStatus::Superseded
                    && s.replaced_by.as_deref().is_none_or(|r| r.trim().is_empty())
                {
                    return Err(fail(
                        span,
                        format!(
                            "依据 {} 已被代替，须写明由什么代替（replaced_by） / source {} is superseded: name what replaced it (replaced_by)",
                            s.key, s.key
                        ),
                    ));
                }
                sources.push(super::Source {
                    key: s.key,
                    title: s.title,
                    number: s.number,
                    effective: s.effective,
                    status: s.status,
                    issuer: s.issuer,
                    published: s.published,
                    checked_on: s.checked_on,
                    replaced_by: s.replaced_by,
                    note: s.note,
                    text_from: s.text_from,
                    document: s.document,
                });
            }
            let mut question_keys = BTreeSet::new();
            for q in &self.questions {
                if !is_slug(&q.get_ref().key) || !question_keys.insert(q.get_ref().key.clone()) {
                    return Err(fail(
                        q.span(),
                        format!(
                            "问题编号无效或重复 {:?} / invalid or duplicate question key {:?}",
                            q.get_ref().key,
                            q.get_ref().key
                        ),
                    ));
                }
            }
            if self.sections.is_empty() {
                return Err(fail(
                    0..0,
                    "检查表至少要有一个分组 / a checklist needs at least one section".into(),
                ));
            }
            let mut ids = BTreeSet::new();
            let mut sections = Vec::with_capacity(self.sections.len());
            for section in self.sections {
                let sid = section.id.get_ref().clone();
                if !is_slug(&sid) || !ids.insert(sid.clone()) {
                    return Err(fail(
                        section.id.span(),
                        format!(
                            "分组编号无效或重复 {sid:?} / invalid or duplicate section id {sid:?}"
                        ),
                    ));
                }
                if section.items.is_empty() {
                    return Err(fail(
                        section.id.span(),
                        format!("分组 {sid} 没有条目 / section {sid:?} has no items"),
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
                            format!("条目编号无效或重复 {id:?} / invalid or duplicate id {id:?}"),
                        ));
                    }
                    let item_fail = |zh: String, en: String| {
                        fail(span.clone(), format!("条目 {id}：{zh} / item {id}: {en}"))
                    };
                    if item.zh.trim().is_empty() {
                        return Err(item_fail("条文为空".into(), "empty text (zh)".into()));
                    }
                    if item.en.trim().is_empty() {
                        return Err(item_fail(
                            "英文释义为空".into(),
                            "empty English gloss (en)".into(),
                        ));
                    }
                    let Some(basis) = item.basis else {
                        return Err(item_fail(
                            "缺少依据（文件和条款）".into(),
                            "missing basis (legal source and clause)".into(),
                        ));
                    };
                    let Some(source) = sources.iter().find(|s| s.key == basis.source) else {
                        return Err(item_fail(
                            format!("依据引用了不存在的依据简称 {:?}", basis.source),
                            format!("basis names unknown source {:?}", basis.source),
                        ));
                    };
                    if basis.clause.trim().is_empty() {
                        return Err(item_fail(
                            "依据的条款为空".into(),
                            "basis has an empty clause".into(),
                        ));
                    }
                    if let Some(unknown) =
                        item.applies_if.iter().find(|k| !question_keys.contains(*k))
                    {
                        return Err(item_fail(
                            format!("适用条件引用了未定义的问题 {unknown:?}"),
                            format!("unknown applicability key {unknown:?}"),
                        ));
                    }
                    for c in &item.conditions {
                        if c.zh.trim().is_empty() || c.en.trim().is_empty() {
                            return Err(item_fail(
                                "限定条件须有中文（zh）和英文（en）".into(),
                                "a condition needs zh and en".into(),
                            ));
                        }
                        if let Some(q) = c.question.as_ref().filter(|q| !question_keys.contains(*q))
                        {
                            return Err(item_fail(
                                format!("限定条件引用了未定义的问题 {q:?}"),
                                format!("condition names unknown question {q:?}"),
                            ));
                        }
                    }
                    if item.verification == Verification::Verbatim && has_ellipsis(&item.zh) {
                        return Err(item_fail(
                            "标为原文（verbatim），却用“…”删节：原文须完整；只收录部分条文的标为 fragment".into(),
                            "marked verbatim but abridged with \"…\": a verbatim text is complete; mark a partial text fragment".into(),
                        ));
                    }
                    if item.major && source.status == SourceStatus::Superseded {
                        return Err(item_fail(
                            format!(
                                "重大隐患判定项引用了已被代替的依据 {}（已由 {} 代替）：改引现行文件，或改为非重大的对照项（major = false）",
                                source.key,
                                source.replaced_by.as_deref().unwrap_or("?")
                            ),
                            format!(
                                "a major-hazard criterion cites the superseded source {}: cite the current document, or make it a non-major reference item",
                                source.key
                            ),
                        ));
                    }
                    if let Some(problem) = item.evidence.problems().into_iter().next() {
                        let (zh, en) = problem.split_once(" / ").unwrap_or((&problem, &problem));
                        return Err(item_fail(zh.to_string(), en.to_string()));
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
                        conditions: item.conditions,
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
                sources,
                questions: self
                    .questions
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect(),
                sections,
                issuer: self.issuer,
                region: self.region,
                supersedes: self.supersedes,
                changelog: self
                    .changelog
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect(),
            })
        }
    }
}
