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
    assert_eq!(checked, 13);
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

/// A pack as the app stored it before evidence kinds, conditions and source metadata existed
/// (two checklists of the 2026.11 pack, byte for byte): it still parses, and every checklist
/// still hashes to the content hash it was stored with, so inspections started on it keep
/// finding their exact version.
#[test]
fn a_pack_stored_before_evidence_kinds_still_parses_and_keeps_its_hashes() {
    let bytes = include_bytes!("fixtures/pack-2026-11.json");
    let pack = paicha_core::pack::ChecklistPack::from_json(bytes).expect("old pack parses");
    assert_eq!(pack.checklists.len(), 2);
    let retail = &pack.checklists[1].checklist;
    assert_eq!(retail.id, "fireworks-retail");
    // The old "photo_if_hazard" is a photo rule that a hazard must satisfy.
    let photo_items = retail
        .items()
        .filter(|i| i.evidence.photo_required())
        .count();
    assert!(photo_items > 0);
    // Re-serialised, every entry is byte-identical to what was stored.
    let stored: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    for (entry, raw) in pack
        .checklists
        .iter()
        .zip(stored["checklists"].as_array().unwrap())
    {
        let mut raw = raw.clone();
        let obj = raw.as_object_mut().unwrap();
        obj.remove("content_hash");
        obj.remove("search_key");
        assert_eq!(
            serde_json::to_value(&entry.checklist).unwrap(),
            raw,
            "{} re-serialises as stored",
            entry.checklist.id
        );
    }
}

#[test]
fn evidence_rules_read_both_spellings_and_demand_photos_only_where_allowed() {
    use paicha_core::checklist::{Evidence, EvidenceKind, PhotoRule};
    let read = |toml_value: &str| -> Evidence {
        let text = include_str!("fixtures/minimal.toml").replace(
            "verification = \"verbatim\"",
            &format!("verification = \"verbatim\"\nevidence = {toml_value}"),
        );
        Checklist::from_toml("x", &text).unwrap().sections[0].items[0]
            .evidence
            .clone()
    };
    assert!(read("\"photo_if_hazard\"").photo_required());
    assert_eq!(read("\"none\""), Evidence::default());
    let document =
        read("{ kind = \"document\", what = \"安全生产许可证\", photos = \"not_allowed\" }");
    assert_eq!(document.kind, EvidenceKind::Document);
    assert_eq!(document.photos, PhotoRule::NotAllowed);
    assert!(!document.photo_required());
    // The legacy spellings are written back as they were; new rules as a table.
    assert_eq!(
        serde_json::to_string(&read("{ kind = \"photo\" }")).unwrap(),
        "\"photo_if_hazard\""
    );
    assert_eq!(
        serde_json::to_string(&document).unwrap(),
        r#"{"kind":"document","what":"安全生产许可证","photos":"not_allowed"}"#
    );
    let measured = read("{ kind = \"measurement\", unit = \"m\" }");
    assert!(measured.mentions_measurement("防火间距实测 12.5 m，不足"));
    assert!(measured.mentions_measurement("间距8m"));
    assert!(!measured.mentions_measurement("防火间距不足"));
    assert!(!measured.mentions_measurement("约 3 处"));
    let percent = read("{ kind = \"measurement\", unit = \"%\" }");
    assert!(percent.mentions_measurement("甲烷浓度1.2%未停电"));
}

#[test]
fn conditions_with_questions_hide_items_and_scope_lines_stay_visible() {
    let text = include_str!("fixtures/minimal.toml").replace(
        "verification = \"verbatim\"",
        "verification = \"verbatim\"\nconditions = [\n  { zh = \"设有零售点\", en = \"Retail point\", question = \"retail_point\" },\n  { zh = \"生产期间\", en = \"During production\" },\n]",
    );
    let checklist = Checklist::from_toml("x", &text).unwrap();
    let item = &checklist.sections[0].items[0];
    assert_eq!(item.questions().collect::<Vec<_>>(), ["retail_point"]);
    assert_eq!(
        item.scope_lines()
            .map(|c| c.zh.as_str())
            .collect::<Vec<_>>(),
        ["生产期间"]
    );
    let none = Default::default();
    assert_eq!(checklist.applicable_items(&none).count(), 0);
    let yes = ["retail_point".to_string()].into_iter().collect();
    assert_eq!(checklist.applicable_items(&yes).count(), 2);
}

fn shipped_checklists() -> Vec<Checklist> {
    let mut out = Vec::new();
    for path in paicha_sheets_free_listing(shipped_dir(), "toml") {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        out.push(Checklist::from_toml(&name, &text).unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

fn shipped_register() -> paicha_core::documents::Register {
    let dir = shipped_dir().join("documents");
    let docs = paicha_sheets_free_listing(&dir, "toml")
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let doc = paicha_core::documents::Document::from_toml(&name, &text)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                format!("{}.toml", doc.key),
                name,
                "a document's key is its file name"
            );
            doc
        });
    paicha_core::documents::Register::new(docs)
}

/// `*.<ext>` files of a directory, sorted (the crates that list checklist directories depend on
/// this one, so the test lists them itself).
fn paicha_sheets_free_listing(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    found.sort();
    found
}

#[test]
fn shipped_checklists_agree_with_the_register_of_official_documents() {
    let register = shipped_register();
    assert!(register.documents.len() >= 10);
    let mut problems = Vec::new();
    for checklist in shipped_checklists() {
        problems.extend(paicha_core::documents::check(&checklist, &register));
        for p in checklist.publication_problems() {
            problems.push(paicha_core::documents::Disagreement {
                checklist: checklist.id.clone(),
                id: "-".into(),
                reason: p,
            });
        }
    }
    let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        listed.is_empty(),
        "{} problems:\n{}",
        listed.len(),
        listed.join("\n")
    );
}

