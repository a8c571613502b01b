//! A checklist pack: every current checklist with its content hash, as JSON. The build writes
//! one into `dist/checklists/pack.json` (precached for offline use) and the ledger serves the
//! current one at `GET /api/checklists`; the app recomputes each hash before trusting it.

use crate::checklist::{Checklist, SECTORS};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackEntry {
    #[serde(flatten)]
    pub checklist: Checklist,
    pub content_hash: String,
    /// Lower-case text the picker matches typed input against: pinyin initials of the sector
    /// and title (what inspectors type on a phone keyboard), plus the checklist id.
    #[serde(default)]
    pub search_key: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChecklistPack {
    pub checklists: Vec<PackEntry>,
    /// Who issues the pack (a signed pack names its signer's organisation), e.g. 省应急管理厅.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// When the pack was made; a device installs a pack only if it is not older than the one it
    /// has (absent in packs from before signing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    #[error("checklist pack is not valid JSON: {0}")]
    Json(String),
    #[error("checklist {id}: content hash {claimed} does not match its content ({actual})")]
    HashMismatch {
        id: String,
        claimed: String,
        actual: String,
    },
}

impl ChecklistPack {
    /// Builds a pack; `initials` turns Chinese text into pinyin initials (the build and the
    /// ledger pass a real converter; the app never builds packs).
    pub fn new(checklists: Vec<Checklist>, initials: impl Fn(&str) -> String) -> Self {
        let checklists = checklists
            .into_iter()
            .map(|checklist| {
                let sector = SECTORS
                    .iter()
                    .find(|s| s.0 == checklist.sector)
                    .map_or("", |s| s.1);
                let search_key = format!(
                    "{} {} {}",
                    initials(sector),
                    initials(&checklist.title.zh),
                    checklist.id
                )
                .to_lowercase();
                PackEntry {
                    content_hash: checklist.content_hash().0,
                    checklist,
                    search_key,
                }
            })
            .collect();
        Self {
            checklists,
            issuer: None,
            issued_at: None,
        }
    }

    /// The same pack, naming its issuer and the time it was made.
    pub fn issued(mut self, issuer: &str, at: chrono::DateTime<chrono::Utc>) -> Self {
        self.issuer = Some(issuer.to_string());
        self.issued_at = Some(at);
        self
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a pack always serialises")
    }

    /// Parses a pack and checks every declared hash against the content it came with.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PackError> {
        let pack: Self =
            serde_json::from_slice(bytes).map_err(|e| PackError::Json(e.to_string()))?;
        for entry in &pack.checklists {
            let actual = entry.checklist.content_hash().0;
            if actual != entry.content_hash {
                return Err(PackError::HashMismatch {
                    id: entry.checklist.id.clone(),
                    claimed: entry.content_hash.clone(),
                    actual,
                });
            }
        }
        Ok(pack)
    }
}

/// Whether a checklist matches what the user typed: any of the Chinese title, sector name,
/// English title or pinyin initials contains it (case-insensitive, spaces ignored).
pub fn matches(entry: &PackEntry, query: &str) -> bool {
    let query: String = query.split_whitespace().collect::<String>().to_lowercase();
    if query.is_empty() {
        return true;
    }
    let c = &entry.checklist;
    let sector = SECTORS.iter().find(|s| s.0 == c.sector).map_or("", |s| s.1);
    [
        c.title.zh.as_str(),
        sector,
        c.title.en.as_str(),
        entry.search_key.as_str(),
    ]
    .iter()
    .any(|h| {
        h.split_whitespace()
            .collect::<String>()
            .to_lowercase()
            .contains(&query)
    })
}

/// First letters of the pinyin of each Chinese character ("烟花爆竹" → "yhbz"): the `initials`
/// of [`ChecklistPack::new`] wherever packs are made, so that the build and the ledger agree.
#[cfg(feature = "pinyin")]
pub fn pinyin_initials(text: &str) -> String {
    use pinyin::ToPinyin;
    text.to_pinyin()
        .flatten()
        .map(|p| p.first_letter())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "pinyin")]
    #[test]
    fn pinyin_initials_are_the_first_letters_and_skip_the_rest() {
        assert_eq!(pinyin_initials("烟花爆竹"), "yhbz");
        assert_eq!(pinyin_initials("煤矿 (test)"), "mk");
    }

    fn minimal() -> Checklist {
        Checklist::from_toml(
            "minimal.toml",
            include_str!("../tests/fixtures/minimal.toml"),
        )
        .unwrap()
    }

    // A stand-in converter for the test: maps the few characters used to fixed initials.
    fn fake_initials(text: &str) -> String {
        text.chars()
            .filter_map(|c| match c {
                '烟' => Some('y'),
                '花' => Some('h'),
                '爆' => Some('b'),
                '竹' => Some('z'),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn round_trips_and_rejects_a_changed_checklist() {
        let pack = ChecklistPack::new(vec![minimal()], fake_initials);
        assert_eq!(pack.checklists[0].search_key, "yhbz  minimal");
        let json = pack.to_json();
        assert_eq!(ChecklistPack::from_json(&json).unwrap(), pack);
        let altered = String::from_utf8(json)
            .unwrap()
            .replace("防静电设施缺失", "防静电设施齐全");
        assert!(matches!(
            ChecklistPack::from_json(altered.as_bytes()),
            Err(PackError::HashMismatch { .. })
        ));
        assert!(matches!(
            ChecklistPack::from_json(b"[1,2"),
            Err(PackError::Json(_))
        ));
    }

    #[test]
    fn search_matches_chinese_english_and_initials() {
        let pack = ChecklistPack::new(vec![minimal()], fake_initials);
        let entry = &pack.checklists[0];
        for query in ["烟花", "最小", "yhbz", "YH", "minimal", "Minimal check", ""] {
            assert!(matches(entry, query), "{query:?} should match");
        }
        for query in ["煤矿", "mk", "zzz"] {
            assert!(!matches(entry, query), "{query:?} should not match");
        }
    }
}
