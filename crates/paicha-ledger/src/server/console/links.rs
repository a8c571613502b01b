//! Addresses of console pages, built from stored ids (escaped as path segments).

use crate::store::lists::HazardKey;

/// The console's address of a hazard's evidence.
pub fn href(key: &HazardKey) -> String {
    format!(
        "/console/hazards/{}/{}",
        segment(&key.inspection_id),
        segment(&key.item_id)
    )
}

/// Everything but RFC 3986's unreserved characters is escaped.
const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Text as one URL path segment or query value.
pub fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, ESCAPED).to_string()
}

/// `path`, keeping a list's search term: a form posted from a filtered list comes back to it.
pub fn with_search(path: &str, q: &str) -> String {
    if q.trim().is_empty() {
        path.to_string()
    } else {
        format!("{path}?q={}", segment(q))
    }
}
