//! Checklist spreadsheets for authors, behind `paicha-ledger checklists convert|validate|export`.
//!
//! Provincial authors work in Excel. `convert` reads a workbook (.xlsx) or a CSV file laid out
//! as documented in `checklists/README.md` (sheets 检查表, 依据, 适用性, 条目; see [`layout`]),
//! checks every row, writes a checklist file in the style of the shipped ones and validates it
//! with [`Checklist::from_toml`]. Every error names the sheet and row it comes from, e.g.
//! `条目!12: 重大隐患 must be 是/否 (found "maybe")`. `export` writes a checklist file back
//! to a spreadsheet in the same layout (comments included), so that authors can start from a
//! shipped checklist, and so that a round trip can be tested.

pub mod export;
pub mod layout;
pub mod read;
pub mod rows;
pub mod table;

pub use export::{Exported, export};
pub use read::Workbook;
pub use rows::{Converted, convert};

use paicha_core::Checklist;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Something wrong in a spreadsheet, at a sheet (or CSV block, or file) and usually a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub sheet: String,
    /// The row number as Excel shows it.
    pub row: Option<usize>,
    pub reason: String,
}

impl Problem {
    pub fn at(sheet: &str, row: usize, reason: String) -> Self {
        Self {
            sheet: sheet.to_string(),
            row: Some(row),
            reason,
        }
    }

    pub fn file(name: &str, reason: String) -> Self {
        Self {
            sheet: name.to_string(),
            row: None,
            reason,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            Some(row) => write!(f, "{}!{row}: {}", self.sheet, self.reason),
            None => write!(f, "{}: {}", self.sheet, self.reason),
        }
    }
}

/// Every problem found in one spreadsheet, in sheet order, one per line when displayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

impl Problems {
    /// The messages as lines, `sheet!row: reason`.
    pub fn lines(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }
}

/// Reads a spreadsheet file and converts it (see [`convert`]).
pub fn convert_file(path: &Path, items_sheet: Option<&str>) -> Result<Converted, Problems> {
    convert(&Workbook::open(path)?, items_sheet)
}

/// The checklist files (`*.toml`) directly in `dir`, in name order; an error when `dir` is
/// not a readable directory.
pub fn checklist_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    found.sort();
    Ok(found)
}

/// Shipped checklists need at least this many items (the domain tests enforce it).
pub const MIN_SHIPPED_ITEMS: usize = 15;

/// What an author asks for (the ledger's `checklists` subcommands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// A spreadsheet to a checklist file, validated; `output` "-" is standard output, none
    /// is the input with the extension .toml. `sheet` names the items sheet.
    Convert {
        input: PathBuf,
        sheet: Option<String>,
        output: Option<PathBuf>,
    },
    /// Checklist files, spreadsheets, or directories of checklist files, checked.
    Validate { files: Vec<PathBuf> },
    /// A checklist file as a spreadsheet (.xlsx or .csv).
    Export { file: PathBuf, output: PathBuf },
}

/// Runs a command; results go to `out`, problems and warnings to `err`. Returns whether it
/// succeeded.
pub fn run(command: Command, out: &mut impl Write, err: &mut impl Write) -> anyhow::Result<bool> {
    match command {
        Command::Convert {
            input,
            sheet,
            output,
        } => convert_cmd(&input, sheet.as_deref(), output, out, err),
        Command::Validate { files } => validate_cmd(&files, out, err),
        Command::Export { file, output } => export_cmd(&file, &output, out),
    }
}

fn summary(c: &Checklist) -> String {
    format!(
        "{} version {}, {} sections, {} items, content hash {}",
        c.id,
        c.version,
        c.sections.len(),
        c.items().count(),
        c.content_hash()
    )
}

