//! The frame of every console page: the header with who is signed in and the way out, the
//! navigation, and the page's content.

use crate::access::Identity;
use crate::store::Role;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

pub struct Page {
    /// (Chinese, English).
    pub title: (&'static str, &'static str),
    pub identity: Option<Identity>,
    pub body: Markup,
}

/// A role as a person reads it: `督查 · 石家庄市 长安区`.
pub fn role_label(role: Role) -> String {
    format!("{} {}", role.label_zh(), role.label_en())
}

pub fn page(page: Page) -> Response {
    let (zh, en) = page.title;
    let markup = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (zh) " · 排查督查平台" }
                link rel="stylesheet" href="/console/assets/console.css";
                script src="/console/assets/console.js" defer {}
            }
            body {
                header.top {
                    p.brand { "排查 Paicha " small { "督查平台 · Supervision console" } }
                    @if let Some(identity) = &page.identity {
                        nav aria-label="主菜单 Main menu" {
                            a href="/console/" { "隐患台账 " span.en lang="en" { "Hazard ledger" } }
                            a href="/console/cases" { "案件查办 " span.en lang="en" { "Cases" } }
                            a href="/console/penalties" { "违法企业处罚 " span.en lang="en" { "Penalties" } }
                            a href="/console/accountability" { "追责问责 " span.en lang="en" { "Accountability" } }
                            @if identity.has_role(Role::Supervisor) || identity.has_role(Role::Admin) {
                                a href="/console/devices" { "设备登记 " span.en lang="en" { "Devices" } }
                            }
                            @if identity.has_role(Role::Admin) {
                                a href="/console/accounts" { "账号管理 " span.en lang="en" { "Accounts" } }
                            }
                        }
                        div.who {
                            span { (identity.account.name) }
                            form method="post" action="/console/sign-out" {
                                input type="hidden" name="csrf" value=(identity.csrf_token);
                                button.secondary type="submit" { "退出登录 / Sign out" }
                            }
                        }
                    }
                }
                main {
                    h1 { (zh) " " span.en lang="en" { (en) } }
                    (page.body)
                }
            }
        }
    };
    ([(header::CACHE_CONTROL, "no-store")], markup).into_response()
}
