//! Settings: value checking, SHOW formatting, and the configuration file syntax.

use super::*;

fn setting(name: &str) -> &'static SettingDef {
    lookup(name).unwrap_or_else(|| panic!("no setting {name}"))
}

fn err(name: &str, raw: &str) -> ValueError {
    match parse_value(setting(name), raw) {
        Err(e) => e,
        Ok(v) => panic!("{name} = {raw} accepted as {v:?}"),
    }
}

fn ok(name: &str, raw: &str) -> Parsed {
    match parse_value(setting(name), raw) {
        Ok(v) => v,
        Err(e) => panic!("{name} = {raw}: {e}"),
    }
}

fn show_raw(name: &str, raw: &str) -> String {
    show(setting(name), &ok(name, raw))
}

#[test]
fn registry_is_sorted_and_boot_values_round_trip() {
    for pair in all().windows(2) {
        assert!(
            pair[0].name < pair[1].name,
            "{} before {}",
            pair[0].name,
            pair[1].name
        );
    }
    assert_eq!(all().len(), 40);
    for def in all() {
        let v = parse_value(def, def.boot_value).unwrap_or_else(|e| panic!("{}: {e}", def.name));
        assert_eq!(show(def, &v), def.boot_value, "{}", def.name);
    }
    for pair in UNMODELLED.windows(2) {
        assert!(pair[0] < pair[1], "{} before {}", pair[0], pair[1]);
    }
    for def in all() {
        assert!(!is_known_unmodelled(def.name), "{} is modelled", def.name);
    }
}

#[test]
fn registry_facts() {
    assert_eq!(lookup("WAL_Level").map(|d| d.name), Some("wal_level"));
    assert!(lookup("work_mem").is_none());
    assert_eq!(setting("wal_level").context, Context::Postmaster);
    assert_eq!(setting("wal_sender_timeout").context, Context::User);
    assert_eq!(setting("wal_receiver_timeout").context, Context::Sighup);
    assert_eq!(setting("wal_segment_size").context.as_str(), "internal");
    assert_eq!(
        setting("shared_buffers").kind,
        Kind::Integer {
            min: 16,
            max: 1_073_741_823,
            unit: Some(Unit::Kb8)
        }
    );
    assert_eq!(Unit::Kb8.as_str(), "8kB");
    assert_eq!(
        setting("checkpoint_completion_target").kind.vartype(),
        "real"
    );
    assert_eq!(
        ok("wal_segment_size", "16MB"),
        Parsed::Int(16 * 1024 * 1024)
    );
    assert_eq!(ok("shared_buffers", "128MB"), Parsed::Int(16384));
    assert_eq!(ok("server_version", "15.18"), Parsed::Text("15.18".into()));
}

#[test]
fn show_defaults() {
    let boot = |name: &str| show_raw(name, setting(name).boot_value);
    assert_eq!(boot("max_wal_size"), "1GB");
    assert_eq!(boot("min_wal_size"), "80MB");
    assert_eq!(boot("checkpoint_timeout"), "5min");
    assert_eq!(boot("wal_sender_timeout"), "1min");
    assert_eq!(boot("wal_keep_size"), "0");
    assert_eq!(boot("shared_buffers"), "128MB");
    assert_eq!(boot("max_slot_wal_keep_size"), "-1");
    assert_eq!(boot("checkpoint_completion_target"), "0.9");
    assert_eq!(boot("hot_standby"), "on");
    assert_eq!(boot("wal_level"), "replica");
    assert_eq!(boot("wal_segment_size"), "16MB");
    assert_eq!(boot("wal_retrieve_retry_interval"), "5s");
}

