//! The `paicha-ledger` binary as an operator runs it: output and exit codes.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_paicha-ledger");

struct Workspace {
    dir: tempfile::TempDir,
    /// A PostgreSQL schema of its own when the test runs on PostgreSQL.
    postgres: Option<TestDb>,
}

impl Workspace {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            postgres: None,
        }
    }

    /// On SQLite the default database in --data-dir; on PostgreSQL --database-url.
    fn on(db: Db) -> Option<Self> {
        let postgres = match db {
            Db::Sqlite => None,
            Db::Postgres => Some(TestDb::new(db)?),
        };
        Some(Self {
            dir: tempfile::tempdir().unwrap(),
            postgres,
        })
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn command(&self) -> Command {
        let mut command = Command::new(BIN);
        command
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .env_remove("PAICHA_DATABASE_URL");
        if let Some(pg) = &self.postgres {
            command.arg("--database-url").arg(&pg.url);
        }
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// A new inspector account (`users add`), for keys to belong to: its id.
    fn inspector_account(&self) -> String {
        let out = self.run(&["users", "add", "--name", "张三", "--role", "inspector@13"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("account "))
            .unwrap_or_else(|| panic!("no account id in {stdout}"))
            .trim()
            .to_string()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn verify_accepts_a_good_bundle_and_says_who_signed_it() {
    let ws = Workspace::new();
    let good = ws.file("good.json", &good_bundle());
    let out = ws.run(&["verify", p(&good)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let key = Phone::new(7).device_info().key_id.short();
    assert!(
        stdout.contains(&format!("OK  {}  bundle", good.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("signed by 张三 (执法证号 44030012345) key {key}")),
        "{stdout}"
    );
    assert!(
        stdout.contains("checked by `paicha-ledger import`"),
        "{stdout}"
    );
    assert!(stdout.ends_with("1 file(s): 1 ok, 0 failed\n"), "{stdout}");
    assert!(
        !ws.dir.path().join("data").exists(),
        "verify must not create a database"
    );
}

#[test]
fn every_argument_explains_itself() {
    let help = |args: &[&str]| {
        let out = Command::new(BIN).args(args).arg("--help").output().unwrap();
        assert!(out.status.success(), "{args:?}");
        text(&out.stdout)
    };
    let root = help(&[]);
    assert!(
        root.contains("sqlite:///") && root.contains("postgres://USER"),
        "{root}"
    );
    let export = help(&["export", "hazards"]);
    for expected in [
        "--format <FORMAT>\n          Output format",
        "RFC 4180 CSV",
        "--header <HEADER>\n          Column names in the first line",
        "[alias: --from]",
        "[alias: --to]",
    ] {
        assert!(export.contains(expected), "{expected:?} in:\n{export}");
    }
    let validate = help(&["checklists", "validate"]);
    assert!(
        validate.contains("Checklist files (.toml), spreadsheets"),
        "{validate}"
    );
    let export_sheet = help(&["checklists", "export"]);
    assert!(
        export_sheet.contains("The checklist file to write out"),
        "{export_sheet}"
    );
    for command in [&["verify"][..], &["import"]] {
        let text = help(command);
        assert!(
            text.contains("<FILE|DIR>...\n          Bundle files"),
            "{text}"
        );
    }
}

#[test]
fn checklist_spreadsheets_round_trip_through_the_commands_and_validate_counts() {
    let ws = Workspace::new();
    let fireworks =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../checklists/fireworks.toml");
    let sheet = ws.dir.path().join("fireworks.xlsx");
    let out = ws.run(&["checklists", "export", p(&fireworks), "-o", p(&sheet)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let back = ws.dir.path().join("back.toml");
    let out = ws.run(&["checklists", "convert", p(&sheet), "-o", p(&back)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let hash = |path: &Path| {
        paicha_core::Checklist::from_toml("x", &std::fs::read_to_string(path).unwrap())
            .unwrap()
            .content_hash()
    };
    assert_eq!(hash(&back), hash(&fireworks));
    let broken = ws.file("broken.toml", "id = 3\n");
    let out = ws.run(&["checklists", "validate", p(&back), p(&broken)]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.ends_with("2 file(s): 1 ok, 1 failed\n"), "{stdout}");
    assert!(text(&out.stderr).contains(&format!("FAIL {}", broken.display())));
}

#[test]
fn verify_fails_on_a_tampered_or_missing_file_but_still_checks_the_rest() {
    let ws = Workspace::new();
    let good = ws.file("good.json", &good_bundle());
    let bad = ws.file("bad.json", &tampered(&good_bundle()));
    let missing = ws.dir.path().join("missing.json");
    let out = ws.run(&["verify", p(&good), p(&bad), p(&missing)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "FAIL {}: signature does not verify",
            bad.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("FAIL {}: cannot read", missing.display())),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("OK  "), "the good file is still reported");
    assert!(stdout.ends_with("3 file(s): 1 ok, 2 failed\n"), "{stdout}");
}

fn import_requires_enrolment_then_is_idempotent(db: Db) {
    let Some(ws) = Workspace::on(db) else {
        return;
    };
    let account = ws.inspector_account();
    let bundle = ws.file("inbox/b1.json", &good_bundle());
    ws.file("inbox/README.txt", "not a bundle");

    let out = ws.run(&["import", p(&bundle)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("is not enrolled")
            && stderr.contains("paicha-ledger keys add --from-bundle"),
        "{stderr}"
    );
    assert!(text(&out.stdout).contains("imported 0, already imported 0, rejected 1"));

    let out = ws.run(&[
        "keys",
        "add",
        "--account",
        &account,
        "--from-bundle",
        p(&bundle),
        "--organisation",
        "测试县应急管理局",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key = Phone::new(7).device_info().key_id;
    assert!(
        text(&out.stdout).contains(&key.short()),
        "the key id is shown for reading aloud"
    );

    let inbox = ws.dir.path().join("inbox");
    let out = ws.run(&["import", p(&inbox)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("imported 1, already imported 0, rejected 0"),
        "{}",
        text(&out.stdout)
    );

    let out = ws.run(&["import", p(&bundle)]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "already imported: bundle {}",
            uuid::Uuid::from_u128(100)
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("imported 0, already imported 1, rejected 0"),
        "{stdout}"
    );
}

fn keys_can_be_listed_and_revoked_and_revoked_keys_are_refused(db: Db) {
    let Some(ws) = Workspace::on(db) else {
        return;
    };
    let account = ws.inspector_account();
    let info = Phone::new(7).device_info();
    let out = ws.run(&[
        "keys",
        "add",
        "--account",
        &account,
        "--key-id",
        info.key_id.as_str(),
        "--public-key",
        &info.public_key,
        "--name",
        "张三",
        "--cert-no",
        "44030012345",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Times are China Standard Time, like every date the ledger prints.
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("  enrolled      20") && stdout.contains(" CST\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("UTC"), "{stdout}");

    let out = ws.run(&["keys", "list"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&info.key_id.short()) && stdout.contains("active"),
        "{stdout}"
    );

    let out = ws.run(&[
        "keys",
        "revoke",
        &info.key_id.short(),
        "--reason",
        "手机丢失",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&ws.run(&["keys", "list"]).stdout).contains("REVOKED"));

    let bundle = ws.file("b1.json", &good_bundle());
    let out = ws.run(&["import", p(&bundle)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("was revoked: 手机丢失 (revoked 20"),
        "{stderr}"
    );
    assert!(
        stderr.contains(" CST)") && !stderr.contains("UTC"),
        "{stderr}"
    );

    let wrong = Phone::new(8).device_info();
    let out = ws.run(&[
        "keys",
        "add",
        "--account",
        &account,
        "--key-id",
        info.key_id.as_str(),
        "--public-key",
        &wrong.public_key,
        "--name",
        "李四",
        "--cert-no",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("does not match key id"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn serve_announces_its_url_answers_and_stops_on_sigterm() {
    let ws = Workspace::new();
    let dist = ws.dir.path().join("dist");
    ws.file("dist/index.html", "<!doctype html><title>Paicha</title>");
    let mut child = Reaped(
        Command::new(BIN)
            .args([
                "--data-dir",
                p(&ws.dir.path().join("data")),
                "serve",
                "--dist",
                p(&dist),
                "--port",
                "0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("Paicha ledger listening on http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");

    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /api/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"status\":\"ok\""), "{response}");

    // The shell's builtin `kill`: /bin/kill (procps) is not on every minimal system.
    let killed = Command::new("sh")
        .args(["-c", "kill -TERM \"$1\"", "sh", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.0.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

/// Kills the server if a test fails before stopping it, so no process outlives the test.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn gaps_and_the_hazard_export_report_what_was_imported(db: Db) {
    let Some(ws) = Workspace::on(db) else {
        return;
    };
    let account = ws.inspector_account();
    let mut phone = Phone::new(7);
    let first = ws.file(
        "inbox/1.json",
        &phone.export(101, vec![phone.inspection(1)]).to_json(),
    );
    let _lost = phone.export(102, vec![phone.inspection(2)]);
    // A description a spreadsheet would run as a formula.
    let mut third = phone.inspection(3);
    third.answers.get_mut("fw-01").unwrap().description = "=HYPERLINK(\"http://x\")".into();
    ws.file("inbox/3.json", &phone.export(103, vec![third]).to_json());
    assert!(
        ws.run(&[
            "keys",
            "add",
            "--account",
            &account,
            "--from-bundle",
            p(&first)
        ])
        .status
        .success()
    );
    assert!(
        ws.run(&["import", p(&ws.dir.path().join("inbox"))])
            .status
            .success()
    );

    let out = ws.run(&["gaps"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("2 bundle(s), highest sequence 3"),
        "{stdout}"
    );
    assert!(stdout.contains("missing sequence(s): 2"), "{stdout}");

    let checklists = ws.dir.path().join("checklists");
    ws.file("checklists/test.toml", CHECKLIST_TOML);
    let out = ws.run(&[
        "export",
        "hazards",
        "--format",
        "csv",
        "--checklists",
        p(&checklists),
        "--level",
        "major",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(
        csv.starts_with("隐患编号,单位名称,统一社会信用代码"),
        "{csv}"
    );
    assert_eq!(csv.matches("重大隐患").count(), 2, "{csv}");
    assert!(text(&out.stderr).contains("exported 2 hazard(s)"));
    // The edition each finding was judged by, from the exact checklist version (its hash).
    let hash = checklist().content_hash().0;
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(",依据文件,依据文件版本,检查表内容哈希"),
        "{header}"
    );
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.ends_with(&format!(
            ",《中华人民共和国安全生产法》,中华人民共和国安全生产法；现行,{hash}"
        )),
        "{row}"
    );
    // Another version of the checklist (same id): the edition is flagged as inferred.
    ws.file(
        "checklists/test.toml",
        &CHECKLIST_TOML.replace("version = \"2026.1\"", "version = \"2026.2\""),
    );
    let out = ws.run(&[
        "export",
        "hazards",
        "--checklists",
        p(&checklists),
        "--level",
        "major",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(
            "中华人民共和国安全生产法；现行〔台账没有检查所用的检查表版本，按同编号的版本推定〕"
        ),
        "{}",
        text(&out.stdout)
    );
    ws.file("checklists/test.toml", CHECKLIST_TOML);
    assert!(csv.contains(",\"=HYPERLINK(\"\"http://x\"\")\","), "{csv}");
    assert!(!csv.contains("'="), "{csv}");

    // --excel: a byte order mark, and the formula defused; the same rows otherwise.
    let out = ws.run(&[
        "export",
        "hazards",
        "--checklists",
        p(&checklists),
        "--excel",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let excel = text(&out.stdout);
    assert!(excel.starts_with("\u{feff}隐患编号,"), "{excel}");
    assert!(
        excel.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","),
        "{excel}"
    );
    assert_eq!(excel.trim_start_matches('\u{feff}').replace("'=", "="), csv);
}

/// Re-inspections through the binary: imported before their hazards (file names sort the
/// review first), a warning for each review still waiting, `export hazards --status
/// overdue --as-of`, and `gaps` naming the review whose hazard never arrived.
fn followup_statuses_through_import_export_and_gaps(db: Db) {
    use paicha_core::reinspection::Escalation;
    let Some(ws) = Workspace::on(db) else {
        return;
    };
    let account = ws.inspector_account();
    let mut phone = Phone::new(7);
    let original = phone.inspection_with_three_hazards(1);
    let re = phone.reinspection(
        2,
        &original,
        march_at(8),
        &[
            ("fw-01", Decision::Rectified),
            ("fw-03", Decision::Escalate(Escalation::PenaltyCase)),
        ],
    );
    let lost = phone.inspection_with_three_hazards(3);
    let orphan = phone.reinspection(4, &lost, march_at(9), &[("fw-02", Decision::Rectified)]);
    let first = ws.file(
        "inbox/2-original.json",
        &phone.export(100, vec![original.clone()]).to_json(),
    );
    ws.file(
        "inbox/1-review.json",
        &phone.export_with_photos(101, vec![re]).to_json(),
    );
    ws.file(
        "inbox/3-orphan.json",
        &phone.export_with_photos(102, vec![orphan]).to_json(),
    );
    assert!(
        ws.run(&[
            "keys",
            "add",
            "--account",
            &account,
            "--from-bundle",
            p(&first)
        ])
        .status
        .success()
    );
    let out = ws.run(&["import", p(&ws.dir.path().join("inbox"))]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("2 review(s)"), "{stdout}");
    assert!(
        stdout.contains("imported 3, already imported 0"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr.matches("warning: re-inspection").count(),
        3,
        "two reviews wait for the original, one for a bundle that never comes:\n{stderr}"
    );
    assert!(stderr.contains("not in the ledger yet"), "{stderr}");

    ws.file("checklists/test.toml", CHECKLIST_TOML);
    let checklists = ws.dir.path().join("checklists");
    let export = |extra: &[&str]| {
        let mut args = vec!["export", "hazards", "--checklists", p(&checklists)];
        args.extend_from_slice(extra);
        ws.run(&args)
    };
    let out = export(&["--status", "overdue", "--as-of", "2026-03-08"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        rows.len(),
        2,
        "the header and fw-02 (deadline the 4th):\n{csv}"
    );
    assert!(
        rows[0].contains(",状态,") && rows[0].contains(",状态代码,"),
        "{csv}"
    );
    assert!(rows[1].contains("仓库未设置防雷设施"), "{csv}");
    assert!(rows[1].contains(",逾期未整改,"), "{csv}");
    assert!(rows[1].contains(",overdue,2026-03-04,"), "{csv}");
    assert!(text(&out.stderr).contains("exported 1 hazard(s)"));

    // On the 3rd nothing was overdue yet; fw-02 was due soon.
    let out = export(&["--status", "overdue", "--as-of", "2026-03-03"]);
    assert!(text(&out.stderr).contains("exported 0 hazard(s)"));
    let out = export(&["--status", "due_soon", "--as-of", "2026-03-03"]);
    assert!(text(&out.stderr).contains("exported 1 hazard(s)"));
    let out = export(&["--status", "verified,escalated", "--header", "keys"]);
    assert!(text(&out.stderr).contains("exported 2 hazard(s)"));
    let keys = text(&out.stdout);
    assert!(
        keys.contains(",verified,") && keys.contains(",escalated,"),
        "{keys}"
    );
    let out = export(&["--status", "done"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = export(&["--as-of", "8 March"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));

    let out = ws.run(&["gaps"]);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("1 re-inspection review(s) of hazards not in the ledger"),
        "{stdout}"
    );
    assert!(stdout.contains(&lost.id.to_string()), "{stdout}");
}

/// `keys list`, `gaps` and `export` in a directory without a ledger: an error naming the
/// database they looked for, and no database (nor data directory) created.
#[test]
fn read_only_commands_never_create_a_database() {
    let ws = Workspace::new();
    let data = ws.dir.path().join("data");
    for args in [
        &["keys", "list"][..],
        &["gaps"][..],
        &["export", "hazards", "--format", "csv"][..],
    ] {
        let out = ws.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("there is no ledger database at SQLite")
                && stderr.contains("ledger.sqlite3")
                && stderr.contains("read-only commands never create one"),
            "{args:?}: {stderr}"
        );
        assert!(!data.exists(), "{args:?} created {}", data.display());
    }
    // Once something was stored, the same commands say which database they read.
    let file = ws.file("b1.json", &good_bundle());
    let account = ws.inspector_account();
    let out = ws.run(&[
        "keys",
        "add",
        "--from-bundle",
        p(&file),
        "--account",
        &account,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = ws.run(&["keys", "list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = format!(
        "ledger database: SQLite {}",
        data.join("ledger.sqlite3").display()
    );
    assert!(
        text(&out.stderr).contains(&expected),
        "{}",
        text(&out.stderr)
    );
}

/// With PostgreSQL down, a command fails within the acquire timeout, saying why once.
#[test]
fn an_unreachable_database_is_named_once_and_quickly() {
    let ws = Workspace::new();
    // Port 1 on loopback: nothing listens there.
    let started = std::time::Instant::now();
    let out = ws
        .command()
        .args([
            "--database-url",
            "postgres://ledger:secret@127.0.0.1:1/ledger",
        ])
        .args(["--db-acquire-timeout", "1", "gaps"])
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "error: cannot open the database postgres://…@127.0.0.1:1/ledger: error communicating \
         with database: Connection refused (os error 111)",
    );
}

/// Connects to the server `serve` announced on stdout.
fn announced_address(child: &mut std::process::Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.trim()
        .strip_prefix("Paicha ledger listening on http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string()
}

fn sigterm(child: &std::process::Child) {
    let killed = Command::new("sh")
        .args(["-c", "kill -TERM \"$1\"", "sh", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
}

/// SIGTERM while an upload is half sent: the server stops accepting, finishes that request
/// (the import commits and the client gets its 201), and only then exits.
fn shutdown_finishes_an_upload_in_progress(db: Db) {
    let Some(ws) = Workspace::on(db) else {
        return;
    };
    let account = ws.inspector_account();
    let bundle = good_bundle();
    let file = ws.file("b1.json", &bundle);
    assert!(
        ws.run(&[
            "keys",
            "add",
            "--account",
            &account,
            "--from-bundle",
            p(&file)
        ])
        .status
        .success()
    );
    ws.file("dist/index.html", "<!doctype html><title>Paicha</title>");
    let mut child = Reaped(
        ws.command()
            .args([
                "serve",
                "--dist",
                p(&ws.dir.path().join("dist")),
                "--port",
                "0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let addr = announced_address(&mut child.0);
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let (head, tail) = bundle.as_bytes().split_at(bundle.len() / 2);
    write!(
        stream,
        "POST /api/bundles HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        bundle.len()
    )
    .unwrap();
    stream.write_all(head).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    sigterm(&child.0);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        child.0.try_wait().unwrap().is_none(),
        "the server waits for the upload in progress"
    );
    stream.write_all(tail).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    assert!(response.contains("\"status\":\"imported\""), "{response}");
    let status = child.0.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");

    // The import was committed before the server exited.
    let out = ws.run(&["import", p(&file)]);
    assert!(
        text(&out.stdout).contains("already imported: bundle"),
        "{}",
        text(&out.stdout)
    );
}

fn accounts_roles_links_and_the_audit_trail_from_the_command_line(db: Db) {
    let Some(ws) = Workspace::on(db) else {
        return;
    };
    // An account gets a one-time enrolment link on the public URL.
    let out = ws.run(&[
        "users",
        "add",
        "--name",
        "王督查",
        "--role",
        "supervisor@130102",
        "--role",
        "admin@13",
        "--public-url",
        "https://ledger.example.gov.cn",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("https://ledger.example.gov.cn/console/enrol/"),
        "{stdout}"
    );
    assert!(stdout.contains("role   supervisor@130102") && stdout.contains("role   admin@13"));
    let id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("account "))
        .unwrap()
        .trim()
        .to_string();
    // Roles outside the region table, or misspelt, are refused before anything is stored.
    for bad in ["supervisor@999999", "boss@13", "supervisor"] {
        let out = ws.run(&["users", "add", "--name", "x", "--role", bad]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(!text(&out.stderr).is_empty());
    }
    // A key needs an inspector's account.
    let info = Phone::new(7).device_info();
    let add = |account: &str| {
        ws.run(&[
            "keys",
            "add",
            "--account",
            account,
            "--key-id",
            info.key_id.as_str(),
            "--public-key",
            &info.public_key,
            "--name",
            "张三",
            "--cert-no",
            "44030012345",
        ])
    };
    let out = add(&id);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("has no inspector role"),
        "{}",
        text(&out.stderr)
    );
    let out = ws.run(&["keys", "add", "--key-id", info.key_id.as_str()]);
    assert_eq!(out.status.code(), Some(2), "clap: --account is required");
    let inspector = ws.inspector_account();
    assert!(add(&inspector).status.success());
    assert!(text(&ws.run(&["keys", "list"]).stdout).contains("active"));
    // --expect-key-id needs the 16 digits the phone shows, not one.
    let bundle = ws.file("b1.json", &good_bundle());
    let out = ws.run(&[
        "keys",
        "add",
        "--account",
        &inspector,
        "--from-bundle",
        p(&bundle),
        "--expect-key-id",
        "f",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("16 hex digits"),
        "{}",
        text(&out.stderr)
    );
    // Disabling the inspector's account refuses its device's bundles at once.
    assert!(ws.run(&["users", "disable", &inspector]).status.success());
    let out = ws.run(&["import", p(&bundle)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("account is disabled"),
        "{}",
        text(&out.stderr)
    );
    assert!(ws.run(&["users", "enable", &inspector]).status.success());
    assert!(ws.run(&["import", p(&bundle)]).status.success());
    // Every change above is in the audit trail, and the chain holds.
    let out = ws.run(&["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("audit trail intact"),
        "{}",
        text(&out.stdout)
    );
    let out = ws.run(&["audit", "export"]);
    let csv = text(&out.stdout);
    for action in [
        "account_created",
        "enrolment_link_created",
        "device_enrolled",
        "account_disabled",
        "account_enabled",
    ] {
        assert!(csv.contains(action), "{action} in {csv}");
    }
    // Regions: the shipped table, by level.
    let out = ws.run(&["regions", "list", "1301"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("130102  长安区") && stdout.contains("1301  河北省 石家庄市"),
        "{stdout}"
    );
}

fn photo_again() -> Vec<u8> {
    std::fs::read(repo_path(
        "tests/vectors/bundle-v2/blobs/930669e7d98dbacca220fb8295347f946fc0447a35394cef3cb53c92dda9b23e",
    ))
    .unwrap()
}

/// The transfer archive of bundle format version 2 (`tests/vectors/bundle-v2/archive.zip`):
/// `verify` checks it and each negative archive with its code; `import` takes the bundle and
/// its photo into the blob store, a directory by default or an S3-compatible bucket when the
/// test command runs one (`PAICHA_TEST_S3`), and they hold the same bytes.
fn transfer_archives_verify_and_import_with_their_photos(db: Db) {
    let Some(ws) = Workspace::on(db) else {
        return;
    };
    let archive = repo_path("tests/vectors/bundle-v2/archive.zip");
    let out = ws.run(&["verify", p(&archive)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo_path("tests/vectors/negative-archive/manifest.json")).unwrap(),
    )
    .unwrap();
    for case in manifest.as_array().unwrap() {
        let file = repo_path(&format!(
            "tests/vectors/negative-archive/{}",
            case["file"].as_str().unwrap()
        ));
        let out = ws.run(&["verify", p(&file)]);
        assert_eq!(out.status.code(), Some(1), "{}", file.display());
        let code = case["error"].as_str().unwrap();
        assert!(
            text(&out.stderr).contains(&format!("({code})")),
            "{}: {}",
            file.display(),
            text(&out.stderr)
        );
    }

    // The vector's key (seed 7 × 32) enrolled from the archive's own bundle file.
    let account = ws.inspector_account();
    let envelope = repo_path("tests/vectors/bundle-v2/envelope.json");
    let out = ws.run(&[
        "keys",
        "add",
        "--account",
        &account,
        "--from-bundle",
        p(&envelope),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A refused archive leaves nothing behind, not even its blob.
    let bad = repo_path("tests/vectors/negative-archive/blob-unnamed.zip");
    let out = ws.run(&["import", p(&bad)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("(blob_unnamed)"),
        "{}",
        text(&out.stderr)
    );

    let photo = std::fs::read(repo_path(
        "tests/vectors/bundle-v2/blobs/930669e7d98dbacca220fb8295347f946fc0447a35394cef3cb53c92dda9b23e",
    ))
    .unwrap();
    let sha = paicha_core::sha256_hex(&photo);
    let mut stores = vec![("directory", None)];
    if let Some(endpoint) = std::env::var("PAICHA_TEST_S3")
        .ok()
        .filter(|e| !e.is_empty())
    {
        let bucket = format!("archive-{}", uuid::Uuid::new_v4().simple());
        let created = std::process::Command::new("curl")
            .args(["-sf", "-X", "PUT", &format!("{endpoint}/{bucket}")])
            .status()
            .unwrap();
        assert!(created.success(), "the S3 server makes a bucket");
        stores.push((
            "S3",
            Some(format!(
                "s3://{bucket}?endpoint={endpoint}&region=us-east-1"
            )),
        ));
    }
    for (kind, location) in stores {
        // A fresh ledger database each time, so that each store gets the photo.
        let ws = Workspace::on(db).unwrap();
        let account = ws.inspector_account();
        let run = |args: &[&str]| {
            let mut command = ws.command();
            if let Some(location) = &location {
                command.arg("--blob-store").arg(location);
            }
            command.args(args).output().unwrap()
        };
        // Enrolled from the archive itself: its first entry is the bundle file.
        let out = run(&[
            "keys",
            "add",
            "--account",
            &account,
            "--from-bundle",
            p(&archive),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = run(&["import", p(&archive)]);
        assert!(out.status.success(), "{kind}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains("imported 1, already imported 0, rejected 0"),
            "{stdout}"
        );
        assert!(!stdout.contains("INCOMPLETE"), "{stdout}");
        // The bundle file alone, imported again: already there, nothing awaited.
        let out = run(&["import", p(&envelope)]);
        assert!(
            text(&out.stdout).contains("already imported"),
            "{}",
            text(&out.stdout)
        );
        let out = run(&["gaps"]);
        assert!(
            !text(&out.stdout).contains("photo(s) awaited"),
            "{}",
            text(&out.stdout)
        );
        if let Some(location) = &location {
            let parsed = paicha_ledger::blobs::BlobLocation::parse(location).unwrap();
            let expected = photo.clone();
            run_blocking(async move {
                let store = paicha_ledger::blobs::BlobStore::open(&parsed)
                    .await
                    .unwrap();
                let got = store
                    .get(&paicha_core::sha256_hex(&photo_again()))
                    .await
                    .unwrap();
                let got = got.expect("the bucket holds the photo");
                assert_eq!(
                    got.as_ref(),
                    expected.as_slice(),
                    "the same bytes as the directory"
                );
            });
        } else {
            let held = ws
                .dir
                .path()
                .join("data/blobs/blobs")
                .join(&sha[..2])
                .join(&sha);
            assert_eq!(
                std::fs::read(&held).unwrap(),
                photo,
                "{kind}: {}",
                held.display()
            );
            // `blobs check` reads it back; a file no row names is counted, then collected.
            let out = run(&["blobs", "check"]);
            assert!(out.status.success(), "{}", text(&out.stderr));
            assert!(
                text(&out.stdout).contains("1 photo(s) stored and intact, 0 awaited"),
                "{}",
                text(&out.stdout)
            );
            let stray = "0".repeat(64);
            let stray_path = ws.dir.path().join("data/blobs/blobs/00").join(&stray);
            std::fs::create_dir_all(stray_path.parent().unwrap()).unwrap();
            std::fs::write(&stray_path, b"left by a failed import").unwrap();
            let out = run(&["blobs", "check"]);
            assert!(
                text(&out.stdout).contains("1 file(s) no row names"),
                "{}",
                text(&out.stdout)
            );
            let out = run(&["blobs", "collect"]);
            assert!(out.status.success(), "{}", text(&out.stderr));
            assert!(!stray_path.exists(), "collected");
            assert!(held.exists(), "a stored photo stays");
            // A photo altered on disk is a problem `check` names, with exit status 1.
            std::fs::write(&held, b"altered").unwrap();
            let out = run(&["blobs", "check"]);
            assert_eq!(out.status.code(), Some(1));
            assert!(
                text(&out.stdout).contains(&format!("PROBLEM {sha}")),
                "{}",
                text(&out.stdout)
            );
        }
    }
}

on_both_databases_sync!(
    transfer_archives_verify_and_import_with_their_photos,
    accounts_roles_links_and_the_audit_trail_from_the_command_line,
    import_requires_enrolment_then_is_idempotent,
    keys_can_be_listed_and_revoked_and_revoked_keys_are_refused,
    gaps_and_the_hazard_export_report_what_was_imported,
    followup_statuses_through_import_export_and_gaps,
    shutdown_finishes_an_upload_in_progress,
);

// ---------------------------------------------------------------- signed checklist packs

fn repo_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// keygen → sign → verify-pack; rotate to a new key, which devices then trust only with the
/// statement; a statement signed by a key they do not trust is refused.
#[test]
fn checklist_packs_are_signed_verified_and_keys_rotated_through_the_commands() {
    let ws = Workspace::new();
    let key1 = ws.dir.path().join("k1.json");
    let key2 = ws.dir.path().join("k2.json");
    for (key, name) in [(&key1, "省 2026"), (&key2, "省 2027")] {
        let out = ws.run(&["checklists", "keygen", "--name", name, "-o", p(key)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("trusted entry: {\"key_id\":"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key1).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "a private key is readable by its owner only"
        );
    }
    // A key is never overwritten.
    let again = ws.run(&["checklists", "keygen", "--name", "x", "-o", p(&key1)]);
    assert_eq!(again.status.code(), Some(1));
    // The trust root devices start from: key 1 only.
    let k1 = paicha_core::signed_pack::KeyFile::from_json(&std::fs::read(&key1).unwrap()).unwrap();
    let root = paicha_core::signed_pack::KeyList {
        serial: 1,
        keys: vec![k1.trusted()],
        issued_at: None,
    };
    let trust = ws.dir.path().join("trust.json");
    std::fs::write(&trust, root.to_json()).unwrap();

    let checklists = repo_path("checklists");
    let pack1 = ws.dir.path().join("pack1.json");
    let out = ws.run(&[
        "checklists",
        "sign",
        p(&checklists),
        "--key",
        p(&key1),
        "--trust-root",
        p(&trust),
        "-o",
        p(&pack1),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = ws.run(&[
        "checklists",
        "verify-pack",
        p(&pack1),
        "--trust-root",
        p(&trust),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("signed by 省 2026"), "{stdout}");
    assert!(
        stdout.contains("coal-mine 2026.12.1 (127 items)"),
        "{stdout}"
    );

    // Signed with key 2 alone: devices refuse it (and sign refuses to write it).
    let pack2 = ws.dir.path().join("pack2.json");
    let out = ws.run(&[
        "checklists",
        "sign",
        p(&checklists),
        "--key",
        p(&key2),
        "--trust-root",
        p(&trust),
        "-o",
        p(&pack2),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("devices would refuse this pack"),
        "{}",
        text(&out.stderr)
    );
    assert!(!pack2.exists());

    // The rotation: key 1 (trusted) signs the list {key 2}; with it, key 2's pack is accepted.
    let statement = ws.dir.path().join("rotation.json");
    let k2 = paicha_core::signed_pack::KeyFile::from_json(&std::fs::read(&key2).unwrap()).unwrap();
    let out = ws.run(&[
        "checklists",
        "rotate",
        "--from",
        p(&trust),
        "--key",
        p(&key1),
        "--add",
        p(&key2),
        "--retire",
        k1.key_id.as_str(),
        "-o",
        p(&statement),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("key list 2 trusts"),
        "{}",
        text(&out.stdout)
    );
    let out = ws.run(&[
        "checklists",
        "sign",
        p(&checklists),
        "--key",
        p(&key2),
        "--statement",
        p(&statement),
        "--trust-root",
        p(&trust),
        "-o",
        p(&pack2),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = ws.run(&[
        "checklists",
        "verify-pack",
        p(&pack2),
        "--trust-root",
        p(&trust),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("move devices to key list 2"),
        "{}",
        text(&out.stdout)
    );

    // A statement made by key 2 for itself (not trusted by the devices) does not rotate.
    let forged = ws.dir.path().join("forged.json");
    let self_trust = ws.dir.path().join("self-trust.json");
    std::fs::write(
        &self_trust,
        paicha_core::signed_pack::KeyList {
            serial: 1,
            keys: vec![k2.trusted()],
            issued_at: None,
        }
        .to_json(),
    )
    .unwrap();
    let out = ws.run(&[
        "checklists",
        "rotate",
        "--from",
        p(&self_trust),
        "--key",
        p(&key2),
        "-o",
        p(&forged),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let pack3 = ws.dir.path().join("pack3.json");
    let out = ws.run(&[
        "checklists",
        "sign",
        p(&checklists),
        "--key",
        p(&key2),
        "--statement",
        p(&forged),
        "-o",
        p(&pack3),
    ]);
    assert!(out.status.success());
    let out = ws.run(&[
        "checklists",
        "verify-pack",
        p(&pack3),
        "--trust-root",
        p(&trust),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("密钥轮换声明无效"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn sign_refuses_checklists_that_publication_rejects() {
    let ws = Workspace::new();
    // The test checklist has no issuer, region, change log or checked dates.
    let file = ws.file("lists/test.toml", CHECKLIST_TOML);
    let out = ws.run(&[
        "checklists",
        "sign",
        p(&file),
        "--key",
        p(&repo_path("checklists/keys/development.key.json")),
        "-o",
        p(&ws.dir.path().join("pack.json")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("检查表未写发布机关（issuer）"), "{err}");
    assert!(err.contains("nothing signed"), "{err}");
    assert!(!ws.dir.path().join("pack.json").exists());
}

#[test]
fn coverage_reports_every_document_from_the_register() {
    let ws = Workspace::new();
    let out = ws.run(&[
        "checklists",
        "coverage",
        "--dir",
        p(&repo_path("checklists")),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("| 煤矿重大事故隐患判定标准 | 应急管理部令第21号 | 现行 | 已取得 obtained | 123 | 123 | 100 |"), "{report}");
    assert!(report.contains("AQ 3067-2026"), "{report}");
    assert!(report.contains("原因 / reason: 标准正文未取得"), "{report}");
    let out = ws.run(&[
        "checklists",
        "coverage",
        "--dir",
        p(&repo_path("checklists")),
        "--format",
        "json",
    ]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let coal = json
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "coal-ling21-2026")
        .unwrap();
    assert_eq!(coal["official"], 123);
    assert_eq!(coal["missing"], serde_json::json!([]));
}

/// `serve` with a pack the app would refuse: it starts, says so at once, and answers 503 with
/// the reason; the app keeps the checklists it has.
#[test]
fn serve_refuses_a_tampered_pack_and_says_so_when_it_starts() {
    let ws = Workspace::new();
    ws.file("dist/index.html", "<!doctype html><title>Paicha</title>");
    let dist = ws.dir.path().join("dist");
    let key = repo_path("checklists/keys/development.key.json");
    let pack = ws.dir.path().join("dist/checklists/pack.json");
    std::fs::create_dir_all(pack.parent().unwrap()).unwrap();
    std::fs::copy(
        repo_path("checklists/keys/trust-root.json"),
        dist.join("checklists/trust-root.json"),
    )
    .unwrap();
    let out = ws.run(&[
        "checklists",
        "sign",
        p(&repo_path("checklists")),
        "--key",
        p(&key),
        "-o",
        p(&pack),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // One signed character changed: 省应急管理厅 → 省应急管理局.
    let mut file: paicha_core::signed_pack::SignedPackFile =
        serde_json::from_slice(&std::fs::read(&pack).unwrap()).unwrap();
    let payload = paicha_core::dsse::b64_decode(&file.envelope.payload).unwrap();
    let payload = String::from_utf8(payload)
        .unwrap()
        .replacen("省应急管理厅", "省应急管理局", 1);
    file.envelope.payload = paicha_core::dsse::b64_encode(payload.as_bytes());
    std::fs::write(&pack, file.to_json()).unwrap();

    let mut child = Reaped(
        Command::new(BIN)
            .args([
                "--data-dir",
                p(&ws.dir.path().join("data")),
                "serve",
                "--dist",
                p(&dist),
                "--port",
                "0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("Paicha ledger listening on http://")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET /api/checklists HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 503"), "{response}");
    assert!(response.contains("checklist_pack_refused"), "{response}");
    assert!(response.contains("[bad_signature]"), "{response}");
    let killed = Command::new("sh")
        .args(["-c", "kill -TERM \"$1\"", "sh", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.0.wait().unwrap();
    let mut stderr = String::new();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("error: 检查表包被拒绝"), "{stderr}");
    assert!(stderr.contains("checklist pack refused"), "{stderr}");
}