/// The done-when of issue 20: every document whose text could be obtained is covered to at
/// least 95 % by major items; a document below names why.
#[test]
fn coverage_of_every_obtainable_document_is_at_least_95_percent() {
    use paicha_core::documents::TextAvailability;
    let register = shipped_register();
    let coverage = paicha_core::documents::coverage(&shipped_checklists(), &register);
    for c in &coverage {
        let doc = register.get(&c.key).unwrap();
        let below = c.percent().is_none_or(|p| p < 95.0);
        if doc.text == TextAvailability::Obtained
            && doc.status != paicha_core::checklist::SourceStatus::Superseded
        {
            assert!(
                !below,
                "{}: {:?} % covered, missing {:?}",
                c.key,
                c.percent(),
                c.missing
            );
        } else if below {
            assert!(
                doc.missing_reason.is_some()
                    || doc.status == paicha_core::checklist::SourceStatus::Superseded,
                "{} is below 95 % and names no reason",
                c.key
            );
        }
    }
}

mod register {
    use paicha_core::Checklist;
    use paicha_core::documents::{Document, Register, check, coverage};

    const DOC: &str = include_str!("fixtures/register/mine-rules.toml");
    const LIST: &str = include_str!("fixtures/register/mine.toml");

    fn register() -> Register {
        Register::new([Document::from_toml("mine-rules.toml", DOC).unwrap()])
    }

    fn problems(text: &str) -> Vec<String> {
        let checklist = Checklist::from_toml("mine.toml", text).unwrap();
        check(&checklist, &register())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_checklist_that_agrees_has_no_problems_and_full_coverage() {
        assert_eq!(problems(LIST), Vec::<String>::new());
        let checklist = Checklist::from_toml("mine.toml", LIST).unwrap();
        let c = &coverage(&[checklist], &register())[0];
        assert_eq!((c.official, c.covered.len()), (Some(2), 2));
        assert_eq!(c.percent(), Some(100.0));
    }

    /// UG-10 of the shipped underground checklist dropped 一（九）'s lead "水文地质类型为中等或者
    /// 复杂的矿井", so every mine was judged by it.
    #[test]
    fn a_major_item_without_its_condition_is_reported() {
        let text = LIST.replace(
            "conditions = [\n  { zh = \"水文地质类型为中等或者复杂的矿井\", en = \"Medium or complex hydrogeology\", question = \"hydro\" },\n]\n",
            "",
        );
        assert_ne!(text, LIST);
        assert_eq!(
            problems(&text),
            [
                "mine UG-09: 缺少 mine-rules 一（九） 的限定条件“水文地质类型为中等或者复杂的矿井”（作为适用性问题或适用范围写入 conditions） / lacks the condition of mine-rules 一（九）: 水文地质类型为中等或者复杂的矿井"
            ]
        );
        // A scope line (no question) carries the condition as well as a question does.
        let scope = LIST.replace(", question = \"hydro\" }", " }");
        assert_eq!(problems(&scope), Vec::<String>::new());
    }

    #[test]
    fn a_verbatim_item_that_differs_from_the_register_is_reported() {
        // CG-20 of the gas checklist compressed GB 45067 4.5 and still said "verbatim".
        let text = LIST.replace("矿井只有一个安全出口。", "矿井安全出口不足。");
        assert_eq!(
            problems(&text),
            [
                "mine UG-10: 标为原文，但与 mine-rules 一（十） 的条文不一致 / marked verbatim but differs from the text of mine-rules 一（十）"
            ]
        );
        // Punctuation width and the enumeration label do not count.
        let text = LIST.replace("矿井只有一个安全出口。", "（十）矿井只有一个安全出口.");
        assert_ne!(
            problems(&text),
            Vec::<String>::new(),
            "a different full stop is a different text"
        );
        let text = LIST.replace("矿井只有一个安全出口。", "(十)矿井只有一个安全出口。");
        assert_eq!(problems(&text), Vec::<String>::new());
    }

    #[test]
    fn a_major_item_naming_no_criterion_or_a_wrong_edition_is_reported() {
        let text = LIST.replace(
            "clause = \"一（十）\"",
            "clause = \"一（防治水相关项，条款待核实）\"",
        );
        assert_eq!(
            problems(&text),
            [
                "mine UG-10: 重大隐患判定项的条款 一（防治水相关项，条款待核实） 不是 mine-rules 的判定情形 / clause 一（防治水相关项，条款待核实） is not a criterion of mine-rules"
            ]
        );
        let text = LIST.replace("effective = \"2026-01-01\"", "effective = \"2025-01-01\"");
        let found = problems(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("mine rules: effective 与登记文件 mine-rules 不一致"),
            "{found:?}"
        );
        let text = LIST.replace("document = \"mine-rules\"", "document = \"nope\"");
        assert_eq!(
            problems(&text),
            ["mine rules: 依据指向不存在的登记文件 nope / names unknown register document nope"]
        );
    }

    #[test]
    fn coverage_names_the_missing_clauses() {
        let text = LIST.replace(
            "clause = \"一（九）\" }\nmajor = true",
            "clause = \"一（九）\" }\nmajor = false",
        );
        assert_ne!(text, LIST);
        let checklist = Checklist::from_toml("mine.toml", &text).unwrap();
        let c = &coverage(&[checklist], &register())[0];
        assert_eq!(
            c.missing,
            ["一（九）"],
            "a non-major item does not cover a criterion"
        );
        assert_eq!(c.percent(), Some(50.0));
    }
}
