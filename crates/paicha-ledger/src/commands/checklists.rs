//! `paicha-ledger checklists convert|validate|export`: the checklist spreadsheet tool
//! (`paicha-sheets`) on the command line.

use clap::{Args, Subcommand};
use paicha_sheets::Command;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ChecklistsArgs {
    #[command(subcommand)]
    pub command: ChecklistsCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChecklistsCommand {
    /// Convert a spreadsheet (.xlsx or .csv) into a checklist file (.toml) and validate it.
    ///
    /// The layout (sheets 检查表, 依据, 适用性, 条目 and their columns) is described in
    /// checklists/README.md; `checklists export` writes an example. Every problem is reported
    /// as SHEET!ROW: reason, all at once, and nothing is written while there is one.
    Convert {
        /// The spreadsheet: .xlsx (or .xls, .ods) or .csv.
        #[arg(value_name = "INPUT.xlsx|INPUT.csv")]
        input: PathBuf,
        /// Name of the items sheet, when it is not called 条目 (or items).
        #[arg(long, value_name = "NAME")]
        sheet: Option<String>,
        /// Where to write the checklist file; "-" for standard output. Default: INPUT with
        /// the extension .toml.
        #[arg(long, short, value_name = "OUT.toml")]
        output: Option<PathBuf>,
    },
    /// Validate checklist files (.toml), or spreadsheets (.xlsx, .csv) without writing anything.
    ///
    /// Prints id, version, item count and content hash of each good file, then the totals;
    /// exits with status 1 if any file fails.
    Validate {
        /// Checklist files (.toml), spreadsheets (.xlsx, .csv), or directories whose *.toml
        /// files are validated.
        #[arg(required = true, value_name = "FILE|DIR")]
        files: Vec<PathBuf>,
    },
    /// Write a checklist file as a spreadsheet in the layout `convert` reads (.xlsx or .csv).
    ///
    /// Comments (#) travel in the 注释/备注 cells, so converting the spreadsheet back gives the
    /// same checklist (same content hash).
    Export {
        /// The checklist file to write out.
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
        /// The spreadsheet to write: OUT.xlsx or OUT.csv.
        #[arg(long, short, required = true, value_name = "OUT.xlsx|OUT.csv")]
        output: PathBuf,
    },
}

pub fn run(
    args: ChecklistsArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<bool> {
    let command = match args.command {
        ChecklistsCommand::Convert {
            input,
            sheet,
            output,
        } => Command::Convert {
            input,
            sheet,
            output,
        },
        ChecklistsCommand::Validate { files } => Command::Validate { files },
        ChecklistsCommand::Export { file, output } => Command::Export { file, output },
    };
    paicha_sheets::run(command, out, err)
}
