//! Signed checklist packs in the app (docs/checklist-packs.md), in headless Chromium: the app
//! verifies with WebCrypto before installing, refuses a tampered or an unsigned pack with a
//! visible reason and keeps the installed one, and trusts a rotated key only through a key
//! statement signed by a key it trusts. The app here embeds the development trust root.
#![cfg(target_arch = "wasm32")]

use chrono::{TimeZone, Utc};
use leptos::prelude::*;
use paicha::model::catalog::{Catalog, trust_root};
use paicha::model::context::AppContext;
use paicha::model::{Model, persist};
use paicha::platform::storage::Db;
use paicha::screens::new_inspection::NewInspection;
use paicha::services::checklists::{Offer, PackSource, offer};
use paicha_core::Checklist;
use paicha_core::pack::ChecklistPack;
use paicha_core::signed_pack::{KeyFile, KeyList, SignedPackFile, sign_key_statement, sign_pack};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn dev_key() -> KeyFile {
    KeyFile::from_json(include_bytes!("../checklists/keys/development.key.json")).unwrap()
}

fn checklist(name: &str, text: &str) -> Checklist {
    Checklist::from_toml(name, text).unwrap()
}

/// A pack of the fireworks checklist (and the minimal one on `day` ≥ 9, so that contents
/// differ), issued on 2026-12-`day`.
fn pack(day: u32) -> ChecklistPack {
    let mut lists = vec![checklist(
        "fireworks.toml",
        include_str!("../checklists/fireworks.toml"),
    )];
    if day >= 9 {
        lists.push(checklist(
            "minimal.toml",
            include_str!("../crates/paicha-core/tests/fixtures/minimal.toml"),
        ));
    }
    ChecklistPack::new(lists, |_| String::new()).issued(
        "测试发布机关",
        Utc.with_ymd_and_hms(2026, 12, day, 0, 0, 0).unwrap(),
    )
}

fn file(pack: &ChecklistPack, key: &KeyFile, statements: Vec<paicha_core::Envelope>) -> Vec<u8> {
    SignedPackFile {
        envelope: sign_pack(pack, &key.signing_key()),
        key_statements: statements,
    }
    .to_json()
}

/// The catalog as a reload finds it in IndexedDB.
async fn reloaded(db: &Db) -> Catalog {
    Catalog::from_values(&db.read(&Catalog::READS).await.unwrap()).unwrap()
}

async fn fresh_db(test: &str) -> Db {
    Db::open_named(&format!(
        "paicha-test-packs-{test}-{}",
        js_sys::Math::random()
    ))
    .await
    .unwrap()
}

fn installed(offered: Offer) -> Catalog {
    match offered {
        Offer::Installed(catalog) => catalog,
        other => panic!("not installed: {other:?}"),
    }
}

