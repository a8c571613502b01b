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

/// Prints the table; returns false when the shell exceeds `budget_kib` KiB (brotli).
pub fn report(dist: &Path, budget_kib: u64) -> Result<bool> {
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

    let verdict = verdict(shell.brotli as u64, budget_kib);
    println!("{}", verdict.summary);
    if let Some(error) = &verdict.error {
        eprintln!("error: {error}");
    }
    Ok(verdict.within)
}

/// The size gate's decision on an app shell and what it prints.
struct Verdict {
    within: bool,
    /// Printed whatever the decision.
    summary: String,
    /// Printed when the shell is over budget.
    error: Option<String>,
}

const KIB: u64 = 1024;

/// An app shell of `shell` bytes (brotli) against a budget of `budget_kib` KiB: at the budget
/// is within it. The figures are in KiB to a tenth, which can round a shell one byte over
/// the budget to the budget's own figure, so the bytes are given too.
fn verdict(shell: u64, budget_kib: u64) -> Verdict {
    let budget = budget_kib * KIB;
    let within = shell <= budget;
    let decision = if within { "within" } else { "OVER" };
    let summary = format!(
        "app shell brotli: {} ({shell} bytes), budget {budget_kib} KiB ({budget} bytes): \
         {decision} budget",
        kib(shell)
    );
    let error = (!within).then(|| {
        let over = shell - budget;
        let unit = if over == 1 { "byte" } else { "bytes" };
        format!(
            "app shell is {} brotli, over the {budget_kib} KiB budget by {over} {unit}",
            kib(shell)
        )
    });
    Verdict {
        within,
        summary,
        error,
    }
}

fn row(name: &str, s: Sizes) {
    println!("{name:<52} {:>10} {:>10} {:>10}", s.raw, s.gzip, s.brotli);
}

/// `bytes` in KiB to a tenth, rounded to the nearest.
fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / KIB as f64)
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

    const BUDGET: u64 = 120 * 1024;

    #[test]
    fn the_gate_passes_at_the_budget_and_fails_one_byte_over() {
        assert!(verdict(BUDGET - 1, 120).within);
        let at = verdict(BUDGET, 120);
        assert!(at.within, "a shell exactly at the budget is within it");
        assert_eq!(at.error, None);
        let over = verdict(BUDGET + 1, 120);
        assert!(!over.within);
        assert_eq!(
            over.summary,
            "app shell brotli: 120.0 KiB (122881 bytes), budget 120 KiB (122880 bytes): OVER budget"
        );
        assert_eq!(
            over.error.as_deref(),
            Some("app shell is 120.0 KiB brotli, over the 120 KiB budget by 1 byte"),
            "the excess is in bytes: in KiB it would read 0.0"
        );
    }

    #[test]
    fn the_budget_is_in_kib_of_1024_bytes_printed_to_a_tenth() {
        assert!(
            verdict(120_001, 120).within,
            "120 KiB is 122880 bytes, not 120000"
        );
        assert_eq!(
            verdict(121_856, 120).summary,
            "app shell brotli: 119.0 KiB (121856 bytes), budget 120 KiB (122880 bytes): within budget"
        );
        assert_eq!(kib(121_907), "119.0 KiB", "119.0498 rounds down");
        assert_eq!(kib(121_908), "119.1 KiB", "119.0508 rounds up");
        assert_eq!(kib(BUDGET - 1), "120.0 KiB");
    }

    #[test]
    fn compresses_repetitive_input() {
        let s = measure(&[b'a'; 10_000]).unwrap();
        assert_eq!(s.raw, 10_000);
        assert!(s.gzip < 100 && s.brotli < 100);
    }
}
