-- SPDX-License-Identifier: MIT
-- perf/pktgen/recipe.lua: what encrypt.lua and decrypt.lua share, loaded
-- by them with dofile (perf/README.md, "Running under pktgen-dpdk").
-- The addresses are the ones perf/pktgen/gw.conf.in and gen_memif use;
-- tests/integration/t_pktgen_recipe.sh checks that they agree.
--
-- Environment (perf/pktgen/run sets them; the defaults are its own):
--   WG_PKTGEN_SIZE     inner IP length in bytes, as perf/ counts sizes (64)
--   WG_PKTGEN_COUNT    decrypt: frames in the pcap, sent once (100000)
--   WG_PKTGEN_SECONDS  encrypt: how long to send (8; the gateway, hearing
--                      nothing back, starts its own handshake after ~15 s)
--   WG_PKTGEN_RESULT   a file the result line is also written to
local R = {}

-- pktgen's port 0 faces the gateway's LAN port, port 1 its WAN port
R.lan, R.wan = "0", "1"
R.gw_lan_mac = "02:00:00:00:01:01"
R.lan_host = "192.0.2.2/24"    -- port 0 (gen_memif's LAN address)
R.wan_peer = "198.51.100.2/24" -- port 1: the peer whose handshake gen_memif made
R.tunnel_host = "203.0.113.2"  -- inside the peer's AllowedIPs

local function env_number(name, default)
    local v = os.getenv(name)
    if v == nil or v == "" then return default end
    local n = tonumber(v)
    if n == nil or n < 0 or n ~= math.floor(n) then
        error(name .. "=" .. v .. ": not a whole number")
    end
    return math.floor(n)
end

R.size = env_number("WG_PKTGEN_SIZE", 64)
-- pktgen's size is the Ethernet frame with its 4-byte CRC
R.frame = R.size + 14 + 4
-- what enters the gateway per frame, without CRC: cleartext (encrypt),
-- or Ethernet + IPv4 + UDP + WireGuard header and tag around the inner
-- packet padded to 16, at most the tunnel MTU (1420, gw.conf.in)
R.mtu = 1420
R.frame_in = {
    encrypt = R.size + 14,
    decrypt = 14 + 20 + 8 + 16 + math.min(math.ceil(R.size / 16) * 16, R.mtu) + 16,
}
R.count = env_number("WG_PKTGEN_COUNT", 100000)
R.seconds = env_number("WG_PKTGEN_SECONDS", 8)

-- No screen (-P is promiscuous mode, not headless); wait for both links
-- (memif connects after the EAL is up), at most 10 s.
function R.setup()
    pktgen.screen("off")
    for _ = 1, 10 do
        local l = pktgen.linkState("all")
        if string.sub(l[0], 1, 3) == "<UP" and string.sub(l[1], 1, 3) == "<UP" then
            return
        end
        pktgen.delay(1000)
    end
    error("memif links not up after 10 s: is the gateway running?")
end

-- `enable N process` answers ARP for the port's own address only, so each
-- port gets the address the gateway will ask for.
function R.answer_arp()
    pktgen.set_ipaddr(R.lan, "src", R.lan_host)
    pktgen.set_ipaddr(R.wan, "src", R.wan_peer)
    pktgen.process("all", "on")
end

local function stat(port, kind, field)
    return pktgen.portStats(port, kind)[tonumber(port)][field]
end

-- Send from port tx, count what arrives on port rx, print one JSON line
-- and quit. count 0: send for R.seconds; otherwise the port sends its
-- count once and the measurement ends when rx has not moved for 2 s.
-- pktgen's statistics tick once a second: mean and peak are over the
-- seconds in which frames arrived, so a pass shorter than a second gives
-- a lower bound.
function R.measure(path, tx, rx, count)
    local sum, n, peak, last, still = 0, 0, 0, -1, 0
    pktgen.clear("all")
    pktgen.delay(1000)
    pktgen.start(tx)
    for t = 1, R.seconds + 30 do
        pktgen.delay(1000)
        local rate = stat(rx, "rate", "pkts_rx")
        if rate > 0 then
            sum, n = sum + rate, n + 1
            if rate > peak then peak = rate end
        end
        local got = stat(rx, "port", "ipackets")
        if count == 0 and t >= R.seconds then break end
        if count > 0 and got > 0 and got == last then
            still = still + 1
            if still >= 2 then break end
        else
            still = 0
        end
        last = got
    end
    pktgen.stop(tx)
    pktgen.delay(1500)
    local sent, got = stat(tx, "port", "opackets"), stat(rx, "port", "ipackets")
    local line = string.format(
        '{"bench": "pktgen", "path": "%s", "size": %d, "frame_in": %d, "sent": %d, ' ..
        '"received": %d, "lost": %d, "active_s": %d, "rx_mpps_mean": %.4f, "rx_mpps_peak": %.4f}',
        path, R.size, R.frame_in[path], sent, got, sent - got, n,
        n > 0 and sum / n / 1e6 or 0, peak / 1e6)
    print(line)
    io.stdout:flush()
    local out = os.getenv("WG_PKTGEN_RESULT")
    if out and out ~= "" then
        local f = assert(io.open(out, "w"))
        f:write(line, "\n")
        f:close()
    end
    pktgen.quit()
end

return R
