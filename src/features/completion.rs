//! Completion (完成检查): a summary of the inspection, what still blocks the seal (each with a
//! link to its item), the site representative's handwritten signature, then the seal.
//!
//! Blocking: hazards without a description, incomplete orders (交办) and missing photo
//! evidence. Items not answered are listed but do not block: an unanswered item makes no claim
//! in the record (the bundle carries only answered items), whereas forcing an answer would
//! invite a "符合" for something nobody looked at, which is worse for a legal record.

use crate::features::inspection::{SaveIndicator, jump_to};
use crate::features::photos::{self, PendingWrites};
use crate::features::{FieldError, now, text_of};
use crate::i18n::{localize, t, t_string};
use crate::model::{Model, RecordKey};
use crate::route::{Route, navigate};
use crate::use_app;
use leptos::prelude::*;
use paicha_core::completion::Completion;
use paicha_core::{InspectionError, Verdict};
use uuid::Uuid;

impl Model {
    /// Records (or with `None` removes) the site representative's signature, a PNG already
    /// stored under `sha256`.
    pub fn set_site_signature(
        &mut self,
        id: Uuid,
        sha256: Option<&str>,
    ) -> Result<(), InspectionError> {
        self.edit(id, RecordKey::Inspection(id), |i| {
            i.set_site_signature(sha256)
        })
    }
}

/// An incomplete order as the domain lists it ("FW-02：整改措施、整改期限"), in the current
/// language.
fn order_entry(entry: &str) -> String {
    const FIELDS: [(&str, &str); 10] = [
        ("整改措施", "measures"),
        ("整改责任人", "responsible person"),
        ("整改期限", "deadline"),
        ("整改资金", "funds"),
        ("治理目标和任务", "target and tasks"),
        ("治理机构和人员", "organisation and people"),
        ("安全措施和应急预案", "safety measures and emergency plan"),
        ("经费和物资", "funds and materials"),
        ("治理时限", "time limit"),
        ("是否停产停业", "suspension"),
    ];
    if crate::i18n::lang_untracked() == crate::i18n::Lang::Zh {
        return entry.to_string();
    }
    let mut text = entry.replace('：', ": ").replace('、', ", ");
    for (zh, en) in FIELDS {
        text = text.replace(zh, en);
    }
    text
}

/// Internal size of the signature canvas (CSS scales it to the screen width).
const PAD_WIDTH: u32 = 600;
const PAD_HEIGHT: u32 = 240;

