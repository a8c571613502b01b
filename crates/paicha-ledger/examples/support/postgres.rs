//! What the benchmarks need of PostgreSQL beside the store: plain SQL on a connection of
//! their own (creating and dropping a benchmark's schema).
// Each benchmark includes this file and uses part of it.
#![allow(dead_code)]

use sqlx::Connection;

pub async fn postgres_exec(url: &str, sql: String) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// The PostgreSQL a benchmark runs on (`PAICHA_BENCH_POSTGRES_URL`, else
/// `PAICHA_TEST_POSTGRES_URL`) with a fresh schema of its own named after `name`: its server
/// URL and the URL that uses the schema. `None` (and a line saying so) without one.
pub async fn bench_schema(name: &str) -> Option<(String, String, String)> {
    let base = std::env::var("PAICHA_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("PAICHA_TEST_POSTGRES_URL"))
        .ok()
        .filter(|u| !u.is_empty());
    let Some(base) = base else {
        println!("PostgreSQL skipped: set PAICHA_BENCH_POSTGRES_URL (or PAICHA_TEST_POSTGRES_URL)");
        return None;
    };
    let schema = format!("paicha_{name}_{}", std::process::id());
    postgres_exec(
        &base,
        format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
    )
    .await;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    Some((base, schema, url))
}

/// Drops what [`bench_schema`] made.
pub async fn drop_bench_schema(base: &str, schema: &str) {
    postgres_exec(base, format!("DROP SCHEMA {schema} CASCADE")).await;
}
