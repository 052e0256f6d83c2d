"""Runs a walscope script on real PostgreSQL 15 servers, one network namespace per host.

The world matches walscope's: host `primary` (10.0.0.1) runs PostgreSQL 15 with initdb's
defaults in /var/lib/pgsql/data (server log in log/postgresql.log); `lab$ node add NAME`
adds the next address with PostgreSQL installed and no data directory. Every host is a
network namespace of its own, joined to each other host by a veth pair (one per link, so a
partition or a bandwidth limit applies to that link only), with no interface in the root
namespace and no route out of the machine: the run refuses to start otherwise. Each command
runs in a fresh mount namespace where the host's own directories are bound over
/var/lib/pgsql, /run/postgresql and /etc/hosts (the host names resolve to their addresses),
as the postgres OS user, which is what walscope's shell is (`whoami` says postgres there).

Used by scripts/compare; it needs root, iproute2, util-linux and postgresql-15.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PGBIN = "/usr/lib/postgresql/15/bin"
PATIENCE = 1.0  # walscope's runner waits this long for a statement held by SyncRep
SEGMENT_PAUSE = 0.1  # after each line: lets walsenders/receivers react, as virtual time does

LAB_MESSAGES = {
    "add": "host {name} added ({addr}): PostgreSQL 15 installed, no data directory, server stopped\n",
    "rename": "host {old} is now {new} ({addr})\n",
    "nocrash": "{name}: no server running; nothing to crash\n",
    "nowait": "{name}: no statement is waiting\n",
}

SYSTEMCTL = r"""#!/bin/bash
# systemctl for the compare hosts: the postgresql unit is pg_ctl on /var/lib/pgsql/data,
# with walscope's (and systemd's) messages.
action=$1; unit=${2%.service}
if [ -z "$action" ] || [ -z "$2" ]; then echo "Too few arguments."; exit 1; fi
if [ "$unit" != postgresql ] && [ "$unit" != postgresql-15 ]; then
  echo "Failed to $action $2: Unit $unit.service not found."; exit 5; fi
failed() {
  echo "Job for $unit.service failed because the control process exited with error code."
  echo "See \"systemctl status $unit.service\" and \"journalctl -xeu $unit.service\" for details."
  exit 1
}
running() { pg_ctl status -D "$PGDATA" >/dev/null 2>&1; }
case $action in
  start) running || pg_ctl start -D "$PGDATA" -w >/dev/null 2>&1 || failed ;;
  stop) ! running || pg_ctl stop -D "$PGDATA" -m fast -w >/dev/null 2>&1 ;;
  restart) if running; then pg_ctl stop -D "$PGDATA" -m fast -w >/dev/null 2>&1; fi
           pg_ctl start -D "$PGDATA" -w >/dev/null 2>&1 || failed ;;
  reload) running || { echo "$unit.service is not active, cannot reload."; exit 1; }
          pg_ctl reload -D "$PGDATA" >/dev/null 2>&1 ;;
  status) if running; then a="active (running)"; else a="inactive (dead)"; fi
          echo "● $unit.service - PostgreSQL 15 database server"
          echo "     Loaded: loaded (/usr/lib/systemd/system/$unit.service; enabled)"
          echo "     Active: $a" ;;
  enable|disable|daemon-reload) ;;
  *) echo "Unknown command verb $action."; exit 1 ;;
esac
"""

PG_CTL = r"""#!/bin/bash
# pg_ctl that writes the server log to log/postgresql.log under the data directory, where
# walscope's server writes it (initdb's defaults have no logging collector: the log is the
# postmaster's stderr, which pg_ctl -l sends to that file).
real=/usr/lib/postgresql/15/bin/pg_ctl
dir=$PGDATA; has_l=; action=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    -D) dir=${args[i+1]} ;;
    -D*) dir=${args[i]#-D} ;;
    --pgdata=*) dir=${args[i]#--pgdata=} ;;
    -l|-l*|--log=*|--log) has_l=1 ;;
    start|restart) action=${args[i]} ;;
  esac