#[test]
fn show_normalises_units() {
    assert_eq!(show_raw("max_wal_size", "1024MB"), "1GB");
    assert_eq!(show_raw("max_wal_size", "1536MB"), "1536MB");
    assert_eq!(show_raw("max_wal_size", "1TB"), "1TB");
    assert_eq!(show_raw("checkpoint_timeout", "300s"), "5min");
    assert_eq!(show_raw("checkpoint_timeout", "90"), "90s");
    assert_eq!(show_raw("checkpoint_timeout", "1h"), "1h");
    assert_eq!(show_raw("checkpoint_timeout", "1d"), "1d");
    assert_eq!(show_raw("wal_sender_timeout", "60000"), "1min");
    assert_eq!(show_raw("wal_sender_timeout", "1500"), "1500ms");
    assert_eq!(show_raw("wal_sender_timeout", "0"), "0");
    assert_eq!(show(setting("shared_buffers"), &Parsed::Int(17)), "136kB");
    assert_eq!(show_raw("shared_buffers", "16"), "128kB");
    assert_eq!(show_raw("shared_buffers", "1GB"), "1GB");
    assert_eq!(show_raw("wal_segment_size", "1048577"), "1048577B");
    assert_eq!(show_raw("max_slot_wal_keep_size", "-1"), "-1");
    assert_eq!(show_raw("max_wal_senders", "20"), "20");
    assert_eq!(show_raw("checkpoint_completion_target", "1"), "1");
}

#[test]
fn integer_parsing() {
    assert_eq!(ok("max_wal_size", "2GB"), Parsed::Int(2048));
    assert_eq!(ok("max_wal_size", "1 GB"), Parsed::Int(1024));
    assert_eq!(ok("max_wal_size", " 64 "), Parsed::Int(64));
    assert_eq!(ok("max_wal_size", "1.5GB"), Parsed::Int(1536));
    assert_eq!(ok("max_wal_size", "2048kB"), Parsed::Int(2));
    assert_eq!(ok("checkpoint_timeout", "1min"), Parsed::Int(60));
    assert_eq!(ok("checkpoint_timeout", "31000ms"), Parsed::Int(31));
    assert_eq!(ok("wal_sender_timeout", "2s"), Parsed::Int(2000));
    assert_eq!(ok("wal_sender_timeout", "1500us"), Parsed::Int(2));
    assert_eq!(ok("max_wal_senders", "0x10"), Parsed::Int(16));
    assert_eq!(ok("max_wal_senders", "010"), Parsed::Int(8));
    assert_eq!(ok("max_wal_senders", "+7"), Parsed::Int(7));
    assert_eq!(ok("max_wal_senders", "1e2"), Parsed::Int(100));
    assert_eq!(ok("max_wal_senders", "2.5"), Parsed::Int(2));
    assert_eq!(ok("max_wal_senders", "3.5"), Parsed::Int(4));
    assert_eq!(ok("shared_buffers", "131072B"), Parsed::Int(16));
    assert_eq!(ok("shared_buffers", "1GB"), Parsed::Int(131_072));
}

