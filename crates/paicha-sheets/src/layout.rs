//! The spreadsheet layout authors fill in: sheet names, column headers (Chinese, with English
//! aliases), and the words accepted for the major flag, the verification mark, a source's status,
//! the evidence kind and whether photos are allowed. Reading, writing and the built-in 说明 sheet all use these tables, so
//! that the documentation in `checklists/README.md` and the code cannot drift apart silently
//! (the tests check the README's column names against them).

use paicha_core::checklist::{EvidenceKind, PhotoRule, SourceStatus, Verification};

/// The kinds of sheet (or CSV block) a checklist workbook has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 检查表: checklist-level fields as key/value rows.
    Checklist,
    /// 依据: one row per source document.
    Sources,
    /// 适用性: one row per applicability question (optional sheet).
    Questions,
    /// 条目: one row per item.
    Items,
    /// 限定条件: one row per condition of an item (optional sheet).
    Conditions,
    /// 变更记录: one row per version in the change log (optional sheet).
    Changelog,
}

/// One column of a table sheet, or one field row of the key/value 检查表 sheet.
#[derive(Debug)]
pub struct Column {
    /// Internal name (also the TOML field it fills, where there is one).
    pub key: &'static str,
    /// The header written by `export` and shown in messages.
    pub header: &'static str,
    /// Other accepted headers; the first is the English one.
    pub aliases: &'static [&'static str],
    pub required: bool,
    /// Column width in the exported workbook (Excel character units).
    pub width: f64,
    /// One line for the 说明 sheet.
    pub help: &'static str,
}

const fn col(
    key: &'static str,
    header: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    width: f64,
    help: &'static str,
) -> Column {
    Column {
        key,
        header,
        aliases,
        required,
        width,
        help,
    }
}

#[derive(Debug)]
pub struct SheetSpec {
    pub kind: Kind,
    pub name: &'static str,
    /// Other accepted sheet (or CSV block) names; the first is the English one.
    pub aliases: &'static [&'static str],
    pub columns: &'static [Column],
}

pub const CHECKLIST_FIELDS: &[Column] = &[
    col(
        "id",
        "编号",
        &["id", "检查表编号"],
        true,
        0.0,
        "检查表编号：英文字母、数字、- 和 _，如 city-gas；发布后不再更改",
    ),
    col(
        "sector",
        "行业",
        &["sector"],
        true,
        0.0,
        "行业：中文名称（如 烟花爆竹）或英文键（如 fireworks）",
    ),
    col(
        "title_zh",
        "标题",
        &["title", "title_zh", "中文标题", "名称"],
        true,
        0.0,
        "中文标题",
    ),
    col(
        "title_en",
        "英文标题",
        &["title_en", "english title", "英文名称"],
        true,
        0.0,
        "英文标题",
    ),
    col(
        "version",
        "版本",
        &["version", "版本号"],
        true,
        0.0,
        "版本号，如 2026.11.1；内容有任何改动都要改版本号",
    ),
    col(
        "effective",
        "启用日期",
        &["effective", "生效日期", "实施日期"],
        true,
        0.0,
        "本版启用日期 YYYY-MM-DD",
    ),
    col(
        "issuer",
        "发布机关",
        &["issuer", "发布单位"],
        false,
        0.0,
        "发布本检查表的机关，如 省应急管理厅（随应用发布的检查表必填）",
    ),
    col(
        "region",
        "适用地区",
        &["region", "地区"],
        false,
        0.0,
        "适用地区，如 全省（随应用发布的检查表必填）",
    ),
    col(
        "supersedes",
        "代替版本",
        &["supersedes", "替代版本"],
        false,
        0.0,
        "本版代替的版本号，如 2026.11.1；首版空着",
    ),
    col(
        "comment",
        "注释",
        &["comment", "备注", "说明"],
        false,
        0.0,
        "文件头注释（来源、核验情况等），只给编写人看，不进入应用",
    ),
];

/// The header row of the 检查表 sheet (optional when reading).
pub const CHECKLIST_HEADER: [&str; 2] = ["项目", "内容"];
pub const CHECKLIST_HEADER_ALIASES: &[&str] = &["项目", "字段", "field", "key", "name"];

