//! `paicha-ledger users`: accounts of the people who use the ledger, their roles per region,
//! and the one-time links with which they register a passkey. Every change is audited with
//! the actor `cli` (an operator on the server).

use crate::access::passkeys::LINK_VALIDITY;
use crate::access::{accounts, parse_grant};
use crate::store::{Account, AuditEntry, Grant, Outcome, Store};
use crate::time::cst_minute;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::Write;

#[derive(Debug, Args)]
pub struct UsersArgs {
    #[command(subcommand)]
    pub command: UsersCommand,
    /// Where people open the ledger, for the enrolment links printed (a domain: passkeys do
    /// not work on an IP address).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "PAICHA_PUBLIC_URL",
        default_value = "http://localhost:8080"
    )]
    pub public_url: url::Url,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account and print its one-time enrolment link.
    ///
    /// Roles are ROLE@REGION: admin (省级管理员: accounts, regions, keys), supervisor (督查:
    /// reads and assigns in its region), township (乡镇: reads its township, re-inspects),
    /// inspector (检查员: a person whose devices upload). REGION is a 行政区划代码 of 2, 4, 6
    /// or 9 digits (see `paicha-ledger regions list`). Give --role once per role.
    Add {
        /// The person's name, as it appears in the console and the audit trail.
        #[arg(long)]
        name: String,
        /// A role in a region, e.g. supervisor@130102 (repeatable).
        #[arg(long = "role", value_name = "ROLE@REGION", required = true)]
        roles: Vec<String>,
        /// How long the enrolment link stays valid, in hours.
        #[arg(long, value_name = "HOURS", default_value_t = LINK_VALIDITY.num_hours())]
        link_hours: i64,
    },
    /// List accounts, their roles and whether they are disabled.
    List,
    /// Print a new one-time enrolment link for an account (another passkey, a lost one).
    Link {
        #[arg(value_name = "ACCOUNT")]
        account: String,
        #[arg(long, value_name = "HOURS", default_value_t = LINK_VALIDITY.num_hours())]
        link_hours: i64,
    },
    /// Disable an account: its sessions end and its devices' uploads are refused, at once.
    Disable {
        #[arg(value_name = "ACCOUNT")]
        account: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(value_name = "ACCOUNT")]
        account: String,
    },
    /// Give an account a role in a region.
    Grant {
        #[arg(value_name = "ACCOUNT")]
        account: String,
        #[arg(value_name = "ROLE@REGION")]
        role: String,
    },
    /// Take a role in a region from an account.
    Revoke {
        #[arg(value_name = "ACCOUNT")]
        account: String,
        #[arg(value_name = "ROLE@REGION")]
        role: String,
    },
}

pub async fn run(store: &Store, args: UsersArgs, out: &mut impl Write) -> anyhow::Result<bool> {
    let now = chrono::Utc::now();
    match args.command {
        UsersCommand::Add {
            name,
            roles,
            link_hours,
        } => {
            let name = accounts::check_name(&name)?;
            let grants = parse_grants(&roles)?;
            accounts::check_regions(store, &grants).await?;
            let id = accounts::new_account_id();
            let audit = AuditEntry::new("cli", "account_created", Outcome::Ok)
                .target(&id)
                .detail(format!("{name}: {}", roles.join(", ")));
            store
                .create_account(&id, &name, &grants, now, &audit)
                .await?;
            writeln!(out, "account {id}")?;
            writeln!(out, "  name   {name}")?;
            for grant in &grants {
                writeln!(out, "  role   {}@{}", grant.role.slug(), grant.region)?;
            }
            link(store, &id, link_hours, &args.public_url, out).await
        }
        UsersCommand::List => {
            let accounts = store.accounts().await?;
            if accounts.is_empty() {
                writeln!(
                    out,
                    "No accounts. Create one with: paicha-ledger users add --name NAME --role ROLE@REGION"
                )?;
            }
            for account in &accounts {
                writeln!(out, "{}", describe(account))?;
            }
            writeln!(out, "{} account(s)", accounts.len())?;
            Ok(true)
        }
        UsersCommand::Link {
            account,
            link_hours,
        } => {
            let account = existing(store, &account).await?;
            link(store, &account.id, link_hours, &args.public_url, out).await
        }
        UsersCommand::Disable { account } => set_disabled(store, &account, true, out).await,
        UsersCommand::Enable { account } => set_disabled(store, &account, false, out).await,
        UsersCommand::Grant { account, role } => set_grant(store, &account, &role, true, out).await,
        UsersCommand::Revoke { account, role } => {
            set_grant(store, &account, &role, false, out).await
        }
    }
}

async fn set_disabled(
    store: &Store,
    account: &str,
    disable: bool,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let now = chrono::Utc::now();
    let account = existing(store, account).await?;
    let action = if disable {
        "account_disabled"
    } else {
        "account_enabled"
    };
    let audit = AuditEntry::new("cli", action, Outcome::Ok).target(&account.id);
    store
        .set_account_disabled(&account.id, disable.then_some(now), &audit, now)
        .await?;
    let what = if disable {
        "disabled: its sessions ended and its devices' uploads are refused"
    } else {
        "enabled"
    };
    writeln!(out, "{} ({}) {what}", account.name, account.id)?;
    Ok(true)
}

async fn set_grant(
    store: &Store,
    account: &str,
    role: &str,
    add: bool,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let account = existing(store, account).await?;
    let grant = parse_grant(role).map_err(anyhow::Error::msg)?;
    if add {
        accounts::check_regions(store, std::slice::from_ref(&grant)).await?;
    }
    let action = if add { "role_granted" } else { "role_revoked" };
    let audit = AuditEntry::new("cli", action, Outcome::Ok)
        .target(&account.id)
        .detail(role);
    let changed = store
        .set_grant(&account.id, &grant, add, &audit, chrono::Utc::now())
        .await?;
    let what = match (add, changed) {
        (true, true) => "granted",
        (true, false) => "was already held",
        (false, true) => "revoked",
        (false, false) => "was not held",
    };
    writeln!(out, "{} ({}): {role} {what}", account.name, account.id)?;
    Ok(true)
}

fn parse_grants(roles: &[String]) -> anyhow::Result<Vec<Grant>> {
    roles
        .iter()
        .map(|r| parse_grant(r).map_err(anyhow::Error::msg))
        .collect()
}

async fn existing(store: &Store, id: &str) -> anyhow::Result<Account> {
    store
        .account(id.trim())
        .await?
        .with_context(|| format!("no account {id:?}; `paicha-ledger users list` shows them"))
}

fn describe(account: &Account) -> String {
    let roles: Vec<String> = account
        .grants
        .iter()
        .map(|g| format!("{}@{}", g.role.slug(), g.region))
        .collect();
    let state = match account.disabled_at {
        Some(at) => format!("DISABLED {}", cst_minute(at)),
        None => "active".to_string(),
    };
    format!(
        "{}  {}  {}  created {}  {state}",
        account.id,
        account.name,
        roles.join(","),
        cst_minute(account.created_at)
    )
}

/// Creates and prints a one-time enrolment link for `account_id`.
async fn link(
    store: &Store,
    account_id: &str,
    hours: i64,
    public_url: &url::Url,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let (token, expires) =
        accounts::issue_link(store, account_id, hours, "cli", chrono::Utc::now()).await?;
    let link = accounts::link_url(public_url, &token).context("building the enrolment link")?;
    writeln!(out, "enrolment link (once, until {}):", cst_minute(expires))?;
    writeln!(out, "  {link}")?;
    writeln!(
        out,
        "Give it to the person only: whoever opens it first registers a passkey for this account."
    )?;
    Ok(true)
}
