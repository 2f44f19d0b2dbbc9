#!/usr/bin/env python3
"""Mutation fuzzer of the update tool's configuration reader.

tools/dyndns-guard-update is a POSIX sh script, so libFuzzer cannot drive
it: this runs `sh dyndns-guard-update --check-config -c FILE` on mutated
configurations (seeded from tests/fuzz/corpus/update_conf/) and checks
each run with one oracle.  A finding is:
  - an exit status other than 0 and 2, or a run longer than 5 s;
  - on exit 0: anything on stderr, or stdout other than the OK line;
  - on exit 2: stderr other than exactly one line
    "dyndns-guard-update: CONF:LINE: reason" or "dyndns-guard-update:
    CONF: reason", or with a control byte in it (the tool must not pass
    terminal escapes through), or a shell error message in it (syntax
    error, not found, parameter not set, ...) that the file does not hold;
  - a file created, or left behind, anywhere in the scratch directory
    the tool runs in except its own (emptied) TMPDIR, in particular the
    marker files of the `touch PWNED` commands the mutations embed in
    values; or the configuration file changed.
The run is in a scratch directory: cwd is RUN, the configuration is
RUN/conf/u.conf, TMPDIR is RUN/conf/tmp and HOME is RUN/home.

Modes:
  fuzz_update_conf.py --tool T --corpus DIR [--work W] [--time S]
      fuzz for S seconds (default 60); inputs that give a new outcome (exit
      status and message with the quoted values cut out) are saved in
      W/corpus, findings (reduced) in W/findings; exit 1 on a finding.
  fuzz_update_conf.py --tool T --one FILE
      check one file: prints "ok" or the finding; exit 0 or 1.
  fuzz_update_conf.py --tool T --merge OUT DIR...
      keep in OUT every named file (seeds, reproducers) and the smallest
      file of every coarse outcome (exit status, first words) among
      the files named by hash, as the fuzzer saves them.
Standard library only.
"""
import argparse
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PROG = "dyndns-guard-update"
TIME_LIMIT = 5.0
MAX_INPUT = 65536

SHELL_ERRORS = [
    "syntax error", "not found", "parameter not set", "unexpected",
    "Illegal number", "bad number", "arithmetic", "Bad substitution",
    "bad substitution", "unbound variable", "integer expression",
    "No such file", "Permission denied", "cannot open", "awk:", "expr:",
    "Segmentation", "core dumped", "Killed",
]

KEYS = [
    "dyndns-guard-update", "output", "source", "signed-list",
    "signature-url", "public-key", "sign-key", "max-shrink", "timeout",
    "created", "max-download-size", "insecure-http",
]

MARK = "PWNED"
EVIL = [
    "$(touch PWNED)", "`touch PWNED`", "; touch PWNED", "| touch PWNED",
    "&& touch PWNED", "\n touch PWNED", "$(touch PWNED1)x", "${x:-$(touch PWNED2)}",
    "'$(touch PWNED3)'", "\"`touch PWNED4`\"", "\\$(touch PWNED5)",
    "x; touch PWNED6 #", "$IFS", "${IFS}", "$((1/0))", "$((", "${x:?}",
    "${", "$", "`", "*", "?", "[a-z]", "[", "~", "~root", "../../../etc/passwd",
    "/etc/passwd", "..", ".", "/", "//", "-", "--", "-n", "-e", "-c",
    "%s%s%n", "%", "\\", "\\\\", "\\\"", "'", "\"", "#", ":", "::", "\t",
    " ", "\r", "\x00", "\x1b[31m", "\x7f", "\x0b", "\x0c", "\x01",
    "\u00e9", "\u202e", "\ufeff", "\xff\xfe", "0", "-1", "00", "08",
    "99999999999", "999999999999999999999", "1e9", "0x10", "1.5", ".5",
    "1.", ".", "100%", "0%", "%", ".%", "1..2", "17G", "16G", "1K", "0K",
    "86400", "86401", "00001", "yes", "no", "now", "source-date",
    "https://h/x", "http://h/x", "file:///x", "file://x", "ftp://h/x",
    "https://h/$(touch PWNED7)", "https://h/`touch PWNED8`", "https://",
    "csv:1", "csv:0", "csv:999", "csv:1000", "plain", "hosts", "auto",
    "a" * 63, "a" * 64, "a/b", "e", "E", "E\t1\tx",
]


def encode(s):
    """str with \\x escapes as bytes (latin-1 for one-byte ones)."""
    return s.encode("utf-8") if any(ord(c) > 255 for c in s) else \
        s.encode("latin-1")


