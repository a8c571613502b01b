//! Inspected enterprises (sites): who they are, where they are and whom to call.
//!
//! An inspection carries a snapshot of its site as it was when the inspection started, so a
//! later edit of the site's address never rewrites a signed record.

use crate::credit_code::CreditCode;
use crate::error::InspectionError;
use serde::{Deserialize, Serialize};

/// An inspected enterprise. Only the name and the unified social credit code are required;
/// the other fields are absent in JSON when empty (records written before they existed parse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: String,
    pub credit_code: CreditCode,
    /// 地址
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// 乡镇（街道）
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub township: String,
    /// 网格: the grid (网格化管理) the enterprise belongs to.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub grid: String,
    /// Sector ids (see `checklist::SECTORS`), e.g. `fireworks`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sectors: Vec<String>,
    /// 联系人
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact_name: String,
    /// 联系电话, normalised by [`PhoneNumber`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact_phone: String,
}

/// Everything about a site beyond its name and credit code, as typed into a form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteDetails {
    pub address: String,
    pub township: String,
    pub grid: String,
    pub sectors: Vec<String>,
    pub contact_name: String,
    pub contact_phone: String,
}

impl Site {
    pub fn new(name: &str, credit_code: CreditCode) -> Result<Self, InspectionError> {
        Self::with_details(name, credit_code, SiteDetails::default())
    }

    /// A site with its details: text is trimmed, the phone number checked and normalised,
    /// sector ids checked against the known sectors (each once, in the given order).
    pub fn with_details(
        name: &str,
        credit_code: CreditCode,
        details: SiteDetails,
    ) -> Result<Self, InspectionError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(InspectionError::Required("单位名称 enterprise name"));
        }
        let contact_phone = match details.contact_phone.trim() {
            "" => String::new(),
            typed => PhoneNumber::parse(typed)?.0,
        };
        let mut sectors: Vec<String> = Vec::new();
        for sector in details.sectors {
            let sector = sector.trim().to_string();
            if !crate::checklist::SECTORS.iter().any(|s| s.0 == sector) {
                return Err(InspectionError::UnknownSector(sector));
            }
            if !sectors.contains(&sector) {
                sectors.push(sector);
            }
        }
        Ok(Self {
            name: name.to_string(),
            credit_code,
            address: details.address.trim().to_string(),
            township: details.township.trim().to_string(),
            grid: details.grid.trim().to_string(),
            sectors,
            contact_name: details.contact_name.trim().to_string(),
            contact_phone,
        })
    }

    pub fn details(&self) -> SiteDetails {
        SiteDetails {
            address: self.address.clone(),
            township: self.township.clone(),
            grid: self.grid.clone(),
            sectors: self.sectors.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
        }
    }

    /// Whether the site matches a search: every whitespace-separated term must occur in the
    /// name, credit code, address, township, grid or contact (case-insensitive for Latin).
    pub fn matches(&self, query: &str) -> bool {
        let haystack = format!(
            "{} {} {} {} {} {} {}",
            self.name,
            self.credit_code,
            self.address,
            self.township,
            self.grid,
            self.contact_name,
            self.contact_phone
        )
        .to_lowercase();
        query
            .split_whitespace()
            .all(|term| haystack.contains(&term.to_lowercase()))
    }
}

