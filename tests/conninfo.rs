//! libpq connection strings in the runner: `psql` in a host's shell against a primary
//! and a hot standby, each case checked against what PostgreSQL 15's psql printed on a
//! real primary (127.0.0.1:55432) and standby (127.0.0.1:55433) of Debian's
//! postgresql-15, run as user postgres. The real command is in each test's comment;
//! here the primary is 10.0.0.1:5432, the standby 10.0.0.2:5432, and `spare`
//! (10.0.0.3) is a host with no server running, where the real run used a port
//! nothing listened on (55439).

use walscope::script::run_script;

const LAB: &str = "\
primary=# ALTER SYSTEM SET listen_addresses = '*';
primary$ echo 'host replication all 10.0.0.0/24 trust' >> pg_hba.conf
primary$ echo 'host all all 10.0.0.0/24 trust' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ pg_basebackup -h primary -U postgres -D /var/lib/pgsql/data -R
standby1$ pg_ctl start
lab$ node add spare
lab$ node add client
lab$ wait 2s
";

/// What `client$ LINE` prints after the lab is built.
fn psql(line: &str) -> String {
    let script = format!("{LAB}client$ {line}\n");
    let t = run_script(&script).unwrap_or_else(|e| panic!("does not parse: {e}"));
    let echo = format!("client$ {line}\n");
    let start = t.rfind(&echo).expect("the line is echoed") + echo.len();
    let rest = &t[start..];
    rest[..rest.find("-- virtual time").unwrap_or(rest.len())].to_string()
}

// Real: psql -X -A -t -c "select pg_is_in_recovery()" "host=127.0.0.1 port=55433 target_session_attrs=read-write"
#[test]
fn read_write_on_a_standby_is_refused() {
    assert_eq!(
        psql("psql -X -A -t -c 'select pg_is_in_recovery()' 'host=10.0.0.2 target_session_attrs=read-write'"),
        "psql: error: connection to server at \"10.0.0.2\", port 5432 failed: session is read-only\n"
    );
}

// Real: psql -X -A -t -c "select pg_is_in_recovery()" "host=127.0.0.1 port=55433 target_session_attrs=primary"
#[test]
fn primary_on_a_standby_is_refused() {
    assert_eq!(
        psql("psql -X -A -t -c 'select pg_is_in_recovery()' 'host=10.0.0.2 target_session_attrs=primary'"),
        "psql: error: connection to server at \"10.0.0.2\", port 5432 failed: server is in hot standby mode\n"
    );
}

// Real: psql -X -A -t -c "select pg_is_in_recovery()" "host=127.0.0.1 port=55432 target_session_attrs=standby"
//       psql -X -A -t -c "select pg_is_in_recovery()" "host=127.0.0.1 port=55432 target_session_attrs=read-only"
#[test]
fn standby_or_read_only_on_a_primary_is_refused() {
    assert_eq!(
        psql("psql -X -A -t -c 'select pg_is_in_recovery()' 'host=10.0.0.1 target_session_attrs=standby'"),
        "psql: error: connection to server at \"10.0.0.1\", port 5432 failed: server is not in hot standby mode\n"
    );
    assert_eq!(
        psql("psql -X -A -t -c 'select pg_is_in_recovery()' 'host=10.0.0.1 target_session_attrs=read-only'"),
        "psql: error: connection to server at \"10.0.0.1\", port 5432 failed: session is not read-only\n"
    );
}

// Real: psql -X -A -t -c "select pg_is_in_recovery()" "host=127.0.0.1,127.0.0.1 port=55432,55433 target_session_attrs=prefer-standby"  -> t
//       psql -X -A -t -c "select inet_server_port()" "host=127.0.0.1,127.0.0.1 port=55432,55432 target_session_attrs=prefer-standby"  -> 55432
#[test]
fn prefer_standby_picks_the_standby_and_else_settles() {
    assert_eq!(
        psql("psql -X -A -t -c 'select pg_is_in_recovery()' 'host=10.0.0.1,10.0.0.2 target_session_attrs=prefer-standby'"),
        "t\n"
    );
    assert_eq!(
        psql("psql -X -A -t -c 'select pg_is_in_recovery()' 'host=primary,primary target_session_attrs=prefer-standby'"),
        "f\n"
    );
}

