#!/usr/bin/env python3
"""Regenerate the shipped dynamic-DNS list (lists/*.txt and friends) from the
upstream provider lists.

usage: build-lists.py [--out DIR] [UPSTREAM_DIR]

UPSTREAM_DIR defaults to ../shared/data/upstream relative to the repository
(when it exists). DIR defaults to the directory of this script (lists/).

Python 3 standard library only. The output depends on the upstream files and
on lists/categories.tsv and lists/decisions.tsv only: no clock, no network, no
locale, no hash-seed dependence (everything is sorted), so two runs on the
same inputs give byte-identical files. See lists/README.md for the rules.
"""

import argparse
import datetime
import hashlib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# The twelve sources: file, short description of what to keep, licence file(s)
# in lists/licenses/. Order here is the order in NOTICE and sources.tsv.
SOURCES = [
    ("psl.txt", "MPL-2.0", ["MPL-2.0.txt"]),
    ("nextdns-ddns-domains.txt", "MIT", ["MIT-nextdns.txt"]),
    ("v2fly-category-ddns.txt", "MIT", ["MIT-v2fly.txt"]),
    ("maltrail.txt", "MIT", ["MIT-maltrail.txt"]),
    ("shadowwhisperer.txt", "Unlicense", ["Unlicense.txt"]),
    ("iam-py-test-antidynamicdns.txt", "CC0-1.0", ["CC0-1.0.txt"]),
    ("nolovia.txt", "Apache-2.0", ["Apache-2.0.txt"]),
    ("et-open.txt", "BSD-3-Clause", ["BSD-3-Clause-EmergingThreats.txt"]),
    ("et-open-policy-2025.txt", "BSD-3-Clause",
     ["BSD-3-Clause-EmergingThreats.txt"]),
    ("alexandrosmagos.txt", "Unlicense", ["Unlicense.txt"]),
    ("misp.txt", "CC0-1.0", ["CC0-1.0.txt"]),
    ("splunk.txt", "Apache-2.0", ["Apache-2.0.txt"]),
]
PIVOT_FILE = "maltrail-pivot-only.txt"
FLAGGED_FILE = "flagged-candidates.tsv"

# Source groups used by the classification rules (see README.md).
PROVIDER_LISTS = {"v2fly-category-ddns.txt", "et-open-policy-2025.txt",
                  "nolovia.txt"}
CURATED_LISTS = {"nextdns-ddns-domains.txt", "iam-py-test-antidynamicdns.txt",
                 "shadowwhisperer.txt", "maltrail.txt"}
FREEDNS_CURRENT = "alexandrosmagos.txt"
OLD_BULK = {"splunk.txt", "misp.txt"}
BULK_LISTS = OLD_BULK | {FREEDNS_CURRENT}
# curated lists grouped by provider whose FreeDNS part is the current registry
GROUPED_LISTS = {"nextdns-ddns-domains.txt", "iam-py-test-antidynamicdns.txt"}

CATEGORIES = [
    ("ddns-service", "dynamic-DNS service zones handing out host names "
     "(DuckDNS, No-IP, Dynu, DynDNS, ChangeIP, Oray, ...)"),
    ("shared-domain", "shared domains lent out to users by a DNS service "
     "(the FreeDNS/afraid.org kind), in the current registry or confirmed "
     "by more than one source"),
    ("shared-domain-stale", "shared domains known only from the old bulk "
     "snapshots (Splunk 2020, MISP 2023), absent from the current FreeDNS "
     "registry scrape and from every curated list"),
    ("vendor-ddns", "router / NAS / camera vendor DDNS zones (synology.me, "
     "myfritz.net, asuscomm.com, ...)"),
    ("provider-endpoint", "DDNS providers' own web, account and update-API "
     "domains (no-ip.com, dynu.com, afraid.org, checkip.dyndns.org, ...)"),
    ("lookalike", "not dynamic DNS, similar abuse: IP-echo wildcard DNS and "
     "tunnels (nip.io, sslip.io, serveo.net, ...)"),
]
CATNAMES = [c for c, _ in CATEGORIES]

# F9 by rule: names under a government / education / military namespace.
GOV_RE = re.compile(r"(^|\.)(gov|gob|go|mil|edu|ac|gouv|govt|gv)\.[a-z]{2}$"
                    r"|\.(gov|edu|mil)$")
LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MPL_NOTICE = ("# This Source Code Form is subject to the terms of the Mozilla "
              "Public License, v. 2.0.\n# If a copy of the MPL was not "
              "distributed with this file, You can obtain one at\n# "
              "https://mozilla.org/MPL/2.0/. (It contains data from the Public "
              "Suffix List; see lists/NOTICE.)\n")


def normalise(raw):
    """The canonical form of a list entry, or None if it is no valid suffix:
    lowercase, no wildcard or leading/trailing dots, IDN as A-labels, LDH
    labels only, at least two labels, not an IP address."""
    s = raw.strip().strip("\"'").lower()
    while s.startswith("*.") or s.startswith("*") or s.startswith("."):
        s = s[2:] if s.startswith("*.") else s[1:]
    s = s.rstrip("*").rstrip(".")
    if not s:
        return None
    if any(ord(ch) > 127 for ch in s):
        try:
            s = s.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    labels = s.split(".")
    if len(labels) < 2 or len(s) > 253:
        return None
    if not all(LABEL_RE.match(lb) for lb in labels):
        return None
    if labels[-1].isdigit():          # IPv4 address or numeric "TLD"
        return None
    return s


def read_names(path):
    names, bad = set(), 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            n = normalise(line)
            if n is None:
                bad += 1
            else:
                names.add(n)
    return names, bad


def read_header(path):
    meta = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            m = re.match(r"#\s*([a-z][a-z ]*?):\s*(.*)$", line.rstrip("\n"))
            if m and m.group(1) not in meta:
                meta[m.group(1)] = m.group(2).strip()
    return meta


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


