//! From spreadsheet rows to a checklist file: every row is checked first (so that each error
//! names its row), then the TOML text is written with a map from its lines back to the rows that
//! produced them, and finally the domain crate's validation runs on that text; any error it still
//! finds is reported at the row its line came from.

use crate::layout::{self, Column, Kind, SheetSpec};
use crate::read::{Row, Workbook};
use crate::{Problem, Problems};
use paicha_core::Checklist;
use paicha_core::checklist::{EvidenceRule, SourceStatus, Verification};
use std::collections::{BTreeMap, HashMap};

/// A converted checklist: the validated structure, the file text, and notes for the author.
#[derive(Debug, Clone)]
pub struct Converted {
    pub checklist: Checklist,
    pub toml: String,
    /// Things that were ignored (unknown columns, rows outside any block), as `sheet!row: note`.
    pub warnings: Vec<String>,
}

/// A block of rows: a whole sheet, or the part of a CSV file (or sheet) after a `[名称]` row.
struct Block<'a> {
    name: String,
    rows: Vec<&'a Row>,
}

/// A `[检查表]` / `【依据】` marker row: a bracketed name alone in the first cell.
fn marker(row: &Row) -> Option<String> {
    let first = row.cell(0);
    let inner = first
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .or_else(|| first.strip_prefix('【').and_then(|s| s.strip_suffix('】')))?;
    (row.cells.iter().skip(1).all(|c| c.trim().is_empty()) && !inner.trim().is_empty())
        .then(|| inner.trim().to_string())
}

fn blocks(book: &Workbook) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    for sheet in &book.sheets {
        let mut current = Block {
            name: sheet.name.clone(),
            rows: Vec::new(),
        };
        for row in &sheet.rows {
            if let Some(name) = marker(row) {
                out.push(std::mem::replace(
                    &mut current,
                    Block {
                        name,
                        rows: Vec::new(),
                    },
                ));
            } else {
                current.rows.push(row);
            }
        }
        out.push(current);
    }
    out
}

