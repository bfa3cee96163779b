#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Access rules per peer (peers[].acl), against a real wireguard-go peer.
# Peer 1 is under "web-only": TCP to lan-host 192.0.2.2 and 2001:db8:a::2
# on port 8443, and IPv4 ICMP. Peer 2 has no acl. lan-host listens on 8443
# and 8444 (both families), peer 1's site on 9000.
#   * peer 1 connects to 8443 over IPv4 and IPv6; to 8444 it does not, and
#     those SYNs are counted under drop_acl_denied (globally and for the
#     peer in /wg_dpdk/peer), as are its IPv6 pings (no rule allows them);
#     its IPv4 pings pass
#   * peer 2 reaches 8444: a peer without an acl is not filtered
#   * lan-host connects to peer 1's site on 9000 (no rule allows that port
#     from the peer: the replies pass as reflexive entries), and an iperf3
#     transfer from lan-host to peer 1's site runs; a UDP datagram from
#     lan-host to a closed port of peer 1's site gets its ICMPv6 port
#     unreachable back (an error about a LAN flow passes as RELATED)
#   * telemetry shows the peer's acl name
#   * a reload that adds port 8444 to the set lets peer 1 connect there,
#     without a new handshake
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"
wgt_init 150
wgt_require_gateway
command -v dpdk-telemetry.py >/dev/null || wgt_fail "dpdk-telemetry.py not installed: run scripts/setup"
wgt_topology
wgt_add_peer 1
wgt_add_peer 2
lan=$(wgt_ns lan); p1=$(wgt_ns p1); p2=$(wgt_ns p2)
site1=$(wgt_site4 1); p1pub=${WGT_PEER_PUB[1]}

acls() { # extra allowed port (or none)
    local extra=${1:-}
    printf 'acls = ( { name = "web-only";\n  rules = (\n'
    printf '    { action = "allow"; proto = "tcp"; dst = "192.0.2.2/32"; dst_port = "8443"; },\n'
    printf '    { action = "allow"; proto = "tcp"; dst = "2001:db8:a::2/128"; dst_port = 8443; },\n'
    [[ -n $extra ]] &&
        printf '    { action = "allow"; proto = "tcp"; dst = "192.0.2.2/32"; dst_port = "%s"; },\n' "$extra"
    printf '    { action = "allow"; proto = "icmp"; } ); } );\n'
}
WGT_PEER_GW_EXTRA[1]='acl = "web-only";'
WGT_GW_EXTRA_CONF=$(acls)
wgt_gw_config
wgt_gw_start

# Listeners: lan-host on 8443 and 8444 (both families), peer 1's site on
# 9000. iperf3 servers answer any TCP connection.
for port in 8443 8444; do
    wgt_bg "$lan" "$WGT_DIR/srv4-$port.log" timeout 120 iperf3 -s -B 192.0.2.2 -p "$port"
    wgt_bg "$lan" "$WGT_DIR/srv6-$port.log" timeout 120 iperf3 -s -B 2001:db8:a::2 -p "$port"
done
wgt_bg "$p1" "$WGT_DIR/srv-site.log" timeout 120 iperf3 -s -B "$site1" -p 9000
wgt_wait_for 5 bash -c "ip netns exec '$lan' ss -Hltn | grep -c ':844[34] ' | grep -qx 4" ||
    wgt_fail "lan-host listeners not up"
wgt_wait_for 5 bash -c "ip netns exec '$p1' ss -Hltn | grep -q ':9000 '" ||
    wgt_fail "peer 1's listener not up"

# connects NS ADDR PORT: a TCP handshake completes within 3 s
connects() {
    timeout 3 ip netns exec "$1" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$2" "$3" 2>/dev/null
}
# reaches NS ADDR PORT: connects, allowing a loaded machine 3 tries (a
# refusal is checked with one try: the rules drop, nothing answers late)
reaches() {
    local i
    for ((i = 0; i < 3; i++)); do connects "$@" && return 0; done
    return 1
}

# The tunnels: pings from the LAN are requests out, replies back as
# reflexive entries (peer 1's ICMP is allowed anyway).
wgt_ping_until "$lan" "$site1" 20
wgt_ping_until "$lan" "$(wgt_site4 2)" 20
hs=$(wgt_handshake "$WGT_GW_NAME" "$p1pub")

