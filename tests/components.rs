//! Component and browser-API tests, run in headless Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]

use chrono::Utc;
use leptos::prelude::*;
use paicha::model::catalog::Catalog;
use paicha::model::context::AppContext;
use paicha::model::summary::{self, Summary};
use paicha::model::{Model, persist};
use paicha::platform::device_key::DeviceKey;
use paicha::platform::storage::{self, Db};
use paicha::screens::new_inspection::NewInspection;
use paicha_core::bundle::{BundlePayload, ChainState, DeviceInfo, PAYLOAD_TYPE};
use paicha_core::dsse::{Envelope, pae};
use paicha_core::verify::{EmbeddedKey, verify_bundle};
use paicha_core::{CreditCode, Inspection, Inspector, Site, Verdict};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fireworks() -> paicha_core::Checklist {
    paicha_core::Checklist::from_toml(
        "fireworks.toml",
        include_str!("../checklists/fireworks.toml"),
    )
    .unwrap()
}

/// Lets queued effects and promise callbacks run.
async fn settle() {
    for _ in 0..5 {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    }
}

/// Installs the persistence Effect as the app does, with the first screen's summary.
fn persisted(model: RwSignal<Model>, db: Db) -> ReadSignal<persist::SaveState> {
    let state = RwSignal::new(persist::SaveState::Saved);
    let summary = persist::SummarySync {
        device_key: RwSignal::new_local(None),
        shown: RwSignal::new(None),
        stored: None,
    };
    persist::sync_to_storage(model, db, state, summary);
    state.read_only()
}

fn unique_db_name(test: &str) -> String {
    format!("paicha-test-{test}-{}", js_sys::Math::random())
}

#[wasm_bindgen_test]
async fn device_key_is_non_extractable_persistent_and_verifies_with_an_independent_ed25519() {
    let db = Db::open_named(&unique_db_name("key")).await.unwrap();
    let key = DeviceKey::load_or_create(&db).await.unwrap();
    assert!(!key.private_key_is_extractable());
    let again = DeviceKey::load_or_create(&db).await.unwrap();
    assert_eq!(key.key_id, again.key_id, "the stored key must be reused");
    assert_eq!(
        key.key_id,
        paicha_core::KeyId::from_public_key(&key.public_raw),
        "the key id is the one paicha-core computes for bundles"
    );

    // WebCrypto signs; ed25519-dalek (inside paicha-core) verifies.
    let checklist = &fireworks();
    let item = checklist.items().next().unwrap().id.clone();
    let inspector = Inspector::new("张三", "44010012345").unwrap();
    let site = Site::new("某烟花厂", CreditCode::parse("91440300708461136T").unwrap()).unwrap();
    let mut inspection = Inspection::start(
        uuid::Uuid::from_u128(1),
        site,
        checklist,
        inspector.clone(),
        Utc::now(),
    );
    inspection
        .answer(
            checklist,
            &item,
            Verdict::MajorHazard,
            "药量超标",
            Utc::now(),
        )
        .unwrap();
    inspection.seal(checklist, Utc::now()).unwrap();
    let payload = BundlePayload::new(
        uuid::Uuid::from_u128(2),
        Utc::now(),
        "test",
        DeviceInfo::from_public_key(&key.public_raw),
        &ChainState::default(),
        inspector,
        vec![inspection],
    )
    .unwrap()
    .to_bytes();
    let signature = key.sign(&pae(PAYLOAD_TYPE, &payload)).await.unwrap();
    let envelope = Envelope::new(PAYLOAD_TYPE, &payload, &key.key_id, &signature);
    let verified = verify_bundle(envelope.to_json().as_bytes(), &EmbeddedKey).unwrap();
    assert_eq!(verified.key_id, key.key_id);

    let mut tampered = payload.clone();
    let last = tampered.len() - 2;
    tampered[last] ^= 1;
    let forged = Envelope::new(PAYLOAD_TYPE, &tampered, &key.key_id, &signature);
    assert!(verify_bundle(forged.to_json().as_bytes(), &EmbeddedKey).is_err());
}

