//! The lists' search box and their CSV exports (Excel/WPS friendly like `export hazards
//! --excel`: a UTF-8 byte order mark, cells that would start a formula defused).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use paicha_core::hazard_ledger::defuse_formula;

pub struct Export {
    pub file_name: &'static str,
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

pub fn csv(export: Export) -> Response {
    let mut writer = ::csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let written = writer.write_record(export.header).and_then(|()| {
        export.rows.iter().try_for_each(|row| {
            writer.write_record(row.iter().map(|cell| defuse_formula(cell).into_owned()))
        })
    });
    let bytes = written
        .map_err(|e| e.to_string())
        .and_then(|()| writer.into_inner().map_err(|e| e.to_string()));
    match bytes {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"export.csv\"; filename*=UTF-8''{}",
                        super::hazard::segment(export.file_name)
                    ),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => crate::server::error::ApiError::internal("write the CSV", e).into_response(),
    }
}

/// The search box above a list, and its export link (same filter).
pub fn filter_form(action: &str, q: &str) -> Markup {
    let export = if q.is_empty() {
        format!("{action}?format=csv")
    } else {
        format!("{action}?format=csv&q={}", super::hazard::segment(q))
    };
    html! {
        form.search.no-print method="get" action=(action) role="search" aria-label="筛选 Filter" {
            label for="q" { "单位名称或信用代码 " span.en lang="en" { "Enterprise or credit code" } }
            input #q name="q" value=(q) type="search";
            button type="submit" { "筛选 / Filter" }
            a.button href=(export) { "导出 CSV / Export CSV" }
        }
    }
}
