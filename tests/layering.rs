//! The direction of every arrow: a module imports only from its own layer and the
//! layers below it (see ARCHITECTURE.md beside the project):
//!
//! ```text
//! sim  <-  sql  <-  script  <-  share  <-  timeline  <-  lesson  <-  ui
//! ```
//!
//! This test reads the sources, so an import that points up fails `cargo test`.

use std::path::{Path, PathBuf};

/// The layers from the bottom up. `examples` is script text, beside the script layer.
const LAYERS: [&[&str]; 7] = [
    &["sim"],
    &["sql"],
    &["script", "examples"],
    &["share"],
    &["timeline"],
    &["lesson"],
    &["ui"],
];

/// Model files every other model file builds on: they import no other model file
/// except one another (in particular never the cluster). `event` is the model's
/// vocabulary: ids, messages, scheduled events and log entries; `host` and `proc` are the
/// data of a host and of its processes; `conf`, `settings`, `hba` and `conninfo` read
/// configuration text; `os` is a RHEL host's system state (packages, units, firewall);
/// `queue` orders the scheduled events; `perm` holds the owners and modes of a host's files.
const SIM_LEAVES: [&str; 21] = [
    "acked", "lsn", "time", "rng", "datetime", "db", "wal", "event", "host", "proc", "conf",
    "settings", "hba", "conninfo", "client", "os", "queue", "perm", "sequence", "order", "map",
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable") {
        let p = e.expect("readable entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The layer a source file belongs to: its first directory under src/, or its stem.
fn layer_of(rel: &Path) -> Option<&str> {
    let first = rel.components().next()?.as_os_str().to_str()?;
    rank(first.trim_end_matches(".rs")).map(|_| first.trim_end_matches(".rs"))
}

/// The top-level modules a file names with `crate::NAME`.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((n + 1, name));
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src");
        let Some(layer) = layer_of(rel) else {
            continue; // lib.rs, main.rs and bin/ sit above everything
        };
        if layer == "sim" {
            // The model is a crate of its own (src/sim/Cargo.toml): its `crate::` is the
            // model, and the compiler keeps it from importing any layer above.
            continue;
        }
        let text = std::fs::read_to_string(f).expect("readable source");
        for (line, name) in crate_paths(&text) {
            match rank(&name) {
                Some(r) if r > rank(layer).unwrap() => wrong.push(format!(
                    "src/{}:{line}: {layer} imports crate::{name}, a layer above it",
                    rel.display()
                )),
                Some(_) => {}
                None => wrong.push(format!(
                    "src/{}:{line}: crate::{name} is in no layer (add it to LAYERS)",
                    rel.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The model's modules: each `src/sim/NAME.rs` and each directory `src/sim/NAME/`.
fn sim_modules(sim: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(sim).expect("src/sim is readable") {
        let p = e.expect("readable entry").path();
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if (p.is_dir() || p.extension().is_some_and(|x| x == "rs")) && stem != "mod" {
            out.push(stem.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The source files of model module `name`: `NAME.rs` and everything under `NAME/`,
/// each with how many directories deep below src/sim it sits.
fn module_files(sim: &Path, name: &str) -> Vec<(PathBuf, usize)> {
    let mut out = Vec::new();
    let file = sim.join(format!("{name}.rs"));
    if file.exists() {
        out.push((file, 0));
    }
    let dir = sim.join(name);
    if dir.is_dir() {
        let mut files = Vec::new();
        rust_files(&dir, &mut files);
        for f in files {
            let depth = f
                .strip_prefix(sim)
                .expect("under src/sim")
                .components()
                .count()
                - 1;
            out.push((f, depth));
        }
    }
    out.sort();
    out
}

/// The model modules a source file imports, with the line of each import: the first
/// name after `crate::` (the model's own crate) or after the `super::` that reaches src/sim from a file
/// `depth` directories below it, including each name of a `super::{a, b::c}` group.
/// Comment lines are skipped; names that are no module (`PGDATA`, `*`) are dropped.
fn sim_imports(text: &str, depth: usize, modules: &[String]) -> Vec<(usize, String)> {
    let code: String = text
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("//") {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let to_sim = "super::".repeat(depth + 1);
    let mut out = Vec::new();
    for prefix in [to_sim.as_str(), "crate::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(prefix) {
            let start = from + i;
            from = start + prefix.len();
            // `super::super::x` seen from a shallower file is not an import of `super`.
            if prefix.starts_with("super::") && code[..start].ends_with("super::") {
                continue;
            }
            let line = code[..start].matches('\n').count() + 1;
            let rest = &code[from..];
            let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                let mut level = 0;
                let end = group
                    .find(|c| {
                        match c {
                            '{' => level += 1,
                            '}' if level == 0 => return true,
                            '}' => level -= 1,
                            _ => {}
                        }
                        false
                    })
                    .unwrap_or(group.len());
                let mut items = Vec::new();
                let (mut level, mut item_start) = (0, 0);
                for (j, c) in group[..end].char_indices() {
                    match c {
                        '{' => level += 1,
                        '}' => level -= 1,
                        ',' if level == 0 => {
                            items.push(group[item_start..j].trim());
                            item_start = j + 1;
                        }
                        _ => {}
                    }
                }
                items.push(group[item_start..end].trim());
                items
            } else {
                vec![rest]
            };
            for item in names {
                let name: String = item
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if modules.contains(&name) {
                    out.push((line, name));
                }
            }
        }
    }
    out
}

#[test]
fn the_models_leaf_files_import_no_other_model_file() {
    let sim = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim");
    let modules = sim_modules(&sim);
    let mut wrong = Vec::new();
    for leaf in SIM_LEAVES {
        let files = module_files(&sim, leaf);
        assert!(!files.is_empty(), "leaf module {leaf} exists");
        for (path, depth) in files {
            let text = std::fs::read_to_string(&path).expect("readable source");
            for (line, name) in sim_imports(&text, depth, &modules) {
                if name != leaf && !SIM_LEAVES.contains(&name.as_str()) {
                    wrong.push(format!(
                        "{}:{line}: imports sim::{name}",
                        path.strip_prefix(&sim).expect("under src/sim").display()
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The model's import graph has no circle: behaviour lives in `impl Cluster` blocks of
/// the process files, so the cluster calls them as methods without importing them, and
/// data types sit in leaf files every process file may import.
#[test]
fn the_models_imports_form_no_circle() {
    let sim = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim");
    let modules = sim_modules(&sim);
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); modules.len()];
    for (from, name) in modules.iter().enumerate() {
        for (path, depth) in module_files(&sim, name) {
            let text = std::fs::read_to_string(&path).expect("readable source");
            for (_, to) in sim_imports(&text, depth, &modules) {
                let to = modules.iter().position(|m| *m == to).expect("a module");
                if to != from && !edges[from].contains(&to) {
                    edges[from].push(to);
                }
            }
        }
    }
    // Depth-first search; a back edge to a module still on the stack closes a circle.
    fn visit(
        m: usize,
        edges: &[Vec<usize>],
        state: &mut [u8],
        stack: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[m] = 1;
        stack.push(m);
        for &n in &edges[m] {
            if state[n] == 1 {
                let at = stack.iter().position(|&s| s == n).expect("on the stack");
                let mut circle = stack[at..].to_vec();
                circle.push(n);
                return Some(circle);
            }
            if state[n] == 0 {
                if let Some(c) = visit(n, edges, state, stack) {
                    return Some(c);
                }
            }
        }
        stack.pop();
        state[m] = 2;
        None
    }
    let mut state = vec![0u8; modules.len()];
    for m in 0..modules.len() {
        if state[m] == 0 {
            if let Some(circle) = visit(m, &edges, &mut state, &mut Vec::new()) {
                let names: Vec<&str> = circle.iter().map(|&i| modules[i].as_str()).collect();
                panic!("the model's imports go round: {}", names.join(" -> "));
            }
        }
    }
}

#[test]
fn import_scanner_reads_groups_and_nested_files() {
    let modules: Vec<String> = ["cluster", "event", "lsn"].map(String::from).to_vec();
    let text = "use super::{\n    cluster::Cluster,\n    event::{HostId, Message},\n    PGDATA,\n};\n// use super::lsn;\nfn f() -> crate::lsn::Lsn { todo!() }\n";
    assert_eq!(
        sim_imports(text, 0, &modules),
        vec![
            (1, "cluster".to_string()),
            (1, "event".to_string()),
            (7, "lsn".to_string())
        ]
    );
    // In src/sim/cluster/tests.rs, `super::` is the cluster itself.
    assert_eq!(
        sim_imports(
            "use super::*;\nuse super::super::event::HostId;\n",
            1,
            &modules
        ),
        vec![(2, "event".to_string())]
    );
}

/// The shared state that runs commands does not save them: the autosave is an effect in
/// `ui/persist.rs` that watches the lab, so `ui/handle.rs` never names `persist`.
#[test]
fn the_ui_handle_does_not_import_persist() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui/handle.rs");
    let text = std::fs::read_to_string(&path).expect("src/ui/handle.rs exists");
    let wrong: Vec<String> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//") && l.contains("persist"))
        .map(|(n, l)| format!("src/ui/handle.rs:{}: {}", n + 1, l.trim()))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
