//! The signed checklist pack served at `GET /api/checklists` (docs/checklist-packs.md): the file
//! `pack.json` of a directory (the build's `DIST/checklists` by default), checked against the
//! trust root the app embeds (the build's copy, `trust-root.json`, by default). The ledger never
//! signs packs and never serves one the app would refuse: a pack whose signature fails is refused
//! with its reason (the endpoint answers 503, `serve` says so when it starts), and a pack
//! replaced by a bad one while the server runs leaves the last good one in service.
//!
//! The checklists of the served pack, and any `*.toml` files in the same directory, name the
//! hazards of `GET /api/hazards`. The directory is re-read when its files change (names, sizes,
//! modification times), so a new pack is served without a restart.

use crate::checklist_pack::ChecklistPack;
use paicha_core::signed_pack::{KeyList, PackRefusal, open_sync};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The pack as served: the signed file's bytes, a strong ETag over them, and the checklists
/// for naming hazards.
#[derive(Debug)]
pub struct ServedPack {
    pub json: Vec<u8>,
    pub etag: String,
    pub pack: ChecklistPack,
    /// Who signed it: `name (key id)`.
    pub signed_by: String,
}

/// The state of the pack file: served, or refused with the reason (and the last good pack, if
/// one was served before, stays in service).
#[derive(Debug, Clone)]
pub enum PackState {
    Served(Arc<ServedPack>),
    Refused {
        reason: String,
        last_good: Option<Arc<ServedPack>>,
        /// The directory's `*.toml` files, which still name hazards.
        files: ChecklistPack,
    },
}

impl PackState {
    /// The pack to serve, if any.
    pub fn serving(&self) -> Option<&Arc<ServedPack>> {
        match self {
            PackState::Served(pack) => Some(pack),
            PackState::Refused { last_good, .. } => last_good.as_ref(),
        }
    }

    /// Checklists for naming hazards: the served pack's and the directory's files.
    pub fn names(&self) -> ChecklistPack {
        match self {
            PackState::Served(pack) => pack.pack.clone(),
            PackState::Refused {
                last_good: Some(pack),
                ..
            } => pack.pack.clone(),
            PackState::Refused { files, .. } => files.clone(),
        }
    }
}

type Fingerprint = Vec<(String, u64, Option<SystemTime>)>;

#[derive(Debug)]
pub struct ChecklistSource {
    dir: PathBuf,
    trust_root: PathBuf,
    cached: Mutex<Option<(Fingerprint, PackState)>>,
}

impl ChecklistSource {
    /// `dir/pack.json` checked against `trust_root`.
    pub fn new(dir: impl Into<PathBuf>, trust_root: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            trust_root: trust_root.into(),
            cached: Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn trust_root(&self) -> &Path {
        &self.trust_root
    }

    /// The current state; blocking file I/O (call from `spawn_blocking`).
    pub fn current(&self) -> PackState {
        let fingerprint = fingerprint(&self.dir, &self.trust_root);
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((seen, state)) = cached.as_ref()
            && *seen == fingerprint
        {
            return state.clone();
        }
        let last_good = cached.as_ref().and_then(|(_, s)| s.serving().cloned());
        let state = match load(&self.dir, &self.trust_root) {
            Ok(pack) => {
                tracing::info!(
                    dir = %self.dir.display(),
                    checklists = pack.pack.checklists().len(),
                    signed_by = %pack.signed_by,
                    etag = %pack.etag,
                    "checklist pack loaded"
                );
                PackState::Served(Arc::new(pack))
            }
            Err(reason) => {
                tracing::error!(
                    dir = %self.dir.display(),
                    "检查表包被拒绝，不提供 / checklist pack refused, not served: {reason}{}",
                    if last_good.is_some() { " (the last good pack stays in service)" } else { "" }
                );
                let (files, _) = ChecklistPack::load(&self.dir);
                PackState::Refused {
                    reason,
                    last_good,
                    files,
                }
            }
        };
        *cached = Some((fingerprint, state.clone()));
        state
    }
}

fn fingerprint(dir: &Path, trust_root: &Path) -> Fingerprint {
    let mut out: Fingerprint = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let relevant = name.ends_with(".toml") || name == "pack.json";
                    let meta = e.metadata().ok()?;
                    relevant.then(|| (name, meta.len(), meta.modified().ok()))
                })
                .collect()
        })
        .unwrap_or_default();
    if let Ok(meta) = std::fs::metadata(trust_root) {
        out.push((
            trust_root.display().to_string(),
            meta.len(),
            meta.modified().ok(),
        ));
    }
    out.sort();
    out
}

/// Reads and checks `dir/pack.json`; the reason, when it is refused, says what to do.
fn load(dir: &Path, trust_root: &Path) -> Result<ServedPack, String> {
    let trust = std::fs::read(trust_root)
        .map_err(|e| format!("cannot read the trust root {}: {e}", trust_root.display()))
        .and_then(|bytes| {
            KeyList::from_json(&bytes).map_err(|e| format!("{}: {e}", trust_root.display()))
        })?;
    let path = dir.join("pack.json");
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {}: {e} (build the app, or sign one with `paicha-ledger checklists sign`)",
            path.display()
        )
    })?;
    let opened = open_sync(&bytes, &trust).map_err(|refusal: PackRefusal| {
        format!(
            "{}: {refusal} [{}] (trust root {})",
            path.display(),
            refusal.code(),
            trust_root.display()
        )
    })?;
    let (mut pack, warnings) = ChecklistPack::load(dir);
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    for entry in opened.pack.checklists {
        pack.insert(entry.checklist);
    }
    let etag = format!("\"{}\"", &paicha_core::sha256_hex(&bytes)[..32]);
    Ok(ServedPack {
        json: bytes,
        etag,
        pack,
        signed_by: format!(
            "{} ({})",
            opened.signed_by.name,
            opened.signed_by.key_id.short()
        ),
    })
}
