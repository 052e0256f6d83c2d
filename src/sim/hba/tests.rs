//! pg_hba.conf parsing, error texts and matching.

use super::inet::{inet_aton, inet_pton6};
use super::*;

fn parsed(text: &str) -> Vec<HbaLine> {
    match parse_hba(text) {
        Ok(l) => l,
        Err(e) => panic!("{e:?}"),
    }
}

fn errors(text: &str) -> Vec<(usize, String)> {
    match parse_hba(text) {
        Ok(l) => panic!("accepted {l:?}"),
        Err(e) => e.into_iter().map(|e| (e.line, e.message)).collect(),
    }
}

fn one_error(text: &str) -> String {
    let e = errors(text);
    assert_eq!(e.len(), 1, "{e:?}");
    e[0].1.clone()
}

fn hosts(name: &str) -> Option<[u8; 4]> {
    match name {
        "standby1" => Some([10, 0, 0, 2]),
        "localhost" => Some([127, 0, 0, 1]),
        _ => None,
    }
}

fn req<'a>(db: &'a str, user: &'a str, replication: bool, addr: [u8; 4]) -> Request<'a> {
    Request {
        local: false,
        ssl: false,
        database: db,
        replication,
        user,
        client_addr: addr,
    }
}

fn matched(lines: &[HbaLine], r: &Request) -> Option<usize> {
    find_match(lines, r, &hosts).map(|l| l.line)
}

#[test]
fn initdb_file() {
    let text = initdb_pg_hba_conf();
    let lines = parsed(&text);
    assert_eq!(lines.len(), 6);
    assert!(lines.iter().all(|l| l.method == Method::Trust));
    assert_eq!(lines[0].conn_type, ConnType::Local);
    assert_eq!(lines[0].address, None);
    assert_eq!(
        lines[1].address,
        Some(Address::Cidr {
            addr: [127, 0, 0, 1],
            bits: 32
        })
    );
    assert_eq!(lines[2].address, Some(Address::Ipv6("::1/128".into())));
    assert_eq!(lines[3].databases, vec!["replication".to_string()]);
    assert_eq!(lines[5].users, vec!["all".to_string()]);
    assert!(
        text.contains("\n# TYPE  DATABASE        USER            ADDRESS                 METHOD\n")
    );
    assert!(
        text.ends_with("host    replication     all             ::1/128                 trust\n")
    );
}

#[test]
fn replication_matching() {
    let mut text = initdb_pg_hba_conf();
    let lines = parsed(&text);
    let r = req("replication", "replicator", true, [10, 0, 0, 2]);
    assert_eq!(matched(&lines, &r), None);
    let local_rep = req("replication", "replicator", true, [127, 0, 0, 1]);
    let n = text
        .lines()
        .position(|l| l.starts_with("host    replication"))
        .map(|i| i + 1);
    assert_eq!(matched(&lines, &local_rep), n);
    text.push_str("host replication replicator 10.0.0.0/24 scram-sha-256\n");
    let lines = parsed(&text);
    let last = text.lines().count();
    let m = find_match(&lines, &r, &hosts);
    assert_eq!(
        m.map(|l| (l.line, l.method)),
        Some((last, Method::ScramSha256))
    );
    assert_eq!(
        matched(&lines, &req("replication", "other", true, [10, 0, 0, 2])),
        None
    );
    assert_eq!(
        matched(
            &lines,
            &req("replication", "replicator", true, [10, 0, 1, 2])
        ),
        None
    );
    // A normal connection to a database called "replication" does not use that line.
    assert_eq!(
        matched(
            &lines,
            &req("replication", "replicator", false, [10, 0, 0, 2])
        ),
        None
    );
}

#[test]
fn all_does_not_match_replication() {
    let lines = parsed("host all all 0.0.0.0/0 trust\n");
    assert_eq!(
        matched(&lines, &req("postgres", "u", false, [10, 0, 0, 9])),
        Some(1)
    );
    assert_eq!(
        matched(&lines, &req("replication", "u", true, [10, 0, 0, 9])),
        None
    );
    let lines = parsed("host \"replication\" all all trust\n");
    assert_eq!(lines[0].databases_quoted, vec![true]);
    assert_eq!(
        matched(&lines, &req("replication", "u", true, [1, 2, 3, 4])),
        None
    );
    assert_eq!(
        matched(&lines, &req("replication", "u", false, [1, 2, 3, 4])),
        Some(1)
    );
}

#[test]
fn first_match_wins() {
    let lines = parsed(
        "# comment\n\nhost all bad 10.0.0.0/8 reject\nhost all all 10.0.0.0/8 trust\nhost all all all md5\n",
    );
    assert_eq!(
        matched(&lines, &req("db", "bad", false, [10, 1, 1, 1])),
        Some(3)
    );
    assert_eq!(
        matched(&lines, &req("db", "good", false, [10, 1, 1, 1])),
        Some(4)
    );
    assert_eq!(
        matched(&lines, &req("db", "good", false, [192, 168, 0, 1])),
        Some(5)
    );
    assert_eq!(lines[0].method, Method::Reject);
}

