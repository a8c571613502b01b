//! The supervisors' console through the HTTP router on both databases (the browser journey is
//! tests/e2e/lists.test.mjs): the evidence view of a hazard and its photo, 交办, the three
//! lists recorded with validation, scoped to the person's regions, exported, audited.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::http::*;
use common::*;
use paicha_core::Inspection;
use paicha_ledger::store::audit::verify_chain;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

fn encode(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// A console form as a browser posts it: same origin, the session cookie, the CSRF field.
fn form(path: &str, cookie: &str, csrf: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let mut body = format!("csrf={}", encode(csrf));
    for (name, value) in fields {
        body.push_str(&format!("&{name}={}", encode(value)));
    }
    Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

async fn page(s: &Server, path: &str, cookie: &str) -> (StatusCode, String) {
    let (status, _, bytes) = send(&s.app, get_as(path, cookie)).await;
    (status, String::from_utf8(bytes).unwrap())
}

/// Every `href` in `html` that starts with `prefix`.
fn links(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_string())
        .filter(|href| href.starts_with(prefix))
        .collect()
}

/// The `href` of the first link starting with `prefix` in `html`.
fn first_link(html: &str, prefix: &str) -> String {
    links(html, prefix)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no link to {prefix}…"))
}

/// `query_one` takes the SQL for the life of the test run.
fn sql(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

async fn audited(s: &Server, action: &str, outcome: &str) -> i64 {
    s.tdb
        .query_one(sql(format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = '{action}' AND outcome = '{outcome}'"
        )))
        .await
}

async fn a_supervisor_assigns_a_hazard_and_records_the_three_lists(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let mut phone = Phone::new(7);
    let (status, _, body) = send(&s.app, post_bundle(bundle_with_photo(&mut phone).0)).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (cookie, csrf, _) = signed_in(&s.store, "深圳督查", &["supervisor@4403"]).await;
    let (other, other_csrf, _) = signed_in(&s.store, "河北督查", &["supervisor@13"]).await;
    let (township, township_csrf, _) = signed_in(&s.store, "深圳乡镇", &["township@4403"]).await;
    let (_, _, inspector_id) = signed_in(&s.store, "李检查", &["inspector@4403"]).await;

    // The ledger page links each hazard to its evidence.
    let (status, ledger) = page(&s, "/console/", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let evidence = links(&ledger, "/console/hazards/")
        .into_iter()
        .find(|href| href.ends_with("/fw-01"))
        .expect("the major hazard's link");
    // Before the photo has arrived (the envelope travels first) the page says so.
    let (status, html) = page(&s, &evidence, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("照片 1 尚未送达"), "{html}");
    assert!(
        !html.contains(&format!("{evidence}/photos/")),
        "no broken image"
    );
    deliver_photos(&s.store).await;
    let (status, html) = page(&s, &evidence, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(!html.contains("尚未送达"));
    for expected in [
        "fw-01 防火门损坏",
        "更换防火门",
        "二号仓库",
        "消除隐患",
        "张三",
        "第 1 号批次",
        "设备密钥标识",
    ] {
        assert!(html.contains(expected), "the evidence shows {expected}");
    }
    let number = html[html.find("YH-").unwrap()..]
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let photo = first_link(
        &html.replace("src=\"", "href=\""),
        &format!("{evidence}/photos/"),
    );
    let (status, headers, bytes) = send(&s.app, get_as(&photo, &cookie)).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, REVIEW_PHOTO));
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "no-store",
        "evidence stays in no cache"
    );

    // Another province's supervisor learns nothing of it: not the page, not the photo.
    for path in [&evidence, &photo] {
        let (status, html) = page(&s, path, &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            !html.contains("某某烟花爆竹") && !html.contains("防火门"),
            "{html}"
        );
    }

    // 交办: a deadline in the past is refused at its field, nothing stored.
    let assign = format!("{evidence}/assign");
    let assignee = format!("inspector:{inspector_id}");
    let (status, _, bytes) = send(
        &s.app,
        form(
            &assign,
            &cookie,
            &csrf,
            &[("assignee", &assignee), ("deadline", "2020-01-01")],
        ),
    )
    .await;
    let html = String::from_utf8(bytes).unwrap();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("办理期限不能早于今天") && html.contains("aria-invalid=\"true\""));
    assert_eq!(
        s.tdb
            .query_one::<i64>("SELECT COUNT(*) FROM assignments")
            .await,
        0
    );
    // Someone not offered (an account id made up) is refused too.
    let (status, _, _) = send(
        &s.app,
        form(
            &assign,
            &cookie,
            &csrf,
            &[("assignee", "inspector:nobody"), ("deadline", "2099-01-01")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for note in ["请于月底前复查", "改派：原检查员休假"] {
        let (status, headers, _) = send(
            &s.app,
            form(
                &assign,
                &cookie,
                &csrf,
                &[
                    ("assignee", &assignee),
                    ("deadline", "2099-01-01"),
                    ("note", note),
                ],
            ),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(
            headers[header::LOCATION]
                .to_str()
                .unwrap()
                .starts_with(&evidence)
        );
    }
    let (_, html) = page(&s, &evidence, &cookie).await;
    assert!(html.contains("检查员 李检查") && html.contains("已改派") && html.contains("当前"));
    // Reading is not supervising: a township account reads the hazard but may not assign it;
    // the other province's supervisor cannot even find it.
    let (status, _, _) = send(
        &s.app,
        form(
            &assign,
            &township,
            &township_csrf,
            &[("assignee", &assignee), ("deadline", "2099-01-01")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(audited(&s, "hazard_assigned", "denied").await, 1);
    let (status, _, _) = send(
        &s.app,
        form(
            &assign,
            &other,
            &other_csrf,
            &[("assignee", &assignee), ("deadline", "2099-01-01")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Without the CSRF token nothing happens.
    let (status, _, _) = send(
        &s.app,
        form(
            &assign,
            &cookie,
            "forged",
            &[("assignee", &assignee), ("deadline", "2099-01-01")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        s.tdb
            .query_one::<i64>("SELECT COUNT(*) FROM assignments")
            .await,
        2
    );
    assert_eq!(
        s.tdb
            .query_one::<i64>("SELECT COUNT(*) FROM assignments WHERE superseded_at IS NULL")
            .await,
        1
    );

    // A mistake keeps the tick: correcting the date must not silently assign one hazard only.
    let (status, _, bytes) = send(
        &s.app,
        form(
            &assign,
            &cookie,
            &csrf,
            &[
                ("assignee", &assignee),
                ("deadline", "2020-01-01"),
                ("whole_enterprise", "on"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .contains("name=\"whole_enterprise\" checked")
    );
    // The enterprise's other open hazard (fw-02) goes along when asked.
    let (_, html) = page(&s, &evidence, &cookie).await;
    assert!(
        html.contains("其他未销号隐患（1 项）"),
        "the form offers the other one"
    );
    let (status, _, _) = send(
        &s.app,
        form(
            &assign,
            &cookie,
            &csrf,
            &[
                ("assignee", &assignee),
                ("deadline", "2099-02-01"),
                ("whole_enterprise", "on"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, other_hazard) = page(&s, &evidence.replace("/fw-01", "/fw-02"), &cookie).await;
    assert!(other_hazard.contains("检查员 李检查") && other_hazard.contains("2099-02-01"));
    assert_eq!(
        s.tdb
            .query_one::<i64>("SELECT COUNT(*) FROM assignments WHERE superseded_at IS NULL")
            .await,
        2,
        "one current assignment per hazard"
    );

    // 立案 from the evidence page with a mistake: the page comes back with the problem beside
    // the field, the hazard still in view, its form still posting from there.
    let (_, html) = page(&s, &evidence, &cookie).await;
    let from_here = first_link(
        &html.replace("action=\"", "href=\""),
        "/console/cases?from_inspection=",
    )
    .replace("&amp;", "&");
    let (status, _, bytes) = send(
        &s.app,
        form(
            &from_here,
            &cookie,
            &csrf,
            &[("case_no", ""), ("cause", "未整改")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let again = String::from_utf8(bytes).unwrap();
    assert!(
        again.contains("隐患证据"),
        "the evidence page, not the cases list"
    );
    assert!(
        again.contains("aria-invalid=\"true\""),
        "the problem is at its field"
    );
    assert!(
        again.contains(r#"value="未整改""#) || again.contains(">未整改<"),
        "what was typed is kept"
    );

    // 立案 for the hazard, by its printed number.
    let case = [
        ("case_no", "深应急罚立〔2026〕12号"),
        ("cause", "重大事故隐患未按期整改"),
        ("org_name", "某某烟花爆竹有限公司"),
        ("credit_code", CREDIT_CODE),
        ("opened_on", "2026-03-20"),
        ("hazards", number.as_str()),
    ];
    let (status, _, bytes) = send(&s.app, form("/console/cases", &cookie, &csrf, &case)).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    // The same number again is refused at its field, posted from a filtered list: the list
    // comes back filtered as it was, its form still posting there.
    let filtered = format!("/console/cases?q={}", encode("某某"));
    let (status, _, bytes) = send(&s.app, form(&filtered, &cookie, &csrf, &case)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let again = String::from_utf8(bytes).unwrap();
    assert!(again.contains("该案件编号已登记"));
    assert!(again.contains(r#"value="某某""#), "the search term is kept");
    assert!(
        again.contains(&format!(r#"action="{filtered}""#)),
        "and so is the form's target"
    );
    // A hazard number that is not in one's regions cannot be linked (nor learnt of).
    let mut foreign = case;
    foreign[0].1 = "冀应急罚立〔2026〕1号";
    let (status, _, bytes) = send(
        &s.app,
        form("/console/cases", &other, &other_csrf, &foreign),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .contains("您的辖区没有隐患")
    );

    // 处罚 linked to the case; a fine needs its amount.
    let mut penalty = vec![
        ("decision_no", "（深）应急罚〔2026〕8号"),
        ("org_name", "某某烟花爆竹有限公司"),
        ("credit_code", CREDIT_CODE),
        ("legal_basis", "《中华人民共和国安全生产法》第一百零二条"),
        ("kind", "fine"),
        ("amount_yuan", ""),
        ("decided_on", "2026-03-25"),
        ("case_no", "深应急罚立〔2026〕12号"),
    ];
    let (status, _, bytes) =
        send(&s.app, form("/console/penalties", &cookie, &csrf, &penalty)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8(bytes).unwrap().contains("请填写金额"));
    penalty[5].1 = "50,000";
    let (status, _, bytes) =
        send(&s.app, form("/console/penalties", &cookie, &csrf, &penalty)).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        String::from_utf8_lossy(&bytes)
    );

    // 问责 for the hazard.
    let accountability = [
        ("person", "赵六"),
        ("post", "安全监管科科长"),
        ("unit", "测试区应急管理局"),
        ("reason", "重大事故隐患逾期未整改，督促不力"),
        ("measure", "admonition"),
        ("decided_on", "2026-03-26"),
        ("hazard", number.as_str()),
    ];
    let (status, _, bytes) = send(
        &s.app,
        form("/console/accountability", &cookie, &csrf, &accountability),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        String::from_utf8_lossy(&bytes)
    );

    // The lists show them to the region, with the links between them, and to nobody else.
    let (_, cases) = page(&s, "/console/cases", &cookie).await;
    assert!(cases.contains("深应急罚立〔2026〕12号") && cases.contains(&number));
    let (_, penalties) = page(&s, "/console/penalties", &cookie).await;
    assert!(penalties.contains("50000.00") && penalties.contains("深应急罚立〔2026〕12号"));
    let (_, entries) = page(&s, "/console/accountability", &cookie).await;
    assert!(entries.contains("赵六") && entries.contains("诫勉") && entries.contains(&number));
    let (_, html) = page(&s, &evidence, &cookie).await;
    assert!(
        html.contains("深应急罚立〔2026〕12号"),
        "the evidence names its case"
    );
    for path in [
        "/console/cases",
        "/console/penalties",
        "/console/accountability",
    ] {
        let (status, html) = page(&s, path, &other).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !html.contains("某某烟花爆竹") && !html.contains("赵六"),
            "{path}"
        );
        let (_, csv) = page(&s, &format!("{path}?format=csv"), &other).await;
        assert_eq!(csv.lines().count(), 1, "{path}: the header only");
    }
    let (status, headers, bytes) =
        send(&s.app, get_as("/console/penalties?format=csv", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "Excel reads UTF-8 with its mark"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        text.starts_with("决定书文号,") && text.contains(",50000.00,2026-03-25,"),
        "{text}"
    );
    // The search ignores case on both databases (a credit code typed in lower case).
    let lower = format!("/console/cases?q={}", CREDIT_CODE.to_lowercase());
    let (_, found) = page(&s, &lower, &cookie).await;
    assert!(
        found.contains("深应急罚立〔2026〕12号"),
        "found by a lower-case credit code"
    );
    let (_, filtered) = page(&s, "/console/cases?q=nothing-like-it", &cookie).await;
    assert!(!filtered.contains("深应急罚立〔2026〕12号"));

    // 结案: not before it was opened; then it reads closed.
    let close = first_link(&cases.replace("action=\"", "href=\""), "/console/cases/");
    let (status, _, _) = send(
        &s.app,
        form(&close, &cookie, &csrf, &[("closed_on", "2026-03-01")]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = send(
        &s.app,
        form(&close, &other, &other_csrf, &[("closed_on", "2026-03-28")]),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(
        &s.app,
        form(&close, &cookie, &csrf, &[("closed_on", "2026-03-28")]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, cases) = page(&s, "/console/cases", &cookie).await;
    assert!(cases.contains("已结案") && cases.contains("2026-03-28"));

    // Every change is in the audit trail, whose chain holds.
    for action in [
        "hazard_assigned",
        "case_opened",
        "penalty_recorded",
        "accountability_recorded",
        "case_closed",
    ] {
        assert!(audited(&s, action, "ok").await >= 1, "{action} audited");
    }
    let rows = s.store.audit_all().await.unwrap();
    let (seq, hash) = s.store.audit_head().await.unwrap();
    assert!(verify_chain(&rows, (seq, &hash)).is_ok());
}

async fn proposals_and_bad_input_on_the_lists(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let mut phone = Phone::new(7);
    let (bundle, original) = bundle_with_photo(&mut phone);
    let (status, _, _) = send(&s.app, post_bundle(bundle)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (cookie, csrf, _) = signed_in(&s.store, "深圳督查", &["supervisor@4403"]).await;
    // A re-inspection escalates fw-02 to a case (立案查处): proposed on the cases page until a
    // case names it.
    let re = phone.reinspection(
        0x52,
        &original,
        t(50),
        &[(
            "fw-02",
            Decision::Escalate(paicha_core::reinspection::Escalation::PenaltyCase),
        )],
    );
    let (status, _, _) = send(&s.app, post_bundle(phone.export(101, vec![re]).to_json())).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, html) = page(&s, "/console/cases", &cookie).await;
    assert!(
        html.contains("待确认的立案建议") && html.contains("立案查处"),
        "{html}"
    );
    let proposed = first_link(&html, "/console/hazards/");
    assert!(proposed.ends_with("/fw-02"), "{proposed}");
    let (_, evidence) = page(&s, &proposed, &cookie).await;
    let number = evidence[evidence.find("YH-").unwrap()..]
        .split('<')
        .next()
        .unwrap()
        .to_string();
    let case = [
        ("case_no", "深应急罚立〔2026〕13号"),
        ("cause", "复查仍未整改"),
        ("org_name", "某某烟花爆竹有限公司"),
        ("credit_code", CREDIT_CODE),
        ("opened_on", "2026-03-20"),
        ("hazards", number.as_str()),
    ];
    let (status, _, _) = send(&s.app, form("/console/cases", &cookie, &csrf, &case)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = page(&s, "/console/cases", &cookie).await;
    assert!(
        !html.contains("待确认的立案建议"),
        "a case answers the proposal"
    );
    // 责令停产停业整顿 for fw-01 is proposed on the penalties page until a suspension of the
    // enterprise is recorded.
    let re = phone.reinspection(
        0x53,
        &original,
        t(55),
        &[(
            "fw-01",
            Decision::Escalate(paicha_core::reinspection::Escalation::Suspension),
        )],
    );
    let (status, _, _) = send(&s.app, post_bundle(phone.export(102, vec![re]).to_json())).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, html) = page(&s, "/console/penalties", &cookie).await;
    assert!(
        html.contains("待确认的处罚建议") && html.contains("责令停产停业整顿"),
        "{html}"
    );
    let suspension = [
        ("decision_no", "（深）应急罚〔2026〕9号"),
        ("org_name", "某某烟花爆竹有限公司"),
        ("credit_code", CREDIT_CODE),
        ("legal_basis", "《中华人民共和国安全生产法》第一百零二条"),
        ("kind", "suspension"),
        ("decided_on", "2026-03-25"),
    ];
    let (status, _, _) = send(
        &s.app,
        form("/console/penalties", &cookie, &csrf, &suspension),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = page(&s, "/console/penalties", &cookie).await;
    assert!(
        !html.contains("待确认的处罚建议"),
        "the suspension answers the proposal"
    );
    // Hostile and malformed text: a clear 422 with the field named, never a 500.
    for (path, fields) in [
        (
            "/console/cases",
            vec![
                ("case_no", "x"),
                ("credit_code", "<script>"),
                ("opened_on", "2026-02-30"),
            ],
        ),
        (
            "/console/penalties",
            vec![("kind", "detention"), ("amount_yuan", "1e9")],
        ),
        (
            "/console/accountability",
            vec![("hazard", "YH-'; DROP TABLE cases; --")],
        ),
    ] {
        let (status, _, bytes) = send(&s.app, form(path, &cookie, &csrf, &fields)).await;
        let html = String::from_utf8(bytes).unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(
            html.contains("role=\"alert\"") && !html.contains("<script>"),
            "{path}"
        );
    }
    // A penalty on an enterprise registered outside one's regions.
    let code = paicha_core::CreditCode::with_check_digit("91130102708461136").unwrap();
    let (status, _, bytes) = send(
        &s.app,
        form(
            "/console/penalties",
            &cookie,
            &csrf,
            &[
                ("decision_no", "冀罚1号"),
                ("org_name", "外省单位"),
                ("credit_code", code.as_str()),
                ("legal_basis", "安全生产法"),
                ("kind", "warning"),
                ("decided_on", "2026-03-25"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .contains("不在您督查的辖区")
    );
    assert_eq!(
        audited(&s, "penalty_recorded", "denied").await,
        1,
        "the refusal is audited"
    );
    for (table, recorded) in [("cases", 1), ("penalties", 1), ("accountabilities", 0)] {
        let count: i64 = s
            .tdb
            .query_one(sql(format!("SELECT COUNT(*) FROM {table}")))
            .await;
        assert_eq!(count, recorded, "{table}: nothing of the refused forms");
    }
    // Not signed in: sent to sign in.
    let (status, headers, _) = send(&s.app, get("/console/cases")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/console/sign-in");
}

/// The figure in the overview's data table for `label` (a row header), as the page shows it.
fn table_figure(html: &str, label: &str) -> usize {
    let start = html
        .find(&format!("<th scope=\"row\">{label}</th>"))
        .unwrap_or_else(|| panic!("no row {label}"));
    let cell = &html[start..];
    let value = &cell[cell.find("\">").unwrap() + 2..];
    let value = &value[value.find("\">").unwrap() + 2..];
    value[..value.find('<').unwrap()].parse().unwrap()
}

async fn the_overview_counts_what_was_seeded_and_the_ledger_filters_pages_and_exports(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    // Three hazards due in March 2026 (overdue now), one of them then verified by a
    // re-inspection: 2 overdue, 1 verified; 1 major, 2 general.
    let mut phone = Phone::new(7);
    let original = phone.inspection_with_three_hazards(1);
    let re = phone.reinspection(2, &original, t(50), &[("fw-03", Decision::Rectified)]);
    for envelope in [
        phone.export(100, vec![original]),
        phone.export_with_photos(101, vec![re]),
    ] {
        let (status, _, body) = send(&s.app, post_bundle(envelope.to_json())).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&body)
        );
    }
    let (cookie, _, _) = signed_in(&s.store, "深圳督查", &["supervisor@4403"]).await;
    let (status, html) = page(&s, "/console/", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let expected = [
        ("逾期未整改 Overdue", 2),
        ("已验收销号 Verified", 1),
        ("即将到期 Due soon", 0),
        ("升级处理 Escalated", 0),
        ("重大隐患 Major hazard", 1),
        ("一般隐患 General hazard", 2),
    ];
    for (label, n) in expected {
        assert_eq!(table_figure(&html, label), n, "{label}");
    }
    assert!(html.contains("<svg"), "the charts are drawn");
    // Each number links to the ledger filtered to it, which lists as many.
    let (_, overdue) = page(&s, "/console/?status=overdue", &cookie).await;
    assert!(overdue.contains("共 2 项隐患"), "the filtered ledger");
    let (_, major) = page(&s, "/console/?level=major&status=overdue", &cookie).await;
    assert!(major.contains("共 1 项隐患"));
    // Ordered by the deadline in force: fw-02 (4 March) first; the default is newest first.
    let (_, by_deadline) = page(&s, "/console/?sort=deadline", &cookie).await;
    let table = &by_deadline[by_deadline.find("隐患台账表格").unwrap()..];
    let order: Vec<String> = links(table, "/console/hazards/");
    assert!(
        order[0].ends_with("/fw-02") && order[1].ends_with("/fw-01"),
        "{order:?}"
    );
    let (status, _) = page(&s, "/console/?sort=sideways", &cookie).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Bad filters are a clear 400 page, a region outside one's own a 403.
    let (status, html) = page(&s, "/console/?level=huge", &cookie).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("level must be general or major"));
    let (status, _) = page(&s, "/console/?in=4404", &cookie).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html) = page(&s, "/console/?after=somewhere", &cookie).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("not a page position"));
    // The export has exactly the columns of `export hazards`, filtered like the page.
    let (status, headers, bytes) = send(
        &s.app,
        get_as("/console/?status=overdue&format=csv", &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    let labels: Vec<&str> = paicha_core::hazard_ledger::COLUMNS
        .iter()
        .map(|c| c.label)
        .collect();
    assert_eq!(lines.next().unwrap(), labels.join(","));
    assert_eq!(lines.count(), 2);
    let (status, headers, bytes) = send(&s.app, get_as("/console/?format=xlsx", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    assert!(bytes.starts_with(b"PK"), "an .xlsx is a zip");

    // 20 more inspections make 63 hazards: two pages of 50, walked by their links.
    let more: Vec<Inspection> = (10..30)
        .map(|id| phone.inspection_with_three_hazards(id))
        .collect();
    let (status, _, _) = send(&s.app, post_bundle(phone.export(102, more).to_json())).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, first) = page(&s, "/console/", &cookie).await;
    assert!(
        first.contains("共 63 项隐患"),
        "the count covers every page"
    );
    let on_first = links(
        &first[first.find("隐患台账表格").unwrap()..],
        "/console/hazards/",
    );
    assert_eq!(on_first.len(), 50);
    assert!(
        !first.contains("rel=\"prev\""),
        "no previous page before the first"
    );
    let next = first_link(&first, "/console/?after=").replace("&amp;", "&");
    let (status, second) = page(&s, &next, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{next}");
    let on_second = links(
        &second[second.find("隐患台账表格").unwrap()..],
        "/console/hazards/",
    );
    assert_eq!(on_second.len(), 13, "the rest");
    assert!(
        on_second.iter().all(|h| !on_first.contains(h)),
        "no hazard twice"
    );
    assert!(!second.contains("rel=\"next\""), "the last page");
    let back = first_link(&second, "/console/?before=").replace("&amp;", "&");
    let (_, again) = page(&s, &back, &cookie).await;
    assert_eq!(
        links(
            &again[again.find("隐患台账表格").unwrap()..],
            "/console/hazards/"
        ),
        on_first,
        "back to the first page"
    );
}

async fn conflicting_re_inspections_are_both_kept_and_shown(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let mut phone = Phone::new(7);
    let original = phone.inspection_with_three_hazards(1);
    // Started at 09:00 and 09:30, each sealed an hour later: neither saw the other's result.
    let first = phone.reinspection(2, &original, t(0), &[("fw-01", Decision::Rectified)]);
    let second = phone.reinspection(
        3,
        &original,
        t(30),
        &[(
            "fw-01",
            Decision::Escalate(paicha_core::reinspection::Escalation::PenaltyCase),
        )],
    );
    for envelope in [
        phone.export(100, vec![original.clone()]),
        phone.export_with_photos(101, vec![first, second]),
    ] {
        let (status, _, _) = send(&s.app, post_bundle(envelope.to_json())).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (cookie, _, _) = signed_in(&s.store, "深圳督查", &["supervisor@4403"]).await;
    let path = format!("/console/hazards/{}/fw-01", original.id);
    let (status, html) = page(&s, &path, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("复查冲突"), "the conflict is shown");
    assert_eq!(
        html.matches("冲突 Conflict").count(),
        2,
        "both re-inspections are listed and marked"
    );
    assert!(html.contains("已整改 Rectified") && html.contains("未整改 Not rectified"));
    // The one sealed last (the penalty case) decides.
    assert!(html.contains("升级处理"), "escalated by the later seal");
    // A hazard reviewed once shows no conflict.
    let (_, other) = page(
        &s,
        &format!("/console/hazards/{}/fw-02", original.id),
        &cookie,
    )
    .await;
    assert!(!other.contains("复查冲突"));
}

async fn a_supervisor_sees_the_devices_of_their_region_and_revokes_one_with_the_key_check(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let phone = Phone::new(7);
    let key_id = phone.device_info().key_id;
    let (_, _, inspector) = signed_in(&s.store, "张三", &["inspector@4403"]).await;
    let bind = paicha_ledger::store::AuditEntry::new(
        "test",
        "device_bound",
        paicha_ledger::store::Outcome::Ok,
    );
    assert!(
        s.store
            .bind_device(key_id.as_str(), &inspector, &bind, chrono::Utc::now())
            .await
            .unwrap()
    );
    let mut uploading = Phone::new(7);
    let (status, _, _) = send(&s.app, post_bundle(bundle_with_photo(&mut uploading).0)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (cookie, csrf, _) = signed_in(&s.store, "深圳督查", &["supervisor@4403"]).await;
    let (other, _, _) = signed_in(&s.store, "河北督查", &["supervisor@13"]).await;
    let (_, html) = page(&s, "/console/devices", &cookie).await;
    assert!(
        html.contains("张三") && html.contains(&key_id.short()) && html.contains("完整"),
        "{html}"
    );
    let (_, html) = page(&s, "/console/devices", &other).await;
    assert!(
        !html.contains(&key_id.short()),
        "another province's supervisor sees no device of 4403"
    );

    // The wrong digits: refused, audited, the key still works.
    let revoke = format!("/console/devices/{key_id}/revoke");
    let (status, _, bytes) = send(
        &s.app,
        form(
            &revoke,
            &cookie,
            &csrf,
            &[("key_check", "00000000"), ("reason", "手机丢失")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let again = String::from_utf8(bytes).unwrap();
    assert!(again.contains("前8位不符"));
    assert!(
        again.contains(r#"value="手机丢失""#),
        "the reason typed is kept"
    );
    assert_eq!(audited(&s, "device_revoked", "failed").await, 1);
    let (status, _, _) = send(
        &s.app,
        form(
            &revoke,
            &cookie,
            &csrf,
            &[("key_check", &key_id.as_str()[..8]), ("reason", "手机丢失")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&s, "device_revoked", "ok").await, 1);
    let (_, html) = page(&s, "/console/devices", &cookie).await;
    assert!(html.contains("已停用 Revoked：手机丢失"));
    let next = uploading.export(101, vec![uploading.inspection(9)]);
    let (status, _, _) = send(&s.app, post_bundle(next.to_json())).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a revoked key uploads nothing more"
    );
}

/// Whether the account is disabled.
async fn disabled(s: &Server, id: &str) -> bool {
    let account = s
        .store
        .account(id)
        .await
        .unwrap()
        .expect("the account exists");
    account.disabled_at.is_some()
}

async fn an_administrator_creates_disables_and_relinks_the_accounts_of_their_regions(db: Db) {
    let Some(s) = server(db, true).await else {
        return;
    };
    let (admin, admin_csrf, _) = signed_in(&s.store, "石家庄管理员", &["admin@1301"]).await;
    let (_, _, local) = signed_in(&s.store, "长安督查", &["supervisor@130102"]).await;
    let (_, _, foreign) = signed_in(&s.store, "唐山督查", &["supervisor@1302"]).await;
    let (supervisor, _, _) = signed_in(&s.store, "桥西督查", &["supervisor@130104"]).await;
    // Only administrators, and only their regions' accounts.
    let (status, _) = page(&s, "/console/accounts", &supervisor).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html) = page(&s, "/console/accounts", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("长安督查") && !html.contains("唐山督查"),
        "{html}"
    );
    // A new supervisor of 4403, with a one-time link shown once.
    let created = [
        ("name", "王新人"),
        ("role", "supervisor"),
        ("region", "130102"),
    ];
    let (status, _, bytes) = send(
        &s.app,
        form("/console/accounts", &admin, &admin_csrf, &created),
    )
    .await;
    let html = String::from_utf8(bytes).unwrap();
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains(&format!("{ORIGIN}/console/enrol/")),
        "the link is shown"
    );
    let accounts = s.store.accounts().await.unwrap();
    let new = accounts
        .iter()
        .find(|a| a.name == "王新人")
        .expect("created");
    assert_eq!(new.grants[0].region.as_str(), "130102");
    let by_admin: i64 = s
        .tdb
        .query_one("SELECT COUNT(*) FROM audit_log WHERE action = 'account_created' AND actor LIKE 'account:%'")
        .await;
    assert_eq!(by_admin, 1, "audited as the administrator");
    // Outside the administrator's regions, an unknown region, no name: refused at the field.
    for (fields, message) in [
        (
            [("name", "外市"), ("role", "supervisor"), ("region", "1302")],
            "不在您管理的辖区",
        ),
        (
            [
                ("name", "未知"),
                ("role", "supervisor"),
                ("region", "130199"),
            ],
            "不在平台的行政区划表",
        ),
        (
            [("name", " "), ("role", "supervisor"), ("region", "130102")],
            "姓名应为1到100个字",
        ),
        (
            [("name", "某人"), ("role", "boss"), ("region", "130102")],
            "unknown role",
        ),
    ] {
        let (status, _, bytes) = send(
            &s.app,
            form("/console/accounts", &admin, &admin_csrf, &fields),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(
            String::from_utf8(bytes).unwrap().contains(message),
            "{message}"
        );
    }
    assert_eq!(
        s.store.accounts().await.unwrap().len(),
        accounts.len(),
        "nothing created"
    );
    // Disable and enable an account of the region; not one of another province.
    let path = |id: &str, what: &str| format!("/console/accounts/{id}/{what}");
    let (status, _, _) = send(
        &s.app,
        form(&path(&local, "disable"), &admin, &admin_csrf, &[]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(disabled(&s, &local).await);
    let (status, _, _) = send(
        &s.app,
        form(&path(&local, "enable"), &admin, &admin_csrf, &[]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(!disabled(&s, &local).await);
    let (status, _, _) = send(
        &s.app,
        form(&path(&foreign, "disable"), &admin, &admin_csrf, &[]),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!disabled(&s, &foreign).await);
    assert_eq!(audited(&s, "account_disabled", "denied").await, 1);
    // A new link for a lost passkey.
    let (status, _, bytes) = send(
        &s.app,
        form(&path(&local, "link"), &admin, &admin_csrf, &[]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .contains("/console/enrol/")
    );
    assert!(audited(&s, "enrolment_link_created", "ok").await >= 2);

    // Roles: a township role added to the 长安 supervisor, then removed; never a region outside
    // the administrator's, never the last role, never another province's account.
    let grants = |id: String| {
        let store = s.store.clone();
        async move {
            let account = store.account(&id).await.unwrap().unwrap();
            let mut grants: Vec<String> = account
                .grants
                .iter()
                .map(|g| format!("{}@{}", g.role.slug(), g.region))
                .collect();
            grants.sort();
            grants
        }
    };
    let roles = path(&local, "roles");
    let change = |change: &'static str, role: &'static str, region: &'static str| {
        [("change", change), ("role", role), ("region", region)]
    };
    let (status, _, _) = send(
        &s.app,
        form(
            &roles,
            &admin,
            &admin_csrf,
            &change("add", "township", "130102001"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        grants(local.clone()).await,
        ["supervisor@130102", "township@130102001"]
    );
    let (_, html) = page(&s, "/console/accounts", &admin).await;
    assert!(
        html.contains("移除角色 长安督查 乡镇"),
        "each role has its remove button"
    );
    for (fields, status, message) in [
        (
            change("add", "supervisor", "1302"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside the regions you administer",
        ),
        (
            change("add", "boss", "130102"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown role",
        ),
        (
            change("remove", "admin", "130102"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "does not hold that role",
        ),
        (
            change("promote", "admin", "130102"),
            StatusCode::BAD_REQUEST,
            "add or remove",
        ),
    ] {
        let (got, _, bytes) = send(&s.app, form(&roles, &admin, &admin_csrf, &fields)).await;
        assert_eq!(got, status, "{fields:?}");
        assert!(
            String::from_utf8(bytes).unwrap().contains(message),
            "{message}"
        );
    }
    let (status, _, _) = send(
        &s.app,
        form(
            &roles,
            &admin,
            &admin_csrf,
            &change("remove", "township", "130102001"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(grants(local.clone()).await, ["supervisor@130102"]);
    let (status, _, bytes) = send(
        &s.app,
        form(
            &roles,
            &admin,
            &admin_csrf,
            &change("remove", "supervisor", "130102"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8(bytes).unwrap().contains("last role"));
    let (status, _, _) = send(
        &s.app,
        form(
            &path(&foreign, "roles"),
            &admin,
            &admin_csrf,
            &change("add", "township", "130102001"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(grants(foreign.clone()).await, ["supervisor@1302"]);
    assert_eq!(audited(&s, "role_granted", "ok").await, 1);
    assert_eq!(audited(&s, "role_revoked", "ok").await, 1);
    assert_eq!(audited(&s, "role_granted", "denied").await, 1);
}

on_both_databases!(
    conflicting_re_inspections_are_both_kept_and_shown,
    an_administrator_creates_disables_and_relinks_the_accounts_of_their_regions,
    a_supervisor_sees_the_devices_of_their_region_and_revokes_one_with_the_key_check,
    a_supervisor_assigns_a_hazard_and_records_the_three_lists,
    proposals_and_bad_input_on_the_lists,
    the_overview_counts_what_was_seeded_and_the_ledger_filters_pages_and_exports,
);
