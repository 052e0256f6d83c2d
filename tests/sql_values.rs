//! Values a class computes with, against psql 15.18 on a real server
//! (`psql -X -c "..."` with the same statements).

use walscope::script::run_script;

#[test]
fn an_lsn_moves_by_a_number_of_bytes() {
    let out = run_script(
        "primary=# SELECT '0/3000000'::pg_lsn + 16, 16 + '0/3000000'::pg_lsn, '0/3000000'::pg_lsn - 16;
primary=# SELECT '0/10'::pg_lsn + 1.5, '0/10'::pg_lsn + 1.4;
primary=# SELECT '0/10'::pg_lsn - 32;
primary=# SELECT 'FFFFFFFF/FFFFFFFF'::pg_lsn + 1;
",
    )
    .unwrap();
    assert!(
        out.contains(" 0/3000010 | 0/3000010 | 0/2FFFFF0\n"),
        "{out}"
    );
    assert!(out.contains(" 0/12     | 0/11\n"), "{out}");
    assert!(
        out.contains("- 32;\nERROR:  pg_lsn out of range\n"),
        "{out}"
    );
    assert!(out.contains("+ 1;\nERROR:  pg_lsn out of range\n"), "{out}");
}

#[test]
fn a_boolean_cast_to_text_is_spelled_out() {
    // SELECT pg_is_in_recovery()::text, true::text; gives false | true.
    let out = run_script("primary=# SELECT pg_is_in_recovery()::text, true::text;\n").unwrap();
    assert!(out.contains(" false             | true\n"), "{out}");
}
