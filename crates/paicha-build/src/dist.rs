//! Assemble `dist/`: content-hashed assets, rendered templates and a service
//! worker whose precache list is derived from the files actually written.
//!
//! Template convention (public/index.html and public/loader.js): `{{name}}`
//! is replaced by `./<hashed file name>`; names are `app_js`, `app_wasm`,
//! `loader_js`, `styles_css`; `preload_split` is the `<link rel="modulepreload">` of the
//! split link module (empty in an unsplit build). An unknown `{{name}}` is a build error.
//! public/sw.js must contain `/*__PRECACHE__*/ <default>;` once; the default
//! literal up to the `;` is replaced by `{"version": "<hash>", "urls": [...]}`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use sha2::{Digest, Sha256};

use crate::compress::brotli;
use crate::files::{read, url_path, walk};
use crate::minify::{Kind, minify};
use crate::wasm::Bundle;

const PRECACHE_MARKER: &str = "/*__PRECACHE__*/";
/// Processed specially; everything else under public/ is copied verbatim.
const TEMPLATES: &[&str] = &["index.html", "loader.js", "styles.css", "sw.js"];

pub struct Report {
    pub version: String,
    pub precache: Vec<String>,
}

/// Names of the wasm chunks loaded on demand start with this (`paicha-lazy-<chunk>-<hash>.wasm`):
/// they are precached but not part of the app shell.
pub const LAZY_PREFIX: &str = "paicha-lazy-";

/// Suffix of the precompressed copy the server sends to browsers that accept brotli.
pub const BROTLI_SUFFIX: &str = ".br";

/// Files worth precompressing: text and wasm of the shell and data. Images are already
/// compressed; sw.js and index.html are tiny and revalidated on every load.
fn compressible(rel: &str) -> bool {
    [".wasm", ".js", ".css", ".json", ".webmanifest", ".csv"]
        .iter()
        .any(|e| rel.ends_with(e))
        && rel != "sw.js"
}

/// Files to be written, keyed by path relative to dist/ (sorted, so the
/// precache list and version are deterministic).
type Files = BTreeMap<String, Vec<u8>>;

/// Builds `out` from `bundle` and `public/`; `minified` runs the shell's JS and CSS through
/// esbuild (see [`crate::minify`]).
pub fn assemble(
    root: &Path,
    mut bundle: Bundle,
    out: &Path,
    minified: bool,
    pack: &crate::pack::PackOptions,
) -> Result<Report> {
    let public = root.join("public");
    let mut files = Files::new();
    let mut vars = BTreeMap::new();
    let shrink = |kind, name: &str, bytes: Vec<u8>| -> Result<Vec<u8>> {
        if minified {
            minify(root, kind, name, &bytes)
        } else {
            Ok(bytes)
        }
    };
    bundle.js = shrink(Kind::Module, "paicha.js", bundle.js)?;
    if let Some(split) = bundle.split.as_mut() {
        let link = std::mem::take(&mut split.link_js).into_bytes();
        split.link_js = String::from_utf8(shrink(Kind::Module, "paicha-split.js", link)?)
            .context("minified split link module is not UTF-8")?;
    }

    // The glue imports the split link module: preloading it saves a round trip at each start.
    let (js, preload_split) = match bundle.split {
        Some(split) => {
            let (js, link_url) = link_split(&mut files, split, bundle.js)?;
            let tag = format!("  <link rel=\"modulepreload\" href=\"{link_url}\">");
            (js, tag)
        }
        None => (bundle.js, String::new()),
    };
    vars.insert("preload_split", preload_split);
    vars.insert("app_js", hashed(&mut files, "paicha", "js", js));
    vars.insert(
        "app_wasm",
        hashed(&mut files, "paicha", "wasm", bundle.wasm),
    );
    for (rel, bytes) in bundle.snippets {
        files.insert(url_path(&rel), bytes);
    }
    let css = shrink(Kind::Css, "styles.css", read(&public.join("styles.css"))?)?;
    vars.insert("styles_css", hashed(&mut files, "styles", "css", css));
    // The loader embeds the app names, so it is rendered before it is hashed.
    let loader = render(&read(&public.join("loader.js"))?, &vars, "loader.js")?;
    let loader = shrink(Kind::Module, "loader.js", loader)?;
    vars.insert("loader_js", hashed(&mut files, "loader", "js", loader));
    let index = render(&read(&public.join("index.html"))?, &vars, "index.html")?;
    files.insert("index.html".into(), index);

    copy_public(&public, &mut files)?;
    for (rel, bytes) in crate::pack::build(root, &root.join("checklists"), pack)? {
        files.insert(rel, bytes);
    }

    files.insert(REGIONS_CSV.into(), regions_table(root)?);

    let version = build_version(&files);
    let precache: Vec<String> = files.keys().map(|p| format!("./{p}")).collect();
    let sw =
        String::from_utf8(read(&public.join("sw.js"))?).context("public/sw.js is not UTF-8")?;
    let manifest = serde_json::json!({ "version": version, "urls": precache });
    files.insert(
        "sw.js".into(),
        inject_precache(&sw, &manifest.to_string())?.into_bytes(),
    );

    // Precompressed copies come last: they are not part of the precache list (the service
    // worker stores decoded responses) nor of the version hash.
    let compressed: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(rel, _)| compressible(rel))
        .map(|(rel, bytes)| Ok((format!("{rel}{BROTLI_SUFFIX}"), brotli(bytes)?)))
        .collect::<Result<_>>()?;
    files.extend(compressed);

    write_dist(out, &files)?;
    Ok(Report { version, precache })
}

