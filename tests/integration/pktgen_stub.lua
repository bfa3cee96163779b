-- SPDX-License-Identifier: MIT
-- tests/integration/pktgen_stub.lua: runs one of perf/pktgen/*.lua under
-- plain lua5.3 where pktgen-dpdk is not installed, with a `pktgen` table
-- that records every call instead of sending (t_pktgen_recipe.sh reads
-- the record). It checks what a script asks pktgen for, not pktgen.
--
--   lua5.3 pktgen_stub.lua SCRIPT RECORD
--
-- RECORD gets one line per call: the function name and its arguments,
-- tab-separated. The port statistics it answers: once a port is started
-- it "sends" 1,000,000 frames per simulated second (pktgen.delay advances
-- the clock), up to its count (0 = no limit), and everything it sends
-- arrives on the other port, so a script's result line can be checked
-- against a known sent/received.
local script, record = arg[1], arg[2]
assert(script and record, "usage: lua5.3 pktgen_stub.lua SCRIPT RECORD")
local out = assert(io.open(record, "w"))

local clock_ms = 0
local rate_pps = 1000000
local ports = {}
for p = 0, 1 do ports[p] = { count = 0, started_ms = nil, stopped_ms = nil, cleared = 0 } end

local function log(name, ...)
    local t = { name }
    for i = 1, select("#", ...) do t[#t + 1] = tostring((select(i, ...))) end
    out:write(table.concat(t, "\t"), "\n")
    out:flush()
end

local function port_list(s)
    if s == "all" then return { 0, 1 } end
    local n = tonumber(s)
    assert(n and ports[n], "port list " .. tostring(s) .. ": the recipe has ports 0 and 1")
    return { n }
end

-- frames port p has sent by time t (ms)
local function sent_at(p, t)
    local s = ports[p]
    if not s.started_ms then return 0 end
    local until_ms = math.min(t, s.stopped_ms or t)
    local n = math.floor((until_ms - s.started_ms) * rate_pps / 1000)
    if s.count > 0 and n > s.count then n = s.count end
    return math.max(n, 0)
end

local stub = {}
setmetatable(stub, { __index = function(_, name)
    return function(...) log(name, ...) end
end })

function stub.set(p, what, value)
    log("set", p, what, value)
    if what == "count" then
        for _, n in ipairs(port_list(p)) do ports[n].count = value end
    end
end
function stub.start(p)
    log("start", p)
    for _, n in ipairs(port_list(p)) do ports[n].started_ms, ports[n].stopped_ms = clock_ms, nil end
end
function stub.stop(p)
    log("stop", p)
    for _, n in ipairs(port_list(p)) do ports[n].stopped_ms = clock_ms end
end
function stub.delay(ms)
    log("delay", ms)
    clock_ms = clock_ms + ms
end
function stub.linkState(p)
    log("linkState", p)
    local t = {}
    for _, n in ipairs(port_list(p)) do t[n] = "<UP-10000-FD>" end
    return t
end
function stub.portStats(p, kind)
    local t = {}
    for _, n in ipairs(port_list(p)) do
        local other = 1 - n
        local tx, rx = sent_at(n, clock_ms), sent_at(other, clock_ms)
        if kind == "rate" then
            -- frames in the last second
            tx = tx - sent_at(n, clock_ms - 1000)
            rx = rx - sent_at(other, clock_ms - 1000)
            t[n] = { pkts_tx = tx, pkts_rx = rx, ipackets = rx, opackets = tx }
        else
            t[n] = { ipackets = rx, opackets = tx, ierrors = 0, oerrors = 0 }
        end
    end
    return t
end
function stub.quit()
    log("quit")
    out:close()
    os.exit(0)
end

pktgen = stub
dofile(script)
-- a script that returns without pktgen.quit() leaves pktgen at its prompt
log("returned-without-quit")
out:close()
os.exit(3)
