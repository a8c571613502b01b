//! `paicha-ledger regions`: the 行政区划 table that scopes accounts and places inspections.

use crate::store::{AuditEntry, Outcome, Store};
use anyhow::Context;
use clap::{Args, Subcommand};
use paicha_core::region::{RegionCode, Regions};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct RegionsArgs {
    #[command(subcommand)]
    pub command: RegionsCommand,
}

#[derive(Debug, Subcommand)]
pub enum RegionsCommand {
    /// List regions: the provinces, or the regions one level below CODE.
    List {
        /// A region code; its children are listed.
        #[arg(value_name = "CODE")]
        under: Option<String>,
    },
    /// Add regions (e.g. townships created since the shipped table) from a CSV file with the
    /// columns code,name,level,parent (UTF-8), and place every inspection again.
    ///
    /// Codes already present are renamed if the file names them otherwise; none is removed.
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

pub async fn run(store: &Store, args: RegionsArgs, out: &mut impl Write) -> anyhow::Result<bool> {
    match args.command {
        RegionsCommand::List { under } => {
            let table = store.region_table().await?;
            let parent = under
                .as_deref()
                .map(RegionCode::parse)
                .transpose()
                .map_err(anyhow::Error::msg)?;
            if let Some(code) = &parent {
                writeln!(out, "{}  {}", code, table.path(code))?;
            }
            let mut n = 0;
            for region in table.children(parent.as_ref()) {
                writeln!(out, "{}  {}", region.code, region.name)?;
                n += 1;
            }
            writeln!(out, "{n} region(s)")?;
            Ok(true)
        }
        RegionsCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let imported = Regions::from_csv(&text)
                .with_context(|| format!("{} is not a region table", file.display()))?;
            // Each region's parent must exist, here or in the file.
            let known = store.region_table().await?;
            for region in imported.iter() {
                if let Some(parent) = region.code.parent()
                    && known.get(&parent).is_none()
                    && imported.get(&parent).is_none()
                {
                    anyhow::bail!(
                        "{} names the parent {parent}, which is in neither the ledger nor the file",
                        region.code
                    );
                }
            }
            let list: Vec<_> = imported.iter().cloned().collect();
            let (added, moved) = store.import_regions(&list).await?;
            let audit = AuditEntry::new("cli", "regions_imported", Outcome::Ok)
                .target(file.display().to_string())
                .detail(format!(
                    "{added} new, {} in the file, {moved} inspections placed again",
                    list.len()
                ));
            store.audit(&audit, chrono::Utc::now()).await?;
            writeln!(
                out,
                "{} region(s) read, {added} new; {moved} inspection(s) placed again",
                list.len()
            )?;
            Ok(true)
        }
    }
}
