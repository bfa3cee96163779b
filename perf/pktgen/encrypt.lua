-- SPDX-License-Identifier: MIT
-- perf/pktgen/encrypt.lua: LAN -> WAN through the gateway. pktgen's port
-- 0 sends cleartext UDP 192.0.2.2 -> 203.0.113.2 (inside the peer's
-- AllowedIPs) to the gateway's LAN MAC; port 1 counts the WireGuard
-- transport messages the gateway sends to the peer's endpoint
-- 198.51.100.2 (answering the gateway's ARP for it). Needs a session:
-- perf/pktgen/run makes the handshake with gen_memif first.
--   pktgen ... -- -m "[1-2:1].[0-1]" -f perf/pktgen/encrypt.lua
local here = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local R = dofile(here .. "recipe.lua")

R.setup()
R.answer_arp()
pktgen.set_mac(R.lan, "dst", R.gw_lan_mac)
pktgen.set_ipaddr(R.lan, "dst", R.tunnel_host)
pktgen.set_proto(R.lan, "udp")
pktgen.set(R.lan, "sport", 9)
pktgen.set(R.lan, "dport", 9)
pktgen.set(R.lan, "size", R.frame)
pktgen.set(R.lan, "rate", 100)
pktgen.set(R.lan, "count", 0)
R.measure("encrypt", R.lan, R.wan, 0)
