#!/usr/bin/env python3
"""Write a deterministic fixture for `dyndns-guard report` into a directory,
and the expected report (computed here, independently of the C code) as
expected.json.

Files written:
  events.json     JSON event lines as the module writes them (log-file:),
                  with a few JSON lines of something else
  events.json.gz  the same, gzip-compressed (deterministic)
  unbound.log     Unbound's own log: "[EPOCH] unbound[PID:TID] info: ..."
                  and log-time-ascii "Jan 01 01:00:00 unbound[...]" lines,
                  event lines among ordinary log lines
  syslog.log      the same text lines through syslog: rsyslog RFC 3339
                  ("2026-01-01T02:00:00.123456+00:00 host unbound[1]: ..."),
                  an offset (+01:00), and "<30>Jan  1 ..." BSD form
  bad.log         malformed lines, one of each kind (and other lines)
  baseline.json   earlier events, for first-seen
  expected.json   what the report must say (--top 0, the window below)

What is in it:
  * a beacon: client 10.1.0.66 looks up c2.evil.duckdns.org every 60 s
    with +-3 s of uniform jitter, 180 times (zone in log mode);
  * a popular name looked up by 40 clients at random times
    (api.popular.ddns.net): not a beacon;
  * a popular name looked up by 20 clients each exactly every 300 s
    (update.popular-app.no-ip.biz, blocked): regular, but not reported as a
    beacon because more than 10 clients look it up;
  * a single client looking a name up 60 times at random times: not a
    beacon;
  * first-seen names of client 10.4.0.1 against baseline.json (and against
    an event before --since);
  * log, block and sinkhole zones (would-block = the log events);
  * hostile names: "<script>x</script>.duckdns.org", \\DDD escapes, upper
    case; an event without a client;
  * events before and after the window.

Usage: report_fixture.py DIR
"""
import gzip
import json
import os
import random
import sys

T0 = 1767225600  # 2026-01-01T00:00:00Z
SINCE = T0 + 3600  # 01:00
UNTIL = T0 + 5 * 3600  # 05:00
NOW = T0 + 86400  # --now: the year of "Jan 01 ..." stamps is 2026

ZONES = {
    # zone: (category, action)
    "duckdns.org": ("ddns-service", "log"),
    "ddns.net": ("ddns-service", "log"),
    "no-ip.biz": ("ddns-service", "block"),
    "hopto.org": ("shared-domain", "log"),
    "dynu.net": ("vendor-ddns", "sinkhole"),
}


def network_of(client):
    if client is None:
        return None
    if client.startswith("10.1."):
        return "staging"
    if client.startswith("10.2."):
        return "office"
    if client.startswith("10.3.") or client.startswith("10.7."):
        return "ci-cd"
    return None


def zone_of(name):
    n = name.lower()
    for z in ZONES:
        if n == z or n.endswith("." + z):
            return z
    raise ValueError(name)


def iso_ms(ms):
    import datetime
    dt = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ms % 1000)


def json_line(ev):
    """The module's JSON line (lib/event.c, docs/events.md)."""
    zone = ev["zone"]
    cat, _ = ZONES[zone]
    parts = ['{"@timestamp":"%s"' % iso_ms(ev["t"]),
             '"event":{"kind":"alert","module":"dyndns_guard","action":"%s"}'
             % ev["action"]]
    if ev["client"] is not None:
        parts.append('"source":{"ip":"%s","port":%d}'
                     % (ev["client"], ev.get("port", 53000)))
    rcode = {"log": "NOERROR", "block": "NXDOMAIN",
             "sinkhole": "NOERROR"}[ev["action"]]
    parts.append('"dns":{"question":{"name":%s,"type":"%s"},'
                 '"response_code":"%s"}'
                 % (json.dumps(ev["name"]), ev.get("qtype", "A"), rcode))
    parts.append('"rule":{"name":"%s","category":"%s",'
                 '"ruleset":"dyndns.dgl@4bb96e94cc9f"}' % (zone, cat))
    parts.append('"threat":{"framework":"MITRE ATT&CK","technique":'
                 '{"id":["T1568","T1071.004"]}}')
    net = network_of(ev["client"])
    chain = ev.get("chain", [])
    parts.append('"dyndns_guard":{"match":"%s","cname_chain":%s,'
                 '"network":%s,"cached":%s}'
                 % ("cname" if chain else "qname",
                    json.dumps(chain, separators=(",", ":")),
                    json.dumps(net), "true" if ev.get("cached") else "false"))
    return ",".join(parts) + "}"