fn convert_cmd(
    input: &Path,
    sheet: Option<&str>,
    output: Option<PathBuf>,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<bool> {
    let converted = match convert_file(input, sheet) {
        Ok(c) => c,
        Err(problems) => {
            for p in &problems.0 {
                writeln!(err, "{}: {p}", input.display())?;
            }
            writeln!(
                err,
                "FAIL {}: {} 个问题，未写入任何文件 / {} problem(s); nothing written",
                input.display(),
                problems.0.len(),
                problems.0.len()
            )?;
            return Ok(false);
        }
    };
    for w in &converted.warnings {
        writeln!(err, "warning: {}: {w}", input.display())?;
    }
    let items = converted.checklist.items().count();
    if items < MIN_SHIPPED_ITEMS {
        writeln!(
            err,
            "note: {items} 个条目；随应用发布的检查表至少要有 {MIN_SHIPPED_ITEMS} 个 / {items} items; a checklist shipped with the app needs at least {MIN_SHIPPED_ITEMS}"
        )?;
    }
    let output = output.unwrap_or_else(|| input.with_extension("toml"));
    if output.as_os_str() == "-" {
        out.write_all(converted.toml.as_bytes())?;
        return Ok(true);
    }
    // Changing content without a new version confuses everyone who compares versions.
    if let Ok(old_text) = std::fs::read_to_string(&output)
        && let Ok(old) = Checklist::from_toml(&output.display().to_string(), &old_text)
        && old.id == converted.checklist.id
        && old.version == converted.checklist.version
        && old.content_hash() != converted.checklist.content_hash()
    {
        writeln!(
            err,
            "warning: 内容与 {} 不同，但版本号仍是 {}：改了内容请改版本号 / the content differs \
             from {} but the version is still {}: change 版本 (version) whenever the content changes",
            output.display(),
            old.version,
            output.display(),
            old.version
        )?;
    }
    std::fs::write(&output, &converted.toml)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", output.display()))?;
    writeln!(
        out,
        "OK  {} -> {}: {}",
        input.display(),
        output.display(),
        summary(&converted.checklist)
    )?;
    Ok(true)
}

fn validate_cmd(
    files: &[PathBuf],
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<bool> {
    let mut paths = Vec::new();
    for arg in files {
        match checklist_files(arg) {
            Ok(found) => {
                if found.is_empty() {
                    writeln!(
                        err,
                        "FAIL {}: 目录中没有 *.toml 文件 / no *.toml files in this directory",
                        arg.display()
                    )?;
                    return Ok(false);
                }
                paths.extend(found);
            }
            Err(_) => paths.push(arg.clone()),
        }
    }
    let mut failed = 0;
    let mut ids: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in &paths {
        let is_toml = path
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("toml"));
        let result = if is_toml {
            std::fs::read_to_string(path)
                .map_err(|e| vec![format!("cannot read {}: {e}", path.display())])
                .and_then(|text| {
                    Checklist::from_toml(&path.display().to_string(), &text)
                        .map_err(|e| vec![e.to_string()])
                })
        } else {
            convert_file(path, None)
                .map(|c| {
                    for w in &c.warnings {
                        let _ = writeln!(err, "warning: {}: {w}", path.display());
                    }
                    c.checklist
                })
                .map_err(|p| {
                    p.0.iter()
                        .map(|p| format!("{}: {p}", path.display()))
                        .collect()
                })
        };
        match result {
            Ok(checklist) => {
                writeln!(out, "OK  {}: {}", path.display(), summary(&checklist))?;
                if checklist.items().count() < MIN_SHIPPED_ITEMS {
                    let n = checklist.items().count();
                    writeln!(
                        err,
                        "note: {}: {n} 个条目；随应用发布的检查表至少要有 {MIN_SHIPPED_ITEMS} 个 / \
                         {n} items; a checklist shipped with the app needs at least {MIN_SHIPPED_ITEMS}",
                        path.display(),
                    )?;
                }
                if let Some(first) = ids.insert(checklist.id.clone(), path.clone()) {
                    writeln!(
                        err,
                        "warning: {} 与 {} 的编号都是 {:?} / both have id {:?}",
                        first.display(),
                        path.display(),
                        checklist.id,
                        checklist.id
                    )?;
                }
            }
            Err(lines) => {
                failed += 1;
                for line in lines {
                    writeln!(err, "{line}")?;
                }
                writeln!(err, "FAIL {}", path.display())?;
            }
        }
    }
    writeln!(
        out,
        "{} file(s): {} ok, {failed} failed",
        paths.len(),
        paths.len() - failed
    )?;
    Ok(failed == 0)
}

fn export_cmd(file: &Path, output: &Path, out: &mut impl Write) -> anyhow::Result<bool> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let exported = export(&file.display().to_string(), &text)?;
    let bytes = if read::is_csv(output) {
        exported.to_csv()
    } else if output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        exported.to_xlsx()?
    } else {
        anyhow::bail!("{}: the output must end in .xlsx or .csv", output.display());
    };
    std::fs::write(output, bytes)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", output.display()))?;
    writeln!(
        out,
        "OK  {} -> {}: {}",
        file.display(),
        output.display(),
        summary(&exported.checklist)
    )?;
    Ok(true)
}
