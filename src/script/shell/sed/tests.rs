//! The lab's sed against GNU sed 4.9: every expected output below is what `sed SCRIPT`
//! printed for the input on a real system.

use super::*;

/// (input, script, GNU sed's output).
const GNU: &[(&str, &str, &str)] = &[
    // A lone backslash as the text: an empty line.
    ("a\nb\nc\n", "2c\\\\", "a\n\nc\n"),
    ("a\nb\nc\n", "2i\\\\", "a\n\nb\nc\n"),
    ("a\nb\nc\n", "2a\\\\", "a\nb\n\nc\n"),
    ("a\nb\nc\n", "2d", "a\nc\n"),
    ("a\nb\nc\n", "2,3d", "a\n"),
    ("a\nb\nc\n", "1,$d", ""),
    ("a\nb\nc\n", "3,1d", "a\nb\n"),
    ("a\nb\nc\n", "5d", "a\nb\nc\n"),
    ("a\nb\nc\n", "$d", "a\nb\n"),
    ("a\nb\nc\n", "2c\\foo", "a\nfoo\nc\n"),
    ("a\nb\nc\n", "2c\\  two spaces", "a\n  two spaces\nc\n"),
    ("a\nb\nc\n", "2c foo", "a\nfoo\nc\n"),
    ("a\nb\nc\n", "2c\\", "a\nc\n"),
    ("a\nb\nc\n", "2c\\a\\tb", "a\na\tb\nc\n"),
    ("a\nb\nc\n", "2c\\\\a", "a\n\u{7}\nc\n"),
    (
        "a\nb\nc\n",
        "2c\\x\\x41\\d066\\o103\\cAy\\zy",
        "a\nxABC\u{1}yzy\nc\n",
    ),
    ("a\nb\nc\n", "2c\\a\\\\", "a\na\\\nc\n"),
    ("a\nb\nc\n", "$c\\last", "a\nb\nlast\n"),
    ("a\nb\nc\n", "2,5c\\Z", "a\n"),
    ("a\nb\nc\n", "1,2c\\X", "X\nc\n"),
    ("a\nb\nc\n", "1i\\new", "new\na\nb\nc\n"),
    ("a\nb\nc\n", "2i\\new", "a\nnew\nb\nc\n"),
    ("a\nb\nc\n", "$a\\end", "a\nb\nc\nend\n"),
    ("a\nb\nc\n", "2a\\x", "a\nb\nx\nc\n"),
    ("a\nb\nc\n", "1a\\", "a\nb\nc\n"),
    ("a\nb\nc\n", "2c\\it's", "a\nit's\nc\n"),
    ("a\nb", "2d", "a\n"),
    ("a\nb", "2,3d", "a\n"),
    ("a\nb", "1,$d", ""),
    ("a\nb", "3,1d", "a\nb"),
    ("a\nb", "5d", "a\nb"),
    ("a\nb", "$d", "a\n"),
    ("a\nb", "2c\\foo", "a\nfoo\n"),
    ("a\nb", "2c\\  two spaces", "a\n  two spaces\n"),
    ("a\nb", "2c foo", "a\nfoo\n"),
    ("a\nb", "2c\\", "a\n"),
    ("a\nb", "2c\\a\\tb", "a\na\tb\n"),
    ("a\nb", "2c\\\\a", "a\n\u{7}\n"),
    (
        "a\nb",
        "2c\\x\\x41\\d066\\o103\\cAy\\zy",
        "a\nxABC\u{1}yzy\n",
    ),
    ("a\nb", "2c\\a\\\\", "a\na\\\n"),
    ("a\nb", "$c\\last", "a\nlast\n"),
    ("a\nb", "2,5c\\Z", "a\n"),
    ("a\nb", "1,2c\\X", "X\n"),
    ("a\nb", "1i\\new", "new\na\nb"),
    ("a\nb", "2i\\new", "a\nnew\nb"),
    ("a\nb", "$a\\end", "a\nb\nend\n"),
    ("a\nb", "2a\\x", "a\nb\nx\n"),
    ("a\nb", "1a\\", "a\nb"),
    ("a\nb", "2c\\it's", "a\nit's\n"),
    ("", "2d", ""),
    ("", "2,3d", ""),
    ("", "1,$d", ""),
    ("", "3,1d", ""),
    ("", "5d", ""),
    ("", "$d", ""),
    ("", "2c\\foo", ""),
    ("", "2c\\  two spaces", ""),
    ("", "2c foo", ""),
    ("", "2c\\", ""),
    ("", "2c\\a\\tb", ""),
    ("", "2c\\\\a", ""),
    ("", "2c\\x\\x41\\d066\\o103\\cAy\\zy", ""),
    ("", "2c\\a\\\\", ""),
    ("", "$c\\last", ""),
    ("", "2,5c\\Z", ""),
    ("", "1,2c\\X", ""),
    ("", "1i\\new", ""),
    ("", "2i\\new", ""),
    ("", "$a\\end", ""),
    ("", "2a\\x", ""),
    ("", "1a\\", ""),
    ("", "2c\\it's", ""),
    ("host all all trust\n\\x\n", "2d", "host all all trust\n"),
    ("host all all trust\n\\x\n", "2,3d", "host all all trust\n"),
    ("host all all trust\n\\x\n", "1,$d", ""),
    (
        "host all all trust\n\\x\n",
        "3,1d",
        "host all all trust\n\\x\n",
    ),
    (
        "host all all trust\n\\x\n",
        "5d",
        "host all all trust\n\\x\n",
    ),
    ("host all all trust\n\\x\n", "$d", "host all all trust\n"),
    (
        "host all all trust\n\\x\n",
        "2c\\foo",
        "host all all trust\nfoo\n",
    ),
    (
        "host all all trust\n\\x\n",
        "2c\\  two spaces",
        "host all all trust\n  two spaces\n",
    ),
    (
        "host all all trust\n\\x\n",
        "2c foo",
        "host all all trust\nfoo\n",
    ),
    ("host all all trust\n\\x\n", "2c\\", "host all all trust\n"),
    (
        "host all all trust\n\\x\n",
        "2c\\a\\tb",
        "host all all trust\na\tb\n",
    ),
    (
        "host all all trust\n\\x\n",
        "2c\\\\a",
        "host all all trust\n\u{7}\n",
    ),
    (
        "host all all trust\n\\x\n",
        "2c\\x\\x41\\d066\\o103\\cAy\\zy",
        "host all all trust\nxABC\u{1}yzy\n",
    ),
    (
        "host all all trust\n\\x\n",
        "2c\\a\\\\",
        "host all all trust\na\\\n",
    ),
    (
        "host all all trust\n\\x\n",
        "$c\\last",
        "host all all trust\nlast\n",
    ),
    (
        "host all all trust\n\\x\n",
        "2,5c\\Z",
        "host all all trust\n",
    ),
    ("host all all trust\n\\x\n", "1,2c\\X", "X\n"),
    (
        "host all all trust\n\\x\n",
        "1i\\new",
        "new\nhost all all trust\n\\x\n",
    ),
    (
        "host all all trust\n\\x\n",
        "2i\\new",
        "host all all trust\nnew\n\\x\n",
    ),
    (
        "host all all trust\n\\x\n",
        "$a\\end",
        "host all all trust\n\\x\nend\n",
    ),
    (
        "host all all trust\n\\x\n",
        "2a\\x",
        "host all all trust\n\\x\nx\n",
    ),
    (
        "host all all trust\n\\x\n",
        "1a\\",
        "host all all trust\n\\x\n",
    ),
    (
        "host all all trust\n\\x\n",
        "2c\\it's",
        "host all all trust\nit's\n",
    ),
];

