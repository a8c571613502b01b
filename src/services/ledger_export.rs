//! The hazard ledger (隐患台账) of every inspection on this device, downloaded as a CSV file.

use crate::model::context::AppContext;
use crate::model::records::{ledger_csv, ledger_file_name};
use crate::platform::clock::today;
use crate::platform::download;
use crate::platform::i18n::{localize, t, t_string};
use crate::platform::lazy::on_demand;
use leptos::prelude::*;

on_demand! {
    /// Builds the hazard ledger CSV and hands it to the browser as a download: the message to
    /// show. On demand, so the home screen does not carry the ledger code.
    pub fn download_ledger in screens / preload_ledger (app: AppContext) -> Result<String, String> {
        let rows = app.model.with_untracked(|m| {
            app.catalog.with_untracked(|c| {
                m.hazard_ledger(|r| c.find(&r.id, &r.content_hash.0), today())
            })
        });
        let name = ledger_file_name(today());
        match download::download(&name, "text/csv;charset=utf-8", &ledger_csv(&rows)) {
            Ok(()) => Ok(t_string(
                format!("已导出 {} 条隐患：{name}", rows.len()),
                format!("Exported {} hazards: {name}", rows.len()),
            )),
            Err(e) => Err(format!(
                "{}{}",
                t("导出失败：", "Export failed: "),
                localize(&e.to_string())
            )),
        }
    }
}
