//! The workspace's architecture check (issue 15), run by `tests/architecture.rs`: no crate
//! has an import cycle between its source files, and the app (`src/`) is in layers that
//! import only downward (`layers.rs`).
//!
//! What counts as an import follows the cycle hook `shared/hooks/cycles.py` (`graph.rs`),
//! read more closely, as Rust tokens (`scan.rs`): paths in comments and literals and in
//! `#[cfg(test)]` items do not count, nested `use` groups and inline modules do.

mod cycles;
mod graph;
mod layers;
mod scan;

use std::path::{Path, PathBuf};

use anyhow::Result;

/// The app's sources, relative to the workspace root: the only crate held to the layers.
pub const APP_SRC: &str = "src";

/// Directories that hold no crate of the workspace's own.
const NOT_SOURCES: &[&str] = &["target", "node_modules", "fuzz"];

/// What the check found in one crate.
pub struct CrateReport {
    /// Its sources' directory, relative to the workspace root (`crates/paicha-core/src`).
    pub src: String,
    /// One text a problem (a cycle's takes several lines); empty when the crate passes.
    pub problems: Vec<String>,
}

/// Every crate under `root` (each `src/` directory holding a `lib.rs` or `main.rs`, outside
/// [`NOT_SOURCES`] and hidden directories), in path order.
pub fn check_workspace(root: &Path) -> Result<Vec<CrateReport>> {
    crate_sources(root)?
        .iter()
        .map(|src| check_crate(root, src))
        .collect()
}

fn crate_sources(root: &Path) -> Result<Vec<PathBuf>> {
    let mut sources: Vec<PathBuf> = crate::files::walk_skipping(root, NOT_SOURCES)?
        .into_iter()
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n == "lib.rs" || n == "main.rs")
                && path.parent().and_then(Path::file_name) == Some("src".as_ref())
        })
        .filter_map(|path| Some(path.parent()?.strip_prefix(root).ok()?.to_path_buf()))
        .collect();
    sources.sort();
    sources.dedup();
    Ok(sources)
}

