//! Home's link to the follow-up list, with the number of hazards to do (待办, assigned to this
//! person) and of overdue hazards.

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
    let todo = move || shell.summary.with(|s| s.as_ref().map_or(0, |s| s.todo));
    view! {
        <a class="button" href=Route::FollowUp.href()
            aria-label=move || {
                let mut name = t("隐患督查", "Follow-up").to_string();
                if todo() > 0 {
                    name.push_str(&t_string(format!("，待办 {} 项", todo()), format!(", {} to do", todo())));
                }
                if overdue() > 0 {
                    name.push_str(&t_string(format!("，逾期未整改 {} 项", overdue()), format!(", {} overdue", overdue())));
                }
                name
            }>
            {t("隐患督查", "Follow-up")}
            <span class="count-badge todo" hidden=move || todo() == 0>
                {move || format!("{} {}", t("待办", "to do"), todo())}
            </span>
            <span class="count-badge" hidden=move || overdue() == 0>
                {move || format!("{} {}", t("逾期", "overdue"), overdue())}
            </span>
        </a>
    }
}
