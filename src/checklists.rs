//! The checklists shipped with the app, embedded at build time so they work offline from the
//! first load.

use paicha_core::Checklist;
use std::sync::OnceLock;

const SHIPPED: &[(&str, &str)] = &[
    (
        "fireworks.toml",
        include_str!("../checklists/fireworks.toml"),
    ),
    (
        "fireworks-retail.toml",
        include_str!("../checklists/fireworks-retail.toml"),
    ),
    (
        "hazardous-chemicals.toml",
        include_str!("../checklists/hazardous-chemicals.toml"),
    ),
    (
        "coal-mine.toml",
        include_str!("../checklists/coal-mine.toml"),
    ),
    (
        "metal-mine-underground.toml",
        include_str!("../checklists/metal-mine-underground.toml"),
    ),
    (
        "metal-mine-open-pit.toml",
        include_str!("../checklists/metal-mine-open-pit.toml"),
    ),
    (
        "tailings-pond.toml",
        include_str!("../checklists/tailings-pond.toml"),
    ),
    (
        "tourism-scenic-area.toml",
        include_str!("../checklists/tourism-scenic-area.toml"),
    ),
    (
        "tourism-cableway.toml",
        include_str!("../checklists/tourism-cableway.toml"),
    ),
    (
        "tourism-amusement-rides.toml",
        include_str!("../checklists/tourism-amusement-rides.toml"),
    ),
    (
        "tourism-glass-walkway.toml",
        include_str!("../checklists/tourism-glass-walkway.toml"),
    ),
    (
        "crowded-venues.toml",
        include_str!("../checklists/crowded-venues.toml"),
    ),
    (
        "road-transport.toml",
        include_str!("../checklists/road-transport.toml"),
    ),
    (
        "construction.toml",
        include_str!("../checklists/construction.toml"),
    ),
    ("city-gas.toml", include_str!("../checklists/city-gas.toml")),
    (
        "forest-fire.toml",
        include_str!("../checklists/forest-fire.toml"),
    ),
    (
        "industry-trade.toml",
        include_str!("../checklists/industry-trade.toml"),
    ),
];

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
