//! The native runner.
//!
//! ```text
//! walscope run FILE|-            run a scenario and print its transcript
//! walscope link encode FILE|-    print the link fragment for a scenario
//! walscope link decode FRAGMENT  print a link's scenario as script text
//! ```

use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "usage: walscope run FILE|-\n       walscope link encode FILE|-\n       walscope link decode FRAGMENT";

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