#[component]
pub fn CompletionScreen(id: Uuid) -> impl IntoView {
    let app = use_app();
    let (inspection, checklist) = match crate::features::inspection_with_checklist(&app, id) {
        Ok(found) => found,
        Err(missing) => return missing,
    };
    if inspection.is_sealed() {
        navigate(Route::Export(id));
    }
    let pending = PendingWrites::provide();
    // Nothing on this screen changes the answers (only the signature), so the summary is
    // computed once; going back to the inspection and returning computes it again.
    let summary = Completion::of(&inspection, checklist);
    // Officers can be added on this screen (the team card): that blocker is followed live; the
    // others cannot change while the screen is open.
    let too_few = Memo::new(move |_| {
        app.model.with(|m| {
            m.inspections
                .get(&id)
                .is_some_and(|i| i.officers().count() < 2)
        })
    });
    let others_block = !Completion {
        officers: 2,
        ..summary.clone()
    }
    .may_seal();
    let blocked = move || others_block || too_few.get();
    let seal_error = RwSignal::new(None::<String>);
    let on_seal = move |_| match app.model.try_update(|m| m.seal(id, checklist, now())) {
        Some(Ok(())) => navigate(Route::Export(id)),
        Some(Err(e)) => seal_error.set(Some(e.to_string())),
        None => {}
    };
    let item_text = |item_id: &str| {
        checklist
            .item(item_id)
            .map(|i| format!("{item_id} {}", text_of(&i.zh, &i.en)))
            .unwrap_or_else(|| item_id.to_string())
    };
    // Links to items on the inspection screen, which scrolls to the item: as a list of texts,
    // or as compact chips showing the id (the full text is the accessible name).
    let links = move |labelled_by: &'static str, chips: bool, entries: Vec<(String, String)>| {
        view! {
            <ul aria-labelledby=labelled_by class=if chips { "item-chips" } else { "item-links" }>
                {entries.into_iter().map(|(item_id, text)| {
                    let target = item_id.clone();
                    let (shown, name) = if chips { (item_id, Some(text)) } else { (text, None) };
                    view! {
                        <li><a class:chip=chips href=Route::Inspection(id).href() aria-label=name.clone() title=name
                            on:click=move |_| jump_to(&target)>{shown}</a></li>
                    }
                }).collect_view()}
            </ul>
        }
    };
    // Entries are item ids, or "item：missing fields" for orders.
    let blockers = [
        (
            "missing-description-title",
            t("隐患缺少描述", "Hazards without a description"),
            &summary.without_description,
            true,
        ),
        (
            "incomplete-orders-title",
            t("交办信息不完整", "Incomplete hazard orders"),
            &summary.incomplete_orders,
            false,
        ),
        (
            "missing-evidence-title",
            t("缺少照片证据", "Required photo missing"),
            &summary.missing_evidence,
            true,
        ),
    ]
    .into_iter()
    .filter(|(_, _, entries, _)| !entries.is_empty())
    .map(|(title_id, title, entries, describe)| {
        let entries = entries
            .iter()
            .map(|entry| {
                let item_id = entry.split('：').next().unwrap_or_default().to_string();
                let text = if describe {
                    item_text(&item_id)
                } else {
                    order_entry(entry)
                };
                (item_id, text)
            })
            .collect();
        view! { <h4 id=title_id>{title}</h4> {links(title_id, false, entries)} }
    })
    .collect_view();
    let unanswered: Vec<(String, String)> = summary
        .unanswered
        .iter()
        .map(|item_id| (item_id.clone(), item_text(item_id)))
        .collect();
    let counts = [
        (
            "ok",
            t("符合：", "Compliant: "),
            summary.count(Verdict::Compliant),
        ),
        (
            "general",
            t("一般隐患：", "General hazards: "),
            summary.count(Verdict::GeneralHazard),
        ),
        (
            "major",
            t("重大隐患：", "Major hazards: "),
            summary.count(Verdict::MajorHazard),
        ),
        (
            "",
            t("不适用：", "Not applicable: "),
            summary.count(Verdict::NotApplicable),
        ),
        ("", t("未检查：", "Not answered: "), unanswered.len()),
    ]
    .into_iter()
    // A re-inspection walks the checklist only for new findings: nothing is "not answered".
    .take(if summary.reviews.is_none() { 5 } else { 4 })
    .map(|(class, label, n)| view! { <li class=class>{label} <strong>{n}</strong></li> })
    .collect_view();
    view! {
        <section class="card" aria-labelledby="complete-title">
            <h2 id="complete-title">{t("完成检查", "Finish inspection")}</h2>
            <p><strong>{inspection.site.name.clone()}</strong> " · " <span class="mono">{inspection.site.credit_code.to_string()}</span></p>
            <p>{text_of(&checklist.title.zh, &checklist.title.en).to_string()} " · v" {checklist.version.clone()}</p>
            <SaveIndicator />
        </section>
        {crate::features::reinspection::completion_counts(&inspection)}
        <section class="card" aria-labelledby="summary-title">
            <h3 id="summary-title">{t("检查结果汇总", "Summary")}</h3>
            <ul class="counts" aria-labelledby="summary-title">{counts}</ul>
        </section>
        {others_block.then(|| view! {
            <section class="card blockers" aria-labelledby="blockers-title">
                <h3 id="blockers-title">{t("签章前须处理", "Resolve before sealing")}</h3>
                {(summary.reviews.is_none() && summary.answered() == 0).then(|| view! { <p>{t("尚未记录任何检查结果。", "No item has been answered yet.")}</p> })}
                {blockers}
                {crate::features::reinspection::completion_blockers(id, &inspection)}
            </section>
        })}
        // A re-inspection's checklist is optional (new findings only): no list of items left.
        {(!unanswered.is_empty() && summary.reviews.is_none()).then(|| view! {
            <section class="card" aria-labelledby="unanswered-title">
                <h3 id="unanswered-title">{t("未检查的条目", "Items not answered")}</h3>
                <p><small>{t("不影响签章：未检查的条目在记录中不作结论。", "These do not block sealing: the record makes no statement about them.")}</small></p>
                {links("unanswered-title", true, unanswered)}
            </section>
        })}
        <crate::features::team::CompletionTeam id />
        <SignaturePad id />
        <section class="card">
            <p id="seal-hint">
                {move || if blocked() {
                    t("请先处理上列问题，然后签章封存。", "Resolve the points listed above, then seal.")
                } else {
                    t("签章后检查记录不可更改。", "Once sealed, the record cannot be changed.")
                }}
            </p>
            <FieldError id="seal-error" message=seal_error.into() />
            <div class="button-row">
                <button type="button" class="primary" aria-describedby="seal-hint"
                    disabled=move || { blocked() || pending.0.get() != 0 }
                    on:click=on_seal>{t("签章封存", "Seal")}</button>
                <a class="button secondary" href=Route::Inspection(id).href()>{t("返回检查", "Back to inspection")}</a>
            </div>
        </section>
    }
    .into_any()
}

