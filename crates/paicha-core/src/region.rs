//! 行政区划代码: the administrative divisions that scope who sees what. Province (2 digits),
//! city (4), county (6), township (9). A code is a prefix of every code below it, so "the
//! region 1301 and everything in it" is "codes that start with 1301".
//!
//! County codes follow GB/T 2260; township codes are the statistics bureau's (统计用区划代码,
//! the 12-digit codes truncated to 9). The ledger ships a table for the province
//! (`crates/paicha-ledger/data/regions/`) and operators add townships to it.

use crate::credit_code::CreditCode;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A validated region code: 2, 4, 6 or 9 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省 (2 digits)
    Province,
    /// 市 (4 digits)
    City,
    /// 县、区 (6 digits)
    County,
    /// 乡镇、街道 (9 digits)
    Township,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 4] = [
        RegionLevel::Province,
        RegionLevel::City,
        RegionLevel::County,
        RegionLevel::Township,
    ];

    pub fn digits(self) -> usize {
        match self {
            RegionLevel::Province => 2,
            RegionLevel::City => 4,
            RegionLevel::County => 6,
            RegionLevel::Township => 9,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
            RegionLevel::County => "county",
            RegionLevel::Township => "township",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.slug() == slug)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RegionLevel::Province => "省级",
            RegionLevel::City => "市级",
            RegionLevel::County => "县级",
            RegionLevel::Township => "乡镇级",
        }
    }

    /// The level one below (a township has none).
    pub fn below(self) -> Option<Self> {
        match self {
            RegionLevel::Province => Some(RegionLevel::City),
            RegionLevel::City => Some(RegionLevel::County),
            RegionLevel::County => Some(RegionLevel::Township),
            RegionLevel::Township => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "行政区划代码应为2、4、6或9位数字，现为“{0}” / a region code is 2, 4, 6 or 9 digits, got {0:?}"
)]
pub struct RegionCodeError(pub String);

impl RegionCode {
    pub fn parse(text: &str) -> Result<Self, RegionCodeError> {
        let text = text.trim();
        let digits = text.bytes().all(|b| b.is_ascii_digit());
        if digits && matches!(text.len(), 2 | 4 | 6 | 9) {
            Ok(Self(text.to_string()))
        } else {
            Err(RegionCodeError(text.chars().take(32).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The region a 所属区域 chosen from the table names; typed text is refused.
    pub fn chosen(text: &str) -> Result<Self, RegionNotChosen> {
        Self::leading(text).ok_or(RegionNotChosen)
    }

    /// The region a 所属区域 names by its leading code, as the app writes it
    /// (`130102 河北省 石家庄市 长安区`, see [`Regions::label`]). Profiles from before regions
    /// were codes hold free text (`某镇`) and name none.
    pub fn leading(text: &str) -> Option<Self> {
        Self::parse(text.split_whitespace().next()?).ok()
    }

    pub fn level(&self) -> RegionLevel {
        match self.0.len() {
            2 => RegionLevel::Province,
            4 => RegionLevel::City,
            6 => RegionLevel::County,
            _ => RegionLevel::Township,
        }
    }

    /// The region one level up; none for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let len = match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::City => 2,
            RegionLevel::County => 4,
            RegionLevel::Township => 6,
        };
        Some(RegionCode(self.0[..len].to_string()))
    }

    /// Whether `other` is this region or lies inside it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The innermost region that contains every one of `codes` (itself, for one code); none
    /// for no codes or codes of different provinces.
    pub fn common<'a>(codes: impl IntoIterator<Item = &'a RegionCode>) -> Option<RegionCode> {
        let codes: Vec<&RegionCode> = codes.into_iter().collect();
        let first = codes.first()?;
        [9, 6, 4, 2]
            .into_iter()
            .filter(|len| first.0.len() >= *len)
            .map(|len| RegionCode(first.0[..len].to_string()))
            .find(|outer| codes.iter().all(|c| outer.contains(c)))
    }

    /// The region an enterprise was registered in, from positions 3–8 of its 统一社会信用代码
    /// (the registration authority's code): a county, or the city or province when the
    /// authority was the city's or province's own (a code ending in `00` or `0000`). None when
    /// those digits are not a region code (e.g. letters).
    pub fn of_registration(code: &CreditCode) -> Option<RegionCode> {
        let area = code.as_str().get(2..8)?;
        if !area.bytes().all(|b| b.is_ascii_digit()) || area.starts_with("00") {
            return None;
        }
        let trimmed = if area.ends_with("0000") {
            &area[..2]
        } else if area.ends_with("00") {
            &area[..4]
        } else {
            area
        };
        Some(RegionCode(trimmed.to_string()))
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<RegionCode> for String {
    fn from(code: RegionCode) -> String {
        code.0
    }
}

/// A 所属区域 typed rather than chosen from the table: the ledger scopes by the code the
/// chosen entry starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "请从列表中选择所属区域（以区划代码开头） / choose the region from the list (it starts with its code)"
)]
pub struct RegionNotChosen;

/// One division with its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
}