def write(path, text):
    with open(path + ".tmp", "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def parents(name):
    labels = name.split(".")
    for i in range(1, len(labels) - 1):
        yield ".".join(labels[i:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("upstream", nargs="?",
                    default=os.path.join(os.path.dirname(REPO), "shared",
                                         "data", "upstream"))
    ap.add_argument("--out", default=HERE)
    a = ap.parse_args()
    up, out = a.upstream, a.out
    if not os.path.isdir(up):
        sys.exit("build-lists.py: no upstream directory %s" % up)

    # ---- read everything -------------------------------------------------
    src_names, src_meta = {}, {}
    for fn, _, _ in SOURCES:
        p = os.path.join(up, fn)
        names, bad = read_names(p)
        src_names[fn] = names
        src_meta[fn] = read_header(p)
        src_meta[fn]["_sha256"] = sha256(p)
        src_meta[fn]["_count"] = len(names)
        src_meta[fn]["_dropped"] = bad
    pivot, _ = read_names(os.path.join(up, PIVOT_FILE))
    # raw upstream lines that normalisation rejects (e.g. the TLD "mov"):
    # needed to count flagged names that never reach the list
    rejected = set()
    rejected_src = {}
    for fn, _, _ in SOURCES:
        with open(os.path.join(up, fn), encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line and normalise(line) is None:
                    rejected.add(line.lower().strip("."))
                    rejected_src.setdefault(line, []).append(fn)
    flagged = {}
    rejected_flagged = {}
    for row in read_tsv(os.path.join(up, FLAGGED_FILE)):
        if row[0] == "domain":
            continue
        n = normalise(row[0])
        fid = row[1].split("-", 1)[0]
        if n is None and row[0].lower() in rejected:
            rejected_flagged.setdefault(fid, set()).add(row[0].lower())
        if n:
            flagged.setdefault(n, [])
            if fid not in flagged[n]:
                flagged[n].append(fid)
    decisions = {}
    for row in read_tsv(os.path.join(HERE, "decisions.tsv")):
        decisions[row[0]] = {"action": row[1], "what": row[2],
                             "reason": row[3]}
    curated = {}
    for row in read_tsv(os.path.join(HERE, "categories.tsv")):
        n = normalise(row[0])
        if n is None or n in curated:
            sys.exit("build-lists.py: categories.tsv: bad or duplicate name "
                     "%r" % row[0])
        if row[1] not in CATNAMES and row[1] != "exclude":
            sys.exit("build-lists.py: categories.tsv: bad category %r"
                     % row[1])
        curated[n] = {"cat": row[1], "dec": row[2], "origin": row[3],
                      "reason": row[4]}

    # ---- union with sources ------------------------------------------------
    sources = {}
    for fn, _, _ in SOURCES:
        for n in src_names[fn]:
            sources.setdefault(n, []).append(fn)
    warnings = []
    for n, c in sorted(curated.items()):
        if c["origin"] == "added":
            sources.setdefault(n, []).append("categories.tsv")
        elif n not in sources:
            warnings.append("categories.tsv: %s is in no upstream file "
                            "(row ignored)" % n)
    dropped_single = sorted(n for n in sources if "." not in n)  # never

    # ---- classify ----------------------------------------------------------
    # result: name -> (category or "exclude", rule, decision id or "")
    result = {}
    result_rejected = {}   # name -> decision id, dropped by normalisation
    affected = {}          # decision id -> set of names it decided

    def hit(dec, n):
        if dec and dec != "-":
            affected.setdefault(dec, set()).add(n)

    for n in sorted(sources):
        srcs = set(sources[n])
        c = curated.get(n)
        if c is not None:
            result[n] = (c["cat"], "categories.tsv", c["dec"])
            hit(c["dec"], n)
            for fid in flagged.get(n, []):
                hit(fid, n)
            continue
        if n in flagged:
            fids = flagged[n]
            # an exclusion among several flags wins (dyn.columbia.edu: F3+F9)
            acts = [(decisions[f]["action"], f) for f in fids]
            excl = [x for x in acts if x[0] == "exclude"]
            act, fid = excl[0] if excl else acts[0]
            result[n] = (act, "flagged:" + fid, fid)
            for f in fids:
                hit(f, n)
            continue
        if GOV_RE.search(n):
            result[n] = ("exclude", "rule:gov-edu-mil", "F9")
            hit("F9", n)
            continue
        if "psl.txt" in srcs:
            result[n] = ("ddns-service", "rule:psl", "")
            continue
        if n in pivot:
            result[n] = ("exclude", "rule:maltrail-pivot-only", "N7")
            hit("N7", n)
            continue
        if srcs & PROVIDER_LISTS:
            result[n] = ("ddns-service", "rule:provider-list", "")
            continue
        if srcs & CURATED_LISTS and not srcs & BULK_LISTS:
            result[n] = ("ddns-service", "rule:curated-only", "")
            continue
        if srcs & GROUPED_LISTS and FREEDNS_CURRENT not in srcs:
            result[n] = ("ddns-service", "rule:grouped-not-freedns", "")
            continue
        if FREEDNS_CURRENT not in srcs and srcs <= OLD_BULK:
            result[n] = ("shared-domain-stale", "rule:old-bulk-only", "")
            continue
        result[n] = ("shared-domain", "rule:freedns", "")
    # flagged names that normalisation already rejected (single label ...)
    for fid, names in rejected_flagged.items():
        for n in names:
            affected.setdefault(fid, set()).add(n)
            result_rejected[n] = fid
    # pivot-only names rescued by categories.tsv count for N7 as well
    for n in pivot:
        if n in curated:
            hit("N7", n)

    # ---- minimise: drop a name covered by a parent of the same category ----
    kept = {}
    covered = {}
    for n in sorted(result):
        cat = result[n][0]
        if cat == "exclude":
            continue
        par = next((p for p in parents(n)
                    if p in result and result[p][0] == cat), None)
        if par is not None:
            covered[n] = par
        else:
            kept[n] = cat

    # ---- write -------------------------------------------------------------
    os.makedirs(out, exist_ok=True)
    counts = {c: 0 for c in CATNAMES}
    for n, cat in kept.items():
        counts[cat] += 1
    for cat, desc in CATEGORIES:
        names = sorted(n for n, c in kept.items() if c == cat)
        has_psl = any("psl.txt" in sources[n] for n in names)
        hdr = ("# dyndns-guard shipped list, category %s\n"
               "# %s\n"
               "# GENERATED by lists/build-lists.py: DO NOT EDIT (edit "
               "lists/categories.tsv or lists/decisions.tsv and regenerate).\n"
               "# %d entries; sources of every entry: lists/provenance.tsv; "
               "notices: lists/NOTICE.\n" % (cat, desc, len(names)))
        if has_psl:
            hdr += MPL_NOTICE
        write(os.path.join(out, cat + ".txt"),
              hdr + "".join(n + "\n" for n in names))

    prov = ["# lists/provenance.tsv: GENERATED by lists/build-lists.py, do "
            "not edit.\n# Every entry of the shipped list: name, category, "
            "rule that decided it, decision id, upstream files it came from.\n"
            "# (categories.tsv as a source: added by hand, see its reason "
            "there.)\n", MPL_NOTICE,
            "name\tcategory\trule\tdecision\tsources\n"]
    for n in sorted(kept):
        cat, rule, dec = result[n]
        prov.append("%s\t%s\t%s\t%s\t%s\n" % (n, cat, rule, dec or "-",
                                              ",".join(sources[n])))
    write(os.path.join(out, "provenance.tsv"), "".join(prov))

    exc = ["# lists/excluded.tsv: GENERATED by lists/build-lists.py, do not "
           "edit.\n# Upstream names NOT shipped: name, why (rule and decision "
           "id, or the covering entry), upstream files.\n", MPL_NOTICE,
           "name\twhy\tdecision\tsources\n"]
    for n in sorted(result):
        cat, rule, dec = result[n]
        if cat == "exclude":
            exc.append("%s\t%s\t%s\t%s\n" % (n, rule, dec or "-",
                                             ",".join(sources[n])))
        elif n in covered:
            exc.append("%s\tcovered-by:%s (%s)\t-\t%s\n"
                       % (n, covered[n], cat, ",".join(sources[n])))
    for raw in sorted(rejected_src):
        exc.append("%s\tnormalisation (invalid, IP address or single label)"
                   "\t%s\t%s\n" % (raw, result_rejected.get(raw.lower(), "-"),
                                    ",".join(rejected_src[raw])))
    write(os.path.join(out, "excluded.tsv"), "".join(exc))

    # sources.tsv: identity of each input
    st = ["# lists/sources.tsv: GENERATED by lists/build-lists.py, do not "
          "edit. The upstream inputs of this list.\n"
          "file\trepository\tpath\tcommit\tlicence\tentries\tsha256\n"]
    for fn, lic, _ in SOURCES:
        m = src_meta[fn]
        st.append("\t".join([fn, m.get("repository", "-"),
                             m.get("file", "-"),
                             m.get("commit", "-").split()[0],
                             lic, str(m["_count"]), m["_sha256"]]) + "\n")
    for fn in (PIVOT_FILE, FLAGGED_FILE):
        st.append("\t".join([fn, "-", "-", "-", "-", "-",
                             sha256(os.path.join(up, fn))]) + "\n")
    write(os.path.join(out, "sources.tsv"), "".join(st))

    # created-epoch: the newest timestamp in the upstream headers, so that the
    # compiled list has a creation time that follows the data, not the clock.
    newest = None
    for fn, _, _ in SOURCES:
        with open(os.path.join(up, fn), encoding="utf-8") as f:
            for line in f:
                if not line.startswith("#"):
                    break
                for ts in re.findall(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"
                                     r"(?:Z|[+-]\d\d:\d\d)", line):
                    t = datetime.datetime.fromisoformat(
                        ts.replace("Z", "+00:00"))
                    e = int(t.timestamp())
                    newest = e if newest is None or e > newest else newest
    write(os.path.join(out, "created-epoch"), "%d\n" % newest)

    # NOTICE
    nt = ["dyndns-guard shipped dynamic-DNS list: notices of its sources\n"
          "==============================================================\n\n"
          "The files lists/*.txt, lists/provenance.tsv and lists/excluded.tsv "
          "are GENERATED by\nlists/build-lists.py from the twelve public lists "
          "below (snapshots described in\nlists/sources.tsv). Each source's "
          "licence text is in lists/licenses/. Entries that\ncome from the "
          "Public Suffix List make the files containing them subject to the\n"
          "Mozilla Public License 2.0 (see the notice in their headers); all "
          "other sources\nare permissive (MIT, Apache-2.0, BSD-3-Clause) or "
          "public-domain dedications\n(CC0-1.0, Unlicense) and are credited "
          "here.\n\n"]
    for fn, lic, lfiles in SOURCES:
        m = src_meta[fn]
        nt.append("* %s\n  source: %s\n  repository: %s, file: %s\n"
                  "  commit: %s\n  licence: %s (lists/licenses/%s)\n"
                  % (fn, m.get("source", "-"), m.get("repository", "-"),
                     m.get("file", "-"), m.get("commit", "-"), lic,
                     ", lists/licenses/".join(lfiles)))
        if "license evidence" in m:
            nt.append("  licence evidence: %s\n" % m["license evidence"])
        nt.append("\n")
    with open(os.path.join(HERE, "NOTICE.in"), encoding="utf-8") as f:
        nt.append(f.read())
    write(os.path.join(out, "NOTICE"), "".join(nt))

    # decisions.md
    dm = ["# Flagged-candidate decisions\n\n"
          "GENERATED by `lists/build-lists.py` from `lists/decisions.tsv` "
          "(the decisions) and\n`lists/categories.tsv` (the per-name rows); "
          "do not edit, edit those and regenerate.\n"
          "The categories F1-F10 and N1-N8 are those of "
          "`../shared/data/README.md`.\n\"Affected\" counts the upstream "
          "names (after normalisation) the decision applied to; names\n"
          "listed in `flagged-candidates.tsv` that occur in none of the "
          "twelve files are not counted.\n\n"
          "| id | what it is | decision | affected | reason |\n"
          "|---|---|---|---:|---|\n"]
    for did in sorted(decisions, key=lambda d: (d[0], int(d[1:]))):
        d = decisions[did]
        names = affected.get(did, set())
        by = {}
        for n in names:
            k = result[n][0] if n in result else "exclude"
            by[k] = by.get(k, 0) + 1
        split = ", ".join("%s %d" % (k, by[k]) for k in sorted(by))
        act = d["action"]
        if act == "per-name" or (len(by) > 1):
            act = "%s (%s)" % (act, split) if split else act
        dm.append("| %s | %s | %s | %d | %s |\n"
                  % (did, d["what"], act, len(names), d["reason"]))
    dm.append("\n## Names per decision\n\n")
    for did in sorted(decisions, key=lambda d: (d[0], int(d[1:]))):
        names = sorted(affected.get(did, set()))
        if not names:
            continue
        show = names if len(names) <= 80 else names[:80] + ["..."]
        dm.append("- **%s** (%d): %s\n" % (
            did, len(names),
            ", ".join("`%s`%s" % (n, "" if result.get(n, ("exclude",))[0] == "exclude"
                                  else " -> " + result[n][0])
                      if n != "..." else "... (full list: "
                      "lists/excluded.tsv / provenance.tsv)"
                      for n in show)))
    write(os.path.join(out, "decisions.md"), "".join(dm))

    # counts into README.md between markers
    tbl = ["| category | entries |\n|---|---:|\n"]
    for cat in CATNAMES:
        tbl.append("| `%s` | %d |\n" % (cat, counts[cat]))
    tbl.append("| **total** | %d |\n" % sum(counts.values()))
    nexc = sum(1 for v in result.values() if v[0] == "exclude")
    tbl.append("\nUpstream names (union, normalised): %d; excluded by a "
               "decision or rule: %d; covered by a shorter entry of the "
               "same category: %d.\n" % (len(result), nexc, len(covered)))
    rp = os.path.join(out, "README.md")
    if os.path.exists(rp):
        with open(rp, encoding="utf-8") as f:
            txt = f.read()
        b, e = "<!-- counts:begin -->\n", "<!-- counts:end -->"
        if b in txt and e in txt:
            txt = (txt[:txt.index(b) + len(b)] + "".join(tbl)
                   + txt[txt.index(e):])
            write(rp, txt)

    for w in warnings:
        print("build-lists.py: warning: " + w, file=sys.stderr)
    for cat in CATNAMES:
        print("%-20s %7d" % (cat, counts[cat]))
    print("%-20s %7d" % ("excluded", nexc))
    print("%-20s %7d" % ("covered", len(covered)))
    for did in sorted(decisions, key=lambda d: (d[0], int(d[1:]))):
        print("%-4s %6d" % (did, len(affected.get(did, ()))))
    assert not dropped_single


if __name__ == "__main__":
    main()
