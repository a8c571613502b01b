//! Times as stored and as printed. Stored: RFC 3339 in UTC with a fixed number of fraction digits, so that the
//! text sorts in time order on every backend (the schema keeps times as TEXT for portability).

use chrono::{DateTime, SecondsFormat, Utc};

pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A time as the ledger prints it: to the minute, China Standard Time.
pub fn cst_minute(t: DateTime<Utc>) -> String {
    t.with_timezone(&paicha_core::hazard_ledger::china_time())
        .format("%Y-%m-%d %H:%M CST")
        .to_string()
}

/// A day as the ledger prints it, China Standard Time.
pub fn cst_day(t: DateTime<Utc>) -> String {
    paicha_core::hazard_ledger::china_day(t)
        .format("%Y-%m-%d")
        .to_string()
}

pub fn from_db(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fixed_width_text_sorts_like_time_and_round_trips() {
        let a = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(to_db(a), "2026-01-02T03:04:05.000000Z");
        assert!(to_db(a) < to_db(b));
        assert_eq!(from_db(&to_db(b)).unwrap(), b);
        // 03:04 UTC is 11:04 in China.
        assert_eq!(cst_minute(a), "2026-01-02 11:04 CST");
        let evening = Utc.with_ymd_and_hms(2026, 1, 2, 20, 0, 0).unwrap();
        assert_eq!(cst_day(evening), "2026-01-03");
    }
}
