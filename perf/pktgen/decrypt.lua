-- SPDX-License-Identifier: MIT
-- perf/pktgen/decrypt.lua: WAN -> LAN through the gateway. pktgen cannot
-- seal WireGuard, so port 1 replays the transport messages gen_memif
-- sealed under its session (-s 1:wan.pcap), exactly once: every counter
-- is accepted once, a second pass would all be replays. Port 0 counts
-- the decrypted frames 203.0.113.2 -> 192.0.2.2 (answering the gateway's
-- ARP for 192.0.2.2).
--   pktgen ... -- -m "[1-2:1].[0-1]" -s 1:wan.pcap -f perf/pktgen/decrypt.lua
local here = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
local R = dofile(here .. "recipe.lua")

R.setup()
R.answer_arp()
pktgen.pcap(R.wan, "on")
pktgen.set(R.wan, "rate", 100)
pktgen.set(R.wan, "count", R.count)
R.measure("decrypt", R.wan, R.lan, R.count)
