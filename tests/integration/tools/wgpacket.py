# SPDX-License-Identifier: MIT
"""Inner and outer packets for the test tools: the internet checksum,
ICMP echo requests (well-formed or broken on purpose), and the guard that
keeps every address a tool is given inside the documentation ranges
(RFC 5737, RFC 3849), the only ones the tests may use."""
import ipaddress
import struct

DOC_NETS = [ipaddress.ip_network(n) for n in
            ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]


def documentation(addr):
    """Whether addr (an ipaddress address) is a documentation address."""
    return any(addr in n for n in DOC_NETS if n.version == addr.version)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def icmp_echo4(src, dst, ident=0x4747, seq=1, payload=b"wgpeer-garbage!!", ihl=5,
               frag=0x4000, total=None):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    opts = b"\x01" * (4 * (ihl - 5)) if ihl > 5 else b""
    tot = total if total is not None else 20 + len(opts) + len(icmp)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 1, frag, 64, 1, 0,
                      ipaddress.ip_address(src).packed,
                      ipaddress.ip_address(dst).packed) + opts
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + icmp


def icmp_echo6(src, dst, next_header=58):
    s, d = ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed
    body = struct.pack("!BBHHH", 128, 0, 0, 0x4747, 1) + b"wgpeer-garbage!!"
    if next_header == 44:  # a fragment header in front of the ICMPv6
        body = struct.pack("!BBHI", 58, 0, 1, 0x1234) + body
    return struct.pack("!IHBB16s16s", 6 << 28, len(body), next_header, 64, s, d) + body