#[test]
fn integer_errors() {
    let e = err("max_wal_senders", "abc");
    assert_eq!(
        e.message,
        "invalid value for parameter \"max_wal_senders\": \"abc\""
    );
    assert_eq!(e.hint, None);
    assert_eq!(e.to_string(), e.message);
    assert_eq!(err("max_wal_senders", "5 MB").hint, None);
    assert_eq!(
        err("max_wal_senders", "").message,
        "invalid value for parameter \"max_wal_senders\": \"\""
    );
    assert_eq!(err("max_wal_senders", "08").hint, None);
    let e = err("max_wal_senders", "20000000");
    assert_eq!(
        e.message,
        "20000000 is outside the valid range for parameter \"max_wal_senders\" (0 .. 262143)"
    );
    let e = err("max_wal_senders", "99999999999");
    assert_eq!(
        e.message,
        "invalid value for parameter \"max_wal_senders\": \"99999999999\""
    );
    assert_eq!(e.hint.as_deref(), Some("Value exceeds integer range."));
    let e = err("wal_keep_size", "-5");
    assert_eq!(
        e.message,
        "-5 MB is outside the valid range for parameter \"wal_keep_size\" (0 .. 2147483647)"
    );
    let e = err("checkpoint_timeout", "10s");
    assert_eq!(
        e.message,
        "10 s is outside the valid range for parameter \"checkpoint_timeout\" (30 .. 86400)"
    );
    let e = err("shared_buffers", "64kB");
    assert_eq!(
        e.message,
        "8 8kB is outside the valid range for parameter \"shared_buffers\" (16 .. 1073741823)"
    );
    let e = err("max_wal_size", "1gb");
    assert_eq!(
        e.message,
        "invalid value for parameter \"max_wal_size\": \"1gb\""
    );
    assert_eq!(
        e.hint.as_deref(),
        Some("Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".")
    );
    let e = err("wal_sender_timeout", "5 sec");
    assert_eq!(
        e.hint.as_deref(),
        Some(
            "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"."
        )
    );
    assert!(err("max_wal_size", "1GB x").hint.is_some());
    assert_eq!(
        err("port", "0").message,
        "0 is outside the valid range for parameter \"port\" (1 .. 65535)"
    );
    let e = parse_value_as(setting("port"), "Port", "x").err();
    assert_eq!(
        e.map(|e| e.message),
        Some("invalid value for parameter \"Port\": \"x\"".into())
    );
}

#[test]
fn real_values() {
    assert_eq!(ok("checkpoint_completion_target", "0.5"), Parsed::Real(0.5));
    assert_eq!(ok("checkpoint_completion_target", " 1 "), Parsed::Real(1.0));
    assert_eq!(
        ok("checkpoint_completion_target", ".25"),
        Parsed::Real(0.25)
    );
    let e = err("checkpoint_completion_target", "1.5");
    assert_eq!(
        e.message,
        "1.5 is outside the valid range for parameter \"checkpoint_completion_target\" (0 .. 1)"
    );
    assert_eq!(
        err("checkpoint_completion_target", "abc").message,
        "invalid value for parameter \"checkpoint_completion_target\": \"abc\""
    );
    assert_eq!(err("checkpoint_completion_target", "0.5s").hint, None);
    assert!(err("checkpoint_completion_target", "nan")
        .message
        .starts_with("invalid value"));
    assert_eq!(
        err("checkpoint_completion_target", "inf").message,
        "inf is outside the valid range for parameter \"checkpoint_completion_target\" (0 .. 1)"
    );
}

#[test]
fn g_format() {
    assert_eq!(fmt_g(0.9), "0.9");
    assert_eq!(fmt_g(1.0), "1");
    assert_eq!(fmt_g(0.0), "0");
    assert_eq!(fmt_g(100000.0), "100000");
    assert_eq!(fmt_g(1e6), "1e+06");
    assert_eq!(fmt_g(0.0001), "0.0001");
    assert_eq!(fmt_g(0.00001), "1e-05");
    assert_eq!(fmt_g(123456789.0), "1.23457e+08");
    assert_eq!(fmt_g(0.0025), "0.0025");
    assert_eq!(fmt_g(-2.5), "-2.5");
    assert_eq!(fmt_g(f64::MAX), "1.79769e+308");
}

#[test]
fn bool_values() {
    for s in ["on", "ON", "true", "t", "TR", "yes", "y", "1"] {
        assert_eq!(ok("hot_standby", s), Parsed::Bool(true), "{s}");
    }
    for s in ["off", "of", "false", "f", "fal", "no", "n", "0"] {
        assert_eq!(ok("hot_standby", s), Parsed::Bool(false), "{s}");
    }
    for s in ["o", "", "2", "onn", "yess", " on", "10", "enable"] {
        assert_eq!(
            err("hot_standby", s).message,
            "parameter \"hot_standby\" requires a Boolean value",
            "{s}"
        );
    }
    assert_eq!(show_raw("hot_standby_feedback", "yes"), "on");
}

#[test]
fn enum_values() {
    let e = err("wal_level", "fancy");
    assert_eq!(
        e.message,
        "invalid value for parameter \"wal_level\": \"fancy\""
    );
    assert_eq!(
        e.hint.as_deref(),
        Some("Available values: minimal, replica, logical.")
    );
    assert_eq!(ok("wal_level", "LOGICAL"), Parsed::Text("logical".into()));
    assert_eq!(
        ok("wal_level", "hot_standby"),
        Parsed::Text("replica".into())
    );
    assert_eq!(ok("synchronous_commit", "true"), Parsed::Text("on".into()));
    assert_eq!(ok("synchronous_commit", "0"), Parsed::Text("off".into()));
    assert_eq!(
        ok("synchronous_commit", "remote_apply"),
        Parsed::Text("remote_apply".into())
    );
    assert_eq!(
        err("synchronous_commit", "maybe").hint.as_deref(),
        Some("Available values: local, remote_write, remote_apply, on, off.")
    );
    assert_eq!(
        err("archive_mode", "sometimes").hint.as_deref(),
        Some("Available values: always, on, off.")
    );
    assert_eq!(ok("archive_mode", "yes"), Parsed::Text("on".into()));
    assert_eq!(
        err("password_encryption", "on").hint.as_deref(),
        Some("Available values: md5, scram-sha-256.")
    );
    assert_eq!(
        ok("primary_conninfo", "host=a port=5432"),
        Parsed::Text("host=a port=5432".into())
    );
}

#[test]
fn names() {
    assert_eq!(
        unrecognized("foo"),
        "unrecognized configuration parameter \"foo\""
    );
    assert!(is_known_unmodelled("work_mem"));
    assert!(is_known_unmodelled("LC_Messages"));
    assert!(!is_known_unmodelled("foo"));
    assert!(is_placeholder("pg_stat_statements.track"));
}

#[test]
fn initdb_conf_parses() {
    let text = initdb_postgresql_conf();
    let entries = parse_conf(&text).unwrap_or_else(|e| panic!("{}", e.message("postgresql.conf")));
    let got: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("max_connections", "100"),
            ("shared_buffers", "128MB"),
            ("dynamic_shared_memory_type", "posix"),
            ("max_wal_size", "1GB"),
            ("min_wal_size", "80MB"),
            ("log_timezone", "UTC"),
            ("datestyle", "iso, mdy"),
            ("timezone", "UTC"),
            ("lc_messages", "C.UTF-8"),
            ("lc_monetary", "C.UTF-8"),
            ("lc_numeric", "C.UTF-8"),
            ("lc_time", "C.UTF-8"),
            ("default_text_search_config", "pg_catalog.english"),
        ]
    );
    for e in &entries {
        assert!(
            lookup(&e.name).is_some() || is_known_unmodelled(&e.name),
            "{}",
            e.name
        );
        if let Some(def) = lookup(&e.name) {
            assert!(parse_value(def, &e.value).is_ok(), "{}", e.name);
        }
    }
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.starts_with(needle))
            .map(|i| i + 1)
    };
    assert_eq!(entries[0].line, line_of("max_connections").unwrap_or(0));
    assert!(text.contains("\n#wal_level = replica\t\t\t# minimal, replica, or logical\n"));
    assert!(
        text.contains("\n#listen_addresses = 'localhost'\t\t# what IP address(es) to listen on;\n")
    );
    for def in all() {
        let in_sample = !matches!(
            def.name,
            // data_directory is in the FILE LOCATIONS section, left out of the sample.
            // shared_preload_libraries' sample line is left out too, so that every
            // host's postgresql.conf stays the one the recorded transcripts show.
            "application_name"
                | "shared_preload_libraries"
                | "data_checksums"
                | "data_directory"
                | "server_version"
                | "wal_segment_size"
        );
        let listed = text.contains(&format!("\n#{} = ", def.name))
            || text.contains(&format!("\n{} = ", def.name));
        assert_eq!(listed, in_sample, "{}", def.name);
    }
    assert!(text.ends_with("default_text_search_config = 'pg_catalog.english'\n"));
}