pub const SOURCE_COLUMNS: &[Column] = &[
    col(
        "key",
        "简称",
        &["key", "依据简称"],
        true,
        16.0,
        "本检查表内的简称，条目的「依据文件」列引用它，如 121-fw",
    ),
    col(
        "title",
        "文件名称",
        &["title", "名称"],
        true,
        50.0,
        "文件名称（不加书名号）",
    ),
    col(
        "number",
        "文号",
        &["number", "标准编号", "文号或标准编号"],
        false,
        26.0,
        "文号或标准编号；查不到、核实不了就空着，绝不猜测",
    ),
    col(
        "effective",
        "施行日期",
        &["effective", "实施日期", "生效日期"],
        false,
        12.0,
        "施行/实施日期 YYYY-MM-DD，只写有出处的日期",
    ),
    col(
        "status",
        "状态",
        &["status"],
        true,
        10.0,
        "现行 / 废止（已被代替或废止）/ 待核实；拿不准写 待核实",
    ),
    col(
        "issuer",
        "发布机关",
        &["issuer", "发布单位"],
        false,
        20.0,
        "发布机关，如 应急管理部",
    ),
    col(
        "published",
        "发布日期",
        &["published", "公布日期", "印发日期"],
        false,
        12.0,
        "发布/公布日期 YYYY-MM-DD，只写有出处的日期",
    ),
    col(
        "checked_on",
        "核对日期",
        &["checked_on", "状态核对日期"],
        false,
        12.0,
        "最近一次核对状态的日期 YYYY-MM-DD（随应用发布的检查表必填）",
    ),
    col(
        "replaced_by",
        "代替文件",
        &["replaced_by", "被代替为", "由何代替"],
        false,
        20.0,
        "已被代替时，代替它的文件，如 GB 35181-2025（状态为废止时必填）",
    ),
    col(
        "note",
        "状态说明",
        &["note", "说明"],
        false,
        30.0,
        "状态说明（为何待核实、代替关系据何而来），应用中显示",
    ),
    col(
        "text_from",
        "条文来源",
        &["text_from", "原文来源"],
        false,
        30.0,
        "条文取自何处、如何核对",
    ),
    col(
        "document",
        "登记文件",
        &["document", "登记"],
        false,
        18.0,
        "checklists/documents/ 中该文件的登记名（不含 .toml），据此核对条文和统计覆盖率",
    ),
    col(
        "comment",
        "备注",
        &["comment", "注释"],
        false,
        40.0,
        "注释，只给编写人看",
    ),
];

pub const QUESTION_COLUMNS: &[Column] = &[
    col(
        "key",
        "问题编号",
        &["key", "编号"],
        true,
        20.0,
        "问题编号：英文字母、数字、- 和 _，如 retail_point",
    ),
    col(
        "zh",
        "问题",
        &["zh", "中文", "问题中文"],
        true,
        50.0,
        "是非问句，如：被检单位是否设有烟花爆竹零售点？",
    ),
    col("en", "English", &["en", "英文"], true, 50.0, "英文问句"),
    col(
        "comment",
        "备注",
        &["comment", "注释"],
        false,
        30.0,
        "注释，只给编写人看",
    ),
];

pub const ITEM_COLUMNS: &[Column] = &[
    col(
        "section_id",
        "章节编号",
        &["section_id", "section", "章节"],
        true,
        14.0,
        "分组编号（英文字母、数字、- 和 _）；与上一行相同或留空表示同一分组",
    ),
    col(
        "section_zh",
        "章节名称",
        &["section_zh", "section_title", "章节标题"],
        true,
        24.0,
        "分组中文名称，分组第一行必填",
    ),
    col(
        "section_en",
        "章节英文",
        &["section_en", "section_title_en", "章节英文名称"],
        true,
        20.0,
        "分组英文名称，分组第一行必填",
    ),
    col(
        "id",
        "编号",
        &["id", "条目编号"],
        true,
        10.0,
        "条目编号，如 FW-01，全表唯一，发布后永不改作他用",
    ),
    col(
        "zh",
        "条文",
        &["zh", "条文中文", "检查内容", "内容"],
        true,
        60.0,
        "条目中文文本；原文照录时一字不改",
    ),
    col("en", "English", &["en", "英文"], true, 40.0, "简短英文释义"),
    col(
        "source",
        "依据文件",
        &["source", "basis_source", "依据"],
        true,
        14.0,
        "依据文件的简称（「依据」表的「简称」列）",
    ),
    col(
        "clause",
        "条款",
        &["clause", "basis_clause"],
        true,
        16.0,
        "条款，如 第三条（一）；不明时写 条款待核实",
    ),
    col(
        "major",
        "重大隐患",
        &["major", "是否重大隐患"],
        true,
        9.0,
        "是：该条目本身是依据文件中的重大事故隐患判定情形；否：一般检查项",
    ),
    col(
        "verification",
        "核验",
        &["verification", "核验标记", "mark"],
        true,
        8.0,
        "原文 / 片段 / 转述 / 未核对（第三方副本）/ 原文未取得",
    ),
    col(
        "guidance",
        "检查方法",
        &["guidance", "检查方法提示"],
        false,
        40.0,
        "检查方法提示（可空）",
    ),
    col(
        "applies_if",
        "适用条件",
        &["applies_if", "适用"],
        false,
        16.0,
        "「适用性」表的问题编号，多个用逗号或顿号分隔；空着表示始终适用",
    ),
    col(
        "evidence",
        "证据要求",
        &["evidence", "证据"],
        false,
        9.0,
        "以何为证：照片（判为隐患时须拍照）/ 文件 / 测量（描述须写实测值和单位）/ 无",
    ),
    col(
        "unit",
        "单位",
        &["unit", "计量单位"],
        false,
        7.0,
        "测量证据的单位，如 m、%、MPa",
    ),
    col(
        "evidence_what",
        "证据说明",
        &["evidence_what", "what", "证据内容"],
        false,
        20.0,
        "证据是什么，如 安全生产许可证、考核合格证",
    ),
    col(
        "photos",
        "拍照",
        &["photos", "photo", "是否允许拍照"],
        false,
        7.0,
        "允许 / 禁止（爆炸危险区域、井下等不得拍照处写 禁止）；空着即允许",
    ),
    col(
        "comment",
        "备注",
        &["comment", "注释"],
        false,
        40.0,
        "注释，只给编写人看（写入文件时成为条目上方的 # 注释）",
    ),
];