/// The site representative signs on the screen with a finger, stylus or mouse. Each stroke is
/// stored (PNG, content-addressed) and recorded on the inspection as it is drawn.
#[component]
fn SignaturePad(id: Uuid) -> impl IntoView {
    let app = use_app();
    let pending = use_context::<PendingWrites>().unwrap_or_else(PendingWrites::provide);
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let last_point = StoredValue::new(None::<(f64, f64)>);
    // Bumped by every save and every clear: only the newest save may record its result.
    let generation = StoredValue::new(0u64);
    let error = RwSignal::new(None::<String>);
    let signature = Memo::new(move |_| {
        app.model.with(|m| {
            m.inspections
                .get(&id)
                .and_then(|i| i.site_signature.clone())
        })
    });
    let sealed = move || {
        app.model
            .with(|m| m.inspections.get(&id).is_some_and(|i| i.is_sealed()))
    };

    let context = move || {
        canvas_ref
            .get_untracked()
            .and_then(|c| photos::context_2d(&c).ok())
    };
    // The stored signature, drawn back after a reload.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let (Some(canvas), Some(sha256)) = (canvas_ref.get(), signature.get_untracked()) else {
            return canvas_ref.get().is_some();
        };
        let db = app.db.get_value();
        leptos::task::spawn_local(async move {
            let Ok(Some(blob)) = photos::load(&db, &sha256).await else {
                return;
            };
            let Ok(bitmap) = photos::decode(&blob).await else {
                return;
            };
            if let Ok(ctx) = photos::context_2d(&canvas) {
                let _ = ctx.draw_image_with_image_bitmap_and_dw_and_dh(
                    &bitmap,
                    0.0,
                    0.0,
                    f64::from(PAD_WIDTH),
                    f64::from(PAD_HEIGHT),
                );
            }
            bitmap.close();
        });
        true
    });

    let point = move |ev: &web_sys::PointerEvent| -> Option<(f64, f64)> {
        let canvas = canvas_ref.get_untracked()?;
        let rect = canvas.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return None;
        }
        let x = (f64::from(ev.client_x()) - rect.left()) * f64::from(PAD_WIDTH) / rect.width();
        let y = (f64::from(ev.client_y()) - rect.top()) * f64::from(PAD_HEIGHT) / rect.height();
        Some((x, y))
    };
    let stroke = move |from: (f64, f64), to: (f64, f64)| {
        if let Some(ctx) = context() {
            ctx.set_stroke_style_str("#0b2340");
            ctx.set_line_width(3.0);
            ctx.set_line_cap("round");
            ctx.set_line_join("round");
            ctx.begin_path();
            ctx.move_to(from.0, from.1);
            ctx.line_to(to.0, to.1);
            ctx.stroke();
        }
    };
    let save = move || {
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let db = app.db.get_value();
        pending.begin();
        leptos::task::spawn_local(async move {
            let stored = async {
                let blob = photos::canvas_blob(&canvas, photos::PNG, None).await?;
                let bytes = photos::blob_bytes(&blob).await?;
                photos::store(&db, &bytes, photos::PNG).await
            }
            .await;
            if generation.try_get_value() == Some(mine) {
                match stored {
                    Ok(sha256) => {
                        if let Some(Err(e)) = app
                            .model
                            .try_update(|m| m.set_site_signature(id, Some(&sha256)))
                        {
                            error.try_set(Some(localize(&e.to_string())));
                        } else {
                            error.try_set(None);
                        }
                    }
                    Err(e) => {
                        let e = localize(&e.to_string());
                        error.try_set(Some(t_string(
                            format!("签名未能保存，其他记录未受影响：{e}"),
                            format!("The signature was not saved; nothing else was changed: {e}"),
                        )));
                    }
                }
            }
            pending.end().await;
        });
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        if sealed() {
            return;
        }
        ev.prevent_default();
        if let Some(canvas) = canvas_ref.get_untracked() {
            let _ = canvas.set_pointer_capture(ev.pointer_id());
        }
        if let Some(p) = point(&ev) {
            last_point.set_value(Some(p));
            // A dot, so that a tap leaves a mark.
            stroke(p, (p.0 + 0.1, p.1 + 0.1));
        }
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        let (Some(from), Some(to)) = (last_point.get_value(), point(&ev)) else {
            return;
        };
        ev.prevent_default();
        stroke(from, to);
        last_point.set_value(Some(to));
    };
    let on_up = move |_ev: web_sys::PointerEvent| {
        if last_point.get_value().is_some() {
            last_point.set_value(None);
            save();
        }
    };
    let on_clear = move |_| {
        generation.update_value(|g| *g += 1);
        if let (Some(canvas), Some(ctx)) = (canvas_ref.get_untracked(), context()) {
            ctx.clear_rect(
                0.0,
                0.0,
                f64::from(canvas.width()),
                f64::from(canvas.height()),
            );
        }
        if signature.get_untracked().is_some() {
            app.model.update(|m| {
                if let Err(e) = m.set_site_signature(id, None) {
                    leptos::logging::error!("{e}");
                }
            });
        }
        error.set(None);
    };
    view! {
        <section class="card signature" aria-labelledby="signature-title">
            <h3 id="signature-title">{t("现场负责人签名（可选）", "Site representative's signature (optional)")}</h3>
            <p><small>{t("请被检单位现场负责人在框内手写签名（可选，签名将随记录保存）。", "The site representative signs in the box (optional; recorded with the inspection).")}</small></p>
            <canvas node_ref=canvas_ref class="signature-pad" width=PAD_WIDTH.to_string() height=PAD_HEIGHT.to_string()
                role="img" aria-label=t("现场负责人签名板", "Signature pad") aria-describedby="signature-state"
                on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up></canvas>
            <p id="signature-state" class=move || if signature.with(Option::is_some) { "ok" } else { "" }>
                {move || if signature.with(Option::is_some) {
                    t("✓ 已记录签名", "✓ Signature recorded")
                } else {
                    t("未签名（可选）", "Not signed (optional)")
                }}
            </p>
            {crate::features::error_line(error)}
            <button type="button" class="secondary" on:click=on_clear>{t("清除", "Clear")}</button>
        </section>
    }
}
