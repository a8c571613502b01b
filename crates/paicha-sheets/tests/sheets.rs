//! Checklist spreadsheets for authors (`paicha-ledger checklists convert|validate|export`):
//! shipped checklists survive a round trip through .xlsx and .csv with the same content hash,
//! and bad spreadsheets are reported as `sheet!row: reason`.

use paicha_core::Checklist;
use paicha_sheets::{Command, Workbook, convert, export, layout};
use rust_xlsxwriter::{ExcelDateTime, Format};
use std::path::{Path, PathBuf};

/// What a command printed and whether it succeeded (the ledger's `checklists` subcommand
/// exits with status 1 when it did not).
struct Output {
    ok: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Output {
    fn success(&self) -> bool {
        self.ok
    }
}

fn tool(command: Command) -> Output {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let ok = paicha_sheets::run(command, &mut stdout, &mut stderr).unwrap_or_else(|e| {
        stderr.extend_from_slice(format!("error: {e:#}\n").as_bytes());
        false
    });
    Output { ok, stdout, stderr }
}

fn convert_cmd(input: &Path, sheet: Option<&str>, output: Option<&Path>) -> Output {
    tool(Command::Convert {
        input: input.to_path_buf(),
        sheet: sheet.map(str::to_string),
        output: output.map(Path::to_path_buf),
    })
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn shipped() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("checklists"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

fn comment_lines(toml: &str) -> Vec<&str> {
    toml.lines()
        .map(str::trim)
        .filter(|l| l.starts_with('#'))
        .collect()
}

/// Converts CSV text and returns the problems as `sheet!row: reason` lines.
fn csv_problems(name: &str, text: &str) -> Vec<String> {
    let book = Workbook::from_csv(name, text.as_bytes()).expect("readable CSV");
    match convert(&book, None) {
        Ok(c) => panic!("{name} converted although it should not:\n{}", c.toml),
        Err(problems) => problems.lines(),
    }
}

fn good_csv() -> String {
    read(&fixture("good.csv"))
}

/// `good.csv` with exactly one occurrence of `old` replaced.
fn good_with(old: &str, new: &str) -> String {
    let good = good_csv();
    assert_eq!(good.matches(old).count(), 1, "{old:?} must occur once");
    good.replacen(old, new, 1)
}

// ---------------------------------------------------------------------------------------------
// Round trip

#[test]
fn every_shipped_checklist_round_trips_through_xlsx_and_csv_with_the_same_content_hash() {
    let files = shipped();
    assert!(
        files.iter().any(|f| f.ends_with("fireworks.toml")),
        "fireworks.toml is shipped"
    );
    for file in files {
        let name = file.display().to_string();
        let text = read(&file);
        let original = Checklist::from_toml(&name, &text).unwrap();
        let exported = export(&name, &text).unwrap();

        let xlsx = exported.to_xlsx().unwrap();
        let book = Workbook::from_xlsx("roundtrip.xlsx", &xlsx).unwrap();
        let from_xlsx = convert(&book, None).unwrap_or_else(|p| panic!("{name} via xlsx:\n{p}"));
        assert_eq!(
            from_xlsx.checklist.content_hash(),
            original.content_hash(),
            "{name} via xlsx"
        );
        assert_eq!(from_xlsx.checklist, original, "{name} via xlsx");
        assert!(from_xlsx.warnings.is_empty(), "{:?}", from_xlsx.warnings);

        let csv = exported.to_csv();
        let book = Workbook::from_csv("roundtrip.csv", &csv).unwrap();
        let from_csv = convert(&book, None).unwrap_or_else(|p| panic!("{name} via csv:\n{p}"));
        assert_eq!(
            from_csv.checklist.content_hash(),
            original.content_hash(),
            "{name} via csv"
        );
        // Both spreadsheet forms give the very same file text.
        assert_eq!(from_csv.toml, from_xlsx.toml, "{name}: xlsx and csv differ");

        // The authors' comments (research marks, source notes) travel too, in order.
        assert_eq!(
            comment_lines(&from_xlsx.toml),
            comment_lines(&text),
            "{name}: comments"
        );
    }
}

#[test]
fn the_round_trip_works_with_the_commands_on_fireworks() {
    let dir = tempfile::tempdir().unwrap();
    let original = repo().join("checklists/fireworks.toml");
    let hash = Checklist::from_toml("fireworks.toml", &read(&original))
        .unwrap()
        .content_hash()
        .0;
    for ext in ["xlsx", "csv"] {
        let sheet = dir.path().join(format!("fireworks.{ext}"));
        let out = tool(Command::Export {
            file: original.clone(),
            output: sheet.clone(),
        });
        assert!(out.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let back = dir.path().join(format!("back-{ext}.toml"));
        let out = convert_cmd(&sheet, None, Some(&back));
        assert!(out.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(&format!("content hash {hash}")), "{stdout}");
        let converted = Checklist::from_toml("back.toml", &read(&back)).unwrap();
        assert_eq!(converted.content_hash().0, hash, "{ext}");
    }
    // Without -o the file goes next to the input, with the extension .toml.
    let out = convert_cmd(&dir.path().join("fireworks.csv"), None, None);
    assert!(out.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("fireworks.toml").exists());
}

#[test]
fn the_exported_workbook_has_the_documented_sheets_and_headers() {
    let text = read(&repo().join("checklists/fireworks.toml"));
    let xlsx = export("fireworks.toml", &text).unwrap().to_xlsx().unwrap();
    let book = Workbook::from_xlsx("fireworks.xlsx", &xlsx).unwrap();
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "检查表",
            "变更记录",
            "依据",
            "适用性",
            "条目",
            "限定条件",
            "说明"
        ]
    );
    let items = &book.sheets[4];
    assert_eq!(
        items.rows[0].cells,
        [
            "章节编号",
            "章节名称",
            "章节英文",
            "编号",
            "条文",
            "English",
            "依据文件",
            "条款",
            "重大隐患",
            "核验",
            "检查方法",
            "适用条件",
            "证据要求",
            "单位",
            "证据说明",
            "拍照",
            "备注"
        ]
    );
    // FW-21: a paraphrase, applicable to retail points only, with a photo rule.
    let fw21 = items.rows.iter().find(|r| r.cell(3) == "FW-21").unwrap();
    assert_eq!(fw21.cell(8), "否");
    assert_eq!(fw21.cell(9), "转述");
    assert_eq!(fw21.cell(11), "retail_point");
    assert_eq!(fw21.cell(12), "照片");
    // FW-05: a measurement in kg where photos are not allowed (a workshop).
    let fw05 = items.rows.iter().find(|r| r.cell(3) == "FW-05").unwrap();
    assert_eq!(
        (fw05.cell(12), fw05.cell(13), fw05.cell(15)),
        ("测量", "kg", "禁止")
    );
    let meta = &book.sheets[0];
    assert_eq!(meta.rows[2].cells, ["行业", "烟花爆竹"]);
    assert!(
        meta.rows
            .iter()
            .any(|r| r.cells == ["发布机关", "省应急管理厅"])
    );
    let changelog = &book.sheets[1];
    assert_eq!(changelog.rows[1].cell(0), "2026.12.1");
    let sources = &book.sheets[2];
    assert_eq!(sources.rows[1].cell(4), "现行");
    assert_eq!(sources.rows[1].cell(11), "fireworks-121-2017");
    assert_eq!(sources.rows[2].cell(4), "待核实");
}

// ---------------------------------------------------------------------------------------------
// A good spreadsheet

#[test]
fn a_good_csv_becomes_a_file_in_the_shipped_style() {
    let book = Workbook::from_csv("good.csv", good_csv().as_bytes()).unwrap();
    let converted = convert(&book, None).unwrap();
    // The expected file: one [[sections.items]] table per item, escaped quotes, backslashes
    // and line breaks, comments from the 注释/备注 cells, normalised sector and date.
    assert_eq!(converted.toml, read(&fixture("good.toml")));
    let c = &converted.checklist;
    assert_eq!(c.sector, "fireworks");
    assert_eq!(c.effective, "2026-12-07");
    assert_eq!(c.sections.len(), 2);
    assert_eq!(c.items().count(), 4);
    assert_eq!(c.changelog.len(), 2);
    let fw05 = c.item("FW-05").unwrap();
    assert_eq!(fw05.conditions.len(), 2);
    assert_eq!(fw05.evidence.unit, "kg");
    let fw20 = c.item("FW-20").unwrap();
    assert!(fw20.major);
    assert_eq!(
        fw20.en,
        "Retail point in a residential building, or open flame (\"明火\") at it."
    );
    assert_eq!(
        fw20.guidance,
        "检查零售点是否与居民居住场所同处一栋建筑；\n现场是否使用明火。"
    );
    assert_eq!(
        c.item("FW-22").unwrap().en,
        "Extinguishers and signs (see C:\\stock\\list)."
    );
    assert!(converted.warnings.is_empty(), "{:?}", converted.warnings);
}

#[test]
fn english_sheet_names_headers_and_value_words_are_accepted() {
    let csv = "[checklist]\nid,example\nsector,Fireworks\ntitle,标题\ntitle_en,Title\n\
               version,1\neffective,2026年1月2日\nissuer,省应急管理厅\nregion,全省\n\
               [changelog]\nversion,date,zh,en\n1,2026/1/2,首版,First\n\
               [sources]\nkey,title,status,replaced_by,checked_on,document\n\
               src,文件,in_force,,2026-01-02,doc-a\nold,旧文件,Superseded,GB 1-2025,2026-01-02,\n\
               [questions]\nKey,ZH,EN\nretail_point,零售点？,Retail?\n\
               [items]\nsection_id,section_zh,section_en,id,zh,en,source,clause,major,\
               verification,applies_if,evidence,unit,what,photos,guidance\n\
               s,分组,Group,A-01,条文,Text,src,第一条,true,verbatim,,photo_if_hazard,,,,\n\
               ,,,A-02,条文二,Text 2,old,第二条,N,fragment,retail_point,none,,,not_allowed,看一看\n\
               ,,,A-03,条文三,Text 3,src,第三条,否,P,retail_point,measurement,m,,,\n\
               ,,,A-04,条文四,Text 4,src,第四条,否,unverified,,document,,许可证,,\n\
               [conditions]\nitem,zh,en,question\nA-01,设有零售点,Retail point,retail_point\n\
               A-01,生产期间,During production,\n";
    let book = Workbook::from_csv("english.csv", csv.as_bytes()).unwrap();
    let converted = convert(&book, None).unwrap_or_else(|p| panic!("{p}"));
    let c = converted.checklist;
    assert_eq!(c.effective, "2026-01-02");
    assert_eq!(c.issuer.as_deref(), Some("省应急管理厅"));
    assert_eq!(c.changelog[0].date, "2026-01-02");
    use paicha_core::checklist::{EvidenceKind, PhotoRule, SourceStatus, Verification};
    assert_eq!(c.sources[1].status, SourceStatus::Superseded);
    assert_eq!(c.sources[1].replaced_by.as_deref(), Some("GB 1-2025"));
    assert_eq!(c.sources[0].document.as_deref(), Some("doc-a"));
    let items: Vec<_> = c.items().collect();
    assert_eq!(items[0].evidence.kind, EvidenceKind::Photo);
    assert_eq!(items[0].conditions.len(), 2);
    assert_eq!(
        items[0].conditions[0].question.as_deref(),
        Some("retail_point")
    );
    assert_eq!(items[0].conditions[1].question, None);
    assert_eq!(items[1].verification, Verification::Fragment);
    assert_eq!(items[1].applies_if, ["retail_point"]);
    assert_eq!(items[1].evidence.photos, PhotoRule::NotAllowed);
    assert_eq!(items[2].verification, Verification::Paraphrase);
    assert_eq!(items[2].evidence.unit, "m");
    assert!(!items[2].major);
    assert_eq!(items[3].verification, Verification::Unverified);
    assert_eq!(items[3].evidence.what, "许可证");
}

#[test]
fn a_csv_saved_by_chinese_excel_in_gbk_is_read() {
    let utf8 = good_csv();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&utf8);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    let book = Workbook::from_csv("gbk.csv", &gbk).unwrap();
    let converted = convert(&book, None).unwrap();
    assert_eq!(converted.toml, read(&fixture("good.toml")));
}

// ---------------------------------------------------------------------------------------------
// Bad spreadsheets: every problem names its sheet and row

#[test]
fn bad_fixtures_name_the_sheet_and_row() {
    let cases: &[(&str, &[&str])] = &[
        (
            "missing-column.csv",
            &[
                "条目!21: 缺少必填列 条文 (zh)（不认识的列：\"内文\"） / missing required column 条文 (zh) (not recognised: \"内文\")",
            ],
        ),
        ("empty-text.csv", &["条目!23: 条文 为空 / 条文 is empty"]),
        (
            "unknown-mark.csv",
            &[
                "条目!24: 核验 须是 原文/片段/转述/未核对/原文未取得（写的是 \"猜测\"） / 核验 must be 原文/片段/转述/未核对/原文未取得 (found \"猜测\")",
            ],
        ),
        (
            "duplicate-id.csv",
            &[
                "条目!24: 编号 \"FW-01\" 重复（第一次在第 22 行） / duplicate id \"FW-01\" (first on row 22)",
            ],
        ),
        (
            "unknown-source.csv",
            &[
                "条目!24: 依据文件 \"fw-regulations\" 不是「依据」表中的简称（已有：121-fw, fw-regulation） / 依据文件 \"fw-regulations\" is not a 简称 in sheet 依据 (known: 121-fw, fw-regulation)",
            ],
        ),
        (
            "bad-major.csv",
            &[
                "条目!22: 重大隐患 须是 是/否（写的是 \"maybe\"） / 重大隐患 must be 是/否 (found \"maybe\")",
            ],
        ),
        // Saved by Excel or WPS on Windows (and by `export -o x.csv`): CRLF line ends count
        // once, so the row is the one Excel shows, as in the LF file above.
        (
            "crlf-bad-major.csv",
            &[
                "条目!22: 重大隐患 须是 是/否（写的是 \"maybe\"） / 重大隐患 must be 是/否 (found \"maybe\")",
            ],
        ),
        (
            "crlf-unknown-mark.csv",
            &[
                "条目!24: 核验 须是 原文/片段/转述/未核对/原文未取得（写的是 \"猜测\"） / 核验 must be 原文/片段/转述/未核对/原文未取得 (found \"猜测\")",
            ],
        ),
    ];
    for (file, expected) in cases {
        let text = read(&fixture(file));
        assert_eq!(csv_problems(file, &text), *expected, "{file}");
    }
}

#[test]
fn more_bad_values_are_reported_at_their_row() {
    let cases = [
        (
            good_with("retail_point,照片,", "underground,照片,"),
            "条目!33: 适用条件 \"underground\" 不是「适用性」表中的问题编号（已有：retail_point, wholesale_store） / \
             适用条件 \"underground\" is not a 问题编号 in sheet 适用性 (known: retail_point, wholesale_store)",
        ),
        (
            good_with(",,待核实,,,2026-12-07", ",,maybe,,,2026-12-07"),
            "依据!22: 状态 须是 现行/废止/待核实（写的是 \"maybe\"） / 状态 must be 现行/废止/待核实 (found \"maybe\")",
        ),
        (
            good_with(",,待核实,,,2026-12-07,,", ",,废止,,,2026-12-07,,"),
            "依据!22: 状态 是废止（已被代替），须在 代替文件 (replaced_by) 写明由什么代替 / \
             状态 says superseded: name what replaced it in 代替文件 (replaced_by)",
        ),
        (
            good_with(",,待核实,,,2026-12-07", ",,待核实,,,上周"),
            "依据!22: 核对日期 须是日期 YYYY-MM-DD 或空着（写的是 \"上周\"） / 核对日期 must be a date YYYY-MM-DD or empty (found \"上周\")",
        ),
        (
            good_with("2026/12/07", "next week"),
            "检查表!8: 启用日期须写作 YYYY-MM-DD（写的是 \"next week\"） / 启用日期 must be a date YYYY-MM-DD (found \"next week\")",
        ),
        (
            good_with("行业,烟花爆竹", "行业,烟花"),
            "检查表!4: 未知行业 \"烟花\"（可用：危险化学品/化工 (hazardous_chemicals)、煤矿 (coal_mine)、\
             金属非金属矿山 (metal_nonmetal_mine)、烟花爆竹 (fireworks)、旅游 (tourism)、人员密集场所 \
             (crowded_venues)、道路运输 (road_transport)、建筑施工 (construction)、城镇燃气 (city_gas)、\
             森林草原防火 (forest_fire)、工贸 (industry_trade)、特种设备 (special_equipment)） / unknown 行业 \"烟花\" \
             (known: 危险化学品/化工 (hazardous_chemicals), 煤矿 (coal_mine), 金属非金属矿山 (metal_nonmetal_mine), \
             烟花爆竹 (fireworks), 旅游 (tourism), 人员密集场所 (crowded_venues), 道路运输 (road_transport), \
             建筑施工 (construction), 城镇燃气 (city_gas), 森林草原防火 (forest_fire), 工贸 (industry_trade), \
             特种设备 (special_equipment))",
        ),
        (
            good_with("编号,example-fireworks", "编号,烟花 检查"),
            "检查表!3: 编号 \"烟花 检查\" 只能用英文字母、数字、- 和 _（如 city-gas） / 编号 \"烟花 检查\" may only use letters, digits, - and _ (e.g. city-gas)",
        ),
        (
            good_with(",,,FW-20,", "major,重大隐患,Major,FW-20,"),
            "条目!33: 章节名称 \"重大隐患\" 与第 31 行的 \"重大隐患判定情形\" 不同（分组 \"major\"）；同一分组各行须一致，或者留空 / \
             章节名称 \"重大隐患\" differs from \"重大隐患判定情形\" on row 31 for section \"major\"; \
             a section's rows must agree (or leave the cell empty)",
        ),
        (
            good_with(",,,FW-20,", "other,其他,Other,FW-20,").replace(
                "retail,零售点一般检查项,Retail point: general checks",
                "major,重大隐患判定情形,Major-hazard criteria",
            ),
            "条目!34: 分组 \"major\" 已经结束（从第 31 行开始）；同一分组的行须连在一起 / \
             section \"major\" already ended (it started on row 31); keep a section's rows together",
        ),
        (
            good_with(",,,FW-20,", "FW-01,其他,Other,FW-20,"),
            "条目!33: 分组编号 \"FW-01\" 已是条目编号（第 31 行）；分组和条目共用一套编号 / \
             section id \"FW-01\" is already an item id (row 31); sections and items share one set of ids",
        ),
        (
            good_with("retail_point,被检单位", "retail point,被检单位"),
            "适用性!26: 问题编号 \"retail point\" 只能用英文字母、数字、- 和 _ / 问题编号 \"retail point\" may only use letters, digits, - and _",
        ),
        (
            good_with(",,文件,,考核合格证明", ",,随便,,考核合格证明"),
            "条目!31: 证据要求 须是 照片/文件/测量/无或空着（写的是 \"随便\"） / 证据要求 must be 照片/文件/测量/无 or empty (found \"随便\")",
        ),
        (
            good_with(",,测量,kg,,禁止,", ",,测量,,,禁止,"),
            "条目!32: 证据要求 是测量，须在 单位 列写单位（如 m、%、MPa） / 证据要求 is a measurement: give its unit in 单位 (m, %, MPa)",
        ),
        (
            good_with(",,测量,kg,,禁止,", ",,测量,kg,,也许,"),
            "条目!32: 拍照 须是 允许/禁止或空着（写的是 \"也许\"） / 拍照 must be 允许/禁止 or empty (found \"也许\")",
        ),
        (
            good_with("retail_point,照片,,,,", "retail_point,照片,,,禁止,"),
            "条目!33: 条目 FW-20：证据为照片，但该处禁止拍照：改为文件或测量 / item FW-20: the evidence is a photo where photos are not allowed: use a document or a measurement",
        ),
        (
            good_with("FW-05,生产、储存期间", "FW-99,生产、储存期间"),
            "限定条件!39: 条目编号 \"FW-99\" 不是「条目」表中的条目编号 / 条目编号 \"FW-99\" is not an item id in sheet 条目",
        ),
        (
            good_with("(example),wholesale_store", "(example),wholesale"),
            "限定条件!38: 问题编号 \"wholesale\" 不是「适用性」表中的问题编号（已有：retail_point, wholesale_store） / \
             问题编号 \"wholesale\" is not a 问题编号 in sheet 适用性 (known: retail_point, wholesale_store)",
        ),
        (
            good_with("2026.11.1,2026-11-29,首版。", "2026.11.1,,首版。"),
            "变更记录!17: 日期 为空 / 日期 is empty",
        ),
    ];
    for (text, expected) in cases {
        let problems = csv_problems("case.csv", &text);
        // One mistake can cause a second message (a section title that differs in both
        // languages): the first one is what each case is about.
        assert_eq!(
            problems.first().map(String::as_str),
            Some(expected),
            "{problems:#?}"
        );
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let text =
        good_with("一、,是,原文", "一、,maybe,guess").replace("fw-regulation,条款待核实", "nope,");
    assert_eq!(
        csv_problems("many.csv", &text),
        [
            "条目!31: 重大隐患 须是 是/否（写的是 \"maybe\"） / 重大隐患 must be 是/否 (found \"maybe\")",
            "条目!31: 核验 须是 原文/片段/转述/未核对/原文未取得（写的是 \"guess\"） / 核验 must be 原文/片段/转述/未核对/原文未取得 (found \"guess\")",
            "条目!34: 依据文件 \"nope\" 不是「依据」表中的简称（已有：121-fw, fw-regulation） / 依据文件 \"nope\" is not a 简称 in sheet 依据 (known: 121-fw, fw-regulation)",
            "条目!34: 条款 为空（条款不明时写 条款待核实） / 条款 is empty (write 条款待核实 when the clause is not known)",
        ]
    );
}

/// A whole file saved with Windows line ends (as Excel, WPS and `export -o x.csv` write it),
/// multi-line cells included: every problem names the same row as in the LF file.
#[test]
fn a_crlf_file_reports_the_rows_excel_shows() {
    let lf = good_with("一、,是,原文", "一、,maybe,原文")
        .replace("fw-regulation,条款待核实", "nope,条款待核实");
    let crlf = lf.replace('\n', "\r\n");
    assert!(
        crlf.contains("建筑；\r\n现场"),
        "a multi-line cell spans a CRLF too"
    );
    let expected = [
        "条目!31: 重大隐患 须是 是/否（写的是 \"maybe\"） / 重大隐患 must be 是/否 (found \"maybe\")",
        "条目!34: 依据文件 \"nope\" 不是「依据」表中的简称（已有：121-fw, fw-regulation） / 依据文件 \"nope\" is not a 简称 in sheet 依据 (known: 121-fw, fw-regulation)",
    ];
    assert_eq!(csv_problems("lf.csv", &lf), expected);
    assert_eq!(csv_problems("crlf.csv", &crlf), expected);
    // A good CRLF file converts to the same checklist, cells without stray carriage returns.
    let good = good_csv().replace('\n', "\r\n");
    let converted = convert(
        &Workbook::from_csv("good.csv", good.as_bytes()).unwrap(),
        None,
    )
    .unwrap();
    assert_eq!(converted.toml, read(&fixture("good.toml")));
}

#[test]
fn a_missing_block_or_field_is_named() {
    let text = good_csv().replace("[依据]", "[来源]");
    assert_eq!(
        csv_problems("no-sources.csv", &text),
        [
            "no-sources.csv: 缺少 [依据] 块（以只含 [依据] 的一行开始）；现有的块：检查表, 变更记录, 来源, 适用性, 条目, 限定条件 / \
             no [依据] block (a line holding only [依据] starts it); blocks found: 检查表, 变更记录, 来源, 适用性, 条目, 限定条件"
        ]
    );
    let text = good_with("版本,2026.12.1\n", "");
    assert_eq!(
        csv_problems("no-version.csv", &text),
        [
            "检查表: 缺少 版本 (version)：加一行，第一列写 版本，第二列写内容 / \
             missing 版本 (version): add a row with 版本 in the first column and its value in the second"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// .xlsx specifics: sheet names in messages, typed cells, --sheet

enum Cell {
    S(String),
    Num(f64),
    Bool(bool),
    Date(u16, u8, u8),
}

fn s(text: &str) -> Cell {
    Cell::S(text.to_string())
}

fn xlsx(sheets: &[(&str, Vec<Vec<Cell>>)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let date = Format::new().set_num_format("yyyy/m/d");
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Cell::S(t) if t.is_empty() => {}
                    Cell::S(t) => {
                        ws.write_string(r, c, t).unwrap();
                    }
                    Cell::Num(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    Cell::Bool(b) => {
                        ws.write_boolean(r, c, *b).unwrap();
                    }
                    Cell::Date(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &date).unwrap();
                    }
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

fn strings(rows: &[&[&str]]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| r.iter().map(|t| s(t)).collect())
        .collect()
}

fn small_workbook(items_sheet: &str, items: Vec<Vec<Cell>>) -> Vec<u8> {
    xlsx(&[
        (
            "检查表",
            vec![
                vec![s("编号"), s("small")],
                vec![s("行业"), s("工贸")],
                vec![s("标题"), s("小检查表")],
                vec![s("英文标题"), s("Small")],
                vec![s("版本"), s("1")],
                // Excel turns a typed date into a date cell.
                vec![s("启用日期"), Cell::Date(2026, 11, 29)],
            ],
        ),
        (
            "依据",
            strings(&[
                &["简称", "文件名称", "文号", "施行日期", "状态"],
                &["gb", "标准", "GB 1-2024", "", "现行"],
            ]),
        ),
        (items_sheet, items),
        ("我的笔记", strings(&[&["随便写"]])),
    ])
}

fn small_items(major: Cell) -> Vec<Vec<Cell>> {
    let mut rows = strings(&[
        &[
            "章节编号",
            "章节名称",
            "章节英文",
            "编号",
            "条文",
            "English",
            "依据文件",
            "条款",
            "重大隐患",
            "核验",
        ],
        &[
            "s",
            "分组",
            "Group",
            "A-01",
            "条文一",
            "One",
            "gb",
            "4.8 b)",
            "否",
            "原文",
        ],
    ]);
    rows.push(vec![
        s(""),
        s(""),
        s(""),
        s("A-02"),
        s("条文二"),
        s("Two"),
        s("gb"),
        Cell::Num(4.8),
        major,
        s("片段"),
    ]);
    rows
}

#[test]
fn xlsx_cells_typed_by_excel_are_read_as_the_author_sees_them() {
    let bytes = small_workbook("条目", small_items(Cell::Bool(true)));
    let book = Workbook::from_xlsx("small.xlsx", &bytes).unwrap();
    let converted = convert(&book, None).unwrap_or_else(|p| panic!("{p}"));
    let c = converted.checklist;
    assert_eq!(c.effective, "2026-11-29");
    assert_eq!(c.sector, "industry_trade");
    let a2 = c.item("A-02").unwrap();
    assert_eq!(a2.basis.clause, "4.8");
    assert!(a2.major);
    // Extra sheets (notes, the 说明 sheet) are ignored.
    assert!(converted.warnings.is_empty(), "{:?}", converted.warnings);
}

#[test]
fn xlsx_problems_name_the_sheet_and_its_row() {
    let bytes = small_workbook("条目", small_items(s("maybe")));
    let book = Workbook::from_xlsx("small.xlsx", &bytes).unwrap();
    let problems = convert(&book, None).unwrap_err();
    assert_eq!(
        problems.lines(),
        [
            "条目!3: 重大隐患 须是 是/否（写的是 \"maybe\"） / 重大隐患 must be 是/否 (found \"maybe\")"
        ]
    );
}

#[test]
fn the_items_sheet_can_have_another_name_with_dash_dash_sheet() {
    let bytes = small_workbook("零售点条目", small_items(s("是")));
    let book = Workbook::from_xlsx("small.xlsx", &bytes).unwrap();
    assert_eq!(
        convert(&book, None).unwrap_err().lines(),
        [
            "small.xlsx: 缺少工作表 条目 (items)；现有的工作表：检查表, 依据, 零售点条目, 我的笔记 / \
             no sheet 条目 (items); sheets found: 检查表, 依据, 零售点条目, 我的笔记"
        ]
    );
    let converted = convert(&book, Some("零售点条目")).unwrap_or_else(|p| panic!("{p}"));
    assert_eq!(converted.checklist.items().count(), 2);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let out = convert_cmd(&path, Some("零售点条目"), Some(Path::new("-")));
    assert!(out.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let toml = String::from_utf8(out.stdout).unwrap();
    assert!(toml.contains("id = \"A-02\"\n"), "{toml}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at least 15"), "{err}");
}

#[test]
fn a_file_that_is_not_a_workbook_is_reported() {
    let problems = Workbook::from_xlsx("notes.xlsx", b"hello")
        .unwrap_err()
        .lines();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("notes.xlsx: 不是可读取的 .xlsx 工作簿"),
        "{problems:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The commands

#[test]
fn a_failing_convert_exits_1_prints_every_problem_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.csv");
    std::fs::copy(fixture("duplicate-id.csv"), &input).unwrap();
    let out = convert_cmd(&input, None, None);
    assert!(!out.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}: 条目!24: 编号 \"FW-01\" 重复（第一次在第 22 行） / duplicate id \"FW-01\" (first on row 22)",
            input.display()
        )),
        "{err}"
    );
    assert!(!dir.path().join("bad.toml").exists());
}

#[test]
fn validate_checks_toml_files_directories_and_spreadsheets() {
    let out = tool(Command::Validate {
        files: vec![repo().join("checklists"), fixture("good.csv")],
    });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // One line per file, then the totals.
    let files = shipped().len() + 1;
    assert_eq!(stdout.lines().count(), files + 1, "{stdout}");
    assert!(
        stdout.ends_with(&format!("{files} file(s): {files} ok, 0 failed\n")),
        "{stdout}"
    );
    assert!(stdout.contains("fireworks version 2026"), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        read(&fixture("good.toml")).replace("source = \"121-fw\"", "source = \"x\""),
    )
    .unwrap();
    let out = tool(Command::Validate {
        files: vec![bad.clone(), fixture("unknown-mark.csv")],
    });
    assert!(!out.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:57: 条目 FW-01：依据引用了不存在的依据简称 \"x\" / item FW-01: basis names unknown source \"x\"",
            bad.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("unknown-mark.csv: 条目!24: 核验 须是"),
        "{err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout, "2 file(s): 0 ok, 2 failed\n");
}

#[test]
fn converting_changed_content_without_a_new_version_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("c.csv");
    std::fs::write(&input, good_csv()).unwrap();
    let run = || convert_cmd(&input, None, None);
    assert!(run().success());
    std::fs::write(
        &input,
        good_with(
            "Principal / safety managers",
            "Principal and safety managers",
        ),
    )
    .unwrap();
    let out = run();
    assert!(out.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the version is still 2026.12.1"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Documentation

#[test]
fn the_readme_documents_every_sheet_column_and_word() {
    let readme = read(&repo().join("checklists/README.md"));
    for spec in layout::SHEETS {
        assert!(
            readme.contains(&format!("`{}`", spec.name)),
            "sheet {}",
            spec.name
        );
        for column in spec.columns {
            assert!(
                readme.contains(&format!("`{}`", column.header)),
                "{}: column {}",
                spec.name,
                column.header
            );
        }
    }
    for words in [
        layout::MAJOR_WORDS,
        layout::VERIFICATION_WORDS,
        layout::STATUS_WORDS,
        "paicha-ledger checklists convert",
        "paicha-ledger checklists export",
        "paicha-ledger checklists validate",
    ] {
        for word in words.split('/') {
            assert!(readme.contains(word), "{word}");
        }
    }
}