fn conf(text: &str) -> Vec<(usize, String, String)> {
    match parse_conf(text) {
        Ok(v) => v.into_iter().map(|e| (e.line, e.name, e.value)).collect(),
        Err(e) => panic!("{}", e.message("t.conf")),
    }
}

fn conf_err(text: &str) -> String {
    match parse_conf(text) {
        Err(e) => e.message("/data/postgresql.conf"),
        Ok(v) => panic!("accepted {v:?}"),
    }
}

#[test]
fn conf_syntax() {
    let t = |l: usize, n: &str, v: &str| (l, n.to_string(), v.to_string());
    assert_eq!(
        conf("\n# comment\nport 5433\nwal_level=logical # trailing\n  max_wal_size = 2GB\n"),
        vec![
            t(3, "port", "5433"),
            t(4, "wal_level", "logical"),
            t(5, "max_wal_size", "2GB")
        ]
    );
    assert_eq!(conf("a = 'it''s'"), vec![t(1, "a", "it's")]);
    assert_eq!(conf("a = 'x\\'y'\n"), vec![t(1, "a", "x'y")]);
    assert_eq!(
        conf("a = 'tab\\there\\101\\\\'\n"),
        vec![t(1, "a", "tab\thereA\\")]
    );
    assert_eq!(
        conf("a = '#not a comment'\n"),
        vec![t(1, "a", "#not a comment")]
    );
    assert_eq!(conf("a = ''\n"), vec![t(1, "a", "")]);
    assert_eq!(
        conf("a = scram-sha-256\n"),
        vec![t(1, "a", "scram-sha-256")]
    );
    assert_eq!(
        conf("a = 0.9\nb = -1\nc = 5min\nd = 0x1F\n"),
        vec![
            t(1, "a", "0.9"),
            t(2, "b", "-1"),
            t(3, "c", "5min"),
            t(4, "d", "0x1F"),
        ]
    );
    assert_eq!(
        conf("pg_stat_statements.track = all\n"),
        vec![t(1, "pg_stat_statements.track", "all")]
    );
}