/// Converts a workbook into a checklist file. `items_sheet` names the items sheet when it is not
/// called 条目 (or items).
pub fn convert(book: &Workbook, items_sheet: Option<&str>) -> Result<Converted, Problems> {
    let mut cx = Cx::default();
    let mut by_kind: HashMap<Kind, Block> = HashMap::new();
    for block in blocks(book) {
        let kind = match items_sheet {
            Some(name) if block.name.trim() == name.trim() => Some(Kind::Items),
            _ => layout::SHEETS
                .iter()
                .find(|s| s.matches(&block.name))
                .map(|s| s.kind)
                .filter(|k| items_sheet.is_none() || *k != Kind::Items),
        };
        let Some(kind) = kind else {
            // Other sheets (notes, the exported 说明) are ignored silently; stray CSV rows are not.
            let first = block.rows.iter().find(|r| !r.is_empty());
            if let (true, Some(first)) = (book.is_csv, first) {
                let note = if block.name == book.name {
                    "rows before the first [检查表]/[依据]/[适用性]/[条目] line are ignored"
                        .to_string()
                } else {
                    format!(
                        "[{}] is not a block of the layout; its rows are ignored",
                        block.name
                    )
                };
                cx.warn(&block.name, Some(first.number), &note);
            }
            continue;
        };
        if let Some(other) = by_kind.get(&kind) {
            cx.problem(
                &book.name,
                None,
                format!(
                    "both {} and {} are {} sheets; keep one",
                    other.name,
                    block.name,
                    layout::spec(kind).name
                ),
            );
            continue;
        }
        by_kind.insert(kind, block);
    }
    let found = || {
        let names: Vec<String> = blocks(book)
            .into_iter()
            .filter(|b| !(book.is_csv && b.name == book.name))
            .map(|b| b.name)
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    for kind in [Kind::Checklist, Kind::Sources, Kind::Items] {
        if !by_kind.contains_key(&kind) {
            let spec = layout::spec(kind);
            let wanted = match (kind, items_sheet) {
                (Kind::Items, Some(name)) => format!("{name:?}"),
                _ => spec.label(),
            };
            let reason = if book.is_csv {
                format!(
                    "no [{}] block (a line holding only [{}] starts it); blocks found: {}",
                    spec.name,
                    spec.name,
                    found()
                )
            } else {
                format!("no sheet {wanted}; sheets found: {}", found())
            };
            cx.problem(&book.name, None, reason);
        }
    }
    if !cx.problems.is_empty() {
        return Err(Problems(cx.problems));
    }
    let meta = cx.checklist_sheet(&by_kind[&Kind::Checklist]);
    let sources = cx.sources_sheet(&by_kind[&Kind::Sources]);
    let questions = by_kind
        .get(&Kind::Questions)
        .map(|b| cx.questions_sheet(b))
        .unwrap_or_default();
    let names = SheetNames {
        sources: by_kind[&Kind::Sources].name.clone(),
        questions: by_kind.get(&Kind::Questions).map_or_else(
            || layout::spec(Kind::Questions).name.to_string(),
            |b| b.name.clone(),
        ),
    };
    let sections = cx.items_sheet(&by_kind[&Kind::Items], &sources, &questions, &names);
    if !cx.problems.is_empty() {
        return Err(Problems(cx.problems));
    }
    let Some(meta) = meta else {
        return Err(Problems(cx.problems));
    };
    let out = write_toml(&meta, &sources, &questions, &sections);
    let file = format!("{}.toml", meta.id.value);
    match Checklist::from_toml(&file, &out.text) {
        Ok(checklist) => Ok(Converted {
            checklist,
            toml: out.text,
            warnings: cx.warnings,
        }),
        Err(e) => Err(Problems(vec![out.problem_at_line(e.line, e.reason)])),
    }
}

#[derive(Default)]
struct Cx {
    problems: Vec<Problem>,
    warnings: Vec<String>,
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Loc {
    pub sheet: String,
    pub row: Option<usize>,
}

impl Loc {
    fn new(sheet: &str, row: usize) -> Self {
        Self {
            sheet: sheet.to_string(),
            row: Some(row),
        }
    }
}

struct Val {
    value: String,
    loc: Loc,
}

struct Meta {
    id: Val,
    sector: Val,
    title_zh: Val,
    title_en: Val,
    version: Val,
    effective: Val,
    comment: Option<Val>,
}

struct SourceRow {
    loc: Loc,
    key: String,
    title: String,
    number: Option<String>,
    effective: Option<String>,
    status: SourceStatus,
    comment: String,
}

/// The sheet names items refer to, as the author named them, for messages.
struct SheetNames {
    sources: String,
    questions: String,
}

#[derive(Default)]
struct Questions {
    rows: Vec<QuestionRow>,
    keys: BTreeMap<String, usize>,
}

struct QuestionRow {
    loc: Loc,
    key: String,
    zh: String,
    en: String,
    comment: String,
}

struct SectionRows {
    loc: Loc,
    id: String,
    zh: String,
    en: String,
    items: Vec<ItemRow>,
}

struct ItemRow {
    loc: Loc,
    id: String,
    zh: String,
    en: String,
    source: String,
    clause: String,
    major: bool,
    verification: Verification,
    guidance: String,
    applies_if: Vec<String>,
    evidence: EvidenceRule,
    comment: String,
}

/// A table sheet's header: which column holds which field, and the header as the author wrote it.
struct Header {
    cols: HashMap<&'static str, (usize, String)>,
}

impl Header {
    fn get<'r>(&self, row: &'r Row, key: &str) -> &'r str {
        self.cols.get(key).map_or("", |(i, _)| row.cell(*i))
    }

    /// The column's header as written in the sheet, for messages.
    fn name(&self, key: &str) -> String {
        self.cols
            .get(key)
            .map_or_else(String::new, |(_, h)| h.clone())
    }
}

impl Cx {
    fn problem(&mut self, sheet: &str, row: Option<usize>, reason: String) {
        self.problems.push(Problem {
            sheet: sheet.to_string(),
            row,
            reason,
        });
    }

    fn at(&mut self, loc: &Loc, reason: String) {
        self.problems.push(Problem {
            sheet: loc.sheet.clone(),
            row: loc.row,
            reason,
        });
    }

    fn warn(&mut self, sheet: &str, row: Option<usize>, note: &str) {
        self.warnings.push(
            Problem {
                sheet: sheet.to_string(),
                row,
                reason: note.to_string(),
            }
            .to_string(),
        );
    }