fn check_crate(root: &Path, src: &Path) -> Result<CrateReport> {
    let krate = graph::read_crate(root, src)?;
    let src = crate::files::url_path(src);
    let mut problems = if src == APP_SRC {
        layers::layer_violations(&krate, &src)
    } else {
        Vec::new()
    };
    problems.extend(cycles::cycle_reports(&krate));
    Ok(CrateReport { src, problems })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The problems found in a workspace of `files` (path, contents), by crate.
    fn problems(files: &[(&str, &str)]) -> Vec<(String, Vec<String>)> {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        check_workspace(dir.path())
            .unwrap()
            .into_iter()
            .map(|report| (report.src, report.problems))
            .collect()
    }

    /// The problems found in an app of `files` under `src/`.
    fn app_problems(files: &[(&str, &str)]) -> Vec<String> {
        let files: Vec<(String, &str)> = files
            .iter()
            .map(|(path, text)| (format!("src/{path}"), *text))
            .collect();
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        let mut found = problems(&files);
        assert_eq!(found.len(), 1, "one crate");
        let (src, problems) = found.remove(0);
        assert_eq!(src, "src");
        problems
    }

    /// An app with one module in each layer, each importing the one below it.
    const LAYERED: &[(&str, &str)] = &[
        ("lib.rs", "mod screens; use crate::screens::home::Home;"),
        ("main.rs", "fn main() { paicha::start() }"),
        ("screens/mod.rs", "pub mod home;"),
        ("screens/home.rs", "use crate::widgets::field;"),
        ("widgets.rs", "use crate::services::upload::Outbox;"),
        ("services/mod.rs", "pub mod upload;"),
        ("services/upload.rs", "use crate::model::Model;"),
        ("model.rs", "use crate::platform::clock::now;"),
        ("platform/mod.rs", "pub mod clock; pub mod db;"),
        ("platform/clock.rs", "pub fn now() {}"),
        ("platform/db.rs", ""),
    ];

    /// [`LAYERED`] with `extra` files added or replacing its own.
    fn with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        LAYERED.iter().chain(extra).copied().collect()
    }

    #[test]
    fn downward_and_same_layer_imports_pass() {
        assert_eq!(app_problems(LAYERED), Vec::<String>::new());
        let problems = app_problems(&with(&[
            (
                "screens/sites.rs",
                "use crate::screens::home; use super::home::Home;",
            ),
            (
                "widgets/team.rs",
                "use crate::{model::Team, platform::{clock::now, self as p}};",
            ),
            ("lib.rs", "use crate::{platform::clock::now, widgets};"),
        ]));
        assert_eq!(problems, Vec::<String>::new());
    }

    #[test]
    fn the_layered_app_is_read_as_importing_downward() {
        // Guards the passing tests above against an app whose imports are not seen at all.
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in LAYERED {
            let path = dir.path().join("src").join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let krate = graph::read_crate(dir.path(), Path::new("src")).unwrap();
        let edges: Vec<String> = krate
            .imports
            .iter()
            .map(|i| format!("{} -> {}", krate.files[&i.from], krate.files[&i.to]))
            .collect();
        assert_eq!(
            edges,
            [
                "src/lib.rs -> src/screens/home.rs",
                "src/model.rs -> src/platform/clock.rs",
                "src/screens/home.rs -> src/widgets.rs",
                "src/services/upload.rs -> src/model.rs",
                "src/widgets.rs -> src/services/upload.rs",
            ]
        );
    }

    #[test]
    fn an_upward_import_is_reported() {
        let problems = app_problems(&with(&[
            ("screens/sites.rs", ""),
            (
                "model.rs",
                "use crate::platform::clock::now;\nfn f() { crate::screens::sites::go() }",
            ),
        ]));
        assert_eq!(
            problems,
            ["src/model.rs imports crate::screens::sites::go (model may not import screens)"]
        );
    }

    #[test]
    fn an_upward_import_in_a_use_group_is_reported() {
        let problems = app_problems(&with(&[
            ("services/backup.rs", ""),
            (
                "platform/clock.rs",
                "use crate::{\n    platform::db,\n    services::{backup::{self, Backup as B}},\n};",
            ),
        ]));
        let expected = |path: &str| {
            format!("src/platform/clock.rs imports {path} (platform may not import services)")
        };
        assert_eq!(
            problems,
            // The group's prefix names services/mod.rs, each file a line.
            [
                expected("crate::services"),
                expected("crate::services::backup")
            ]
        );
    }

    #[test]
    fn importing_the_crate_root_from_a_layer_is_reported() {
        let problems = app_problems(&with(&[("widgets.rs", "use crate::AppContext;")]));
        assert_eq!(
            problems,
            [
                "src/widgets.rs imports crate::AppContext (widgets may not import the crate root)",
                // The root imports the screens, which import the widgets: hence the rule.
                "import cycle: src/lib.rs, src/screens/home.rs, src/widgets.rs\n    \
                 src/lib.rs imports crate::screens::home::Home\n    \
                 src/screens/home.rs imports crate::widgets::field\n    \
                 src/widgets.rs imports crate::AppContext",
            ]
        );
    }

    #[test]
    fn a_module_outside_the_layers_is_reported() {
        let problems = app_problems(&with(&[
            ("route.rs", ""),
            ("helpers/mod.rs", "mod x;"),
            ("helpers/x.rs", ""),
            ("loose/y.rs", ""),
        ]));
        let place = "place it in a layer (screens, widgets, services, model, platform)";
        assert_eq!(
            problems,
            [
                format!("src/helpers/mod.rs is outside the layers: {place}"),
                format!("src/loose/ is outside the layers: {place}"),
                format!("src/route.rs is outside the layers: {place}"),
            ]
        );
    }

    #[test]
    fn paths_in_comments_and_strings_are_not_imports() {
        let model = r####"
            //! See [`crate::screens::home`].
            use crate::platform::clock::now;
            /// Drawn by crate::screens::home.
            /* crate::screens::home */
            const A: &str = "crate::screens::home";
            const B: &str = r#"crate::screens::home"#;
        "####;
        assert_eq!(
            app_problems(&with(&[("model.rs", model)])),
            Vec::<String>::new()
        );
    }

    #[test]
    fn test_only_imports_are_not_imports() {
        let model = "use crate::platform::clock::now;\n\
                     #[cfg(test)]\nmod tests {\n    use crate::screens::home::Home;\n}\n\
                     #[cfg(test)]\nuse crate::widgets::Fixture;\n\
                     #[cfg(test)]\nmod fixtures;";
        let problems = app_problems(&with(&[
            ("model.rs", model),
            ("model/fixtures.rs", "use crate::screens::home::Home;"),
        ]));
        assert_eq!(problems, Vec::<String>::new());
        let after_tests = format!("{model}\nfn f() {{ crate::screens::sites::go() }}");
        assert_eq!(
            app_problems(&with(&[
                ("model.rs", &after_tests),
                ("screens/sites.rs", "")
            ])),
            ["src/model.rs imports crate::screens::sites::go (model may not import screens)"],
            "code after a test module still counts"
        );
    }

    #[test]
    fn a_two_file_cycle_is_reported_with_its_files_and_imports() {
        let found = problems(&[
            ("tool/src/main.rs", "mod a; mod b;"),
            ("tool/src/a.rs", "use crate::b::B;"),
            ("tool/src/b.rs", "pub fn f() { crate::a::g() }"),
        ]);
        assert_eq!(
            found,
            [(
                "tool/src".to_string(),
                vec![
                    "import cycle: tool/src/a.rs, tool/src/b.rs\n    \
                     tool/src/a.rs imports crate::b::B\n    \
                     tool/src/b.rs imports crate::a::g"
                        .to_string()
                ]
            )]
        );
    }

    #[test]
    fn a_cycle_through_super_is_reported() {
        let found = problems(&[
            ("crates/net/src/lib.rs", "mod wire; mod frame;"),
            (
                "crates/net/src/wire/mod.rs",
                "mod codec; use crate::frame::Frame;",
            ),
            (
                "crates/net/src/wire/codec.rs",
                "use super::super::frame::Header;",
            ),
            ("crates/net/src/frame.rs", "use crate::wire::codec::encode;"),
        ]);
        let (src, problems) = &found[0];
        assert_eq!(src, "crates/net/src");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with(
                "import cycle: crates/net/src/frame.rs, crates/net/src/wire/codec.rs\n"
            ),
            "{}",
            problems[0]
        );
        assert!(problems[0].contains("codec.rs imports super::super::frame::Header"));
    }

    #[test]
    fn every_crate_is_found_but_none_in_target_node_modules_or_fuzz() {
        let found = problems(&[
            ("src/lib.rs", ""),
            ("src/main.rs", ""),
            ("crates/a/src/main.rs", ""),
            ("crates/a/src/bin/extra.rs", "use crate::x::Y;"),
            ("crates/a/fuzz/src/lib.rs", ""),
            ("target/debug/build/x/src/lib.rs", ""),
            ("node_modules/p/src/lib.rs", ""),
            (".hidden/src/lib.rs", ""),
        ]);
        let sources: Vec<&str> = found.iter().map(|(src, _)| src.as_str()).collect();
        assert_eq!(sources, ["crates/a/src", "src"]);
    }
}
