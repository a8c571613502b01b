//! The one clock: the current instant, the device's local date and local times as shown.
//!
//! Local dates and times come from the browser's `Date` (its time zone is the device's), so the
//! first screen, which is drawn without chrono's time-zone code (issue 8: the app shell), and
//! every other screen read the same calendar. Native builds (unit tests) use chrono's `Local`.

use chrono::{DateTime, NaiveDate, Utc};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The device's local date, read on every call (tests move the browser's clock, and a screen
/// left open over midnight moves on).
pub fn today() -> NaiveDate {
    let (year, month, day, _, _) = local_parts(now().timestamp_millis());
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// `YYYY-MM-DD` of [`today`], without chrono's formatter (the first screen uses it).
pub fn today_iso() -> String {
    let (year, month, day, _, _) = local_parts(now().timestamp_millis());
    iso_date(year, month, day)
}

pub fn iso_date(year: i32, month: u32, day: u32) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

/// `2026-11-29 08:05`: `ms` (since the Unix epoch) on the device's wall clock.
pub fn local_minute(ms: i64) -> String {
    let (year, month, day, hour, minute) = local_parts(ms);
    format!("{} {hour:02}:{minute:02}", iso_date(year, month, day))
}

/// [`local_minute`] of a timestamp.
pub fn local_time(t: &DateTime<Utc>) -> String {
    local_minute(t.timestamp_millis())
}

/// The local date of a timestamp.
pub fn local_date(t: &DateTime<Utc>) -> NaiveDate {
    let (year, month, day, _, _) = local_parts(t.timestamp_millis());
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// (year, month 1–12, day, hour, minute) of `ms` in the device's time zone.
#[cfg(target_arch = "wasm32")]
fn local_parts(ms: i64) -> (i32, u32, u32, u32, u32) {
    let t = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    (
        t.get_full_year() as i32,
        t.get_month() + 1,
        t.get_date(),
        t.get_hours(),
        t.get_minutes(),
    )
}

#[cfg(not(target_arch = "wasm32"))]
fn local_parts(ms: i64) -> (i32, u32, u32, u32, u32) {
    use chrono::{Datelike, Timelike};
    let t = DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&chrono::Local);
    (t.year(), t.month(), t.day(), t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_dates_and_times_follow_the_device_zone() {
        let t = "2026-11-29T23:30:00Z".parse::<DateTime<Utc>>().unwrap();
        let local = t.with_timezone(&chrono::Local);
        assert_eq!(local_time(&t), local.format("%Y-%m-%d %H:%M").to_string());
        assert_eq!(local_date(&t), local.date_naive());
        assert_eq!(iso_date(2026, 3, 1), "2026-03-01");
        assert_eq!(today_iso(), today().format("%Y-%m-%d").to_string());
    }
}
