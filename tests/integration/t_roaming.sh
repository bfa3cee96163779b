#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016,SC2119
# Roaming. Peer 1 (wireguard-go) starts the session from 198.51.100.2:51820,
# then moves mid-stream to 198.51.100.12:51821 (new address and new port):
#  * the gateway follows after the first authenticated packet from there:
#    its endpoint for the peer becomes the new one, and traffic flows both
#    ways without a new handshake being needed;
#  * genuine packets of the peer captured earlier, replayed from yet
#    another address (198.51.100.13:40000), are dropped as replays and do
#    not move the endpoint;
#  * traffic still flows afterwards.
# Needs the UAPI socket (`wg show` endpoints).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"

wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
WGT_PEER_GW_ENDPOINT[1]=""
wgt_gw_config
wgt_gw_start
lan=$(wgt_ns lan); p1=$(wgt_ns p1); site=$(wgt_site4 1); pub=${WGT_PEER_PUB[1]}
wgt_ping_until "$p1" 192.0.2.2 20
ep=$(wgt_endpoint "$WGT_GW_NAME" "$pub")
[[ $ep == "198.51.100.2:51820" ]] || wgt_fail "endpoint '$ep' before roaming"

# capture three genuine transport messages of the peer
pcap=$WGT_DIR/peer.pcap
wgt_bg "$p1" "$WGT_DIR/tcpdump.log" timeout 20 tcpdump -n -i wan0 -c 3 -w "$pcap" \
    'udp and dst host 198.51.100.1 and dst port 51820 and udp[8] == 4'
cap_pid=$WGT_LAST_PID
wgt_wait_for 5 grep -q 'listening on' "$WGT_DIR/tcpdump.log" || wgt_fail "tcpdump did not start"
wgt_ping "$p1" 192.0.2.2 3
# tcpdump exits by itself after 3 packets
wgt_wait_for 10 bash -c "! kill -0 $cap_pid" || wgt_stop_pid "$cap_pid" 5 || true

# roam: new address, new port
# (deleting the primary address first: it would take secondaries along)
ip -n "$p1" addr del 198.51.100.2/24 dev wan0
ip -n "$p1" addr add 198.51.100.12/24 dev wan0
ip netns exec "$p1" wg set "${WGT_PEER_NAME[1]}" listen-port 51821
wgt_ping_until "$p1" 192.0.2.2 15
wgt_ping "$p1" 192.0.2.2 3
ep=$(wgt_endpoint "$WGT_GW_NAME" "$pub")
[[ $ep == "198.51.100.12:51821" ]] || wgt_fail "endpoint '$ep' after roaming, want 198.51.100.12:51821"
wgt_ping "$lan" "$site" 3
wgt_log "followed the peer to $ep"

# replay the captured messages from another address
wgh_snapshot
rep0=$(wgh_counter drop_replayed_counter)
ip -n "$p1" addr add 198.51.100.13/24 dev wan0
timeout 10 ip netns exec "$p1" python3 - "$pcap" <<'PY' || wgt_fail "replay failed"
import socket, struct, sys
data = open(sys.argv[1], "rb").read()
off, msgs = 24, []
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ihl = (frame[14] & 0xf) * 4
    msgs.append(frame[14 + ihl + 8:])
assert len(msgs) == 3, len(msgs)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.13", 40000))
for m in msgs:
    s.sendto(m, ("198.51.100.1", 51820))
print("replayed", len(msgs))
PY
sleep 1
wgh_snapshot
rep=$(($(wgh_counter drop_replayed_counter) - rep0))
((rep == 3)) || wgt_fail "drop_replayed_counter +$rep after replaying 3 messages, want +3"
ep=$(wgt_endpoint "$WGT_GW_NAME" "$pub")
[[ $ep == "198.51.100.12:51821" ]] || wgt_fail "replayed packets moved the endpoint to '$ep'"
wgt_log "replays from 198.51.100.13:40000 dropped ($rep), endpoint stays $ep"
wgt_ping "$lan" "$site" 3
wgt_ping "$p1" 192.0.2.2 3
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