EVIL_B = [encode(e) for e in EVIL]


class Runner:
    """Runs the tool in a scratch directory and applies the oracle."""

    def __init__(self, tool, work):
        self.tool = os.path.abspath(tool)
        self.work = os.path.abspath(work)
        self.run_dir = os.path.join(self.work, "run")
        self.conf_dir = os.path.join(self.run_dir, "conf")
        self.conf = os.path.join(self.conf_dir, "u.conf")
        self.tmp = os.path.join(self.conf_dir, "tmp")
        self.home = os.path.join(self.run_dir, "home")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LC_ALL": "C", "TMPDIR": self.tmp, "HOME": self.home,
        }
        self.execs = 0

    def prepare(self, data):
        if os.path.exists(self.run_dir):
            shutil.rmtree(self.run_dir)
        os.makedirs(self.tmp)
        os.makedirs(self.home)
        with open(self.conf, "wb") as f:
            f.write(data)

    def leftovers(self, data):
        """Files that should not be there after a run."""
        bad = []
        allowed = {self.conf_dir, self.conf, self.tmp, self.home}
        for root, dirs, files in os.walk(self.run_dir):
            for n in dirs + files:
                p = os.path.join(root, n)
                if p not in allowed:
                    bad.append(os.path.relpath(p, self.run_dir))
        try:
            with open(self.conf, "rb") as f:
                if f.read() != data:
                    bad.append("conf/u.conf (changed)")
        except OSError:
            bad.append("conf/u.conf (gone)")
        return bad

    def run(self, data):
        """Returns (outcome, finding or None)."""
        self.prepare(data)
        self.execs += 1
        start = time.monotonic()
        p = subprocess.Popen(
            ["sh", self.tool, "--check-config", "-c", self.conf],
            cwd=self.run_dir, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        try:
            out, err = p.communicate(timeout=TIME_LIMIT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            return "timeout", "run longer than %g s" % TIME_LIMIT
        took = time.monotonic() - start
        rc = p.returncode
        finding = self.judge(data, rc, out, err, took)
        left = self.leftovers(data)
        if left and not finding:
            finding = "files created: " + ", ".join(sorted(left)[:5])
        return outcome(rc, err), finding

    def judge(self, data, rc, out, err, took):
        conf = self.conf.encode()
        if took > TIME_LIMIT:
            return "run longer than %g s" % TIME_LIMIT
        if rc == 0:
            if err:
                return "exit 0 with stderr: %r" % err[:200]
            if out != b"%s: %s: configuration OK\n" % (PROG.encode(), conf):
                return "exit 0 with stdout: %r" % out[:200]
            return None
        if rc != 2:
            return "exit %d: %r" % (rc, err[:300])
        if out:
            return "exit 2 with stdout: %r" % out[:200]
        if not err.endswith(b"\n") or err.count(b"\n") != 1:
            return "exit 2, stderr not one line: %r" % err[:300]
        line = err[:-1]
        if re.search(rb"[\x00-\x1f\x7f]", line):
            return "control byte in the message: %r" % line[:300]
        head = PROG.encode() + b": " + conf
        if not (re.match(re.escape(head) + rb":[0-9]+: .", line) or
                re.match(re.escape(head) + rb": .", line)):
            return "message not of the form CONF:LINE: reason: %r" % line[:300]
        for e in SHELL_ERRORS:
            if e.encode() in line and e.encode() not in data:
                return "shell error message: %r" % line[:300]
        return None


def outcome(rc, err):
    """Exit status and the message with quoted values and numbers cut out:
    a crude signal of which check rejected the input."""
    if rc != 2:
        return "rc=%d" % rc
    m = err.decode("latin-1").split("\n")[0]
    m = re.sub(r"^[^:]*: [^:]*(:[0-9]+)?: ", "", m)
    m = re.sub(r"'[^']*'", "''", m)
    m = re.sub(r"\"[^\"]*\"", '""', m)
    m = re.sub(r"[0-9]+", "N", m)
    return "rc=2 " + m[:120]


def coarse(oc):
    """The exit status and the first words of the message that hold no
    quote (the values are quoted): which check rejected the input, not
    which value (for --merge, to keep the corpus small)."""
    return " ".join([w for w in oc.split() if not re.search(r"[\"']", w)]
                    [:4])


# ------------------------------------------------------------- mutations

def lines_of(b):
    return b.split(b"\n")


def m_flip(rng, b, pool):
    if not b:
        return bytes([rng.randrange(256)])
    i = rng.randrange(len(b))
    return b[:i] + bytes([b[i] ^ (1 << rng.randrange(8))]) + b[i + 1:]


def m_byte(rng, b, pool):
    i = rng.randrange(len(b) + 1)
    c = rng.choice(b"\x00\r\t\x1b\x7f\x0b\"'\\#:$`;|&*?[]~ \n\xff\xc3")
    return b[:i] + bytes([c]) + b[i:]


def m_delete(rng, b, pool):
    if not b:
        return b
    i = rng.randrange(len(b))
    j = min(len(b), i + rng.randrange(1, 16))
    return b[:i] + b[j:]


def m_evil(rng, b, pool):
    """Put an interesting string somewhere: after a colon, at a random
    place, or instead of a token."""
    e = rng.choice(EVIL_B)
    ls = lines_of(b)
    k = rng.randrange(len(ls))
    ln = ls[k]
    r = rng.random()
    if r < 0.4 and b":" in ln:
        i = ln.index(b":") + 1
        q = rng.choice([b"", b"", b"\"", b"'"])
        ln = ln[:i] + b" " + q + e + q + ln[i:]
    elif r < 0.7:
        toks = ln.split(b" ")
        toks[rng.randrange(len(toks))] = e
        ln = b" ".join(toks)
    else:
        i = rng.randrange(len(ln) + 1)
        ln = ln[:i] + e + ln[i:]
    ls[k] = ln
    return b"\n".join(ls)


def m_key(rng, b, pool):
    """A line with a known key and random values."""
    vals = [rng.choice(EVIL_B) for _ in range(rng.randrange(0, 4))]
    sep = rng.choice([b": ", b":", b" : ", b":\t"])
    q = rng.choice([b"", b"\"", b"'"])
    ln = rng.choice(KEYS).encode() + sep + b" ".join(q + v + q for v in vals)
    ls = lines_of(b)
    ls.insert(rng.randrange(len(ls) + 1), ln)
    return b"\n".join(ls)


def m_splice(rng, b, pool):
    other = lines_of(rng.choice(pool))
    ls = lines_of(b)
    ls.insert(rng.randrange(len(ls) + 1), rng.choice(other))
    return b"\n".join(ls)


def m_dropline(rng, b, pool):
    ls = lines_of(b)
    if len(ls) > 1:
        del ls[rng.randrange(len(ls))]
    return b"\n".join(ls)


def m_dupline(rng, b, pool):
    ls = lines_of(b)
    k = rng.randrange(len(ls))
    ls.insert(k, ls[k])
    return b"\n".join(ls)


def m_long(rng, b, pool):
    ls = lines_of(b)
    k = rng.randrange(len(ls))
    unit = rng.choice([b"a", b"x ", b"\"a\" ", b"\\", b"9", b"$(x)", b"'"])
    ls[k] = ls[k] + unit * rng.choice([64, 1000, 10000])
    return b"\n".join(ls)


def m_quote(rng, b, pool):
    """Unbalance or add quotes and backslashes around a token."""
    i = rng.randrange(len(b) + 1)
    return b[:i] + rng.choice([b"\"", b"'", b"\\", b"\"'", b"'\"", b"\\\"",
                               b"\\'", b"\\\\", b"\"\"", b"''"]) + b[i:]


def m_crlf(rng, b, pool):
    return b.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n", b"\x00\n"]))


MUTATORS = [m_flip, m_byte, m_delete, m_evil, m_evil, m_evil, m_key, m_key,
            m_splice, m_dropline, m_dupline, m_long, m_quote, m_crlf]


def mutate(rng, b, pool):
    for _ in range(rng.randrange(1, 5)):
        b = rng.choice(MUTATORS)(rng, b, pool)
    return b[:MAX_INPUT]


# ------------------------------------------------------------- helpers

def read_dir(d):
    out = []
    for n in sorted(os.listdir(d)):
        p = os.path.join(d, n)
        if os.path.isfile(p) and not n.startswith("."):
            with open(p, "rb") as f:
                out.append((n, f.read()))
    return out


def save(d, data, prefix=""):
    os.makedirs(d, exist_ok=True)
    name = prefix + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    return name


def finding_class(f):
    """What kind of finding (for reduction: keep the same kind)."""
    return f.split(":")[0][:40] if f else None


def reduce(runner, data, finding):
    """Smaller input with the same kind of finding: drop lines, then
    byte ranges."""
    want = finding_class(finding)

    def same(d):
        return finding_class(runner.run(d)[1]) == want

    ls = lines_of(data)
    i = 0
    while i < len(ls) and len(ls) > 1:
        t = ls[:i] + ls[i + 1:]
        if same(b"\n".join(t)):
            ls = t
        else:
            i += 1
    data = b"\n".join(ls)
    chunk = max(1, len(data) // 4)
    while chunk >= 1:
        i = 0
        while i < len(data):
            t = data[:i] + data[i + chunk:]
            if t and same(t):
                data = t
            else:
                i += chunk
        chunk //= 2
    return data


# ------------------------------------------------------------- modes

def do_one(args):
    work = tempfile.mkdtemp(prefix="fuzz_update_conf.")
    try:
        r = Runner(args.tool, work)
        with open(args.one, "rb") as f:
            data = f.read()
        oc, finding = r.run(data)
        if finding:
            print("finding: " + finding)
            return 1
        print("ok: " + oc)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def do_merge(args):
    work = tempfile.mkdtemp(prefix="fuzz_update_conf.")
    try:
        r = Runner(args.tool, work)
        best = {}
        keep = []
        for d in args.dirs:
            for n, data in read_dir(d):
                oc, finding = r.run(data)
                if not re.fullmatch(r"[0-9a-f]{16}", n):
                    # a named seed or reproducer: always kept
                    keep.append((n, data))
                    continue
                key = ("finding " + finding_class(finding)) if finding \
                    else coarse(oc)
                if key not in best or len(data) < len(best[key][1]) or \
                        (len(data) == len(best[key][1]) and n < best[key][0]):
                    best[key] = (n, data)
        os.makedirs(args.merge, exist_ok=True)
        for key, (n, data) in sorted(best.items()) + \
                [(None, k) for k in keep]:
            with open(os.path.join(args.merge, n), "wb") as f:
                f.write(data)
        print("merged %d named files and %d outcomes into %s"
              % (len(keep), len(best), args.merge))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def do_fuzz(args):
    work = os.path.abspath(args.work or tempfile.mkdtemp(
        prefix="fuzz_update_conf."))
    corpus_out = os.path.join(work, "corpus")
    findings_out = os.path.join(work, "findings")
    os.makedirs(corpus_out, exist_ok=True)
    r = Runner(args.tool, work)
    rng = random.Random(args.seed)
    pool = [d for _, d in read_dir(args.corpus)] + \
        [d for _, d in read_dir(corpus_out)]
    if not pool:
        print("no seeds in %s" % args.corpus, file=sys.stderr)
        return 2
    seen = set()
    kinds = set()
    findings = 0
    for data in list(pool):
        oc, finding = r.run(data)
        seen.add(oc)
        if finding:
            print("seed finding: %s" % finding)
    start = time.monotonic()
    last = start
    while time.monotonic() - start < args.time:
        data = mutate(rng, rng.choice(pool), pool)
        oc, finding = r.run(data)
        if finding:
            k = finding_class(finding)
            if k not in kinds:
                kinds.add(k)
                findings += 1
                small = reduce(r, data, finding)
                name = save(findings_out, small, "finding-")
                print("FINDING %s: %s" % (name, finding))
                sys.stdout.flush()
            continue
        if oc not in seen:
            seen.add(oc)
            pool.append(data)
            save(corpus_out, data)
        now = time.monotonic()
        if now - last >= 10:
            last = now
            el = now - start
            print("#%d %.0fs exec/s: %.1f outcomes: %d pool: %d findings: %d"
                  % (r.execs, el, r.execs / el, len(seen), len(pool),
                     findings))
            sys.stdout.flush()
    el = time.monotonic() - start
    print("Done %d runs in %.0f s (%.1f exec/s), %d outcomes, corpus %d, "
          "%d finding kinds" % (r.execs, el, r.execs / el, len(seen),
                                len(pool), findings))
    shutil.rmtree(r.run_dir, ignore_errors=True)
    return 1 if findings else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tool", required=True)
    ap.add_argument("--corpus")
    ap.add_argument("--work")
    ap.add_argument("--time", type=float, default=60)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--one")
    ap.add_argument("--merge")
    ap.add_argument("dirs", nargs="*")
    args = ap.parse_args()
    if args.one:
        return do_one(args)
    if args.merge:
        return do_merge(args)
    if not args.corpus:
        ap.error("--corpus is needed")
    return do_fuzz(args)


if __name__ == "__main__":
    sys.exit(main())
