//! Ready-made labs: scripts a teacher can start from. Loading one runs its lines through
//! the console, so the console log shows how the cluster was built.

/// (title, script). Each standby is started right after its clone: a standby cloned
/// without a slot needs the WAL from the end of its backup on, and the next clone's
/// checkpoint removes that segment on a primary with no `wal_keep_size` (PostgreSQL
/// does the same; `tests/runner.rs` checks that every example ends up streaming).
pub const EXAMPLES: [(&str, &str); 2] = [
    (
        "Primary + 3 standbys (standby1 synchronous), 1000 TPS",
        "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
lab$ node add standby2
lab$ node add standby3
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -P -R
standby1$ echo \"cluster_name = 'standby1'\" >> postgresql.conf
standby1$ pg_ctl start
standby2$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -P -R
standby2$ echo \"cluster_name = 'standby2'\" >> postgresql.conf
standby2$ pg_ctl start
standby3$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -P -R
standby3$ echo \"cluster_name = 'standby3'\" >> postgresql.conf
standby3$ pg_ctl start
primary=# ALTER SYSTEM SET synchronous_standby_names = 'standby1';
primary=# SELECT pg_reload_conf();
lab$ wait 1s
lab$ workload primary 1000
",
    ),
    (
        "Primary + 1 asynchronous standby",
        "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
lab$ node add standby1
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -P -R
standby1$ pg_ctl start
lab$ wait 1s
primary=# CREATE TABLE test (id int);
primary=# INSERT INTO test VALUES (1);
",
    ),
];

/// The names a lesson's `start:` uses for the examples, in the order of [`EXAMPLES`].
pub const IDS: [&str; 2] = ["three-standbys", "one-standby"];

/// The script of the example named `id`.
pub fn by_id(id: &str) -> Option<&'static str> {
    IDS.iter().position(|i| *i == id).map(|i| EXAMPLES[i].1)
}
