//! The commands the cards' buttons run, run natively on the example labs: what a
//! button does must work where a class first meets it.

use walscope::examples::EXAMPLES;
use walscope::script::shell::basebackup_command;
use walscope::script::Runner;

/// In the examples whose pg_hba.conf lets the lab's subnet in (the class-notes lab
/// admits only 10.0.0.2, as its notes do), a new host cloned with the button streams.
#[test]
fn the_clone_button_command_works_with_a_scram_hba_line() {
    for (title, script) in &EXAMPLES[..2] {
        let mut r = Runner::new(0);
        r.run_text(script).unwrap();
        let primary = r.cluster.nodes()[0].id;
        let cmd = basebackup_command(&r.cluster, primary);
        let from = r.cluster.host(primary).name.clone();
        assert_eq!(
            cmd,
            format!("PGPASSWORD=secret pg_basebackup -h {from} -U replicator -D /var/lib/pgsql/data -P -R"),
            "{title}"
        );
        let out = r
            .run_text(&format!(
                "lab$ node add clone\nclone$ {cmd}\nclone$ pg_ctl start\nlab$ wait 2s\n"
            ))
            .unwrap();
        assert!(!out.contains("error"), "{title}:\n{out}");
        let clone = r.cluster.host_id("clone").unwrap();
        let rx = r.cluster.stat_wal_receiver(clone);
        assert_eq!(rx.map(|w| w.status), Some("streaming"), "{title}:\n{out}");
    }
}

/// On the mixed example (a physical standby and a logical subscriber on one primary),
/// the subscriber's card offers its subscription with a conflict on `accounts`; the
/// two INSERTs it types use the next key (one past the 3 rows both servers hold), and
/// run in that order they stop the apply worker with PostgreSQL 15.18's ERROR and
/// DETAIL (real server: local `INSERT INTO t VALUES (100, 'local')` on the subscriber,
/// then the same key on the publisher, subscriber log `ERROR:  duplicate key value
/// violates unique constraint "t_pkey"` / `DETAIL:  Key (id)=(100) already exists.`).
/// The Disable and Enable buttons' lines stop and restart it.
#[test]
fn the_subscription_buttons_commands_disable_and_cause_a_conflict() {
    let mut r = Runner::new(0);
    r.run_text(walscope::examples::by_id("standby-and-subscriber").unwrap())
        .unwrap();
    let sub = r.cluster.host_id("subscriber").unwrap();
    let cards = r.cluster.subscription_cards(sub);
    assert_eq!(
        cards,
        vec![walscope::sim::SubscriptionCard {
            name: "mysub".into(),
            enabled: true,
            conflict_table: Some("accounts".into()),
        }]
    );
    let c = r.cluster.conflict_inserts(sub, "mysub").unwrap();
    assert_eq!(r.cluster.host(c.publisher).name, "primary");
    assert_eq!(
        c.on_subscriber,
        "INSERT INTO accounts (id, owner) VALUES (4, 'subscriber');"
    );
    assert_eq!(
        c.on_publisher,
        "INSERT INTO accounts (id, owner) VALUES (4, 'primary');"
    );
    let out = r
        .run_text(&format!(
            "subscriber=# {}\nprimary=# {}\nlab$ wait 2s\nsubscriber$ grep -A1 ERROR log/postgresql.log\n",
            c.on_subscriber, c.on_publisher
        ))
        .unwrap();
    assert!(
        out.contains("ERROR:  duplicate key value violates unique constraint \"accounts_pkey\"\n"),
        "{out}"
    );
    assert!(
        out.contains("DETAIL:  Key (id)=(4) already exists.\n"),
        "{out}"
    );
    let stopped = r.cluster.stopped_subscriptions();
    assert_eq!(stopped.len(), 1, "{stopped:?}");
    assert!(
        stopped[0].why.starts_with("duplicate key value"),
        "{stopped:?}"
    );
    // Disable: the card offers Enable; Enable with the local row gone: it streams.
    r.run_text("subscriber=# ALTER SUBSCRIPTION mysub DISABLE;\nlab$ wait 1s\n")
        .unwrap();
    assert!(!r.cluster.subscription_cards(sub)[0].enabled);
    assert_eq!(r.cluster.stopped_subscriptions()[0].why, "disabled");
    r.run_text("subscriber=# DELETE FROM accounts WHERE id = 4;\nsubscriber=# ALTER SUBSCRIPTION mysub ENABLE;\nlab$ wait 8s\n")
        .unwrap();
    assert!(r.cluster.stopped_subscriptions().is_empty());
    let t = r
        .run_text("subscriber=# SELECT owner FROM accounts WHERE id = 4;\n")
        .unwrap();
    assert!(t.contains(" primary\n"), "{t}");
}

/// A subscription whose tables have no primary key or unique index offers no conflict:
/// without a key the subscriber takes both rows.
#[test]
fn a_subscription_without_a_key_offers_no_conflict() {
    let mut r = Runner::new(0);
    let script = walscope::examples::by_id("standby-and-subscriber")
        .unwrap()
        .replace("(id int primary key, owner text)", "(id int, owner text)");
    r.run_text(&script).unwrap();
    let sub = r.cluster.host_id("subscriber").unwrap();
    assert_eq!(r.cluster.subscription_cards(sub)[0].conflict_table, None);
    assert_eq!(r.cluster.conflict_inserts(sub, "mysub"), None);
}