#[test]
fn line_scripts_print_what_gnu_sed_prints() {
    for (input, script, expected) in GNU {
        let parsed = parse(script).unwrap_or_else(|e| panic!("{script}: {e}"));
        assert_eq!(
            apply(&parsed, input),
            *expected,
            "sed '{script}' on {input:?}"
        );
    }
}

#[test]
fn errors_read_like_gnu_sed() {
    assert_eq!(
        parse("2c").unwrap_err(),
        "sed: -e expression #1, char 2: expected \\ after `a', `c' or `i'\n"
    );
    assert_eq!(
        parse("0d").unwrap_err(),
        "sed: -e expression #1, char 2: invalid usage of line address 0\n"
    );
    assert!(parse("s/a/b/")
        .unwrap_err()
        .contains("only line-number scripts"));
    assert!(parse("2c\\a\\")
        .unwrap_err()
        .contains("ends in a lone backslash"));
}

#[test]
fn in_place_edits_the_file_and_prints_nothing() {
    let mut c = Cluster::new(1);
    let h = c.host_id("primary").unwrap();
    let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let before = c.host(h).files[&resolve_path("pg_hba.conf")].clone();
    let n = before.lines().count();
    let out = sed(
        &mut c,
        h,
        &args(&[
            "-i",
            &format!("{n}c\\host all all 0.0.0.0/0 md5"),
            "pg_hba.conf",
        ]),
    );
    assert_eq!(out, "");
    let after = &c.host(h).files[&resolve_path("pg_hba.conf")];
    assert_eq!(after.lines().last(), Some("host all all 0.0.0.0/0 md5"));
    assert_eq!(after.lines().count(), n);
    assert_eq!(
        sed(&mut c, h, &args(&["-i", "1d", "nosuch.conf"])),
        "sed: can't read nosuch.conf: No such file or directory\n"
    );
    assert_eq!(
        sed(&mut c, h, &args(&["-i", "1d"])),
        "sed: no input files\n"
    );
}
