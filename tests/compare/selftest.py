#!/usr/bin/env python3
"""Self-test of scripts/compare's differ, on synthetic transcripts (no servers needed).

What a run legitimately changes (pids, ports, timestamps, column widths, lag values,
progress lines, pg_ctl's dots) must compare equal; one changed message, one changed LSN,
one changed or missing view row must not, and the normalizations must not hide them.
Run by scripts/test and by `scripts/compare --self-test`.
"""

import importlib.machinery
import importlib.util
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
loader = importlib.machinery.SourceFileLoader("compare", os.path.join(ROOT, "scripts", "compare"))
spec = importlib.util.spec_from_loader("compare", loader)
compare = importlib.util.module_from_spec(spec)
loader.exec_module(compare)

WALSCOPE = """\
primary=# SELECT pg_current_wal_lsn(), pg_walfile_name(pg_current_wal_lsn());
 pg_current_wal_lsn |     pg_walfile_name      
--------------------+--------------------------
 0/3016048          | 000000010000000000000003
(1 row)

standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -P -R
waiting for checkpoint
    0/22954 kB (0%), 0/1 tablespace
22954/22954 kB (100%), 1/1 tablespace
standby1$ pg_ctl start
waiting for server to start.... done
server started
primary=# SELECT pid, application_name, client_port, state, sent_lsn, replay_lsn, replay_lag FROM pg_stat_replication ORDER BY 2;
 pid  | application_name | client_port |   state   | sent_lsn  | replay_lsn |   replay_lag    
------+------------------+-------------+-----------+-----------+------------+-----------------
 4253 | standby1         |       48082 | streaming | 0/3016048 | 0/3016048  | 00:00:00.001001
 4260 | standby2         |       48090 | streaming | 0/3016048 | 0/3016048  | 
(2 rows)

primary=# \\x
Expanded display is on.
primary=# SELECT * FROM pg_replication_slots;
-[ RECORD 1 ]-------+----------
slot_name           | s1
active              | t
active_pid          | 4253
restart_lsn         | 0/3016048
wal_status          | reserved

standby1$ tail -n 2 log/postgresql.log
2026-11-24 09:00:00.310 UTC [2158] LOG:  redo starts at 0/2000028
2026-11-24 09:00:00.311 UTC [2171] LOG:  started streaming WAL from primary at 0/3000000 on timeline 1
standby1$ foo
bash: foo: command not found
primary=# SELECT 1/0;
ERROR:  division by zero
-- 3.500s primary=# (session 2) finished:
INSERT 0 1
-- virtual time: 12.310s
"""

# The same behaviour as a real run prints it: other pids, ports, times, widths, an extra
# progress line, more dots, psql's and bash's prefixes, the socket's Debian path.
REAL = """\
primary=# SELECT pg_current_wal_lsn(), pg_walfile_name(pg_current_wal_lsn());
 pg_current_wal_lsn |     pg_walfile_name
--------------------+--------------------------
 0/3016048          | 000000010000000000000003
(1 row)

standby1$ PGPASSWORD=secret pg_basebackup -h primary -U replicator -D /var/lib/pgsql/data -P -R
waiting for checkpoint
    0/23010 kB (0%), 0/1 tablespace
11000/23010 kB (47%), 0/1 tablespace
23010/23010 kB (100%), 1/1 tablespace
standby1$ pg_ctl start
waiting for server to start...... done
server started
primary=# SELECT pid, application_name, client_port, state, sent_lsn, replay_lsn, replay_lag FROM pg_stat_replication ORDER BY 2;
   pid   | application_name | client_port |   state   | sent_lsn  | replay_lsn |   replay_lag
---------+------------------+-------------+-----------+-----------+------------+-----------------
 1904411 | standby1         |       39998 | streaming | 0/3016048 | 0/3016048  | 00:00:00.000412
 1904420 | standby2         |       40002 | streaming | 0/3016048 | 0/3016048  |
(2 rows)

primary=# \\x
Expanded display is on.
primary=# SELECT * FROM pg_replication_slots;
-[ RECORD 1 ]-------+--------
slot_name           | s1
active              | t
active_pid          | 1904411
restart_lsn         | 0/3016048
wal_status          | reserved

standby1$ tail -n 2 log/postgresql.log
2026-12-05 02:31:07.018 UTC [1904398] LOG:  redo starts at 0/2000028
2026-12-05 02:31:07.102 UTC [1904401] LOG:  started streaming WAL from primary at 0/3000000 on timeline 1
standby1$ foo
bash: line 1: foo: command not found
primary=# SELECT 1/0;
psql:<stdin>:1: ERROR:  division by zero
-- 4.012s primary=# (session 3) finished:
INSERT 0 1
"""

