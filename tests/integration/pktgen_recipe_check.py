# SPDX-License-Identifier: MIT
"""Checks of perf/pktgen/ that need no pktgen (t_pktgen_recipe.sh).

  python3 pktgen_recipe_check.py commands DIR PATH CMDS STUB
      CMDS: what `perf/pktgen/run --print DIR PATH` printed; DIR holds the
      gw.conf it wrote. Runs PATH.lua under the stub (STUB, lua5.3) with
      the environment the pktgen line gives it and checks that the
      gateway, gen_memif, pktgen and the Lua agree: memif sockets, ids,
      roles and MACs, queue counts, lcores, sizes, counts, addresses,
      memory, one result line and a quit.
  python3 pktgen_recipe_check.py handshake DIR PATH CMDS
      after `perf/pktgen/run --handshake-only DIR PATH` ran for real:
      the gateway's own log agrees with pktgen's queue layout, and for
      decrypt the pcap holds COUNT transport messages of the right size,
      addresses and MACs, counters increasing.
Prints one line per failed check and exits 1 if any failed.
"""
import ipaddress
import json
import os
import re
import shlex
import struct
import subprocess
import sys

FAILED = []


def check(ok, what):
    if not ok:
        FAILED.append(what)
        print("FAIL: " + what, file=sys.stderr)


def commands(path):
    cmds = {}
    for line in open(path):
        role, _, rest = line.partition(":")
        cmds[role] = shlex.split(rest)
    return cmds


def split_eal(argv):
    """(EAL args, application args) around the first --."""
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def opt(args, name):
    vals = [args[i + 1] for i, a in enumerate(args[:-1]) if a == name]
    return vals


def vdevs(eal):
    """port index -> dict of the vdev's kvargs (ports in vdev order)."""
    out = []
    for v in opt(eal, "--vdev"):
        drv, _, kv = v.partition(",")
        d = dict(x.split("=", 1) for x in kv.split(",") if "=" in x)
        d["driver"] = drv
        out.append(d)
    return out


def cpus_of(lcores):
    """--lcores 0@0,1@1,2@1 -> {lcore: cpu}; -l 0-1 -> identity."""
    m = {}
    for part in lcores.split(","):
        lc, _, cpu = part.partition("@")
        if "-" in lc and not cpu:
            a, b = lc.split("-")
            for i in range(int(a), int(b) + 1):
                m[i] = i
        else:
            m[int(lc)] = int(cpu or lc)
    return m


def num_list(s):
    """'1-2' / '[1-2]' / '1' -> [1, 2]"""
    s = s.strip("[]")
    out = []
    for p in s.split(","):
        if "-" in p:
            a, b = p.split("-")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(p))
    return out


def matrix(m):
    """pktgen -m '[1-2:1].[0-1]' -> {port: (rx lcores, tx lcores)}"""
    out = {}
    for entry in m.split(","):
        cores, _, ports = entry.rpartition(".")
        cores = cores.strip("[]")
        rx, _, tx = cores.partition(":")
        rx, tx = num_list(rx), num_list(tx or rx)
        for p in num_list(ports):
            out[p] = (rx, tx)
    return out


def gw_conf(path):
    text = open(path).read()
    eal = re.findall(r'"([^"]*)"', re.search(r"eal\s*=\s*\[(.*?)\];", text, re.S).group(1))
    g = {"eal": eal}
    for role in ("lan", "wan"):
        blk = re.search(role + r"\s*=\s*\{(.*?)\};", text, re.S).group(1)
        g[role + "_port"] = int(re.search(r"port\s*=\s*(\d+)", blk).group(1))
        g[role + "_addr"] = ipaddress.ip_interface(re.search(r'"([^"]+)"', blk).group(1))
    g["workers"] = [int(x) for x in re.search(r"lcores\s*=\s*\[([^\]]*)\]", text).group(1).split(",")]
    g["mtu"] = int(re.search(r"mtu\s*=\s*(\d+)", text).group(1))
    peers = re.search(r"peers\s*=\s*\((.*?)\);", text, re.S).group(1)
    g["allowed"] = [ipaddress.ip_network(x) for x in
                    re.findall(r'"([^"]+)"', re.search(r"allowed_ips\s*=\s*\[([^\]]*)\]", peers).group(1))]
    return g


