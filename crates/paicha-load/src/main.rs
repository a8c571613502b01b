//! `paicha-load`: a province's evening of uploads against real processes.
//!
//! Starts a PostgreSQL of its own (`scripts/postgres`), `--instances` `paicha-ledger serve`
//! processes on it and nginx in front; makes `--devices` phones (Ed25519 keys, enrolled with
//! `paicha-ledger keys add`), each signing `--bundles` bundles of the repository's checklists;
//! uploads them through nginx with `--concurrency` connections (paced at `--rate` uploads/s
//! when given), retrying as the phones do; optionally breaks something half-way (`--fault`);
//! then prints throughput, latency percentiles, answers by status and the reconciliation.
//!
//! A benchmark, not a test: it exits 0 whatever it measured (2 on bad arguments, 1 when it
//! could not run). Run by `scripts/bench --only ledger-load`.

use anyhow::Context;
use clap::{Parser, ValueEnum};
use paicha_load::client::{Device, RetryPolicy, Upload};
use paicha_load::cluster::{Ledger, LedgerConfig, Nginx, NginxConfig, Postgres, repo_root};
use paicha_load::fleet::{self, Bundle, HazardRates, Phone, Rng};
use paicha_load::reconcile::reconcile;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Fault {
    None,
    /// SIGKILL one instance a quarter of the way in, start it again 2 s later.
    Kill,
    /// Stop PostgreSQL a quarter of the way in, start it again 3 s later.
    Postgres,
    /// SIGTERM each instance in turn and start it again (a rolling restart).
    Rolling,
}

#[derive(Debug, Parser)]
#[command(
    name = "paicha-load",
    about = "A province's evening of bundle uploads through nginx to several ledger instances on one PostgreSQL"
)]
struct Args {
    /// Simulated devices (phones), each enrolled.
    #[arg(long, default_value_t = 1000)]
    devices: usize,
    /// Bundles each device uploads (one sealed inspection each).
    #[arg(long, default_value_t = 3)]
    bundles: usize,
    /// Concurrent connections to nginx.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Uploads started per second (0: as fast as the ledger answers).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// `paicha-ledger serve` instances behind nginx.
    #[arg(long, default_value_t = 2)]
    instances: usize,
    /// Database connections per instance (PAICHA_DB_MAX_CONNECTIONS).
    #[arg(long, default_value_t = 8)]
    db_connections: u32,
    /// What to break half-way.
    #[arg(long, value_enum, default_value_t = Fault::None)]
    fault: Fault,
    /// The ledger binary (default: target/release/paicha-ledger).
    #[arg(long)]
    ledger: Option<PathBuf>,
    /// Seed for keys, enterprises and verdicts.
    #[arg(long, default_value_t = 21)]
    seed: u64,
    /// Keep PostgreSQL's fsync and synchronous_commit on (a durable server; the test
    /// server's default is off).
    #[arg(long)]
    durable: bool,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paicha-load: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string()
}

