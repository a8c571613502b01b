//! The app's layers (issue 15). Every module of the app is in the layer its top-level module
//! names; the crate root (`lib.rs`, `main.rs`) stands above them all and may import any. A
//! module may import its own layer and the layers below it, never one above it nor the root.

use std::collections::BTreeSet;

use super::graph::{Crate, ModulePath};

/// Top to bottom.
const LAYERS: [&str; 5] = ["screens", "widgets", "services", "model", "platform"];

/// Where a module stands.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Root,
    /// An index into [`LAYERS`]: the greater, the lower.
    Layer(usize),
    Outside,
}

fn place(module: &ModulePath) -> Place {
    match module.first() {
        None => Place::Root,
        Some(top) => LAYERS
            .iter()
            .position(|layer| layer == top)
            .map_or(Place::Outside, Place::Layer),
    }
}

/// One line a problem: each top-level module outside the layers, then each import of a layer
/// above the importing module's (one line per pair of files, naming the first such path).
pub fn layer_violations(krate: &Crate, src: &str) -> Vec<String> {
    let mut problems = outside_the_layers(krate, src);
    let mut reported = BTreeSet::new();
    for import in &krate.imports {
        let Place::Layer(from) = place(&import.from) else {
            continue;
        };
        let target = match place(&import.to) {
            Place::Root => "the crate root",
            Place::Layer(to) if to < from => LAYERS[to],
            _ => continue,
        };
        if reported.insert((&import.from, &import.to)) {
            problems.push(format!(
                "{} imports {} ({} may not import {target})",
                krate.files[&import.from], import.written, LAYERS[from]
            ));
        }
    }
    problems
}

/// The top-level modules of the app that are in no layer, each named by its file (or, with
/// no file of its own, its folder).
fn outside_the_layers(krate: &Crate, src: &str) -> Vec<String> {
    let tops: BTreeSet<&String> = krate
        .files
        .keys()
        .filter(|m| place(m) == Place::Outside)
        .filter_map(|m| m.first())
        .collect();
    tops.into_iter()
        .map(|top| {
            let named = krate
                .files
                .get(&vec![top.clone()])
                .cloned()
                .unwrap_or_else(|| format!("{src}/{top}/"));
            format!(
                "{named} is outside the layers: place it in a layer ({})",
                LAYERS.join(", ")
            )
        })
        .collect()
}
