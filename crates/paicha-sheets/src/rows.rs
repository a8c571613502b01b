//! From spreadsheet rows to a checklist file: every row is checked first (so that each error
//! names its row), then the TOML text is written with a map from its lines back to the rows that
//! produced them, and finally the domain crate's validation runs on that text; any error it still
//! finds is reported at the row its line came from. Every message says what is wrong in Chinese,
//! then in English.

use crate::layout::{self, Column, Kind, SheetSpec};
use crate::read::{Row, Workbook};
use crate::{Problem, Problems};
use paicha_core::Checklist;
use paicha_core::checklist::{EvidenceKind, PhotoRule, SourceStatus, Verification};
use std::collections::{BTreeMap, HashMap};

/// "中文 / English": how every message reads.
fn bi(zh: impl std::fmt::Display, en: impl std::fmt::Display) -> String {
    format!("{zh} / {en}")
}

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
                    bi(
                        "第一个 [检查表]/[依据]/[适用性]/[条目] 行之前的内容被忽略",
                        "rows before the first [检查表]/[依据]/[适用性]/[条目] line are ignored",
                    )
                } else {
                    bi(
                        format!("[{}] 不是规定的块，其中各行被忽略", block.name),
                        format!(
                            "[{}] is not a block of the layout; its rows are ignored",
                            block.name
                        ),
                    )
                };
                cx.warn(&block.name, Some(first.number), &note);
            }
            continue;
        };
        if let Some(other) = by_kind.get(&kind) {
            let sheet = layout::spec(kind).name;
            cx.problem(
                &book.name,
                None,
                bi(
                    format!(
                        "{} 和 {} 都是「{sheet}」表，只保留一个",
                        other.name, block.name
                    ),
                    format!(
                        "both {} and {} are {sheet} sheets; keep one",
                        other.name, block.name
                    ),
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
            "无 none".to_string()
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
            let name = spec.name;
            let reason = if book.is_csv {
                bi(
                    format!(
                        "缺少 [{name}] 块（以只含 [{name}] 的一行开始）；现有的块：{}",
                        found()
                    ),
                    format!(
                        "no [{name}] block (a line holding only [{name}] starts it); blocks found: {}",
                        found()
                    ),
                )
            } else {
                bi(
                    format!("缺少工作表 {wanted}；现有的工作表：{}", found()),
                    format!("no sheet {wanted}; sheets found: {}", found()),
                )
            };
            cx.problem(&book.name, None, reason);
        }
    }
    if !cx.problems.is_empty() {
        return Err(Problems(cx.problems));
    }
    let meta = cx.checklist_sheet(&by_kind[&Kind::Checklist]);
    let changelog = by_kind
        .get(&Kind::Changelog)
        .map(|b| cx.changelog_sheet(b))
        .unwrap_or_default();
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
        items: by_kind[&Kind::Items].name.clone(),
    };
    let mut sections = cx.items_sheet(&by_kind[&Kind::Items], &sources, &questions, &names);
    if let Some(block) = by_kind.get(&Kind::Conditions) {
        cx.conditions_sheet(block, &mut sections, &questions, &names);
    }
    if !cx.problems.is_empty() {
        return Err(Problems(cx.problems));
    }
    let Some(meta) = meta else {
        return Err(Problems(cx.problems));
    };
    let out = write_toml(&meta, &changelog, &sources, &questions, &sections);
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
    issuer: Option<Val>,
    region: Option<Val>,
    supersedes: Option<Val>,
    comment: Option<Val>,
}

struct ChangeRow {
    loc: Loc,
    version: String,
    date: String,
    zh: String,
    en: String,
}

struct SourceRow {
    loc: Loc,
    key: String,
    title: String,
    number: Option<String>,
    effective: Option<String>,
    status: SourceStatus,
    issuer: Option<String>,
    published: Option<String>,
    checked_on: Option<String>,
    replaced_by: Option<String>,
    note: Option<String>,
    text_from: Option<String>,
    document: Option<String>,
    comment: String,
}

