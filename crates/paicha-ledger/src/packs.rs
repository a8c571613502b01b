//! Checklist packs for the province's authors and operators: reading a directory of checklist
//! files with its register of official documents (`documents/`), checking what publication
//! needs, the coverage report, and signing (`paicha-ledger checklists sign|coverage|keygen|
//! rotate|verify-pack`). The format is docs/checklist-packs.md; the rules are `paicha_core`'s.

use chrono::{DateTime, Utc};
use paicha_core::Checklist;
use paicha_core::documents::{self, Coverage, Document, Register, TextAvailability};
use paicha_core::pack::ChecklistPack;
use paicha_core::signed_pack::{
    KeyFile, KeyList, OpenedPack, PackRefusal, SignedPackFile, open_sync, sign_key_statement,
    sign_pack,
};
use std::path::{Path, PathBuf};

/// The register next to checklist files: `DIR/documents/*.toml` (empty when there is none).
pub fn load_register(dir: &Path) -> Result<Register, Vec<String>> {
    let docs_dir = dir.join("documents");
    if !docs_dir.is_dir() {
        return Ok(Register::default());
    }
    let paths = paicha_sheets::checklist_files(&docs_dir)
        .map_err(|e| vec![format!("cannot read {}: {e}", docs_dir.display())])?;
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => match Document::from_toml(&name, &text) {
                Ok(doc) => {
                    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                    if stem.as_deref() != Some(doc.key.as_str()) {
                        problems.push(format!(
                            "{name}: 登记名 {} 须与文件名相同 / key {} must be the file name",
                            doc.key, doc.key
                        ));
                    }
                    docs.push(doc);
                }
                Err(e) => problems.push(e.to_string()),
            },
            Err(e) => problems.push(format!("cannot read {name}: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(Register::new(docs))
    } else {
        Err(problems)
    }
}

/// Every checklist of `inputs` (files, or directories of `*.toml`), checked as a published pack
/// needs it: valid, at least [`paicha_sheets::MIN_SHIPPED_ITEMS`] items, issuer, region, change
/// log and checked dates, and agreement with the register of each directory. Returns the
/// checklists, or every problem found.
pub fn load_for_publication(inputs: &[PathBuf]) -> Result<Vec<Checklist>, Vec<String>> {
    let mut checklists = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        let (files, register_dir) = if input.is_dir() {
            match paicha_sheets::checklist_files(input) {
                Ok(files) => (files, input.clone()),
                Err(e) => {
                    problems.push(format!("cannot read {}: {e}", input.display()));
                    continue;
                }
            }
        } else {
            let parent = input.parent().unwrap_or(Path::new(".")).to_path_buf();
            (vec![input.clone()], parent)
        };
        let register = match load_register(&register_dir) {
            Ok(r) => r,
            Err(p) => {
                problems.extend(p);
                continue;
            }
        };
        for path in files {
            let name = path.display().to_string();
            let checklist = match std::fs::read_to_string(&path) {
                Ok(text) => match Checklist::from_toml(&name, &text) {
                    Ok(c) => c,
                    Err(e) => {
                        problems.push(e.to_string());
                        continue;
                    }
                },
                Err(e) => {
                    problems.push(format!("cannot read {name}: {e}"));
                    continue;
                }
            };
            let n = checklist.items().count();
            if n < paicha_sheets::MIN_SHIPPED_ITEMS {
                problems.push(format!(
                    "{name}: {n} 个条目，随应用发布的检查表至少要有 {} 个 / {n} items, a published checklist needs at least {}",
                    paicha_sheets::MIN_SHIPPED_ITEMS,
                    paicha_sheets::MIN_SHIPPED_ITEMS
                ));
            }
            for p in checklist.publication_problems() {
                problems.push(format!("{name}: {p}"));
            }
            for d in documents::check(&checklist, &register) {
                problems.push(format!("{name}: {} {}", d.id, d.reason));
            }
            if checklists.iter().any(|c: &Checklist| c.id == checklist.id) {
                problems.push(format!(
                    "{name}: 编号 {} 重复 / two checklists have id {}",
                    checklist.id, checklist.id
                ));
            }
            checklists.push(checklist);
        }
    }
    if checklists.is_empty() && problems.is_empty() {
        problems.push("没有检查表 / no checklist found".into());
    }
    if problems.is_empty() {
        Ok(checklists)
    } else {
        Err(problems)
    }
}

