//! From a checklist file to a spreadsheet in the documented layout, so that an author can start
//! from a shipped checklist in Excel, and so that `convert` can be tested by a round trip. The
//! file's `#` comments travel in the 注释/备注 cells; every field of the format has a column
//! (an item's conditions a row each in 限定条件, the change log a row per version).

use crate::layout::{self, Column, Kind};
use paicha_core::{Checklist, ChecklistError};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, FormatAlign, Formula, Workbook as XlsxBook,
    XlsxError,
};

/// A checklist laid out as the sheets authors edit.
#[derive(Debug, Clone)]
pub struct Exported {
    pub checklist: Checklist,
    pub sheets: Vec<OutSheet>,
}

#[derive(Debug, Clone)]
pub struct OutSheet {
    pub kind: Kind,
    pub name: &'static str,
    pub header: Vec<&'static str>,
    pub widths: Vec<f64>,
    pub rows: Vec<Vec<String>>,
}

/// Parses and validates a checklist file (`file` names it in errors) and lays it out as sheets.
pub fn export(file: &str, text: &str) -> Result<Exported, ChecklistError> {
    let checklist = Checklist::from_toml(file, text)?;
    let comments = Comments::of(text);
    let joined = |lines: Option<&Vec<String>>| lines.map(|l| l.join("\n")).unwrap_or_default();

    let sector = paicha_core::checklist::SECTORS
        .iter()
        .find(|s| s.0 == checklist.sector)
        .map_or(checklist.sector.as_str(), |s| s.1);
    let fields = [
        ("id", checklist.id.clone()),
        ("sector", sector.to_string()),
        ("title_zh", checklist.title.zh.clone()),
        ("title_en", checklist.title.en.clone()),
        ("version", checklist.version.clone()),
        ("effective", checklist.effective.clone()),
        ("issuer", checklist.issuer.clone().unwrap_or_default()),
        ("region", checklist.region.clone().unwrap_or_default()),
        (
            "supersedes",
            checklist.supersedes.clone().unwrap_or_default(),
        ),
        ("comment", comments.header.join("\n")),
    ];
    let meta = OutSheet {
        kind: Kind::Checklist,
        name: layout::spec(Kind::Checklist).name,
        header: layout::CHECKLIST_HEADER.to_vec(),
        widths: vec![12.0, 90.0],
        rows: fields
            .into_iter()
            .map(|(key, value)| vec![field(key).header.to_string(), value])
            .collect(),
    };

    let sources = table(
        Kind::Sources,
        checklist
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let opt = |v: &Option<String>| v.clone().unwrap_or_default();
                vec![
                    s.key.clone(),
                    s.title.clone(),
                    opt(&s.number),
                    opt(&s.effective),
                    layout::status_word(s.status).to_string(),
                    opt(&s.issuer),
                    opt(&s.published),
                    opt(&s.checked_on),
                    opt(&s.replaced_by),
                    opt(&s.note),
                    opt(&s.text_from),
                    opt(&s.document),
                    joined(comments.sources.get(i)),
                ]
            })
            .collect(),
    );

    let questions = table(
        Kind::Questions,
        checklist
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                vec![
                    q.key.clone(),
                    q.zh.clone(),
                    q.en.clone(),
                    joined(comments.questions.get(i)),
                ]
            })
            .collect(),
    );

    let mut item_rows = Vec::new();
    let mut condition_rows = Vec::new();
    let mut n = 0;
    for (si, section) in checklist.sections.iter().enumerate() {
        for (ii, item) in section.items.iter().enumerate() {
            // A comment above a section header has no cell of its own: it goes with the
            // section's first item.
            let mut comment: Vec<String> = Vec::new();
            if ii == 0 {
                comment.extend(comments.sections.get(si).cloned().unwrap_or_default());
            }
            comment.extend(comments.items.get(n).cloned().unwrap_or_default());
            n += 1;
            item_rows.push(vec![
                section.id.clone(),
                section.title.zh.clone(),
                section.title.en.clone(),
                item.id.clone(),
                item.zh.clone(),
                item.en.clone(),
                item.basis.source.clone(),
                item.basis.clause.clone(),
                layout::major_word(item.major).to_string(),
                layout::verification_word(item.verification).to_string(),
                item.guidance.clone(),
                item.applies_if.join(", "),
                layout::evidence_word(item.evidence.kind).to_string(),
                item.evidence.unit.clone(),
                item.evidence.what.clone(),
                layout::photos_word(item.evidence.photos).to_string(),
                comment.join("\n"),
            ]);
            for c in &item.conditions {
                condition_rows.push(vec![
                    item.id.clone(),
                    c.zh.clone(),
                    c.en.clone(),
                    c.question.clone().unwrap_or_default(),
                    String::new(),
                ]);
            }
        }
    }
    let items = table(Kind::Items, item_rows);
    let conditions = table(Kind::Conditions, condition_rows);
    let changelog = table(
        Kind::Changelog,
        checklist
            .changelog
            .iter()
            .map(|c| {
                vec![
                    c.version.clone(),
                    c.date.clone(),
                    c.zh.clone(),
                    c.en.clone(),
                ]
            })
            .collect(),
    );
    Ok(Exported {
        checklist,
        sheets: vec![meta, changelog, sources, questions, items, conditions],
    })
}