/// The sheet names items refer to, as the author named them, for messages.
struct SheetNames {
    sources: String,
    questions: String,
    items: String,
}

#[derive(Default)]
struct Questions {
    rows: Vec<QuestionRow>,
    keys: BTreeMap<String, usize>,
}

impl Questions {
    /// The known keys, for messages.
    fn known(&self) -> String {
        if self.keys.is_empty() {
            "无 none".to_string()
        } else {
            self.keys.keys().cloned().collect::<Vec<_>>().join(", ")
        }
    }
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
    evidence: EvidenceKind,
    unit: String,
    evidence_what: String,
    photos: PhotoRule,
    conditions: Vec<ConditionRow>,
    comment: String,
}

struct ConditionRow {
    loc: Loc,
    zh: String,
    en: String,
    question: Option<String>,
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

    /// A cell that must be a date (or empty): `YYYY-MM-DD`, or a problem.
    fn date(&self, cx: &mut Cx, row: &Row, key: &str, loc: &Loc) -> Option<String> {
        match self.get(row, key) {
            "" => None,
            text => match layout::parse_date(text) {
                Some(date) => Some(date),
                None => {
                    let name = self.name(key);
                    cx.at(
                        loc,
                        bi(
                            format!("{name} 须是日期 YYYY-MM-DD 或空着（写的是 {text:?}）"),
                            format!("{name} must be a date YYYY-MM-DD or empty (found {text:?})"),
                        ),
                    );
                    None
                }
            },
        }
    }

