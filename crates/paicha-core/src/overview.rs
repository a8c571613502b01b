//! 督查 at a glance: the counts and the weekly trend a supervisor's overview shows, computed
//! from the hazards of the regions they read. Plain data in, plain data out; the console draws
//! it, and the tests check its figures against counts made independently from seeded data.

use crate::followup::HazardStatus;
use crate::hazard_ledger::HazardLevel;
use crate::region::RegionCode;
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::BTreeMap;

/// What the overview needs to know of one hazard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardFact<'a> {
    pub status: HazardStatus,
    pub level: HazardLevel,
    /// The checklist's sector id, `""` when the ledger does not hold the checklist.
    pub sector: &'a str,
    /// Where the inspection is (`inspections.region_code`).
    pub region: &'a str,
    /// The day it was found (the inspection's day, China Standard Time).
    pub found_on: NaiveDate,
    /// The deadline in force.
    pub deadline: Option<NaiveDate>,
    /// The day its rectification was verified (验收), if it was.
    pub verified_on: Option<NaiveDate>,
}

/// One week of the trend (Monday to Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    pub starts: NaiveDate,
    /// Hazards found that week.
    pub found: usize,
    /// Hazards verified (销号) that week.
    pub closed: usize,
    /// Hazards past their deadline and not verified at the week's end (or today, this week).
    pub overdue: usize,
}

/// A count under one sub-region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionCount {
    /// The next level down from the reader's region (or the hazard's own code when it is
    /// placed at the reader's level itself).
    pub code: String,
    pub total: usize,
    pub overdue: usize,
    pub major: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub total: usize,
    /// Every status, in [`HazardStatus::ALL`] order, zeros included.
    pub by_status: Vec<(HazardStatus, usize)>,
    /// General, then major.
    pub by_level: Vec<(HazardLevel, usize)>,
    /// Sector ids by count, most first (`""`: checklist unknown).
    pub by_sector: Vec<(String, usize)>,
    /// Sub-regions by code.
    pub by_region: Vec<RegionCount>,
    /// The last weeks, oldest first, ending with the week of the day asked about.
    pub weeks: Vec<Week>,
}

/// The code one level below the reader's region that `region` lies in; `None` when it lies in
/// none of `within`.
pub fn next_level(within: &[RegionCode], region: &str) -> Option<String> {
    let code = RegionCode::parse(region).ok()?;
    let outer = within
        .iter()
        .filter(|r| r.contains(&code))
        .max_by_key(|r| r.as_str().len())?;
    let digits = outer
        .level()
        .below()
        .map(|l| l.digits())
        .unwrap_or(region.len());
    Some(region[..digits.min(region.len())].to_string())
}

/// Monday of the week of `day`.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

