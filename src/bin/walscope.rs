//! The native runner.
//!
//! ```text
//! walscope run FILE|-            run a scenario and print its transcript
//! walscope link encode FILE|-    print the link fragment for a scenario
//! walscope link decode FRAGMENT  print a link's scenario as script text
//! walscope link lesson FILE|DIR   print the link that opens each step of a lesson:
//!                                 "ID STEP FRAGMENT" a line (steps count from 1)
//! walscope example [NAME]         list the example labs, or print one as a script
//! walscope lesson check FILE|DIR  run every step of a lesson (or of every lesson in DIR)
//!                                 and check each goal is unmet before its solution, met after
//! walscope lesson show FILE       print the transcript of a lesson's canonical run
//! ```

use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "usage: walscope run FILE|-
       walscope link encode FILE|-
       walscope link decode FRAGMENT
       walscope link lesson FILE|DIR
       walscope lesson check FILE|DIR
       walscope lesson show FILE
       walscope example [NAME]";

fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("walscope: cannot read standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("walscope: cannot read {path}: {e}"))
    }
}

fn lines(errors: &[walscope::lesson::LessonError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lesson files a path names: the file itself, or every `.md` in the directory
/// except its README.
fn lesson_files(path: &str) -> Result<Vec<String>, String> {
    let p = std::path::Path::new(path);
    if !p.is_dir() {
        return Ok(vec![path.to_string()]);
    }
    let mut files: Vec<String> = std::fs::read_dir(p)
        .map_err(|e| format!("walscope: cannot read {path}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| {
            f.extension().is_some_and(|x| x == "md")
                && f.file_name().is_some_and(|n| n != "README.md")
        })
        .map(|f| f.display().to_string())
        .collect();
    files.sort();
    Ok(files)
}

/// Checks each lesson; prints one line per lesson that passes, every problem of those
/// that do not, and fails if any does not.
fn lesson_check(path: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut problems = Vec::new();
    for file in lesson_files(path)? {
        let text = read_input(&file)?;
        match walscope::lesson::parse(&file, &text)
            .and_then(|l| {
                let traps: usize = l.steps.iter().map(|s| s.traps.len()).sum();
                walscope::lesson::check(&l).map(|goals| (l.steps.len(), goals, traps))
            }) {
            Ok((steps, goals, 0)) => {
                out.push_str(&format!("{file}: ok ({steps} steps, {goals} goals)\n"))
            }
            Ok((steps, goals, 1)) => out.push_str(&format!(
                "{file}: ok ({steps} steps, {goals} goals, 1 trap, sprung by its path and not by the solution)\n"
            )),
            Ok((steps, goals, traps)) => out.push_str(&format!(
                "{file}: ok ({steps} steps, {goals} goals, {traps} traps, each sprung by its path and not by the solution)\n"
            )),
            Err(errors) => problems.push(lines(&errors)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        print!("{out}");
        Err(problems.join("\n"))
    }
}

/// One line per step of each lesson: its id, the step's number and the link fragment that
/// opens it (a teacher's slides can carry these; the browser checks use them).
fn lesson_links(path: &str) -> Result<String, String> {
    let mut out = String::new();
    for file in lesson_files(path)? {
        let text = read_input(&file)?;
        let lesson = walscope::lesson::parse(&file, &text).map_err(|errors| lines(&errors))?;
        for step in 0..lesson.steps.len() {
            let scenario = walscope::share::Scenario::lesson_step(walscope::share::LessonRef {
                id: lesson.id.clone(),
                step: u16::try_from(step)
                    .map_err(|_| format!("walscope: {file}: too many steps"))?,
            });
            out.push_str(&format!(
                "{} {} #{}\n",
                lesson.id,
                step + 1,
                walscope::share::encode(&scenario)
            ));
        }
    }
    Ok(out)
}

/// The example labs' names, or one of them as a script to edit or run.
fn example(name: Option<&str>) -> Result<String, String> {
    use walscope::examples::{by_id, EXAMPLES, IDS};
    match name {
        None => Ok(IDS
            .iter()
            .zip(EXAMPLES.iter())
            .map(|(id, (title, _))| format!("{id:<16} {title}\n"))
            .collect()),
        Some(n) => by_id(n).map(str::to_string).ok_or_else(|| {
            format!("walscope: no example lab named {n} (walscope example lists them)")
        }),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["run", path] => read_input(path).and_then(|text| {
            walscope::script::run_script(&text).map_err(|e| format!("walscope: {path}: {e}"))
        }),
        ["link", "encode", path] => read_input(path).and_then(|text| {
            walscope::share::encode_script(&text).map_err(|e| format!("walscope: {e}"))
        }),
        ["link", "decode", fragment] => {
            walscope::share::decode_to_script(fragment).map_err(|e| format!("walscope: {e}"))
        }
        ["link", "lesson", path] => lesson_links(path),
        ["lesson", "check", path] => lesson_check(path),
        ["lesson", "show", path] => read_input(path).and_then(|text| {
            walscope::lesson::parse(path, &text)
                .map(|l| walscope::lesson::show(&l))
                .map_err(|errors| lines(&errors))
        }),
        ["example"] => example(None),
        ["example", name] => example(Some(name)),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