fn refused(offered: Offer) -> String {
    match offered {
        Offer::Refused(reason) => reason,
        other => panic!("not refused: {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_tampered_or_unsigned_pack_is_refused_and_the_installed_one_stays() {
    let db = fresh_db("refuse").await;
    assert_eq!(
        trust_root().keys[0].key_id,
        dev_key().key_id,
        "built with the development root"
    );
    let good = file(&pack(7), &dev_key(), vec![]);
    let catalog = installed(offer(&db, &Catalog::default(), PackSource::Ledger, &good).await);
    let installed_hash = catalog.installed().unwrap().payload_sha256.clone();
    assert_eq!(catalog.current().len(), 1);

    // One signed character changed (the issuer), the signature kept.
    let mut f: SignedPackFile = serde_json::from_slice(&good).unwrap();
    let payload = paicha_core::dsse::b64_decode(&f.envelope.payload).unwrap();
    let payload = String::from_utf8(payload)
        .unwrap()
        .replace("测试发布机关", "测试发布机构");
    f.envelope.payload = paicha_core::dsse::b64_encode(payload.as_bytes());
    let reason = refused(offer(&db, &catalog, PackSource::Ledger, &f.to_json()).await);
    assert!(reason.contains("签名无效"), "{reason}");
    assert!(
        reason.contains("台账服务器提供的检查表包"),
        "names where it came from: {reason}"
    );

    // The bare pack a server sent before packs were signed.
    let reason = refused(offer(&db, &catalog, PackSource::Shipped, &pack(8).to_json()).await);
    assert!(reason.contains("未签名"), "{reason}");

    // Signed by a key the app does not trust.
    let stranger = KeyFile::new([0x42; 32], "stranger", "");
    let reason = refused(
        offer(
            &db,
            &catalog,
            PackSource::Ledger,
            &file(&pack(8), &stranger, vec![]),
        )
        .await,
    );
    assert!(reason.contains("不在信任的密钥中"), "{reason}");

    // Nothing of them reached storage: a reload finds the installed pack.
    let stored = reloaded(&db).await;
    assert_eq!(stored.installed().unwrap().payload_sha256, installed_hash);
    assert_eq!(stored.current().len(), 1);

    // An older pack (validly signed) is kept out without a refusal; a newer one installs.
    let older = file(&pack(6), &dev_key(), vec![]);
    assert!(matches!(
        offer(&db, &stored, PackSource::Shipped, &older).await,
        Offer::Kept
    ));
    let newer = installed(
        offer(
            &db,
            &stored,
            PackSource::Ledger,
            &file(&pack(9), &dev_key(), vec![]),
        )
        .await,
    );
    assert_eq!(newer.current().len(), 2);
    assert_eq!(reloaded(&db).await.current().len(), 2);
}

#[wasm_bindgen_test]
async fn a_rotated_key_is_trusted_only_through_a_statement_signed_by_a_trusted_key() {
    let db = fresh_db("rotate").await;
    let catalog = installed(
        offer(
            &db,
            &Catalog::default(),
            PackSource::Ledger,
            &file(&pack(7), &dev_key(), vec![]),
        )
        .await,
    );
    let next = KeyFile::new([0x43; 32], "新密钥 next key", "");
    let list = KeyList {
        serial: 2,
        keys: vec![next.trusted()],
        issued_at: None,
    };

    // The new key vouching for itself: refused, and the device still trusts only the root.
    let self_signed = sign_key_statement(&list, &next.signing_key());
    let reason = refused(
        offer(
            &db,
            &catalog,
            PackSource::Ledger,
            &file(&pack(8), &next, vec![self_signed]),
        )
        .await,
    );
    assert!(reason.contains("密钥轮换声明无效"), "{reason}");
    assert_eq!(reloaded(&db).await.trusted().serial, 1);

    // The same statement signed by the root key (trusted): the new key's pack installs and the
    // device stores the new list with it.
    let statement = sign_key_statement(&list, &dev_key().signing_key());
    let rotated = installed(
        offer(
            &db,
            &catalog,
            PackSource::Ledger,
            &file(&pack(8), &next, vec![statement]),
        )
        .await,
    );
    assert_eq!(rotated.installed().unwrap().signed_by.key_id, next.key_id);
    let stored = reloaded(&db).await;
    assert_eq!(stored.trusted().serial, 2);
    assert_eq!(stored.trusted().keys[0].key_id, next.key_id);
    // From now on the new key's packs open without the statement, and the retired root's do not.
    installed(
        offer(
            &db,
            &stored,
            PackSource::Ledger,
            &file(&pack(9), &next, vec![]),
        )
        .await,
    );
    let reason = refused(
        offer(
            &db,
            &stored,
            PackSource::Ledger,
            &file(&pack(10), &dev_key(), vec![]),
        )
        .await,
    );
    assert!(reason.contains("不在信任的密钥中"), "{reason}");
}

/// The refusal is shown where checklists are chosen, and the installed ones stay listed.
#[wasm_bindgen_test]
async fn the_new_inspection_screen_shows_why_an_update_was_refused() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let db = fresh_db("screen").await;
    let mut catalog = installed(
        offer(
            &db,
            &Catalog::default(),
            PackSource::Ledger,
            &file(&pack(7), &dev_key(), vec![]),
        )
        .await,
    );
    catalog.set_refusal(Some(refused(
        offer(&db, &catalog, PackSource::Ledger, &pack(8).to_json()).await,
    )));
    let mut model = Model::default();
    model.set_profile(paicha_core::Inspector::new("张三", "A1").unwrap());
    let model = RwSignal::new(model);
    let state = RwSignal::new(persist::SaveState::Saved);
    let context = AppContext {
        model,
        db: StoredValue::new_local(db.clone()),
        device_key: RwSignal::new_local(None),
        save_state: state.read_only(),
        catalog: RwSignal::new(catalog),
    };
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone().unchecked_into(), move || {
        context.provide();
        view! { <NewInspection site=None /> }
    });
    for _ in 0..5 {
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(
            &wasm_bindgen::JsValue::NULL,
        ))
        .await
        .unwrap();
    }
    // Field errors are alerts too (empty until a field is wrong): the refusal is the warning.
    let alert = root
        .query_selector(".warn[role=alert]")
        .unwrap()
        .expect("a visible reason");
    let text = alert.text_content().unwrap();
    assert!(
        text.contains("检查表更新被拒绝，继续使用已安装的检查表"),
        "{text}"
    );
    assert!(text.contains("未签名"), "{text}");
    let radios = root.query_selector_all("input[name=checklist]").unwrap();
    assert_eq!(
        radios.length(),
        1,
        "the installed checklist is still offered"
    );
    let picker = root.query_selector(".checklist-picker").unwrap().unwrap();
    assert!(
        picker.text_content().unwrap().contains("测试发布机关"),
        "the picker names the installed pack's issuer"
    );
    drop(handle);
}
