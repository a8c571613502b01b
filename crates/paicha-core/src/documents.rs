//! The register of official documents (`checklists/documents/*.toml`): for each document that
//! defines major-hazard criteria, its edition (issuer, number, dates, status and when that was
//! checked) and every first-level criterion with its clause, its text where obtained, the
//! conditions of its parent clause, and how the text was verified.
//!
//! Checklists cite documents; this module checks them against the register (a major item
//! names a real criterion, carries its conditions, and a "verbatim" text is the register's
//! text) and counts how much of each document the checklists cover.

use crate::checklist::{Checklist, ChecklistError, SourceStatus, Verification};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How much of a document's text could be obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextAvailability {
    /// Every criterion's text is in the register.
    Obtained,
    /// Some criteria have no text, or the number of criteria is unknown.
    Partial,
    /// No criterion text (clause numbers or topics at most).
    Unobtainable,
}

/// One first-level criterion of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// As items cite it, e.g. `第四条（一）`, `一（九）`, `4.2 a)`, `5.1.1`.
    pub clause: String,
    /// The text, exactly as the source has it (with its own label); empty when not obtained.
    #[serde(default)]
    pub zh: String,
    pub verification: Verification,
    /// Conditions of the parent clause or lead that limit the criterion; an item citing it
    /// must carry each as a condition with the same Chinese text.
    #[serde(default)]
    pub conditions: Vec<String>,
    /// A short topic when the text is not available (not official wording).
    #[serde(default)]
    pub topic: String,
    /// False for a clause listed for reference but not one of the document's counted
    /// criteria (e.g. a general rule).
    #[serde(default = "yes")]
    pub counted: bool,
}

fn yes() -> bool {
    true
}

/// A document of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// The file's name without `.toml`; checklist sources name it in `document`.
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub number: Option<String>,
    pub issuer: String,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub effective: Option<String>,
    pub status: SourceStatus,
    pub checked_on: String,
    #[serde(default)]
    pub replaced_by: Option<String>,
    #[serde(default)]
    pub replaces: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Where the texts come from and how they were checked.
    pub text_from: String,
    #[serde(default)]
    pub official_url: Option<String>,
    pub text: TextAvailability,
    /// Why text is missing (for `partial` and `unobtainable`).
    #[serde(default)]
    pub missing_reason: Option<String>,
    /// The number of first-level criteria the document has; none when not known.
    #[serde(default)]
    pub count: Option<usize>,
    /// How criteria are counted.
    #[serde(default)]
    pub count_rule: String,
    #[serde(default)]
    pub criteria: Vec<Criterion>,
}

impl Document {
    /// Parses one register file; `file` names it in error messages.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, ChecklistError> {
        let doc: Self = toml::from_str(text).map_err(|e| ChecklistError {
            file: file.to_string(),
            line: e.span().map_or(1, |s| {
                text[..s.start.min(text.len())]
                    .bytes()
                    .filter(|&b| b == b'\n')
                    .count()
                    + 1
            }),
            reason: format!("登记文件格式错误 / {}", e.message().trim()),
        })?;
        let fail = |reason: String| ChecklistError {
            file: file.to_string(),
            line: 1,
            reason,
        };
        let mut clauses = BTreeSet::new();
        for c in &doc.criteria {
            if !clauses.insert(c.clause.as_str()) {
                return Err(fail(format!(
                    "条款重复 {} / duplicate clause {}",
                    c.clause, c.clause
                )));
            }
            let has_text = !c.zh.trim().is_empty();
            if has_text == (c.verification == Verification::Unobtainable) {
                return Err(fail(format!(
                    "{}：有条文的不能标 unobtainable，无条文的必须标 unobtainable / {}: text and verification disagree",
                    c.clause, c.clause
                )));
            }
        }
        if let Some(count) = doc.count {
            let counted = doc.criteria.iter().filter(|c| c.counted).count();
            if doc.text == TextAvailability::Obtained && counted != count {
                return Err(fail(format!(
                    "文件有 {count} 项，登记了 {counted} 项 / the document has {count} criteria, {counted} are listed"
                )));
            }
        }
        if doc.text != TextAvailability::Obtained && doc.missing_reason.is_none() {
            return Err(fail(
                "未取得全部条文时须写明原因（missing_reason） / say why text is missing (missing_reason)"
                    .into(),
            ));
        }
        Ok(doc)
    }

    pub fn criterion(&self, clause: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.clause == clause)
    }

    /// The counted criteria.
    pub fn counted(&self) -> impl Iterator<Item = &Criterion> {
        self.criteria.iter().filter(|c| c.counted)
    }
}

/// The register: every document by key.
#[derive(Debug, Clone, Default)]
pub struct Register {
    pub documents: BTreeMap<String, Document>,
}