    fn optional(&self, row: &Row, key: &str) -> Option<String> {
        Some(self.get(row, key).to_string()).filter(|s| !s.is_empty())
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
            let optional = matches!(
                spec.kind,
                Kind::Questions | Kind::Conditions | Kind::Changelog
            );
            if !optional {
                self.problem(
                    &block.name,
                    None,
                    bi(
                        "是空的：第一行写列名，其下每行一项",
                        "is empty: the first row names the columns, one row per entry follows",
                    ),
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
                        let header = column.header;
                        let reason = bi(
                            format!("列 {first:?} 和 {text:?} 都表示「{header}」，只保留一列"),
                            format!("columns {first:?} and {text:?} both mean {header}; keep one"),
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
                        &bi(
                            format!("列 {text:?} 不在规定的格式中，被忽略"),
                            format!("column {text:?} is not part of the layout and is ignored"),
                        ),
                    );
                }
            }
        }
        let mut ok = true;
        for column in spec.columns.iter().filter(|c| c.required) {
            if !cols.contains_key(column.key) {
                ok = false;
                let label = column.label();
                let (zh_more, en_more) = if unknown.is_empty() {
                    (String::new(), String::new())
                } else {
                    (
                        format!("（不认识的列：{}）", unknown.join("、")),
                        format!(" (not recognised: {})", unknown.join(", ")),
                    )
                };
                let reason = bi(
                    format!("缺少必填列 {label}{zh_more}"),
                    format!("missing required column {label}{en_more}"),
                );
                self.problem(&block.name, Some(head.number), reason);
            }
        }
        ok.then(|| (Header { cols }, rows.collect()))
    }

    /// A required text cell: the value, or a problem naming the column; `why` is the hint
    /// added to the message, in Chinese and English.
    fn required(
        &mut self,
        h: &Header,
        row: &Row,
        key: &str,
        loc: &Loc,
        why: (&str, &str),
    ) -> String {
        let v = h.get(row, key);
        if v.is_empty() {
            let name = h.name(key);
            self.at(
                loc,
                bi(
                    format!("{name} 为空{}", why.0),
                    format!("{name} is empty{}", why.1),
                ),
            );
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
                        &bi(
                            format!("{field:?} 不是检查表的字段，被忽略"),
                            format!("{field:?} is not a checklist field and is ignored"),
                        ),
                    );
                }
                continue;
            };
            if let Some(first) = values.get(column.key) {
                let (header, first) = (column.header, first.loc.row.unwrap_or(0));
                let reason = bi(
                    format!("{header} 写了两次（另见第 {first} 行）"),
                    format!("{header} given twice (also on row {first})"),
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
                    let header = column.header;
                    cx.at(
                        &v.loc,
                        bi(format!("{header} 为空"), format!("{header} is empty")),
                    );
                    None
                }
                None if column.required => {
                    let (label, header) = (column.label(), column.header);
                    cx.problem(
                        &block.name,
                        None,
                        bi(
                            format!("缺少 {label}：加一行，第一列写 {header}，第二列写内容"),
                            format!(
                                "missing {label}: add a row with {header} in the first column and its value in the second"
                            ),
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
        let issuer = take(self, field("issuer"));
        let region = take(self, field("region"));
        let supersedes = take(self, field("supersedes"));
        let comment = take(self, field("comment"));
        let (id, mut sector, title_zh, title_en, version, mut effective) =
            (id?, sector?, title_zh?, title_en?, version?, effective?);
        if !layout::is_slug(&id.value) {
            let v = &id.value;
            self.at(
                &id.loc,
                bi(
                    format!("编号 {v:?} 只能用英文字母、数字、- 和 _（如 city-gas）"),
                    format!("编号 {v:?} may only use letters, digits, - and _ (e.g. city-gas)"),
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
                let v = &sector.value;
                self.at(
                    &sector.loc,
                    bi(
                        format!("未知行业 {v:?}（可用：{}）", known.join("、")),
                        format!("unknown 行业 {v:?} (known: {})", known.join(", ")),
                    ),
                );
            }
        }
        match layout::parse_date(&effective.value) {
            Some(date) => effective.value = date,
            None => {
                let v = &effective.value;
                self.at(
                    &effective.loc,
                    bi(
                        format!("启用日期须写作 YYYY-MM-DD（写的是 {v:?}）"),
                        format!("启用日期 must be a date YYYY-MM-DD (found {v:?})"),
                    ),
                )
            }
        }
        let nonempty = |v: Option<Val>| v.filter(|c| !c.value.is_empty());
        Some(Meta {
            id,
            sector,
            title_zh,
            title_en,
            version,
            effective,
            issuer: nonempty(issuer),
            region: nonempty(region),
            supersedes: nonempty(supersedes),
            comment: nonempty(comment),
        })
    }

    fn changelog_sheet(&mut self, block: &Block) -> Vec<ChangeRow> {
        let Some((h, rows)) = self.header(block, layout::spec(Kind::Changelog)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for row in rows {
            let loc = Loc::new(&block.name, row.number);
            let version = self.required(&h, row, "version", &loc, ("", ""));
            let date_text = self.required(&h, row, "date", &loc, ("", ""));
            let date = if date_text.is_empty() {
                String::new()
            } else {
                h.date(self, row, "date", &loc).unwrap_or_default()
            };
            let zh = self.required(
                &h,
                row,
                "zh",
                &loc,
                ("（写明改了什么）", " (say what changed)"),
            );
            out.push(ChangeRow {
                loc,
                version,
                date,
                zh,
                en: h.get(row, "en").to_string(),
            });
        }
        out
    }

    fn sources_sheet(&mut self, block: &Block) -> Vec<SourceRow> {
        let Some((h, rows)) = self.header(block, layout::spec(Kind::Sources)) else {
            return Vec::new();
        };
        let mut out: Vec<SourceRow> = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for row in rows {
            let loc = Loc::new(&block.name, row.number);
            let key = self.required(&h, row, "key", &loc, ("", ""));
            let title = self.required(&h, row, "title", &loc, ("", ""));
            if !key.is_empty() {
                if let Some(first) = seen.get(&key) {
                    let name = h.name("key");
                    let reason = bi(
                        format!("{name} {key:?} 重复（第一次在第 {first} 行）"),
                        format!("duplicate {name} {key:?} (first on row {first})"),
                    );
                    self.at(&loc, reason);
                } else {
                    seen.insert(key.clone(), row.number);
                }
            }
            let effective = h.date(self, row, "effective", &loc);
            let published = h.date(self, row, "published", &loc);
            let checked_on = h.date(self, row, "checked_on", &loc);
            let status_text = h.get(row, "status");
            let status = layout::parse_status(status_text);
            if status.is_none() {
                let (name, words) = (h.name("status"), layout::STATUS_WORDS);
                let reason = bi(
                    format!("{name} 须是 {words}（写的是 {status_text:?}）"),
                    format!("{name} must be {words} (found {status_text:?})"),
                );
                self.at(&loc, reason);
            }
            let replaced_by = h.optional(row, "replaced_by");
            if status == Some(SourceStatus::Superseded) && replaced_by.is_none() {
                let (name, by) = (h.name("status"), layout::spec(Kind::Sources).columns);
                let column = by
                    .iter()
                    .find(|c| c.key == "replaced_by")
                    .expect("column")
                    .label();
                let reason = bi(
                    format!("{name} 是废止（已被代替），须在 {column} 写明由什么代替"),
                    format!("{name} says superseded: name what replaced it in {column}"),
                );
                self.at(&loc, reason);
            }
            out.push(SourceRow {
                loc,
                key,
                title,
                number: h.optional(row, "number"),
                effective,
                status: status.unwrap_or(SourceStatus::Unverified),
                issuer: h.optional(row, "issuer"),
                published,
                checked_on,
                replaced_by,
                note: h.optional(row, "note"),
                text_from: h.optional(row, "text_from"),
                document: h.optional(row, "document"),
                comment: h.get(row, "comment").to_string(),
            });
        }
        if out.is_empty() && self.problems.is_empty() {
            self.problem(
                &block.name,
                None,
                bi(
                    "没有依据文件：每个条目都要引用本表中的依据",
                    "no sources: every item needs a legal basis from this sheet",
                ),
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
            let key = self.required(&h, row, "key", &loc, ("", ""));
            if !key.is_empty() {
                let name = h.name("key");
                if !layout::is_slug(&key) {
                    let reason = bi(
                        format!("{name} {key:?} 只能用英文字母、数字、- 和 _"),
                        format!("{name} {key:?} may only use letters, digits, - and _"),
                    );
                    self.at(&loc, reason);
                } else if let Some(first) = out.keys.get(&key) {
                    let reason = bi(
                        format!("{name} {key:?} 重复（第一次在第 {first} 行）"),
                        format!("duplicate {name} {key:?} (first on row {first})"),
                    );
                    self.at(&loc, reason);
                } else {
                    out.keys.insert(key.clone(), row.number);
                }
            }
            let zh = self.required(&h, row, "zh", &loc, ("", ""));
            let en = self.required(&h, row, "en", &loc, ("", ""));
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
                        let (name, first, id) = (h.name(key), s.loc.row.unwrap_or(0), &s.id);
                        let reason = bi(
                            format!(
                                "{name} {given:?} 与第 {first} 行的 {known:?} 不同（分组 {id:?}）；同一分组各行须一致，或者留空"
                            ),
                            format!(
                                "{name} {given:?} differs from {known:?} on row {first} for section {id:?}; \
                                 a section's rows must agree (or leave the cell empty)"
                            ),
                        );
                        self.at(&loc, reason);
                    }
                }
            } else if section_id.is_empty() {
                let name = h.name("section_id");
                let reason = bi(
                    format!("{name} 为空：第一个条目须写分组"),
                    format!("{name} is empty: the first item needs a section"),
                );
                self.at(&loc, reason);
                continue;
            } else {
                let name = h.name("section_id");
                if !layout::is_slug(section_id) {
                    let reason = bi(
                        format!("{name} {section_id:?} 只能用英文字母、数字、- 和 _"),
                        format!("{name} {section_id:?} may only use letters, digits, - and _"),
                    );
                    self.at(&loc, reason);
                } else if let Some(&(first, is_section)) = ids.get(section_id) {
                    let reason = if is_section {
                        bi(
                            format!(
                                "分组 {section_id:?} 已经结束（从第 {first} 行开始）；同一分组的行须连在一起"
                            ),
                            format!(
                                "section {section_id:?} already ended (it started on row {first}); \
                                 keep a section's rows together"
                            ),
                        )
                    } else {
                        bi(
                            format!(
                                "分组编号 {section_id:?} 已是条目编号（第 {first} 行）；分组和条目共用一套编号"
                            ),
                            format!(
                                "section id {section_id:?} is already an item id (row {first}); \
                                 sections and items share one set of ids"
                            ),
                        )
                    };
                    self.at(&loc, reason);
                } else {
                    ids.insert(section_id.to_string(), (row.number, true));
                }
                let why = (
                    "（分组第一行须写分组名称）",
                    " (the first row of a section names it)",
                );
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
            let id = self.required(&h, row, "id", &loc, ("", ""));
            if !id.is_empty() {
                let name = h.name("id");
                if !layout::is_slug(&id) {
                    let reason = bi(
                        format!("{name} {id:?} 只能用英文字母、数字、- 和 _（如 FW-01）"),
                        format!("{name} {id:?} may only use letters, digits, - and _ (e.g. FW-01)"),
                    );
                    self.at(&loc, reason);
                } else if let Some(&(first, is_section)) = ids.get(&id) {
                    let reason = if is_section {
                        bi(
                            format!("编号 {id:?} 已是分组编号（第 {first} 行）"),
                            format!("id {id:?} is already a section id (row {first})"),
                        )
                    } else {
                        bi(
                            format!("编号 {id:?} 重复（第一次在第 {first} 行）"),
                            format!("duplicate id {id:?} (first on row {first})"),
                        )
                    };
                    self.at(&loc, reason);
                } else {
                    ids.insert(id.clone(), (row.number, false));
                }
            }
            let zh = self.required(&h, row, "zh", &loc, ("", ""));
            let en = self.required(&h, row, "en", &loc, ("", ""));
            let source = self.required(
                &h,
                row,
                "source",
                &loc,
                (
                    "（每个条目都要有依据）",
                    " (every item needs a legal basis)",
                ),
            );
            if !source.is_empty() && !source_keys.contains(&source.as_str()) {
                let (name, sheet, known) =
                    (h.name("source"), &names.sources, source_keys.join(", "));
                let reason = bi(
                    format!("{name} {source:?} 不是「{sheet}」表中的简称（已有：{known}）"),
                    format!("{name} {source:?} is not a 简称 in sheet {sheet} (known: {known})"),
                );
                self.at(&loc, reason);
            }
            let clause = self.required(
                &h,
                row,
                "clause",
                &loc,
                (
                    "（条款不明时写 条款待核实）",
                    " (write 条款待核实 when the clause is not known)",
                ),
            );
            let word = |cx: &mut Self, key: &str, words: &str, text: &str, or_empty: bool| {
                let name = h.name(key);
                let (zh_empty, en_empty) = if or_empty {
                    ("或空着", " or empty")
                } else {
                    ("", "")
                };
                cx.at(
                    &loc,
                    bi(
                        format!("{name} 须是 {words}{zh_empty}（写的是 {text:?}）"),
                        format!("{name} must be {words}{en_empty} (found {text:?})"),
                    ),
                );
            };
            let major_text = h.get(row, "major");
            let major = layout::parse_major(major_text);
            if major.is_none() {
                word(self, "major", layout::MAJOR_WORDS, major_text, false);
            }
            let mark_text = h.get(row, "verification");
            let verification = layout::parse_verification(mark_text);
            if verification.is_none() {
                word(
                    self,
                    "verification",
                    layout::VERIFICATION_WORDS,
                    mark_text,
                    false,
                );
            }
            let evidence_text = h.get(row, "evidence");
            let evidence = layout::parse_evidence(evidence_text);
            if evidence.is_none() {
                word(
                    self,
                    "evidence",
                    layout::EVIDENCE_WORDS,
                    evidence_text,
                    true,
                );
            }
            let photos_text = h.get(row, "photos");
            let photos = layout::parse_photos(photos_text);
            if photos.is_none() {
                word(self, "photos", layout::PHOTO_WORDS, photos_text, true);
            }
            let unit = h.get(row, "unit").to_string();
            if evidence == Some(EvidenceKind::Measurement) && unit.is_empty() {
                let (name, unit_col) = (h.name("evidence"), h.name("unit"));
                let unit_col = if unit_col.is_empty() {
                    "单位".to_string()
                } else {
                    unit_col
                };
                self.at(
                    &loc,
                    bi(
                        format!("{name} 是测量，须在 {unit_col} 列写单位（如 m、%、MPa）"),
                        format!("{name} is a measurement: give its unit in {unit_col} (m, %, MPa)"),
                    ),
                );
            }
            let applies_if = layout::split_keys(h.get(row, "applies_if"));
            for key in &applies_if {
                if !questions.keys.contains_key(key) {
                    let (name, sheet, known) =
                        (h.name("applies_if"), &names.questions, questions.known());
                    let reason = bi(
                        format!("{name} {key:?} 不是「{sheet}」表中的问题编号（已有：{known}）"),
                        format!(
                            "{name} {key:?} is not a 问题编号 in sheet {sheet} (known: {known})"
                        ),
                    );
                    self.at(&loc, reason);
                }
            }
            let item = ItemRow {
                loc: loc.clone(),
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
                unit,
                evidence_what: h.get(row, "evidence_what").to_string(),
                photos: photos.unwrap_or_default(),
                conditions: Vec::new(),
                comment: h.get(row, "comment").to_string(),
            };
            if let Some(section) = sections.last_mut() {
                section.items.push(item);
            }
        }
        if sections.is_empty() && self.problems.is_empty() {
            self.problem(
                &block.name,
                None,
                bi("没有条目：每个条目写一行", "no items: add one row per item"),
            );
        }
        sections
    }

    /// Attaches each condition row to its item, in row order.
    fn conditions_sheet(
        &mut self,
        block: &Block,
        sections: &mut [SectionRows],
        questions: &Questions,
        names: &SheetNames,
    ) {
        let Some((h, rows)) = self.header(block, layout::spec(Kind::Conditions)) else {
            return;
        };
        for row in rows {
            let loc = Loc::new(&block.name, row.number);
            let item_id = self.required(&h, row, "item", &loc, ("", ""));
            let zh = self.required(&h, row, "zh", &loc, ("", ""));
            let en = self.required(&h, row, "en", &loc, ("", ""));
            let question = Some(h.get(row, "question").to_string()).filter(|q| !q.is_empty());
            if let Some(key) = &question
                && !questions.keys.contains_key(key)
            {
                let (name, sheet, known) =
                    (h.name("question"), &names.questions, questions.known());
                self.at(
                    &loc,
                    bi(
                        format!("{name} {key:?} 不是「{sheet}」表中的问题编号（已有：{known}）"),
                        format!(
                            "{name} {key:?} is not a 问题编号 in sheet {sheet} (known: {known})"
                        ),
                    ),
                );
            }
            if item_id.is_empty() {
                continue;
            }
            let item = sections
                .iter_mut()
                .flat_map(|s| s.items.iter_mut())
                .find(|i| i.id == item_id);
            match item {
                Some(item) => item.conditions.push(ConditionRow {
                    loc,
                    zh,
                    en,
                    question,
                }),
                None => {
                    let (name, sheet) = (h.name("item"), &names.items);
                    self.at(
                        &loc,
                        bi(
                            format!("{name} {item_id:?} 不是「{sheet}」表中的条目编号"),
                            format!("{name} {item_id:?} is not an item id in sheet {sheet}"),
                        ),
                    );
                }
            }
        }
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
    changelog: &[ChangeRow],
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
    for (key, value) in [
        ("issuer", &meta.issuer),
        ("region", &meta.region),
        ("supersedes", &meta.supersedes),
    ] {
        if let Some(v) = value {
            out.field(&v.loc, key, &v.value);
        }
    }
    for c in changelog {
        let loc = &c.loc;
        out.line(loc, "");
        out.line(loc, "[[changelog]]");
        out.field(loc, "version", &c.version);
        out.field(loc, "date", &c.date);
        out.field(loc, "zh", &c.zh);
        if !c.en.is_empty() {
            out.field(loc, "en", &c.en);
        }
    }
    for s in sources {
        let loc = &s.loc;
        out.line(loc, "");
        out.comment(loc, &s.comment);
        out.line(loc, "[[sources]]");
        out.field(loc, "key", &s.key);
        out.field(loc, "title", &s.title);
        for (key, value) in [
            ("number", &s.number),
            ("issuer", &s.issuer),
            ("published", &s.published),
            ("effective", &s.effective),
        ] {
            if let Some(v) = value {
                out.field(loc, key, v);
            }
        }
        out.field(loc, "status", s.status.key());
        for (key, value) in [
            ("checked_on", &s.checked_on),
            ("replaced_by", &s.replaced_by),
            ("note", &s.note),
            ("text_from", &s.text_from),
            ("document", &s.document),
        ] {
            if let Some(v) = value {
                out.field(loc, key, v);
            }
        }
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
            out.field(loc, "verification", item.verification.key());
            if !item.applies_if.is_empty() {
                let keys: Vec<String> = item.applies_if.iter().map(|k| quote(k)).collect();
                out.line(loc, &format!("applies_if = [{}]", keys.join(", ")));
            }
            let mut evidence = Vec::new();
            if item.evidence != EvidenceKind::None
                || item.photos != PhotoRule::Allowed
                || !item.unit.is_empty()
                || !item.evidence_what.is_empty()
            {
                evidence.push(format!("kind = {}", quote(item.evidence.key())));
            }
            if !item.unit.is_empty() {
                evidence.push(format!("unit = {}", quote(&item.unit)));
            }
            if !item.evidence_what.is_empty() {
                evidence.push(format!("what = {}", quote(&item.evidence_what)));
            }
            if item.photos == PhotoRule::NotAllowed {
                evidence.push("photos = \"not_allowed\"".to_string());
            }
            if !evidence.is_empty() {
                out.line(loc, &format!("evidence = {{ {} }}", evidence.join(", ")));
            }
            if !item.conditions.is_empty() {
                out.line(loc, "conditions = [");
                for c in &item.conditions {
                    let question = c
                        .question
                        .as_ref()
                        .map(|q| format!(", question = {}", quote(q)))
                        .unwrap_or_default();
                    out.line(
                        &c.loc,
                        &format!(
                            "  {{ zh = {}, en = {}{question} }},",
                            quote(&c.zh),
                            quote(&c.en)
                        ),
                    );
                }
                out.line(loc, "]");
            }
            if !item.guidance.is_empty() {
                out.field(loc, "guidance", &item.guidance);
            }
        }
    }
    out
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
            items: "条目".into(),
        };
        let sections = cx.items_sheet(by("条目"), &sources, &Questions::default(), &names);
        let out = write_toml(&meta, &[], &sources, &Questions::default(), &sections);
        assert_eq!(out.text, converted.toml);
        let problem = out.problem_at_line(err.line, err.reason);
        assert_eq!(
            problem.to_string(),
            "条目!14: 条目 A-02：依据引用了不存在的依据简称 \"nope\" / item A-02: basis names unknown source \"nope\""
        );
    }

    #[test]
    fn quoting_escapes_what_toml_needs() {
        assert_eq!(quote("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
        assert_eq!(quote("（\"五落实\"）"), "\"（\\\"五落实\\\"）\"");
    }
}
