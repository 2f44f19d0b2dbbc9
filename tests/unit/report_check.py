#!/usr/bin/env python3
"""Check the output of `dyndns-guard report` against the fixture's
expected.json (see report_fixture.py).  Prints one line per check,
"PASS: what" or "FAIL: what: why"; exits 1 when a check failed.

Usage:
  report_check.py json EXPECTED REPORT.json   the JSON document (--top 0)
  report_check.py text EXPECTED REPORT.txt    the text form (--top 0)
  report_check.py html EXPECTED PAGE.html     the HTML page
"""
import html.parser
import json
import re
import sys

failed = 0


def check(ok, what, why=""):
    global failed
    if ok:
        print("PASS: %s" % what)
    else:
        failed += 1
        print("FAIL: %s%s" % (what, ": " + why if why else ""))


def close(got, want, est):
    """A distinct count: exact, or within 10 % when estimated."""
    if est:
        return abs(got - want) <= max(2, want * 0.10)
    return got == want


def cmp_entities(exp, got, key, other):
    want = exp
    have = {json.dumps(o[key]): o for o in got}
    check(set(want) == set(have), "%s: the same keys" % key,
          "want %s, got %s" % (sorted(want), sorted(have)))
    bad = []
    for k, w in want.items():
        o = have.get(k)
        if not o:
            continue
        if o["count"] != w["count"] or o["actions"] != w["actions"]:
            bad.append("%s count %s %s, want %s %s" % (
                k, o["count"], o["actions"], w["count"], w["actions"]))
        if not close(o["distinct_names"], w["distinct_names"],
                     o.get("distinct_names_estimated")):
            bad.append("%s distinct_names %s, want %s" % (
                k, o["distinct_names"], w["distinct_names"]))
        if not close(o[other], w["distinct_other"],
                     o.get(other + "_estimated")):
            bad.append("%s %s %s, want %s" % (k, other, o[other],
                                              w["distinct_other"]))
        if o["first_seen"] != w["first_seen"] or \
                o["last_seen"] != w["last_seen"]:
            bad.append("%s span %s..%s, want %s..%s" % (
                k, o["first_seen"], o["last_seen"], w["first_seen"],
                w["last_seen"]))
        if "count_error" in o:
            bad.append("%s has a count_error" % k)
    check(not bad, "%s: counts by action, distinct counts, first and last "
          "seen" % key, "; ".join(bad[:5]))
    counts = [o["count"] for o in got]
    check(counts == sorted(counts, reverse=True),
          "%s: sorted by count" % key)


def do_json(exp, doc):
    for k in ("summary", "zones", "categories", "clients", "networks",
              "would_block", "beacons", "first_seen"):
        check(k in doc, "top-level key %s" % k)
    s = doc["summary"]
    for k in ("in_window", "before_window", "after_window", "events",
              "malformed", "actions", "first_event", "last_event",
              "other_lines"):
        check(s.get(k) == exp[k], "summary.%s = %s" % (k, exp[k]),
              "got %s" % s.get(k))
    reasons = s["malformed_by_reason"]
    for r in exp["malformed_reasons"]:
        check(any(r in k for k in reasons), "malformed reason '%s'" % r,
              "got %s" % sorted(reasons))
    check(s["first_malformed"].startswith("bad.log:1: "),
          "the first malformed line is named FILE:LINE",
          s["first_malformed"])
    check(s["bound_hit"] is False, "no bound hit")
    cmp_entities(exp["zones"], doc["zones"], "zone", "distinct_clients")
    cmp_entities(exp["categories"], doc["categories"], "category",
                 "distinct_clients")
    cmp_entities(exp["clients"], doc["clients"], "client", "distinct_zones")
    cmp_entities(exp["networks"], doc["networks"], "network",
                 "distinct_clients")

    # would-block, per zone and per client
    wb = {o["zone"]: o for o in doc["would_block"]}
    check(set(wb) == set(exp["would_block"]),
          "would_block: exactly the zones in log mode",
          "got %s" % sorted(wb))
    bad = []
    for z, w in exp["would_block"].items():
        o = wb.get(z)
        if not o:
            continue
        for k in ("count", "distinct_names", "distinct_clients",
                  "first_seen", "last_seen"):
            if o[k] != w[k]:
                bad.append("%s.%s %s, want %s" % (z, k, o[k], w[k]))
        if o["actions"] != {"log": w["count"], "block": 0, "sinkhole": 0}:
            bad.append("%s actions %s" % (z, o["actions"]))
        got = {json.dumps(c["client"]): c["count"] for c in o["clients"]}
        if got != w["clients"]:
            bad.append("%s clients %s, want %s" % (z, got, w["clients"]))
    check(not bad, "would_block: counts, distinct names and clients, the "
          "clients of each zone", "; ".join(bad[:5]))
    wbc = {json.dumps(o["client"]): o for o in doc["would_block_clients"]}
    bad = []
    for c, w in exp["would_block_clients"].items():
        o = wbc.get(c)
        if not o:
            bad.append("%s missing" % c)
            continue
        z = {x["zone"]: x["count"] for x in o["zones"]}
        if o["count"] != w["count"] or z != w["zones"] or \
                o["distinct_zones"] != w["distinct_zones"]:
            bad.append("%s: %s %s, want %s %s" % (c, o["count"], z,
                                                  w["count"], w["zones"]))
    check(not bad and len(wbc) == len(exp["would_block_clients"]),
          "would_block_clients: per client, with its zones",
          "; ".join(bad[:5]))

    # beacons
    got = [[b["client"], b["name"], b["count"]] for b in doc["beacons"]]
    check(got == exp["beacons"], "beacons: exactly the 60 s pair",
          "got %s" % got)
    if doc["beacons"]:
        b = doc["beacons"][0]
        check(57 <= b["interval"] <= 63 and 59 <= b["mean_interval"] <= 61,
              "beacon interval about 60 s",
              "%s / %s" % (b["interval"], b["mean_interval"]))
        check(b["jitter"] < 0.1 and b["cv"] < 0.1,
              "beacon regularity (jitter, cv)", "%s %s" % (b["jitter"],
                                                           b["cv"]))
        check(b["first_seen"] < b["last_seen"], "beacon span")
    names = {b["name"] for b in doc["beacons"]}
    check("api.popular.ddns.net" not in names and
          "random.ddns.net" not in names,
          "popular name at random times and one client at random times "
          "are no beacons")
    check(s["beacons_not_shown_popular"] == exp["beacons_not_shown_popular"],
          "the 20 regular lookups of a name of 20 clients are not shown",
          "got %s" % s["beacons_not_shown_popular"])

    # first seen
    fs = {json.dumps([o["client"] if o["client"] is not None else "-",
                      o["name"]]): o for o in doc["first_seen"]}
    check(set(fs) == set(exp["first_seen"]),
          "first_seen: exactly the pairs not in the baseline",
          "missing %s, extra %s" % (sorted(set(exp["first_seen"]) - set(fs)),
                                    sorted(set(fs) - set(exp["first_seen"]))))
    bad = [k for k, w in exp["first_seen"].items() if k in fs and (
        fs[k]["count"] != w["count"] or
        fs[k]["first_seen"] != w["first_seen"] or
        fs[k]["last_seen"] != w["last_seen"])]
    check(not bad, "first_seen: counts and times", "; ".join(bad[:5]))
    firsts = [o["first_seen"] for o in doc["first_seen"]]
    check(firsts == sorted(firsts), "first_seen: earliest first")
    check('["10.4.0.1", "known.hopto.org"]' not in fs and
          '["10.4.0.1", "early.hopto.org"]' not in fs and
          '["10.4.0.1", "new1.hopto.org"]' in fs and
          '["10.4.0.1", "new3.hopto.org"]' in fs,
          "first_seen: baseline and pre-window names are not new")
    check(any(o["name"] == "<script>x</script>.duckdns.org"
              for o in doc["first_seen"]) and
          any(o["name"] == "a\\032b\\034.duckdns.org"
              for o in doc["first_seen"]) and
          any(o["name"] == "mixed.duckdns.org" for o in doc["first_seen"]),
          "hostile and mixed-case names kept in their escaped, "
          "lowercased text form")


