//! Size report for dist/: the app shell (what must download before the first screen is
//! interactive) is held to a brotli budget; the rest, the wasm chunks loaded on demand
//! included, is listed for information.

use std::io::Write;
use std::path::Path;

use anyhow::{Result, ensure};
use flate2::{Compression, write::GzEncoder};

use crate::compress::brotli;
use crate::files::{read, url_path, walk};

#[derive(Default, Clone, Copy)]
struct Sizes {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, o: Self) {
        self.raw += o.raw;
        self.gzip += o.gzip;
        self.brotli += o.brotli;
    }
}

enum Group {
    Shell,
    /// wasm chunks of the screens and functions loaded on demand (src/lazy.rs).
    OnDemand,
    Checklists,
    Other,
}

fn group(rel: &str) -> Option<Group> {
    if rel.ends_with(crate::dist::BROTLI_SUFFIX) {
        // Precompressed copies of files already counted.
        return None;
    }
    Some(if rel.starts_with("checklists/") {
        Group::Checklists
    } else if rel.starts_with(crate::dist::LAZY_PREFIX) && rel.ends_with(".wasm") {
        Group::OnDemand
    } else if rel == "index.html"
        || (rel.ends_with(".js") && rel != "sw.js")
        || rel.ends_with(".wasm")
        || rel.ends_with(".css")
    {
        Group::Shell
    } else {
        Group::Other
    })
}

/// Prints the table; returns false when the shell exceeds `budget` bytes (brotli).
pub fn report(dist: &Path, budget: u64) -> Result<bool> {
    ensure!(
        dist.join("index.html").exists(),
        "{} has no index.html: run `paicha-build build` first",
        dist.display()
    );
    let (mut shell, mut lazy, mut lists, mut other) = Default::default();
    println!(
        "{:<52} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli"
    );
    for path in walk(dist)? {
        let rel = url_path(path.strip_prefix(dist)?);
        let Some(group) = group(&rel) else { continue };
        let s = measure(&read(&path)?)?;
        match group {
            Group::Shell => {
                row(&rel, s);
                shell += s;
            }
            Group::OnDemand => {
                row(&rel, s);
                lazy += s;
            }
            Group::Checklists => lists += s,
            Group::Other => other += s,
        }
    }
    println!("{}", "-".repeat(85));
    row("app shell (html+js+wasm+css)", shell);
    row("on demand (wasm chunks, precached)", lazy);
    row("checklists/ (data)", lists);
    row("other precached (sw, manifest, icons)", other);

    let ok = shell.brotli as u64 <= budget;
    let verdict = if ok { "within" } else { "OVER" };
    println!(
        "app shell brotli: {:.1} KiB, budget {:.1} KiB: {verdict} budget",
        kib(shell.brotli),
        kib(budget as usize)
    );
    if !ok {
        eprintln!(
            "error: app shell is {:.1} KiB brotli, over the {:.1} KiB budget by {:.1} KiB",
            kib(shell.brotli),
            kib(budget as usize),
            kib(shell.brotli - budget as usize)
        );
    }
    Ok(ok)
}

fn row(name: &str, s: Sizes) {
    println!("{name:<52} {:>10} {:>10} {:>10}", s.raw, s.gzip, s.brotli);
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

fn measure(bytes: &[u8]) -> Result<Sizes> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(bytes)?;
    let gzip = gz.finish()?.len();

    Ok(Sizes {
        raw: bytes.len(),
        gzip,
        brotli: brotli(bytes)?.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups() {
        assert!(matches!(group("index.html"), Some(Group::Shell)));
        assert!(matches!(group("paicha-00.wasm"), Some(Group::Shell)));
        assert!(matches!(group("snippets/x/inline0.js"), Some(Group::Shell)));
        assert!(matches!(group("sw.js"), Some(Group::Other)));
        assert!(matches!(
            group("checklists/a.toml"),
            Some(Group::Checklists)
        ));
        assert!(matches!(group("icons/icon-192.png"), Some(Group::Other)));
        assert!(matches!(
            group("paicha-lazy-split_screens-0123.wasm"),
            Some(Group::OnDemand)
        ));
        assert!(
            matches!(group("paicha-split-0123.js"), Some(Group::Shell)),
            "the split link module is imported by the glue before the app starts"
        );
        assert!(
            group("paicha-00.wasm.br").is_none(),
            "precompressed copies are not counted twice"
        );
    }

    #[test]
    fn compresses_repetitive_input() {
        let s = measure(&[b'a'; 10_000]).unwrap();
        assert_eq!(s.raw, 10_000);
        assert!(s.gzip < 100 && s.brotli < 100);
    }
}