    /// The first non-empty row of a table block is its header; returns it with the data rows.
    fn header<'a>(
        &mut self,
        block: &Block<'a>,
        spec: &SheetSpec,
    ) -> Option<(Header, Vec<&'a Row>)> {
        let mut rows = block.rows.iter().copied().filter(|r| !r.is_empty());
        let Some(head) = rows.next() else {
            if spec.columns.iter().any(|c| c.required) && spec.kind != Kind::Questions {
                self.problem(
                    &block.name,
                    None,
                    "is empty: the first row names the columns, one row per entry follows".into(),
                );
            }
            return None;
        };
        let mut cols: HashMap<&'static str, (usize, String)> = HashMap::new();
        let mut unknown: Vec<String> = Vec::new();
        for (i, text) in head.cells.iter().enumerate() {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match spec.columns.iter().find(|c| c.matches(text)) {
                Some(column) => {
                    if let Some((_, first)) = cols.get(column.key) {
                        let reason = format!(
                            "columns {first:?} and {text:?} both mean {}; keep one",
                            column.header
                        );
                        self.problem(&block.name, Some(head.number), reason);
                    } else {
                        cols.insert(column.key, (i, text.to_string()));
                    }
                }
                None => {
                    unknown.push(format!("{text:?}"));
                    self.warn(
                        &block.name,
                        Some(head.number),
                        &format!("column {text:?} is not part of the layout and is ignored"),
                    );
                }
            }
        }
        let mut ok = true;
        for column in spec.columns.iter().filter(|c| c.required) {
            if !cols.contains_key(column.key) {
                ok = false;
                let mut reason = format!("missing required column {}", column.label());
                if !unknown.is_empty() {
                    reason += &format!(" (not recognised: {})", unknown.join(", "));
                }
                self.problem(&block.name, Some(head.number), reason);
            }
        }
        ok.then(|| (Header { cols }, rows.collect()))
    }

    /// A required text cell: the value, or a problem naming the column.
    fn required(&mut self, h: &Header, row: &Row, key: &str, loc: &Loc, why: &str) -> String {
        let v = h.get(row, key);
        if v.is_empty() {
            self.at(loc, format!("{} is empty{why}", h.name(key)));
        }
        v.to_string()
    }

    fn checklist_sheet(&mut self, block: &Block) -> Option<Meta> {
        let mut values: HashMap<&'static str, Val> = HashMap::new();
        for row in block.rows.iter().filter(|r| !r.is_empty()) {
            let field = row.cell(0);
            let value = row.cell(1).to_string();
            let loc = Loc::new(&block.name, row.number);
            let Some(column) = layout::CHECKLIST_FIELDS.iter().find(|c| c.matches(field)) else {
                let is_header = layout::CHECKLIST_HEADER_ALIASES
                    .iter()
                    .any(|a| layout::norm(a) == layout::norm(field));
                if !is_header {
                    self.warn(
                        &block.name,
                        Some(row.number),
                        &format!("{field:?} is not a checklist field and is ignored"),
                    );
                }
                continue;
            };
            if let Some(first) = values.get(column.key) {
                let reason = format!(
                    "{} given twice (also on row {})",
                    column.header,
                    first.loc.row.unwrap_or(0)
                );
                self.at(&loc, reason);
                continue;
            }
            values.insert(column.key, Val { value, loc });
        }
        let mut take = |cx: &mut Self, column: &Column| -> Option<Val> {
            match values.remove(column.key) {
                Some(v) if !v.value.is_empty() || !column.required => Some(v),
                Some(v) => {
                    cx.at(&v.loc, format!("{} is empty", column.header));
                    None
                }
                None if column.required => {
                    cx.problem(
                        &block.name,
                        None,
                        format!(
                            "missing {}: add a row with {} in the first column and its value in the second",
                            column.label(),
                            column.header
                        ),
                    );
                    None
                }
                None => None,
            }
        };
        let fields = layout::CHECKLIST_FIELDS;
        let field = |key: &str| fields.iter().find(|c| c.key == key).expect("known field");
        let id = take(self, field("id"));
        let sector = take(self, field("sector"));
        let title_zh = take(self, field("title_zh"));
        let title_en = take(self, field("title_en"));
        let version = take(self, field("version"));
        let effective = take(self, field("effective"));
        let comment = take(self, field("comment"));
        let (id, mut sector, title_zh, title_en, version, mut effective) =
            (id?, sector?, title_zh?, title_en?, version?, effective?);
        if !layout::is_slug(&id.value) {
            self.at(
                &id.loc,
                format!(
                    "编号 {:?} may only use letters, digits, - and _ (e.g. city-gas)",
                    id.value
                ),
            );
        }
        match layout::parse_sector(&sector.value) {
            Some(key) => sector.value = key.to_string(),
            None => {
                let known: Vec<String> = paicha_core::checklist::SECTORS
                    .iter()
                    .map(|(key, zh, _)| format!("{zh} ({key})"))
                    .collect();
                self.at(
                    &sector.loc,
                    format!(
                        "unknown 行业 {:?} (known: {})",
                        sector.value,
                        known.join(", ")
                    ),
                );
            }
        }
        match layout::parse_date(&effective.value) {
            Some(date) => effective.value = date,
            None => self.at(
                &effective.loc,
                format!(
                    "启用日期 must be a date YYYY-MM-DD (found {:?})",
                    effective.value
                ),
            ),
        }
        Some(Meta {
            id,
            sector,
            title_zh,
            title_en,
            version,
            effective,
            comment: comment.filter(|c| !c.value.is_empty()),
        })
    }

    fn sources_sheet(&mut self, block: &Block) -> Vec<SourceRow> {
        let Some((h, rows)) = self.header(block, layout::spec(Kind::Sources)) else {
            return Vec::new();
        };
        let mut out: Vec<SourceRow> = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for row in rows {
            let loc = Loc::new(&block.name, row.number);
            let key = self.required(&h, row, "key", &loc, "");
            let title = self.required(&h, row, "title", &loc, "");
            if !key.is_empty() {
                if let Some(first) = seen.get(&key) {
                    let reason =
                        format!("duplicate {} {key:?} (first on row {first})", h.name("key"));
                    self.at(&loc, reason);
                } else {
                    seen.insert(key.clone(), row.number);
                }
            }
            let number = Some(h.get(row, "number").to_string()).filter(|s| !s.is_empty());
            let effective = match h.get(row, "effective") {
                "" => None,
                text => match layout::parse_date(text) {
                    Some(date) => Some(date),
                    None => {
                        let reason = format!(
                            "{} must be a date YYYY-MM-DD or empty (found {text:?})",
                            h.name("effective")
                        );
                        self.at(&loc, reason);
                        None
                    }
                },
            };
            let status_text = h.get(row, "status");
            let status = layout::parse_status(status_text);
            if status.is_none() {
                let reason = format!(
                    "{} must be {} (found {status_text:?})",
                    h.name("status"),
                    layout::STATUS_WORDS
                );
                self.at(&loc, reason);
            }
            out.push(SourceRow {
                loc,
                key,
                title,
                number,
                effective,
                status: status.unwrap_or(SourceStatus::Unverified),
                comment: h.get(row, "comment").to_string(),
            });
        }
        if out.is_empty() && self.problems.is_empty() {
            self.problem(
                &block.name,
                None,
                "no sources: every item needs a legal basis from this sheet".into(),
            );
        }
        out
    }

    fn questions_sheet(&mut self, block: &Block) -> Questions {
        let Some((h, rows)) = self.header(block, layout::spec(Kind::Questions)) else {
            return Questions::default();
        };
        let mut out = Questions::default();
        for row in rows {
            let loc = Loc::new(&block.name, row.number);
            let key = self.required(&h, row, "key", &loc, "");
            if !key.is_empty() {
                if !layout::is_slug(&key) {
                    let reason = format!(
                        "{} {key:?} may only use letters, digits, - and _",
                        h.name("key")
                    );
                    self.at(&loc, reason);
                } else if let Some(first) = out.keys.get(&key) {
                    let reason =
                        format!("duplicate {} {key:?} (first on row {first})", h.name("key"));
                    self.at(&loc, reason);
                } else {
                    out.keys.insert(key.clone(), row.number);
                }
            }
            let zh = self.required(&h, row, "zh", &loc, "");
            let en = self.required(&h, row, "en", &loc, "");
            out.rows.push(QuestionRow {
                loc,
                key,
                zh,
                en,
                comment: h.get(row, "comment").to_string(),
            });
        }
        out
    }

    fn items_sheet(
        &mut self,
        block: &Block,
        sources: &[SourceRow],
        questions: &Questions,
        names: &SheetNames,
    ) -> Vec<SectionRows> {
        let Some((h, rows)) = self.header(block, layout::spec(Kind::Items)) else {
            return Vec::new();
        };
        let source_keys: Vec<&str> = sources.iter().map(|s| s.key.as_str()).collect();
        let mut sections: Vec<SectionRows> = Vec::new();
        // Section and item ids share one namespace: id -> (row, is a section).
        let mut ids: HashMap<String, (usize, bool)> = HashMap::new();
        for row in rows {
            let loc = Loc::new(&block.name, row.number);
            // The section: a new id starts one; an empty cell continues the one above.
            let section_id = h.get(row, "section_id");
            let (section_zh, section_en) = (h.get(row, "section_zh"), h.get(row, "section_en"));
            let continues = sections
                .last()
                .is_some_and(|s| section_id.is_empty() || s.id == section_id);
            if continues {
                let s = sections.last().expect("checked");
                for (key, given, known) in [
                    ("section_zh", section_zh, &s.zh),
                    ("section_en", section_en, &s.en),
                ] {
                    if !given.is_empty() && given != known {
                        let reason = format!(
                            "{} {given:?} differs from {known:?} on row {} for section {:?}; \
                             a section's rows must agree (or leave the cell empty)",
                            h.name(key),
                            s.loc.row.unwrap_or(0),
                            s.id
                        );
                        self.at(&loc, reason);
                    }
                }
            } else if section_id.is_empty() {
                let reason = format!(
                    "{} is empty: the first item needs a section",
                    h.name("section_id")
                );
                self.at(&loc, reason);
                continue;
            } else {
                if !layout::is_slug(section_id) {
                    let reason = format!(
                        "{} {section_id:?} may only use letters, digits, - and _",
                        h.name("section_id")
                    );
                    self.at(&loc, reason);
                } else if let Some(&(first, is_section)) = ids.get(section_id) {
                    let reason = if is_section {
                        format!(
                            "section {section_id:?} already ended (it started on row {first}); \
                             keep a section's rows together"
                        )
                    } else {
                        format!(
                            "section id {section_id:?} is already an item id (row {first}); \
                             sections and items share one set of ids"
                        )
                    };
                    self.at(&loc, reason);
                } else {
                    ids.insert(section_id.to_string(), (row.number, true));
                }
                let why = " (the first row of a section names it)";
                let zh = self.required(&h, row, "section_zh", &loc, why);
                let en = self.required(&h, row, "section_en", &loc, why);
                sections.push(SectionRows {
                    loc: loc.clone(),
                    id: section_id.to_string(),
                    zh,
                    en,
                    items: Vec::new(),
                });
            }
            // The item.
            let id = self.required(&h, row, "id", &loc, "");
            if !id.is_empty() {
                if !layout::is_slug(&id) {
                    let reason = format!(
                        "{} {id:?} may only use letters, digits, - and _ (e.g. FW-01)",
                        h.name("id")
                    );
                    self.at(&loc, reason);
                } else if let Some(&(first, is_section)) = ids.get(&id) {
                    let reason = if is_section {
                        format!("id {id:?} is already a section id (row {first})")
                    } else {
                        format!("duplicate id {id:?} (first on row {first})")
                    };
                    self.at(&loc, reason);
                } else {
                    ids.insert(id.clone(), (row.number, false));
                }
            }
            let zh = self.required(&h, row, "zh", &loc, "");
            let en = self.required(&h, row, "en", &loc, "");
            let source =
                self.required(&h, row, "source", &loc, " (every item needs a legal basis)");
            if !source.is_empty() && !source_keys.contains(&source.as_str()) {
                let reason = format!(
                    "{} {source:?} is not a 简称 in sheet {} (known: {})",
                    h.name("source"),
                    names.sources,
                    source_keys.join(", ")
                );
                self.at(&loc, reason);
            }
            let clause = self.required(
                &h,
                row,
                "clause",
                &loc,
                " (write 条款待核实 when the clause is not known)",
            );
            let major_text = h.get(row, "major");
            let major = layout::parse_major(major_text);
            if major.is_none() {
                let reason = format!(
                    "{} must be {} (found {major_text:?})",
                    h.name("major"),
                    layout::MAJOR_WORDS
                );
                self.at(&loc, reason);
            }
            let mark_text = h.get(row, "verification");
            let verification = layout::parse_verification(mark_text);
            if verification.is_none() {
                let reason = format!(
                    "{} must be {} (found {mark_text:?})",
                    h.name("verification"),
                    layout::VERIFICATION_WORDS
                );
                self.at(&loc, reason);
            }
            let evidence_text = h.get(row, "evidence");
            let evidence = layout::parse_evidence(evidence_text);
            if evidence.is_none() {
                let reason = format!(
                    "{} must be {} or empty (found {evidence_text:?})",
                    h.name("evidence"),
                    layout::EVIDENCE_WORDS
                );
                self.at(&loc, reason);
            }
            let applies_if = layout::split_keys(h.get(row, "applies_if"));
            for key in &applies_if {
                if !questions.keys.contains_key(key) {
                    let known: Vec<&str> = questions.keys.keys().map(String::as_str).collect();
                    let reason = format!(
                        "{} {key:?} is not a 问题编号 in sheet {} (known: {})",
                        h.name("applies_if"),
                        names.questions,
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    );
                    self.at(&loc, reason);
                }
            }
            let item = ItemRow {
                loc,
                id,
                zh,
                en,
                source,
                clause,
                major: major.unwrap_or(false),
                verification: verification.unwrap_or(Verification::Paraphrase),
                guidance: h.get(row, "guidance").to_string(),
                applies_if,
                evidence: evidence.unwrap_or_default(),
                comment: h.get(row, "comment").to_string(),
            };
            if let Some(section) = sections.last_mut() {
                section.items.push(item);
            }
        }
        if sections.is_empty() && self.problems.is_empty() {
            self.problem(&block.name, None, "no items: add one row per item".into());
        }
        sections
    }
}

