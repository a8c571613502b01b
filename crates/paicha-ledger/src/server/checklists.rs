//! The current checklist pack for `GET /api/checklists` and for naming hazards in
//! `GET /api/hazards`: read from a directory of checklist files (`*.toml`, validated with
//! `Checklist::from_toml`) or, when it has none, from the build's `pack.json` in it.
//!
//! The directory is re-read when its files change (names, sizes, modification times), so a
//! new pack is served without a restart. A file that fails validation is skipped and logged;
//! it never turns the endpoint into a 500.

use crate::checklist_pack::ChecklistPack;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The pack as served: its JSON, a strong ETag over it, and the checklists for hazard names.
#[derive(Debug)]
pub struct ServedPack {
    pub json: Vec<u8>,
    pub etag: String,
    pub pack: ChecklistPack,
}

type Fingerprint = Vec<(String, u64, Option<SystemTime>)>;

#[derive(Debug)]
pub struct ChecklistSource {
    dir: PathBuf,
    cached: Mutex<Option<(Fingerprint, Arc<ServedPack>)>>,
}

impl ChecklistSource {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            cached: Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current pack; blocking file I/O (call from `spawn_blocking`).
    pub fn current(&self) -> Arc<ServedPack> {
        let fingerprint = fingerprint(&self.dir);
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, pack)) = cached.as_ref()
            && *seen == fingerprint
        {
            return pack.clone();
        }
        let pack = Arc::new(load(&self.dir));
        tracing::info!(
            dir = %self.dir.display(),
            checklists = pack.pack.checklists().len(),
            etag = %pack.etag,
            "checklist pack loaded"
        );
        *cached = Some((fingerprint, pack.clone()));
        pack
    }
}

fn fingerprint(dir: &Path) -> Fingerprint {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Fingerprint = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let relevant = name.ends_with(".toml") || name == "pack.json";
            let meta = e.metadata().ok()?;
            relevant.then(|| (name, meta.len(), meta.modified().ok()))
        })
        .collect();
    out.sort();
    out
}

fn load(dir: &Path) -> ServedPack {
    let (mut pack, warnings) = ChecklistPack::load(dir);
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    if pack.is_empty() {
        let pack_json = dir.join("pack.json");
        if let Ok(bytes) = std::fs::read(&pack_json) {
            match paicha_core::pack::ChecklistPack::from_json(&bytes) {
                Ok(built) => {
                    for entry in built.checklists {
                        pack.insert(entry.checklist);
                    }
                }
                Err(e) => tracing::warn!("skipping {}: {e}", pack_json.display()),
            }
        }
    }
    let served = paicha_core::pack::ChecklistPack::new(pack.checklists().to_vec(), pinyin_initials);
    let json = served.to_json();
    let etag = format!("\"{}\"", &paicha_core::sha256_hex(&json)[..32]);
    ServedPack { json, etag, pack }
}

/// First letters of the pinyin of each Chinese character ("烟花爆竹" → "yhbz"), as the build
/// computes them for `dist/checklists/pack.json`.
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

    #[test]
    fn pinyin_initials_match_the_build() {
        assert_eq!(pinyin_initials("烟花爆竹"), "yhbz");
    }
}