impl Register {
    pub fn new(documents: impl IntoIterator<Item = Document>) -> Self {
        Self {
            documents: documents.into_iter().map(|d| (d.key.clone(), d)).collect(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Document> {
        self.documents.get(key)
    }
}

/// A checklist item that disagrees with the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    pub checklist: String,
    /// The item (or source) concerned.
    pub id: String,
    /// "中文 / English".
    pub reason: String,
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.checklist, self.id, self.reason)
    }
}

/// A clause text for comparison: without its own enumeration label, with half-width
/// punctuation as full-width and without whitespace.
pub fn normalise(text: &str) -> String {
    let text = text.trim();
    let text = strip_label(text);
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            ',' => '，',
            ';' => '；',
            ':' => '：',
            '?' => '？',
            '!' => '！',
            c => c,
        })
        .collect()
}

/// Removes a leading enumeration label: `(一)`, `（十二）`, `一、`, `a)`, or the article
/// number of a whole-article criterion (`第八条　`).
pub fn strip_label(text: &str) -> &str {
    const NUMERALS: &str = "一二三四五六七八九十百";
    let t = text.trim_start();
    if let Some(rest) = t.strip_prefix('第')
        && let Some(end) = rest.find('条')
        && end > 0
        && rest[..end].chars().all(|c| NUMERALS.contains(c))
    {
        let after = &rest[end + '条'.len_utf8()..];
        if after.starts_with(char::is_whitespace) {
            return after.trim_start();
        }
    }
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(rest) = t.strip_prefix(open)
            && let Some(end) = rest.find(close)
            && end > 0
            && rest[..end].chars().all(|c| NUMERALS.contains(c))
        {
            return rest[end + close.len_utf8()..].trim_start();
        }
    }
    if let Some(end) = t.find('、')
        && end > 0
        && t[..end].chars().all(|c| NUMERALS.contains(c))
    {
        return t[end + '、'.len_utf8()..].trim_start();
    }
    let mut chars = t.char_indices();
    if let (Some((_, a)), Some((i, b))) = (chars.next(), chars.next())
        && a.is_ascii_lowercase()
        && b == ')'
    {
        return t[i + 1..].trim_start();
    }
    t
}

/// Checks one checklist against the register: sources naming a document agree with its
/// edition; major items citing it name one of its criteria, carry every condition of that
/// criterion, and a verbatim item's text is the criterion's text. Empty when all agree.
pub fn check(checklist: &Checklist, register: &Register) -> Vec<Disagreement> {
    let mut out = Vec::new();
    let mut say = |id: &str, reason: String| {
        out.push(Disagreement {
            checklist: checklist.id.clone(),
            id: id.to_string(),
            reason,
        })
    };
    for source in &checklist.sources {
        let Some(key) = &source.document else {
            continue;
        };
        let Some(doc) = register.get(key) else {
            say(
                &source.key,
                format!("依据指向不存在的登记文件 {key} / names unknown register document {key}"),
            );
            continue;
        };
        let pairs = [
            ("number", source.number.as_ref(), doc.number.as_ref()),
            (
                "effective",
                source.effective.as_ref(),
                doc.effective.as_ref(),
            ),
            (
                "published",
                source.published.as_ref(),
                doc.published.as_ref(),
            ),
            ("issuer", source.issuer.as_ref(), Some(&doc.issuer)),
            (
                "checked_on",
                source.checked_on.as_ref(),
                Some(&doc.checked_on),
            ),
            (
                "replaced_by",
                source.replaced_by.as_ref(),
                doc.replaced_by.as_ref(),
            ),
        ];
        for (field, mine, theirs) in pairs {
            if mine != theirs {
                say(
                    &source.key,
                    format!(
                        "{field} 与登记文件 {key} 不一致（{mine:?} ≠ {theirs:?}） / {field} differs from register document {key}"
                    ),
                );
            }
        }
        if source.status != doc.status {
            say(
                &source.key,
                format!(
                    "状态与登记文件 {key} 不一致（{} ≠ {}） / status differs from register document {key}",
                    source.status.key(),
                    doc.status.key()
                ),
            );
        }
    }
    for item in checklist.items() {
        let Some(source) = checklist.source_of(item) else {
            continue;
        };
        let Some(doc) = source.document.as_ref().and_then(|k| register.get(k)) else {
            continue;
        };
        let Some(criterion) = doc.criterion(&item.basis.clause) else {
            if item.major {
                say(
                    &item.id,
                    format!(
                        "重大隐患判定项的条款 {} 不是 {} 的判定情形 / clause {} is not a criterion of {}",
                        item.basis.clause, doc.key, item.basis.clause, doc.key
                    ),
                );
            }
            continue;
        };
        for condition in &criterion.conditions {
            if !item
                .conditions
                .iter()
                .any(|c| c.zh.trim() == condition.trim())
            {
                say(
                    &item.id,
                    format!(
                        "缺少 {} {} 的限定条件“{condition}”（作为适用性问题或适用范围写入 conditions） / lacks the condition of {} {}: {condition}",
                        doc.key, criterion.clause, doc.key, criterion.clause
                    ),
                );
            }
        }
        match (item.verification, criterion.verification) {
            (Verification::Verbatim, Verification::Verbatim)
                if normalise(&item.zh) != normalise(&criterion.zh) =>
            {
                say(
                    &item.id,
                    format!(
                        "标为原文，但与 {} {} 的条文不一致 / marked verbatim but differs from the text of {} {}",
                        doc.key, criterion.clause, doc.key, criterion.clause
                    ),
                );
            }
            (Verification::Verbatim, Verification::Verbatim) => {}
            (Verification::Verbatim, theirs) => say(
                &item.id,
                format!(
                    "标为原文，但登记的条文只是“{}” / marked verbatim but the register's text is only {}",
                    theirs.word_zh(),
                    theirs.key()
                ),
            ),
            _ => {}
        }
    }
    out
}