/// The TOML text being written, with the spreadsheet location of every line.
pub(super) struct Out {
    pub text: String,
    pub lines: Vec<Loc>,
}

impl Out {
    fn line(&mut self, loc: &Loc, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
        self.lines.push(loc.clone());
    }

    fn comment(&mut self, loc: &Loc, comment: &str) {
        for line in comment.trim_end().lines() {
            let line: String = line
                .trim_end()
                .chars()
                .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
                .collect();
            if line.is_empty() {
                self.line(loc, "#");
            } else {
                self.line(loc, &format!("# {line}"));
            }
        }
    }

    fn field(&mut self, loc: &Loc, key: &str, value: &str) {
        self.line(loc, &format!("{key} = {}", quote(value)));
    }

    /// A validation error at `line` of the text, reported at the row that line came from.
    pub fn problem_at_line(&self, line: usize, reason: String) -> Problem {
        let loc = self
            .lines
            .get(line.saturating_sub(1))
            .or(self.lines.last())
            .cloned()
            .unwrap_or(Loc {
                sheet: String::new(),
                row: None,
            });
        Problem {
            sheet: loc.sheet,
            row: loc.row,
            reason,
        }
    }
}

/// A TOML basic string: `"` and `\` escaped, control characters as escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_toml(
    meta: &Meta,
    sources: &[SourceRow],
    questions: &Questions,
    sections: &[SectionRows],
) -> Out {
    let mut out = Out {
        text: String::new(),
        lines: Vec::new(),
    };
    if let Some(comment) = &meta.comment {
        out.comment(&comment.loc, &comment.value);
    }
    out.field(&meta.id.loc, "id", &meta.id.value);
    out.field(&meta.sector.loc, "sector", &meta.sector.value);
    out.field(&meta.version.loc, "version", &meta.version.value);
    out.field(&meta.effective.loc, "effective", &meta.effective.value);
    out.line(
        &meta.title_zh.loc,
        &format!(
            "title = {{ zh = {}, en = {} }}",
            quote(&meta.title_zh.value),
            quote(&meta.title_en.value)
        ),
    );
    for s in sources {
        let loc = &s.loc;
        out.line(loc, "");
        out.comment(loc, &s.comment);
        out.line(loc, "[[sources]]");
        out.field(loc, "key", &s.key);
        out.field(loc, "title", &s.title);
        if let Some(number) = &s.number {
            out.field(loc, "number", number);
        }
        if let Some(effective) = &s.effective {
            out.field(loc, "effective", effective);
        }
        out.field(loc, "status", status_key(s.status));
    }
    for q in &questions.rows {
        let loc = &q.loc;
        out.line(loc, "");
        out.comment(loc, &q.comment);
        out.line(loc, "[[questions]]");
        out.field(loc, "key", &q.key);
        out.field(loc, "zh", &q.zh);
        out.field(loc, "en", &q.en);
    }
    for section in sections {
        let loc = &section.loc;
        out.line(loc, "");
        out.line(loc, "[[sections]]");
        out.field(loc, "id", &section.id);
        out.line(
            loc,
            &format!(
                "title = {{ zh = {}, en = {} }}",
                quote(&section.zh),
                quote(&section.en)
            ),
        );
        for item in &section.items {
            let loc = &item.loc;
            out.line(loc, "");
            out.comment(loc, &item.comment);
            out.line(loc, "[[sections.items]]");
            out.field(loc, "id", &item.id);
            out.field(loc, "zh", &item.zh);
            out.field(loc, "en", &item.en);
            out.line(
                loc,
                &format!(
                    "basis = {{ source = {}, clause = {} }}",
                    quote(&item.source),
                    quote(&item.clause)
                ),
            );
            out.line(loc, &format!("major = {}", item.major));
            out.field(loc, "verification", verification_key(item.verification));
            if !item.applies_if.is_empty() {
                let keys: Vec<String> = item.applies_if.iter().map(|k| quote(k)).collect();
                out.line(loc, &format!("applies_if = [{}]", keys.join(", ")));
            }
            if item.evidence != EvidenceRule::None {
                out.field(loc, "evidence", evidence_key(item.evidence));
            }
            if !item.guidance.is_empty() {
                out.field(loc, "guidance", &item.guidance);
            }
        }
    }
    out
}