failures = []


def check(name, walscope, real, same, annotations=()):
    diff = compare.compare_texts(walscope, real, annotations)
    if bool(diff) == same:
        failures.append(name)
        print(f"FAIL {name}: expected {'no difference' if same else 'a difference'}")
        print("\n".join(diff) or "(no diff)")
    else:
        print(f"ok   {name}")


def changed(old, new, count=1):
    assert REAL.count(old) >= count, old
    return REAL.replace(old, new, count)


check("a run's pids, ports, times, widths and progress lines compare equal", WALSCOPE, REAL, True)
check("one message differs", WALSCOPE, changed("division by zero", "division by zero!"), False)
check("one log message differs", WALSCOPE,
      changed("LOG:  redo starts at", "LOG:  redo begins at"), False)
check("one LSN differs (table cell)", WALSCOPE,
      changed(" 0/3016048          |", " 0/3016049          |"), False)
check("one LSN differs (log line)", WALSCOPE, changed("at 0/3000000 on", "at 0/4000000 on"), False)
check("one LSN differs (expanded row)", WALSCOPE,
      changed("restart_lsn         | 0/3016048", "restart_lsn         | 0/3000000"), False)
check("one view row missing", WALSCOPE,
      changed(" 1904420 | standby2         |       40002 | streaming | 0/3016048 | 0/3016048  |\n",
              "").replace("(2 rows)", "(1 row)"), False)
check("one view row missing, row count left alone", WALSCOPE,
      changed(" 1904420 | standby2         |       40002 | streaming | 0/3016048 | 0/3016048  |\n", ""), False)
check("one view value differs (state)", WALSCOPE,
      changed("|       39998 | streaming", "|       39998 | catchup  "), False)
check("a NULL lag against a value", WALSCOPE,
      changed("| 0/3016048  |\n(2 rows)", "| 0/3016048  | 00:00:00.000101\n(2 rows)"), False)
check("an expanded value differs", WALSCOPE, changed("active              | t", "active              | f"), False)
check("a WAL file name differs", WALSCOPE,
      changed("000000010000000000000003", "000000010000000000000004"), False)
check("a missing line", WALSCOPE, changed("server started\n", ""), False)
check("an extra log line", WALSCOPE,
      changed("standby1$ foo", "2026-12-05 02:31:07.102 UTC [1904401] LOG:  checkpoint starting: force\nstandby1$ foo"), False)
check("the progress figures' last line still counts (tablespaces)", WALSCOPE,
      changed("23010/23010 kB (100%), 1/1 tablespace", "23010/23010 kB (100%), 0/1 tablespace"), False)

lines, ann = compare.parse_script(
    "# compare: ignore redo starts -- the real server logs it later (fidelity 9)\n"
    "# compare: mask 0/30160(48|49) -- a synthetic difference for this test\n"
    "primary=# SELECT 1;\n")
check("an ignore annotation hides its line only", WALSCOPE,
      changed("LOG:  redo starts at", "LOG:  redo begins at, redo starts"), True, ann)
check("an ignore annotation does not hide another difference", WALSCOPE,
      changed("division by zero", "division by one"), False, ann)
check("a mask annotation hides the match only", WALSCOPE,
      changed(" 0/3016048          |", " 0/3016049          |"), True, ann)

for bad in ("# compare: ignore foo\n", "# compare: ignore ( -- reason\n", "# compare: skip x -- why\n"):
    try:
        compare.parse_script(bad)
        failures.append(f"annotation {bad.strip()!r} accepted")
        print(f"FAIL annotation {bad.strip()!r} accepted")
    except compare.ScriptError:
        print(f"ok   annotation {bad.strip()!r} refused")

lines, _ = compare.parse_script("@2s primary=# SELECT 1,\n  2;\nlab$ wait 1s\nstandby1$ ls\n")
assert [l.target for l in lines] == ["sql", "lab", "shell"], lines
assert lines[0].at == 2 and lines[0].echo() == "primary=# SELECT 1,\nprimary-#   2;\n"

if failures:
    print(f"selftest: {len(failures)} failed")
    sys.exit(1)
print("selftest: the differ finds what it must and ignores only what it should")