async fn run(args: Args) -> anyhow::Result<()> {
    let root = repo_root();
    let bin = args
        .ledger
        .clone()
        .unwrap_or_else(|| root.join("target/release/paicha-ledger"));
    anyhow::ensure!(bin.is_file(), "no ledger binary at {}", bin.display());
    let load_at_start = loadavg();
    let work = std::env::temp_dir().join(format!("paicha-load.{}", std::process::id()));
    std::fs::create_dir_all(work.join("dist"))?;
    std::fs::write(
        work.join("dist/index.html"),
        "<!doctype html><title>Paicha</title>",
    )?;

    eprintln!(
        "==> PostgreSQL, {} ledger instance(s), nginx",
        args.instances
    );
    if args.durable {
        // SAFETY of the environment: set before any thread reads it (the runtime's workers
        // do not touch the environment).
        unsafe { std::env::set_var("PAICHA_POSTGRES_DURABLE", "1") };
    }
    let postgres = Postgres::start()?;
    let config = LedgerConfig {
        bin: bin.clone(),
        database_url: postgres.url.clone(),
        dist: work.join("dist"),
        env: vec![
            ("PAICHA_LOG".into(), "warn".into()),
            (
                "PAICHA_DB_MAX_CONNECTIONS".into(),
                args.db_connections.to_string(),
            ),
            ("PAICHA_DB_ACQUIRE_TIMEOUT".into(), "3".into()),
        ],
        log_dir: work.clone(),
    };
    let mut ledgers = Vec::new();
    for i in 0..args.instances {
        ledgers.push(Ledger::start(&format!("ledger-{i}"), &config)?);
    }
    let ports: Vec<u16> = ledgers.iter().map(|l| l.port).collect();
    let nginx = Nginx::start(&work.join("nginx"), &ports, &NginxConfig::default())?;

    eprintln!(
        "==> {} devices x {} bundles: keys, enrolment, signing",
        args.devices, args.bundles
    );
    let checklists = fleet::load_checklists(&root.join("checklists"))?;
    let mut phones: Vec<Phone> = (0..args.devices)
        .map(|i| Phone::new(args.seed, i, checklists.len()))
        .collect();
    let started = Instant::now();
    fleet::enrol_with_cli(&bin, &postgres.url, &phones, 4)?;
    let enrol_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut rng = Rng::new(args.seed);
    // Round by round: every device's first bundle, then every device's second, ...
    let mut bundles: Vec<Bundle> = Vec::with_capacity(args.devices * args.bundles);
    for _ in 0..args.bundles {
        for phone in &mut phones {
            bundles.push(phone.next_bundle(&checklists, HazardRates::default(), &mut rng));
        }
    }
    let sign_secs = started.elapsed().as_secs_f64();
    let sizes: Vec<usize> = bundles.iter().map(|b| b.envelope.len()).collect();
    let findings: usize = bundles.iter().map(|b| b.findings).sum();
    eprintln!(
        "    enrolled in {enrol_secs:.1} s, signed in {sign_secs:.1} s; bundles {}–{} bytes \
         (mean {}), {findings} findings",
        sizes.iter().min().unwrap_or(&0),
        sizes.iter().max().unwrap_or(&0),
        sizes.iter().sum::<usize>() / sizes.len().max(1)
    );

    eprintln!(
        "==> uploading through nginx: {} connections{}{}",
        args.concurrency,
        if args.rate > 0.0 {
            format!(", {} uploads/s", args.rate)
        } else {
            String::new()
        },
        if args.fault == Fault::None {
            String::new()
        } else {
            format!(", fault: {:?}", args.fault)
        }
    );
    let bundles = Arc::new(bundles);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let results: Arc<Mutex<Vec<Option<Upload>>>> = Arc::new(Mutex::new(vec![None; bundles.len()]));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.concurrency {
        let (bundles, next, results) = (bundles.clone(), next.clone(), results.clone());
        let addr = nginx.addr();
        let rate = args.rate;
        workers.push(tokio::spawn(async move {
            let retry = RetryPolicy {
                max_attempts: 20,
                backoff: Duration::from_millis(100),
                max_wait: Duration::from_secs(2),
            };
            let mut device = Device::new(addr, retry);
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= bundles.len() {
                    break;
                }
                // Paced: upload i starts at i / rate seconds (latency counts from then, so
                // a backlog shows in it instead of hiding in the client).
                let due = if rate > 0.0 {
                    let due = started + Duration::from_secs_f64(i as f64 / rate);
                    tokio::time::sleep_until(due.into()).await;
                    due
                } else {
                    Instant::now()
                };
                let mut upload = device.upload(&bundles[i].envelope).await;
                upload.elapsed = due.elapsed();
                results.lock().unwrap()[i] = Some(upload);
            }
        }));
    }
    // The fault, a quarter of the way through the expected run.
    let expected = if args.rate > 0.0 {
        bundles.len() as f64 / args.rate
    } else {
        bundles.len() as f64 / 250.0
    };
    let fault_at = Duration::from_secs_f64((expected / 4.0).max(1.0));
    let mut fault_note = String::new();
    if args.fault != Fault::None {
        tokio::time::sleep(fault_at).await;
        let done = next
            .load(std::sync::atomic::Ordering::SeqCst)
            .min(bundles.len());
        match args.fault {
            Fault::Kill => {
                ledgers[0].kill9()?;
                fault_note = format!(
                    "SIGKILL of ledger-0 after {done} uploads started, restarted 2 s later"
                );
                tokio::time::sleep(Duration::from_secs(2)).await;
                ledgers[0].spawn()?;
            }
            Fault::Postgres => {
                postgres.down()?;
                fault_note = format!(
                    "PostgreSQL stopped after {done} uploads started, started again 3 s later"
                );
                tokio::time::sleep(Duration::from_secs(3)).await;
                postgres.up()?;
            }
            Fault::Rolling => {
                // As docs/deploy.md says: one at a time, the next only once the previous is
                // ready and back in nginx's rotation.
                let nginx_config = NginxConfig::default();
                for ledger in &mut ledgers {
                    tokio::task::block_in_place(|| ledger.rolling_restart(&nginx_config))?;
                }
                let finished = next
                    .load(std::sync::atomic::Ordering::SeqCst)
                    .min(bundles.len());
                fault_note = format!(
                    "rolling restart of every instance (SIGTERM, start, ready, nginx's \
                     fail_timeout + 1 s) while uploads {done} to {finished} started"
                );
            }
            Fault::None => {}
        }
    }
    for w in workers {
        w.await?;
    }
    let wall = started.elapsed().as_secs_f64();
    let load_at_end = loadavg();

    let uploads: Vec<Upload> = results
        .lock()
        .unwrap()
        .iter()
        .map(|u| u.clone().expect("every upload ran"))
        .collect();
    let acknowledged: Vec<bool> = uploads.iter().map(Upload::acknowledged).collect();
    let reconciliation = reconcile(&postgres.url, &bundles, &acknowledged)
        .await
        .context("reconciliation")?;

    let mut latencies: Vec<f64> = uploads
        .iter()
        .filter(|u| u.acknowledged())
        .map(|u| u.elapsed.as_secs_f64() * 1000.0)
        .collect();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let i = ((p / 100.0) * (latencies.len() - 1) as f64).round() as usize;
        latencies[i]
    };
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let mut retried = 0;
    for u in &uploads {
        for &s in &u.attempts {
            *by_status.entry(s).or_default() += 1;
        }
        if u.attempts.len() > 1 {
            retried += 1;
        }
    }
    let failed = uploads.iter().filter(|u| !u.acknowledged()).count();
    let acked = acknowledged.iter().filter(|a| **a).count();
    let statuses = by_status
        .iter()
        .map(|(s, n)| {
            if *s == 0 {
                format!("no answer: {n}")
            } else {
                format!("{s}: {n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");

    println!("| ledger load | measured |");
    println!("| --- | --- |");
    println!(
        "| setup | {} devices x {} bundles, {} instance(s) x {} connections, nginx, PostgreSQL ({}), {} client connections{}; load average {load_at_start} → {load_at_end} |",
        args.devices,
        args.bundles,
        args.instances,
        args.db_connections,
        if args.durable {
            "fsync on"
        } else {
            "fsync off"
        },
        args.concurrency,
        if args.rate > 0.0 {
            format!(", paced at {}/s", args.rate)
        } else {
            ", unpaced".into()
        }
    );
    println!(
        "| bundles | {} ({findings} findings), {:.1} KiB mean |",
        bundles.len(),
        sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64 / 1024.0
    );
    println!(
        "| throughput | **{:.0} bundle uploads/s** ({:.0} findings/s), {acked} acknowledged in {wall:.1} s |",
        acked as f64 / wall,
        findings as f64 / wall
    );
    println!(
        "| latency (acknowledged, retries included) | p50 {:.0} ms, p95 {:.0} ms, **p99 {:.0} ms**, max {:.0} ms |",
        pct(50.0),
        pct(95.0),
        pct(99.0),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "| answers | {statuses}; {retried} upload(s) needed a retry, {failed} never acknowledged |"
    );
    if !fault_note.is_empty() {
        println!("| fault | {fault_note} |");
    }
    println!("| reconciliation | {} |", reconciliation.summary());

    drop(nginx);
    drop(ledgers);
    drop(postgres);
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