// Real: psql -X -A -t -c "select inet_server_port()" "host=127.0.0.1,127.0.0.1 port=55433,55432 target_session_attrs=read-write"  -> 55432
//       psql -X -A -t -c "select inet_server_port()" "postgresql://127.0.0.1:55433,127.0.0.1:55432/postgres?target_session_attrs=read-write"  -> 55432
//       psql -X -A -t -c "select inet_server_port()" "host=127.0.0.1,127.0.0.1 port=55439,55432"  -> 55432
#[test]
fn the_host_list_is_walked_in_order() {
    assert_eq!(
        psql("psql -X -A -t -c 'select pg_is_in_recovery()' 'host=10.0.0.2,10.0.0.1 target_session_attrs=read-write'"),
        "f\n"
    );
    assert_eq!(
        psql("psql -X -A -t -c 'select pg_is_in_recovery()' 'postgresql://10.0.0.2:5432,10.0.0.1:5432/postgres?target_session_attrs=read-write'"),
        "f\n"
    );
    assert_eq!(
        psql("psql -X -A -t -c 'select pg_is_in_recovery()' 'host=spare,standby1'"),
        "t\n"
    );
}

// Real: psql -X -A -t -c "select inet_server_port()" "host=127.0.0.1,127.0.0.1 port=55439,55433 target_session_attrs=read-write"
#[test]
fn a_host_down_then_the_next_hosts_refusal() {
    assert_eq!(
        psql(
            "psql -X -A -t -c 'select 1' 'host=10.0.0.3,10.0.0.2 target_session_attrs=read-write'"
        ),
        "psql: error: connection to server at \"10.0.0.3\", port 5432 failed: Connection refused\n\
         \tIs the server running on that host and accepting TCP/IP connections?\n\
         connection to server at \"10.0.0.2\", port 5432 failed: session is read-only\n"
    );
}

// Real: psql -X -A -t -c "select inet_server_port()" "postgresql://127.0.0.1:55439,127.0.0.1:55438/postgres?target_session_attrs=read-write"
//       psql -X -A -t -c "select inet_server_port()" "host=127.0.0.1,127.0.0.1 port=55433,55433 target_session_attrs=read-write"
#[test]
fn every_host_tried_gets_its_line() {
    assert_eq!(
        psql("psql -X -A -t -c 'select 1' 'postgresql://10.0.0.3:5432,10.0.0.3:5433/postgres?target_session_attrs=read-write'"),
        "psql: error: connection to server at \"10.0.0.3\", port 5432 failed: Connection refused\n\
         \tIs the server running on that host and accepting TCP/IP connections?\n\
         connection to server at \"10.0.0.3\", port 5433 failed: Connection refused\n\
         \tIs the server running on that host and accepting TCP/IP connections?\n"
    );
    // A host named by its name shows its address too, as libpq does.
    assert_eq!(
        psql("psql -X -A -t -c 'select 1' 'host=standby1,standby1 target_session_attrs=read-write'"),
        "psql: error: connection to server at \"standby1\" (10.0.0.2), port 5432 failed: session is read-only\n\
         connection to server at \"standby1\" (10.0.0.2), port 5432 failed: session is read-only\n"
    );
}