pub const CONDITION_COLUMNS: &[Column] = &[
    col(
        "item",
        "条目编号",
        &["item", "item_id", "条目"],
        true,
        12.0,
        "「条目」表中的条目编号",
    ),
    col(
        "zh",
        "条件",
        &["zh", "condition", "限定条件"],
        true,
        50.0,
        "母项或引导语规定的限定条件，如 水文地质类型为中等或者复杂的矿井",
    ),
    col("en", "English", &["en", "英文"], true, 40.0, "英文"),
    col(
        "question",
        "问题编号",
        &["question", "key"],
        false,
        20.0,
        "开始检查时确认该条件的适用性问题编号；空着则作为条目上的适用范围显示",
    ),
    col(
        "comment",
        "备注",
        &["comment", "注释"],
        false,
        30.0,
        "注释，只给编写人看",
    ),
];

pub const CHANGELOG_COLUMNS: &[Column] = &[
    col(
        "version",
        "版本",
        &["version", "版本号"],
        true,
        12.0,
        "版本号，最新的在最前",
    ),
    col("date", "日期", &["date"], true, 12.0, "日期 YYYY-MM-DD"),
    col("zh", "说明", &["zh", "变更内容"], true, 70.0, "改了什么"),
    col("en", "English", &["en", "英文"], false, 50.0, "英文说明"),
];

pub const SHEETS: &[SheetSpec] = &[
    SheetSpec {
        kind: Kind::Checklist,
        name: "检查表",
        aliases: &["checklist", "基本信息"],
        columns: CHECKLIST_FIELDS,
    },
    SheetSpec {
        kind: Kind::Sources,
        name: "依据",
        aliases: &["sources", "依据文件"],
        columns: SOURCE_COLUMNS,
    },
    SheetSpec {
        kind: Kind::Questions,
        name: "适用性",
        aliases: &["questions", "适用性问题"],
        columns: QUESTION_COLUMNS,
    },
    SheetSpec {
        kind: Kind::Items,
        name: "条目",
        aliases: &["items", "检查项", "检查条目"],
        columns: ITEM_COLUMNS,
    },
    SheetSpec {
        kind: Kind::Conditions,
        name: "限定条件",
        aliases: &["conditions", "适用条件"],
        columns: CONDITION_COLUMNS,
    },
    SheetSpec {
        kind: Kind::Changelog,
        name: "变更记录",
        aliases: &["changelog", "修订记录"],
        columns: CHANGELOG_COLUMNS,
    },
];

pub fn spec(kind: Kind) -> &'static SheetSpec {
    SHEETS
        .iter()
        .find(|s| s.kind == kind)
        .expect("every kind has a spec")
}

/// Header and name comparison: case, spaces, `_`, `-` and a parenthesised note are ignored, so
/// `Applies If`, `applies_if` and `适用条件（问题编号）` all name the same column.
pub fn norm(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() || c == '_' || c == '-' => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

impl Column {
    pub fn matches(&self, header: &str) -> bool {
        let h = norm(header);
        !h.is_empty() && (norm(self.header) == h || self.aliases.iter().any(|a| norm(a) == h))
    }

    /// "条文 (zh)": the Chinese header with its English alias, for messages about missing columns.
    pub fn label(&self) -> String {
        match self.aliases.first() {
            Some(en) => format!("{} ({en})", self.header),
            None => self.header.to_string(),
        }
    }
}

impl SheetSpec {
    pub fn matches(&self, name: &str) -> bool {
        let n = norm(name);
        !n.is_empty() && (norm(self.name) == n || self.aliases.iter().any(|a| norm(a) == n))
    }

    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.aliases[0])
    }
}

