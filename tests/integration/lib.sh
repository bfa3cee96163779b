# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034,SC2016,SC2119,SC2120
#
# tests/integration/lib.sh: network-namespace topology for wg-dpdk tests,
# the demo (scripts/demo) and anyone who wants to poke at the gateway by
# hand. Source it from a bash script that runs `set -euo pipefail`, as root.
#
# Topology (ARCHITECTURE.md §5), every name suffixed with the run id $WGT_ID
# (default: the pid of the sourcing shell) so parallel and leftover runs
# never collide:
#
#  ns wgt-lan-ID         ns wgt-gw-ID                 ns wgt-wan-ID       ns wgt-pN-ID (N = 1, 2, 3)
#  lan0 192.0.2.2/24 ── gw-lan  af_packet port 0      bridge br0          wan0 198.51.100.(N+1)/24
#       2001:db8:a::2/64        (LAN 192.0.2.1,        sw-gw ─┐                2001:db8:c::(N+1)/64
#  default via .1 / ::1          2001:db8:a::1)        sw-pN ─┴──────────  wgpIDnN (wireguard-go)
#                        gw-wan ─────────────────────                      203.0.113.(64(N-1)+1)/26
#                               af_packet port 1                           2001:db8:b:N::1/64
#                               (WAN 198.51.100.1,                         routes 192.0.2.0/24 and
#                                2001:db8:c::1)                            2001:db8:a::/64 via wgp
#
#  Peer N's site ("behind the peer") is 203.0.113.(64(N-1))/26 and
#  2001:db8:b:N::/64: these are the AllowedIPs the gateway gets for peer N.
#  Peer 1's address is 203.0.113.1. The WAN is a bridge in its own namespace
#  so that peers can be added while the gateway runs (t_wg_set_peer.sh).
#
# Only documentation addresses (192.0.2.0/24, 198.51.100.0/24,
# 203.0.113.0/24, 2001:db8::/32) and only inside namespaces created here.
#
# ---------------------------------------------------------------------------
# What was validated on this machine (Debian 12, kernel 6.x, 2 cores, no NIC)
# and the quirks found:
#
# * wireguard-go (Debian 0.0.20220316): `wireguard-go -f IFNAME` stays in the
#   foreground, so `ip netns exec NS wireguard-go -f X &` + $! is the real
#   pid (ip netns exec execs, it does not fork). Without -f it re-executes
#   itself detached and its pid is lost: always use -f. SIGTERM makes it
#   remove its TUN device and /var/run/wireguard/X.sock. The socket appears
#   ~100 ms after start; configure it with `wg set` (same netns not needed:
#   /var/run/wireguard is shared by all namespaces). It prints a banner
#   "Running wireguard-go is not required..." when the kernel has WireGuard;
#   harmless. Two wireguard-go peers in two namespaces across a veth ping
#   each other through the tunnel at once.
# * wireguard-go's `wg show X transfer` counts every UDP payload byte sent to
#   / received from the peer, handshakes included (3 pings: tx 532 = 148
#   initiation + 3 x 128, rx 476 = 92 response + 3 x 128), like the kernel.
# * dpdk-testpmd is in the `dpdk-dev` package (not `dpdk`). This works in a
#   namespace, without hugepages, and forwarded ping and iperf3 (~2 Gbit/s)
#   between two namespaces:
#     ip netns exec GW dpdk-testpmd -l 0-1 --no-huge -m 512 --no-pci \
#       --file-prefix=X --vdev=net_af_packet0,iface=A --vdev=net_af_packet1,iface=B \
#       -- --forward-mode=io --auto-start --no-mlockall --total-num-mbufs=2048
#   With stdin from /dev/null and --auto-start it runs until SIGINT/SIGTERM,
#   then exits cleanly. It leaves /var/run/dpdk/<file-prefix>/ behind:
#   teardown removes it.
# * af_packet quirks: the port's MAC is the veth's MAC; the PMD puts the
#   veth in promiscuous mode; frames up to the veth MTU (1500) pass (the
#   PMD's default framesz is 2048, so no jumbo frames without framesz=).
#   qpairs=N creates N RX sockets joined in a PACKET_FANOUT hash group at
#   probe time and reports max_rx_queues = max_tx_queues = N. An RX queue
#   that is never polled still receives its share of flows: with qpairs=2
#   and testpmd --rxq=1 --txq=2, ping failed 100% (ARP hashed to queue 1).
#   With qpairs=1, --txq=2 is refused ("txq 2 > max_tx_queues 1").
#   So: every RX queue 0..qpairs-1 must be polled, and the number of TX
#   queues is at most qpairs. The tests pass qpairs=$WGT_QPAIRS (default 2:
#   one worker lcore + the control lcore's own TX queue).
# * `ethtool -K IF tx off` on the hosts' veths (lan0, wan0): otherwise the
#   kernel hands partial checksums to the DPDK port. The gateway-side veths
#   get `tx off gro off` too and IPv6 disabled so that the gw namespace's
#   kernel stays silent (no RS/DAD/MLD); it has no IP address at all.
# * An EXIT trap that runs under `set -e` stops at the first failing
#   command: teardown runs with `set +e`.
# * The WAN bridge has multicast snooping off: the gateway sends no MLD
#   reports, so snooping could hide ND solicitations from it.
# * tcpdump (4.99.3) is installable from Debian but not needed: wg's
#   counters are enough.
# ---------------------------------------------------------------------------
#
# API (all names start with wgt_ / WGT_):
#   wgt_init [TIMEOUT_S]     ids, temp dir, traps (EXIT INT TERM HUP), a
#                            watchdog that TERMs the test after TIMEOUT_S
#                            (default $WGT_TEST_TIMEOUT or 240)
#   wgt_require_gateway      fail (exit 1) unless build/app/wg-dpdk exists
#   wgt_topology             namespaces lan, gw, wan + veths + addresses
#   wgt_add_peer N [4|6]     namespace pN on the WAN bridge, wireguard-go
#                            wgp<ID>n<N>, keys, routes; its endpoint for the
#                            gateway is outer IPv4 (default) or IPv6. Sets
#                            WGT_PEER_GW_ENDPOINT[N] (what the gateway config
#                            will say; "" = gateway learns it) and
#                            WGT_PEER_GW_KEEPALIVE[N] (""): change before
#                            wgt_gw_config.
#   wgt_gw_config [FILE]     write the gateway config (default
#                            $WGT_DIR/gw.conf) from config/integration.conf.in
#                            with every peer in WGT_GW_PEERS (default: all
#                            peers added so far); sets WGT_GW_CONF
#   wgt_gw_start [CONF]      start the gateway in ns gw, wait for its UAPI
#                            socket (bounded); fail with its log otherwise
#   wgt_gw_hup_and_wait PAT  SIGHUP, wait <= 30 s for one more log line matching PAT
#   wgt_gw_stop              SIGTERM, wait <= 10 s (then SIGKILL); sets
#                            WGT_GW_RC; the log stays in $WGT_GW_LOG
#   wgt_gw_drops REGEX       after wgt_gw_stop: sum of COUNT over `drop
#                            REASON COUNT` or `drop_REASON COUNT` lines of
#                            the gateway's exit dump whose REASON matches
#                            REGEX
#   wgt_gw_drop_lines        those lines
#   wgt_ping NS DST [N]      N (default 5) pings, all must answer (each
#                            within 5 s)
#   wgt_ping_until NS DST [S] ping until one answer, at most S s (default 20)
#   wgt_iperf SNS SADDR CNS [ARGS..]  iperf3 -t 3 server in SNS on SADDR,
#                            client in CNS (ARGS e.g. -R); fail unless at
#                            least 64 KiB arrived; bounded to 30 s
#   wgt_transfer IF PUB      "RX TX" bytes of peer PUB on interface IF
#   wgt_handshake IF PUB     latest handshake (epoch s, 0 = none)
#   wgt_endpoint IF PUB      endpoint of peer PUB on IF
#   wgt_wait_for S CMD..     run CMD every 0.2 s until it succeeds, <= S s
#   wgt_bg NS LOG CMD..      start CMD in NS in the background, tracked,
#                            killed at teardown; pid in WGT_LAST_PID
#   wgt_ns NAME              namespace name of lan|gw|wan|pN
#   wgt_site4 N / wgt_site6 N / wgt_wan4 N / wgt_wan6 N   peer N addresses
#   wgt_net4 N / wgt_net6 N  peer N's AllowedIPs on the gateway
#   wgt_icmp_in_echos NS [6] ICMP (v6) echo requests the ns has received
#   wgt_log MSG / wgt_fail MSG (exit 1) / wgt_pass (exit 0)
#   wgt_teardown             idempotent; run by the traps
#   wgt_cleanup_id ID        remove everything of run ID (used by run)
#
# Variables: WGT_ID WGT_DIR WGT_ROOT WGT_BIN WGT_GW_NAME WGT_GW_PRIV
# WGT_GW_PUB WGT_GW_PID WGT_GW_LOG WGT_GW_CONF WGT_PEER_NAME[N]
# WGT_PEER_PRIV[N] WGT_PEER_PUB[N] WGT_PEER_PID[N] WGT_PEERS (list of N)
# Tunables (environment): WGT_ID, WGT_QPAIRS (2), WGT_LCORES (0-1; with
# an @ it is passed as --lcores, e.g. 0@0,1@1,2@1 with WGT_WORKERS=2),
# WGT_WORKERS (1), WGT_MEM_MB (1024: the route tables of the default
# max_peers take ~800 MiB of address space, little of it touched), WGT_KEEP=1 (keep $WGT_DIR),
# WGT_VERBOSE=1, WGT_GW_EXTRA_EAL (more EAL options).