/// How much of one document the checklists cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub key: String,
    pub title: String,
    pub number: Option<String>,
    pub status: SourceStatus,
    pub text: TextAvailability,
    /// The document's own count of criteria, when known.
    pub official: Option<usize>,
    /// Criteria in the register (counted ones).
    pub listed: usize,
    /// Counted criteria that a major item of some checklist cites, with the items.
    pub covered: BTreeMap<String, Vec<String>>,
    /// Of the covered criteria, those whose text the register does not have (the items name
    /// the clause only: the inspector judges against the printed document).
    pub covered_without_text: usize,
    /// Counted criteria no major item cites, in document order.
    pub missing: Vec<String>,
    pub missing_reason: Option<String>,
}

impl Coverage {
    /// Covered share of the official count, in percent; none when the document's count is not
    /// known (a share of what happens to be listed would overstate it) or is zero.
    pub fn percent(&self) -> Option<f64> {
        let total = self.official?;
        (total > 0).then(|| 100.0 * self.covered.len() as f64 / total as f64)
    }
}

/// Coverage of every register document by the major items of `checklists`. A criterion counts
/// as covered when a major item cites its exact clause through a source naming the document.
pub fn coverage(checklists: &[Checklist], register: &Register) -> Vec<Coverage> {
    let mut cited: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for checklist in checklists {
        for item in checklist.items().filter(|i| i.major) {
            if let Some(doc) = checklist
                .source_of(item)
                .and_then(|s| s.document.as_deref())
            {
                cited
                    .entry((doc, item.basis.clause.as_str()))
                    .or_default()
                    .push(format!("{}/{}", checklist.id, item.id));
            }
        }
    }
    register
        .documents
        .values()
        .map(|doc| {
            let mut covered = BTreeMap::new();
            let mut covered_without_text = 0;
            let mut missing = Vec::new();
            for c in doc.counted() {
                match cited.get(&(doc.key.as_str(), c.clause.as_str())) {
                    Some(items) => {
                        covered.insert(c.clause.clone(), items.clone());
                        if c.verification == Verification::Unobtainable {
                            covered_without_text += 1;
                        }
                    }
                    None => missing.push(c.clause.clone()),
                }
            }
            Coverage {
                key: doc.key.clone(),
                title: doc.title.clone(),
                number: doc.number.clone(),
                status: doc.status,
                text: doc.text,
                official: doc.count,
                listed: doc.counted().count(),
                covered,
                covered_without_text,
                missing,
                missing_reason: doc.missing_reason.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_punctuation_do_not_count_in_a_comparison() {
        assert_eq!(strip_label("(一)煤矿全年原煤产量"), "煤矿全年原煤产量");
        assert_eq!(strip_label("（十二）下山采区"), "下山采区");
        assert_eq!(strip_label("二十、零售点"), "零售点");
        assert_eq!(strip_label("a) 未经许可"), "未经许可");
        assert_eq!(strip_label("5.1.1 负责人"), "5.1.1 负责人");
        assert_eq!(strip_label("第八条　燃气经营者供应"), "燃气经营者供应");
        assert_eq!(strip_label("第八条规定"), "第八条规定");
        assert_eq!(
            normalise("(一)煤(岩)与瓦斯, 突出;"),
            normalise("煤（岩）与瓦斯，突出；")
        );
        assert_ne!(normalise("超过110%"), normalise("超过120%"));
    }
}
