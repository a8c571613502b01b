//! Home's hazard-ledger download.

use crate::model::context::use_shell;
use crate::model::data;
use crate::platform::i18n::t;
use crate::services::ledger_export::download_ledger;
use leptos::prelude::*;

/// The hazard ledger of every inspection on this device as CSV.
#[component]
pub fn LedgerExport() -> impl IntoView {
    let shell = use_shell();
    let message = RwSignal::new(None::<Result<String, String>>);
    let on_click = move |_| {
        leptos::task::spawn_local(async move {
            let app = match data::ready(shell).await {
                Ok(app) => app,
                Err(e) => return message.set(Some(Err(e.message()))),
            };
            message.set(Some(match download_ledger(app).await {
                Ok(outcome) => outcome,
                Err(_) => Err(t(
                    "导出失败：此功能的程序未能加载，请联网后重试。",
                    "Export failed: its code could not be loaded; connect and try again.",
                )
                .to_string()),
            }));
        });
    };
    view! {
        <section class="card" aria-labelledby="ledger-title">
            <h2 id="ledger-title">{t("隐患台账", "Hazard ledger")}</h2>
            <p>{t("本机所有检查记录中的隐患，一行一条，可用 Excel 打开。", "Every hazard on this device, one per row (CSV, opens in Excel; the ledger is in Chinese).")}</p>
            <button type="button" on:click=on_click>{t("导出隐患台账 CSV", "Export hazard ledger (CSV)")}</button>
            <p role="status" class="saved" hidden=move || !matches!(message.get(), Some(Ok(_)))>
                {move || message.get().and_then(Result::ok)}
            </p>
            <p role="alert" class="error" hidden=move || !matches!(message.get(), Some(Err(_)))>
                {move || message.get().and_then(Result::err)}
            </p>
        </section>
    }
}