/// A mainland China phone number: a mobile number (11 digits starting 13–19, optional +86) or
/// a landline with its area code (0 + 2–3 digits, then 7–8 digits, optional extension).
/// Normalised to digits with one hyphen after the area code and `-` before an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(text: &str) -> Result<Self, InspectionError> {
        let bad = || InspectionError::BadPhone(text.trim().to_string());
        let compact: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '（' | '）'))
            .collect();
        let compact = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .unwrap_or(&compact)
            .to_string();
        // An extension is written after 转 or #, e.g. 0731-84123456转801.
        let (main, extension) = match compact.split_once(['转', '#']) {
            Some((main, ext)) => (main, Some(ext)),
            None => (compact.as_str(), None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(main) || extension.is_some_and(|e| !digits(e) || e.len() > 6) {
            return Err(bad());
        }
        let bytes = main.as_bytes();
        if main.len() == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) {
            return match extension {
                None => Ok(Self(main.to_string())),
                Some(_) => Err(bad()),
            };
        }
        if bytes[0] != b'0' {
            return Err(bad());
        }
        // Area codes: 010 and 02x have three digits, all others four.
        let area_len = if main.starts_with("010") || main.starts_with("02") {
            3
        } else {
            4
        };
        let local = &main[area_len.min(main.len())..];
        if !(7..=8).contains(&local.len()) {
            return Err(bad());
        }
        let mut out = format!("{}-{}", &main[..area_len], local);
        if let Some(ext) = extension {
            out.push('-');
            out.push_str(ext);
        }
        Ok(Self(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> CreditCode {
        CreditCode::parse("91440300708461136T").unwrap()
    }

    #[test]
    fn phone_numbers_are_checked_and_normalised() {
        for (typed, normal) in [
            ("13812345678", "13812345678"),
            ("+86 138 1234 5678", "13812345678"),
            ("0731-84123456", "0731-84123456"),
            ("010 6512 3456", "010-65123456"),
            ("（020）87654321", "020-87654321"),
            ("0731-84123456转801", "0731-84123456-801"),
        ] {
            assert_eq!(
                PhoneNumber::parse(typed).unwrap().as_str(),
                normal,
                "{typed}"
            );
        }
        for bad in [
            "12345",
            "1381234567",
            "23812345678",
            "12812345678",
            "0731-123",
            "abc",
            "0731-84123456转",
            "13812345678转1",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad),
                Err(InspectionError::BadPhone(bad.to_string())),
                "{bad}"
            );
        }
    }

    #[test]
    fn details_are_trimmed_validated_and_optional_in_json() {
        let site = Site::with_details(
            " 某烟花厂 ",
            code(),
            SiteDetails {
                address: " 浏阳市某镇 ".into(),
                township: "某镇".into(),
                grid: "3号网格".into(),
                sectors: vec!["fireworks".into(), "fireworks".into()],
                contact_name: "王五".into(),
                contact_phone: "138 1234 5678".into(),
            },
        )
        .unwrap();
        assert_eq!(site.name, "某烟花厂");
        assert_eq!(site.address, "浏阳市某镇");
        assert_eq!(site.sectors, ["fireworks"]);
        assert_eq!(site.contact_phone, "13812345678");
        let back: Site = serde_json::from_str(&serde_json::to_string(&site).unwrap()).unwrap();
        assert_eq!(back, site);

        let bare = Site::new("某公司", code()).unwrap();
        let json = serde_json::to_string(&bare).unwrap();
        assert_eq!(
            json,
            r#"{"name":"某公司","credit_code":"91440300708461136T"}"#
        );
        assert_eq!(
            Site::with_details(
                "x",
                code(),
                SiteDetails {
                    sectors: vec!["bakery".into()],
                    ..SiteDetails::default()
                }
            ),
            Err(InspectionError::UnknownSector("bakery".into()))
        );
        assert!(matches!(
            Site::with_details(
                "x",
                code(),
                SiteDetails {
                    contact_phone: "123".into(),
                    ..SiteDetails::default()
                }
            ),
            Err(InspectionError::BadPhone(_))
        ));
    }

    #[test]
    fn search_matches_every_term_in_any_field() {
        let site = Site::with_details(
            "浏阳某烟花厂",
            code(),
            SiteDetails {
                township: "大瑶镇".into(),
                grid: "Grid 3".into(),
                ..SiteDetails::default()
            },
        )
        .unwrap();
        assert!(site.matches("烟花 大瑶"));
        assert!(site.matches("grid"));
        assert!(site.matches("708461136t"));
        assert!(site.matches(""));
        assert!(!site.matches("烟花 长沙"));
    }
}
