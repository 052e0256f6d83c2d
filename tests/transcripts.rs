//! The recorded transcripts of every test scenario and example lab.
//!
//! A structural move (a file split, a module moved) must not change what walscope
//! prints, so these transcripts change only in commits that change behaviour on
//! purpose. To record them again after such a change:
//!
//! ```text
//! WALSCOPE_RECORD=1 cargo test --test transcripts
//! ```
//!
//! and read the diff before committing it.

use std::path::{Path, PathBuf};

use walscope::examples::EXAMPLES;
use walscope::script::run_script;

/// Every scenario whose transcript is recorded: (name, script).
fn scenarios() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scenarios exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "walscope"))
        .collect();
    files.sort();
    for f in files {
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        out.push((
            name,
            std::fs::read_to_string(&f).expect("readable scenario"),
        ));
    }
    for (i, (_, script)) in EXAMPLES.iter().enumerate() {
        out.push((format!("example-{}", i + 1), script.to_string()));
    }
    out
}

#[test]
fn transcripts_are_byte_identical_to_the_recorded_ones() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let record = std::env::var_os("WALSCOPE_RECORD").is_some();
    let mut differ = Vec::new();
    for (name, script) in scenarios() {
        let got = run_script(&script).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        let path = dir.join(format!("{name}.txt"));
        if record {
            std::fs::write(&path, &got).expect("transcript written");
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("no recorded transcript {}", path.display()));
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .map_or(got.lines().count().min(want.lines().count()), |i| i);
            differ.push(format!(
                "{name}: first difference at line {}:\n  recorded: {:?}\n  now:      {:?}",
                line + 1,
                want.lines().nth(line).unwrap_or("<end>"),
                got.lines().nth(line).unwrap_or("<end>")
            ));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
