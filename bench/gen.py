#!/usr/bin/env python3
"""gen.py: the synthetic data of the side-by-side benchmark (bench/run.sh).

Everything is drawn from one random.Random(seed) stream, so the same seed
gives the same files on every machine and Python 3 version.

The list: one stream of distinct zones, of which a list of N entries is
the first N (so the 100,000-entry list is part of the 1,000,000-entry one,
and a name listed in the small list is listed in the large one too).
Shapes, as in real dynamic-DNS lists:
  50 %  label.provider.tld   customers of 2,000 provider zones (provider.tld,
                             itself not listed), Zipf-distributed, so a few
                             providers carry tens of thousands of entries
  40 %  label.tld            a zone of its own
  10 %  label.label.tld      a zone one level deeper
No entry lies below another one (`dyndns-guard compile` would drop it), so
the compiled list has exactly N entries.

The queries: unlisted names (none of their suffixes is in the largest
list) in the shapes host.label.tld, label.tld, host.label.provider.tld and
label.provider.tld (near misses below a provider); listed names are one or
two labels below a zone of the smallest list.

usage: gen.py OUTDIR SEED MAXN MINN QUERIES PCT[,PCT...] SWAPS
Writes OUTDIR/entries.txt (MAXN zones, stream order), unlisted.txt, listed.txt
(names, one a line), mix-PCT.txt (dnsperf input: QUERIES unique names, PCT %
listed), warm.txt (every query name once), tlds.txt (the TLDs the names use),
swap.txt (SWAPS zones in no list, for the replacement runs) and meta.json.
"""
import json
import os
import random
import sys

SUFFIXES = [("com", 30), ("net", 8), ("org", 6), ("de", 4), ("ru", 4),
            ("io", 3), ("info", 3), ("xyz", 3), ("co.uk", 3), ("com.ar", 3),
            ("com.br", 3), ("com.au", 2), ("biz", 2), ("jp", 2), ("pl", 2),
            ("nl", 2), ("fr", 2), ("top", 2), ("me", 2), ("tk", 2), ("cc", 1),
            ("eu", 1)]
NPROVIDERS = 2000
HOSTS = ["www", "mail", "api", "cdn", "m", "app", "static", "img", "login",
         "shop", "vpn", "remote", "nas", "cam", "home"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"
ALNUM = LETTERS + "0123456789"
VERSION = 1


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        sfx = [s for s, _ in SUFFIXES]
        w = [x for _, x in SUFFIXES]
        self._sfx, self._sfxcw = sfx, _cum(w)

    def suffix(self):
        return self.r.choices(self._sfx, cum_weights=self._sfxcw)[0]

    def label(self, lo=3, hi=16):
        r = self.r
        n = r.randint(lo, hi)
        if r.random() < 0.7:
            s = "".join(r.choice(LETTERS) for _ in range(n))
        else:
            s = r.choice(LETTERS) + "".join(r.choice(ALNUM) for _ in range(n - 1))
        if n >= 6 and r.random() < 0.15:
            k = r.randint(2, n - 3)
            s = s[:k] + "-" + s[k + 1:]
        return s


def _cum(w):
    out, t = [], 0.0
    for x in w:
        t += x
        out.append(t)
    return out


def parents(name):
    """the proper suffixes of NAME with at least two labels"""
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(1, len(labels) - 1)]


def listed_in(name, entries):
    """whether NAME or one of its suffixes is in ENTRIES"""
    if name in entries:
        return True
    return any(p in entries for p in parents(name))


