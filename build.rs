//! Compiles every lesson in `lessons/` into the app: writes the list of
//! `(file name, text)` pairs that `lesson::BUILTIN` includes, so a lesson added to the
//! folder needs no code change.

use std::io::Write;

fn main() {
    println!("cargo:rerun-if-changed=lessons");
    let dir = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("lessons");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "md")
                        && p.file_name().is_some_and(|n| n != "README.md")
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("lessons.rs");
    let mut f = std::fs::File::create(out).unwrap();
    writeln!(f, "&[").unwrap();
    for p in files {
        println!("cargo:rerun-if-changed={}", p.display());
        let name = p.file_name().unwrap().to_string_lossy();
        writeln!(
            f,
            "    ({:?}, include_str!({:?})),",
            format!("lessons/{name}"),
            p.display().to_string()
        )
        .unwrap();
    }
    writeln!(f, "]").unwrap();
}