WGT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The tests' Python (tools/*.py) runs on Debian's python3 with the Debian
# packages scripts/setup installs (python3-nacl): a
# pyenv interpreter earlier in PATH would lack them. Harmless without pyenv.
export PYENV_VERSION=system
WGT_BIN=${WGT_BIN:-$WGT_ROOT/build/app/wg-dpdk}
WGT_QPAIRS=${WGT_QPAIRS:-2}
WGT_LCORES=${WGT_LCORES:-0-1}
WGT_WORKERS=${WGT_WORKERS:-1}
WGT_MEM_MB=${WGT_MEM_MB:-1024}
WGT_RUN_DIR=/var/run/wireguard

WGT_PIDS=()
WGT_PEERS=()
declare -a WGT_PEER_NAME WGT_PEER_PRIV WGT_PEER_PUB WGT_PEER_PID
declare -a WGT_PEER_GW_ENDPOINT WGT_PEER_GW_KEEPALIVE WGT_PEER_OUTER WGT_PEER_GW_EXTRA
WGT_GW_PID=
WGT_GW_RC=
WGT_TORN_DOWN=0
WGT_WATCHDOG_PID=
WGT_FAILED=0

wgt_log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

wgt_fail() {
    WGT_FAILED=1
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

wgt_pass() {
    printf 'PASS: %s\n' "$(basename "$0" .sh)" >&2
    exit 0
}

wgt_ns() {
    case $1 in
        lan|gw|wan) echo "wgt-$1-$WGT_ID" ;;
        p[0-9]) echo "wgt-$1-$WGT_ID" ;;
        *) wgt_fail "wgt_ns: unknown namespace $1" ;;
    esac
}

