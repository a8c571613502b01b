//! The site representative signs on the screen with a finger, stylus or mouse.

use super::photos::PendingWrites;
use crate::model::context::{use_db, use_model};
use crate::platform::i18n::{localize, t, t_string};
use crate::services::photos;
use leptos::prelude::*;
use uuid::Uuid;

/// Internal size of the signature canvas (CSS scales it to the screen width).
const PAD_WIDTH: u32 = 600;
const PAD_HEIGHT: u32 = 240;

/// The site representative signs on the screen with a finger, stylus or mouse. Each stroke is
/// stored (PNG, content-addressed) and recorded on the inspection as it is drawn.
#[component]
pub fn SignaturePad(id: Uuid) -> impl IntoView {
    let db = use_db();
    let model = use_model();
    let pending = use_context::<PendingWrites>().unwrap_or_else(PendingWrites::provide);
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let last_point = StoredValue::new(None::<(f64, f64)>);
    // Bumped by every save and every clear: only the newest save may record its result.
    let generation = StoredValue::new(0u64);
    let error = RwSignal::new(None::<String>);
    let signature = Memo::new(move |_| {
        model.with(|m| {
            m.inspections
                .get(&id)
                .and_then(|i| i.site_signature.clone())
        })
    });
    let sealed = move || model.with(|m| m.inspections.get(&id).is_some_and(|i| i.is_sealed()));

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
        let db = db.get_value();
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
        let db = db.get_value();
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
                        let previous = signature.try_get_untracked().flatten();
                        if let Some(Err(e)) =
                            model.try_update(|m| m.set_site_signature(id, Some(&sha256)))
                        {
                            error.try_set(Some(localize(&e.to_string())));
                        } else {
                            error.try_set(None);
                            // The signature drawn before this stroke is no longer needed.
                            if let Some(previous) = previous.filter(|p| *p != sha256) {
                                photos::delete_when_unused(db, model, previous);
                            }
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
        if let Some(previous) = signature.get_untracked() {
            model.update(|m| {
                if let Err(e) = m.set_site_signature(id, None) {
                    leptos::logging::error!("{e}");
                }
            });
            photos::delete_when_unused(db.get_value(), model, previous);
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
            {super::field_error::error_line(error)}
            <button type="button" class="secondary" on:click=on_clear>{t("清除", "Clear")}</button>
        </section>
    }
}
