//! 本设备登记, on the profile screen (a section rather than a screen of its own: a route
//! costs the app shell's budget): the phone asks the ledger to be enrolled and shows what the supervisor compares
//! in the console (the key id's first 16 digits and a six-digit code), then follows the
//! request until it is decided. Once enrolled, records waiting for enrolment upload at once.

use crate::model::context::{use_app, use_device_key, use_model};
use crate::platform::clock::now;
use crate::platform::i18n::{localize, t, t_string};
use crate::platform::route::Route;
use crate::services::enrolment::{self, Standing, Unreachable};
use crate::services::outbox::upload_due;
use leptos::prelude::*;
use paicha_core::region::RegionCode;
use paicha_core::wire::{DeviceState, DeviceStatus};
use std::time::Duration;

/// The fragment's ending that opens the profile screen at this section.
pub const ENROLMENT_ANCHOR: &str = "/enrolment";

/// How often the screen asks while a supervisor has not decided yet.
const FOLLOW_EVERY: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Checking,
    Asking,
    Standing(Standing),
    Failed(String),
}

#[component]
pub fn DeviceEnrolment() -> impl IntoView {
    let app = use_app();
    let model = use_model();
    let device_key = use_device_key();
    let phase = RwSignal::new(Phase::Checking);
    let key_id =
        move || device_key.with(|k| k.as_ref().map(|k| k.key_id.short()).unwrap_or_default());

    // Asks the ledger (`ask`: to be enrolled; otherwise how the device stands) and shows the
    // answer; an enrolled device sends what waited for it.
    let check = move |ask: bool| {
        let Some(key) = device_key.get_untracked() else {
            return;
        };
        let profile = model.with_untracked(|m| m.profile.clone());
        if ask {
            phase.set(Phase::Asking);
        }
        leptos::task::spawn_local(async move {
            let answer = match (ask, profile) {
                // Supervisors confirm the phones of their regions: a region typed before
                // regions were codes reaches none of them.
                (true, Some(inspector)) if RegionCode::chosen(&inspector.region).is_err() => {
                    Err(Unreachable(
                        "请先在上方个人信息中从列表选择所属区域：督查人员按区域确认设备 / first choose your region from the list in the profile above: supervisors confirm the phones of their regions".into(),
                    ))
                }
                (true, Some(inspector)) => enrolment::ask(&key, &inspector).await,
                (true, None) => Err(Unreachable(
                    "请先填写个人信息 / fill in the profile first".into(),
                )),
                (false, _) => enrolment::standing(&key).await,
            };
            let next = match answer {
                Ok(standing) => Phase::Standing(standing),
                Err(Unreachable(message)) => Phase::Failed(message),
            };
            if matches!(&next, Phase::Standing(Standing::Known(s)) if s.state == DeviceState::Enrolled)
            {
                model.update(|m| m.retry_waiting_uploads(now()));
                upload_due(app);
            }
            phase.set(next);
        });
    };
    check(false);
    // Opened from the outbox's "申请登记" (`#/profile/enrolment`): show this section, which
    // sits below the profile form.
    request_animation_frame(|| {
        let window = web_sys::window();
        let asked = window
            .as_ref()
            .and_then(|w| w.location().hash().ok())
            .is_some_and(|h| h.ends_with(ENROLMENT_ANCHOR));
        if let Some(section) = window
            .and_then(|w| w.document())
            .filter(|_| asked)
            .and_then(|d| d.get_element_by_id("enrolment"))
        {
            section.scroll_into_view_with_scroll_into_view_options(
                &web_sys::ScrollIntoViewOptions::new(),
            );
        }
    });
    // Follows a pending request until a supervisor decides.
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let waiting = phase.with_untracked(|p| {
                matches!(p, Phase::Standing(Standing::Known(s)) if s.state == DeviceState::Pending)
            });
            if waiting {
                check(false);
            }
        },
        FOLLOW_EVERY,
    ) {
        on_cleanup(move || handle.clear());
    }

    view! {
        <section class="card" id="enrolment" aria-labelledby="device-title">
            <h2 id="device-title">{t("本设备登记", "Device enrolment")}</h2>
            <p>{t("台账只接收已登记设备签名的检查记录。申请登记后，请督查人员在控制台当面核对下面的设备密钥标识和确认码。",
                "The ledger accepts records signed by enrolled devices only. After asking, a supervisor compares the key id and the code below with you, in the console.")}</p>
            <dl class="key-id">
                <dt id="device-key-label">{t("设备密钥标识（前16位）", "Key id (first 16 digits)")}</dt>
                <dd class="mono" aria-labelledby="device-key-label">{key_id}</dd>
            </dl>
            <div role="status" aria-live="polite">
                {move || match phase.get() {
                    Phase::Checking => view! { <p>{t("正在查询登记状态…", "Checking the enrolment…")}</p> }.into_any(),
                    Phase::Asking => view! { <p>{t("正在申请登记…", "Asking to be enrolled…")}</p> }.into_any(),
                    Phase::Standing(Standing::NotAsked) => view! {
                        <p>{t("本设备尚未在台账登记。", "This device is not enrolled on the ledger.")}</p>
                        <button type="button" class="primary" on:click=move |_| check(true)>
                            {t("申请登记", "Ask to be enrolled")}
                        </button>
                    }.into_any(),
                    Phase::Standing(Standing::Known(status)) => known(status),
                    Phase::Failed(message) => view! {
                        <p class="error">{localize(&message)}</p>
                        <button type="button" on:click=move |_| check(false)>{t("重试", "Try again")}</button>
                    }.into_any(),
                }}
            </div>
        </section>
    }
}

fn known(status: DeviceStatus) -> AnyView {
    match status.state {
        DeviceState::Pending => view! {
            <p>{t("已申请登记，等待督查人员确认。确认后本页自动更新。",
                "Asked; waiting for a supervisor to confirm. This page updates by itself.")}</p>
            <dl class="key-id">
                <dt id="device-code-label">{t("确认码", "Confirmation code")}</dt>
                <dd class="code" aria-labelledby="device-code-label">{status.short_code}</dd>
            </dl>
        }
        .into_any(),
        DeviceState::Enrolled => view! {
            <p class="ok">{t_string(
                format!("本设备已登记，属于 {}。等待登记的记录将自动上传。", status.account_name),
                format!("This device is enrolled, for {}. Records that waited for enrolment upload by themselves.", status.account_name),
            )}</p>
            <a class="button" href=Route::Outbox.href()>{t("查看外发箱", "Open the outbox")}</a>
        }
        .into_any(),
        DeviceState::Refused => view! {
            <p class="error">{t("登记申请被拒绝，请联系督查人员。",
                "The request was refused; please contact your supervisor.")}</p>
        }
        .into_any(),
        DeviceState::Revoked => view! {
            <p class="error">{t("本设备密钥已停用，台账不再接收其记录。请联系督查人员。",
                "This device's key is revoked; the ledger no longer accepts its records. Please contact your supervisor.")}</p>
        }
        .into_any(),
    }
}