#[wasm_bindgen_test]
async fn storage_round_trips_and_writes_several_records_atomically() {
    let db = Db::open_named(&unique_db_name("store")).await.unwrap();
    assert_eq!(db.get(storage::KV, "missing").await.unwrap(), None);
    db.put_all(&[
        (storage::KV, "a", storage::to_js(&1u32)),
        (storage::INSPECTIONS, "b", storage::to_js(&"two")),
    ])
    .await
    .unwrap();
    let a: u32 = storage::from_js(&db.get(storage::KV, "a").await.unwrap().unwrap()).unwrap();
    let b: String =
        storage::from_js(&db.get(storage::INSPECTIONS, "b").await.unwrap().unwrap()).unwrap();
    assert_eq!((a, b.as_str()), (1, "two"));
    // A write to a store that does not exist fails as a whole and reports an error.
    let err = db
        .put_all(&[
            (storage::KV, "a", storage::to_js(&9u32)),
            ("no-such-store", "x", storage::to_js(&0u32)),
        ])
        .await;
    assert!(err.is_err());
    let a: u32 = storage::from_js(&db.get(storage::KV, "a").await.unwrap().unwrap()).unwrap();
    assert_eq!(a, 1, "a failed transaction must not change stored data");
    // A batch whose second record fails after the first was queued (a value IndexedDB cannot
    // clone) is undone as a whole: the first write must not commit on its own.
    let uncloneable: wasm_bindgen::JsValue = js_sys::Function::new_no_args("").into();
    let err = db
        .put_all(&[
            (storage::KV, "a", storage::to_js(&9u32)),
            (storage::KV, "c", uncloneable),
        ])
        .await;
    assert!(err.is_err(), "the clone error is reported");
    let a: u32 = storage::from_js(&db.get(storage::KV, "a").await.unwrap().unwrap()).unwrap();
    assert_eq!(
        a, 1,
        "the record queued before the failing one must not be stored"
    );
    assert_eq!(db.get(storage::KV, "c").await.unwrap(), None);
}

fn input(root: &web_sys::Element, selector: &str) -> web_sys::HtmlInputElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap()
        .unchecked_into()
}

fn type_into(field: &web_sys::HtmlInputElement, text: &str) {
    field.set_value(text);
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn new_inspection_form_shows_a_credit_code_error_next_to_the_field_and_keeps_the_text() {
    // mount_to_body does this in the app; a test mounts by hand.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let db = Db::open_named(&unique_db_name("form")).await.unwrap();
    let mut model = Model::default();
    model.set_profile(Inspector::new("张三", "A1").unwrap());
    let model = RwSignal::new(model);
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let context = AppContext {
        model,
        db: StoredValue::new_local(db.clone()),
        device_key: RwSignal::new_local(None),
        save_state: persisted(model, db),
        catalog: RwSignal::new(Catalog::from_checklists(vec![fireworks()])),
    };
    let handle = leptos::mount::mount_to(root.clone().unchecked_into(), move || {
        context.provide();
        view! { <NewInspection site=None /> }
    });
    settle().await;

    type_into(&input(&root, "#site-name"), "某烟花爆竹有限公司");
    type_into(&input(&root, "#site-code"), "91440300708461136X");
    let form: web_sys::HtmlFormElement = root
        .query_selector("form")
        .unwrap()
        .unwrap()
        .unchecked_into();
    form.request_submit().unwrap();
    settle().await;

    let error = root.query_selector("#site-code-error").unwrap().unwrap();
    assert!(!error.has_attribute("hidden"));
    assert!(
        error.text_content().unwrap().contains("校验码"),
        "{:?}",
        error.text_content()
    );
    assert_eq!(
        input(&root, "#site-code")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        input(&root, "#site-code").value(),
        "91440300708461136X",
        "typed text must be kept"
    );
    assert!(
        model.with_untracked(|m| m.inspections.is_empty()),
        "no inspection may start"
    );

    assert!(
        !root
            .query_selector("#start-error")
            .unwrap()
            .unwrap()
            .has_attribute("hidden"),
        "no checklist chosen yet"
    );
    let radio = input(&root, "input[name=checklist]");
    radio.set_checked(true);
    radio
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    type_into(&input(&root, "#site-code"), "91440300708461136T");
    form.request_submit().unwrap();
    settle().await;
    assert_eq!(model.with_untracked(|m| m.inspections.len()), 1);
    drop(handle);
}

/// The `[role=alert]` elements under `root` that are shown, with their text.
fn alerts_shown(root: &web_sys::Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.get(i))
        .map(|n| n.unchecked_into::<web_sys::Element>())
        .filter(|e| !e.has_attribute("hidden"))
        .map(|e| e.text_content().unwrap_or_default().trim().to_string())
        .collect()
}

