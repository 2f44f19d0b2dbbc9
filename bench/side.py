#!/usr/bin/env python3
"""side.py: dyndns-guard side by side with stock Unbound (run by bench/run.sh).

One Unbound build, five configurations, the same synthetic lists and
queries, interleaved and repeated:
  stock      no module
  log        the module, mode: log, events written to a log-file
  block      the module, mode: block
  localzone  the same zones as local-zone: "<zone>" always_nxdomain
  rpz        the same zones as an RPZ zone (apex and wildcard, CNAME .)
behind an offline upstream (NSD on a loopback address serving wildcard
zones for every TLD the names use; an auth-zone for "." delegates to it).
Also: list replacement (the module's rename against unbound-control reload
and auth_zone_reload), the list micro-benchmarks (tests/bench/bench_list)
and instructions per answered query (perf or callgrind).

Writes bench/results/<date>-<host>.md (and .json with every measurement)
and prints the report. Parameters come from the environment; see
bench/README.md or `bench/run.sh --help`.
"""
import json
import os
import platform
import random
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, HERE)
import gen  # noqa: E402

CONFIGS = ["stock", "log", "block", "localzone", "rpz"]
PARTS = CONFIGS + ["swap", "micro", "cost"]
SWAP_KINDS = ["rename", "reload", "localzone", "rpz"]
COST_SETS = ["hit", "listed"]
RPZ_NAME = "rpz.bench."
CLK_TCK = os.sysconf("SC_CLK_TCK")
T_START = time.time()


class Fail(Exception):
    pass


class Interrupted(Exception):
    pass