/// A table of regions: every province, city, county and township it knows, by code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Regions {
    /// Sorted by code.
    list: Vec<Region>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionsError {
    #[error("第{line}行：{message} / line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("区划表的表头应为 code,name,level,parent / the header must be code,name,level,parent")]
    Header,
}

impl Regions {
    pub fn new(mut list: Vec<Region>) -> Self {
        list.sort_by(|a, b| a.code.cmp(&b.code));
        list.dedup_by(|a, b| a.code == b.code);
        Self { list }
    }

    /// Reads the CSV the ledger ships (`code,name,level,parent`, UTF-8, a header line). Every
    /// row is checked: the code's length matches its level, the parent is its prefix one level
    /// up, and the parent is in the table (or is the province itself).
    pub fn from_csv(text: &str) -> Result<Self, RegionsError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header_ok = reader
            .headers()
            .map(|h| h.iter().collect::<Vec<_>>() == ["code", "name", "level", "parent"])
            .unwrap_or(false);
        if !header_ok {
            return Err(RegionsError::Header);
        }
        let mut list = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let line = n + 2;
            let fail = |message: String| RegionsError::Line { line, message };
            let record = record.map_err(|e| fail(e.to_string()))?;
            let field = |i: usize| record.get(i).unwrap_or("").trim();
            let code = RegionCode::parse(field(0)).map_err(|e| fail(e.to_string()))?;
            let name = field(1);
            if name.is_empty() {
                return Err(fail(format!("区划 {code} 没有名称 / {code} has no name")));
            }
            let level = RegionLevel::from_slug(field(2))
                .ok_or_else(|| fail(format!("未知层级 {:?} / unknown level", field(2))))?;
            if level != code.level() {
                return Err(fail(format!(
                    "{code} 的位数与层级 {} 不符 / {code} does not have the digits of a {}",
                    level.slug(),
                    level.slug()
                )));
            }
            let parent = field(3);
            let expected = code.parent().map(String::from).unwrap_or_default();
            if parent != expected {
                return Err(fail(format!(
                    "{code} 的上级应为“{expected}”，而非“{parent}” / the parent of {code} is {expected:?}, not {parent:?}"
                )));
            }
            list.push(Region {
                code,
                name: name.to_string(),
            });
        }
        let regions = Self::new(list);
        for region in &regions.list {
            if let Some(parent) = region.code.parent()
                && regions.get(&parent).is_none()
            {
                return Err(RegionsError::Line {
                    line: 0,
                    message: format!(
                        "{} 的上级 {parent} 不在表中 / the parent {parent} of {} is not in the table",
                        region.code, region.code
                    ),
                });
            }
        }
        Ok(regions)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.list.iter()
    }

    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        self.list
            .binary_search_by(|r| r.code.cmp(code))
            .ok()
            .map(|i| &self.list[i])
    }

    /// The regions one level below `code` (or the provinces, for `None`), by code.
    pub fn children(&self, code: Option<&RegionCode>) -> impl Iterator<Item = &Region> {
        let parent = code.cloned();
        self.list.iter().filter(move |r| r.code.parent() == parent)
    }

    /// `河北省 石家庄市 长安区`: the names from the province down; codes not in the table are
    /// shown as the code.
    pub fn path(&self, code: &RegionCode) -> String {
        let mut names = Vec::new();
        let mut next = Some(code.clone());
        while let Some(current) = next {
            names.push(
                self.get(&current)
                    .map_or_else(|| current.to_string(), |r| r.name.clone()),
            );
            next = current.parent();
        }
        names.reverse();
        names.join(" ")
    }

    /// `130102 河北省 石家庄市 长安区`: the code, then its path; what a 所属区域 holds once
    /// chosen from the table ([`RegionCode::leading`] reads the code back).
    pub fn label(&self, code: &RegionCode) -> String {
        format!("{code} {}", self.path(code))
    }

    /// Where an enterprise is, for scoping: the county (or city) it was registered in, made a
    /// township when the township it recorded is named exactly once inside that region. An
    /// enterprise registered outside the table (another province) is placed by its township
    /// if that name is unique in the whole table, else at `fallback` (where the inspecting
    /// officer works), else where it was registered.
    pub fn locate(
        &self,
        code: &CreditCode,
        township: &str,
        fallback: Option<&RegionCode>,
    ) -> Option<RegionCode> {
        let registered = RegionCode::of_registration(code);
        let within = registered.as_ref().filter(|r| self.get(r).is_some());
        let township = township.trim();
        let named = |inside: Option<&RegionCode>| {
            let mut matches = self.list.iter().filter(|r| {
                r.code.level() == RegionLevel::Township
                    && inside.is_none_or(|i| i.contains(&r.code))
                    && r.name == township
            });
            match (matches.next(), matches.next()) {
                (Some(only), None) if !township.is_empty() => Some(only.code.clone()),
                _ => None,
            }
        };
        match within {
            Some(region) => named(Some(region)).or_else(|| Some(region.clone())),
            None => named(None).or_else(|| fallback.cloned()).or(registered),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RegionCode as Code;

    #[test]
    fn the_common_region_is_the_innermost_one_holding_all() {
        let c = |t: &str| Code::parse(t).unwrap();
        let common = |codes: &[&str]| {
            let codes: Vec<Code> = codes.iter().map(|t| c(t)).collect();
            Code::common(&codes).map(|r| r.to_string())
        };
        assert_eq!(common(&["130102001"]).as_deref(), Some("130102001"));
        assert_eq!(
            common(&["130102001", "130102002"]).as_deref(),
            Some("130102")
        );
        assert_eq!(common(&["130102001", "130104"]).as_deref(), Some("1301"));
        assert_eq!(common(&["130102", "130102001"]).as_deref(), Some("130102"));
        assert_eq!(common(&["1301", "1302"]).as_deref(), Some("13"));
        assert_eq!(common(&["13", "44"]), None);
        assert_eq!(common(&[]), None);
    }

    use super::*;

    #[test]
    fn a_region_label_reads_back_as_its_code_and_free_text_names_none() {
        let regions = Regions::from_csv(
            "code,name,level,parent\n13,河北省,province,\n1301,石家庄市,city,13\n130102,长安区,county,1301\n",
        )
        .unwrap();
        let code = RegionCode::parse("130102").unwrap();
        let label = regions.label(&code);
        assert_eq!(label, "130102 河北省 石家庄市 长安区");
        assert_eq!(RegionCode::leading(&label), Some(code));
        assert_eq!(
            RegionCode::leading(" 1301 "),
            RegionCode::parse("1301").ok()
        );
        for free in [
            "某镇",
            "",
            "  ",
            "13010 长安区",
            "长安区 130102",
            "130102长安区",
        ] {
            assert_eq!(RegionCode::leading(free), None, "{free:?}");
            assert_eq!(RegionCode::chosen(free), Err(RegionNotChosen), "{free:?}");
        }
        for chosen in ["130102 河北省 石家庄市 长安区", "130102001 建北街道", "13"] {
            assert!(RegionCode::chosen(chosen).is_ok(), "{chosen:?}");
        }
    }

    const TABLE: &str = "code,name,level,parent\n\
        13,河北省,province,\n\
        1301,石家庄市,city,13\n\
        130102,长安区,county,1301\n\
        130104,桥西区,county,1301\n\
        130102001,建北街道,township,130102\n\
        130104001,东里街道,township,130104\n\
        130104002,建北街道,township,130104\n";

    fn code(text: &str) -> RegionCode {
        RegionCode::parse(text).unwrap()
    }

    #[test]
    fn codes_have_levels_parents_and_contain_what_is_below_them() {
        assert_eq!(code("13").level(), RegionLevel::Province);
        assert_eq!(code("130102001").level(), RegionLevel::Township);
        assert_eq!(code("130102001").parent(), Some(code("130102")));
        assert_eq!(code("13").parent(), None);
        assert!(code("1301").contains(&code("130102001")));
        assert!(code("130102").contains(&code("130102")));
        assert!(!code("130102").contains(&code("130104001")));
        assert!(!code("130102").contains(&code("1301")), "not upwards");
        for bad in [
            "",
            "1",
            "130",
            "13010",
            "1301020",
            "13010200a",
            "1301020011",
            " 13 x",
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(RegionCode::parse(" 1301 ").unwrap().as_str(), "1301");
    }

    #[test]
    fn an_enterprise_is_registered_where_its_credit_code_says() {
        let county = CreditCode::with_check_digit("91130102MA0000000").unwrap();
        assert_eq!(RegionCode::of_registration(&county), Some(code("130102")));
        let city = CreditCode::with_check_digit("91130100MA0000000").unwrap();
        assert_eq!(RegionCode::of_registration(&city), Some(code("1301")));
        let province = CreditCode::with_check_digit("91130000MA0000000").unwrap();
        assert_eq!(RegionCode::of_registration(&province), Some(code("13")));
    }

    #[test]
    fn the_table_is_read_and_checked_row_by_row() {
        let regions = Regions::from_csv(TABLE).unwrap();
        assert_eq!(regions.len(), 7);
        assert_eq!(
            regions.path(&code("130102001")),
            "河北省 石家庄市 长安区 建北街道"
        );
        let counties: Vec<&str> = regions
            .children(Some(&code("1301")))
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(counties, ["长安区", "桥西区"]);
        let provinces: Vec<&str> = regions.children(None).map(|r| r.name.as_str()).collect();
        assert_eq!(provinces, ["河北省"]);

        let wrong_parent = TABLE.replace("130104,桥西区,county,1301", "130104,桥西区,county,13");
        let err = Regions::from_csv(&wrong_parent).unwrap_err();
        assert!(matches!(err, RegionsError::Line { line: 5, .. }), "{err}");
        let wrong_level = TABLE.replace("1301,石家庄市,city", "1301,石家庄市,county");
        assert!(Regions::from_csv(&wrong_level).is_err());
        let orphan = format!("{TABLE}130199001,某街道,township,130199\n");
        assert!(
            Regions::from_csv(&orphan).is_err(),
            "its county is not in the table"
        );
        assert_eq!(Regions::from_csv("a,b\n"), Err(RegionsError::Header));
    }

    #[test]
    fn a_recorded_township_narrows_the_region_only_when_it_is_unambiguous() {
        let regions = Regions::from_csv(TABLE).unwrap();
        let county = CreditCode::with_check_digit("91130102MA0000000").unwrap();
        assert_eq!(
            regions.locate(&county, "建北街道", None),
            Some(code("130102001"))
        );
        assert_eq!(regions.locate(&county, "", None), Some(code("130102")));
        assert_eq!(
            regions.locate(&county, "东里街道", None),
            Some(code("130102")),
            "another county's township"
        );
        let city = CreditCode::with_check_digit("91130100MA0000000").unwrap();
        assert_eq!(
            regions.locate(&city, "东里街道", None),
            Some(code("130104001"))
        );
        assert_eq!(
            regions.locate(&city, "建北街道", None),
            Some(code("1301")),
            "two of that name"
        );
        // Registered in another province: its township if unique here, else the officer's region.
        let elsewhere = CreditCode::with_check_digit("91440300MA0000000").unwrap();
        assert_eq!(
            regions.locate(&elsewhere, "东里街道", None),
            Some(code("130104001"))
        );
        let officer = code("130104");
        assert_eq!(
            regions.locate(&elsewhere, "建北街道", Some(&officer)),
            Some(officer.clone())
        );
        assert_eq!(regions.locate(&elsewhere, "", None), Some(code("4403")));
    }
}