#[wasm_bindgen_test]
async fn a_refused_review_change_and_photo_removal_are_named_on_the_card() {
    use paicha::screens::inspection::reviews::ReviewList;
    use paicha_core::InspectionKind;
    use paicha_core::finding::RectificationOrder;
    use paicha_core::reinspection::HazardRef;
    use uuid::Uuid;

    let _ = any_spawner::Executor::init_wasm_bindgen();
    let checklist = fireworks();
    let db = Db::open_named(&unique_db_name("review")).await.unwrap();
    let mut model = Model::default();
    model.set_profile(Inspector::new("张三", "A1").unwrap());
    // A sealed inspection with one open hazard, and its re-inspection with a photo attached.
    let site = Site::new(
        "复查测试厂",
        CreditCode::parse("91440300708461136T").unwrap(),
    )
    .unwrap();
    let code = site.credit_code.clone();
    let started = Utc::now() - chrono::Duration::days(10);
    let original = Uuid::from_u128(1);
    model
        .start_inspection(original, site, &checklist, started)
        .unwrap();
    model
        .set_team(
            original,
            InspectionKind::Routine,
            vec![Inspector::new("李四", "A2").unwrap()],
        )
        .unwrap();
    model
        .answer(
            original,
            &checklist,
            "FW-02",
            Verdict::GeneralHazard,
            "问题",
            started,
        )
        .unwrap();
    let order = RectificationOrder {
        measures: "整改".into(),
        responsible: "厂长".into(),
        deadline: "2099-12-31".into(),
        funds_yuan: String::new(),
    };
    model
        .set_order(original, "FW-02", "仓库", order, None)
        .unwrap();
    let photo = paicha_core::sha256_hex(b"photo");
    model.attach_photo(original, "FW-02", &photo).unwrap();
    model.seal(original, &checklist, started).unwrap();
    let re = Uuid::from_u128(2);
    let today = chrono::Local::now().date_naive();
    model
        .start_reinspection(re, &code, None, &|_| Some(&checklist), today, Utc::now())
        .unwrap();
    let hazard = HazardRef {
        inspection_id: original,
        item_id: "FW-02".into(),
    };
    model.attach_review_photo(re, &hazard, &photo).unwrap();
    let model = RwSignal::new(model);

    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let context = AppContext {
        model,
        db: StoredValue::new_local(db.clone()),
        device_key: RwSignal::new_local(None),
        save_state: persisted(model, db),
        catalog: RwSignal::new(Catalog::from_checklists(vec![fireworks()])),
    };
    let handle = leptos::mount::mount_to(root.clone().unchecked_into(), move || {
        context.provide();
        view! { <ReviewList id=re /> }
    });
    settle().await;
    let card = root
        .query_selector("#card-review-00000000-FW-02")
        .unwrap()
        .expect("the review's card");
    assert!(alerts_shown(&card, "[role=alert]").is_empty());

    // Sealed meanwhile (e.g. restored from a backup): every change is refused, and said so.
    model.update(|m| m.inspections.get_mut(&re).unwrap().sealed_at = Some(Utc::now()));
    settle().await;
    let rectified = input(&card, "input[type=radio]");
    rectified.set_checked(true);
    rectified
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    assert_eq!(
        alerts_shown(&card, ":scope > [role=alert]"),
        ["检查已签章封存，不能修改"],
        "the refusal, in the current language, next to the controls"
    );
    let remove: web_sys::HtmlElement = card
        .query_selector(".thumbnails button")
        .unwrap()
        .expect("the photo's remove button")
        .unchecked_into();
    remove.click();
    settle().await;
    assert_eq!(
        alerts_shown(&card, ".photos [role=alert]"),
        ["检查已签章封存，不能修改"]
    );
    assert_eq!(
        model.with_untracked(|m| m.inspections[&re].reviews[0].photos.clone()),
        [photo],
        "nothing changed"
    );
    drop(handle);
}

