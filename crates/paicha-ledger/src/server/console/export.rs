//! The lists' search box and their exports: CSV (Excel/WPS friendly like `export hazards
//! --excel`: a UTF-8 byte order mark, cells that would start a formula defused) and .xlsx
//! (every cell text, see `paicha_sheets::table`).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use paicha_core::hazard_ledger::defuse_formula;

pub struct Export {
    /// The file's name without its extension, also the workbook's sheet name.
    pub file_stem: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The `format` query parameter: `csv` or `xlsx`; anything else is the page.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

pub fn download(export: Export, format: Format) -> Response {
    match format {
        Format::Csv => csv(export),
        Format::Xlsx => {
            match paicha_sheets::table::to_xlsx(export.file_stem, &export.header, &export.rows) {
                Ok(bytes) => attachment(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    &format!("{}.xlsx", export.file_stem),
                    bytes,
                ),
                Err(e) => crate::server::error::ApiError::internal("write the workbook", e)
                    .into_response(),
            }
        }
    }
}

/// A file to save, named in UTF-8 (RFC 6266) with an ASCII fallback.
fn attachment(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let ascii = if file_name.ends_with(".xlsx") {
        "export.xlsx"
    } else {
        "export.csv"
    };
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
                    super::links::segment(file_name)
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

fn csv(export: Export) -> Response {
    let mut writer = ::csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let written = writer.write_record(&export.header).and_then(|()| {
        export.rows.iter().try_for_each(|row| {
            writer.write_record(row.iter().map(|cell| defuse_formula(cell).into_owned()))
        })
    });
    let bytes = written
        .map_err(|e| e.to_string())
        .and_then(|()| writer.into_inner().map_err(|e| e.to_string()));
    match bytes {
        Ok(bytes) => attachment(
            "text/csv; charset=utf-8",
            &format!("{}.csv", export.file_stem),
            bytes,
        ),
        Err(e) => crate::server::error::ApiError::internal("write the CSV", e).into_response(),
    }
}

/// The search box above a list (`label`: what it searches), and its export links (same
/// filter).
pub fn filter_form(action: &str, label: (&str, &str), q: &str) -> Markup {
    let export = |format: &str| {
        if q.is_empty() {
            format!("{action}?format={format}")
        } else {
            format!("{action}?format={format}&q={}", super::links::segment(q))
        }
    };
    html! {
        form.search.no-print method="get" action=(action) role="search" aria-label="筛选 Filter" {
            label for="q" { (label.0) " " span.en lang="en" { (label.1) } }
            input #q name="q" value=(q) type="search";
            button type="submit" { "筛选 / Filter" }
            a.button href=(export("csv")) { "导出 CSV / Export CSV" }
            a.button href=(export("xlsx")) { "导出 Excel / Export .xlsx" }
        }
    }
}