# Addresses of peer N (1..3).
wgt_site4() { echo "203.0.113.$((64 * ($1 - 1) + 1))"; }
wgt_net4()  { echo "203.0.113.$((64 * ($1 - 1)))/26"; }
wgt_site6() { echo "2001:db8:b:$1::1"; }
wgt_net6()  { echo "2001:db8:b:$1::/64"; }
wgt_wan4()  { echo "198.51.100.$(($1 + 1))"; }
wgt_wan6()  { echo "2001:db8:c::$(($1 + 1))"; }

# Run a command in a namespace.
wgt_in() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

wgt_wait_for() {
    local secs=$1; shift
    local tries=$((secs * 5)) i
    for ((i = 0; i < tries; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    return 1
}

wgt_init() {
    local timeout=${1:-${WGT_TEST_TIMEOUT:-240}}
    [[ $(id -u) -eq 0 ]] || wgt_fail "integration tests need root (namespaces)"
    WGT_ID=${WGT_ID:-$$}
    [[ $WGT_ID =~ ^[0-9a-z]{1,9}$ ]] ||
        wgt_fail "WGT_ID must be 1-9 lowercase letters/digits (interface names are <= 15 chars)"
    for t in ip wg wireguard-go ethtool ping iperf3 python3 timeout; do
        command -v "$t" >/dev/null || wgt_fail "$t not installed: run scripts/setup"
    done
    WGT_DIR=$(mktemp -d "/tmp/wgt-$WGT_ID.XXXXXX")
    WGT_GW_NAME="wgg$WGT_ID"
    WGT_GW_LOG="$WGT_DIR/gateway.log"
    WGT_GW_PRIV=$(wg genkey)
    WGT_GW_PUB=$(wg pubkey <<<"$WGT_GW_PRIV")
    trap 'wgt_teardown' EXIT
    trap 'wgt_log "interrupted"; WGT_FAILED=1; exit 130' INT
    trap 'wgt_log "terminated (timeout?)"; WGT_FAILED=1; exit 143' TERM
    trap 'WGT_FAILED=1; exit 129' HUP
    # Watchdog: bash runs the TERM trap as soon as the current foreground
    # command returns (all of them are bounded), so the teardown still runs.
    local me=$$
    (
        trap 'kill "$s" 2>/dev/null; exit 0' TERM
        sleep "$timeout" & s=$!
        wait "$s" && { echo "watchdog: ${timeout}s elapsed" >&2; kill -TERM "$me"; }
    ) &
    WGT_WATCHDOG_PID=$!
    mkdir -p "$WGT_RUN_DIR"
    wgt_log "run id $WGT_ID, files in $WGT_DIR"
}

wgt_require_gateway() {
    [[ -x $WGT_BIN ]] || wgt_fail "$WGT_BIN missing: build it (meson setup build && ninja -C build)"
}

# wgt_bg NS LOG CMD...: background process in NS, tracked for teardown.
wgt_bg() {
    local ns=$1 log=$2; shift 2
    ip netns exec "$ns" "$@" </dev/null >"$log" 2>&1 &
    WGT_LAST_PID=$!
    WGT_PIDS+=("$WGT_LAST_PID")
}

wgt_veth() { # wgt_veth NS_A IF_A NS_B IF_B
    ip link add name "$2" netns "$1" type veth peer name "$4" netns "$3"
    ip -n "$1" link set "$2" up
    ip -n "$3" link set "$4" up
}

wgt_topology() {
    local lan gw wan
    lan=$(wgt_ns lan); gw=$(wgt_ns gw); wan=$(wgt_ns wan)
    for ns in "$lan" "$gw" "$wan"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done
    # The gw and wan namespaces' kernels must stay silent.
    for ns in "$gw" "$wan"; do
        wgt_in "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
    ip -n "$wan" link add br0 type bridge stp_state 0 mcast_snooping 0
    ip -n "$wan" link set br0 up

    wgt_veth "$lan" lan0 "$gw" gw-lan
    wgt_veth "$gw" gw-wan "$wan" sw-gw
    ip -n "$wan" link set sw-gw master br0
    for dev in gw-lan gw-wan; do
        wgt_in "$gw" ethtool -K "$dev" tx off gro off >/dev/null 2>&1 || true
    done

    ip -n "$lan" addr add 192.0.2.2/24 dev lan0
    ip -n "$lan" addr add 2001:db8:a::2/64 dev lan0 nodad
    wgt_in "$lan" ethtool -K lan0 tx off >/dev/null
    ip -n "$lan" route add default via 192.0.2.1
    ip -n "$lan" -6 route add default via 2001:db8:a::1
    wgt_log "topology: $lan ($(wgt_in "$lan" cat /sys/class/net/lan0/address)), $gw, $wan"
}

# wgt_add_peer N [4|6]: peer N with wireguard-go; outer family 4 or 6 for
# the peer's own endpoint of the gateway (and for WGT_PEER_GW_ENDPOINT).
wgt_add_peer() {
    local n=$1 outer=${2:-4} ns wan name priv sock i
    [[ $n =~ ^[1-9]$ ]] || wgt_fail "wgt_add_peer: N must be 1..9"
    ns=$(wgt_ns "p$n"); wan=$(wgt_ns wan)
    name="wgp${WGT_ID}n$n"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    wgt_veth "$ns" wan0 "$wan" "sw-p$n"
    ip -n "$wan" link set "sw-p$n" master br0
    ip -n "$ns" addr add "$(wgt_wan4 "$n")/24" dev wan0
    ip -n "$ns" addr add "$(wgt_wan6 "$n")/64" dev wan0 nodad
    wgt_in "$ns" ethtool -K wan0 tx off >/dev/null

    priv=$(wg genkey)
    WGT_PEER_NAME[n]=$name
    WGT_PEER_PRIV[n]=$priv
    WGT_PEER_PUB[n]=$(wg pubkey <<<"$priv")
    WGT_PEER_OUTER[n]=$outer
    printf '%s\n' "$priv" >"$WGT_DIR/p$n.key"
    chmod 600 "$WGT_DIR/p$n.key"

    wgt_bg "$ns" "$WGT_DIR/p$n.wireguard-go.log" wireguard-go -f "$name"
    WGT_PEER_PID[n]=$WGT_LAST_PID
    sock="$WGT_RUN_DIR/$name.sock"
    for ((i = 0; i < 50; i++)); do
        [[ -S $sock ]] && break
        kill -0 "${WGT_PEER_PID[n]}" 2>/dev/null ||
            wgt_fail "wireguard-go $name died: $(cat "$WGT_DIR/p$n.wireguard-go.log")"
        sleep 0.1
    done
    [[ -S $sock ]] || wgt_fail "wireguard-go $name: no socket after 5 s"

    local gw_ep gw_ep_for_gw
    if [[ $outer == 6 ]]; then
        gw_ep="[2001:db8:c::1]:51820"
        gw_ep_for_gw="[$(wgt_wan6 "$n")]:51820"
    else
        gw_ep="198.51.100.1:51820"
        gw_ep_for_gw="$(wgt_wan4 "$n"):51820"
    fi
    wgt_in "$ns" wg set "$name" private-key "$WGT_DIR/p$n.key" listen-port 51820 \
        peer "$WGT_GW_PUB" endpoint "$gw_ep" allowed-ips 192.0.2.0/24,2001:db8:a::/64
    ip -n "$ns" addr add "$(wgt_site4 "$n")/26" dev "$name"
    ip -n "$ns" addr add "$(wgt_site6 "$n")/64" dev "$name" nodad
    ip -n "$ns" link set "$name" up
    ip -n "$ns" route add 192.0.2.0/24 dev "$name"
    ip -n "$ns" -6 route add 2001:db8:a::/64 dev "$name"

    WGT_PEER_GW_ENDPOINT[n]=$gw_ep_for_gw
    WGT_PEER_GW_KEEPALIVE[n]=
    WGT_PEERS+=("$n")
    wgt_log "peer $n: $ns, $name, site $(wgt_site4 "$n") $(wgt_site6 "$n"), endpoint of gw $gw_ep"
}

# One libconfig peer entry for peer N.
wgt_gw_peer_block() {
    local n=$1
    printf '  { public_key = "%s";\n' "${WGT_PEER_PUB[n]}"
    printf '    allowed_ips = ["%s", "%s"];\n' "$(wgt_net4 "$n")" "$(wgt_net6 "$n")"
    [[ -n ${WGT_PEER_GW_ENDPOINT[n]:-} ]] &&
        printf '    endpoint = "%s";\n' "${WGT_PEER_GW_ENDPOINT[n]}"
    [[ -n ${WGT_PEER_GW_KEEPALIVE[n]:-} ]] &&
        printf '    persistent_keepalive = %s;\n' "${WGT_PEER_GW_KEEPALIVE[n]}"
    # more settings of this peer, e.g. rate_limit = { ... }; acl = "...";
    [[ -n ${WGT_PEER_GW_EXTRA[n]:-} ]] &&
        printf '    %s\n' "${WGT_PEER_GW_EXTRA[n]}"
    printf '  }'
}

wgt_gw_config() {
    local out=${1:-$WGT_DIR/gw.conf} tmpl=$WGT_ROOT/config/integration.conf.in
    local peers=() blocks="" n sep="" workers="" i
    if [[ -v WGT_GW_PEERS ]]; then peers=("${WGT_GW_PEERS[@]}"); else peers=("${WGT_PEERS[@]}"); fi
    [[ -r $tmpl ]] || wgt_fail "$tmpl missing"
    for n in "${peers[@]}"; do
        [[ -n $n ]] || continue
        blocks+="$sep$(wgt_gw_peer_block "$n")"
        sep=$',\n'
    done
    for ((i = 1; i <= WGT_WORKERS; i++)); do workers+="${workers:+, }$i"; done
    WGT_GW_EXTRA_CONF=${WGT_GW_EXTRA_CONF:-} WGT_TEMPLATE_PEERS=$blocks python3 - "$tmpl" "$out" "$WGT_GW_NAME" "$WGT_GW_PRIV" "$workers" <<'PY'
import os, sys
tmpl, out, name, key, workers = sys.argv[1:6]
text = open(tmpl).read()
for k, v in (("@NAME@", name), ("@PRIVATE_KEY@", key), ("@WORKERS@", workers),
             ("@PEERS@", os.environ["WGT_TEMPLATE_PEERS"])):
    text = text.replace(k, v)
assert "@" not in "".join(l for l in text.splitlines() if not l.lstrip().startswith("#")), "unsubstituted @VAR@"
# top-level settings a test adds (e.g. acls = ( ... );)
text += os.environ.get("WGT_GW_EXTRA_CONF", "")
with open(out, "w") as f:
    f.write(text)
os.chmod(out, 0o600)
PY
    WGT_GW_CONF=$out
}

# The exact gateway command line (EAL options, then -- -c CONF).
wgt_gw_cmd() {
    local conf=$1
    # shellcheck disable=SC2206
    local extra=(${WGT_GW_EXTRA_EAL:-})
    # WGT_LCORES with an @ (e.g. 0@0,1@1,2@1: three lcores on two CPUs,
    # for more workers than this machine has CPUs) goes to --lcores
    local lc=(-l "$WGT_LCORES")
    if [[ $WGT_LCORES == *@* ]]; then lc=("--lcores=$WGT_LCORES"); fi
    printf '%s\0' "$WGT_BIN" "${lc[@]}" --no-pci --no-huge -m "$WGT_MEM_MB" \
        "--file-prefix=wgt$WGT_ID" \
        "--vdev=net_af_packet0,iface=gw-lan,qpairs=$WGT_QPAIRS" \
        "--vdev=net_af_packet1,iface=gw-wan,qpairs=$WGT_QPAIRS" \
        "${extra[@]}" -- -c "$conf"
}

wgt_gw_start() {
    local conf=${1:-${WGT_GW_CONF:-}} sock=$WGT_RUN_DIR/$WGT_GW_NAME.sock i cmd=()
    wgt_require_gateway
    [[ -n $conf ]] || { wgt_gw_config; conf=$WGT_GW_CONF; }
    mapfile -d '' cmd < <(wgt_gw_cmd "$conf")
    wgt_log "gateway: ip netns exec $(wgt_ns gw) ${cmd[*]}"
    wgt_bg "$(wgt_ns gw)" "$WGT_GW_LOG" "${cmd[@]}"
    WGT_GW_PID=$WGT_LAST_PID
    WGT_GW_RC=
    for ((i = 0; i < 300; i++)); do # 30 s
        [[ -S $sock ]] && break
        if ! kill -0 "$WGT_GW_PID" 2>/dev/null; then
            wait "$WGT_GW_PID" && WGT_GW_RC=0 || WGT_GW_RC=$?
            WGT_GW_PID=
            tail -n 40 "$WGT_GW_LOG" >&2
            wgt_fail "gateway exited with $WGT_GW_RC before creating $sock"
        fi
        sleep 0.1
    done
    if [[ ! -S $sock ]]; then
        tail -n 40 "$WGT_GW_LOG" >&2
        wgt_fail "gateway: no UAPI socket $sock after 30 s"
    fi
    wgt_log "gateway up (pid $WGT_GW_PID), socket $sock"
}

# Stop a process: SIGTERM, wait up to $2 s, then SIGKILL. Returns its status.
wgt_stop_pid() {
    local pid=$1 secs=${2:-5} i
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        wgt_log "pid $pid ignored SIGTERM for ${secs}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    local rc=0
    wait "$pid" 2>/dev/null || rc=$?
    return "$rc"
}

# wgt_gw_hup_and_wait PATTERN: SIGHUP to the gateway, then wait (<= 30 s)
# for one more line of its log matching PATTERN (a grep pattern)
wgt_gw_hup_and_wait() {
    local n
    n=$(grep -c -- "$1" "$WGT_GW_LOG" || true)
    kill -HUP "$WGT_GW_PID"
    wgt_wait_for 30 bash -c "(( \$(grep -c -- '$1' '$WGT_GW_LOG') > $n ))" ||
        wgt_fail "no '$1' in the log within 30 s of SIGHUP"
}

wgt_gw_stop() {
    [[ -n $WGT_GW_PID ]] || return 0
    WGT_GW_RC=0
    wgt_stop_pid "$WGT_GW_PID" 10 || WGT_GW_RC=$?
    WGT_GW_PID=
    wgt_log "gateway stopped, exit status $WGT_GW_RC"
}

# Sum of the counts of drop-counter lines whose REASON matches $1 (extended
# regex, case-insensitive). For a stopped gateway: these read its exit dump
# in the log, the only place its counters exist once it has exited (while
# it runs, hostile.sh's wgh_snapshot/wgh_counter read them through
# telemetry). Accepted line endings (any log prefix before):
#     drop REASON COUNT          (the form the tests' contract names)
#     drop_REASON COUNT          (app/gw_stats.c: "%-32s %lu" of its X-macro
#                                 names, e.g. drop_inner_source_not_allowed 5)
wgt_gw_drops() {
    local re=$1
    awk -v re="$re" 'BEGIN { s = 0 }
        $NF !~ /^[0-9]+$/ { next }
        NF >= 3 && $(NF-2) == "drop" { r = $(NF-1) }
        NF >= 2 && $(NF-1) ~ /^drop_/ { r = substr($(NF-1), 6) }
        r != "" && tolower(r) ~ tolower(re) { s += $NF }
        { r = "" }
        END { print s }' "$WGT_GW_LOG"
}

# Print the drop-counter lines of the gateway log (both forms above).
wgt_gw_drop_lines() {
    grep -E '(^|[[:space:]])(drop [^[:space:]]+|drop_[^[:space:]]+)[[:space:]]+[0-9]+[[:space:]]*$' "$WGT_GW_LOG"
}

# One probe per ping process, each waiting up to 5 s for its own answer.
# Not `ping -c N`: once one answer is in, iputils waits only
# max(2 x the largest RTT so far, the interval) after the last probe
# (-W applies only while nothing has answered), so on a loaded machine an
# answer 200 ms late counted as lost. Nor `-c N -w S`: that keeps sending
# until N answers, hiding a loss.
wgt_ping() {
    local ns=$1 dst=$2 n=${3:-5} i ok=0 out=""
    for ((i = 0; i < n; i++)); do
        ((i == 0)) || sleep 0.2
        if out+=$(timeout 10 ip netns exec "$ns" ping -q -n -c 1 -W 5 "$dst" 2>&1); then
            ok=$((ok + 1))
        fi
        out+=$'\n'
    done
    if ((ok != n)); then
        printf '%s' "$out" | grep -E 'transmitted|rtt|[Ee]rror|unreach' >&2 || true
        wgt_fail "ping $dst from $ns: not all $n answered ($ok/$n)"
    fi
    wgt_log "ping $ns -> $dst: $n/$n"
}

wgt_ping_until() {
    local ns=$1 dst=$2 secs=${3:-20} i start=$SECONDS
    for ((i = 0; i < secs && SECONDS - start < secs; i++)); do
        if timeout 5 ip netns exec "$ns" ping -q -n -c 1 -W 1 "$dst" >/dev/null 2>&1; then
            wgt_log "ping $ns -> $dst answered after $((SECONDS - start))s"
            return 0
        fi
        sleep 0.5
    done
    wgt_fail "ping $dst from $ns: no answer within ${secs}s"
}

# wgt_iperf SERVER_NS SERVER_ADDR CLIENT_NS [client args]
wgt_iperf() {
    local sns=$1 saddr=$2 cns=$3; shift 3
    local slog json bytes spid
    slog=$(mktemp "$WGT_DIR/iperf-server.XXXX")
    json=$(mktemp "$WGT_DIR/iperf-client.XXXX")
    wgt_bg "$sns" "$slog" timeout 30 iperf3 -s -1 -B "$saddr" -p 5201
    spid=$WGT_LAST_PID
    wgt_wait_for 5 bash -c "ip netns exec '$sns' ss -Hltn | grep -q ':5201 '" ||
        wgt_fail "iperf3 server in $sns did not listen"
    if ! timeout 25 ip netns exec "$cns" iperf3 -c "$saddr" -p 5201 -t 3 -J \
            --connect-timeout 5000 "$@" >"$json" 2>&1; then
        tail -n 20 "$json" >&2
        wgt_stop_pid "$spid" 2 || true
        wgt_fail "iperf3 $cns -> $saddr $* failed"
    fi
    wgt_stop_pid "$spid" 5 || true
    bytes=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bytes"]))' "$json") ||
        wgt_fail "iperf3: cannot parse $json"
    ((bytes >= 65536)) || wgt_fail "iperf3 $cns -> $saddr $*: only $bytes bytes received"
    wgt_log "iperf3 $cns -> $saddr $*: $bytes bytes in 3 s"
}

# `wg show` helpers; the socket is shared, so any namespace works.
wgt_transfer() {
    wg show "$1" transfer | awk -v p="$2" '$1 == p { print $2, $3; f = 1 } END { if (!f) print "0 0" }'
}
# wgt_transfer_settled IFACE PEER: "rx tx" once two readings a second
# apart agree (at most 10 s: then the last reading).
wgt_transfer_settled() {
    local prev="" cur="" i
    for ((i = 0; i < 10; i++)); do
        sleep 1
        cur=$(wgt_transfer "$1" "$2")
        [[ $cur == "$prev" ]] && break
        prev=$cur
    done
    echo "$cur"
}
wgt_handshake() {
    wg show "$1" latest-handshakes | awk -v p="$2" '$1 == p { print $2; f = 1 } END { if (!f) print 0 }'
}
wgt_endpoint() {
    wg show "$1" endpoints | awk -v p="$2" '$1 == p { print $2 }'
}

# Echo requests received by a namespace's kernel (per-namespace SNMP MIB).
wgt_icmp_in_echos() {
    local ns=$1 fam=${2:-4}
    if [[ $fam == 6 ]]; then
        ip netns exec "$ns" awk '$1 == "Icmp6InEchos" { print $2 }' /proc/net/snmp6
    else
        ip netns exec "$ns" awk '$1 == "Icmp:" { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["InEchos"] }' /proc/net/snmp
    fi
}

# Echo replies received by a namespace's kernel (IPv4 SNMP MIB).
wgt_icmp_in_replies() {
    ip netns exec "$1" awk '$1 == "Icmp:" { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["InEchoReps"] }' /proc/net/snmp
}

# Pings without a pause while something else happens: rounds of
# `ping -c ROUND -i INTERVAL` from NS to DST, each round's count of
# requests sent appended to a file (ping's own loss verdict is not used:
# it gives up on a late reply), at most MAX_ROUNDS rounds.
#   wgt_ping_rounds_start NS DST ROUND INTERVAL MAX_ROUNDS
#   ... ; wgt_ping_rounds_stop; total=$WGT_PING_TOTAL   # requests sent in all
# (not in a $(...) subshell: the pinger is this shell's child.)
# The caller compares the kernel counters (wgt_icmp_in_echos at the far
# end, wgt_icmp_in_replies at NS) with the total.
wgt_ping_rounds_start() {
    local ns=$1 dst=$2 round=$3 interval=$4 max=$5
    WGT_PING_STOP=$WGT_DIR/stop-pings.$RANDOM WGT_PING_SENT=$WGT_DIR/sent.$RANDOM
    WGT_PING_MAX=$max
    : >"$WGT_PING_SENT"
    (
        for ((r = 0; r < max; r++)); do
            [[ -e $WGT_PING_STOP ]] && break
            ip netns exec "$ns" ping -q -n -c "$round" -i "$interval" -W 1 "$dst" 2>&1 |
                awk '/packets transmitted/ { print $1 }' >>"$WGT_PING_SENT" || true
        done
    ) &
    WGT_PINGER=$!
    WGT_PIDS+=("$WGT_PINGER")
    wgt_wait_for 10 test -s "$WGT_PING_SENT" || wgt_fail "no ping round finished"
}
wgt_ping_rounds_stop() {
    touch "$WGT_PING_STOP"
    wait "$WGT_PINGER" || wgt_fail "the ping loop failed"
    (($(wc -l <"$WGT_PING_SENT") < WGT_PING_MAX)) ||
        wgt_fail "the ping loop ran out of rounds before the test's changes ended"
    WGT_PING_TOTAL=$(awk '{ s += $1 } END { print s + 0 }' "$WGT_PING_SENT")
}

# wgt_tel CMD...: the gateway's DPDK telemetry through the stock client,
# one JSON line per command (null: unknown command or refused).
wgt_tel() {
    printf '%s\n' "$@" | timeout 20 dpdk-telemetry.py -f "wgt$WGT_ID"
}

# wgt_json JSON PYTHON-EXPR: evaluate EXPR on the parsed JSON `j`.
wgt_json() {
    python3 -c 'import json, sys; j = json.loads(sys.argv[1]); r = eval(sys.argv[2]); print(r if not isinstance(r, bool) else int(r))' "$1" "$2"
}

# Everything that belongs to run ID: processes inside its namespaces, the
# namespaces, stale sockets, DPDK runtime files. Safe to call twice.
wgt_cleanup_id() {
    local id=$1 ns pid
    [[ -n $id ]] || return 0
    for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^wgt-[a-z0-9]+-$id\$"); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
    done
    sleep 0.3
    for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^wgt-[a-z0-9]+-$id\$"); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    rm -f "$WGT_RUN_DIR/wgg$id.sock" "$WGT_RUN_DIR/wgp${id}n"[0-9].sock
    rm -rf "/var/run/dpdk/wgt$id"
    return 0
}

wgt_teardown() {
    local rc=$?
    set +e
    ((WGT_TORN_DOWN)) && return
    WGT_TORN_DOWN=1
    ((rc != 0)) && WGT_FAILED=1
    trap - INT TERM HUP
    [[ -n $WGT_WATCHDOG_PID ]] && kill -TERM "$WGT_WATCHDOG_PID" 2>/dev/null
    if ((WGT_FAILED)) && [[ -n ${WGT_DIR:-} ]]; then
        local f
        for f in "$WGT_DIR"/*.log; do
            [[ -s $f ]] || continue
            echo "---- last lines of $f" >&2
            tail -n 25 "$f" >&2
        done
    fi
    wgt_gw_stop
    # A gateway built with sanitizers (the integration-asan suite) reports
    # through its log; any report fails the test, whatever it asserted.
    if [[ -n ${WGT_DIR:-} ]] && grep -qsE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WGT_DIR"/gateway*.log; then
        echo "FAIL: sanitizer report from the gateway:" >&2
        grep -shE -A12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WGT_DIR"/gateway*.log | head -n 60 >&2
        rc=1
    fi
    local pid
    for pid in "${WGT_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${WGT_PIDS[@]}"; do wgt_stop_pid "$pid" 3 >/dev/null 2>&1; done
    [[ -n $WGT_WATCHDOG_PID ]] && wait "$WGT_WATCHDOG_PID" 2>/dev/null
    wgt_cleanup_id "${WGT_ID:-}"
    if [[ -n ${WGT_DIR:-} && -d $WGT_DIR ]]; then
        if [[ ${WGT_KEEP:-0} == 1 ]]; then
            wgt_log "kept $WGT_DIR"
        else
            rm -rf "$WGT_DIR"
        fi
    fi
    # called from the EXIT trap: only an explicit exit changes the status
    ((rc == 0)) || exit "$rc"
    return 0
}
