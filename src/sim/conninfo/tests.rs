//! Each error text below was printed by PostgreSQL 15's psql (Debian 15) given the same
//! string, e.g. `psql -X -A -t -c 'select 1' 'host=127.0.0.1 port=55432 user'`.

use super::*;

fn err(text: &str) -> String {
    ConnInfo::parse(text).unwrap_err()
}

#[test]
fn reads_quoted_and_plain_values() {
    let m = parse("host=primary port=5432 user=replicator password='a b\\'c' application_name=s1")
        .unwrap();
    assert_eq!(m.get("host").unwrap(), "primary");
    assert_eq!(m.get("password").unwrap(), "a b'c");
    assert_eq!(m.get("application_name").unwrap(), "s1");
    // Blanks around '=', an escaped blank in a plain value, the last repeat wins.
    let m = parse("host = a  port = '5433' application_name=a\\ b host=b").unwrap();
    assert_eq!(
        (
            m.get("host").unwrap().as_str(),
            m.get("port").unwrap().as_str(),
            m.get("application_name").unwrap().as_str()
        ),
        ("b", "5433", "a b")
    );
    assert_eq!(
        parse("host").unwrap_err(),
        "missing \"=\" after \"host\" in connection info string"
    );
    assert_eq!(
        err("host=127.0.0.1 port=55432 user"),
        "missing \"=\" after \"user\" in connection info string"
    );
    assert_eq!(err("hots=x"), "invalid connection option \"hots\"");
    assert_eq!(
        err("host='127.0.0.1 port=55432"),
        "unterminated quoted string in connection info string"
    );
}

#[test]
fn host_lists_take_one_port_or_one_per_host() {
    let c = ConnInfo::parse("host=a,b,c port=5433").unwrap();
    assert_eq!(c.hosts.len(), 3);
    assert!(c.hosts.iter().all(|h| h.port == "5433"));
    let c = ConnInfo::parse("host=a,b port=1,2 target_session_attrs=read-write").unwrap();
    assert_eq!(
        c.hosts,
        vec![
            HostSpec {
                host: "a".into(),
                port: "1".into()
            },
            HostSpec {
                host: "b".into(),
                port: "2".into()
            }
        ]
    );
    assert_eq!(c.target, TargetSessionAttrs::ReadWrite);
    // No host: the local socket.
    assert_eq!(ConnInfo::parse("").unwrap().hosts[0].host, "");
    assert_eq!(
        err("host=127.0.0.1,127.0.0.1 port=55432,55433,55434"),
        "could not match 3 port numbers to 2 hosts"
    );
    assert_eq!(
        err("host=127.0.0.1 port=55432,55433 target_session_attrs=standby"),
        "could not match 2 port numbers to 1 hosts"
    );
    assert_eq!(
        err("port=55432,55433"),
        "could not match 2 port numbers to 1 hosts"
    );
    assert_eq!(
        err("host=127.0.0.1 port=55432 target_session_attrs=bogus"),
        "invalid target_session_attrs value: \"bogus\""
    );
    assert_eq!(
        err("host=127.0.0.1 port=55432 target_session_attrs="),
        "invalid target_session_attrs value: \"\""
    );
}

#[test]
fn ports_and_timeouts_are_read_when_libpq_reads_them() {
    let c = ConnInfo::parse("host=a,b port=x,99999").unwrap();
    assert_eq!(
        c.hosts[0].port_number(),
        Err("invalid integer value \"x\" for connection option \"port\"".into())
    );
    assert_eq!(
        c.hosts[1].port_number(),
        Ok(Err("invalid port number: \"99999\"".into()))
    );
    let t = |s: &str| ConnInfo::parse(s).unwrap().connect_timeout();
    assert_eq!(t("connect_timeout=1"), Ok(Some(2)));
    assert_eq!(t("connect_timeout=10"), Ok(Some(10)));
    assert_eq!(t("connect_timeout=-5"), Ok(None));
    assert_eq!(t("host=a"), Ok(None));
    assert_eq!(
        t("connect_timeout=x"),
        Err("invalid integer value \"x\" for connection option \"connect_timeout\"".into())
    );
}

#[test]
fn uris_read_as_libpq_reads_them() {
    let c = ConnInfo::parse(
        "postgresql://127.0.0.1:55433,127.0.0.1:55432/postgres?target_session_attrs=read-write",
    )
    .unwrap();
    assert_eq!(c.hosts.len(), 2);
    assert_eq!(
        (c.hosts[0].port.as_str(), c.hosts[1].port.as_str()),
        ("55433", "55432")
    );
    assert_eq!(c.get("dbname"), Some("postgres"));
    assert_eq!(c.target, TargetSessionAttrs::ReadWrite);
    let m = parse("postgres://me:s%40cret@[::1]:5433/db?application_name=a%20b&ssl=true").unwrap();
    assert_eq!(m.get("user").unwrap(), "me");
    assert_eq!(m.get("password").unwrap(), "s@cret");
    assert_eq!(m.get("host").unwrap(), "::1");
    assert_eq!(m.get("application_name").unwrap(), "a b");
    assert_eq!(m.get("sslmode").unwrap(), "require");
    // A trailing comma adds an empty host: the local socket.
    let c = ConnInfo::parse("postgresql://127.0.0.1:55432,").unwrap();
    assert_eq!(c.hosts[1].host, "");
    assert_eq!(ConnInfo::parse("postgresql://").unwrap().hosts[0].host, "");
    // "user:password@host", looked for before the first '/'.
    let m = parse("postgresql://127.0.0.1:55432@x").unwrap();
    assert_eq!(
        (
            m.get("user").unwrap().as_str(),
            m.get("password").unwrap().as_str(),
            m.get("host").unwrap().as_str()
        ),
        ("127.0.0.1", "55432", "x")
    );
    assert_eq!(
        err("postgresql://127.0.0.1:55432/postgres?bogus=1"),
        "invalid URI query parameter: \"bogus\""
    );
    assert_eq!(
        err("postgresql://127.0.0.1:55432/postgres?target_session_attrs"),
        "missing key/value separator \"=\" in URI query parameter: \"target_session_attrs\""
    );
    assert_eq!(
        err("postgresql://127.0.0.1:55432/postgres?target_session_attrs=primary=x"),
        "extra key/value separator \"=\" in URI query parameter: \"target_session_attrs\""
    );
    assert_eq!(
        err("postgresql://127.0.0.1:55432/postgres?application_name=%zz"),
        "invalid percent-encoded token: \"%zz\""
    );
    assert_eq!(
        ConnInfo::parse("postgresql://127.0.0.1:55432x")
            .unwrap()
            .hosts[0]
            .port_number(),
        Err("invalid integer value \"55432x\" for connection option \"port\"".into())
    );
    assert!(err("postgresql://[::1").starts_with("end of string reached"));
    assert!(err("postgresql://[::1]x").starts_with("unexpected character \"x\" at position 19"));
}

#[test]
fn a_connection_string_is_read_only_up_to_its_bound() {
    let long = format!("host=a application_name={}", "x".repeat(MAX_CONNINFO_BYTES));
    assert!(err(&long).contains("too long"));
    // Hostile text never panics.
    for s in [
        "postgresql://%",
        "postgresql://a:%",
        "=",
        "'",
        "a='\\",
        "postgresql://[]",
        "postgresql://é:1/é?é=é",
        "postgresql://@@@,,,:::///???&&&===",
    ] {
        let _ = ConnInfo::parse(s);
    }
    assert!(is_conninfo("host=a") && is_conninfo("postgres://a") && !is_conninfo("mydb"));
}