#[wasm_bindgen_test]
async fn envelopes_stored_inside_bundle_records_move_to_their_own_store_on_load() {
    let db = Db::open_named(&unique_db_name("envelopes")).await.unwrap();
    let id = uuid::Uuid::from_u128(7);
    let key = id.to_string();
    let envelope = r#"{"payload":"eyJ4IjoxfQ","payloadType":"application/vnd.paicha.bundle+json","signatures":[]}"#;
    // A record as stored before v6 (or restored from an older backup): the envelope inside.
    let legacy = serde_json::json!({
        "bundle_id": id,
        "sequence": 1,
        "file_name": "paicha-x-20261101-000001.json",
        "envelope_json": envelope,
        "inspection_ids": [],
        "created_at": "2026-11-01T00:00:00Z",
        "upload": {"state": "pending"},
    });
    db.put(storage::BUNDLES, &key, storage::to_js(&legacy))
        .await
        .unwrap();

    let model = persist::load_from(&db, &db.read(&persist::READS).await.unwrap())
        .await
        .unwrap();
    let bundle = &model.bundles[0];
    assert_eq!(bundle.envelope_json, None, "the model no longer holds it");
    assert_eq!(persist::envelope(&db, bundle).await.unwrap(), envelope);
    let record: serde_json::Value =
        storage::from_js(&db.get(storage::BUNDLES, &key).await.unwrap().unwrap()).unwrap();
    assert_eq!(record["file_name"], "paicha-x-20261101-000001.json");
    assert!(
        record.get("envelope_json").is_none(),
        "the record no longer holds it"
    );
    let moved = db.get(storage::ENVELOPES, &key).await.unwrap().unwrap();
    assert_eq!(
        moved.as_string().as_deref(),
        Some(envelope),
        "byte for byte"
    );

    // The next start finds everything in place and changes nothing.
    let again = persist::load_from(&db, &db.read(&persist::READS).await.unwrap())
        .await
        .unwrap();
    assert_eq!(again.bundles, model.bundles);
    assert_eq!(
        persist::envelope(&db, &again.bundles[0]).await.unwrap(),
        envelope
    );
}

#[wasm_bindgen_test]
async fn the_first_screens_summary_is_written_with_the_records_and_reads_back_without_serde() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let db = Db::open_named(&unique_db_name("summary")).await.unwrap();
    let owner = Owner::new();
    owner.set();
    let mut model = Model::default();
    model.set_profile(
        Inspector::new("张三", "A1")
            .unwrap()
            .with_unit("某县应急管理局", "某镇"),
    );
    let site = Site::new(
        "某\"烟花\"厂",
        CreditCode::parse("91440300708461136T").unwrap(),
    )
    .unwrap();
    let id = model
        .start_inspection(uuid::Uuid::from_u128(11), site, &fireworks(), Utc::now())
        .unwrap();
    let model = RwSignal::new(model);
    let state = RwSignal::new(persist::SaveState::Saved);
    let shown = RwSignal::new(None);
    let summary = persist::SummarySync {
        device_key: RwSignal::new_local(None),
        shown,
        stored: None,
    };
    persist::sync_to_storage(model, db.clone(), state, summary);
    settle().await;
    assert_eq!(state.get_untracked(), persist::SaveState::Saved);

    let stored = db.get(storage::KV, summary::KEY).await.unwrap().unwrap();
    let read = summary::read(&stored).expect("the stored summary reads back");
    let expected = model.with_untracked(|m| Summary::of(m, None));
    assert_eq!(
        read, expected,
        "what serde wrote is what the first screen reads"
    );
    assert_eq!(read.inspections[0].id, id.to_string());
    assert_eq!(read.inspections[0].site, "某\"烟花\"厂");
    assert_eq!(
        read.profile.as_ref().unwrap().organisation,
        "某县应急管理局"
    );

    // A change of what home shows is written in the same batch as the record itself.
    model.update(|m| {
        m.set_profile(
            Inspector::new("李四", "B2")
                .unwrap()
                .with_unit("某局", "某乡"),
        )
    });
    settle().await;
    let stored = db.get(storage::KV, summary::KEY).await.unwrap().unwrap();
    assert_eq!(
        summary::read(&stored).unwrap().profile.unwrap().name,
        "李四"
    );

    // A hazard in the open inspection: nothing home shows changes, and the summary written
    // still matches the model.
    model.update(|m| {
        m.answer(
            id,
            &fireworks(),
            "FW-01",
            Verdict::GeneralHazard,
            "问题",
            Utc::now(),
        )
        .unwrap()
    });
    settle().await;
    let stored = db.get(storage::KV, summary::KEY).await.unwrap().unwrap();
    assert_eq!(
        summary::read(&stored),
        Some(model.with_untracked(|m| Summary::of(m, None)))
    );

    // Anything else is not a summary: the first screen then waits for the model.
    for text in ["", "{", "null", r#"{"v":2}"#, r#"{"v":1,"profile":null}"#] {
        assert_eq!(summary::read(&text.into()), None, "{text}");
    }
    assert_eq!(summary::read(&wasm_bindgen::JsValue::UNDEFINED), None);
    owner.cleanup();
}
