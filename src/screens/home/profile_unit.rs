//! Home's line about the inspector's unit.

use crate::model::context::use_shell;
use crate::platform::i18n::t;
use crate::platform::route::Route;
use leptos::prelude::*;

/// On the home screen: the inspector's unit, or, for a profile registered before units were
/// asked for, a prompt to complete it (records then name the unit).
#[component]
pub fn ProfileUnit() -> impl IntoView {
    let shell = use_shell();
    let unit = move || {
        shell.summary.with(|s| {
            s.as_ref()
                .and_then(|s| s.profile.as_ref())
                .filter(|p| !p.organisation.is_empty() && !p.region.is_empty())
                .map(|p| {
                    format!(
                        "{}{} · {}",
                        t("所属单位：", "Unit: "),
                        p.organisation,
                        p.region
                    )
                })
        })
    };
    view! {
        {move || match unit() {
            Some(text) => view! { <p>{text}</p> }.into_any(),
            None => view! {
                <p class="general">
                    {t("请完善个人信息：所属单位和所属区域将写入检查记录。", "Please complete your profile: your unit and region go on the records.")}
                    " " <a href=Route::Profile.href()>{t("完善个人信息", "Complete profile")}</a>
                </p>
            }
            .into_any(),
        }}
    }
}