/// Adds the chunks and the split link module under content-hashed names and returns the glue
/// rewritten to import the link module by its name. The glue and the link module import each
/// other, so the link module cannot be named by its final content: its name hashes what it and
/// the glue are made of before the two names are filled in (both follow from the build's
/// wasm), and the glue is then hashed as usual.
fn link_split(
    files: &mut Files,
    split: crate::wasm::Split,
    glue: Vec<u8>,
) -> Result<(Vec<u8>, String)> {
    use crate::wasm::{LINK_PLACEHOLDER, MAIN_PLACEHOLDER};
    let mut link = split.link_js;
    for (stem, bytes) in split.chunks {
        let from = format!("\"./{stem}.wasm\"");
        ensure!(
            link.contains(&from),
            "the split link module never loads chunk {stem}"
        );
        let url = hashed(files, &format!("{LAZY_PREFIX}{stem}"), "wasm", bytes);
        link = link.replace(&from, &format!("\"{url}\""));
    }
    let glue = String::from_utf8(glue).context("wasm-bindgen glue is not UTF-8")?;
    // Only the import statements: the wasm itself still names the module by the placeholder,
    // so the glue's import object keeps that key.
    let (Some(import_link), Some(import_main)) = (
        import_statement(&glue, LINK_PLACEHOLDER),
        import_statement(&link, MAIN_PLACEHOLDER),
    ) else {
        bail!("the glue and the split link module must import each other");
    };
    let link_name = format!(
        "paicha-split-{}.js",
        short_hash(format!("{link}\0{glue}").as_bytes())
    );
    let glue = glue.replace(&import_link, &format!("from\"./{link_name}\""));
    let glue_url = format!("./paicha-{}.js", short_hash(glue.as_bytes()));
    let link = link.replace(&import_main, &format!("from\"{glue_url}\""));
    files.insert(link_name.clone(), link.into_bytes());
    Ok((glue.into_bytes(), format!("./{link_name}")))
}

/// The `from "<specifier>"` clause by which `code` imports `specifier`, as written: spaced as
/// wasm-bindgen writes it or unspaced as esbuild does.
fn import_statement(code: &str, specifier: &str) -> Option<String> {
    [
        format!("from \"{specifier}\""),
        format!("from\"{specifier}\""),
    ]
    .into_iter()
    .find(|clause| code.contains(clause.as_str()))
}

/// Insert `bytes` as `<stem>-<hash>.<ext>` and return its `./` URL.
fn hashed(files: &mut Files, stem: &str, ext: &str, bytes: Vec<u8>) -> String {
    let name = format!("{stem}-{}.{ext}", short_hash(&bytes));
    files.insert(name.clone(), bytes);
    format!("./{name}")
}

/// First 16 hex digits of the SHA-256: 64 bits is plenty to bust caches.
fn short_hash(bytes: &[u8]) -> String {
    hex16(&Sha256::digest(bytes))
}

