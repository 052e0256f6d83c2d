//! The runner's cost in lines: 25,000, 50,000 and 100,000 `INSERT` lines, and one hour
//! of the first example lab (1,000 TPS, standby1 synchronous) with a commit cancelled
//! while the synchronous standby is cut off and then 3,600 `lab$ wait 1s` lines.
//! One statement over 25,000 to 100,000 lines, each with a `;` inside its open string.
//! Prints wall times; the cost should grow linearly with the lines.
//!
//! Run with `cargo bench --bench runner`.

use std::time::Instant;

use walscope::script::Runner;

fn inserts(n: usize) -> String {
    let mut s = String::from("primary=# CREATE TABLE t (a int);\n");
    for i in 0..n {
        s.push_str(&format!("primary=# INSERT INTO t VALUES ({i});\n"));
    }
    s
}

/// One statement over `n` lines, each with a `;` inside its open string.
fn open_string(n: usize) -> String {
    let mut s = String::from(
        "primary=# CREATE TABLE t (a text);\nprimary=# INSERT INTO t VALUES ('start;\n",
    );
    for i in 0..n {
        s.push_str(&format!("primary-# line {i}; more;\n"));
    }
    s.push_str("primary-# end');\n");
    s
}

fn sync_hour(waits: usize) -> String {
    let mut s = walscope::examples::EXAMPLES[0].1.to_string();
    s.push_str("lab$ partition primary standby1\nprimary=# INSERT INTO test VALUES (42);\nlab$ cancel primary\nlab$ heal primary standby1\n");
    for _ in 0..waits {
        s.push_str("lab$ wait 1s\n");
    }
    s
}

fn time(name: &str, script: &str) -> f64 {
    let mut r = Runner::new(0);
    let start = Instant::now();
    r.run_text(script).expect("the script parses");
    let wall = start.elapsed().as_secs_f64();
    println!(
        "runner: {name}: {wall:.3} s wall, {} events, virtual {}",
        r.cluster.processed,
        r.now()
    );
    wall
}

fn main() {
    for n in [25_000, 50_000, 100_000] {
        time(&format!("{n} INSERT lines"), &inserts(n));
    }
    for n in [25_000, 50_000, 100_000] {
        time(
            &format!("one statement over {n} lines, each with a ';' in its string"),
            &open_string(n),
        );
    }
    for n in [900, 1_800, 3_600] {
        time(
            &format!("sync 1,000 TPS, a cancel, {n} waits of 1s"),
            &sync_hour(n),
        );
    }
}