#[test]
fn conf_syntax_errors() {
    assert_eq!(
        conf_err("port = 5432\n\nwal_level = = replica\n"),
        "syntax error in file \"/data/postgresql.conf\" line 3, near token \"=\""
    );
    assert_eq!(
        conf_err("port = 5432\nwal_level\nfoo = 1\n"),
        "syntax error in file \"/data/postgresql.conf\" line 2, near end of line"
    );
    assert_eq!(
        conf_err("wal_level =\n"),
        "syntax error in file \"/data/postgresql.conf\" line 1, near end of line"
    );
    assert_eq!(
        conf_err("listen_addresses = 10.0.0.1\n"),
        "syntax error in file \"/data/postgresql.conf\" line 1, near token \".0\""
    );
    assert_eq!(
        conf_err("a = 'unterminated\n"),
        "syntax error in file \"/data/postgresql.conf\" line 1, near token \"'\""
    );
    assert_eq!(
        conf_err("a = 1 2\n"),
        "syntax error in file \"/data/postgresql.conf\" line 1, near token \"2\""
    );
    assert_eq!(
        conf_err("= 1\n"),
        "syntax error in file \"/data/postgresql.conf\" line 1, near token \"=\""
    );
    assert_eq!(
        conf_err("a = pg_catalog.english\n"),
        "syntax error in file \"/data/postgresql.conf\" line 1, near token \"pg_catalog.english\""
    );
    assert_eq!(
        conf_err("a = /tmp\n"),
        "syntax error in file \"/data/postgresql.conf\" line 1, near token \"/\""
    );
    assert_eq!(
        conf_err("a.b.c = 1\n"),
        "syntax error in file \"/data/postgresql.conf\" line 1, near token \"a.b.c\""
    );
    assert_eq!(
        conf_err("a = 1e5\n"),
        "syntax error in file \"/data/postgresql.conf\" line 1, near token \"5\""
    );
    // PostgreSQL's own off-by-one at end of file without a final newline.
    assert_eq!(
        conf_err("port = 1\nwal_level"),
        "syntax error in file \"/data/postgresql.conf\" line 1, near end of line"
    );
    let (entries, errors) = parse_conf_all("a = = 1\nb = 2\nc\n");
    assert_eq!(entries.len(), 1);
    assert_eq!(
        errors,
        vec![
            SyntaxError {
                line: 1,
                near: Some("=".into())
            },
            SyntaxError {
                line: 3,
                near: None
            }
        ]
    );
}

#[test]
fn auto_conf() {
    assert_eq!(
        render_auto_conf(&[("wal_level".into(), "replica".into())]),
        "# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\nwal_level = 'replica'\n"
    );
    let text = render_auto_conf(&[
        ("primary_conninfo".into(), "host=p user='rep'".into()),
        ("archive_command".into(), "cp %p /a\\b".into()),
    ]);
    assert!(text.ends_with(
        "primary_conninfo = 'host=p user=''rep'''\narchive_command = 'cp %p /a\\\\b'\n"
    ));
    let back = conf(&text);
    assert_eq!(back[0].2, "host=p user='rep'");
    assert_eq!(back[1].2, "cp %p /a\\b");
    assert_eq!(
        render_auto_conf(&[]),
        "# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\n"
    );
}
