//! What the benchmarks need of PostgreSQL beside the store: plain SQL on a connection of
//! their own (creating and dropping a benchmark's schema).

use sqlx::Connection;

pub async fn postgres_exec(url: &str, sql: String) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}