def text_fields(ev):
    """The module's key=value text line after Unbound's prefix."""
    zone = ev["zone"]
    cat, _ = ZONES[zone]
    client = "-" if ev["client"] is None else "%s#%d" % (
        ev["client"], ev.get("port", 53000))
    net = network_of(ev["client"]) or "-"
    rcode = {"log": "NOERROR", "block": "NXDOMAIN",
             "sinkhole": "NOERROR"}[ev["action"]]
    return ("[dyndns-guard] action=%s client=%s network=%s qname=%s. "
            "qtype=%s zone=%s category=%s match=qname cached=%s rcode=%s "
            "list=dyndns.dgl@4bb96e94cc9f"
            % (ev["action"], client, net, ev["name"], ev.get("qtype", "A"),
               zone, cat, "yes" if ev.get("cached") else "no", rcode))


def mk(t_ms, client, name, **kw):
    zone = zone_of(name)
    ev = {"t": t_ms, "client": client, "name": name, "zone": zone,
          "action": ZONES[zone][1]}
    ev.update(kw)
    return ev


def build(rng):
    json_ev, text_ev, base_ev = [], [], []
    w0, w1 = SINCE * 1000, UNTIL * 1000

    # the beacon: every 60 s +- 3 s, 180 lookups from 01:00:30
    for i in range(180):
        t = (SINCE + 30 + 60 * i) * 1000 + rng.randint(-3000, 3000)
        json_ev.append(mk(t, "10.1.0.66", "c2.evil.duckdns.org",
                          qtype="TXT"))
    # a popular name, 40 clients at random times
    for c in range(1, 41):
        client = "10.2.0.%d" % c
        for _ in range(20):
            json_ev.append(mk(rng.randint(w0, w1), client,
                              "api.popular.ddns.net",
                              cached=rng.random() < 0.5))
        base_ev.append(mk((T0 - 7200) * 1000 + c, client,
                          "api.popular.ddns.net"))
    # a popular name, 20 clients exactly every 300 s (blocked)
    for c in range(1, 21):
        client = "10.3.0.%d" % c
        off = rng.randint(0, 299) * 1000
        for i in range(48):
            json_ev.append(mk(w0 + off + 300000 * i, client,
                              "update.popular-app.no-ip.biz"))
        base_ev.append(mk((T0 - 7200) * 1000 + c, client,
                          "update.popular-app.no-ip.biz"))
    # one client, one name, random times: no beacon
    for _ in range(60):
        json_ev.append(mk(rng.randint(w0, w1), "10.8.0.1",
                          "random.ddns.net"))
    # sinkholed
    for c in range(1, 4):
        for _ in range(10):
            json_ev.append(mk(rng.randint(w0, w1), "10.5.0.%d" % c,
                              "files.dynu.net", qtype="AAAA"))
    # first seen for 10.4.0.1: known (baseline), early (before --since),
    # new1 and new2 (JSON), new3 (text line)
    base_ev.append(mk((T0 - 3600) * 1000, "10.4.0.1", "known.hopto.org"))
    json_ev.append(mk((SINCE - 600) * 1000, "10.4.0.1", "early.hopto.org"))
    for k in range(3):
        json_ev.append(mk(w0 + 1000000 + k * 60000 + 17, "10.4.0.1",
                          "known.hopto.org"))
        json_ev.append(mk(w0 + 2000000 + k * 60000 + 17, "10.4.0.1",
                          "early.hopto.org"))
    json_ev.append(mk(w0 + 3000000 + 5, "10.4.0.1", "new1.hopto.org"))
    json_ev.append(mk(w0 + 3100000 + 5, "10.4.0.1", "new2.hopto.org",
                      chain=["cdn.example.net"]))
    json_ev.append(mk(w0 + 3100000 + 900, "10.4.0.1", "new2.hopto.org"))
    # hostile names, and no client
    json_ev.append(mk(w0 + 4000000, "10.6.0.1",
                      "<script>x</script>.duckdns.org"))
    json_ev.append(mk(w0 + 4000001, "10.6.0.1", "a\\032b\\034.duckdns.org"))
    json_ev.append(mk(w0 + 4000002, "10.6.0.1",
                      "\\195\\169t\\195\\169.duckdns.org"))
    json_ev.append(mk(w0 + 4000003, "10.6.0.1", "MiXeD.DuckDNS.org"))
    json_ev.append(mk(w0 + 4000004, None, "nobody.duckdns.org"))
    json_ev.append(mk(w0 + 4000005, None, "nobody.duckdns.org"))
    # outside the window
    for k in range(7):
        json_ev.append(mk((UNTIL + 60 + k) * 1000, "10.9.0.1",
                          "late.duckdns.org"))
    for k in range(5):
        json_ev.append(mk((SINCE - 3000 + k) * 1000, "10.9.0.2",
                          "early2.duckdns.org"))
    json_ev.append(mk(w0, "10.9.0.3", "edge.duckdns.org"))  # = since: in
    json_ev.append(mk(w1, "10.9.0.3", "edge.duckdns.org"))  # = until: in

    # text lines (whole seconds; rsyslog stamps carry microseconds)
    for k in range(12):
        text_ev.append(mk((SINCE + 600 + 120 * k) * 1000, "10.7.0.1",
                          "x.no-ip.biz", style=k % 4))
    text_ev.append(mk((SINCE + 5000) * 1000, "10.4.0.1", "new3.hopto.org",
                      style=0))
    text_ev.append(mk((SINCE + 5001) * 1000, "10.6.0.1", "MiXeD.DuckDNS.org",
                      style=1))
    text_ev.append(mk((SINCE + 5002) * 1000 + 123, "2001:db8::7",
                      "v6.hopto.org", style=2))
    text_ev.append(mk((SINCE + 5003) * 1000, None, "nobody.duckdns.org",
                      style=3))
    text_ev.append(mk((SINCE + 5004) * 1000, "10.7.0.1", "x.no-ip.biz",
                      style=4))
    return json_ev, text_ev, base_ev


