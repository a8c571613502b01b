//! Reading a workbook (.xlsx, and the other formats calamine knows) or a CSV file into plain text
//! rows that keep the row numbers the author sees in Excel.

use crate::{Problem, Problems};
use calamine::{Data, Reader};
use std::io::Cursor;
use std::path::Path;

/// A spreadsheet as text: every cell a string, every row with the number Excel shows for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Workbook {
    /// The file name, used in messages about the whole file.
    pub name: String,
    pub sheets: Vec<Sheet>,
    /// True for a CSV file: its blocks are introduced by `[检查表]`-style marker rows.
    pub is_csv: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// 1-based row number as Excel shows it.
    pub number: usize,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in column `i` (0-based), trimmed; "" past the end.
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", |c| c.trim())
    }

    pub fn is_empty(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Largest spreadsheet accepted; a checklist workbook is a few hundred kilobytes at most.
pub const MAX_SPREADSHEET_BYTES: u64 = 64 * 1024 * 1024;

impl Workbook {
    /// Reads `path`: `.csv` as CSV, anything else as a workbook (.xlsx, .xlsm, .xls, .ods).
    pub fn open(path: &Path) -> Result<Self, Problems> {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let fail = |reason: String| Problems(vec![Problem::file(&name, reason)]);
        let unreadable = |e: std::io::Error| {
            let p = path.display();
            fail(bi(
                format!("无法读取 {p}：{e}"),
                format!("cannot read {p}: {e}"),
            ))
        };
        let len = std::fs::metadata(path).map_err(unreadable)?.len();
        if len > MAX_SPREADSHEET_BYTES {
            let p = path.display();
            return Err(fail(bi(
                format!("{p} 大于 {MAX_SPREADSHEET_BYTES} 字节"),
                format!("{p} is larger than {MAX_SPREADSHEET_BYTES} bytes"),
            )));
        }
        let bytes = std::fs::read(path).map_err(unreadable)?;
        if is_csv(path) {
            Self::from_csv(&name, &bytes)
        } else {
            Self::from_xlsx(&name, &bytes)
        }
    }

    /// Reads a workbook from its bytes (the format is detected from the content).
    pub fn from_xlsx(name: &str, bytes: &[u8]) -> Result<Self, Problems> {
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
            Problems(vec![Problem::file(
                name,
                bi(
                    format!("不是可读取的 .xlsx 工作簿（{e}）：请在 Excel 或 WPS 中另存为 .xlsx"),
                    format!(
                        "not a readable .xlsx workbook ({e}); save it from Excel or WPS as .xlsx"
                    ),
                ),
            )])
        })?;
        let mut problems = Vec::new();
        let mut sheets = Vec::new();
        for sheet_name in book.sheet_names() {
            let range = match book.worksheet_range(&sheet_name) {
                Ok(range) => range,
                Err(e) => {
                    problems.push(Problem::file(
                        name,
                        bi(
                            format!("无法读取工作表 {sheet_name}：{e}"),
                            format!("cannot read sheet {sheet_name}: {e}"),
                        ),
                    ));
                    continue;
                }
            };
            let first_row = range.start().map_or(0, |(r, _)| r as usize);
            let mut rows = Vec::new();
            for (i, cells) in range.rows().enumerate() {
                let number = first_row + i + 1;
                let mut texts = Vec::with_capacity(cells.len());
                for cell in cells {
                    match cell_text(cell) {
                        Ok(text) => texts.push(text),
                        Err(reason) => {
                            problems.push(Problem::at(&sheet_name, number, reason));
                            texts.push(String::new());
                        }
                    }
                }
                rows.push(Row {
                    number,
                    cells: texts,
                });
            }
            sheets.push(Sheet {
                name: sheet_name,
                rows,
            });
        }
        if problems.is_empty() {
            Ok(Self {
                name: name.to_string(),
                sheets,
                is_csv: false,
            })
        } else {
            Err(Problems(problems))
        }
    }

    /// Reads a CSV file: UTF-8 (with or without a byte order mark) or, failing that, GB18030
    /// (what Excel writes for "CSV (逗号分隔)" on Chinese Windows). One sheet named after the
    /// file; row numbers count records as Excel shows them (blank lines included, a quoted
    /// cell spanning several lines counted once).
    pub fn from_csv(name: &str, bytes: &[u8]) -> Result<Self, Problems> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => {
                let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
                if had_errors {
                    return Err(Problems(vec![Problem::file(
                        name,
                        bi(
                            "既不是 UTF-8 也不是 GBK/GB18030 文本：请另存为“CSV UTF-8”",
                            "neither UTF-8 nor GBK/GB18030 text; save as \"CSV UTF-8\"",
                        ),
                    )]));
                }
                text
            }
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        let bytes = text.as_bytes();
        // Row numbers as Excel shows them: the line a record starts on, less the line breaks
        // inside quoted cells of the records before it (a cell spanning lines is one row).
        // Windows (CRLF), Unix (LF) and old Mac (CR) line ends each count once.
        let mut counted_to = 0usize;
        let mut lines_before = 0usize;
        let mut inside_cells = 0usize;
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let row = e
                        .position()
                        .map_or(rows.len() + 1, |p| line_of(bytes, p.byte() as usize));
                    return Err(Problems(vec![Problem::at(
                        name,
                        row,
                        bi(
                            format!("不是有效的 CSV：{e}"),
                            format!("not valid CSV: {e}"),
                        ),
                    )]));
                }
            }
            // The reader may report a record from the end of the line before it (CRLF) or
            // from blank lines it skipped: its content starts after any line break there.
            let mut start = record.position().map_or(0, |p| p.byte() as usize);
            while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
                start += 1;
            }
            lines_before += line_breaks(&bytes[counted_to.min(start)..start]);
            counted_to = start;
            rows.push(Row {
                number: lines_before + 1 - inside_cells,
                cells: record.iter().map(normalise_newlines).collect(),
            });
            inside_cells += record
                .iter()
                .map(|c| line_breaks(c.as_bytes()))
                .sum::<usize>();
        }
        Ok(Self {
            name: name.to_string(),
            sheets: vec![Sheet {
                name: name.to_string(),
                rows,
            }],
            is_csv: true,
        })
    }
}

pub fn is_csv(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Line breaks in `bytes`: CRLF, LF and a lone CR each count as one.
fn line_breaks(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => n += 1,
            b'\r' => {
                n += 1;
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    n
}

/// The 1-based line of a byte offset.
fn line_of(bytes: &[u8], byte: usize) -> usize {
    line_breaks(&bytes[..byte.min(bytes.len())]) + 1
}

/// "中文 / English".
fn bi(zh: impl std::fmt::Display, en: impl std::fmt::Display) -> String {
    format!("{zh} / {en}")
}

fn normalise_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// A cell as the text the author sees. Numbers lose a trailing `.0`; date cells become
/// `YYYY-MM-DD` (Excel turns a typed 2026-11-29 into a date).
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => normalise_newlines(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if dt.is_datetime() => {
                if t.time() == chrono::NaiveTime::MIN {
                    t.format("%Y-%m-%d").to_string()
                } else {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            _ => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => {
            return Err(bi(
                format!("单元格是错误值 {e}"),
                format!("a cell holds the error value {e}"),
            ));
        }
    })
}
