//! Home's link to the follow-up list, with the number of overdue hazards.

use crate::model::context::use_shell;
use crate::platform::clock;
use crate::platform::i18n::{t, t_string};
use crate::platform::route::Route;
use leptos::prelude::*;

/// The home screen's link, with the number of overdue hazards (recounted on every change and
/// whenever home is shown, from the date at that moment).
#[component]
pub fn FollowUpLink() -> impl IntoView {
    // From the summary, like the rest of home (issue 8); its count is the list's.
    let shell = use_shell();
    let overdue = move || {
        shell
            .summary
            .with(|s| s.as_ref().map_or(0, |s| s.overdue(&clock::today_iso())))
    };
    view! {
        <a class="button" href=Route::FollowUp.href()
            aria-label=move || match overdue() {
                0 => t("隐患督查", "Follow-up").to_string(),
                n => t_string(format!("隐患督查，逾期未整改 {n} 项"), format!("Follow-up, {n} overdue")),
            }>
            {t("隐患督查", "Follow-up")}
            <span class="count-badge" hidden=move || overdue() == 0>
                {move || format!("{} {}", t("逾期", "overdue"), overdue())}
            </span>
        </a>
    }
}
