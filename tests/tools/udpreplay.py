#!/usr/bin/env python3
"""udpreplay: re-send the UDP payloads of a capture (tests only).

Reads a classic pcap file (as `tcpdump -w` writes it: Ethernet, Linux
cooked v1/v2 or raw IP; IPv4 or IPv6; either byte order, micro- or
nanosecond stamps), keeps the UDP datagrams to PORT (and from SRC if
given) and sends each payload, unchanged, to TARGET:PORT from a socket
bound to BIND (so that the receiver sees the original sender's address).

    udpreplay.py -r FILE -t TARGET [-p PORT] [-s SRC] [-b BIND]
                 [-n MAX] [-g GAP_MS]

Bounded: at most MAX datagrams (default 100, at most 10000), GAP_MS apart
(default 1).  Prints "sent N" and exits 0 when at least one was sent, 1
when none matched, 2 on bad arguments or an unreadable file.
"""
import argparse
import ipaddress
import socket
import struct
import sys
import time

LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276
MAX_COUNT = 10000


def read_pcap(path):
    """Yield (linktype, frame bytes) for each record of a classic pcap."""
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            raise ValueError("short pcap header")
        magic = hdr[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            end = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            end = ">"
        else:
            raise ValueError("not a classic pcap file (pcapng?)")
        linktype = struct.unpack(end + "I", hdr[20:24])[0] & 0x0FFFFFFF
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            incl = struct.unpack(end + "IIII", rec)[2]
            if incl > 262144:
                raise ValueError("record too large")
            data = f.read(incl)
            if len(data) < incl:
                return
            yield linktype, data


def l3_of(linktype, frame):
    """(ethertype, network-layer bytes) of a frame, or (None, None)."""
    if linktype == LINKTYPE_ETHERNET:
        off, etype = 14, frame[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8") and len(frame) >= off + 4:
            etype = frame[off + 2:off + 4]
            off += 4
        if len(frame) < off:
            return None, None
        return struct.unpack(">H", etype)[0], frame[off:]
    if linktype == LINKTYPE_LINUX_SLL and len(frame) >= 16:
        return struct.unpack(">H", frame[14:16])[0], frame[16:]
    if linktype == LINKTYPE_LINUX_SLL2 and len(frame) >= 20:
        return struct.unpack(">H", frame[0:2])[0], frame[20:]
    if linktype == LINKTYPE_RAW and frame:
        v = frame[0] >> 4
        return (0x0800 if v == 4 else 0x86DD if v == 6 else None), frame
    return None, None


def udp_of(etype, pkt):
    """(source address, destination port, payload) of a UDP packet."""
    if etype == 0x0800 and len(pkt) >= 20 and pkt[0] >> 4 == 4:
        ihl = (pkt[0] & 0x0F) * 4
        total = struct.unpack(">H", pkt[2:4])[0]
        frag = struct.unpack(">H", pkt[6:8])[0]
        if pkt[9] != 17 or ihl < 20 or frag & 0x3FFF:
            return None
        src = ipaddress.ip_address(pkt[12:16])
        seg = pkt[ihl:min(total, len(pkt))]
    elif etype == 0x86DD and len(pkt) >= 40 and pkt[0] >> 4 == 6:
        if pkt[6] != 17:  # no extension headers expected here
            return None
        plen = struct.unpack(">H", pkt[4:6])[0]
        src = ipaddress.ip_address(pkt[8:24])
        seg = pkt[40:40 + plen]
    else:
        return None
    if len(seg) < 8:
        return None
    dport, ulen = struct.unpack(">HH", seg[2:6])
    if ulen < 8 or ulen > len(seg):
        return None
    return src, dport, seg[8:ulen]


def main():
    ap = argparse.ArgumentParser(description="re-send captured UDP payloads")
    ap.add_argument("-r", dest="file", required=True)
    ap.add_argument("-t", dest="target", required=True)
    ap.add_argument("-p", dest="port", type=int, default=7431)
    ap.add_argument("-s", dest="src", default=None)
    ap.add_argument("-b", dest="bind", default=None)
    ap.add_argument("-n", dest="max", type=int, default=100)
    ap.add_argument("-g", dest="gap_ms", type=float, default=1.0)
    a = ap.parse_args()
    try:
        target = ipaddress.ip_address(a.target)
        src = ipaddress.ip_address(a.src) if a.src else None
        bind = ipaddress.ip_address(a.bind) if a.bind else None
    except ValueError as e:
        print("udpreplay: %s" % e, file=sys.stderr)
        return 2
    if not 0 < a.port < 65536 or not 0 < a.max <= MAX_COUNT or \
            not 0 <= a.gap_ms <= 1000:
        print("udpreplay: port, count or gap out of range", file=sys.stderr)
        return 2
    fam = socket.AF_INET if target.version == 4 else socket.AF_INET6
    payloads = []
    try:
        for linktype, frame in read_pcap(a.file):
            etype, pkt = l3_of(linktype, frame)
            u = udp_of(etype, pkt) if etype else None
            if u is None or u[1] != a.port or (src and u[0] != src):
                continue
            payloads.append(u[2])
            if len(payloads) >= a.max:
                break
    except (OSError, ValueError) as e:
        print("udpreplay: %s: %s" % (a.file, e), file=sys.stderr)
        return 2
    if not payloads:
        print("sent 0")
        return 1
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if bind:
        s.bind((str(bind), 0))
    sent = 0
    for p in payloads:
        try:
            s.sendto(p, (str(target), a.port))
            sent += 1
        except OSError as e:  # e.g. ICMP refused from an earlier send
            print("udpreplay: send: %s" % e, file=sys.stderr)
        time.sleep(a.gap_ms / 1000.0)
    s.close()
    print("sent %d" % sent)
    return 0 if sent else 1


if __name__ == "__main__":
    sys.exit(main())
