//! The checklists shipped with the app, embedded at build time so they work offline from the
//! first load.

use paicha_core::Checklist;
use std::sync::OnceLock;

const SHIPPED: &[(&str, &str)] = &[(
    "fireworks.toml",
    include_str!("../checklists/fireworks.toml"),
)];

/// All shipped checklists, parsed and validated once. The tests validate the same files, so a
/// broken file never ships.
pub fn catalog() -> &'static [Checklist] {
    static CATALOG: OnceLock<Vec<Checklist>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        SHIPPED
            .iter()
            .filter_map(|(file, text)| match Checklist::from_toml(file, text) {
                Ok(checklist) => Some(checklist),
                Err(e) => {
                    leptos::logging::error!("{e}");
                    None
                }
            })
            .collect()
    })
}

/// Content hashes of [`catalog`], in the same order (hashing serialises the whole checklist,
/// so it is done once).
fn hashes() -> &'static [String] {
    static HASHES: OnceLock<Vec<String>> = OnceLock::new();
    HASHES.get_or_init(|| catalog().iter().map(|c| c.content_hash().0).collect())
}

/// The exact checklist version an inspection was started with.
pub fn find(id: &str, content_hash: &str) -> Option<&'static Checklist> {
    catalog()
        .iter()
        .zip(hashes())
        .find(|(c, h)| c.id == id && *h == content_hash)
        .map(|(c, _)| c)
}
