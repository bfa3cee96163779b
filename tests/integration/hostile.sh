# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034,SC2119,SC2120
#
# tests/integration/hostile.sh: helpers for the hostile-input and protocol
# scenario tests (t_flood, t_garbage, t_mtu, ...). Source it after lib.sh.
#
#   wgh_testing_conf KNOBS    append `testing = { KNOBS };` (test-only
#                             knobs, lib/wg_config.h) to $WGT_GW_CONF
#   wgh_snapshot              read the running gateway's counters once
#                             through DPDK telemetry (/wg_dpdk/counters)
#                             into a file: "counters as of now"
#   wgh_counter NAME          counter NAME: while the gateway runs, from
#                             the latest snapshot (the first call takes
#                             one; fails on a name telemetry lacks); once
#                             it has stopped (wgt_gw_stop), from its exit
#                             dump in the log (0 when not printed: zero
#                             counters are not)
#   wgh_counter_names         the names in the latest snapshot
#   wgh_counter_above NAME N  take a snapshot; true if NAME > N there
#                             (for wgt_wait_for)
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

# While the gateway runs its counters come from DPDK telemetry, one
# dpdk-telemetry.py call (about 0.3 s) per snapshot, so that a test reading
# twenty counters asks once. The snapshot is named after the gateway's pid:
# a restarted gateway never answers from its predecessor's.
wgh_snapshot_file() { echo "$WGT_DIR/counters.$WGT_GW_PID"; }

wgh_snapshot() {
    local f out
    [[ -n ${WGT_GW_PID:-} ]] || wgt_fail "wgh_snapshot: the gateway is not running"
    f=$(wgh_snapshot_file)
    out=$(wgt_tel /wg_dpdk/counters) || true
    # {"/wg_dpdk/counters": {"name": N, ...}}: one flat dict of numbers,
    # written as "name N" lines
    tr -d '{}" ' <<<"$out" | tr ',' '\n' |
        sed -n 's|^\(/wg_dpdk/counters:\)\{0,1\}\([a-z0-9_]*\):\([0-9][0-9]*\)$|\2 \3|p' >"$f.new"
    if [[ ! -s $f.new ]]; then
        kill -0 "$WGT_GW_PID" 2>/dev/null || wgt_fail "no counters: the gateway is not running"
        wgt_fail "no counters through telemetry (/wg_dpdk/counters): '$out'"
    fi
    mv "$f.new" "$f"
}

wgh_counter() {
    local f v
    if [[ -z ${WGT_GW_PID:-} ]]; then
        # Stopped: its counters now exist only in the dump it printed on
        # exit (the last value wins should a log hold several).
        awk -v n="$1" '$(NF-1) == n && $NF ~ /^[0-9]+$/ { v = $NF } END { print v + 0 }' "$WGT_GW_LOG"
        return
    fi
    f=$(wgh_snapshot_file)
    [[ -s $f ]] || wgh_snapshot
    if ! v=$(awk -v n="$1" '$1 == n { print $2; found = 1 } END { exit !found }' "$f"); then
        # called as $(wgh_counter ..): stop the test itself, a misspelt
        # name must not read as 0
        printf 'FAIL: counter %s is not in /wg_dpdk/counters\n' "$1" >&2
        kill -TERM "$$"
        exit 1
    fi
    echo "$v"
}

wgh_counter_names() {
    [[ -s $(wgh_snapshot_file) ]] || wgh_snapshot
    awk '{ print $1 }' "$(wgh_snapshot_file)"
}

wgh_counter_above() {
    wgh_snapshot
    (($(wgh_counter "$1") > $2))
}

wgh_gw_mac() { ip netns exec "$(wgt_ns gw)" cat "/sys/class/net/$1/address"; }
