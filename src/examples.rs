//! Ready-made labs: scripts a teacher can start from. Loading one runs its lines through
//! the console, so the console log shows how the cluster was built. The class-notes lab
//! builds asynchronous streaming replication the way a course's notes do on two RHEL 9
//! machines (`lab$ os rhel`): hosts `pg1` and `pg2`, the packages installed on pg2 with
//! `dnf`, settings appended to postgresql.conf, `systemctl`, pg1's firewall opened to
//! PostgreSQL, a clean data directory with `chown`/`chmod`, and
//! `pg_basebackup -Fp -Xs -P -R`. Its extension step installs pgaudit on both hosts
//! (the notes' warning: an extension the primary preloads must be on the standby too),
//! preloads it on pg1 and creates it there; the standby gets the catalog row with the
//! WAL. The last lab puts both kinds of replication on one primary (wal_level =
//! logical): a physical standby cloned with pg_basebackup, and a second cluster made
//! with initdb that subscribes to a publication of one table. The subscription
//! connects as postgres, whose pg_hba line names the database (a logical connection
//! matches by database, not `replication`): a superuser may copy any table, where the
//! replicator role would need SELECT on it for the initial copy. Its workload writes WAL the standby replays and the
//! subscriber never sees: pgoutput decodes only the published table's rows.

/// (title, script). Each standby is started right after its clone: a standby cloned
/// without a slot needs the WAL from the end of its backup on, and the next clone's
/// checkpoint removes that segment on a primary with no `wal_keep_size` (PostgreSQL
/// does the same; `tests/runner.rs` checks that every example ends up streaming).
pub const EXAMPLES: [(&str, &str); 4] = [
    (
        "Primary + 3 standbys (standby1 synchronous, standby3 cross-region 40 ms), 1000 TPS",
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
lab$ latency primary standby3 40ms
lab$ bandwidth primary standby3 10MB/s
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
    (
        "Class notes: two RHEL 9 machines, PG1 and PG2",
        "lab$ os rhel
lab$ node rename primary pg1
lab$ node add pg2
pg2$ sudo dnf install -y postgresql-server postgresql-contrib
pg1$ sudo dnf install -y pgaudit
pg2$ sudo dnf install -y pgaudit
pg1=# CREATE USER replicator WITH REPLICATION ENCRYPTED PASSWORD 'secret';
pg1$ echo \"listen_addresses = '*'\" >> /var/lib/pgsql/data/postgresql.conf
pg1$ echo \"wal_level = replica\" >> /var/lib/pgsql/data/postgresql.conf
pg1$ echo \"max_wal_senders = 10\" >> /var/lib/pgsql/data/postgresql.conf
pg1$ echo \"wal_keep_size = 256MB\" >> /var/lib/pgsql/data/postgresql.conf
pg1$ echo \"hot_standby = on\" >> /var/lib/pgsql/data/postgresql.conf
pg1$ echo \"wal_log_hints = on\" >> /var/lib/pgsql/data/postgresql.conf
pg1$ echo \"shared_preload_libraries = 'pgaudit'\" >> /var/lib/pgsql/data/postgresql.conf
pg1$ echo \"host replication replicator 10.0.0.2/32 scram-sha-256\" >> /var/lib/pgsql/data/pg_hba.conf
pg1$ sudo systemctl restart postgresql
pg1=# CREATE EXTENSION pgaudit;
pg1$ sudo firewall-cmd --add-service=postgresql --permanent
pg1$ sudo firewall-cmd --reload
pg2$ sudo rm -rf /var/lib/pgsql/data
pg2$ sudo mkdir /var/lib/pgsql/data
pg2$ sudo chown postgres:postgres /var/lib/pgsql/data
pg2$ sudo chmod 700 /var/lib/pgsql/data
pg2$ PGPASSWORD=secret pg_basebackup -h pg1 -U replicator -D /var/lib/pgsql/data -Fp -Xs -P -R
pg2$ sudo systemctl start postgresql
lab$ wait 1s
pg2=# \\dx
",
    ),
    (
        "Primary + a physical standby and a logical subscriber, side by side",
        "primary=# ALTER SYSTEM SET listen_addresses = '*';
primary=# ALTER SYSTEM SET wal_level = logical;
primary=# CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'secret';
primary$ echo 'host replication replicator 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary=# ALTER ROLE postgres PASSWORD 'secret';
primary$ echo 'host postgres postgres 10.0.0.0/24 scram-sha-256' >> pg_hba.conf
primary$ pg_ctl restart
primary=# CREATE TABLE accounts (id int primary key, owner text);
primary=# INSERT INTO accounts VALUES (1, 'alice'), (2, 'bob');
primary=# CREATE PUBLICATION mypub FOR TABLE accounts;
lab$ node add standby1
standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -P -R
standby1$ pg_ctl start
lab$ node add subscriber
subscriber$ initdb -D /var/lib/pgsql/data
subscriber$ pg_ctl start
subscriber=# CREATE TABLE accounts (id int primary key, owner text);
subscriber=# CREATE SUBSCRIPTION mysub CONNECTION 'host=primary dbname=postgres user=postgres password=secret' PUBLICATION mypub;
lab$ wait 5s
primary=# INSERT INTO accounts VALUES (3, 'carol');
primary=# UPDATE accounts SET owner = 'Bob' WHERE id = 2;
lab$ workload primary 10
",
    ),
];

/// The names a lesson's `start:` uses for the examples, in the order of [`EXAMPLES`].
pub const IDS: [&str; 4] = [
    "three-standbys",
    "one-standby",
    "class-notes",
    "standby-and-subscriber",
];

/// The script of the example named `id`.
pub fn by_id(id: &str) -> Option<&'static str> {
    IDS.iter().position(|i| *i == id).map(|i| EXAMPLES[i].1)
}