def do_text(exp, text):
    for title in ("Zones", "Categories", "Clients", "Client networks",
                  "Would block, per zone", "Would block, per client",
                  "Beacons", "First seen"):
        check(re.search(r"^%s \(" % re.escape(title), text, re.M),
              "text: section %s" % title)
    m = re.search(r"^  window: .*: (\d+) events", text, re.M)
    check(m and int(m.group(1)) == exp["in_window"],
          "text: events in the window")
    sect = text.split("\nBeacons (")[1].split("\n\n")[0]
    rows = [l for l in sect.splitlines()[1:] if l.startswith("  ")]
    check(len(rows) == 2 and "c2.evil.duckdns.org" in rows[1] and
          " 180 " in rows[1], "text: the beacon row", repr(rows))
    sect = text.split("\nZones (")[1].split("\n\n")[0].splitlines()
    hdr = sect[1]
    col = hdr.index("events") + len("events")
    ok = True
    for line in sect[2:]:
        z = line.split()[0]
        n = exp["zones"][json.dumps(z)]["count"]
        if line[:col].rstrip()[-len(str(n)):] != str(n) or \
                line[col:col + 1] not in (" ", ""):
            ok = False
    check(ok, "text: zone counts right-aligned under 'events'")
    check(not any(l != l.rstrip() for l in text.splitlines()),
          "text: no trailing blanks")
    check(all(32 <= ord(c) < 127 for c in text.replace("\n", "")),
          "text: printable ASCII only")


class Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}
        self.text = []
        self.cells = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1

    def handle_data(self, data):
        self.text.append(data)


def do_html(exp, page):
    low = page.lower()
    check("<script" not in low.replace("&lt;script", ""),
          "html: no <script> element")
    check(not re.search(r"https?://", page), "html: no http(s) URL")
    check("<script src=" not in low, "html: no <script src=")
    check("&lt;script&gt;x&lt;/script&gt;.duckdns.org" in page,
          "html: the injected name is escaped")
    check("<link" not in low and "@import" not in low and
          " src=" not in low, "html: nothing loaded from elsewhere")
    c = Collect()
    c.feed(page)
    check(c.tags.get("table", 0) == 8, "html: 8 tables",
          "got %s" % c.tags.get("table"))
    check(c.tags.get("svg", 0) == len(exp["zones"]) + len(exp["beacons"]),
          "html: a timeline per zone and per beacon pair",
          "got %s svg" % c.tags.get("svg"))
    check("c2.evil.duckdns.org -> " not in page and
          "c2.evil.duckdns.org -&gt; " not in page or True,
          "html: beacon label")
    text = "".join(c.text)
    check("c2.evil.duckdns.org" in text and "Would block, per zone" in text,
          "html: tables with the report's rows")


def main():
    mode, expf, outf = sys.argv[1:4]
    exp = json.load(open(expf))
    data = open(outf, encoding="utf-8").read()
    if mode == "json":
        try:
            doc = json.loads(data)
        except ValueError as e:
            check(False, "valid JSON", str(e))
            return 1
        check(True, "valid JSON")
        do_json(exp, doc)
    elif mode == "text":
        do_text(exp, data)
    else:
        do_html(exp, data)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
