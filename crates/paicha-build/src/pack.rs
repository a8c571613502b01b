//! The checklist pack the build ships (`dist/checklists/pack.json`): every `checklists/*.toml`,
//! validated, packed and signed (docs/checklist-packs.md), then opened against the trust root
//! the app embeds, so that a build never ships a pack its own app would refuse.
//!
//! Where the signature comes from:
//! - development (the default): the development key in `checklists/keys/`, whose private half is
//!   public; the build says so on every run;
//! - production: `--pack-key FILE` (a key kept outside the repository) or `--signed-pack FILE`
//!   (a pack signed elsewhere with `paicha-ledger checklists sign`), with `--trust-root FILE`
//!   naming the province's trust root (it is embedded in the app; see the root crate's build.rs).

use anyhow::{Context, Result, bail, ensure};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use paicha_core::Checklist;
use paicha_core::pack::{ChecklistPack, pinyin_initials};
use paicha_core::signed_pack::{KeyFile, KeyList, SignedPackFile, open_sync, sign_pack};
use std::path::{Path, PathBuf};

/// The development trust root and key, relative to the workspace root.
pub const DEV_TRUST_ROOT: &str = "checklists/keys/trust-root.json";
pub const DEV_KEY: &str = "checklists/keys/development.key.json";

/// Who issues the packs the build signs.
pub const ISSUER: &str = "省应急管理厅";

/// How the shipped pack is signed.
#[derive(Debug, Clone)]
pub enum Signing {
    /// Sign with this key file, adding these key statements (oldest first).
    Key {
        key: PathBuf,
        statements: Vec<PathBuf>,
    },
    /// Ship this pack, signed elsewhere.
    Signed(PathBuf),
}

#[derive(Debug, Clone)]
pub struct PackOptions {
    /// The trust root the app embeds.
    pub trust_root: PathBuf,
    pub signing: Signing,
}

impl PackOptions {
    /// Development defaults: the repository's trust root and development key.
    pub fn development(root: &Path) -> Self {
        Self {
            trust_root: root.join(DEV_TRUST_ROOT),
            signing: Signing::Key {
                key: root.join(DEV_KEY),
                statements: Vec::new(),
            },
        }
    }
}