def padded(size, mtu):
    return min(-(-size // 16) * 16, mtu)


def run_stub(stub, script, env_assign, workdir):
    env = dict(os.environ)
    env.update(env_assign)
    rec = os.path.join(workdir, os.path.basename(script) + ".rec")
    env["WG_PKTGEN_RESULT"] = os.path.join(workdir, "stub-result.json")
    p = subprocess.run(["lua5.3", stub, script, rec], env=env, capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == 0, "%s under the stub: exit %d: %s" % (script, p.returncode, p.stderr.strip()))
    calls = [line.rstrip("\n").split("\t") for line in open(rec)] if os.path.exists(rec) else []
    lines = [x for x in p.stdout.splitlines() if x.strip()]
    return calls, lines, env["WG_PKTGEN_RESULT"]


def check_commands(d, path, cmds_file, stub):
    cmds = commands(cmds_file)
    check(set(cmds) == {"gateway", "gen_memif", "pktgen"}, "run --print: roles %s" % sorted(cmds))
    g = gw_conf(os.path.join(d, "gw.conf"))
    gw_v = vdevs(g["eal"])
    gen_eal, gen_app = split_eal(cmds["gen_memif"])
    pg = cmds["pktgen"]
    check(pg[0] == "env", "pktgen line starts with env")
    env_assign = {}
    while pg and (pg[0] == "env" or re.match(r"^[A-Z_]+=", pg[0])):
        if pg[0] != "env":
            k, _, v = pg[0].partition("=")
            env_assign[k] = v
        pg = pg[1:]
    pg_eal, pg_app = split_eal(pg)
    gen_v, pg_v = vdevs(gen_eal), vdevs(pg_eal)

    # memif links: the gateway serves both, the testers are clients on the
    # same sockets and ids, and pktgen has gen_memif's MACs
    check(len(gw_v) == 2 and len(gen_v) == 2 and len(pg_v) == 2, "two memif ports each")
    for i in range(min(len(gw_v), len(gen_v), len(pg_v))):
        for who, v in (("gen_memif", gen_v[i]), ("pktgen", pg_v[i])):
            check(v["driver"].startswith("net_memif") and gw_v[i]["driver"].startswith("net_memif"),
                  "port %d of %s and the gateway are memif" % (i, who))
            check(v.get("socket") == gw_v[i].get("socket"), "port %d: %s socket %s, gateway %s" %
                  (i, who, v.get("socket"), gw_v[i].get("socket")))
            check(v.get("id") == gw_v[i].get("id"), "port %d: %s id %s, gateway %s" %
                  (i, who, v.get("id"), gw_v[i].get("id")))
            check(v.get("role") == "client" and gw_v[i].get("role") == "server",
                  "port %d: %s must be the client of the gateway's server" % (i, who))
        check(pg_v[i].get("mac") == gen_v[i].get("mac") and pg_v[i].get("mac"),
              "port %d: pktgen mac %s, gen_memif %s (the gateway keeps the neighbour it learned)" %
              (i, pg_v[i].get("mac"), gen_v[i].get("mac")))
    check(g["lan_port"] == 0 and g["wan_port"] == 1, "gateway LAN is port 0 and WAN port 1")
    gw_mac = {0: gw_v[0].get("mac"), 1: gw_v[1].get("mac")}
    check(opt(gen_app, "--gw-lan-mac") == [gw_mac[0]] and opt(gen_app, "--gw-wan-mac") == [gw_mac[1]],
          "gen_memif --gw-lan-mac/--gw-wan-mac equal the gateway's vdev macs %s" % gw_mac)

    # queues: pktgen opens one RX queue per RX lcore of a port; it must open
    # as many as the gateway has TX queues (workers + control: memif has no
    # RSS, so one worker), and one TX queue
    gw_txq = len(g["workers"]) + 1
    mx = matrix(opt(pg_app, "-m")[0]) if opt(pg_app, "-m") else {}
    check(sorted(mx) == [0, 1], "pktgen -m maps ports %s, want 0 and 1" % sorted(mx))
    for p, (rx, tx) in mx.items():
        check(len(rx) == gw_txq, "pktgen port %d: %d RX queues, the gateway sends on %d" % (p, len(rx), gw_txq))
        check(len(tx) == 1, "pktgen port %d: %d TX queues, the gateway's memif server takes 1" % (p, len(tx)))

    # lcores: valid on this machine (the recipe's 2 vCPUs), pktgen's main
    # lcore (its first) not in the matrix, every matrix lcore declared
    ncpu = os.cpu_count()
    pg_lc = cpus_of(opt(pg_eal, "--lcores")[0]) if opt(pg_eal, "--lcores") else {}
    check(bool(pg_lc), "pktgen has --lcores")
    check(all(c < ncpu for c in pg_lc.values()), "pktgen lcores %s need CPUs this %d-CPU machine lacks" % (pg_lc, ncpu))
    main = min(pg_lc) if pg_lc else None
    used = {c for rx, tx in mx.values() for c in rx + tx}
    check(used <= set(pg_lc) and main not in used,
          "pktgen -m lcores %s: all declared in --lcores %s, main lcore %s unused" % (sorted(used), sorted(pg_lc), main))
    gw_l = cpus_of(g["eal"][g["eal"].index("-l") + 1])
    check(all(c < ncpu for c in gw_l.values()) and set(g["workers"]) < set(gw_l),
          "gateway -l %s and workers %s valid on %d CPUs" % (sorted(gw_l), g["workers"], ncpu))
    check("-P" not in pg_app, "pktgen -P is promiscuous mode, not headless: not needed")

    # the Lua, under the stub, with the environment pktgen would get
    size, count = int(env_assign.get("WG_PKTGEN_SIZE", -1)), int(env_assign.get("WG_PKTGEN_COUNT", -1))
    script = opt(pg_app, "-f")[0] if opt(pg_app, "-f") else ""
    check(os.path.basename(script) == path + ".lua" and os.path.exists(script), "pktgen -f %s" % script)
    check(opt(gen_app, "--sizes") == [str(size)], "gen_memif --sizes %s, Lua size %d" % (opt(gen_app, "--sizes"), size))
    check(opt(gen_app, "--seconds") == ["0"], "gen_memif must send nothing (--seconds 0)")
    mem = int(opt(pg_eal, "-m")[0]) if opt(pg_eal, "-m") else 0
    if path == "decrypt":
        pcap = opt(gen_app, "--write-pcap")
        check(opt(gen_app, "--count") == [str(count)], "gen_memif --count %s, Lua count %d" % (opt(gen_app, "--count"), count))
        check(len(pcap) == 1 and opt(pg_app, "-s") == ["1:" + pcap[0]], "pktgen -s %s replays gen_memif's %s on port 1" %
              (opt(pg_app, "-s"), pcap))
        # the trial: ~385 MB of pktgen mbufs per 1,000,000 pcap frames, and
        # 1,000,000 did not fit -m 1024, so the rest of pktgen takes > 639 MB
        check(mem >= 640 + count * 385 / 1e6, "pktgen -m %d MB for a %d-frame pcap" % (mem, count))
        check(0 < count <= 200000, "one pass of %d frames: size it to ~100,000" % count)
    calls, lines, result = run_stub(stub, script, env_assign, d)
    names = [c[0] for c in calls]
    check(names[:1] == ["screen"] and calls[0][1:] == ["off"], "the script turns the screen off first")
    check(names[-1:] == ["quit"], "the script ends with pktgen.quit(), got %s" % names[-1:])

    def called(*want):
        return [c for c in calls if c[:len(want)] == list(want)]

    lan_src = called("set_ipaddr", "0", "src")
    wan_src = called("set_ipaddr", "1", "src")
    check(len(lan_src) == 1 and ipaddress.ip_interface(lan_src[0][3]).network == g["lan_addr"].network
          and ipaddress.ip_interface(lan_src[0][3]).ip != g["lan_addr"].ip,
          "port 0 answers ARP for a LAN host (%s, gateway %s)" % (lan_src, g["lan_addr"]))
    check(len(wan_src) == 1 and ipaddress.ip_interface(wan_src[0][3]).network == g["wan_addr"].network
          and ipaddress.ip_interface(wan_src[0][3]).ip != g["wan_addr"].ip,
          "port 1 answers ARP for the peer on the WAN (%s, gateway %s)" % (wan_src, g["wan_addr"]))
    check(called("process", "all", "on") or (called("process", "0", "on") and called("process", "1", "on")),
          "both ports answer ARP (process on)")
    if path == "encrypt":
        dst = called("set_ipaddr", "0", "dst")
        check(called("set_mac", "0", "dst", gw_mac[0]) != [], "port 0 sends to the gateway's LAN MAC %s" % gw_mac[0])
        check(len(dst) == 1 and any(ipaddress.ip_address(dst[0][3]) in n for n in g["allowed"]),
              "port 0's destination %s inside the peer's AllowedIPs %s" % (dst, g["allowed"]))
        check(called("set", "0", "size", str(size + 18)) != [],
              "port 0 frame size %s, want %d (inner %d + Ethernet 14 + CRC 4)" %
              (called("set", "0", "size"), size + 18, size))
        check(called("start", "0") != [] and not called("start", "1"), "only port 0 sends")
        want_sent = None
    else:
        check(called("pcap", "1", "on") != [], "port 1 sends its pcap")
        check(called("set", "1", "count", str(count)) != [], "port 1 sends the pcap once: count %d, got %s" %
              (count, called("set", "1", "count")))
        check(called("start", "1") != [] and not called("start", "0"), "only port 1 sends")
        want_sent = count
    check(len(lines) == 1, "one result line, got %d: %s" % (len(lines), lines))
    try:
        r = json.loads(lines[0])
        check(r == json.load(open(result)), "the result file holds the printed line")
        check(r["bench"] == "pktgen" and r["path"] == path and r["size"] == size,
              "result names bench, path, size: %s" % r)
        check(r["sent"] > 0 and r["received"] == r["sent"] and r["lost"] == 0,
              "result counts what the stub sent and delivered: %s" % r)
        check(want_sent is None or r["sent"] == want_sent, "decrypt sends the pcap once: %s" % r)
        wire = size + 14 if path == "encrypt" else 14 + 20 + 8 + 32 + padded(size, g["mtu"])
        check(r["frame_in"] == wire, "frame_in %s, want %d" % (r.get("frame_in"), wire))
    except (ValueError, KeyError, IndexError) as e:
        check(False, "result line: %r (%s)" % (lines, e))


def check_handshake(d, path, cmds_file):
    cmds = commands(cmds_file)
    g = gw_conf(os.path.join(d, "gw.conf"))
    pg_eal, pg_app = split_eal([a for a in cmds["pktgen"] if not re.match(r"^[A-Z_]+=", a) and a != "env"])
    mx = matrix(opt(pg_app, "-m")[0])
    log = open(os.path.join(d, "gw.log")).read()
    ports = re.findall(r"(lan|wan) port (\d+) \(([^)]*)\): mac ([0-9a-f:]+), (\d+) rx / (\d+) tx queues", log)
    check(len(ports) == 2, "gateway log: two port lines, got %s" % ports)
    gw_v = vdevs(g["eal"])
    for role, pid, _, mac, _, txq in ports:
        p = int(pid)
        check(mac == gw_v[p].get("mac"), "gateway port %d mac %s, config %s" % (p, mac, gw_v[p].get("mac")))
        check(len(mx[p][0]) == int(txq), "gateway %s port sends on %s TX queues, pktgen opens %d RX queues" %
              (role, txq, len(mx[p][0])))
    check("handshake complete" in log, "the gateway logged the completed handshake")
    if path != "decrypt":
        return
    gen_eal, gen_app = split_eal(cmds["gen_memif"])
    size, count = int(opt(gen_app, "--sizes")[0]), int(opt(gen_app, "--count")[0])
    tester_wan_mac = vdevs(gen_eal)[1]["mac"]
    data = open(opt(gen_app, "--write-pcap")[0], "rb").read()
    magic, _, _, _, _, _, link = struct.unpack_from("<IHHiIII", data, 0)
    check(magic == 0xA1B2C3D4 and link == 1, "pcap: classic, Ethernet")
    off, n, last = 24, 0, -1
    want = 14 + 20 + 8 + 32 + padded(size, g["mtu"])
    bad = []
    while off + 16 <= len(data):
        _, _, caplen, length = struct.unpack_from("<IIII", data, off)
        f = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        n += 1
        dst, src = f[0:6].hex(":"), f[6:12].hex(":")
        ip_src, ip_dst = ipaddress.ip_address(f[26:30]), ipaddress.ip_address(f[30:34])
        sport, dport = struct.unpack_from("!HH", f, 34)
        wg_type, ctr = f[42], struct.unpack_from("<Q", f, 50)[0]
        ok = (caplen == length == want and dst == gw_v[1]["mac"] and src == tester_wan_mac
              and ip_dst == g["wan_addr"].ip and ip_src in g["wan_addr"].network and ip_src != ip_dst
              and sport == dport == 51820 and wg_type == 4 and ctr > last)
        if not ok and len(bad) < 3:
            bad.append((n, caplen, dst, src, str(ip_src), str(ip_dst), sport, dport, wg_type, ctr))
        last = ctr
    check(not bad, "pcap frames not transport messages of %d bytes from %s to the gateway's WAN, counters rising: %s" %
          (want, tester_wan_mac, bad))
    check(n == count and off == len(data), "pcap holds %d frames (%d bytes left over), want %d" % (n, len(data) - off, count))


def main():
    mode, d, path, cmds = sys.argv[1:5]
    if mode == "commands":
        check_commands(d, path, cmds, sys.argv[5])
    else:
        check_handshake(d, path, cmds)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