done
if [ -n "$action" ] && [ -z "$has_l" ] && [ -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir/log" 2>/dev/null
  exec "$real" "$@" -l "$dir/log/postgresql.log"
fi
exec "$real" "$@"
"""

WORKLOAD_SQL = "SELECT pg_logical_emit_message(true, 'walscope', 'workload');\n"


def sh(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, text=True, capture_output=True, **kw)


class Refused(Exception):
    """The real run cannot be made faithfully (or safely): say why and stop."""


class Host:
    def __init__(self, lab, index, name):
        self.index = index
        self.name = name
        self.addr = f"10.0.0.{index}"
        self.ns = f"{lab.prefix}h{index}"
        self.dir = os.path.join(lab.work, f"host{index}")
        self.pgsql = os.path.join(self.dir, "pgsql")
        self.run = os.path.join(self.dir, "run")


class Lab:
    count = 0

    def __init__(self, out):
        self.out = out  # callable(str): the transcript
        Lab.count += 1
        self.prefix = f"wsc{os.getpid()}n{Lab.count}"
        # On tmpfs where there is one: fsync costs nothing there, so a server start or a
        # checkpoint takes the time PostgreSQL needs rather than the disk's.
        shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
        self.work = tempfile.mkdtemp(prefix="walscope-compare-", dir=shm)
        os.chmod(self.work, 0o755)
        self.hosts = []
        self.links = {}  # (i, j) with i < j -> (name in i, name in j)
        self.procs = []  # background Popen objects we started (psql waiting, workloads)
        self.pending = []  # (Popen, node name, session number, output file)
        self.workloads = {}  # host index -> Popen
        self.sessions = {}
        self.expanded = {}
        self.start = time.monotonic()
        self.bin = os.path.join(self.work, "bin")
        os.makedirs(self.bin)
        for name, text in (("systemctl", SYSTEMCTL), ("pg_ctl", PG_CTL)):
            p = os.path.join(self.bin, name)
            with open(p, "w") as f:
                f.write(text)
            os.chmod(p, 0o755)
        os.chmod(self.bin, 0o755)
        self.hosts_file = os.path.join(self.work, "hosts")
        self.write_hosts()
        with open(os.path.join(self.work, "workload.sql"), "w") as f:
            f.write(WORKLOAD_SQL)
        os.chmod(os.path.join(self.work, "workload.sql"), 0o644)

    # ---- the world -------------------------------------------------------------------

    def write_hosts(self):
        text = "127.0.0.1\tlocalhost\n"
        for h in self.hosts:
            text += f"{h.addr}\t{h.name}\n"
        # Written in place: the bind mounts of running commands keep the same file.
        with open(self.hosts_file, "a+") as f:
            f.seek(0)
            f.truncate()
            f.write(text)
        os.chmod(self.hosts_file, 0o644)

    def host(self, name):
        for h in self.hosts:
            if h.name == name:
                return h
        return None

    def add_host(self, name):
        index = len(self.hosts) + 1
        if index > 250:
            raise Refused("more than 250 hosts")
        h = Host(self, index, name)
        for d, mode in ((h.dir, 0o755), (h.pgsql, 0o700), (h.run, 0o2775)):
            os.makedirs(d)
            os.chmod(d, mode)
        for d in (h.pgsql, h.run):
            shutil.chown(d, "postgres", "postgres")
        if os.path.exists(os.path.join("/run/netns", h.ns)):
            raise Refused(f"network namespace {h.ns} exists already")
        sh("ip", "netns", "add", h.ns)
        self.hosts.append(h)
        # walscope's hosts have IPv4 addresses only (a server listens on 127.0.0.1, or on
        # 0.0.0.0 for '*'), so IPv6 is off in the host's namespace.
        for conf in ("all", "default", "lo"):
            sh("ip", "netns", "exec", h.ns, "sysctl", "-qw", f"net.ipv6.conf.{conf}.disable_ipv6=1")
        sh("ip", "-n", h.ns, "link", "set", "lo", "up")
        sh("ip", "-n", h.ns, "addr", "add", f"{h.addr}/32", "dev", "lo")
        for other in self.hosts[:-1]:
            a, b = f"w{other.index}-{index}", f"w{index}-{other.index}"
            sh("ip", "link", "add", a, "netns", other.ns, "type", "veth", "peer", "name", b, "netns", h.ns)
            self.links[(other.index, index)] = (a, b)
            self.link_up(other, h)
        self.write_hosts()
        self.verify_isolation()
        return h

    def link_names(self, x, y):
        i, j = sorted((x.index, y.index))
        a, b = self.links[(i, j)]
        return (a, b) if x.index == i else (b, a)

    def link_up(self, x, y):
        nx, ny = self.link_names(x, y)
        for h, dev, peer in ((x, nx, y), (y, ny, x)):
            sh("ip", "-n", h.ns, "link", "set", dev, "up")
            sh("ip", "-n", h.ns, "route", "replace", f"{peer.addr}/32", "dev", dev, "src", h.addr)

    def verify_isolation(self):
        """Refuse to run unless every host namespace can reach only the other hosts."""
        root_links = sh("ip", "-o", "link", "show").stdout
        if re.search(r"^\d+: w\d+-\d+[@:]", root_links, re.M):
            raise Refused("a compare link appeared in the root network namespace")
        for h in self.hosts:
            links = sh("ip", "-n", h.ns, "-o", "link", "show").stdout
            for m in re.finditer(r"^\d+: ([^:@]+)", links, re.M):
                if m.group(1) != "lo" and not re.fullmatch(r"w\d+-\d+", m.group(1)):
                    raise Refused(f"host {h.name} has an unexpected interface {m.group(1)}")
            for dev in re.findall(r"^\d+: (w\d+-\d+)@", links, re.M):
                info = sh("ip", "-n", h.ns, "-d", "link", "show", dev).stdout
                if "link-netns" not in info and "link-netnsid" not in info:
                    raise Refused(f"host {h.name}: {dev} is not joined to another lab namespace")
            for family in ("-4", "-6"):
                routes = sh("ip", "-n", h.ns, family, "route", "show", "table", "all").stdout
                if re.search(r"^default", routes, re.M):
                    raise Refused(f"host {h.name} has a default route")
            for probe in ("1.1.1.1", "192.168.0.1", "10.0.1.1"):
                r = sh("ip", "-n", h.ns, "route", "get", probe, check=False)
                # (ip has been seen to exit 0 with nothing printed here, under load: a route
                # is one that ip prints; the interface check above is the real guarantee.)
                if r.returncode == 0 and probe in r.stdout:
                    raise Refused(f"host {h.name} has a route to {probe}: {r.stdout.strip()}")

    # ---- running things on a host ----------------------------------------------------

    def command(self, h, shell_cmd, user="postgres"):
        """argv that runs shell_cmd on host h: its network namespace, its directories,
        as the postgres user (or root), from its data directory when there is one."""
        env = [
            "HOME=/var/lib/postgresql", f"USER={user}", f"LOGNAME={user}",
            f"PATH={self.bin}:{PGBIN}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "PGDATA=/var/lib/pgsql/data", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC",
            f"HOSTNAME={h.name}", "TERM=dumb",
        ]
        drop = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"] if user == "postgres" else []
        inner = (
            'hostname "$1" && mount --bind "$2" /var/lib/pgsql && mount --bind "$3" /run/postgresql && '
            'mount --bind "$4" /etc/hosts && { cd /var/lib/pgsql/data 2>/dev/null || cd /var/lib/pgsql; } && '
            'shift 4 && exec "$@"'
        )
        return (
            ["ip", "netns", "exec", h.ns, "unshare", "--mount", "--propagation", "private", "--uts",
             "sh", "-c", inner, "sh", h.name, h.pgsql, h.run, self.hosts_file]
            + drop + ["env", "-i"] + env + ["bash", "-c", shell_cmd]
        )

    def run(self, h, shell_cmd, timeout=600, user="postgres"):
        r = subprocess.run(self.command(h, shell_cmd, user), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        return r.stdout.decode("utf-8", "replace")

    def spawn(self, h, shell_cmd, stdin_text=None):
        outf = tempfile.TemporaryFile(dir=self.work)
        p = subprocess.Popen(self.command(h, shell_cmd), stdin=subprocess.PIPE, stdout=outf,
                             stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(p)
        if stdin_text is not None:
            p.stdin.write(stdin_text.encode())
        p.stdin.close()
        return p, outf

    def boot_primary(self):
        h = self.add_host("primary")
        out = self.run(h, "initdb -D /var/lib/pgsql/data -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1 "
                          "&& pg_ctl start -w >/dev/null 2>&1 && echo ok")
        if "ok" not in out:
            raise Refused("initdb or the first start of primary failed: " + out)

    # ---- the script ------------------------------------------------------------------

    def wait_until(self, at):
        if at is not None:
            delay = self.start + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def drain(self):
        reap(self.procs)
        still = []
        for p, name, session, outf in self.pending:
            if p.poll() is None:
                still.append((p, name, session, outf))
                continue
            outf.seek(0)
            text = outf.read().decode("utf-8", "replace")
            t = time.monotonic() - self.start
            self.out(f"-- {t:.3f}s {name}=# (session {session}) finished:\n{text}")
        self.pending = still

    def sql(self, name, text):
        h = self.host(name)
        if h is None:
            return f'walscope: no host named "{name}" (add one with: lab$ node add {name})\n'
        expanded = self.expanded.get(name, False)
        cmd = "psql -X -P expanded=" + ("on" if expanded else "off") + " -f -"
        stripped = text.strip()
        if re.fullmatch(r"\\x(\s+(on|off|auto))?", stripped):
            arg = stripped[2:].strip()
            self.expanded[name] = (not expanded) if arg == "" else arg == "on"
            return "Expanded display is %s.\n" % ("on" if self.expanded[name] else "off")
        self.sessions[name] = self.sessions.get(name, 0) + 1
        p, outf = self.spawn(h, cmd, text + "\n")
        try:
            p.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            # Held (by SyncRep, most likely): go on as walscope does, print it when done.
            self.pending.append((p, name, self.sessions[name], outf))
            return ""
        outf.seek(0)
        return outf.read().decode("utf-8", "replace")

    def shell(self, name, text):
        h = self.host(name)
        if h is None:
            return f'walscope: no host named "{name}" (add one with: lab$ node add {name})\n'
        return self.run(h, text)

    def lab(self, text):
        words = text.split()
        if words[:2] == ["node", "add"] and len(words) == 3:
            h = self.add_host(words[2])
            return LAB_MESSAGES["add"].format(name=h.name, addr=h.addr)
        if words[:2] == ["node", "rename"] and len(words) == 4:
            h = self.host(words[2])
            h.name = words[3]
            self.write_hosts()
            for d in (self.expanded, self.sessions):
                if words[2] in d:
                    d[words[3]] = d.pop(words[2])
            return LAB_MESSAGES["rename"].format(old=words[2], new=words[3], addr=h.addr)
        if words[0] == "wait" and len(words) == 2:
            time.sleep(parse_duration(words[1]))
            return ""
        if words[0] == "crash" and len(words) == 2:
            h = self.host(words[1])
            if not self.kill_postmaster(h):
                return LAB_MESSAGES["nocrash"].format(name=h.name)
            return ""
        if words[0] in ("partition", "heal") and len(words) == 3:
            x, y = self.host(words[1]), self.host(words[2])
            if words[0] == "heal":
                self.link_up(x, y)
            else:
                for hh, dev in zip((x, y), self.link_names(x, y)):
                    # blackhole drops every packet silently, as a cut cable does (the link
                    # stays up, TCP retransmits, connections time out as they would).
                    sh("ip", "netns", "exec", hh.ns, "tc", "qdisc", "replace", "dev", dev, "root", "blackhole")
            if words[0] == "heal":
                for hh, dev in zip((x, y), self.link_names(x, y)):
                    sh("ip", "netns", "exec", hh.ns, "tc", "qdisc", "del", "dev", dev, "root", check=False)
            return ""
        if words[0] == "bandwidth" and len(words) == 4:
            x, y = self.host(words[1]), self.host(words[2])
            rate = parse_rate(words[3])
            for hh, dev in zip((x, y), self.link_names(x, y)):
                sh("ip", "netns", "exec", hh.ns, "tc", "qdisc", "replace", "dev", dev, "root", "tbf",
                   "rate", f"{rate}bps", "burst", "32kb", "latency", "10s")
            return ""
        if words[0] == "latency":
            raise Refused(LATENCY_REFUSAL)
        if words[0] == "workload" and len(words) == 3:
            h = self.host(words[1])
            old = self.workloads.pop(h.index, None)
            if old is not None:
                kill_group(old)
            if words[2] != "off":
                sqlf = os.path.join(self.work, "workload.sql")
                p, _ = self.spawn(h, f"exec pgbench -n -c 1 -R {int(words[2])} -T 86400 -f {sqlf} "
                                     ">/dev/null 2>&1")
                self.workloads[h.index] = p
            return ""
        if words[0] == "cancel" and len(words) == 2:
            h = self.host(words[1])
            n = self.run(h, "psql -X -Atc \"SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity "
                            "WHERE wait_event = 'SyncRep'\" 2>/dev/null").strip()
            if n in ("", "0"):
                return LAB_MESSAGES["nowait"].format(name=h.name)
            deadline = time.monotonic() + 5
            while any(p.poll() is None for p, nm, _, _ in self.pending if nm == h.name) \
                    and time.monotonic() < deadline:
                time.sleep(0.05)
            return ""
        if words[0] == "seed":
            return ""
        raise Refused(f"lab command not supported on real servers: {text}")

    def postmaster(self, h):
        try:
            with open(os.path.join(h.pgsql, "data", "postmaster.pid")) as f:
                pid = int(f.readline())
        except (OSError, ValueError):
            return None
        ident = sh("ip", "netns", "identify", str(pid), check=False).stdout.strip()
        if ident != h.ns:
            return None
        return pid

    def kill_postmaster(self, h):
        pid = self.postmaster(h)
        if pid is None:
            return False
        kill_and_clean([pid] + children(pid), self.procs)
        return True

    def close(self):
        for p in self.procs:
            kill_group(p)
        for h in self.hosts:
            if self.postmaster(h) is not None:
                # An immediate stop lets the server remove its shared memory itself.
                try:
                    self.run(h, "pg_ctl stop -m immediate -w >/dev/null 2>&1", timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            self.kill_postmaster(h)
        time.sleep(0.2)
        for h in self.hosts:
            # Anything still alive in a namespace this run created was started by it
            # (initdb's bootstrap backend, an interrupted command).
            pids = sh("ip", "netns", "pids", h.ns, check=False).stdout.split()
            kill_and_clean([int(p) for p in pids if p.isdigit()], self.procs)
        for h in self.hosts:
            r = sh("ip", "netns", "del", h.ns, check=False)
            if r.returncode != 0:
                print(f"compare: could not delete network namespace {h.ns}: {r.stderr.strip()}", file=sys.stderr)
        shutil.rmtree(self.work, ignore_errors=True)


LATENCY_REFUSAL = (
    "lab$ latency cannot be reproduced on this machine: the kernel has no sch_netem "
    "(tc qdisc ... netem: \"Specified qdisc kind is unknown\") and no modprobe, so a link's "
    "delay cannot be shaped; scenarios of the suite avoid latency"
)


def become_subreaper():
    """Orphaned postmasters (pg_ctl's child outlives it) become our children, so that we
    reap them when they die: a zombie postmaster would pass for a running one."""
    import ctypes
    PR_SET_CHILD_SUBREAPER = 36
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap(keep):
    """Reaps our zombie children, except the Popen objects in keep (they reap their own)."""
    keep = {p.pid for p in keep}
    for pid in children(os.getpid()):
        if pid in keep or alive(pid):
            continue
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def start_reaper(lab):
    """A thread that reaps orphaned servers while the main thread waits on a command
    (pg_ctl stop waits for its postmaster to be gone, and a zombie is not gone)."""
    import threading
    stop = threading.Event()

    def loop():
        while not stop.wait(0.05):
            reap(list(lab.procs))

    threading.Thread(target=loop, daemon=True).start()
    return stop


def children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            kids.append(int(entry))
    return kids


def kill_and_clean(victims, keep):
    """SIGKILL to victims; then removes the dynamic shared memory segments in /dev/shm
    that they mapped (a killed server, or initdb's backend, leaves them behind)."""
    segments = set()
    for v in victims:
        try:
            with open(f"/proc/{v}/maps") as f:
                segments.update(re.findall(r"(/dev/shm/PostgreSQL\.\d+)", f.read()))
        except OSError:
            pass
    for v in victims:
        try:
            os.kill(v, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(v) for v in victims):
        reap(keep)
        time.sleep(0.02)
    for seg in segments:
        try:
            os.unlink(seg)
        except OSError:
            pass


def alive(pid):
    """True while pid runs (a zombie is not running)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_group(p):
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def parse_duration(s):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|min|h)", s)
    if not m:
        raise Refused(f"invalid duration {s}")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "min": 60, "h": 3600}[m.group(2)]


def parse_rate(s):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(B|kB|KB|MB|GB|kbit|Mbit|Gbit)/s", s)
    if not m:
        raise Refused(f"invalid rate {s}")
    mult = {"B": 1, "kB": 1024, "KB": 1024, "MB": 1 << 20, "GB": 1 << 30,
            "kbit": 125, "Mbit": 125_000, "Gbit": 125_000_000}[m.group(2)]
    return int(float(m.group(1)) * mult)


def netem_available():
    """Whether this kernel can delay packets (tc's netem), probed in a throwaway namespace."""
    ns = f"wsc{os.getpid()}probe"
    if sh("ip", "netns", "add", ns, check=False).returncode != 0:
        return False
    try:
        sh("ip", "-n", ns, "link", "set", "lo", "up", check=False)
        r = sh("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", "lo", "root", "netem",
               "delay", "1ms", check=False)
        return r.returncode == 0
    finally:
        sh("ip", "netns", "del", ns, check=False)


def run_script(lines, out):
    """Runs parsed script lines (see compare.parse_script) on a fresh real lab."""
    for line in lines:
        if line.target == "lab" and line.text.split()[:1] == ["latency"]:
            if netem_available():
                raise Refused("lab$ latency is not implemented by scripts/compare yet "
                              "(this kernel has netem: it can be, with tc qdisc ... netem delay)")
            raise Refused(LATENCY_REFUSAL)
    for tool in ("ip", "tc", "unshare", "setpriv", "mount", PGBIN + "/postgres"):
        if shutil.which(tool) is None:
            raise Refused(f"{tool} is missing (scripts/setup installs it)")
    if os.geteuid() != 0:
        raise Refused("the real run needs root (network and mount namespaces)")
    if not os.path.isdir("/var/lib/pgsql"):
        raise Refused("/var/lib/pgsql (the mount point of each host's directory) is missing; run scripts/setup")
    become_subreaper()
    lab = Lab(out)
    reaper = start_reaper(lab)
    try:
        lab.boot_primary()
        if os.environ.get("WALSCOPE_COMPARE_TRACE"):
            print(f"compare: primary up after {time.monotonic() - lab.start:.2f}s", file=sys.stderr)
        lab.start = time.monotonic()
        for line in lines:
            lab.wait_until(line.at)
            lab.drain()
            out(line.echo())
            if line.target == "lab":
                text = lab.lab(line.text)
            elif line.target == "sql":
                text = lab.sql(line.node, line.text)
            else:
                text = lab.shell(line.node, line.text)
            out(text)
            if os.environ.get("WALSCOPE_COMPARE_TRACE"):
                print(f"compare: {time.monotonic() - lab.start:7.2f}s line {line.number}", file=sys.stderr)
            time.sleep(SEGMENT_PAUSE)
            lab.drain()
        deadline = time.monotonic() + 3
        while lab.pending and time.monotonic() < deadline:
            time.sleep(0.1)
            lab.drain()
    finally:
        reaper.set()
        lab.close()