/// The first 8 bytes of a digest as 16 hex digits.
fn hex16(digest: &[u8]) -> String {
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Hash over every precached path and its content, so any change to any
/// file yields a new service-worker cache.
fn build_version(files: &Files) -> String {
    let mut h = Sha256::new();
    for (path, bytes) in files {
        h.update(path.as_bytes());
        h.update([0]);
        h.update(Sha256::digest(bytes));
    }
    hex16(&h.finalize())
}

fn render(template: &[u8], vars: &BTreeMap<&str, String>, name: &str) -> Result<Vec<u8>> {
    let mut text = String::from_utf8(template.to_vec())
        .with_context(|| format!("public/{name} is not UTF-8"))?;
    for (key, value) in vars {
        text = text.replace(&format!("{{{{{key}}}}}"), value);
    }
    if let Some(start) = text.find("{{") {
        let rest = &text[start..];
        let end = rest.find("}}").map_or(rest.len().min(40), |e| e + 2);
        bail!("public/{name}: unknown placeholder {}", &rest[..end]);
    }
    Ok(text.into_bytes())
}

fn inject_precache(sw: &str, json: &str) -> Result<String> {
    ensure!(
        sw.matches(PRECACHE_MARKER).count() == 1,
        "public/sw.js must contain {PRECACHE_MARKER} exactly once"
    );
    let start = sw.find(PRECACHE_MARKER).unwrap();
    let end = start
        + sw[start..]
            .find(';')
            .context("public/sw.js: no `;` after the precache marker")?;
    Ok(format!("{}{json}{}", &sw[..start], &sw[end..]))
}

/// The region table the app offers for 所属区域 (precached, so registration works offline).
pub const REGIONS_CSV: &str = "regions.csv";

/// Every table the ledger ships (`crates/paicha-ledger/data/regions/*.csv`, one per province)
/// as one CSV with one header: the device picks its region from what the ledger knows.
fn regions_table(root: &Path) -> Result<Vec<u8>> {
    let dir = root.join("crates/paicha-ledger/data/regions");
    let mut tables: Vec<_> = fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    tables.retain(|p| p.extension().is_some_and(|e| e == "csv"));
    tables.sort();
    let mut out = String::new();
    for path in &tables {
        let text = String::from_utf8(read(path)?)
            .with_context(|| format!("{} is not UTF-8", path.display()))?;
        let mut lines = text.trim_start_matches('\u{feff}').lines();
        let header = lines.next().unwrap_or_default();
        if out.is_empty() {
            out.push_str(header);
            out.push('\n');
        } else if !out.starts_with(header) {
            bail!("{} has another header than the first table", path.display());
        }
        for line in lines.filter(|l| !l.trim().is_empty()) {
            out.push_str(line);
            out.push('\n');
        }
    }
    if out.is_empty() {
        bail!("no region table in {}", dir.display());
    }
    Ok(out.into_bytes())
}

fn copy_public(public: &Path, files: &mut Files) -> Result<()> {
    for path in walk(public)? {
        let rel = url_path(path.strip_prefix(public)?);
        if !TEMPLATES.contains(&rel.as_str()) {
            files.insert(rel, read(&path)?);
        }
    }
    Ok(())
}

/// Writes into a sibling staging directory, then swaps it in, so a failed
/// build never leaves a half-written dist/ behind.
fn write_dist(out: &Path, files: &Files) -> Result<()> {
    if out.exists() && !out.join("index.html").exists() && fs::read_dir(out)?.next().is_some() {
        bail!(
            "{} exists and does not look like a dist directory; refusing to replace it",
            out.display()
        );
    }
    let staging = out.with_extension("partial");
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    for (rel, bytes) in files {
        let path = staging.join(rel);
        fs::create_dir_all(path.parent().unwrap())?;
        fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    if out.exists() {
        fs::remove_dir_all(out)?;
    }
    fs::rename(&staging, out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_clauses_are_found_spaced_or_minified() {
        let spaced = "import * as a from \"./paicha-split.js\";\nconst k = \"./paicha-split.js\";";
        let clause = import_statement(spaced, "./paicha-split.js").unwrap();
        assert_eq!(clause, "from \"./paicha-split.js\"");
        // Only the import clause is rewritten, not the import object's key.
        assert_eq!(spaced.matches(clause.as_str()).count(), 1);
        let minified = "import*as a from\"./paicha-split.js\";";
        assert_eq!(
            import_statement(minified, "./paicha-split.js").as_deref(),
            Some("from\"./paicha-split.js\"")
        );
        assert_eq!(import_statement(minified, "./paicha-main.js"), None);
    }

    #[test]
    fn text_and_wasm_are_precompressed_but_not_images_or_the_worker() {
        assert!(compressible("paicha-0123.wasm") && compressible("checklists/pack.json"));
        assert!(!compressible("sw.js") && !compressible("icons/icon-192.png"));
    }

    #[test]
    fn render_replaces_known_and_rejects_unknown() {
        let mut vars = BTreeMap::new();
        vars.insert("app_js", "./paicha-0123.js".to_string());
        let ok = render(b"<script src=\"{{app_js}}\">", &vars, "t").unwrap();
        assert_eq!(ok, b"<script src=\"./paicha-0123.js\">");
        let err = render(b"{{app_jss}}", &vars, "t").unwrap_err();
        assert!(err.to_string().contains("{{app_jss}}"));
    }

    #[test]
    fn precache_marker_is_replaced_up_to_semicolon() {
        let sw = "const PRECACHE = /*__PRECACHE__*/ { version: \"dev\", urls: [] };\nrest;";
        let out = inject_precache(sw, r#"{"version":"ab","urls":["./x"]}"#).unwrap();
        assert_eq!(
            out,
            "const PRECACHE = {\"version\":\"ab\",\"urls\":[\"./x\"]};\nrest;"
        );
        assert!(inject_precache("no marker", "{}").is_err());
    }

    #[test]
    fn version_changes_with_any_file() {
        let mut files = Files::new();
        files.insert("a".into(), b"1".to_vec());
        let v1 = build_version(&files);
        files.insert("a".into(), b"2".to_vec());
        assert_ne!(v1, build_version(&files));
        assert_eq!(
            short_hash(b"x"),
            "2d711642b726b044",
            "the first 16 hex digits of SHA-256"
        );
    }
}
