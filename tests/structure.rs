//! The crate's shape: its top-level modules use only what `shared/src/lib.rs`'s map lets them,
//! and that map points one way (no circle of imports).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn shared_src() -> std::path::PathBuf {
    integration_tests::root().join("shared/src")
}

/// lib.rs's map: each module and the modules it may use.
fn the_map() -> BTreeMap<String, BTreeSet<String>> {
    let lib = std::fs::read_to_string(shared_src().join("lib.rs")).unwrap();
    let mut map = BTreeMap::new();
    for line in lib.lines().filter(|l| l.starts_with("//! | [`")) {
        let cells: Vec<&str> = line
            .trim_start_matches("//!")
            .split('|')
            .map(str::trim)
            .collect();
        let module = cells[1].trim_matches(|c| c == '[' || c == ']' || c == '`');
        let uses = cells[3]
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty() && *u != "—")
            .map(str::to_owned)
            .collect();
        map.insert(module.to_owned(), uses);
    }
    map
}

/// The top-level module a file belongs to.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(shared_src()).unwrap();
    let first = relative
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// The top-level modules each top-level module uses: [`file_graph`] with every module file
/// counted as its top-level module.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let top = |module: &str| module.split("::").next().unwrap().to_owned();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in file_graph() {
        let from = top(&from);
        let used: BTreeSet<String> = to.iter().map(|t| top(t)).filter(|t| *t != from).collect();
        edges.entry(from).or_default().extend(used);
    }
    edges
}

#[test]
fn every_module_uses_only_what_the_map_lets_it() {
    let map = the_map();
    let modules: BTreeSet<String> = std::fs::read_dir(shared_src())
        .unwrap()
        .flatten()
        .map(|e| module_of(&e.path()))
        .filter(|m| m != "lib")
        .collect();
    assert_eq!(
        map.keys().cloned().collect::<BTreeSet<_>>(),
        modules,
        "lib.rs's map names every module"
    );
    let mut wrong = Vec::new();
    for (from, to) in edges() {
        for used in to {
            if !map[&from].contains(&used) {
                wrong.push(format!(
                    "{from} uses {used}, which lib.rs's map does not let it"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_map_points_one_way() {
    // Each module may use only modules above it in the table: no circle can close.
    let lib = std::fs::read_to_string(shared_src().join("lib.rs")).unwrap();
    let order: Vec<String> = lib
        .lines()
        .filter(|l| l.starts_with("//! | [`"))
        .map(|l| l.split('`').nth(1).unwrap().to_owned())
        .collect();
    for (at, module) in order.iter().enumerate() {
        for used in &the_map()[module] {
            let above = order.iter().position(|m| m == used);
            assert!(
                above.is_some_and(|i| i < at),
                "{module} may use {used}, which is not above it in lib.rs's map"
            );
        }
    }
}

/// Every module file (`http::generate`, `generate::site_rules::table`, …) and the modules it
/// names by `crate::…` or `super::…` paths outside its tests.
fn file_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut sources = BTreeMap::new();
    let mut dirs = vec![shared_src()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".rs") || name == "tests.rs" || name == "lib.rs" {
                continue;
            }
            let relative = path.strip_prefix(shared_src()).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text
                .split("#[cfg(test)]\nmod tests")
                .next()
                .unwrap()
                .to_owned();
            sources.insert(parts.join("::"), code);
        }
    }
    let reference = regex::Regex::new(r"\b(crate|super)((?:::super)*)((?:::\w+)+)").unwrap();
    // `use super::{a, b::C}` names `super::a` and `super::b::C`.
    let group = regex::Regex::new(r"\b(crate|super)((?:::super)*)::\{([^}]*)\}").unwrap();
    let expand = |code: &str| -> String {
        group
            .replace_all(code, |c: &regex::Captures| {
                c[3].split(',')
                    .map(|item| format!("{}{}::{} ", &c[1], &c[2], item.trim()))
                    .collect::<String>()
            })
            .into_owned()
    };
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (module, code) in &sources {
        let mut used = BTreeSet::new();
        let code: String = code
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join(" ");
        let code = expand(&code);
        for found in reference.captures_iter(&code) {
            let mut base: Vec<&str> = if &found[1] == "crate" {
                Vec::new()
            } else {
                let mut here: Vec<&str> = module.split("::").collect();
                here.pop();
                here
            };
            for _ in 0..found[2].matches("super").count() {
                base.pop();
            }
            let mut target = None;
            for segment in found[3].trim_start_matches("::").split("::") {
                base.push(segment);
                let candidate = base.join("::");
                if modules.contains(&candidate) {
                    target = Some(candidate);
                }
            }
            let is_family = |t: &str| {
                t == module
                    || t.starts_with(&format!("{module}::"))
                    || module.starts_with(&format!("{t}::"))
            };
            if let Some(target) = target.filter(|t| !is_family(t)) {
                used.insert(target);
            }
        }
        graph.insert(module.clone(), used);
    }
    graph
}

#[test]
fn no_module_file_imports_in_a_circle() {
    let graph = file_graph();
    assert!(graph.contains_key("http::dispatch") && graph.contains_key("generate::site_rules"));
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = path.iter().position(|p| p == next).unwrap();
                    return Some([&path[start..], std::slice::from_ref(next)].concat());
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(next, graph, state, path) {
                        return Some(cycle);
                    }
                }
            }
        }
        path.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node)
            && let Some(cycle) = visit(node, &graph, &mut state, &mut Vec::new())
        {
            panic!("an import circle: {}", cycle.join(" -> "));
        }
    }
}