reaches "$p1" 192.0.2.2 8443 || wgt_fail "peer 1 -> 192.0.2.2:8443 (allowed) did not connect"
reaches "$p1" 2001:db8:a::2 8443 || wgt_fail "peer 1 -> [2001:db8:a::2]:8443 (allowed) did not connect"
wgt_log "peer 1 connects to port 8443 over IPv4 and IPv6"

wgh_snapshot
denied0=$(wgh_counter drop_acl_denied)
connects "$p1" 192.0.2.2 8444 && wgt_fail "peer 1 -> 192.0.2.2:8444 connected: no rule allows it"
connects "$p1" 2001:db8:a::2 8444 && wgt_fail "peer 1 -> [2001:db8:a::2]:8444 connected: no rule allows it"
timeout 10 ip netns exec "$p1" ping -q -n -c 3 -i 0.2 -W 1 2001:db8:a::2 >/dev/null 2>&1 &&
    wgt_fail "peer 1's IPv6 pings were answered: no rule allows ICMPv6"
wgt_ping "$p1" 192.0.2.2 3
wgh_snapshot
denied=$(($(wgh_counter drop_acl_denied) - denied0))
# at least one SYN per refused connection, and the three pings
((denied >= 5)) || wgt_fail "drop_acl_denied rose by $denied, want >= 5"
peer=$(wgt_tel "/wg_dpdk/peer,$p1pub")
pdenied=$(wgt_json "$peer" "j['/wg_dpdk/peer']['drops'].get('drop_acl_denied', 0)")
((pdenied >= denied)) || wgt_fail "peer 1's drop_acl_denied is $pdenied, the global one rose by $denied"
[[ $(wgt_json "$peer" "j['/wg_dpdk/peer']['acl']") == web-only ]] ||
    wgt_fail "telemetry does not show peer 1's acl: $peer"
wgt_log "denied: port 8444 both families and ICMPv6, $denied packets counted (peer: $pdenied)"

reaches "$p2" 192.0.2.2 8444 || wgt_fail "peer 2 (no acl) -> 192.0.2.2:8444 did not connect"
wgt_log "peer 2 without an acl reaches port 8444"

reaches "$lan" "$site1" 9000 || wgt_fail "lan-host -> peer 1's site :9000 did not connect (replies dropped?)"
# An ICMPv6 error about a packet the LAN sent (port unreachable from
# peer 1's site) passes although no rule allows ICMPv6: the LAN host's
# UDP socket learns the port is closed instead of waiting.
refused=$(timeout 10 ip netns exec "$lan" python3 - "$(wgt_site6 1)" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(1)
s.connect((sys.argv[1], 9999))
for _ in range(3):
    try:
        s.send(b"is anyone there")
        s.recv(100)
    except ConnectionRefusedError:
        print("refused"); break
    except socket.timeout:
        pass
else:
    print("silence")
PY
) || true
[[ $refused == refused ]] ||
    wgt_fail "lan-host's UDP to [$(wgt_site6 1)]:9999 got no port unreachable ($refused): ICMPv6 errors about LAN flows must pass"
wgt_iperf "$p1" "$site1" "$lan"
wgt_log "connections opened from the LAN toward peer 1 work, and ICMPv6 errors about them pass"

# A reload that allows 8444 too: applied, no new handshake.
conf=$WGT_GW_CONF
WGT_GW_EXTRA_CONF=$(acls 8444)
wgt_gw_config "$WGT_DIR/reload.conf"
cp "$WGT_DIR/reload.conf" "$conf"
wgt_gw_hup_and_wait "reload: .* applied"
reaches "$p1" 192.0.2.2 8444 || wgt_fail "after the reload peer 1 -> 192.0.2.2:8444 did not connect"
connects "$p1" 2001:db8:a::2 8444 && wgt_fail "after the reload [2001:db8:a::2]:8444 connected: the new rule is IPv4's"
[[ $(wgt_handshake "$WGT_GW_NAME" "$p1pub") == "$hs" ]] ||
    wgt_fail "the reload started a new handshake with peer 1"
wgt_log "reload: the new rule applies, the session is the same"

wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
