# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034,SC2119,SC2120
#
# tests/integration/hostile.sh: helpers for the hostile-input and protocol
# scenario tests (t_flood, t_garbage, t_mtu, ...). Source it after lib.sh.
#
#   wgh_testing_conf KNOBS    append `testing = { KNOBS };` (test-only
#                             knobs, lib/wg_config.h) to $WGT_GW_CONF
#   wgh_gw_start              wgt_gw_start, but also accepts a gateway
#                             built without the UAPI server (app/
#                             gw_uapi_none.c): then the "running" log line
#   wgh_counter NAME          latest value of counter NAME in the gateway
#                             log (the periodic dumps of
#                             testing.stats_interval and the final one on
#                             exit); 0 when never printed (zero counters
#                             are not printed)
#   wgh_next_dump [S]         wait (<= S s, default 20) for the next
#                             complete periodic dump
#   wgh_gw_mac IF             MAC of the gateway's veth IF (gw-wan/gw-lan)
#   wgh_tool NAME             path of tests/integration/tools/NAME
#   wgh_first_answer NS DST   seconds (2 decimals) from now until a ping
#                             from NS to DST through the tunnel is first
#                             answered (the first ping starts the peer's
#                             handshake); fails after 4 pings of 8 s
#   wgh_at_most X MAX         true if the number X <= MAX

wgh_tool() { echo "$WGT_ROOT/tests/integration/tools/$1"; }

wgh_first_answer() {
    local start ok="" i
    start=$(date +%s.%N)
    for ((i = 0; i < 4; i++)); do
        if ip netns exec "$1" ping -c 1 -W 8 -n -q "$2" >/dev/null 2>&1; then
            ok=$(date +%s.%N)
            break
        fi
    done
    [[ -n $ok ]] || wgt_fail "no answer from $2 through the tunnel within 32 s"
    python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) - float(sys.argv[2])))" "$ok" "$start"
}

wgh_at_most() {
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)" "$1" "$2"
}

wgh_testing_conf() {
    printf '\ntesting = { %s };\n' "$1" >>"$WGT_GW_CONF"
}

wgh_gw_start() {
    local conf=${1:-${WGT_GW_CONF:-}} cmd=() i sock=$WGT_RUN_DIR/$WGT_GW_NAME.sock
    wgt_require_gateway
    [[ -n $conf ]] || { wgt_gw_config; conf=$WGT_GW_CONF; }
    mapfile -d '' cmd < <(wgt_gw_cmd "$conf")
    wgt_log "gateway: ip netns exec $(wgt_ns gw) ${cmd[*]}"
    wgt_bg "$(wgt_ns gw)" "$WGT_GW_LOG" "${cmd[@]}"
    WGT_GW_PID=$WGT_LAST_PID
    WGT_GW_RC=
    for ((i = 0; i < 300; i++)); do # 30 s
        [[ -S $sock ]] && break
        # a build without the UAPI server says so and runs on
        grep -q 'UAPI socket for' "$WGT_GW_LOG" 2>/dev/null &&
            grep -q 'running; SIGINT' "$WGT_GW_LOG" && break
        if ! kill -0 "$WGT_GW_PID" 2>/dev/null; then
            tail -n 40 "$WGT_GW_LOG" >&2
            WGT_GW_PID=
            wgt_fail "gateway exited during start-up"
        fi
        sleep 0.1
    done
    if [[ -S $sock ]]; then
        wgt_log "gateway up (pid $WGT_GW_PID), socket $sock"
    elif grep -q 'running; SIGINT' "$WGT_GW_LOG"; then
        wgt_log "gateway up (pid $WGT_GW_PID), built without the UAPI socket"
    else
        tail -n 40 "$WGT_GW_LOG" >&2
        wgt_fail "gateway not up after 30 s"
    fi
}

wgh_counter() {
    awk -v n="$1" '$(NF-1) == n && $NF ~ /^[0-9]+$/ { v = $NF } END { print v + 0 }' "$WGT_GW_LOG"
}

wgh_dumps() { grep -c 'stats [0-9]* end' "$WGT_GW_LOG" || true; }

# The dumps come every testing.stats_interval (1 s in the tests) from the
# control lcore; 20 s is for a loaded machine, where the test's own polling
# and the gateway's main thread (pinned to one core) both wait their turn.
wgh_next_dump() {
    local secs=${1:-20} n
    n=$(wgh_dumps)
    if ! wgt_wait_for "$secs" bash -c "(( \$(grep -c 'stats [0-9]* end' '$WGT_GW_LOG') > $n ))"; then
        if [[ -z $WGT_GW_PID ]] || ! kill -0 "$WGT_GW_PID" 2>/dev/null; then
            wgt_fail "no counter dump within ${secs}s: the gateway is not running"
        fi
        wgt_fail "no counter dump from the gateway within ${secs}s (testing.stats_interval set?)"
    fi
}

wgh_gw_mac() { ip netns exec "$(wgt_ns gw)" cat "/sys/class/net/$1/address"; }