#[test]
fn host_names_and_keywords() {
    let lines = parsed(
        "host all all standby1 trust\nhost all all samehost md5\nhost all all .example.com md5\n",
    );
    assert_eq!(lines[0].address, Some(Address::Hostname("standby1".into())));
    assert_eq!(
        matched(&lines, &req("db", "u", false, [10, 0, 0, 2])),
        Some(1)
    );
    assert_eq!(matched(&lines, &req("db", "u", false, [10, 0, 0, 3])), None);
    assert_eq!(
        matched(&lines, &req("db", "u", false, [127, 0, 0, 1])),
        Some(2)
    );
    let server = [([10, 0, 0, 1], 24)];
    let samenet = parsed("host all all samenet trust\n");
    let r = req("db", "u", false, [10, 0, 0, 7]);
    assert_eq!(
        find_match_on(&samenet, &r, &hosts, &server).map(|l| l.line),
        Some(1)
    );
    assert_eq!(find_match(&samenet, &r, &hosts).map(|l| l.line), None);
    // An invalid dotted quad is a host name to PostgreSQL.
    let lines = parsed("host all all 10.0.0.300 trust\n");
    assert_eq!(
        lines[0].address,
        Some(Address::Hostname("10.0.0.300".into()))
    );
}

#[test]
fn databases_users_and_types() {
    let lines = parsed(
        "local all all ident\nhost db1,\"db 2\" alice,+admins 10.0.0.0 255.255.255.0 md5\nhostssl sameuser all 10.0.0.0/8 password\nhostnossl all \"all\" 127.1/32 trust\n",
    );
    assert_eq!(lines[0].method, Method::Peer);
    assert_eq!(
        lines[1].databases,
        vec!["db1".to_string(), "db 2".to_string()]
    );
    assert_eq!(
        lines[1].users,
        vec!["alice".to_string(), "+admins".to_string()]
    );
    assert_eq!(
        lines[1].address,
        Some(Address::Cidr {
            addr: [10, 0, 0, 0],
            bits: 24
        })
    );
    assert_eq!(
        lines[3].address,
        Some(Address::Cidr {
            addr: [127, 0, 0, 1],
            bits: 32
        })
    );
    let local = Request {
        local: true,
        ..req("x", "y", false, [0; 4])
    };
    assert_eq!(matched(&lines, &local), Some(1));
    assert_eq!(
        matched(&lines, &req("db 2", "alice", false, [10, 0, 0, 5])),
        Some(2)
    );
    assert_eq!(
        matched(&lines, &req("db1", "admins", false, [10, 0, 0, 5])),
        Some(2)
    );
    assert_eq!(
        matched(&lines, &req("db1", "bob", false, [10, 0, 0, 5])),
        None
    );
    let ssl = Request {
        ssl: true,
        ..req("bob", "bob", false, [10, 9, 9, 9])
    };
    assert_eq!(matched(&lines, &ssl), Some(3));
    assert_eq!(
        matched(&lines, &req("bob", "bob", false, [10, 9, 9, 9])),
        None
    );
    assert_eq!(
        matched(&lines, &req("x", "all", false, [127, 0, 0, 1])),
        Some(4)
    );
    assert_eq!(
        matched(&lines, &req("x", "bob", false, [127, 0, 0, 1])),
        None
    );
    let odd = parsed("host all all 10.0.0.0 255.0.255.0 trust\n");
    assert_eq!(
        odd[0].address,
        Some(Address::Netmask {
            addr: [10, 0, 0, 0],
            mask: [255, 0, 255, 0]
        })
    );
    assert_eq!(matched(&odd, &req("d", "u", false, [10, 7, 0, 7])), Some(1));
    let v6 =
        parsed("host all all fe80::1 ffff:ffff:: trust\nhost all all ::ffff:10.0.0.1/128 trust\n");
    assert_eq!(v6.len(), 2);
    assert_eq!(matched(&v6, &req("d", "u", false, [10, 0, 0, 1])), None);
}