def say(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


# ----------------------------------------------------------------------
# parameters

def size_arg(s):
    s = s.strip().lower()
    m = re.fullmatch(r"(\d+)([km]?)", s)
    if not m:
        raise Fail("bad size '%s' (a number, or 100k, 1M)" % s)
    return int(m.group(1)) * {"": 1, "k": 1000, "m": 1000000}[m.group(2)]


def size_name(n):
    if n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def env(name, default):
    v = os.environ.get(name)
    return default if v is None or v.strip() == "" else v.strip()


def env_int(name, default, lo=0):
    v = env(name, str(default))
    try:
        x = int(v)
    except ValueError:
        raise Fail("%s: '%s' is not a whole number" % (name, v))
    if x < lo:
        raise Fail("%s: %d is below %d" % (name, x, lo))
    return x


def env_list(name, default, allowed=None):
    v = env(name, default).replace(",", " ").split()
    if allowed is not None:
        for x in v:
            if x not in allowed:
                raise Fail("%s: unknown '%s' (choose from: %s)" % (name, x, " ".join(allowed)))
    return v


def cpulist(s):
    out = []
    for part in s.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def wait_log(path, pattern, timeout):
    """wait until a line of the file matches pattern (regex)"""
    t0 = time.monotonic()
    rx = re.compile(pattern)
    while True:
        try:
            with open(path, errors="replace") as f:
                if any(rx.search(line) for line in f):
                    return
        except OSError:
            pass
        if time.monotonic() - t0 > timeout:
            raise Fail("no line /%s/ in %s within %d s" % (pattern, path, timeout))
        time.sleep(0.2)


def cpustr(cpus):
    return ",".join(str(c) for c in cpus)


class Params:
    def __init__(self):
        self.src = os.path.abspath(env("top_srcdir", os.path.dirname(HERE)))
        self.build = env("top_builddir", "")
        if self.build:
            self.build = os.path.abspath(self.build)
        self.unbound = env("UNBOUND_DAEMON", "")
        self.uctl = env("UNBOUND_CONTROL", "")
        self.sizes = sorted({size_arg(x) for x in env_list("SIZES", "100k 1M")})
        self.queries = env_int("QUERIES", 100000, 100)
        self.pcts = sorted({int(x) for x in env_list("LISTED_PCTS", "0 10")})
        if any(p < 0 or p > 100 for p in self.pcts):
            raise Fail("LISTED_PCTS: percentages are 0..100")
        self.reps = env_int("REPS", 9, 1)
        self.run_s = env_int("RUN_SECONDS", 10, 1)
        self.warm_s = env_int("WARM_SECONDS", 2, 0)
        self.threads = [int(x) for x in env_list("THREADS", "1")]
        if any(t < 1 or t > 64 for t in self.threads):
            raise Fail("THREADS: 1..64 worker threads")
        self.only = env_list("BENCH_ONLY", " ".join(PARTS), PARTS)
        self.swap_kinds = env_list("SWAP_KINDS", " ".join(SWAP_KINDS), SWAP_KINDS)
        self.swap_reps = env_int("SWAP_REPS", 3, 1)
        self.swap_qps = env_int("SWAP_QPS", 5000, 1)
        self.swap_timeout = env_int("SWAP_TIMEOUT", 300, 5)
        self.cost_configs = env_list("COST_CONFIGS", " ".join(CONFIGS), CONFIGS)
        self.cost_queries = env_int("COST_QUERIES", 20000, 100)
        self.cost_method = env("COST_METHOD", "auto")
        if self.cost_method not in ("auto", "perf", "callgrind"):
            raise Fail("COST_METHOD: auto, perf or callgrind")
        self.cost_size = size_arg(env("COST_SIZE", str(self.sizes[0])))
        self.seed = env_int("SEED", 20240601)
        self.clients = env_int("DNSPERF_CLIENTS", 8, 1)
        self.outstanding = env_int("DNSPERF_OUTSTANDING", 200, 1)
        self.msg_cache = env("MSG_CACHE", "64m")
        self.rrset_cache = env("RRSET_CACHE", "128m")
        self.ub_cpus_env = env("UB_CPUS", "")
        self.load_cpus_env = env("LOAD_CPUS", "")
        self.keep = env("KEEP", "0") == "1"
        self.work = os.path.abspath(env("WORKDIR", os.path.join(self.build or ".", "bench", "work")))
        self.results = os.path.abspath(env("RESULTS_DIR", os.path.join(self.src, "bench", "results")))
        self.out = env("OUT", "")
        self.estimate_only = False
        self.ncpu = len(os.sched_getaffinity(0))

    def cpus(self, threads):
        """(Unbound CPUs, load CPUs) for a run with THREADS worker threads"""
        allc = sorted(os.sched_getaffinity(0))
        n = len(allc)
        if self.ub_cpus_env:
            ub = cpulist(self.ub_cpus_env)
        elif n == 1:
            ub = allc
        elif threads <= n - 1:
            ub = allc[:threads]
        else:
            ub = allc
        if self.load_cpus_env:
            ld = cpulist(self.load_cpus_env)
        else:
            rest = [c for c in allc if c not in ub]
            ld = rest[:2] if rest else allc[-1:]
        return ub, ld

    def describe(self):
        return [
            ("SIZES", " ".join(size_name(n) for n in self.sizes), "list sizes (entries)"),
            ("QUERIES", str(self.queries), "unique names per query file"),
            ("LISTED_PCTS", " ".join(str(p) for p in self.pcts), "% of listed names per query file"),
            ("REPS", str(self.reps), "repetitions (interleaved)"),
            ("RUN_SECONDS", str(self.run_s), "length of each measured dnsperf run"),
            ("WARM_SECONDS", str(self.warm_s), "dnsperf pass before each measured run (after the full warm-up)"),
            ("THREADS", " ".join(str(t) for t in self.threads), "Unbound num-threads values"),
            ("BENCH_ONLY", " ".join(self.only), "parts run"),
            ("SWAP_KINDS", " ".join(self.swap_kinds), "list replacement methods"),
            ("SWAP_REPS", str(self.swap_reps), "replacements per method and size"),
            ("SWAP_QPS", str(self.swap_qps), "steady dnsperf rate during replacement"),
            ("COST_CONFIGS", " ".join(self.cost_configs), "configurations counted in instructions"),
            ("COST_QUERIES", str(self.cost_queries), "queries per instruction count"),
            ("COST_SIZE", size_name(self.cost_size), "list size of the instruction counts"),
            ("COST_METHOD", self.cost_method, "perf, callgrind, or auto (perf when the CPU counters work)"),
            ("DNSPERF_CLIENTS", str(self.clients), "dnsperf -c"),
            ("DNSPERF_OUTSTANDING", str(self.outstanding), "dnsperf -q"),
            ("MSG_CACHE / RRSET_CACHE", "%s / %s" % (self.msg_cache, self.rrset_cache), "Unbound cache sizes (hold every query name)"),
            ("SEED", str(self.seed), "generator seed"),
        ]


# ----------------------------------------------------------------------
# processes: every one we start is tracked and stopped by PID

class Procs:
    def __init__(self):
        self.live = {}

    def start(self, name, argv, **kw):
        p = subprocess.Popen(argv, **kw)
        self.live[p.pid] = (name, p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=60):
        if p is None:
            return
        if p.poll() is None:
            try:
                p.send_signal(sig)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.live.pop(p.pid, None)

    def stop_all(self):
        for pid, (name, p) in list(self.live.items())[::-1]:
            if p.poll() is None:
                say("cleanup: stopping %s (pid %d)" % (name, pid))
            self.stop(p, timeout=20)


PROCS = Procs()


def on_signal(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def run(argv, **kw):
    """a short command; output captured"""
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kw)


# ----------------------------------------------------------------------
# DNS on loopback

def free_port():
    for _ in range(200):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind(("127.0.0.1", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("127.0.0.1", port))
        except OSError:
            t.close()
            u.close()
            continue
        t.close()
        u.close()
        if port > 1024:
            return port
    raise Fail("no free port on 127.0.0.1")


def dns_packet(name, qid, qtype=1):
    hdr = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 1)
    q = b"".join(bytes([len(x)]) + x.encode() for x in name.strip(".").split("."))
    q += b"\0" + struct.pack(">HH", qtype, 1)
    opt = b"\0" + struct.pack(">HHIH", 41, 1232, 0, 0)
    return hdr + q + opt


class Prober:
    """one UDP socket; ask() sends one query and waits for its answer"""

    def __init__(self, port, host="127.0.0.1"):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.connect((host, port))
        self.s.setblocking(False)
        self.qid = random.randrange(65536)
        self.sent = set()

    def close(self):
        self.s.close()

    def ask(self, name, timeout, any_earlier=False):
        """(rcode, ancount), None on time-out, 'refused' when nothing
        listens; with any_earlier, an answer to an earlier query of this
        prober counts too"""
        self.qid = (self.qid + 1) & 0xFFFF
        qid = self.qid
        if not any_earlier:
            self.sent.clear()
        self.sent.add(qid)
        try:
            self.s.send(dns_packet(name, qid))
        except ConnectionRefusedError:
            return "refused"
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                return None
            try:
                data = self.s.recv(4096)
            except ConnectionRefusedError:
                return "refused"
            except BlockingIOError:
                continue
            if len(data) < 12:
                continue
            if struct.unpack(">H", data[:2])[0] in self.sent:
                self.sent.clear()
                return data[3] & 0x0F, struct.unpack(">H", data[6:8])[0]


def answer_ok(r, expect):
    if not isinstance(r, tuple):
        return False
    if expect == "nxdomain":
        return r[0] == 3
    return r[0] == 0 and r[1] > 0


def dnsperf(p, port, datafile, cpus, log, secs=None, runs=None, qps=None,
            timeout=5, outstanding=None, clients=None, background=False):
    argv = ["taskset", "-c", cpustr(cpus), "dnsperf", "-s", "127.0.0.1",
            "-p", str(port), "-d", datafile,
            "-c", str(max(clients or p.clients, len(cpus))),
            "-T", str(len(cpus)), "-q", str(outstanding or p.outstanding),
            "-t", str(timeout),
            "-O", "suppress=timeouts,congestion,sendfailed,sockready,unexpected"]
    if secs is not None:
        argv += ["-l", str(secs)]
    if runs is not None:
        argv += ["-n", str(runs)]
        if secs is None:
            argv += ["-l", "3600"]
    if qps is not None:
        argv += ["-Q", str(qps)]
    f = open(log, "w")
    proc = PROCS.start("dnsperf", argv, stdout=f, stderr=subprocess.STDOUT)
    f.close()
    if background:
        return proc
    proc.wait()
    PROCS.live.pop(proc.pid, None)
    return parse_dnsperf(log)


def parse_dnsperf(log):
    t = open(log, errors="replace").read()

    def num(pat, cast=int):
        m = re.search(pat, t)
        return cast(m.group(1)) if m else None
    r = {
        "sent": num(r"Queries sent:\s+(\d+)"),
        "completed": num(r"Queries completed:\s+(\d+)"),
        "lost": num(r"Queries lost:\s+(\d+)") or 0,
        "interrupted": num(r"Queries interrupted:\s+(\d+)") or 0,
        "qps": num(r"Queries per second:\s+([\d.]+)", float),
        "runtime": num(r"Run time \(s\):\s+([\d.]+)", float),
        "latency": num(r"Average Latency \(s\):\s+([\d.]+)", float),
        "rcodes": {},
    }
    m = re.search(r"Response codes:\s*(.*)", t)
    if m:
        for code, n in re.findall(r"([A-Z]+) (\d+)", m.group(1)):
            r["rcodes"][code] = int(n)
    if r["completed"] is None:
        raise Fail("dnsperf failed (%s):\n%s" % (log, t[-2000:]))
    return r


def proc_cpu(pid):
    """utime + stime of PID (all threads), seconds"""
    s = open("/proc/%d/stat" % pid).read()
    rest = s[s.rindex(")") + 2:].split()
    return (int(rest[11]) + int(rest[12])) / CLK_TCK


def vmrss_mib(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


# ----------------------------------------------------------------------
# the bench

class Bench:
    def __init__(self, p):
        self.p = p
        self.records = {"throughput": [], "swap": [], "micro": {}, "cost": {},
                        "prep": {}}
        self.nsd = None
        self.nsd_ip = None
        self.data = None
        self.done_starts = 0
        self.total_starts = 0
        self.class_times = {}
        self.interrupted = None
        self.compiled = {}
        self.machine = {}

    # -------------------------------------------------- checks and data
    def check_tools(self):
        p = self.p
        need = {"dnsperf": "dnsperf", "nsd": "nsd", "taskset": "util-linux"}
        if "cost" in p.only and p.cost_method != "perf":
            need["valgrind"] = "valgrind"
        for tool, pkg in need.items():
            if not shutil.which(tool):
                raise Fail("%s not installed (Debian: apt-get install %s)" % (tool, pkg))
        if not p.build or not os.path.isfile(os.path.join(p.build, "dyndns-guard")):
            raise Fail("no build directory with dyndns-guard (top_builddir=%s); "
                       "run from a configured build: make bench-side" % (p.build or "?"))
        self.ddg = os.path.join(p.build, "dyndns-guard")
        self.module = os.path.join(p.build, ".libs", "dyndns_guard.so")
        if not os.path.isfile(self.module):
            raise Fail("%s not built (configure --with-unbound-source=...)" % self.module)
        for what, path in (("UNBOUND_DAEMON", p.unbound), ("UNBOUND_CONTROL", p.uctl)):
            if not path or not os.access(path, os.X_OK):
                raise Fail("%s: no dynlib-enabled Unbound (%s)" % (what, path or "unset"))
        if os.geteuid() != 0:
            raise Fail("needs root: NSD listens on port 53 of a loopback address "
                       "(the iterator only queries port 53)")

    def prepare(self):
        p = self.p
        os.makedirs(p.work, exist_ok=True)
        maxn, minn = p.sizes[-1], p.sizes[0]
        if "cost" in p.only:
            minn = min(minn, p.cost_size)
            maxn = max(maxn, p.cost_size)
        key = "v%d-s%d-n%d-m%d-q%d-p%s-w%d" % (gen.VERSION, p.seed, maxn, minn, p.queries,
                                                "_".join(str(x) for x in p.pcts), p.swap_reps)
        d = os.path.join(p.work, "data-" + key)
        self.data = d
        if not os.path.exists(os.path.join(d, "meta.json")):
            for old in os.listdir(p.work):
                if old.startswith("data-"):
                    shutil.rmtree(os.path.join(p.work, old), ignore_errors=True)
            say("== generating %s zones and %d query names (seed %d)" % (size_name(maxn), p.queries, p.seed))
            t0 = time.monotonic()
            gen.generate(d + ".tmp", p.seed, maxn, minn, p.queries, p.pcts or [0], p.swap_reps)
            os.rename(d + ".tmp", d)
            self.records["prep"]["generate_s"] = time.monotonic() - t0
        self.entries = open(os.path.join(d, "entries.txt")).read().split()
        self.unlisted = open(os.path.join(d, "unlisted.txt")).read().split()
        self.listed = open(os.path.join(d, "listed.txt")).read().split()
        self.swaps = open(os.path.join(d, "swap.txt")).read().split()
        self.tlds = open(os.path.join(d, "tlds.txt")).read().split()
        self.probe_listed = self.listed[0] if self.listed else "probe." + self.entries[0]
        sizes = set(p.sizes)
        if "cost" in p.only:
            sizes.add(p.cost_size)
        self.compiled = {}
        for n in sorted(sizes):
            txt = os.path.join(d, "list-%d.txt" % n)
            if not os.path.exists(txt):
                with open(txt + ".tmp", "w") as f:
                    f.write("\n".join(self.entries[:n]) + "\n")
                os.rename(txt + ".tmp", txt)
            # compiled on every run, by this build's compiler
            dgl = os.path.join(d, "list-%d.dgl" % n)
            t0 = time.monotonic()
            r = run([self.ddg, "compile", "--created", "1700000000", "-o", dgl, txt])
            dt = time.monotonic() - t0
            if r.returncode != 0:
                raise Fail("dyndns-guard compile %s failed:\n%s" % (txt, r.stdout))
            self.compiled[n] = {"compile_s": dt, "bytes": os.path.getsize(dgl),
                                "output": r.stdout.strip()[-300:]}
            say("   compiled %s: %.2f s, %.1f MB" % (size_name(n), dt, os.path.getsize(dgl) / 1e6))
            lz = os.path.join(d, "localzone-%d.conf" % n)
            if not os.path.exists(lz):
                with open(lz + ".tmp", "w") as f:
                    for z in self.entries[:n]:
                        f.write('local-zone: "%s." always_nxdomain\n' % z)
                os.rename(lz + ".tmp", lz)
            rpz = os.path.join(d, "rpz-%d.zone" % n)
            if not os.path.exists(rpz):
                with open(rpz + ".tmp", "w") as f:
                    f.write(rpz_head())
                    for z in self.entries[:n]:
                        f.write("%s\tCNAME\t.\n*.%s\tCNAME\t.\n" % (z, z))
                os.rename(rpz + ".tmp", rpz)
        if "swap" in p.only and ({"rename", "reload"} & set(p.swap_kinds)):
            for n in p.sizes:
                for k in range(1, p.swap_reps + 1):
                    extra = os.path.join(d, "swap-%d.txt" % k)
                    with open(extra, "w") as f:
                        f.write("\n".join(self.swaps[:k]) + "\n")
                    dgl = os.path.join(d, "list-%d-swap%d.dgl" % (n, k))
                    r = run([self.ddg, "compile", "--created", "1700000000", "-o", dgl,
                             os.path.join(d, "list-%d.txt" % n), extra])
                    if r.returncode != 0:
                        raise Fail("dyndns-guard compile (swap list) failed:\n" + r.stdout)
        # the replacement runs' steady load and the instruction counts' sets
        with open(os.path.join(d, "swap-load.txt"), "w") as f:
            names = self.unlisted[:2000] + self.listed[:200]
            random.Random(p.seed).shuffle(names)
            f.write("".join(x + " A\n" for x in names))
        for name, names in (("cost-hit", self.unlisted[:500]), ("cost-listed", self.listed[:500])):
            with open(os.path.join(d, name + ".txt"), "w") as f:
                f.write("".join(x + " A\n" for x in names))
        with open(os.path.join(d, "cost-warm.txt"), "w") as f:
            f.write("".join(x + " A\n" for x in self.unlisted[:500] + self.listed[:500]))

    # -------------------------------------------------- upstream
    def nsd_start(self):
        p = self.p
        d = os.path.join(p.work, "nsd")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        pid = os.getpid()
        ip = None
        for k in range(50):
            cand = "127.54.%d.%d" % ((pid // 250 + k) % 250 + 1, pid % 250 + 1)
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.bind((cand, 53))
                ip = cand
                break
            except OSError:
                continue
            finally:
                s.close()
        if ip is None:
            raise Fail("no free port 53 on a 127.54.x.y address for NSD")
        self.nsd_ip = ip
        conf = ["server:", "\tip-address: %s" % ip, "\tport: 53", "\tdo-ip6: no",
                '\tusername: ""', '\tchroot: ""', '\tzonesdir: "%s"' % d,
                '\tpidfile: "%s/nsd.pid"' % d, '\tlogfile: "%s/nsd.log"' % d,
                '\tdatabase: ""', '\txfrdfile: "%s/xfrd.state"' % d,
                '\tzonelistfile: "%s/zone.list"' % d, "\tserver-count: 1",
                "\tverbosity: 0", "\thide-version: yes",
                # response rate limiting would drop most wildcard answers
                # to the single source Unbound is (200 per second)
                "\trrl-ratelimit: 0", "\trrl-whitelist-ratelimit: 0",
                "remote-control:", "\tcontrol-enable: no"]
        for t in self.tlds:
            with open(os.path.join(d, t + ".zone"), "w") as f:
                f.write("$ORIGIN %s.\n$TTL 86400\n"
                        "@\tSOA\tns.bench-nsd. hostmaster.bench-nsd. 1 3600 600 86400 3600\n"
                        "@\tNS\tns.bench-nsd.\n"
                        "*\tA\t192.0.2.1\n"
                        "*\tAAAA\t2001:db8::1\n" % t)
            conf += ["zone:", '\tname: "%s"' % t, '\tzonefile: "%s.zone"' % t]
        with open(os.path.join(d, "nsd.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")
        _, ld = p.cpus(1)
        out = open(os.path.join(d, "stderr"), "w")
        self.nsd = PROCS.start("nsd", ["taskset", "-c", cpustr(ld), "nsd", "-d", "-c",
                                       os.path.join(d, "nsd.conf")],
                               stdout=out, stderr=subprocess.STDOUT)
        out.close()
        pr = Prober(53, ip)
        try:
            end = time.monotonic() + 20
            while True:
                if self.nsd.poll() is not None:
                    raise Fail("nsd exited:\n" + open(os.path.join(d, "stderr")).read())
                r = pr.ask("x." + self.tlds[0], 0.2)
                if isinstance(r, tuple) and r[0] == 0:
                    break
                if time.monotonic() > end:
                    raise Fail("nsd does not answer on %s" % ip)
                time.sleep(0.05)
        finally:
            pr.close()
        # the root zone: every TLD delegated to NSD
        root = os.path.join(p.work, "root.zone")
        with open(root, "w") as f:
            f.write("$TTL 86400\n"
                    ".\tSOA\ta.root-servers.net. hostmaster.root. 1 1800 900 604800 3600\n"
                    ".\tNS\ta.root-servers.net.\n"
                    "a.root-servers.net.\tA\t127.0.0.1\n"
                    "ns.bench-nsd.\tA\t%s\n" % ip)
            for t in self.tlds:
                f.write("%s.\tNS\tns.bench-nsd.\n" % t)
        self.root_zone = root

    # -------------------------------------------------- Unbound
    def write_conf(self, rundir, port, threads, config, n, ddg=None, lz_extra=None,
                   rpz_file=None):
        p = self.p
        mc = {"stock": "validator iterator", "log": "dynlib validator iterator",
              "block": "dynlib validator iterator", "localzone": "validator iterator",
              "rpz": "respip validator iterator"}[config]
        c = ["server:",
             "\tinterface: 127.0.0.1", "\tport: %d" % port, "\tdo-ip6: no",
             "\tnum-threads: %d" % threads, '\tusername: ""', '\tchroot: ""',
             '\tdirectory: "%s"' % rundir, '\tpidfile: "%s/unbound.pid"' % rundir,
             '\tlogfile: "%s/unbound.log"' % rundir, "\tuse-syslog: no",
             "\tlog-time-ascii: yes", "\tverbosity: 1",
             '\tmodule-config: "%s"' % mc, "\tdo-not-query-localhost: no",
             "\taccess-control: 127.0.0.0/8 allow", "\tlog-servfail: yes",
             "\tmsg-cache-size: %s" % p.msg_cache, "\trrset-cache-size: %s" % p.rrset_cache]
        if config == "localzone":
            c.append('\tinclude: "%s"' % os.path.join(self.data, "localzone-%d.conf" % n))
            if lz_extra:
                c.append('\tinclude: "%s"' % lz_extra)
        c += ["auth-zone:", '\tname: "."', '\tzonefile: "%s"' % self.root_zone,
              "\tfor-upstream: yes", "\tfor-downstream: no", "\tfallback-enabled: no",
              "remote-control:", "\tcontrol-enable: yes",
              '\tcontrol-interface: "%s/control.sock"' % rundir, "\tcontrol-use-cert: no"]
        if config in ("log", "block"):
            c += ["dynlib:", '\tdynlib-file: "%s"' % self.module]
            lines = ["dyndns-guard:",
                     '\tlist: "%s"' % (ddg.get("list") if ddg and ddg.get("list")
                                       else os.path.join(self.data, "list-%d.dgl" % n)),
                     "\tmode: %s" % config]
            if config == "log":
                lines.append('\tlog-file: "%s/events.json"' % rundir)
            if ddg and "reload-check" in ddg:
                lines.append("\treload-check: %d" % ddg["reload-check"])
            with open(os.path.join(rundir, "dyndns-guard.conf"), "w") as f:
                f.write("\n".join(lines) + "\n")
        if config == "rpz":
            c += ["rpz:", '\tname: "%s"' % RPZ_NAME,
                  '\tzonefile: "%s"' % (rpz_file or os.path.join(self.data, "rpz-%d.zone" % n)),
                  "\trpz-log: no"]
        conf = os.path.join(rundir, "unbound.conf")
        with open(conf, "w") as f:
            f.write("\n".join(c) + "\n")
        return conf

    def ub_start(self, rundir, conf, cpus, expect, timeout=900, wrapper=None):
        """start Unbound; returns (process, port-prober, ms to the first
        expected answer of a listed name, VmRSS MiB)"""
        port = int(re.search(r"port: (\d+)", open(conf).read()).group(1))
        argv = ["taskset", "-c", cpustr(cpus)] + (wrapper or []) + \
            [self.p.unbound, "-d", "-c", conf]
        out = open(os.path.join(rundir, "unbound.stderr"), "w")
        t0 = time.monotonic()
        # the module reads the dyndns-guard.conf written beside unbound.conf
        env = dict(os.environ, DYNDNS_GUARD_CONF=os.path.join(rundir, "dyndns-guard.conf"))
        ub = PROCS.start("unbound", argv, stdout=out, stderr=subprocess.STDOUT, env=env)
        out.close()
        pr = Prober(port)
        step = 0.05 if not wrapper else 1.0
        while True:
            if ub.poll() is not None:
                PROCS.live.pop(ub.pid, None)
                raise Fail("unbound exited at start (%s):\n%s\n%s" % (
                    conf, tail(os.path.join(rundir, "unbound.stderr")),
                    tail(os.path.join(rundir, "unbound.log"))))
            r = pr.ask(self.probe_listed, step, any_earlier=True)
            if answer_ok(r, expect):
                t1 = time.monotonic()
                break
            if time.monotonic() - t0 > timeout:
                PROCS.stop(ub)
                raise Fail("unbound gave no expected answer (%s) for %s within %d s (%s)" % (
                    expect, self.probe_listed, timeout, r))
            if r == "refused" or isinstance(r, tuple):
                time.sleep(0.002)
        return ub, pr, (t1 - t0) * 1000.0, vmrss_mib(ub.pid), port

    def ub_stop(self, ub):
        PROCS.stop(ub, signal.SIGTERM, timeout=120)

    # -------------------------------------------------- throughput
    def expect_of(self, config):
        return "nxdomain" if config in ("block", "localzone", "rpz") else "answer"

    def items(self):
        p = self.p
        out = []
        for c in CONFIGS:
            if c not in p.only:
                continue
            if c == "stock":
                out.append(("stock", 0))
            else:
                out.extend((c, n) for n in p.sizes)
        return out

    def one_start(self, config, n, threads, rep):
        p = self.p
        ub_cpus, ld_cpus = p.cpus(threads)
        rundir = os.path.join(p.work, "run", "%s-%s-t%d" % (config, size_name(n) if n else "none", threads))
        shutil.rmtree(rundir, ignore_errors=True)
        os.makedirs(rundir)
        conf = self.write_conf(rundir, free_port(), threads, config, n or p.sizes[0])
        ub, pr, start_ms, rss_load, port = self.ub_start(rundir, conf, ub_cpus, self.expect_of(config))
        pr.close()
        rec = {"config": config, "size": n, "threads": threads, "rep": rep,
               "ub_cpus": ub_cpus, "load_cpus": ld_cpus, "startup_ms": start_ms,
               "rss_load_mib": rss_load, "mix": {}}
        try:
            m = re.search(r"validated in ([\d.]+) ms", open(os.path.join(rundir, "unbound.log")).read())
            rec["list_validate_ms"] = float(m.group(1)) if m else None
            rec["warm"] = self.warm(port, os.path.join(self.data, "warm.txt"), ld_cpus, rundir)
            order = p.pcts if rep % 2 == 0 else p.pcts[::-1]
            for pct in order:
                qf = os.path.join(self.data, "mix-%d.txt" % pct)
                if p.warm_s:
                    dnsperf(p, port, qf, ld_cpus, os.path.join(rundir, "settle-%d.out" % pct),
                            secs=p.warm_s, timeout=1)
                c0 = proc_cpu(ub.pid)
                r = dnsperf(p, port, qf, ld_cpus, os.path.join(rundir, "run-%d.out" % pct),
                            secs=p.run_s, timeout=1)
                c1 = proc_cpu(ub.pid)
                r["cpu_s"] = c1 - c0
                r["cpu_us_per_q"] = (c1 - c0) / r["completed"] * 1e6 if r["completed"] else None
                rec["mix"][str(pct)] = r
            rec["rss_end_mib"] = vmrss_mib(ub.pid)
            if not ub.poll() is None:
                raise Fail("unbound died during the run (%s)" % rundir)
        finally:
            self.ub_stop(ub)
        if not p.keep:
            shutil.rmtree(rundir, ignore_errors=True)
        return rec

    def warm(self, port, datafile, cpus, rundir):
        """every name once, at most 100 queries outstanding (so that NSD's
        socket buffer does not overflow); again, up to twice, while some
        resolutions failed"""
        t0 = time.monotonic()
        passes = []
        for k in range(3):
            w = dnsperf(self.p, port, datafile, cpus, os.path.join(rundir, "warm-%d.out" % k),
                        runs=1, outstanding=100)
            passes.append({"completed": w["completed"], "lost": w["lost"], "rcodes": w["rcodes"]})
            if not w["lost"] and not w["rcodes"].get("SERVFAIL"):
                break
        return {"s": time.monotonic() - t0, "passes": passes}

    def throughput(self):
        p = self.p
        items = self.items()
        if not items:
            return
        self.total_starts = p.reps * len(p.threads) * len(items)
        say("== throughput: %d starts (%d configurations x %d thread counts x %d repetitions)" % (
            self.total_starts, len(items), len(p.threads), p.reps))
        t_begin = time.monotonic()
        for rep in range(p.reps):
            for threads in p.threads:
                k = rep % len(items)
                for config, n in items[k:] + items[:k]:
                    t0 = time.monotonic()
                    rec = self.one_start(config, n, threads, rep)
                    dt = time.monotonic() - t0
                    self.class_times.setdefault((config, n), []).append(dt)
                    self.records["throughput"].append(rec)
                    self.done_starts += 1
                    self.save_json()
                    mixes = ", ".join("%s%%: %s QPS %.1f us/q" % (
                        m, fmt_int(v["qps"]), v["cpu_us_per_q"] or 0) for m, v in sorted(
                            rec["mix"].items(), key=lambda x: int(x[0])))
                    left = self.throughput_left(items, rep, threads, config, n)
                    say("[%d/%d] rep %d, %d thr, %s %s: start %.0f ms, warm %.1f s; %s | %s elapsed, about %s left in this part" % (
                        self.done_starts, self.total_starts, rep + 1, threads, config,
                        size_name(n) if n else "", rec["startup_ms"],
                        rec["warm"]["s"], mixes, fmt_dur(time.monotonic() - t_begin),
                        fmt_dur(left)))

    def throughput_left(self, items, rep, threads, config, n):
        done = self.done_starts
        total = self.total_starts
        if done >= total:
            return 0
        # mean measured time per configuration, else the estimate
        per = []
        for c, size in items:
            ts = self.class_times.get((c, size))
            per.append(statistics.mean(ts) if ts else est_start_cycle(self.p, c, size))
        return sum(per) / len(per) * (total - done)

    # -------------------------------------------------- replacement
    def swap_all(self):
        p = self.p
        for n in p.sizes:
            for kind in p.swap_kinds:
                say("== list replacement: %s, %s list" % (swap_label(kind), size_name(n)))
                self.swap_one(kind, n)
                self.save_json()

    def swap_one(self, kind, n):
        p = self.p
        ub_cpus, ld_cpus = p.cpus(1)
        config = {"rename": "block", "reload": "block", "localzone": "localzone", "rpz": "rpz"}[kind]
        rundir = os.path.join(p.work, "run", "swap-%s-%s" % (kind, size_name(n)))
        shutil.rmtree(rundir, ignore_errors=True)
        os.makedirs(rundir)
        port = free_port()
        ddg = lz_extra = rpz_file = None
        if kind in ("rename", "reload"):
            lst = os.path.join(rundir, "dyndns.dgl")
            shutil.copy(os.path.join(self.data, "list-%d.dgl" % n), lst)
            ddg = {"list": lst, "reload-check": 1 if kind == "rename" else 0}
        elif kind == "localzone":
            lz_extra = os.path.join(rundir, "extra.conf")
            open(lz_extra, "w").close()
        else:
            rpz_file = os.path.join(rundir, "rpz.zone")
            shutil.copy(os.path.join(self.data, "rpz-%d.zone" % n), rpz_file)
        conf = self.write_conf(rundir, port, 1, config, n, ddg=ddg, lz_extra=lz_extra,
                               rpz_file=rpz_file)
        ub, pr, _, _, port = self.ub_start(rundir, conf, ub_cpus, "nxdomain")
        load = os.path.join(self.data, "swap-load.txt")
        try:
            self.warm(port, load, ld_cpus, rundir)
            for k in range(1, p.swap_reps + 1):
                zone = self.swaps[k - 1]
                probe = "probe%d.%s" % (k, zone)
                r = None
                for _ in range(50):
                    r = pr.ask(probe, 1.0)
                    if answer_ok(r, "answer"):
                        break
                    time.sleep(0.1)
                if not answer_ok(r, "answer"):
                    raise Fail("%s: %s does not resolve before the replacement (%s)" % (kind, probe, r))
                # the new content, ready to be renamed into place
                if kind in ("rename", "reload"):
                    tmp = os.path.join(rundir, "dyndns.dgl.tmp")
                    shutil.copy(os.path.join(self.data, "list-%d-swap%d.dgl" % (n, k)), tmp)
                    dst = os.path.join(rundir, "dyndns.dgl")
                elif kind == "localzone":
                    tmp = lz_extra + ".tmp"
                    with open(tmp, "w") as f:
                        for z in self.swaps[:k]:
                            f.write('local-zone: "%s." always_nxdomain\n' % z)
                    dst = lz_extra
                else:
                    tmp = rpz_file + ".tmp"
                    shutil.copy(os.path.join(self.data, "rpz-%d.zone" % n), tmp)
                    with open(tmp, "a") as f:
                        for z in self.swaps[:k]:
                            f.write("%s\tCNAME\t.\n*.%s\tCNAME\t.\n" % (z, z))
                    dst = rpz_file
                os.sync()
                lg = os.path.join(rundir, "load-%d.out" % k)
                dp = dnsperf(p, port, load, ld_cpus, lg, secs=p.swap_timeout + 30,
                             qps=p.swap_qps, timeout=2, background=True)
                time.sleep(1.0)
                ctl = None
                t0 = time.monotonic()
                os.rename(tmp, dst)
                if kind in ("reload", "localzone"):
                    ctl = PROCS.start("unbound-control", [p.uctl, "-c", conf, "reload"],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      universal_newlines=True)
                elif kind == "rpz":
                    ctl = PROCS.start("unbound-control", [p.uctl, "-c", conf, "auth_zone_reload",
                                                          RPZ_NAME],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      universal_newlines=True)
                last = t0
                gap = 0.0
                t1 = None
                ctl_s = None
                while time.monotonic() - t0 < p.swap_timeout:
                    ts = time.monotonic()
                    r = pr.ask(probe, 0.02)
                    if isinstance(r, tuple):
                        now = time.monotonic()
                        gap = max(gap, now - last)
                        last = now
                        if r[0] == 3:
                            t1 = now
                            break
                    if ctl is not None and ctl_s is None and ctl.poll() is not None:
                        ctl_s = time.monotonic() - t0
                    time.sleep(max(0.0, 0.01 - (time.monotonic() - ts)))
                ctl_out = ""
                if ctl is not None:
                    try:
                        ctl_out = ctl.communicate(timeout=p.swap_timeout)[0].strip()
                    except subprocess.TimeoutExpired:
                        PROCS.stop(ctl)
                    PROCS.live.pop(ctl.pid, None)
                    if ctl_s is None:
                        ctl_s = time.monotonic() - t0
                time.sleep(1.0)
                PROCS.stop(dp, signal.SIGINT, timeout=30)
                d = parse_dnsperf(lg)
                rec = {"kind": kind, "size": n, "k": k,
                       "effect_ms": (t1 - t0) * 1000 if t1 else None,
                       "gap_ms": gap * 1000, "ctl_s": ctl_s, "ctl_out": ctl_out[-200:],
                       "load": {x: d[x] for x in ("sent", "completed", "lost", "interrupted", "rcodes")}}
                if kind == "rename":
                    t = open(os.path.join(rundir, "unbound.log"), errors="replace").read()
                    v = re.findall(r"replaced: .*?validated in ([\d.]+) ms", t)
                    e = re.findall(r"answers expired in ([\d.]+) ms", t)
                    rec["module_validate_ms"] = float(v[-1]) if v else None
                    rec["module_expire_ms"] = float(e[-1]) if e else None
                self.records["swap"].append(rec)
                say("   %d: effect %s, longest gap %.0f ms, steady load: sent %d, lost %d, SERVFAIL %d" % (
                    k, ("%.0f ms" % rec["effect_ms"]) if t1 else "NOT SEEN", rec["gap_ms"],
                    d["sent"] or 0, d["lost"], d["rcodes"].get("SERVFAIL", 0)))
                time.sleep(0.5)
        finally:
            pr.close()
            self.ub_stop(ub)
        if not p.keep:
            shutil.rmtree(rundir, ignore_errors=True)

    # -------------------------------------------------- micro
    def micro(self):
        p = self.p
        b = os.path.join(p.build, "tests", "bench", "bench_list")
        if not os.path.exists(b):
            say("   building tests/bench/bench_list")
            r = run(["make", "-C", p.build, "tests/bench/bench_list"])
            if r.returncode != 0:
                raise Fail("make tests/bench/bench_list failed:\n" + r.stdout[-2000:])
        ub_cpus, _ = p.cpus(1)
        n = p.sizes[-1]
        d = os.path.join(p.work, "micro")
        self.records["micro"] = {"n": n, "runs": []}
        for label, extra in (("the generated %s list" % size_name(n),
                              [os.path.join(self.data, "list-%d.txt" % n)]),
                             ("bench_list's own random names", [])):
            say("== micro-benchmarks: tests/bench/bench_list %d, %s" % (n, label))
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            r = run(["taskset", "-c", cpustr(ub_cpus[:1]), b, str(n), d] + extra)
            if r.returncode != 0:
                raise Fail("bench_list failed:\n" + r.stdout)
            self.records["micro"]["runs"].append({"label": label, "output": r.stdout.strip()})
            say(r.stdout.rstrip())
        shutil.rmtree(d, ignore_errors=True)

    # -------------------------------------------------- instructions
    def perf_works(self):
        if not shutil.which("perf"):
            return False
        r = run(["perf", "stat", "-x,", "-e", "instructions:u", "--", "true"])
        for line in r.stdout.splitlines():
            f = line.split(",")
            if len(f) > 2 and f[2].startswith("instructions") and f[0].strip().isdigit():
                return True
        return False

    def cost(self):
        p = self.p
        method = p.cost_method
        if method == "auto":
            method = "perf" if self.perf_works() else "callgrind"
        elif method == "perf" and not self.perf_works():
            raise Fail("COST_METHOD=perf, but perf stat -e instructions counts nothing here")
        if method == "callgrind" and not shutil.which("callgrind_control"):
            raise Fail("callgrind_control not installed (Debian: valgrind)")
        n = p.cost_size
        self.records["cost"] = {"method": method, "size": n, "queries": p.cost_queries, "rows": {}}
        say("== instructions per answered query (%s, %s list, %d queries per count)" % (
            method, size_name(n), p.cost_queries))
        for config in p.cost_configs:
            row = self.cost_run(config, n, method)
            self.records["cost"]["rows"][config] = row
            self.save_json()
            say("   %s: %s" % (config, ", ".join("%s %s" % (qs, fmt_instr(row.get(qs))) for qs in COST_SETS)))

    def cost_run(self, config, n, method):
        """one Unbound (num-threads 1) per configuration: start-up, the
        warm-up (500 unlisted and 500 listed names, twice), then
        COST_QUERIES answers of each set, counted alone: callgrind's
        counters are zeroed before and dumped after each (callgrind_control),
        or perf stat is attached for just that part"""
        p = self.p
        ub_cpus, ld = p.cpus(1)
        rundir = os.path.join(p.work, "cost", config)
        shutil.rmtree(rundir, ignore_errors=True)
        os.makedirs(rundir)
        conf = self.write_conf(rundir, free_port(), 1, config, n)
        out = os.path.join(rundir, "callgrind.out")
        wrapper = None
        if method == "callgrind":
            wrapper = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
        ub, pr, _, _, port = self.ub_start(rundir, conf, ub_cpus, self.expect_of(config),
                                           timeout=3600, wrapper=wrapper)
        pr.close()
        row = {}
        dumps = [0]

        def cg(cmd):
            r = run(["callgrind_control", cmd, str(ub.pid)], timeout=600)
            if r.returncode != 0 or "OK" not in r.stdout:
                raise Fail("callgrind_control %s %d failed:\n%s" % (cmd, ub.pid, r.stdout))
            if cmd == "-d":
                dumps[0] += 1
                return cg_total("%s.%d" % (out, dumps[0]))
            return None
        try:
            if method == "callgrind":
                row["startup_instr"] = cg("-d")
            if config in ("log", "block"):
                # the suffix filter is checked after the first answer, on
                # a thread of the module's own: count queries after it
                wait_log(os.path.join(rundir, "unbound.log"),
                         r"suffix filter checked in|suffix filter byte", 900)
            dnsperf(p, port, os.path.join(self.data, "cost-warm.txt"), ld,
                    os.path.join(rundir, "warm.out"), runs=2, outstanding=10, clients=1, timeout=30)
            for qs in COST_SETS:
                f = os.path.join(self.data, "cost-%s.txt" % qs)
                nnames = sum(1 for _ in open(f))
                runs = max(1, p.cost_queries // nnames)
                lg = os.path.join(rundir, "q-%s.out" % qs)
                if method == "callgrind":
                    cg("-z")
                    r = dnsperf(p, port, f, ld, lg, runs=runs, outstanding=10, clients=1, timeout=30)
                    total = cg("-d")
                    row[qs] = total / r["completed"] if r["completed"] else None
                else:
                    po = os.path.join(rundir, "perf-%s.out" % qs)
                    pf = PROCS.start("perf", ["perf", "stat", "-x,", "-o", po, "-e",
                                              "instructions:u,instructions:k", "-p", str(ub.pid)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
                    time.sleep(0.5)
                    r = dnsperf(p, port, f, ld, lg, runs=runs, outstanding=10, clients=1, timeout=30)
                    PROCS.stop(pf, signal.SIGINT, timeout=30)
                    u, k = perf_counts(po)
                    row[qs] = {"user": u / r["completed"] if u is not None and r["completed"] else None,
                               "kernel": k / r["completed"] if k is not None and r["completed"] else None}
                    if row[qs]["user"] is None:
                        row[qs] = None
                row[qs + "_answered"] = r["completed"]
                row[qs + "_rcodes"] = r["rcodes"]
        finally:
            PROCS.stop(ub, signal.SIGTERM, timeout=600)
        if not p.keep:
            shutil.rmtree(rundir, ignore_errors=True)
        return row

    # -------------------------------------------------- output
    def save_json(self):
        if not getattr(self, "json_path", None):
            return
        with open(self.json_path + ".tmp", "w") as f:
            json.dump({"params": vars_params(self.p),
                       "machine": self.machine, "records": self.records,
                       "interrupted": self.interrupted}, f, indent=1, default=str)
        os.rename(self.json_path + ".tmp", self.json_path)


def vars_params(p):
    return {k: v for k, v in vars(p).items() if not k.startswith("_")}


def cg_total(path):
    """the instruction total of one callgrind dump"""
    total = None
    for line in open(path, errors="replace"):
        if line.startswith("totals:") or line.startswith("summary:"):
            total = int(line.split()[1])
    if total is None:
        raise Fail("no totals in " + path)
    return total


def perf_counts(path):
    """(instructions:u, instructions:k) from perf stat -x, output"""
    u = k = None
    for line in open(path, errors="replace"):
        f = line.split(",")
        if len(f) > 2 and f[0].strip().isdigit():
            if f[2].startswith("instructions:u"):
                u = int(f[0])
            elif f[2].startswith("instructions:k"):
                k = int(f[0])
    return u, k


def tail(path, n=30):
    try:
        return "".join(open(path, errors="replace").readlines()[-n:])
    except OSError:
        return ""


def rpz_head():
    return ("$ORIGIN %s\n$TTL 3600\n"
            "@\tSOA\tns.%s hostmaster.%s 1 3600 600 86400 60\n"
            "@\tNS\tlocalhost.\n" % (RPZ_NAME, RPZ_NAME, RPZ_NAME))


def swap_label(kind):
    return {"rename": "module: rename (reload-check: 1)",
            "reload": "module: unbound-control reload",
            "localzone": "local-zone: unbound-control reload",
            "rpz": "RPZ: unbound-control auth_zone_reload"}[kind]


def fmt_int(x):
    return "-" if x is None else "{:,.0f}".format(x)


def fmt_instr(x):
    if x is None:
        return "-"
    if isinstance(x, dict):
        s = "{:,.0f} user".format(x["user"])
        if x.get("kernel") is not None:
            s += " + {:,.0f} kernel".format(x["kernel"])
        return s
    return "{:,.0f}".format(x)


def fmt_dur(s):
    s = int(s + 0.5)
    if s < 60:
        return "%ds" % s
    if s < 3600:
        return "%dm%02ds" % (s // 60, s % 60)
    return "%dh%02dm" % (s // 3600, (s % 3600) // 60)


# ----------------------------------------------------------------------
# duration estimate (seconds; rough per-entry constants measured on the
# 2-vCPU development VM)

def est_startup(c, n):
    return {"stock": 0.1, "log": 0.1 + 1e-7 * n, "block": 0.1 + 1e-7 * n,
            "localzone": 0.1 + 3.5e-6 * n, "rpz": 0.2 + 1.6e-5 * n}[c]


def est_start_cycle(p, c, n):
    warm = p.queries * (1 + max(p.pcts or [0]) / 100.0) / 8000.0
    # dnsperf waits its 1 s time-out for the few queries lost at its start
    return est_startup(c, n) * 2 + warm + len(p.pcts) * (p.warm_s + p.run_s + 2.5) + 1.0


def estimate(p, items):
    parts = {}
    maxn = p.sizes[-1]
    parts["prepare"] = 14e-6 * maxn + 40e-6 * p.queries + \
        sum(1.4e-6 * n + 4e-6 * n for n in p.sizes)
    if "swap" in p.only and ({"rename", "reload"} & set(p.swap_kinds)):
        parts["prepare"] += sum(1.4e-6 * n for n in p.sizes) * p.swap_reps
    if items:
        parts["throughput"] = p.reps * len(p.threads) * sum(est_start_cycle(p, c, n) for c, n in items)
    if "swap" in p.only:
        t = 0.0
        for n in p.sizes:
            for kind in p.swap_kinds:
                c = {"rename": "block", "reload": "block", "localzone": "localzone", "rpz": "rpz"}[kind]
                eff = 0.6 if kind == "rename" else est_startup(c, n)
                t += est_startup(c, n) * 2 + 2 + p.swap_reps * (3.0 + eff + 0.2)
        parts["swap"] = t
    if "micro" in p.only:
        parts["micro"] = 3 + 50e-6 * maxn
    if "cost" in p.only:
        vg = 0.0
        for c in p.cost_configs:
            vg += 40 * est_startup(c, p.cost_size) + 10 + 2 * p.cost_queries / 1500.0
        parts["cost"] = vg
    return parts


# ----------------------------------------------------------------------
# machine

def machine_info(p):
    m = {}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                m["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    r = run(["lscpu"])
    for line in r.stdout.splitlines():
        k, _, v = line.partition(":")
        v = v.strip()
        if k in ("Socket(s)", "Core(s) per socket", "Thread(s) per core", "Hypervisor vendor",
                 "CPU max MHz", "L3 cache", "CPU family", "Model"):
            m[k] = v
        if k == "Model name" and "cpu" not in m:
            m["cpu"] = v
    m["logical_cpus"] = os.cpu_count()
    m["usable_cpus"] = cpustr(sorted(os.sched_getaffinity(0)))
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                m["mem_gib"] = int(line.split()[1]) / 1024.0 / 1024.0
    except OSError:
        pass
    u = platform.uname()
    m["kernel"] = "%s %s %s" % (u.system, u.release, u.machine)
    m["host"] = socket.gethostname().split(".")[0]
    try:
        m["governor"] = open("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor").read().strip()
    except OSError:
        m["governor"] = "n/a"
    m["loadavg_start"] = open("/proc/loadavg").read().split()[:3]
    ub = run([p.unbound, "-V"]).stdout.splitlines()
    m["unbound"] = ub[0] if ub else "?"
    lm = [x for x in ub if x.startswith("Linked modules")]
    m["unbound_modules"] = lm[0].split(":", 1)[1].strip() if lm else "?"
    dv = run(["dnsperf", "-h"]).stdout
    mm = re.search(r"Version ([\d.]+)", dv)
    m["dnsperf"] = mm.group(1) if mm else "?"
    nv = run(["nsd", "-v"]).stdout
    mm = re.search(r"NSD version ([\d.]+)", nv)
    m["nsd"] = mm.group(1) if mm else "?"
    g = run(["git", "-C", p.src, "rev-parse", "--short", "HEAD"])
    if g.returncode == 0:
        dirty = run(["git", "-C", p.src, "status", "--porcelain", "--untracked-files=no"]).stdout.strip()
        m["git"] = g.stdout.strip() + (" (with uncommitted changes)" if dirty else "")
    else:
        m["git"] = "?"
    return m


# ----------------------------------------------------------------------
# report

def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def rng(xs, f="%.3f"):
    xs = [x for x in xs if x is not None]
    if len(xs) < 2:
        return ""
    return " (" + f % min(xs) + "–" + f % max(xs) + ")"


def fnum(x, f):
    return "-" if x is None else f % x


def report(b):
    p = b.p
    m = b.machine
    R = b.records
    L = []
    L.append("# dyndns-guard side by side with stock Unbound: %s, %s" % (
        time.strftime("%Y-%m-%d %H:%M", time.localtime(T_START)), m["host"]))
    L.append("")
    if b.interrupted:
        L.append("**Interrupted (%s): partial results.**" % b.interrupted)
        L.append("")
    L.append("Command: `%s`, %s in all; tree %s." % (
        env("BENCH_CMD", "bench/run.sh"), fmt_dur(time.time() - T_START), m["git"]))
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append("| | |")
    L.append("|---|---|")
    cpu = m.get("cpu", "?")
    topo = "%s logical CPUs (%s socket(s) x %s core(s) x %s thread(s))" % (
        m["logical_cpus"], m.get("Socket(s)", "?"), m.get("Core(s) per socket", "?"),
        m.get("Thread(s) per core", "?"))
    L.append("| CPU | %s, family %s model %s%s |" % (cpu, m.get("CPU family", "?"), m.get("Model", "?"),
             (", max %s MHz" % m["CPU max MHz"]) if m.get("CPU max MHz") else ""))
    L.append("| cores | %s; usable here: %s%s |" % (topo, m["usable_cpus"],
             (", %s guest" % m["Hypervisor vendor"]) if m.get("Hypervisor vendor") else ""))
    L.append("| memory | %.1f GiB |" % m.get("mem_gib", 0))
    L.append("| kernel | %s (cpufreq governor: %s) |" % (m["kernel"], m["governor"]))
    L.append("| load average | at start %s, at end %s |" % (" ".join(m["loadavg_start"]),
             " ".join(m.get("loadavg_end", ["?"]))))
    L.append("| Unbound | %s (%s) |" % (m["unbound"], m["unbound_modules"]))
    L.append("| dnsperf / NSD | %s / %s |" % (m["dnsperf"], m["nsd"]))
    pins = []
    for t in p.threads:
        u, ld = p.cpus(t)
        pins.append("num-threads %d: Unbound on CPU %s, dnsperf and NSD on CPU %s" % (t, cpustr(u), cpustr(ld)))
    L.append("| pinning (taskset) | %s |" % "; ".join(pins))
    L.append("")
    L.append("## Parameters")
    L.append("")
    L.append("| variable | value | meaning |")
    L.append("|---|---|---|")
    for k, v, d in p.describe():
        L.append("| %s | %s | %s |" % (k, v, d))
    L.append("")
    if b.compiled:
        L.append("Lists (generated, seed %d; `dyndns-guard compile` of this build):" % p.seed)
        L.append("")
        L.append("| list | entries | compile (CLI, wall) | .dgl size | local-zone lines | RPZ records |")
        L.append("|---|---:|---:|---:|---:|---:|")
        for n, c in sorted(b.compiled.items()):
            L.append("| %s | %s | %.2f s | %.1f MB | %s | %s |" % (
                size_name(n), fmt_int(n), c["compile_s"], c["bytes"] / 1e6, fmt_int(n), fmt_int(2 * n)))
        L.append("")
        L.append("Query files: %s unique names each, %s %% listed (listed names are one or two labels "
                 "below a zone of the %s list, so listed in every list); warm-up: every name once." % (
                     fmt_int(p.queries), " / ".join(str(x) for x in p.pcts), size_name(p.sizes[0])))
        L.append("")

    tp = R["throughput"]
    if tp:
        L.append("## Throughput and CPU per query")
        L.append("")
        L.append("Median of %d repetitions; *vs stock* is the median of the ratios to stock taken "
                 "within the same repetition (range in brackets); CPU is Unbound's utime+stime over "
                 "the run divided by the queries answered. *check* flags runs with more than "
                 "0.1 %% of the queries lost, any SERVFAIL, or an NXDOMAIN share that is not the listed share "
                 "(a few lost queries per run are Unbound's socket receive buffer overflowing at dnsperf's "
                 "initial burst, the same in every configuration)." % p.reps)
        L.append("")
        for t in p.threads:
            u, ld = p.cpus(t)
            L.append("### num-threads: %d (Unbound on CPU %s, dnsperf on CPU %s)" % (t, cpustr(u), cpustr(ld)))
            L.append("")
            head = "| configuration | list |"
            sep = "|---|---|"
            for pct in p.pcts:
                head += " QPS %d %% | vs stock | CPU µs/q |" % pct
                sep += "---:|---:|---:|"
            head += " check |"
            sep += "---|"
            L.append(head)
            L.append(sep)
            for c, n in b.items():
                rs = [r for r in tp if r["config"] == c and r["size"] == n and r["threads"] == t]
                if not rs:
                    continue
                row = "| %s | %s |" % (c, size_name(n) if n else "-")
                flags = []
                for pct in p.pcts:
                    k = str(pct)
                    qps = [r["mix"][k]["qps"] for r in rs if k in r["mix"]]
                    cpu = [r["mix"][k]["cpu_us_per_q"] for r in rs if k in r["mix"]]
                    ratios = []
                    for r in rs:
                        st = [s for s in tp if s["config"] == "stock" and s["threads"] == t
                              and s["rep"] == r["rep"] and k in s["mix"]]
                        if st and k in r["mix"] and st[0]["mix"][k]["qps"]:
                            ratios.append(r["mix"][k]["qps"] / st[0]["mix"][k]["qps"])
                    mr = med(ratios)
                    row += " %s | %s | %s |" % (fmt_int(med(qps)),
                                                (fnum(mr, "%.3f") + rng(ratios, "%.2f")) if c != "stock" else "1",
                                                fnum(med(cpu), "%.2f"))
                    for r in rs:
                        x = r["mix"].get(k)
                        if not x:
                            continue
                        done = x["completed"] or 1
                        nx = x["rcodes"].get("NXDOMAIN", 0) * 100.0 / done
                        want = pct if c in ("block", "localzone", "rpz") else 0
                        if x["lost"] > 0.001 * (x["sent"] or 0):
                            flags.append("%s%%: %d lost" % (pct, x["lost"]))
                        if x["rcodes"].get("SERVFAIL"):
                            flags.append("%s%%: %d SERVFAIL" % (pct, x["rcodes"]["SERVFAIL"]))
                        if abs(nx - want) > 0.5:
                            flags.append("%s%%: NXDOMAIN %.1f %%" % (pct, nx))
                row += " %s |" % ("; ".join(sorted(set(flags))[:4]) if flags else "ok")
                L.append(row)
            L.append("")
        L.append("## Start-up and memory")
        L.append("")
        L.append("Start-up: from exec to the first expected answer (NXDOMAIN where blocked, else the "
                 "resolved address) for a listed name; the module's own list validation from its log. "
                 "RSS: VmRSS right after that answer, and after the measured runs (cache filled).")
        L.append("")
        L.append("| configuration | list | threads | start-up ms | list validated ms | RSS after load MiB | RSS after runs MiB | full warm-up s |")
        L.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for c, n in b.items():
            for t in p.threads:
                rs = [r for r in tp if r["config"] == c and r["size"] == n and r["threads"] == t]
                if not rs:
                    continue
                st = [r["startup_ms"] for r in rs]
                L.append("| %s | %s | %d | %s%s | %s | %s | %s | %s |" % (
                    c, size_name(n) if n else "-", t, fnum(med(st), "%.0f"), rng(st, "%.0f"),
                    fnum(med([r.get("list_validate_ms") for r in rs]), "%.1f"),
                    fnum(med([r["rss_load_mib"] for r in rs]), "%.1f"),
                    fnum(med([r.get("rss_end_mib") for r in rs]), "%.1f"),
                    fnum(med([r["warm"]["s"] for r in rs]), "%.1f")))
        L.append("")

    sw = R["swap"]
    if sw:
        L.append("## List replacement")
        L.append("")
        L.append("One new zone per replacement (its name resolved and cached before). *Effect*: from the "
                 "rename of the new file (and the control command, if any) until a 10 ms probe of a name "
                 "below the new zone gets NXDOMAIN. *Longest gap*: the longest time the probe went "
                 "without any answer. Lost: queries of the steady dnsperf load (%d QPS, cached names, "
                 "1 s before the replacement until 1 s after the effect) unanswered within 2 s. "
                 "num-threads 1, %d replacements each." % (p.swap_qps, p.swap_reps))
        L.append("")
        L.append("| method | list | effect ms | longest gap ms | queries lost | SERVFAIL | control command s | notes |")
        L.append("|---|---|---:|---:|---:|---:|---:|---|")
        for n in p.sizes:
            for kind in p.swap_kinds:
                rs = [r for r in sw if r["kind"] == kind and r["size"] == n]
                if not rs:
                    continue
                eff = [r["effect_ms"] for r in rs]
                notes = []
                if any(e is None for e in eff):
                    notes.append("%d not seen within %d s" % (sum(e is None for e in eff), p.swap_timeout))
                if kind == "rename":
                    notes.append("includes 0-1 s until the watcher looks")
                    v = med([r.get("module_validate_ms") for r in rs])
                    e = med([r.get("module_expire_ms") for r in rs])
                    if v is not None:
                        notes.append("module: validated in %.1f ms, cache expiry %.1f ms" % (v, e or 0))
                lost = [r["load"]["lost"] for r in rs]
                sf = [r["load"]["rcodes"].get("SERVFAIL", 0) for r in rs]
                sent = sum(r["load"]["sent"] or 0 for r in rs)
                L.append("| %s | %s | %s%s | %s | %d of %s | %d | %s | %s |" % (
                    swap_label(kind), size_name(n), fnum(med(eff), "%.0f"), rng(eff, "%.0f"),
                    fnum(med([r["gap_ms"] for r in rs]), "%.0f"), sum(lost), fmt_int(sent), sum(sf),
                    fnum(med([r["ctl_s"] for r in rs]), "%.2f"), "; ".join(notes)))
        L.append("")

    mi = R["micro"]
    if mi and mi.get("runs"):
        L.append("## Micro-benchmarks (tests/bench/bench_list %s, pinned to one CPU)" % fmt_int(mi["n"]))
        L.append("")
        L.append("The list alone: compile through the compiler API, load and validate (median of 7), "
                 "lookup of %s names with 0 %%, 10 %% and 50 %% below a listed name, the rest not "
                 "(median of 5 rounds each)." % fmt_int(mi["n"]))
        L.append("")
        for x in mi["runs"]:
            L.append("With %s:" % x["label"])
            L.append("")
            L.append("```")
            L.extend(x["output"].splitlines())
            L.append("```")
            L.append("")

    co = R["cost"]
    if co and co.get("rows"):
        L.append("## Instructions per answered query")
        L.append("")
        if co["method"] == "callgrind":
            L.append("callgrind (user space only, all threads; used because the CPU's instruction "
                     "counter is not available here): one Unbound per configuration (num-threads 1, %s list) "
                     "under callgrind; after its start-up and a warm-up (500 unlisted and 500 listed names, "
                     "twice) the counters are zeroed (callgrind_control -z), %s queries of one set are "
                     "answered, and the counters dumped (-d): *cache hit* are the unlisted names (cached), "
                     "*listed name* the listed ones (answered NXDOMAIN by block, localzone and rpz; cache "
                     "hits for stock, and for log with its event). Start-up: exec to the first answer "
                     "(list load, local-zones or the RPZ zone included)." % (
                         size_name(co["size"]), fmt_int(co["queries"])))
        else:
            L.append("perf stat on the Unbound process (num-threads 1, %s list) during %s answers after the "
                     "warm-up; user and kernel instructions divided by the answers." % (
                         size_name(co["size"]), fmt_int(co["queries"])))
        L.append("")
        if co["method"] == "callgrind":
            L.append("| configuration | cache hit (unlisted) | listed name | vs stock: hit | vs stock: listed | start-up, M instructions |")
            L.append("|---|---:|---:|---:|---:|---:|")
            st = co["rows"].get("stock", {})
            for c in CONFIGS:
                rw = co["rows"].get(c)
                if not rw:
                    continue

                def diff(k):
                    if rw.get(k) is None or st.get(k) is None or c == "stock":
                        return "-"
                    return "{:+,.0f}".format(rw[k] - st[k])
                L.append("| %s | %s | %s | %s | %s | %s |" % (
                    c, fmt_instr(rw.get("hit")), fmt_instr(rw.get("listed")), diff("hit"),
                    diff("listed"), fnum(rw.get("startup_instr") / 1e6 if rw.get("startup_instr") else None, "%.0f")))
        else:
            L.append("| configuration | cache hit (unlisted) | listed name |")
            L.append("|---|---:|---:|")
            for c in CONFIGS:
                rw = co["rows"].get(c)
                if rw:
                    L.append("| %s | %s | %s |" % (c, fmt_instr(rw.get("hit")), fmt_instr(rw.get("listed"))))
        L.append("")
    L.append("## Set-up")
    L.append("")
    L.append("Every configuration is the same Unbound binary and the same unbound.conf apart from "
             "module-config and the blocking clause: 127.0.0.1 on a free port, verbosity 1, logfile, "
             "caches as above, an auth-zone for \".\" (for-upstream) that delegates every TLD to NSD on "
             "%s port 53, which answers every name below them from a wildcard (TTL 86400). log: "
             "`mode: log` with `log-file:`; block: `mode: block`; localzone: one `local-zone: \"<zone>.\" "
             "always_nxdomain` per entry; rpz: module-config \"respip validator iterator\" and one RPZ zone "
             "with `<zone> CNAME .` and `*.<zone> CNAME .` per entry. Each start: exec, first answer, "
             "warm-up (every query name once, so misses are resolved and cached), then per query file "
             "a %d s settling pass and the %d s measured run; the order of the configurations rotates "
             "from one repetition to the next." % (b.nsd_ip or "127.54.x.y", p.warm_s, p.run_s))
    L.append("")
    return "\n".join(L) + "\n"


# ----------------------------------------------------------------------

def main():
    try:
        p = Params()
    except Fail as e:
        say("bench: %s" % e)
        return 2
    if len(sys.argv) > 1 and sys.argv[1] in ("--estimate", "-n"):
        p.estimate_only = True
    b = Bench(p)
    items = b.items()
    est = estimate(p, items)
    total = sum(est.values())
    say("bench: parts: %s; sizes %s; threads %s; %d repetitions of %d s" % (
        " ".join(p.only), " ".join(size_name(n) for n in p.sizes),
        " ".join(str(t) for t in p.threads), p.reps, p.run_s))
    say("bench: estimated duration: %s (%s)" % (fmt_dur(total), ", ".join(
        "%s %s" % (k, fmt_dur(v)) for k, v in est.items())))
    if p.estimate_only:
        return 0
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    status = 0
    try:
        b.check_tools()
        b.machine = machine_info(p)
        la = float(b.machine["loadavg_start"][0])
        if la > 0.3 * p.ncpu:
            say("bench: warning: load average %.2f on %d CPUs: the machine is not quiet, "
                "figures will be noisy" % (la, p.ncpu))
        os.makedirs(p.results, exist_ok=True)
        if p.out:
            md = p.out
        else:
            stem = os.path.join(p.results, "%s-%s" % (time.strftime("%Y-%m-%d"), b.machine["host"]))
            md, k = stem + ".md", 2
            while os.path.exists(md):
                md, k = "%s-%d.md" % (stem, k), k + 1
        b.md_path = md
        b.json_path = md[:-3] + ".json" if md.endswith(".md") else md + ".json"
        b.prepare()
        if items or "swap" in p.only or "cost" in p.only:
            b.nsd_start()
        if items:
            b.throughput()
        if "swap" in p.only:
            b.swap_all()
        if "micro" in p.only:
            b.micro()
        if "cost" in p.only:
            b.cost()
        PROCS.stop(b.nsd)
    except Interrupted as e:
        b.interrupted = str(e)
        say("bench: interrupted (%s), stopping what was started" % e)
        status = 130
    except Fail as e:
        b.interrupted = "error: %s" % str(e).splitlines()[0]
        say("bench: %s" % e)
        status = 1
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        PROCS.stop_all()
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL)
    if getattr(b, "md_path", None) and (b.records["throughput"] or b.records["swap"]
                                         or b.records["micro"] or b.records["cost"]):
        b.machine["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
        text = report(b)
        with open(b.md_path, "w") as f:
            f.write(text)
        b.save_json()
        say("")
        say(text)
        say("bench: report written to %s (raw data: %s)" % (b.md_path, b.json_path))
    if not p.keep and b.data:
        for d in ("run", "cost", "nsd", "micro"):
            shutil.rmtree(os.path.join(p.work, d), ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
