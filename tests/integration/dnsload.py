#!/usr/bin/env python3
"""dnsload.py: a steady DNS query loop for the integration tests.

Sends queries over UDP to 127.0.0.1:PORT, one after another, cycling through
the given names, until STOPFILE exists or the time limit passes (bounded
in count and time). Each query waits up to 2 s for its answer. A query
fails when it gets no answer, a mismatched answer, or an rcode other than
NOERROR / NXDOMAIN. Prints "sent N answered N failed N" and the failures.
"""
import os
import random
import socket
import struct
import sys
import time


def query(name, qtype=1, cd=False):
    """A query packet (RD, EDNS, CD when asked): (id, bytes)."""
    qid = random.randrange(65536)
    hdr = struct.pack(">HHHHHH", qid, 0x0100 | (0x0010 if cd else 0), 1, 0, 0, 1)
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.strip(".").split("."))
    q += b"\0" + struct.pack(">HH", qtype, 1)
    opt = b"\0" + struct.pack(">HHIH", 41, 1232, 0, 0)
    return qid, hdr + q + opt


def main():
    port = int(sys.argv[1])
    stopfile = sys.argv[2]
    limit = float(sys.argv[3])
    names = sys.argv[4:]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    s.settimeout(2.0)
    sent = answered = failed = 0
    fails = []
    start = time.monotonic()
    i = 0
    while not os.path.exists(stopfile) and time.monotonic() - start < limit \
            and sent < 1000000:
        name = names[i % len(names)]
        i += 1
        qid, pkt = query(name)
        sent += 1
        try:
            s.send(pkt)
            while True:
                data = s.recv(4096)
                if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == qid:
                    break
            rcode = data[3] & 0x0F
            if rcode in (0, 3):
                answered += 1
            else:
                failed += 1
                fails.append("%s rcode %d" % (name, rcode))
        except socket.timeout:
            failed += 1
            fails.append("%s timeout" % name)
        time.sleep(0.002)
    print("sent %d answered %d failed %d" % (sent, answered, failed))
    for f in fails[:20]:
        print("failure: " + f)


if __name__ == "__main__":
    main()