impl Overview {
    /// The overview of `facts` for a reader of `within`, judged on `as_of`, with `weeks` weeks
    /// of trend.
    pub fn of(
        facts: &[HazardFact<'_>],
        within: &[RegionCode],
        as_of: NaiveDate,
        weeks: usize,
    ) -> Self {
        let count =
            |pick: &dyn Fn(&HazardFact<'_>) -> bool| facts.iter().filter(|f| pick(f)).count();
        let by_status = HazardStatus::ALL
            .iter()
            .map(|s| (*s, count(&|f| f.status == *s)))
            .collect();
        let by_level = [HazardLevel::General, HazardLevel::Major]
            .iter()
            .map(|l| (*l, count(&|f| f.level == *l)))
            .collect();
        let mut sectors: BTreeMap<&str, usize> = BTreeMap::new();
        let mut regions: BTreeMap<String, RegionCount> = BTreeMap::new();
        for fact in facts {
            *sectors.entry(fact.sector).or_default() += 1;
            if let Some(code) = next_level(within, fact.region) {
                let entry = regions.entry(code.clone()).or_insert(RegionCount {
                    code,
                    total: 0,
                    overdue: 0,
                    major: 0,
                });
                entry.total += 1;
                entry.overdue += usize::from(fact.status == HazardStatus::Overdue);
                entry.major += usize::from(fact.level == HazardLevel::Major);
            }
        }
        let mut by_sector: Vec<(String, usize)> = sectors
            .into_iter()
            .map(|(s, n)| (s.to_string(), n))
            .collect();
        by_sector.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let this_week = week_start(as_of);
        let weeks = (0..weeks)
            .rev()
            .map(|back| {
                let starts = this_week - Duration::weeks(back as i64);
                let ends = (starts + Duration::days(6)).min(as_of);
                let within_week = |d: NaiveDate| d >= starts && d <= ends;
                Week {
                    starts,
                    found: count(&|f| within_week(f.found_on)),
                    closed: count(&|f| f.verified_on.is_some_and(within_week)),
                    overdue: count(&|f| {
                        f.found_on <= ends
                            && f.deadline.is_some_and(|d| d < ends)
                            && f.verified_on.is_none_or(|v| v > ends)
                    }),
                }
            })
            .collect();
        Overview {
            total: facts.len(),
            by_status,
            by_level,
            by_sector,
            by_region: regions.into_values().collect(),
            weeks,
        }
    }

    pub fn status(&self, status: HazardStatus) -> usize {
        self.by_status
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn fact(
        region: &'static str,
        found: NaiveDate,
        deadline: Option<NaiveDate>,
        verified: Option<NaiveDate>,
        status: HazardStatus,
    ) -> HazardFact<'static> {
        HazardFact {
            status,
            level: if region.ends_with('1') {
                HazardLevel::Major
            } else {
                HazardLevel::General
            },
            sector: if region.len() > 6 { "fireworks" } else { "" },
            region,
            found_on: found,
            deadline,
            verified_on: verified,
        }
    }

    #[test]
    fn sub_regions_are_one_level_below_the_reader() {
        let county = [RegionCode::parse("130102").unwrap()];
        assert_eq!(
            next_level(&county, "130102001").as_deref(),
            Some("130102001")
        );
        assert_eq!(
            next_level(&county, "130102").as_deref(),
            Some("130102"),
            "placed at the county itself"
        );
        assert_eq!(next_level(&county, "130104001"), None);
        let province = [RegionCode::parse("13").unwrap()];
        assert_eq!(next_level(&province, "130102001").as_deref(), Some("1301"));
        let two = [
            RegionCode::parse("1301").unwrap(),
            RegionCode::parse("130102").unwrap(),
        ];
        assert_eq!(
            next_level(&two, "130102001").as_deref(),
            Some("130102001"),
            "the innermost region read"
        );
        assert_eq!(next_level(&province, "garbage"), None);
    }

    #[test]
    fn the_trend_counts_found_closed_and_overdue_at_each_weeks_end() {
        use HazardStatus::*;
        let as_of = day(12, 9); // a Wednesday
        assert_eq!(week_start(as_of), day(12, 7));
        let facts = [
            // Found in the week of 23 Nov, due 1 Dec, verified 8 Dec: overdue at the end of the
            // week of 30 Nov only.
            fact(
                "130102001",
                day(11, 24),
                Some(day(12, 1)),
                Some(day(12, 8)),
                Verified,
            ),
            // Found 2 Dec, due 5 Dec, never verified: overdue from the week of 30 Nov on.
            fact("130102002", day(12, 2), Some(day(12, 5)), None, Overdue),
            // Found today, no deadline.
            fact("130102", day(12, 9), None, None, Open),
        ];
        let county = [RegionCode::parse("130102").unwrap()];
        let o = Overview::of(&facts, &county, as_of, 3);
        let weeks: Vec<(NaiveDate, usize, usize, usize)> = o
            .weeks
            .iter()
            .map(|w| (w.starts, w.found, w.closed, w.overdue))
            .collect();
        assert_eq!(
            weeks,
            [
                (day(11, 23), 1, 0, 0),
                (day(11, 30), 1, 0, 2),
                (day(12, 7), 1, 1, 1)
            ]
        );
        assert_eq!(
            (
                o.total,
                o.status(Overdue),
                o.status(Verified),
                o.status(Escalated)
            ),
            (3, 1, 1, 0)
        );
        assert_eq!(o.by_status.len(), HazardStatus::ALL.len());
        assert_eq!(
            o.by_level,
            [(HazardLevel::General, 2), (HazardLevel::Major, 1)]
        );
        assert_eq!(
            o.by_sector,
            [("fireworks".to_string(), 2), (String::new(), 1)]
        );
        let regions: Vec<(&str, usize, usize, usize)> = o
            .by_region
            .iter()
            .map(|r| (r.code.as_str(), r.total, r.overdue, r.major))
            .collect();
        assert_eq!(
            regions,
            [
                ("130102", 1, 0, 0),
                ("130102001", 1, 0, 1),
                ("130102002", 1, 1, 0)
            ]
        );
    }
}