def bsd(ms):
    import datetime
    dt = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return dt.strftime("%b ") + ("%2d" % dt.day) + dt.strftime(" %H:%M:%S")


def text_line(ev):
    """One text event with the prefix of its style."""
    import datetime
    ms, f = ev["t"], text_fields(ev)
    st = ev["style"]
    dt = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    if st == 0:  # Unbound's own log file
        return "[%d] unbound[4242:0] info: %s" % (ms // 1000, f), "unbound"
    if st == 1:  # log-time-ascii: "%b %d %H:%M:%S" (local time: TZ=UTC)
        return "%s unbound[4242:1] info: %s" % (
            dt.strftime("%b %d %H:%M:%S"), f), "unbound"
    if st == 2:  # rsyslog RFC 3339 with microseconds
        return "%s.%06d+00:00 resolver unbound[4242]: [4242:0] info: %s" % (
            dt.strftime("%Y-%m-%dT%H:%M:%S"), (ms % 1000) * 1000, f), "syslog"
    if st == 3:  # RFC 3339 with an offset
        lt = dt + datetime.timedelta(hours=1)
        return "%s+01:00 resolver unbound[4242]: [4242:0] info: %s" % (
            lt.strftime("%Y-%m-%dT%H:%M:%S"), f), "syslog"
    return "<30>%s resolver unbound: [4242:0] info: %s" % (bsd(ms), f), \
        "syslog"


def expected(json_ev, text_ev, base_ev):
    evs = json_ev + text_ev
    for e in evs:
        if e.get("style", 2) != 2:
            e["t"] = e["t"] // 1000 * 1000
    win = [e for e in evs if SINCE * 1000 <= e["t"] <= UNTIL * 1000]
    before = [e for e in evs if e["t"] < SINCE * 1000]
    after = [e for e in evs if e["t"] > UNTIL * 1000]

    def agg(key, other):
        out = {}
        for e in win:
            k = key(e)
            d = out.setdefault(k, {"count": 0, "actions": {
                "log": 0, "block": 0, "sinkhole": 0}, "names": set(),
                "other": set(), "first": e["t"], "last": e["t"]})
            d["count"] += 1
            d["actions"][e["action"]] += 1
            d["names"].add(e["name"].lower())
            d["other"].add(other(e))
            d["first"] = min(d["first"], e["t"])
            d["last"] = max(d["last"], e["t"])
        res = {}
        for k, d in out.items():
            res[json.dumps(k)] = {
                "count": d["count"], "actions": d["actions"],
                "distinct_names": len(d["names"]),
                "distinct_other": len(d["other"]),
                "first_seen": iso_ms(d["first"]),
                "last_seen": iso_ms(d["last"])}
        return res

    cl = lambda e: e["client"] or "-"
    exp = {
        "in_window": len(win), "before_window": len(before),
        "after_window": len(after), "events": len(evs),
        "actions": {a: sum(1 for e in win if e["action"] == a)
                    for a in ("log", "block", "sinkhole")},
        "first_event": iso_ms(min(e["t"] for e in win)),
        "last_event": iso_ms(max(e["t"] for e in win)),
        "zones": agg(lambda e: e["zone"], cl),
        "categories": agg(lambda e: ZONES[e["zone"]][0], cl),
        "clients": agg(lambda e: e["client"], lambda e: e["zone"]),
        "networks": agg(lambda e: network_of(e["client"]), cl),
    }
    # would-block: the log events
    wb, wbc = {}, {}
    for e in win:
        if e["action"] != "log":
            continue
        z = wb.setdefault(e["zone"], {"count": 0, "names": set(),
                                      "clients": {}, "first": e["t"],
                                      "last": e["t"]})
        z["count"] += 1
        z["names"].add(e["name"].lower())
        z["first"] = min(z["first"], e["t"])
        z["last"] = max(z["last"], e["t"])
        z["clients"][e["client"]] = z["clients"].get(e["client"], 0) + 1
        c = wbc.setdefault(e["client"], {"count": 0, "zones": {}})
        c["count"] += 1
        c["zones"][e["zone"]] = c["zones"].get(e["zone"], 0) + 1
    exp["would_block"] = {
        z: {"count": d["count"], "distinct_names": len(d["names"]),
            "distinct_clients": len(d["clients"]),
            "first_seen": iso_ms(d["first"]), "last_seen": iso_ms(d["last"]),
            "clients": {json.dumps(c): n for c, n in d["clients"].items()}}
        for z, d in wb.items()}
    exp["would_block_clients"] = {
        json.dumps(c): {"count": d["count"], "distinct_zones": len(d["zones"]),
                        "zones": d["zones"]} for c, d in wbc.items()}
    # first seen: pairs of the window not in the baseline nor before it
    seen = {(cl(e), e["name"].lower()) for e in base_ev + before}
    fs = {}
    for e in win:
        p = (cl(e), e["name"].lower())
        if p in seen:
            continue
        d = fs.setdefault(p, {"count": 0, "first": e["t"], "last": e["t"]})
        d["count"] += 1
        d["first"] = min(d["first"], e["t"])
        d["last"] = max(d["last"], e["t"])
    exp["first_seen"] = {json.dumps(list(p)): {
        "count": d["count"], "first_seen": iso_ms(d["first"]),
        "last_seen": iso_ms(d["last"])} for p, d in fs.items()}
    exp["beacons"] = [["10.1.0.66", "c2.evil.duckdns.org", 180]]
    exp["beacons_not_shown_popular"] = 20
    return exp


BAD = [
    # (bytes of the line, reason the report must give)
    (b'{"@timestamp":"2026-01-01T01:00:00.000Z","event":{', "JSON: "),
    (b'{"@timestamp":"2026-01-01T01:00:00.000Z"}\x00 x', "NUL byte"),
    (b'[1767229200] unbound[1:0] info: [dyndns-guard] action=log \xff\xfe',
     "invalid UTF-8"),
    (b'{"@timestamp":"2026-01-01T01:00:00.000Z","event":{"module":'
     b'"dyndns_guard","action":"log"},"dns":{"question":{"name":"a.b"}}}',
     "missing rule.name"),
    (b'{"@timestamp":"2026-01-01T01:00:00.000Z","event":{"module":'
     b'"dyndns_guard","action":"explode"},"dns":{"question":{"name":"a.b"}},'
     b'"rule":{"name":"b"}}', "unknown event.action"),
    (b'info: [dyndns-guard] action=log client=- network=- qname=a.b. '
     b'qtype=A zone=b category=x', "no time stamp"),
    (b'x' * 70000, "line too long"),
    (b'{"a":' + b'y' * (2 * 1024 * 1024) + b'}', "line too long"),
    (b'[1767229200] unbound[1:0] info: [dyndns-guard] action=log '
     b'client=999.1.1.1#53 network=- qname=a.b. qtype=A zone=b category=x',
     "invalid client="),
    (b'[' * 0 + b'{"x":' * 100 + b'1' + b'}' * 100, "nested too deeply"),
    (b'{"@timestamp":"2026-13-01T01:00:00.000Z","event":{"module":'
     b'"dyndns_guard","action":"log"},"dns":{"question":{"name":"a.b"}},'
     b'"rule":{"name":"b"}}', "invalid @timestamp"),
]
OTHER = [
    b'[1767229200] unbound[4242:0] notice: init module 0: dynlib',
    b'',
    b'{"event":{"module":"something_else","action":"log"}}',
    b'[1767229200] unbound[4242:0] info: dyndns-guard: list dyndns.dgl '
    b'replaced: 123 entries',
]


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    rng = random.Random(20260101)
    json_ev, text_ev, base_ev = build(rng)
    json_ev.sort(key=lambda e: e["t"])
    text_ev.sort(key=lambda e: e["t"])
    lines = [json_line(e) for e in json_ev]
    # a JSON line of something else in the middle
    lines.insert(len(lines) // 2, '{"message":"not an event"}')
    data = ("\n".join(lines) + "\n").encode()
    with open(os.path.join(d, "events.json"), "wb") as f:
        f.write(data)
    with open(os.path.join(d, "events.json.gz"), "wb") as f:
        f.write(gzip.compress(data, mtime=0))
    ub, sl = [], []
    ub.append("[%d] unbound[4242:0] notice: init module 0: dynlib" % T0)
    ub.append("[%d] unbound[4242:0] info: dyndns-guard: module 0 started"
              % T0)
    for e in text_ev:
        line, where = text_line(e)
        (ub if where == "unbound" else sl).append(line)
        if where == "unbound":
            ub.append("[%d] unbound[4242:0] info: resolving a.example. A IN"
                      % (e["t"] // 1000))
    with open(os.path.join(d, "unbound.log"), "w") as f:
        f.write("\n".join(ub) + "\n")
    with open(os.path.join(d, "syslog.log"), "w") as f:
        f.write("\r\n".join(sl) + "\r\n")  # CRLF, as a copied file may be
    with open(os.path.join(d, "bad.log"), "wb") as f:
        for b, _ in BAD:
            f.write(b + b"\n")
        for b in OTHER:
            f.write(b + b"\n")
    with open(os.path.join(d, "baseline.json"), "w") as f:
        for e in sorted(base_ev, key=lambda e: e["t"]):
            f.write(json_line(e) + "\n")
    exp = expected(json_ev, text_ev, base_ev)
    exp["malformed"] = len(BAD)
    exp["malformed_reasons"] = [r for _, r in BAD]
    exp["since"] = SINCE
    exp["until"] = UNTIL
    exp["now"] = NOW
    # not events: the other JSON line, Unbound's other lines, bad.log's
    exp["other_lines"] = 1 + (len(ub) - sum(
        1 for e in text_ev if text_line(e)[1] == "unbound")) + len(OTHER)
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