#[test]
fn error_texts() {
    assert_eq!(
        one_error("hots all all 10.0.0.0/8 trust"),
        "invalid connection type \"hots\""
    );
    assert_eq!(
        one_error("host\n"),
        "end-of-line before database specification"
    );
    assert_eq!(
        one_error("host all # comment\n"),
        "end-of-line before role specification"
    );
    assert_eq!(
        one_error("host all all\n"),
        "end-of-line before IP address specification"
    );
    assert_eq!(
        one_error("host all all 10.0.0.0/33 trust\n"),
        "invalid CIDR mask in address \"10.0.0.0/33\""
    );
    assert_eq!(
        one_error("host all all 10.0.0.0/ trust\n"),
        "invalid CIDR mask in address \"10.0.0.0/\""
    );
    assert_eq!(
        one_error("host all all ::1/129 trust\n"),
        "invalid CIDR mask in address \"::1/129\""
    );
    assert_eq!(
        one_error("host all all 10.0.0.300/32 trust\n"),
        "specifying both host name and CIDR mask is invalid: \"10.0.0.300/32\""
    );
    assert_eq!(
        one_error("host all all 10.0.0.0/8\n"),
        "end-of-line before authentication method"
    );
    assert_eq!(
        one_error("local all all\n"),
        "end-of-line before authentication method"
    );
    assert_eq!(
        one_error("host all all 10.0.0.0/8 foo\n"),
        "invalid authentication method \"foo\""
    );
    assert_eq!(
        one_error("host all all 10.0.0.0/8 ldap\n"),
        "invalid authentication method \"ldap\": not supported by this build"
    );
    assert_eq!(
        one_error("host all all 10.0.0.1 trust\n"),
        "invalid IP mask \"trust\": Name or service not known"
    );
    assert_eq!(
        one_error("host all all 10.0.0.1\n"),
        "end-of-line before netmask specification"
    );
    assert_eq!(
        one_error("host all all 10.0.0.1 ::1 trust\n"),
        "IP address and mask do not match"
    );
    assert_eq!(
        one_error("host all all 10.0.0.0/8 peer\n"),
        "peer authentication is only supported on local sockets"
    );
    assert_eq!(
        one_error("host,local all all all trust\n"),
        "multiple values specified for connection type"
    );
    assert_eq!(
        one_error("host all all a,b trust\n"),
        "multiple values specified for host address"
    );
    assert_eq!(
        one_error("host all all all trust,md5\n"),
        "multiple values specified for authentication type"
    );
    assert_eq!(
        one_error("host all all all trust junk\n"),
        "authentication option not in name=value format: junk"
    );
    assert_eq!(
        one_error("host all all all trust foo=bar\n"),
        "unrecognized authentication option name: \"foo\""
    );
    assert_eq!(
        one_error("host all all all md5 clientcert=verify-full\n"),
        "clientcert can only be configured for \"hostssl\" rows"
    );
    assert!(parse_hba(
        "local all all peer map=omicron\nhostssl all all all md5 clientcert=verify-ca\n"
    )
    .is_ok());
    let long = format!("host {} all all trust\n", "d".repeat(300));
    assert!(one_error(&long).starts_with("authentication file token too long, skipping: \"ddd"));
    let e = parse_hba("host all all 10.0.0.1\n")
        .err()
        .unwrap_or_default();
    assert_eq!(
        e.first().and_then(|e| e.hint.clone()).as_deref(),
        Some("Specify an address range in CIDR notation, or provide a separate netmask.")
    );
}

#[test]
fn every_bad_line_is_reported() {
    let text = "local all all trust\nhots all all all trust\nhost all all all trust\nhost all\n";
    assert_eq!(
        errors(text),
        vec![
            (2, "invalid connection type \"hots\"".to_string()),
            (4, "end-of-line before role specification".to_string()),
        ]
    );
}

#[test]
fn address_parsing() {
    assert_eq!(inet_aton("10.1"), Some([10, 0, 0, 1]));
    assert_eq!(inet_aton("0x7f.1"), Some([127, 0, 0, 1]));
    assert_eq!(inet_aton("010.0.0.1"), Some([8, 0, 0, 1]));
    assert_eq!(inet_aton("1.2.3.256"), None);
    assert_eq!(inet_aton("1.2.3.4.5"), None);
    assert_eq!(inet_aton("1.2.3."), None);
    assert_eq!(inet_aton("09.1.1.1"), None);
    assert!(inet_pton6(b"::").is_some());
    assert!(inet_pton6(b"::1").is_some());
    assert!(inet_pton6(b"2001:db8::8:800:200c:417a").is_some());
    assert!(inet_pton6(b"::ffff:1.2.3.4").is_some());
    assert!(inet_pton6(b"1:2:3:4:5:6:7:8").is_some());
    assert!(inet_pton6(b"1:2:3:4:5:6:7:8:9").is_none());
    assert!(inet_pton6(b"1::2::3").is_none());
    assert!(inet_pton6(b":1").is_none());
    assert!(inet_pton6(b"12345::").is_none());
    assert_eq!(mask_bits([255, 255, 255, 0]), Some(24));
    assert_eq!(mask_bits([0, 0, 0, 0]), Some(0));
    assert_eq!(mask_bits([255, 255, 255, 255]), Some(32));
    assert_eq!(mask_bits([255, 0, 255, 0]), None);
    assert_eq!(cidr_bits("+24", 32), Some(24));
    assert_eq!(cidr_bits("-1", 32), None);
    let all = parsed("host all all 0.0.0.0/0 trust\n");
    assert_eq!(matched(&all, &req("d", "u", false, [8, 8, 8, 8])), Some(1));
}
