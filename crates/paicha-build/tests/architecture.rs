//! The workspace's architecture (issue 15): no import cycle between the source files of any
//! crate, and the app in layers that import only downward. The rules and how to read a
//! failure: docs/build-and-test.md, "Architecture test".

use std::sync::OnceLock;

use paicha_build::architecture::{APP_SRC, CrateReport, check_workspace};
use paicha_build::workspace_root;

/// The workspace's reports, read once for all the tests here.
fn reports() -> &'static [CrateReport] {
    static REPORTS: OnceLock<Vec<CrateReport>> = OnceLock::new();
    REPORTS.get_or_init(|| {
        check_workspace(&workspace_root()).expect("reading the workspace's sources")
    })
}

/// Fails listing every problem of the crate at once.
fn assert_passes(src: &str) {
    let report = reports()
        .iter()
        .find(|report| report.src == src)
        .unwrap_or_else(|| panic!("no crate with its sources in {src}"));
    assert!(
        report.problems.is_empty(),
        "{} architecture problem(s) in {src}:\n{}\n",
        report.problems.len(),
        report.problems.join("\n")
    );
}

#[test]
fn every_crate_of_the_workspace_is_found() {
    let found: Vec<&str> = reports().iter().map(|report| report.src.as_str()).collect();
    for src in [
        APP_SRC,
        "crates/paicha-build/src",
        "crates/paicha-core/src",
        "crates/paicha-ledger/src",
        "crates/paicha-load/src",
        "crates/paicha-sheets/src",
    ] {
        assert!(found.contains(&src), "{src} was not read: {found:?}");
    }
}

#[test]
fn the_app_is_in_layers_importing_only_downward_without_cycles() {
    assert_passes(APP_SRC);
}

/// Every crate found, so a new one is checked without a line here.
#[test]
fn no_crate_has_an_import_cycle() {
    let problems: Vec<String> = reports()
        .iter()
        .filter(|report| !report.problems.is_empty())
        .map(|report| format!("{}:\n{}", report.src, report.problems.join("\n")))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
