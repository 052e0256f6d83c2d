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