fn status_key(s: SourceStatus) -> &'static str {
    match s {
        SourceStatus::InForce => "in_force",
        SourceStatus::Superseded => "superseded",
        SourceStatus::Unverified => "unverified",
    }
}

fn verification_key(v: Verification) -> &'static str {
    match v {
        Verification::Verbatim => "verbatim",
        Verification::Fragment => "fragment",
        Verification::Paraphrase => "paraphrase",
    }
}

fn evidence_key(e: EvidenceRule) -> &'static str {
    match e {
        EvidenceRule::None => "none",
        EvidenceRule::PhotoIfHazard => "photo_if_hazard",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validation_error_in_the_text_is_reported_at_the_row_that_wrote_the_line() {
        let csv = "[检查表]\n编号,t\n行业,烟花爆竹\n标题,标题\n英文标题,Title\n版本,1\n启用日期,2026-01-02\n\
                   [依据]\n简称,文件名称,状态\nsrc,文件,现行\n\
                   [条目]\n章节编号,章节名称,章节英文,编号,条文,English,依据文件,条款,重大隐患,核验\n\
                   s,分组,Group,A-01,条文,Text,src,第一条,是,原文\n\
                   ,,,A-02,条文二,Text 2,src,第二条,否,转述\n";
        let book = Workbook::from_csv("t.csv", csv.as_bytes()).unwrap();
        let converted = convert(&book, None).unwrap();
        // Break the second item in the written text as a later check might, keeping its lines.
        let text = converted.toml.replace(
            "source = \"src\", clause = \"第二条\"",
            "source = \"nope\", clause = \"第二条\"",
        );
        let err = Checklist::from_toml("t.toml", &text).unwrap_err();
        // Rebuild the line map as convert() does and map the error back.
        let mut cx = Cx::default();
        let blocks = blocks(&book);
        let by = |name: &str| blocks.iter().find(|b| b.name == name).unwrap();
        let meta = cx.checklist_sheet(by("检查表")).unwrap();
        let sources = cx.sources_sheet(by("依据"));
        let names = SheetNames {
            sources: "依据".into(),
            questions: "适用性".into(),
        };
        let sections = cx.items_sheet(by("条目"), &sources, &Questions::default(), &names);
        let out = write_toml(&meta, &sources, &Questions::default(), &sections);
        assert_eq!(out.text, converted.toml);
        let problem = out.problem_at_line(err.line, err.reason);
        assert_eq!(
            problem.to_string(),
            "条目!14: item A-02: basis names unknown source \"nope\""
        );
    }

    #[test]
    fn quoting_escapes_what_toml_needs() {
        assert_eq!(quote("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
        assert_eq!(quote("（\"五落实\"）"), "\"（\\\"五落实\\\"）\"");
    }
}
