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
/// vocabulary: ids, messages, scheduled events and log entries.
const SIM_LEAVES: [&str; 7] = ["lsn", "time", "rng", "datetime", "db", "wal", "event"];

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

#[test]
fn the_models_leaf_files_import_no_other_model_file() {
    let sim = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim");
    let mut wrong = Vec::new();
    for leaf in SIM_LEAVES {
        let path = sim.join(format!("{leaf}.rs"));
        let text = std::fs::read_to_string(&path).expect("leaf file exists");
        for (n, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with("//") {
                continue;
            }
            for prefix in ["super::", "crate::sim::"] {
                let mut rest = t;
                while let Some(i) = rest.find(prefix) {
                    rest = &rest[i + prefix.len()..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    // `super::*` in a unit test module is the file itself.
                    if !name.is_empty() && !SIM_LEAVES.contains(&name.as_str()) {
                        wrong.push(format!(
                            "src/sim/{leaf}.rs:{}: imports {prefix}{name}",
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
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
