//! A plain table as an .xlsx workbook: one sheet, a bold frozen header, every cell text (so a
//! credit code or a date stays as written), formulas never (cells are written as strings).
//! The ledger's exports use it for the hazard ledger and the console's lists.

use rust_xlsxwriter::{Format, FormatAlign, Workbook as XlsxBook, XlsxError};

/// The workbook's bytes. `sheet` is the sheet's name (at most 31 characters, no `[]:*?/\`).
pub fn to_xlsx(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut book = XlsxBook::new();
    let head = Format::new()
        .set_bold()
        .set_background_color(0xDDEBF7)
        .set_align(FormatAlign::Top);
    let text = Format::new()
        .set_num_format("@")
        .set_align(FormatAlign::Top);
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    for (c, name) in header.iter().enumerate() {
        ws.set_column_width(c as u16, 16)?;
        ws.write_string_with_format(0, c as u16, *name, &head)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string_with_format(r as u32 + 1, c as u16, cell, &text)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_round_trips_through_the_workbook_reader() {
        let rows = vec![
            vec!["91130102708461136T".to_string(), "=1+1".to_string()],
            vec!["2026-12-01".to_string(), "长安区".to_string()],
        ];
        let bytes = to_xlsx("隐患台账", &["统一社会信用代码", "备注"], &rows).unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        let range = book.worksheet_range("隐患台账").unwrap();
        let cells: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(cells[0], ["统一社会信用代码", "备注"]);
        assert_eq!(
            cells[1],
            ["91130102708461136T", "=1+1"],
            "a formula stays text"
        );
        assert_eq!(cells[2], ["2026-12-01", "长安区"]);
    }
}
