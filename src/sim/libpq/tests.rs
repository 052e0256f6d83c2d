use super::*;
use crate::testlab::{append_conf, streaming_pair};

fn info(s: &str) -> ConnInfo {
    ConnInfo::parse(s).unwrap()
}

#[test]
fn hosts_are_tried_in_order_until_one_suits_the_target() {
    let (mut c, primary, standby) = streaming_pair(1);
    append_conf(
        &mut c,
        primary,
        "pg_hba.conf",
        "host all all 10.0.0.0/24 trust",
    );
    c.reload(primary);
    append_conf(
        &mut c,
        standby,
        "pg_hba.conf",
        "host all all 10.0.0.0/24 trust",
    );
    c.reload(standby);
    let from = Client::Host(primary);
    let got = c
        .libpq_connect(
            from,
            &info("host=standby,primary target_session_attrs=read-write"),
            "postgres",
            false,
        )
        .unwrap();
    assert_eq!((got.server, got.host.as_str()), (primary, "primary"));
    let got = c
        .libpq_connect(
            from,
            &info("host=primary,standby target_session_attrs=prefer-standby"),
            "postgres",
            false,
        )
        .unwrap();
    assert_eq!(got.server, standby);
    // prefer-standby with no standby in the list settles for the primary.
    let got = c
        .libpq_connect(
            from,
            &info("host=primary,primary target_session_attrs=prefer-standby"),
            "postgres",
            false,
        )
        .unwrap();
    assert_eq!(got.server, primary);
    assert_eq!(
        c.libpq_connect(from, &info("host=standby,standby target_session_attrs=read-write"), "postgres", false)
            .unwrap_err(),
        "connection to server at \"standby\" (10.0.0.2), port 5432 failed: session is read-only\nconnection to server at \"standby\" (10.0.0.2), port 5432 failed: session is read-only"
    );
    // The application server is not a host of the lab; it connects from 10.0.0.100.
    let got = c
        .libpq_connect(Client::AppServer, &info("host=10.0.0.1"), "postgres", false)
        .unwrap();
    assert_eq!(got.server, primary);
    c.partition(primary, standby);
    assert_eq!(
        c.libpq_connect(
            from,
            &info("host=standby connect_timeout=3"),
            "postgres",
            false
        )
        .unwrap_err(),
        "connection to server at \"standby\" (10.0.0.2), port 5432 failed: timeout expired"
    );
}

#[test]
fn primary_conninfo_walks_its_host_list_too() {
    let (mut c, primary, standby) = streaming_pair(2);
    append_conf(
        &mut c,
        standby,
        "postgresql.auto.conf",
        "primary_conninfo = 'host=standby,primary user=postgres target_session_attrs=read-write'",
    );
    c.reload(standby);
    c.advance(crate::SimDuration::from_secs(6));
    let rows = c.stat_replication(primary);
    assert_eq!(rows.len(), 1, "streams from the primary, the second host");
    append_conf(
        &mut c,
        standby,
        "postgresql.auto.conf",
        "primary_conninfo = 'host=standby user=postgres target_session_attrs=read-write'",
    );
    c.reload(standby);
    c.advance(crate::SimDuration::from_secs(6));
    assert!(crate::testlab::server_log(&c, standby).contains(
        "FATAL:  could not connect to the primary server: connection to server at \"standby\" (10.0.0.2), port 5432 failed: session is read-only"
    ));
    assert!(c.stat_replication(primary).is_empty());
}