fn field(key: &str) -> &'static Column {
    layout::CHECKLIST_FIELDS
        .iter()
        .find(|c| c.key == key)
        .expect("known field")
}

fn table(kind: Kind, rows: Vec<Vec<String>>) -> OutSheet {
    let spec = layout::spec(kind);
    OutSheet {
        kind,
        name: spec.name,
        header: spec.columns.iter().map(|c| c.header).collect(),
        widths: spec.columns.iter().map(|c| c.width).collect(),
        rows,
    }
}

/// The `#` comment lines of a checklist file, by what they stand above: the file header, the
/// n-th `[[sources]]`, `[[questions]]`, `[[sections]]` or `[[sections.items]]`. A comment
/// inside a table (after its header line) goes with that table.
#[derive(Debug, Default)]
struct Comments {
    header: Vec<String>,
    sources: Vec<Vec<String>>,
    questions: Vec<Vec<String>>,
    sections: Vec<Vec<String>>,
    items: Vec<Vec<String>>,
}

#[derive(Clone, Copy)]
enum Target {
    Header,
    Sources,
    Questions,
    Sections,
    Items,
}

impl Comments {
    fn of(text: &str) -> Self {
        let mut out = Self::default();
        let mut pending: Vec<String> = Vec::new();
        let mut current = Target::Header;
        let mut in_multiline: Option<&str> = None;
        for line in text.lines() {
            let t = line.trim();
            if let Some(delim) = in_multiline {
                if t.matches(delim).count() % 2 == 1 {
                    in_multiline = None;
                }
                continue;
            }
            if let Some(rest) = t.strip_prefix('#') {
                pending.push(
                    rest.strip_prefix(' ')
                        .unwrap_or(rest)
                        .trim_end()
                        .to_string(),
                );
                continue;
            }
            if t.is_empty() {
                continue;
            }
            let header: String = t.chars().filter(|c| !c.is_whitespace()).collect();
            let new_table = match header.as_str() {
                "[[sources]]" => Some(Target::Sources),
                "[[questions]]" => Some(Target::Questions),
                "[[sections]]" => Some(Target::Sections),
                "[[sections.items]]" => Some(Target::Items),
                _ => None,
            };
            if let Some(target) = new_table {
                out.list(target).push(Vec::new());
                current = target;
            } else {
                for delim in ["\"\"\"", "'''"] {
                    if t.matches(delim).count() % 2 == 1 {
                        in_multiline = Some(delim);
                    }
                }
            }
            out.last(current).append(&mut pending);
        }
        out.last(current).append(&mut pending);
        out
    }

    fn list(&mut self, target: Target) -> &mut Vec<Vec<String>> {
        match target {
            Target::Sources => &mut self.sources,
            Target::Questions => &mut self.questions,
            Target::Sections => &mut self.sections,
            Target::Items | Target::Header => &mut self.items,
        }
    }

    fn last(&mut self, target: Target) -> &mut Vec<String> {
        if let Target::Header = target {
            return &mut self.header;
        }
        let list = self.list(target);
        if list.is_empty() {
            list.push(Vec::new());
        }
        list.last_mut().expect("not empty")
    }
}

