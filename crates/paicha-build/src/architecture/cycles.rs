//! Import cycles: sets of modules each of which imports, directly or through the others,
//! every other one (the strongly connected components of the import graph with more than one
//! module).

use std::collections::{BTreeMap, BTreeSet};

use super::graph::{Crate, ModulePath};

/// One line of text a cycle, naming its files, followed by the imports that close it.
pub fn cycle_reports(krate: &Crate) -> Vec<String> {
    let mut edges: BTreeMap<&ModulePath, BTreeMap<&ModulePath, &str>> = BTreeMap::new();
    for import in &krate.imports {
        edges
            .entry(&import.from)
            .or_default()
            .entry(&import.to)
            .or_insert(&import.written);
    }
    let graph: BTreeMap<&ModulePath, BTreeSet<&ModulePath>> = edges
        .iter()
        .map(|(from, tos)| (*from, tos.keys().copied().collect()))
        .collect();
    let file = |m: &ModulePath| krate.files[m].as_str();
    strongly_connected(&graph)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| {
            let members: BTreeSet<&ModulePath> = component.iter().copied().collect();
            let mut files: Vec<&str> = component.iter().map(|m| file(m)).collect();
            files.sort();
            let mut lines = vec![format!("import cycle: {}", files.join(", "))];
            for from in &members {
                for (to, written) in &edges[from] {
                    if members.contains(to) {
                        lines.push(format!("    {} imports {written}", file(from)));
                    }
                }
            }
            lines.join("\n")
        })
        .collect()
}

/// Tarjan's algorithm: the strongly connected components of `graph`, each listed once.
fn strongly_connected<'a>(
    graph: &BTreeMap<&'a ModulePath, BTreeSet<&'a ModulePath>>,
) -> Vec<Vec<&'a ModulePath>> {
    struct Search<'g, 'a> {
        graph: &'g BTreeMap<&'a ModulePath, BTreeSet<&'a ModulePath>>,
        index: BTreeMap<&'a ModulePath, usize>,
        low: BTreeMap<&'a ModulePath, usize>,
        stack: Vec<&'a ModulePath>,
        on_stack: BTreeSet<&'a ModulePath>,
        components: Vec<Vec<&'a ModulePath>>,
    }
    impl<'a> Search<'_, 'a> {
        fn visit(&mut self, v: &'a ModulePath) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for &w in self.graph.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    self.low.insert(v, self.low[v].min(self.low[w]));
                } else if self.on_stack.contains(w) {
                    self.low.insert(v, self.low[v].min(self.index[w]));
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                self.components.push(component);
            }
        }
    }
    let mut search = Search {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for &v in graph.keys() {
        if !search.index.contains_key(v) {
            search.visit(v);
        }
    }
    search.components
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_the_mutually_reachable_sets() {
        let m = |name: &str| vec![name.to_string()];
        let (a, b, c, d, e) = (m("a"), m("b"), m("c"), m("d"), m("e"));
        // a → b → c → a is a cycle; c → d and d → e lead out of it and back to nothing.
        let graph: BTreeMap<&ModulePath, BTreeSet<&ModulePath>> = [
            (&a, vec![&b]),
            (&b, vec![&c]),
            (&c, vec![&a, &d]),
            (&d, vec![&e]),
        ]
        .into_iter()
        .map(|(from, to)| (from, to.into_iter().collect()))
        .collect();
        let mut components: Vec<Vec<&ModulePath>> = strongly_connected(&graph)
            .into_iter()
            .map(|mut c| {
                c.sort();
                c
            })
            .collect();
        components.sort();
        assert_eq!(components, [vec![&a, &b, &c], vec![&d], vec![&e]]);
    }
}
