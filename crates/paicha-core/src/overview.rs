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

/// Hazards alike in what the counts look at, and how many they are: a ledger counts them with
/// `GROUP BY` rather than reading each one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally<'a> {
    pub status: HazardStatus,
    pub level: HazardLevel,
    /// The checklist's sector id, `""` when the ledger does not hold the checklist.
    pub sector: &'a str,
    /// Where the inspection is (`inspections.region_code`).
    pub region: &'a str,
    pub count: usize,
}

/// Hazards alike in the dates the trend looks at, and how many they are. Dates outside the
/// trend's window may be moved to its edges first ([`TrendWindow::clip`]): the trend cannot
/// tell them apart, and a ledger then groups a province's hazards into a few hundred rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendDates {
    pub found_on: NaiveDate,
    pub deadline: Option<NaiveDate>,
    pub verified_on: Option<NaiveDate>,
    pub count: usize,
}

/// The days a trend of `weeks` weeks judged on `as_of` looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendWindow {
    /// Monday of the first week.
    pub first: NaiveDate,
    /// The day asked about: the last week ends there.
    pub last: NaiveDate,
}

impl TrendWindow {
    pub fn new(as_of: NaiveDate, weeks: usize) -> Self {
        let back = i64::try_from(weeks.saturating_sub(1)).unwrap_or(i64::MAX / 8);
        TrendWindow {
            first: week_start(as_of) - Duration::weeks(back),
            last: as_of,
        }
    }

    /// The day before the window: every earlier day counts as it does.
    pub fn before(&self) -> NaiveDate {
        self.first - Duration::days(1)
    }

    /// The day after the window: every later day counts as it does.
    pub fn after(&self) -> NaiveDate {
        self.last + Duration::days(1)
    }

    /// `day`, or the window's edge that stands for it.
    pub fn clip(&self, day: NaiveDate) -> NaiveDate {
        day.clamp(self.before(), self.after())
    }
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
        let tallies: Vec<Tally<'_>> = facts
            .iter()
            .map(|f| Tally {
                status: f.status,
                level: f.level,
                sector: f.sector,
                region: f.region,
                count: 1,
            })
            .collect();
        let dates: Vec<TrendDates> = facts
            .iter()
            .map(|f| TrendDates {
                found_on: f.found_on,
                deadline: f.deadline,
                verified_on: f.verified_on,
                count: 1,
            })
            .collect();
        Self::of_tallies(&tallies, &dates, within, as_of, weeks)
    }

    /// The overview from hazards counted in groups: `tallies` for the counts, `dates` for the
    /// trend (each group counted `count` times).
    pub fn of_tallies(
        tallies: &[Tally<'_>],
        dates: &[TrendDates],
        within: &[RegionCode],
        as_of: NaiveDate,
        weeks: usize,
    ) -> Self {
        let count = |pick: &dyn Fn(&Tally<'_>) -> bool| {
            tallies
                .iter()
                .filter(|t| pick(t))
                .map(|t| t.count)
                .sum::<usize>()
        };
        let by_status = HazardStatus::ALL
            .iter()
            .map(|s| (*s, count(&|t| t.status == *s)))
            .collect();
        let by_level = [HazardLevel::General, HazardLevel::Major]
            .iter()
            .map(|l| (*l, count(&|t| t.level == *l)))
            .collect();
        let mut sectors: BTreeMap<&str, usize> = BTreeMap::new();
        let mut regions: BTreeMap<String, RegionCount> = BTreeMap::new();
        for tally in tallies {
            *sectors.entry(tally.sector).or_default() += tally.count;
            if let Some(code) = next_level(within, tally.region) {
                let entry = regions.entry(code.clone()).or_insert(RegionCount {
                    code,
                    total: 0,
                    overdue: 0,
                    major: 0,
                });
                entry.total += tally.count;
                if tally.status == HazardStatus::Overdue {
                    entry.overdue += tally.count;
                }
                if tally.level == HazardLevel::Major {
                    entry.major += tally.count;
                }
            }
        }
        let mut by_sector: Vec<(String, usize)> = sectors
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| (s.to_string(), n))
            .collect();
        by_sector.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let dated = |pick: &dyn Fn(&TrendDates) -> bool| {
            dates
                .iter()
                .filter(|d| pick(d))
                .map(|d| d.count)
                .sum::<usize>()
        };
        let this_week = week_start(as_of);
        let weeks = (0..weeks)
            .rev()
            .map(|back| {
                let starts = this_week - Duration::weeks(back as i64);
                let ends = (starts + Duration::days(6)).min(as_of);
                let within_week = |d: NaiveDate| d >= starts && d <= ends;
                Week {
                    starts,
                    found: dated(&|f| within_week(f.found_on)),
                    closed: dated(&|f| f.verified_on.is_some_and(within_week)),
                    overdue: dated(&|f| {
                        f.found_on <= ends
                            && f.deadline.is_some_and(|d| d < ends)
                            && f.verified_on.is_none_or(|v| v > ends)
                    }),
                }
            })
            .collect();
        Overview {
            total: tallies.iter().map(|t| t.count).sum(),
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

    #[test]
    fn clipping_dates_to_the_window_changes_no_figure() {
        use HazardStatus::*;
        let as_of = day(12, 9);
        let window = TrendWindow::new(as_of, 3);
        assert_eq!((window.first, window.last), (day(11, 23), as_of));
        let days = [
            day(1, 5),
            day(11, 21),
            day(11, 22),
            day(11, 23),
            day(11, 30),
            day(12, 8),
            day(12, 9),
            day(12, 10),
            day(12, 31),
        ];
        let mut facts = Vec::new();
        for (n, found) in days.iter().enumerate() {
            for deadline in days.iter().map(|d| Some(*d)).chain([None]) {
                for verified in days.iter().skip(n).map(|d| Some(*d)).chain([None]) {
                    let status = if verified.is_some() {
                        Verified
                    } else {
                        Overdue
                    };
                    facts.push(fact("130102001", *found, deadline, verified, status));
                }
            }
        }
        let county = [RegionCode::parse("130102").unwrap()];
        let whole = Overview::of(&facts, &county, as_of, 3);
        let mut grouped: BTreeMap<(NaiveDate, Option<NaiveDate>, Option<NaiveDate>), usize> =
            BTreeMap::new();
        for f in &facts {
            let key = (
                window.clip(f.found_on),
                f.deadline.map(|d| window.clip(d)),
                f.verified_on.map(|d| window.clip(d)),
            );
            *grouped.entry(key).or_default() += 1;
        }
        assert!(grouped.len() < facts.len() / 2, "clipping merges groups");
        let dates: Vec<TrendDates> = grouped
            .into_iter()
            .map(|((found_on, deadline, verified_on), count)| TrendDates {
                found_on,
                deadline,
                verified_on,
                count,
            })
            .collect();
        let tallies = [Tally {
            status: Overdue,
            level: HazardLevel::Major,
            sector: "",
            region: "130102001",
            count: facts.len(),
        }];
        let grouped = Overview::of_tallies(&tallies, &dates, &county, as_of, 3);
        assert_eq!(grouped.weeks, whole.weeks);
        assert!(whole.weeks.iter().all(|w| w.found > 0 && w.overdue > 0));
        assert_eq!(grouped.total, facts.len());
    }
}