/// Reads a signing key file.
pub fn read_key(path: &Path) -> anyhow::Result<KeyFile> {
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read key file {}: {e}", path.display()))?;
    KeyFile::from_json(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Reads a trusted key list: a trust root (plain JSON) or a key statement (its payload).
pub fn read_key_list(path: &Path) -> anyhow::Result<KeyList> {
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    if let Ok(envelope) = serde_json::from_slice::<paicha_core::Envelope>(&bytes) {
        let payload = paicha_core::dsse::b64_decode(&envelope.payload)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        return KeyList::from_json(&payload)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
    }
    KeyList::from_json(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Reads key statements (DSSE envelopes) to travel with a pack.
pub fn read_statements(paths: &[PathBuf]) -> anyhow::Result<Vec<paicha_core::Envelope>> {
    paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: not a key statement: {e}", path.display()))
        })
        .collect()
}

/// The signed pack file for `checklists`.
pub fn sign(
    checklists: Vec<Checklist>,
    key: &KeyFile,
    issuer: &str,
    issued_at: DateTime<Utc>,
    key_statements: Vec<paicha_core::Envelope>,
) -> SignedPackFile {
    let pack = ChecklistPack::new(checklists, paicha_core::pack::pinyin_initials)
        .issued(issuer, issued_at);
    SignedPackFile {
        envelope: sign_pack(&pack, &key.signing_key()),
        key_statements,
    }
}

/// Opens a pack file against a trust root, as the app does.
pub fn verify(file: &Path, trust: &KeyList) -> Result<OpenedPack, PackRefusal> {
    let bytes = std::fs::read(file)
        .map_err(|e| PackRefusal::Malformed(format!("cannot read {}: {e}", file.display())))?;
    open_sync(&bytes, trust)
}

/// The next trusted list, signed by `signer` (who must be trusted by `current`): `current`'s
/// keys without `retire`, plus `add`, with the next serial.
pub fn rotate(
    current: &KeyList,
    signer: &KeyFile,
    add: &[KeyFile],
    add_public: &[paicha_core::signed_pack::TrustedKey],
    retire: &[String],
    issued_at: DateTime<Utc>,
) -> anyhow::Result<(KeyList, paicha_core::Envelope)> {
    if current.key(signer.key_id.as_str()).is_none() {
        anyhow::bail!(
            "签名密钥 {} 不在当前信任的密钥中：设备不会接受它签的轮换声明 / the signing key {} is not trusted by the current list, devices would refuse its statement",
            signer.key_id,
            signer.key_id
        );
    }
    for id in retire {
        if current.key(id).is_none() {
            anyhow::bail!("key {id} to retire is not in the current list");
        }
    }
    let mut keys: Vec<_> = current
        .keys
        .iter()
        .filter(|k| !retire.contains(&k.key_id.to_string()))
        .cloned()
        .collect();
    for key in add
        .iter()
        .map(KeyFile::trusted)
        .chain(add_public.iter().cloned())
    {
        if !keys.iter().any(|k| k.key_id == key.key_id) {
            keys.push(key);
        }
    }
    if keys.is_empty() {
        anyhow::bail!("the new list would trust no key");
    }
    let next = KeyList {
        serial: current.serial + 1,
        keys,
        issued_at: Some(issued_at),
    };
    let statement = sign_key_statement(&next, &signer.signing_key());
    Ok((next, statement))
}

/// Coverage of the register documents in `dir/documents` by the checklists in `dir`.
pub fn coverage(dir: &Path) -> anyhow::Result<(Vec<Coverage>, Register)> {
    let register = load_register(dir).map_err(|p| anyhow::anyhow!("{}", p.join("\n")))?;
    if register.documents.is_empty() {
        anyhow::bail!(
            "no register of documents in {}",
            dir.join("documents").display()
        );
    }
    let mut checklists = Vec::new();
    for path in paicha_sheets::checklist_files(dir)? {
        let text = std::fs::read_to_string(&path)?;
        checklists.push(
            Checklist::from_toml(&path.display().to_string(), &text)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
    }
    Ok((documents::coverage(&checklists, &register), register))
}

/// The coverage report as a Markdown table and, per document, the clauses not covered.
pub fn coverage_text(coverage: &[Coverage], register: &Register) -> String {
    let mut out = String::new();
    out.push_str("| 文件 document | 文号 number | 状态 status | 条文 text | 官方 official | 覆盖 covered | % |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for c in coverage {
        let official = c
            .official
            .map_or_else(|| "未知 unknown".to_string(), |n| n.to_string());
        let percent = c
            .percent()
            .map_or_else(|| "—".to_string(), |p| format!("{p:.0}"));
        let text = match c.text {
            TextAvailability::Obtained => "已取得 obtained",
            TextAvailability::Partial => "部分 partial",
            TextAvailability::Unobtainable => "未取得 unobtainable",
        };
        let covered = if c.covered_without_text > 0 {
            format!(
                "{}（无原文 without text {}）",
                c.covered.len(),
                c.covered_without_text
            )
        } else {
            c.covered.len().to_string()
        };
        out.push_str(&format!(
            "| {} | {} | {} | {text} | {official} | {covered} | {percent} |\n",
            c.title,
            c.number.as_deref().unwrap_or("—"),
            c.status.label_zh(),
        ));
    }
    for c in coverage {
        let below = c.percent().is_none_or(|p| p < 95.0);
        let superseded = c.status == paicha_core::checklist::SourceStatus::Superseded;
        if c.missing.is_empty() && !below && c.missing_reason.is_none() && !superseded {
            continue;
        }
        out.push_str(&format!("\n## {}（{}）\n", c.title, c.key));
        let doc = register.get(&c.key);
        if superseded {
            let by = doc.and_then(|d| d.replaced_by.as_deref()).unwrap_or("?");
            out.push_str(&format!(
                "\n已被代替（现行：{by}）：不再作为重大隐患判定依据，检查表中只作对照条目 / \
                 superseded by {by}: not a current criterion, reference items only\n"
            ));
        }
        if let Some(reason) = &c.missing_reason {
            out.push_str(&format!("\n原因 / reason: {reason}\n"));
        }
        if !c.missing.is_empty() {
            out.push_str("\n缺少 / missing:\n");
            for clause in &c.missing {
                let text = doc
                    .and_then(|d| d.criterion(clause))
                    .map(|k| {
                        let t = if k.zh.is_empty() { &k.topic } else { &k.zh };
                        let t = documents::strip_label(t).replace('\n', " ");
                        t.chars().take(60).collect::<String>()
                    })
                    .unwrap_or_default();
                out.push_str(&format!("- {clause} {text}\n"));
            }
        }
    }
    out
}