// Real: a listener on 127.0.0.1:55437 that accepts and never answers, then
//       psql -X -A -t -c "select inet_server_port()" "host=127.0.0.1 port=55437 connect_timeout=2"
//       psql -X -A -t -c "select inet_server_port()" "host=127.0.0.1,127.0.0.1 port=55437,55432 connect_timeout=2"  -> 55432
#[test]
fn connect_timeout_gives_up_on_a_host_that_does_not_answer() {
    let script = format!(
        "{LAB}lab$ partition client primary\n\
         client$ psql -X -A -t -c 'select 1' 'host=10.0.0.1 connect_timeout=2'\n\
         client$ psql -X -A -t -c 'select pg_is_in_recovery()' 'host=10.0.0.1,10.0.0.2 connect_timeout=2'\n"
    );
    let t = run_script(&script).unwrap();
    assert!(t.contains("connect_timeout=2'\npsql: error: connection to server at \"10.0.0.1\", port 5432 failed: timeout expired\n"), "{t}");
    assert!(t.contains("10.0.0.2 connect_timeout=2'\nt\n"), "{t}");
}

// Real (each): psql -X -A -t -c "select 1" "<string>"
#[test]
fn malformed_strings_get_libpq_words() {
    for (s, want) in [
        ("host=10.0.0.1 target_session_attrs=bogus", "invalid target_session_attrs value: \"bogus\""),
        ("host=10.0.0.1,10.0.0.2 port=5432,5433,5434", "could not match 3 port numbers to 2 hosts"),
        ("host=10.0.0.1 bogus=1", "invalid connection option \"bogus\""),
        ("host='10.0.0.1 port=5432", "unterminated quoted string in connection info string"),
        ("host=10.0.0.1 user", "missing \"=\" after \"user\" in connection info string"),
        ("postgresql://10.0.0.1:5432/postgres?bogus=1", "invalid URI query parameter: \"bogus\""),
        ("postgresql://10.0.0.1:x/postgres", "invalid integer value \"x\" for connection option \"port\""),
        ("host=10.0.0.1 port=99999", "invalid port number: \"99999\""),
        ("host=nosuchhost port=5432", "could not translate host name \"nosuchhost\" to address: Name or service not known"),
        ("host=10.0.0.2 connect_timeout=x", "connection to server at \"10.0.0.2\", port 5432 failed: invalid integer value \"x\" for connection option \"connect_timeout\""),
    ] {
        assert_eq!(
            psql(&format!("psql -X -A -t -c 'select 1' \"{s}\"")),
            format!("psql: error: {want}\n"),
            "{s}"
        );
    }
}

// Real: psql -X -A -c "select 1 as a, 2 as b" "host=127.0.0.1 port=55433 target_session_attrs=any"
//       psql -X -t -c "select 1 as longname, 2 as b" "host=127.0.0.1 port=55432"
//       psql -X -At -c "select 4" "host=127.0.0.1 port=55432"
//       psql -X -A -t -c "insert into t values (1)" "host=127.0.0.1 port=55433"
//       psql -X -A -t -Q
#[test]
fn psql_prints_as_its_options_ask() {
    assert_eq!(
        psql("psql -X -A -c 'select 1 as a, 2 as b' 'host=10.0.0.2 target_session_attrs=any'"),
        "a|b\n1|2\n(1 row)\n"
    );
    assert_eq!(
        psql("psql -X -t -c 'select 1 as longname, 2 as b' 'host=10.0.0.1'"),
        "        1 | 2\n\n"
    );
    assert_eq!(psql("psql -X -At -c 'select 4' 'host=10.0.0.1'"), "4\n");
    assert_eq!(psql("psql -X -A -t -c 'select 5' -h 10.0.0.2"), "5\n");
    assert_eq!(
        psql("psql -X -A -t -c 'CREATE TABLE t (a int)' 'host=10.0.0.2'"),
        "ERROR:  cannot execute CREATE TABLE in a read-only transaction\n"
    );
    assert_eq!(
        psql("psql -X -A -t -Q"),
        "/usr/lib/postgresql/15/bin/psql: invalid option -- 'Q'\npsql: hint: Try \"psql --help\" for more information.\n"
    );
}
