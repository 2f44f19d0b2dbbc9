#!/usr/bin/env python3
"""slowauth.py: a deliberately slow authoritative DNS server for tests.

Answers every UDP query on 127.0.0.1:PORT after DELAY seconds with one A
record (ADDR, TTL 300) for the query name, authoritative, so that identical
queries from several clients are in flight at the same time inside Unbound.
Stops by itself after LIFETIME seconds. Each query is answered from its own
thread, so a slow answer never holds up the next query.
"""
import socket
import struct
import sys
import threading
import time

port, delay, addr, lifetime = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
s.settimeout(0.5)
end = time.monotonic() + lifetime


def answer(data, peer):
    time.sleep(delay)
    qid, flags = struct.unpack(">HH", data[:4])
    i = 12
    while data[i] != 0:
        i += data[i] + 1
    question = data[12:i + 5]
    qtype = struct.unpack(">H", data[i + 1:i + 3])[0]
    an = b""
    ancount = 0
    if qtype == 1:
        an = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + socket.inet_aton(addr)
        ancount = 1
    hdr = struct.pack(">HHHHHH", qid, 0x8400 | (flags & 0x0100), 1, ancount, 0, 0)
    s.sendto(hdr + question + an, peer)


while time.monotonic() < end:
    try:
        data, peer = s.recvfrom(4096)
    except socket.timeout:
        continue
    if len(data) < 17:
        continue
    threading.Thread(target=answer, args=(data, peer), daemon=True).start()
