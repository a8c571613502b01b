//! A crate's module files and the imports between them, as `shared/hooks/cycles.py`
//! counts them: a file imports the module of the deepest existing file that a path it names
//! leads to (`crate::model::Model::new` → `src/model.rs`). A path naming the file's own
//! module is no import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};

use super::scan::{NamedPath, scan};
use crate::files::{read, url_path, walk};

/// A module's path from its crate's root: empty for `lib.rs`/`main.rs`, `["model", "x"]` for
/// `model/x.rs` or `model/x/mod.rs`.
pub type ModulePath = Vec<String>;

pub struct Crate {
    /// Each module's file, relative to the workspace root; for the root `lib.rs` when there
    /// is one, else `main.rs`.
    pub files: BTreeMap<ModulePath, String>,
    pub imports: Vec<Import>,
}

pub struct Import {
    pub from: ModulePath,
    pub to: ModulePath,
    /// The path as the importing file names it, groups expanded.
    pub written: String,
}

struct SourceFile {
    module: ModulePath,
    file: String,
    /// The paths it names outside tests.
    paths: Vec<NamedPath>,
}

/// The crate whose sources are in `src` (relative to the workspace `root`). Binaries of their
/// own (`src/bin/`) are not part of it, nor is anything declared `#[cfg(test)] mod name;`.
pub fn read_crate(root: &Path, src: &Path) -> Result<Crate> {
    let mut sources = Vec::new();
    let mut test_modules = BTreeSet::new();
    for path in walk(&root.join(src))? {
        let rel = path.strip_prefix(root.join(src))?;
        if rel.starts_with("bin") || path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let module = module_path(rel);
        let text = String::from_utf8(read(&path)?)
            .with_context(|| format!("{} is not UTF-8", path.display()))?;
        let file = url_path(path.strip_prefix(root)?);
        let scanned = scan(&text).map_err(|e| anyhow::anyhow!("{file} is not Rust: {e}"))?;
        test_modules.extend(scanned.test_modules.iter().map(|name| child(&module, name)));
        sources.push(SourceFile {
            module,
            file,
            paths: scanned.paths,
        });
    }
    sources.retain(|s| !test_modules.iter().any(|t| s.module.starts_with(t)));

    let mut files = BTreeMap::new();
    for s in &sources {
        // The root's file is lib.rs where a main.rs sits beside it.
        if !files.contains_key(&s.module) || s.file.ends_with("/lib.rs") {
            files.insert(s.module.clone(), s.file.clone());
        }
    }
    let imports = sources
        .iter()
        .flat_map(|s| s.paths.iter().map(move |p| (s, p)))
        .filter_map(|(s, path)| {
            let to = resolve(&files, &s.module, path)?;
            (to != s.module).then(|| Import {
                from: s.module.clone(),
                to,
                written: path.segments.join("::"),
            })
        })
        .collect();
    Ok(Crate { files, imports })
}

/// `model/x.rs` and `model/x/mod.rs` → `["model", "x"]`; `lib.rs` and `main.rs` → `[]`.
fn module_path(rel: &Path) -> ModulePath {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
}

fn child(module: &ModulePath, name: &str) -> ModulePath {
    let mut path = module.clone();
    path.push(name.to_string());
    path
}

/// The deepest module with a file that `path`, named in `module`, leads to.
fn resolve(
    files: &BTreeMap<ModulePath, String>,
    module: &ModulePath,
    path: &NamedPath,
) -> Option<ModulePath> {
    let here: ModulePath = module.iter().chain(&path.inline_modules).cloned().collect();
    let (head, mut rest) = path.segments.split_first()?;
    let mut full = match head.as_str() {
        "crate" => Vec::new(),
        "self" => here,
        _ => here[..here.len().saturating_sub(1)].to_vec(),
    };
    while let Some((first, tail)) = rest.split_first()
        && first == "super"
    {
        full.pop();
        rest = tail;
    }
    full.extend(rest.iter().cloned());
    (0..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|prefix| files.contains_key(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(inline: &[&str], written: &str) -> NamedPath {
        NamedPath {
            inline_modules: inline.iter().map(|s| s.to_string()).collect(),
            segments: written.split("::").map(String::from).collect(),
        }
    }

    fn module(path: &str) -> ModulePath {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    #[test]
    fn module_paths_of_files() {
        assert_eq!(module_path(Path::new("model/x.rs")), module("model/x"));
        assert_eq!(module_path(Path::new("model/mod.rs")), module("model"));
        assert_eq!(module_path(Path::new("lib.rs")), module(""));
        assert_eq!(module_path(Path::new("main.rs")), module(""));
        assert_eq!(module_path(Path::new("model/lib.rs")), module("model/lib"));
    }

    #[test]
    fn paths_resolve_to_the_deepest_module_with_a_file() {
        let files: BTreeMap<ModulePath, String> = ["", "a", "a/b", "c"]
            .iter()
            .map(|m| (module(m), format!("{m}.rs")))
            .collect();
        let here = module("a/b");
        let to = |inline: &[&str], written: &str| resolve(&files, &here, &path(inline, written));
        assert_eq!(to(&[], "crate::a::b::Item::new"), Some(module("a/b")));
        assert_eq!(to(&[], "crate::Root"), Some(module("")));
        assert_eq!(to(&[], "super::Item"), Some(module("a")));
        assert_eq!(to(&[], "super::super::c::Item"), Some(module("c")));
        assert_eq!(to(&[], "self::inner::Item"), Some(module("a/b")));
        assert_eq!(to(&["inline"], "super::Item"), Some(module("a/b")));
        assert_eq!(to(&[], "super::super::super::c"), Some(module("c")));
    }
}