impl Exported {
    /// The workbook as .xlsx bytes: the sheets, then a 说明 sheet describing the columns.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = XlsxBook::new();
        let head = Format::new()
            .set_bold()
            .set_background_color(0xDDEBF7)
            .set_align(FormatAlign::Top);
        // Text format ("@") keeps what the author types as typed: 2026-11-29 stays text, a
        // clause 4.10 does not become the number 4.1.
        let text = Format::new()
            .set_num_format("@")
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        for sheet in &self.sheets {
            let ws = book.add_worksheet();
            ws.set_name(sheet.name)?;
            for (c, width) in sheet.widths.iter().enumerate() {
                let c = c as u16;
                ws.set_column_width(c, *width)?;
                ws.set_column_format(c, &text)?;
            }
            for (c, h) in sheet.header.iter().enumerate() {
                ws.write_string_with_format(0, c as u16, *h, &head)?;
            }
            for (r, row) in sheet.rows.iter().enumerate() {
                for (c, value) in row.iter().enumerate() {
                    ws.write_string_with_format(r as u32 + 1, c as u16, value, &text)?;
                }
            }
            ws.set_freeze_panes(1, 0)?;
            let last_row = sheet.rows.len() as u32 + 500;
            let columns = layout::spec(sheet.kind).columns;
            let mut list = |key: &str, values: &[&str]| -> Result<(), XlsxError> {
                let Some(c) = columns.iter().position(|c| c.key == key) else {
                    return Ok(());
                };
                let v = DataValidation::new()
                    .allow_list_strings(values)?
                    .set_input_message(columns[c].help)?
                    .set_error_style(DataValidationErrorStyle::Warning);
                ws.add_data_validation(1, c as u16, last_row, c as u16, &v)?;
                Ok(())
            };
            match sheet.kind {
                Kind::Sources => list("status", &["现行", "废止", "待核实"])?,
                Kind::Items => {
                    list("major", &["是", "否"])?;
                    list(
                        "verification",
                        &["原文", "片段", "转述", "未核对", "原文未取得"],
                    )?;
                    list("evidence", &["照片", "文件", "测量", "无"])?;
                    list("photos", &["允许", "禁止"])?;
                    let c = columns
                        .iter()
                        .position(|c| c.key == "source")
                        .expect("source column") as u16;
                    let sources = layout::spec(Kind::Sources).name;
                    let v = DataValidation::new()
                        .allow_list_formula(Formula::new(format!("='{sources}'!$A$2:$A$200")))
                        .set_input_message(columns[c as usize].help)?
                        .set_error_style(DataValidationErrorStyle::Warning);
                    ws.add_data_validation(1, c, last_row, c, &v)?;
                    ws.autofilter(0, 0, sheet.rows.len() as u32, sheet.header.len() as u16 - 1)?;
                }
                Kind::Checklist | Kind::Questions | Kind::Conditions | Kind::Changelog => {}
            }
        }
        // 说明: what each column means (ignored when converting).
        let ws = book.add_worksheet();
        ws.set_name("说明")?;
        ws.set_column_width(0, 10)?;
        ws.set_column_width(1, 14)?;
        ws.set_column_width(2, 16)?;
        ws.set_column_width(3, 6)?;
        ws.set_column_width(4, 80)?;
        ws.write_string_with_format(
            0,
            0,
            "检查表编写说明见 checklists/README.md。转换：paicha-ledger checklists convert 本文件.xlsx",
            &Format::new().set_bold(),
        )?;
        for (c, h) in ["工作表", "列", "English", "必填", "说明"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(2, c as u16, *h, &head)?;
        }
        let mut r = 3u32;
        for spec in layout::SHEETS {
            for column in spec.columns {
                ws.write_string(r, 0, spec.name)?;
                ws.write_string(r, 1, column.header)?;
                ws.write_string(r, 2, column.aliases.first().copied().unwrap_or(""))?;
                ws.write_string(r, 3, if column.required { "是" } else { "" })?;
                ws.write_string(r, 4, column.help)?;
                r += 1;
            }
        }
        book.save_to_buffer()
    }

    /// The workbook as one CSV file (UTF-8 with a byte order mark, for Excel): each sheet is a
    /// block starting with a line holding only its name in brackets, e.g. `[条目]`.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = b"\xEF\xBB\xBF".to_vec();
        for (i, sheet) in self.sheets.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b"\r\n");
            }
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new());
            let marker = format!("[{}]", sheet.name);
            let result = w
                .write_record([marker.as_str()])
                .and_then(|()| w.write_record(&sheet.header))
                .and_then(|()| sheet.rows.iter().try_for_each(|row| w.write_record(row)));
            result.expect("writing CSV to memory cannot fail");
            out.extend(w.into_inner().expect("writing CSV to memory cannot fail"));
        }
        out
    }
}
