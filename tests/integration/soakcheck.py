#!/usr/bin/env python3
"""soakcheck.py: the attacker's probe during the soak test.

Asks for blocked names over UDP at 127.0.0.1:PORT, with CD=1 and CD=0 in
turn, one query after another, until STOPFILE exists or LIMIT seconds
pass (bounded in count and time). A probe leaks when the answer carries
any of the blocked names' real addresses (given as dotted quads) or an
rcode other than NXDOMAIN. A SERVFAIL (a name blocked by its answer whose
resolution failed) and unanswered probes (lost during reload) are counted
apart. Prints one line:
  "probes N nxdomain N leaks N other N servfail N lost N".
Usage: soakcheck.py PORT STOPFILE LIMIT REAL-IP[,REAL-IP...] NAME...
"""
import os
import socket
import struct
import sys
import time

from dnsload import query


def main():
    port = int(sys.argv[1])
    stopfile = sys.argv[2]
    limit = float(sys.argv[3])
    real = [socket.inet_aton(a) for a in sys.argv[4].split(",")]
    names = sys.argv[5:]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    end = time.monotonic() + limit
    probes = nx = leaks = other = lost = servfail = 0
    i = 0
    examples = []
    while time.monotonic() < end and not os.path.exists(stopfile) and probes < 10000000:
        name = names[i % len(names)]
        cd = (i // len(names)) % 2 == 1
        i += 1
        qid, pkt = query(name, 1, cd)
        s.sendto(pkt, ("127.0.0.1", port))
        probes += 1
        data = None
        try:
            while True:
                d, _ = s.recvfrom(65535)
                if len(d) >= 12 and struct.unpack(">H", d[:2])[0] == qid:
                    data = d
                    break
        except socket.timeout:
            lost += 1
            continue
        rcode = data[3] & 0x0F
        if any(r in data[12:] for r in real):
            leaks += 1
            if len(examples) < 5:
                examples.append("%s cd=%d rcode=%d" % (name, cd, rcode))
        elif rcode == 3:
            nx += 1
        elif rcode == 2:
            servfail += 1
        else:
            other += 1
            if len(examples) < 5:
                examples.append("%s cd=%d rcode=%d (not NXDOMAIN)" % (name, cd, rcode))
        time.sleep(0.002)
    print("probes %d nxdomain %d leaks %d other %d servfail %d lost %d" % (
        probes, nx, leaks, other, servfail, lost))
    for e in examples:
        print("  " + e)


if __name__ == "__main__":
    main()