fn word(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

pub const MAJOR_WORDS: &str = "是/否";
pub fn parse_major(s: &str) -> Option<bool> {
    match word(s).as_str() {
        "是" | "y" | "yes" | "true" | "1" | "√" | "✓" | "重大" | "重大隐患" => {
            Some(true)
        }
        "否" | "n" | "no" | "false" | "0" | "×" | "✗" | "一般" | "一般隐患" => {
            Some(false)
        }
        _ => None,
    }
}
pub fn major_word(major: bool) -> &'static str {
    if major { "是" } else { "否" }
}

pub const VERIFICATION_WORDS: &str = "原文/片段/转述/未核对/原文未取得";
pub fn parse_verification(s: &str) -> Option<Verification> {
    match word(s).as_str() {
        "原文" | "verbatim" | "v" => Some(Verification::Verbatim),
        "片段" | "原文片段" | "条文片段" | "fragment" | "vf" => {
            Some(Verification::Fragment)
        }
        "转述" | "paraphrase" | "p" => Some(Verification::Paraphrase),
        "未核对" | "第三方" | "第三方副本" | "unverified" => {
            Some(Verification::Unverified)
        }
        "原文未取得" | "未取得" | "unobtainable" => Some(Verification::Unobtainable),
        _ => None,
    }
}
pub fn verification_word(v: Verification) -> &'static str {
    v.word_zh()
}

pub const STATUS_WORDS: &str = "现行/废止/待核实";
pub fn parse_status(s: &str) -> Option<SourceStatus> {
    match word(s).as_str() {
        "现行" | "现行有效" | "有效" | "in_force" | "inforce" => {
            Some(SourceStatus::InForce)
        }
        "废止" | "已废止" | "被代替" | "已被代替" | "失效" | "superseded" => {
            Some(SourceStatus::Superseded)
        }
        "待核实" | "未核实" | "unverified" => Some(SourceStatus::Unverified),
        _ => None,
    }
}
pub fn status_word(s: SourceStatus) -> &'static str {
    match s {
        SourceStatus::InForce => "现行",
        SourceStatus::Superseded => "废止",
        SourceStatus::Unverified => "待核实",
    }
}

pub const EVIDENCE_WORDS: &str = "照片/文件/测量/无";
/// The evidence kind; the word 拍照 of files from before evidence kinds means 照片.
pub fn parse_evidence(s: &str) -> Option<EvidenceKind> {
    match word(s).as_str() {
        "" | "无" | "不要求" | "none" => Some(EvidenceKind::None),
        "照片" | "拍照" | "隐患拍照" | "判为隐患时拍照" | "photo" | "photo_if_hazard" => {
            Some(EvidenceKind::Photo)
        }
        "文件" | "资料" | "证照" | "document" => Some(EvidenceKind::Document),
        "测量" | "实测" | "measurement" => Some(EvidenceKind::Measurement),
        _ => None,
    }
}
pub fn evidence_word(e: EvidenceKind) -> &'static str {
    match e {
        EvidenceKind::None => "",
        EvidenceKind::Photo => "照片",
        EvidenceKind::Document => "文件",
        EvidenceKind::Measurement => "测量",
    }
}

pub const PHOTO_WORDS: &str = "允许/禁止";
pub fn parse_photos(s: &str) -> Option<PhotoRule> {
    match word(s).as_str() {
        "" | "允许" | "可以" | "allowed" => Some(PhotoRule::Allowed),
        "禁止" | "不允许" | "禁止拍照" | "not_allowed" | "notallowed" => {
            Some(PhotoRule::NotAllowed)
        }
        _ => None,
    }
}
pub fn photos_word(p: PhotoRule) -> &'static str {
    match p {
        PhotoRule::Allowed => "",
        PhotoRule::NotAllowed => "禁止",
    }
}

/// Separators accepted between question keys in 适用条件.
pub fn split_keys(s: &str) -> Vec<String> {
    s.split(|c: char| matches!(c, ',' | '，' | '、' | ';' | '；') || c.is_whitespace())
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect()
}

/// Letters, digits, `-` and `_`, as the checklist format requires for ids and question keys.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A sector given by its key (`fireworks`), Chinese name (`烟花爆竹`, or one part of
/// `危险化学品/化工`) or English name.
pub fn parse_sector(s: &str) -> Option<&'static str> {
    let w = word(s);
    paicha_core::checklist::SECTORS
        .iter()
        .find(|(key, zh, en)| {
            w == *key || w == word(zh) || w == word(en) || zh.split('/').any(|part| w == part)
        })
        .map(|s| s.0)
}

/// Dates as authors type them (2026-11-29, 2026/11/29, 2026.11.29, 2026年11月29日), as
/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<String> {
    let t = s.trim();
    let t = t.strip_suffix('日').unwrap_or(t);
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月'])
        .map(str::trim)
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || m.is_empty() || d.is_empty() || m.len() > 2 || d.len() > 2 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    Some(date.format("%Y-%m-%d").to_string())
}
