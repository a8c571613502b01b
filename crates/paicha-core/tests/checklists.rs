//! Every shipped checklist validates; bad files fail with the expected `file:line: reason`.

use paicha_core::Checklist;
use std::path::Path;

fn shipped_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../checklists"))
}

#[test]
fn every_shipped_checklist_validates() {
    let mut count = 0;
    for entry in std::fs::read_dir(shipped_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy();
            let checklist = Checklist::from_toml(&name, &text).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                checklist.items().count() >= 15,
                "{name}: fewer than 15 items"
            );
            count += 1;
        }
    }
    assert!(
        count >= 1,
        "no checklist found in {}",
        shipped_dir().display()
    );
}

#[test]
fn fireworks_checklist_carries_all_twenty_major_criteria_verbatim() {
    let text = std::fs::read_to_string(shipped_dir().join("fireworks.toml")).unwrap();
    let checklist = Checklist::from_toml("fireworks.toml", &text).unwrap();
    let major: Vec<_> = checklist.items().filter(|i| i.major).collect();
    assert_eq!(major.len(), 20);
    assert!(
        major
            .iter()
            .all(|i| i.verification == paicha_core::checklist::Verification::Verbatim)
    );
    assert!(major.iter().all(|i| i.basis.source == "121-fw"));
    // The paraphrased general items must stay marked as paraphrases.
    let paraphrased = checklist
        .items()
        .filter(|i| i.verification == paicha_core::checklist::Verification::Paraphrase)
        .count();
    assert_eq!(paraphrased, 2);
}

#[test]
fn bad_fixtures_fail_with_file_and_line() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad"));
    let expected = std::fs::read_to_string(dir.join("EXPECTED")).unwrap();
    let mut checked = 0;
    for line in expected.lines().filter(|l| !l.is_empty()) {
        let file = line.split(':').next().unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let err = Checklist::from_toml(file, &text)
            .expect_err(file)
            .to_string();
        assert!(
            err.starts_with(line),
            "{file}\n  expected: {line}\n  got:      {err}"
        );
        checked += 1;
    }
    assert_eq!(checked, 7);
}

#[test]
fn applicability_hides_items_until_the_question_is_answered_yes() {
    let text = include_str!("fixtures/minimal.toml");
    let checklist = Checklist::from_toml("minimal.toml", text).unwrap();
    let none = Default::default();
    let ids: Vec<_> = checklist
        .applicable_items(&none)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids, ["A-01"]);
    let yes = ["retail_point".to_string()].into_iter().collect();
    assert_eq!(checklist.applicable_items(&yes).count(), 2);
}

/// Pinned so that the wasm32 test (tests/wasm.rs) proves both targets compute the same hash.
pub const MINIMAL_HASH: &str = include_str!("fixtures/minimal.sha256");

#[test]
fn content_hash_is_pinned_and_sensitive_to_content() {
    let text = include_str!("fixtures/minimal.toml");
    let checklist = Checklist::from_toml("minimal.toml", text).unwrap();
    assert_eq!(checklist.content_hash().0, MINIMAL_HASH.trim());
    // Comments and formatting do not change the hash; content does.
    let reformatted = format!(
        "# another comment\n{}",
        text.replace("major = true", "major   =   true")
    );
    assert_eq!(
        Checklist::from_toml("x", &reformatted)
            .unwrap()
            .content_hash(),
        checklist.content_hash()
    );
    let changed = text.replace("防静电设施缺失。", "防静电设施缺失或失效。");
    assert_ne!(
        Checklist::from_toml("x", &changed).unwrap().content_hash(),
        checklist.content_hash()
    );
}