/// The files to ship: `checklists/pack.json` (the signed pack) and `checklists/trust-root.json`
/// (a copy of the embedded trust root, which `paicha-ledger serve` checks the pack against).
pub fn build(root: &Path, dir: &Path, options: &PackOptions) -> Result<Vec<(String, Vec<u8>)>> {
    let trust_bytes = std::fs::read(&options.trust_root)
        .with_context(|| format!("reading the trust root {}", options.trust_root.display()))?;
    let trust = KeyList::from_json(&trust_bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", options.trust_root.display()))?;
    let bytes = match &options.signing {
        Signing::Signed(path) => {
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
        }
        Signing::Key { key, statements } => {
            let key_file = read_key(root, key)?;
            let checklists = read_checklists(dir)?;
            let issued_at = issued_at(&checklists)?;
            let pack = ChecklistPack::new(checklists, pinyin_initials).issued(ISSUER, issued_at);
            let statements = statements
                .iter()
                .map(|p| {
                    let bytes =
                        std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
                    serde_json::from_slice(&bytes)
                        .with_context(|| format!("{}: not a key statement", p.display()))
                })
                .collect::<Result<Vec<_>>>()?;
            SignedPackFile {
                envelope: sign_pack(&pack, &key_file.signing_key()),
                key_statements: statements,
            }
            .to_json()
        }
    };
    let opened = open_sync(&bytes, &trust).map_err(|refusal| {
        anyhow::anyhow!(
            "the app would refuse this checklist pack ({refusal}); sign it with a key the trust \
             root {} trusts, or pass the matching --trust-root",
            options.trust_root.display()
        )
    })?;
    if opened.signed_by.key_id.as_str() == dev_key_id(root)?.as_str() {
        eprintln!(
            "warning: checklists/pack.json is signed with the DEVELOPMENT key ({DEV_KEY}), whose \
             private half is public. A production build passes --pack-key (or --signed-pack) and \
             --trust-root: docs/checklist-packs.md"
        );
    }
    Ok(vec![
        ("checklists/pack.json".into(), bytes),
        ("checklists/trust-root.json".into(), trust_bytes),
    ])
}

fn dev_key_id(root: &Path) -> Result<String> {
    let bytes = std::fs::read(root.join(DEV_KEY)).context("reading the development key")?;
    Ok(KeyFile::from_json(&bytes)
        .map_err(|e| anyhow::anyhow!("{DEV_KEY}: {e}"))?
        .key_id
        .to_string())
}

/// Reads a signing key; a key inside the repository other than the development key is refused,
/// so that a production key never gets committed by way of a build that used it.
fn read_key(root: &Path, path: &Path) -> Result<KeyFile> {
    let canonical = path
        .canonicalize()
        .with_context(|| format!("reading the signing key {}", path.display()))?;
    let root = root.canonicalize()?;
    if canonical.starts_with(&root) && canonical != root.join(DEV_KEY) {
        bail!(
            "{} is inside the repository: keep signing keys outside it (only the development \
             key {DEV_KEY} lives there)",
            path.display()
        );
    }
    let bytes = std::fs::read(&canonical)?;
    KeyFile::from_json(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Every `*.toml` directly in `dir`, validated (a broken file fails the build with
/// `file:line: reason`).
fn read_checklists(dir: &Path) -> Result<Vec<Checklist>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut checklists = Vec::new();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {name}"))?;
        checklists.push(Checklist::from_toml(&name, &text)?);
    }
    ensure!(
        !checklists.is_empty(),
        "no checklist found in {}",
        dir.display()
    );
    Ok(checklists)
}

/// The pack's time, reproducible: `SOURCE_DATE_EPOCH` when set, else the newest checklist's
/// `effective` day at 00:00 China Standard Time.
fn issued_at(checklists: &[Checklist]) -> Result<DateTime<Utc>> {
    if let Some(epoch) = std::env::var_os("SOURCE_DATE_EPOCH") {
        let secs: i64 = epoch
            .to_string_lossy()
            .parse()
            .context("SOURCE_DATE_EPOCH is not a number")?;
        return Utc
            .timestamp_opt(secs, 0)
            .single()
            .context("SOURCE_DATE_EPOCH is out of range");
    }
    let newest = checklists
        .iter()
        .filter_map(|c| NaiveDate::parse_from_str(&c.effective, "%Y-%m-%d").ok())
        .max()
        .context("no checklist has an effective date")?;
    let midnight = newest.and_hms_opt(0, 0, 0).expect("midnight exists");
    Ok(paicha_core::hazard_ledger::china_time()
        .from_local_datetime(&midnight)
        .single()
        .expect("fixed offsets are unambiguous")
        .with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_pack_opens_against_the_development_trust_root() {
        let root = crate::workspace_root();
        let files = build(
            &root,
            &root.join("checklists"),
            &PackOptions::development(&root),
        )
        .unwrap();
        let trust = KeyList::from_json(&files[1].1).unwrap();
        let opened = open_sync(&files[0].1, &trust).unwrap();
        assert!(opened.pack.checklists.len() >= 17);
        assert_eq!(opened.pack.issuer.as_deref(), Some(ISSUER));
        // Reproducible: the same inputs give the same bytes.
        let again = build(
            &root,
            &root.join("checklists"),
            &PackOptions::development(&root),
        )
        .unwrap();
        assert_eq!(again[0].1, files[0].1);
    }

    #[test]
    fn a_pack_the_app_would_refuse_fails_the_build() {
        let root = crate::workspace_root();
        let dir = tempfile::tempdir().unwrap();
        // A trust root that does not trust the development key.
        let other = paicha_core::signed_pack::KeyFile::new([5; 32], "other", "");
        let list = KeyList {
            serial: 1,
            keys: vec![other.trusted()],
            issued_at: None,
        };
        let trust = dir.path().join("trust.json");
        std::fs::write(&trust, list.to_json()).unwrap();
        let mut options = PackOptions::development(&root);
        options.trust_root = trust;
        let err = build(&root, &root.join("checklists"), &options).unwrap_err();
        assert!(err.to_string().contains("the app would refuse"), "{err}");
    }

    #[test]
    fn a_signing_key_inside_the_repository_is_refused() {
        let root = crate::workspace_root();
        let err = read_key(&root, &root.join("checklists/keys/trust-root.json")).unwrap_err();
        assert!(err.to_string().contains("inside the repository"), "{err}");
        assert!(read_key(&root, &root.join(DEV_KEY)).is_ok());
    }
}