def generate(outdir, seed, maxn, minn, nqueries, pcts, nswaps):
    g = Gen(seed)
    r = g.r
    providers = []
    pset = set()
    while len(providers) < NPROVIDERS:
        p = g.label(4, 10) + "." + g.suffix()
        if p not in pset:
            pset.add(p)
            providers.append(p)
    pcw = _cum([1.0 / (i + 1) ** 1.1 for i in range(NPROVIDERS)])
    reserved = set(pset)  # provider apexes and their parents
    for p in providers:
        reserved.update(parents(p))

    entries = []
    eset = set()
    anc = set()  # proper suffixes of entries
    while len(entries) < maxn:
        x = r.random()
        if x < 0.5:
            e = g.label(3, 20) + "." + r.choices(providers, cum_weights=pcw)[0]
        elif x < 0.9:
            e = g.label(3, 18) + "." + g.suffix()
        else:
            e = g.label(3, 12) + "." + g.label(4, 14) + "." + g.suffix()
        if e in eset or e in anc or e in reserved:
            continue
        ps = parents(e)
        if any(p in eset for p in ps):
            continue
        eset.add(e)
        anc.update(ps)
        entries.append(e)

    # unlisted names, unique, none of them (or their suffixes) listed
    unlisted = []
    uset = set()
    while len(unlisted) < nqueries:
        x = r.random()
        if x < 0.55:
            h = r.choice(HOSTS) if r.random() < 0.6 else g.label(2, 10)
            n = h + "." + g.label(3, 16) + "." + g.suffix()
        elif x < 0.75:
            n = g.label(3, 16) + "." + g.suffix()
        elif x < 0.9:
            h = r.choice(HOSTS) if r.random() < 0.6 else g.label(2, 10)
            n = h + "." + g.label(3, 16) + "." + r.choices(providers, cum_weights=pcw)[0]
        else:
            n = g.label(3, 16) + "." + r.choices(providers, cum_weights=pcw)[0]
        if n in uset or listed_in(n, eset):
            continue
        uset.add(n)
        unlisted.append(n)

    # listed names: one or two labels below a zone of the smallest list
    maxpct = max(pcts) if pcts else 0
    nlisted = nqueries * maxpct // 100
    listed = []
    lset = set()
    while len(listed) < nlisted:
        z = entries[r.randrange(minn)]
        if r.random() < 0.7:
            n = (r.choice(HOSTS) if r.random() < 0.5 else g.label(2, 10)) + "." + z
        else:
            n = g.label(2, 8) + "." + g.label(2, 10) + "." + z
        if n in lset:
            continue
        lset.add(n)
        listed.append(n)

    # zones for the replacement runs: in no list, not above any query name
    swaps = []
    while len(swaps) < nswaps:
        z = "swap-" + g.label(6, 10) + ".com"
        if z in eset or z in anc or z in reserved or listed_in(z, eset) \
                or z in swaps:
            continue
        swaps.append(z)

    os.makedirs(outdir, exist_ok=True)

    def write(name, lines):
        with open(os.path.join(outdir, name), "w") as f:
            for x in lines:
                f.write(x + "\n")

    write("entries.txt", entries)
    write("unlisted.txt", unlisted)
    write("listed.txt", listed)
    write("swap.txt", swaps)
    for p in pcts:
        k = nqueries * p // 100
        names = unlisted[:nqueries - k] + listed[:k]
        r.shuffle(names)
        write("mix-%d.txt" % p, (n + " A" for n in names))
    warm = unlisted + listed
    r.shuffle(warm)
    write("warm.txt", (n + " A" for n in warm))
    tlds = sorted({n.rsplit(".", 1)[1] for n in entries + unlisted + listed + swaps})
    write("tlds.txt", tlds)
    meta = {"version": VERSION, "seed": seed, "maxn": maxn, "minn": minn,
            "queries": nqueries, "pcts": pcts, "swaps": nswaps,
            "providers": NPROVIDERS, "listed": len(listed)}
    with open(os.path.join(outdir, "meta.json"), "w") as f:
        json.dump(meta, f)
    return meta


def main():
    if len(sys.argv) != 8:
        sys.stderr.write(__doc__)
        return 2
    outdir, seed, maxn, minn, nq, pcts, nswaps = sys.argv[1:]
    pcts = [int(p) for p in pcts.split(",") if p != ""]
    generate(outdir, int(seed), int(maxn), int(minn), int(nq), pcts, int(nswaps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
