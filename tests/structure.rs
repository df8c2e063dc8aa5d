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

/// Every `crate::<module>` a file names outside its tests, as top-level edges.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let path_use = regex::Regex::new(r"crate::(\w+)").unwrap();
    let group_use = regex::Regex::new(r"use crate::\{([^}]*)\}").unwrap();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![shared_src()];
    while let Some(dir) = files.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("lib.rs") {
                continue;
            }
            if path.file_name().is_some_and(|n| n == "tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            let code: String = code
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let from = module_of(&path);
            let mut to: BTreeSet<String> = path_use
                .captures_iter(&code)
                .map(|c| c[1].to_owned())
                .collect();
            for group in group_use.captures_iter(&code) {
                to.extend(
                    group[1]
                        .split(',')
                        .map(|item| item.trim().split("::").next().unwrap_or("").to_owned())
                        .filter(|m| !m.is_empty()),
                );
            }
            to.remove(&from);
            to.retain(|m| m != "Config");
            edges.entry(from).or_default().extend(to);
        }
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
