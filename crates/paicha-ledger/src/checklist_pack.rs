//! The checklist files the ledger knows (the repository's `checklists/` directory), used to
//! name a hazard's sector, item text and legal basis from the ids an inspection records.

use paicha_core::Checklist;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Default, Clone)]
pub struct ChecklistPack {
    by_hash: HashMap<String, Checklist>,
    by_id: HashMap<String, Checklist>,
    /// In the order loaded (file name order).
    ordered: Vec<Checklist>,
}

impl ChecklistPack {
    /// Loads every `*.toml` in `dir`. Files that fail validation are reported, not fatal: the
    /// export still works, with fewer columns filled.
    pub fn load(dir: &Path) -> (Self, Vec<String>) {
        let mut pack = Self::default();
        let mut warnings = Vec::new();
        let paths = match paicha_sheets::checklist_files(dir) {
            Ok(paths) => paths,
            Err(e) => {
                warnings.push(format!(
                    "cannot read checklists from {}: {e}",
                    dir.display()
                ));
                return (pack, warnings);
            }
        };
        for path in paths {
            let name = path.display().to_string();
            match std::fs::read_to_string(&path) {
                Ok(text) => match Checklist::from_toml(&name, &text) {
                    Ok(checklist) => pack.insert(checklist),
                    Err(e) => warnings.push(format!("skipping checklist {e}")),
                },
                Err(e) => warnings.push(format!("cannot read {name}: {e}")),
            }
        }
        (pack, warnings)
    }

    pub fn insert(&mut self, checklist: Checklist) {
        self.ordered.push(checklist.clone());
        self.by_id.insert(checklist.id.clone(), checklist.clone());
        self.by_hash.insert(checklist.content_hash().0, checklist);
    }

    /// The exact version an inspection used, else the known version with the same id
    /// (sectors and item ids are stable across versions; texts may have been revised).
    pub fn find(&self, id: &str, content_hash: &str) -> Option<&Checklist> {
        self.find_noting_exact(id, content_hash).map(|(c, _)| c)
    }

    /// As [`ChecklistPack::find`], and whether the version found is the exact one.
    pub fn find_noting_exact(&self, id: &str, content_hash: &str) -> Option<(&Checklist, bool)> {
        match self.by_hash.get(content_hash) {
            Some(c) => Some((c, true)),
            None => self.by_id.get(id).map(|c| (c, false)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Every checklist, in the order loaded.
    pub fn checklists(&self) -> &[Checklist] {
        &self.ordered
    }
}
