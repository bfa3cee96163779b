#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2016
# A scan of the VPN range cannot make the gateway run out of mbufs.
#
# Peer 1 (wireguard-go) has a live session. $N_NOEP more peers are
# configured with no endpoint and $N_EP with an endpoint that never
# answers (peer 1's host, a closed UDP port), each with one IPv6 /128 of
# 2001:db8:f::/64 as AllowedIPs. lan-host sends $PER UDP packets to each
# of them, one peer after the other as a scan does, paced. Then:
#  * packets for a peer without an endpoint were dropped at once
#    (drop_peer_without_endpoint), never held;
#  * packets for the silent peers were held up to the bounds: at most
#    GW_STAGED_MAX (64) per peer (drop_staged_queue_full), at most
#    GW_MAX_PEERS_STAGED (4096) over all (drop_staged_global_full), and
#    freed when their handshakes gave up (drop_handshake_gave_up);
#  * every packet sent is accounted for: sent = staged + every drop
#    counter of the hand-over (on a loaded machine the kernel's packet
#    socket may drop some before the gateway sees them: then every one
#    the gateway received), and staged = gave up;
#  * the live tunnel still carries every ping, and a new handshake (peer 1
#    removed and added again on the gateway) completes;
#  * on exit no mbuf is left in use.
# On the old gateway the held packets exhausted the pool: nothing was
# received any more and the live tunnel was dead.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"

N_NOEP=300   # peers without an endpoint
N_EP=100     # peers whose endpoint never answers
PER=80       # packets to each
RETRY=1 ATTEMPT=3

wgt_init 120
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
wgh_testing_conf "rekey_timeout = $RETRY; rekey_attempt_time = $ATTEMPT;"
wgt_gw_start
gw=$WGT_GW_NAME; lan=$(wgt_ns lan); site=$(wgt_site4 1)
wgt_ping_until "$lan" "$site" 20
wgt_ping "$lan" "$site" 3

# The scanned peers: keys from wg, one /128 each; the silent ones point
# at peer 1's host on a port nothing listens on.
n_all=$((N_NOEP + N_EP))
conf=$WGT_DIR/scanned.conf
: >"$conf"
for ((i = 1; i <= n_all; i++)); do
    pub=$(wg genkey | wg pubkey)
    printf '[Peer]\nPublicKey = %s\nAllowedIPs = 2001:db8:f::%x/128\n' "$pub" "$i" >>"$conf"
    ((i > N_NOEP)) && printf 'Endpoint = %s:51999\n' "$(wgt_wan4 1)" >>"$conf"
    printf '\n' >>"$conf"
done
wg addconf "$gw" "$conf"
n_peers=$(wg show "$gw" peers | wc -l)
((n_peers == n_all + 1)) || wgt_fail "$n_peers peers on the gateway, want $((n_all + 1))"
wgt_log "$n_all scanned peers added ($N_NOEP without endpoint, $N_EP silent)"

# lan-host resolves the gateway first, so that none of the scan waits in
# its own kernel's neighbour queue
timeout 10 ip netns exec "$lan" ping -6 -q -n -c 1 -W 2 2001:db8:a::1 >/dev/null ||
    wgt_fail "lan-host cannot reach the gateway over IPv6"

hand_over=(packets_staged drop_peer_without_endpoint drop_staged_queue_full
    drop_staged_global_full drop_staged_no_private_key drop_control_ring_full
    drop_peer_removed)
count_hand_over() {
    local c s=0
    for c in "${hand_over[@]}"; do s=$((s + $(wgh_counter "$c"))); done
    echo "$s"
}
wgh_snapshot
before=$(count_hand_over)
staged0=$(wgh_counter packets_staged); gaveup0=$(wgh_counter drop_handshake_gave_up)
noep0=$(wgh_counter drop_peer_without_endpoint); rx0=$(wgh_counter rx_lan_packets)

# The scan: $PER packets to each peer in turn, paced (a pause after every
# 40, at most 5,000 a second) so that neither lan-host's nor the
# gateway's socket drops any of it on an idle machine.
# mbufs_staged sampled through telemetry while the scan runs, about once
# a second (at most 40 samples), for its peak below
samples=$WGT_DIR/staged-samples
(for ((i = 0; i < 40; i++)); do
    [[ -e $WGT_DIR/scan-done ]] && break
    kill -0 "$WGT_GW_PID" 2>/dev/null || break
    wgt_tel /wg_dpdk/counters | grep -o '"mbufs_staged": [0-9]*' >>"$samples" || true
    sleep 1
done) &
sampler=$!
sent=$(ip netns exec "$lan" timeout 30 python3 - "$n_all" "$PER" <<'PY'
import socket, sys, time
n, per = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
dsts = [("2001:db8:f::%x" % i, 9) for i in range(1, n + 1)]
sent = 0
for d in dsts:
    for r in range(per):
        s.sendto(b"scan", d)
        sent += 1
        if sent % 40 == 0:
            time.sleep(0.008)
print(sent)
PY
) || wgt_fail "the scan did not run"
touch "$WGT_DIR/scan-done"
wait "$sampler" || true
wgt_log "scan: $sent packets to $n_all peers"
# the live tunnel at once (on the old gateway it was dead here)
wgt_ping "$lan" "$site" 3

# The silent peers give up and free what they held. Settled when the
# counters of one telemetry snapshot account for every packet the gateway received of the scan and nothing
# is staged any more. What lan-host sent is what the gateway received
# unless the kernel's packet socket dropped some (a loaded machine): then
# the gateway's own count is the reference, less at most $CHATTER frames
# of ARP/ND that are not part of the hand-over.
CHATTER=8
settled() {
    wgh_snapshot
    after=$(count_hand_over)
    staged=$(($(wgh_counter packets_staged) - staged0))
    gaveup=$(($(wgh_counter drop_handshake_gave_up) - gaveup0))
    received=$(($(wgh_counter rx_lan_packets) - rx0))
    want=$((received - CHATTER < sent ? received - CHATTER : sent))
    ((after - before >= want && after - before <= sent &&
        staged == gaveup && $(wgh_counter mbufs_staged) == 0))
}
settled_in=$((ATTEMPT * 4 + 30))
wgt_wait_for "$settled_in" settled || true
for c in "${hand_over[@]}" drop_handshake_gave_up mbufs_staged mbufs_in_use rx_lan_packets; do
    wgt_log "  $c $(wgh_counter "$c")"
done
settled || {
    ((after - before >= want && after - before <= sent)) ||
        wgt_fail "$sent packets sent, $received frames received, $((after - before)) accounted for (staged + drops) after ${settled_in}s"
    wgt_fail "$staged packets staged, $gaveup dropped on giving up, $(wgh_counter mbufs_staged) still staged after ${settled_in}s"
}
if ((received < sent)); then
    wgt_log "the kernel dropped $((sent - received)) of the scan before the gateway; $((after - before)) of $received frames accounted for"
    # not a vacuous test: most of the scan must have arrived
    ((received >= sent / 2)) || wgt_fail "only $received of $sent scan packets reached the gateway"
else
    ((after - before == sent)) || wgt_fail "$sent sent, $((after - before)) accounted for"
fi
# only the silent peers' packets went to the control lcore: all the
# others were dropped on the worker
noep=$(($(wgh_counter drop_peer_without_endpoint) - noep0))
full=$(wgh_counter drop_staged_queue_full); gfull=$(wgh_counter drop_staged_global_full)
handed=$((after - before - noep))
((handed <= N_EP * PER)) ||
    wgt_fail "$handed packets handed to the control lcore, more than the $((N_EP * PER)) sent to peers with an endpoint"
((noep >= received - N_EP * PER - CHATTER)) ||
    wgt_fail "$noep dropped for want of an endpoint, want >= $((received - N_EP * PER - CHATTER))"
[[ -s $samples ]] || wgt_fail "no sample of mbufs_staged through telemetry during the scan"
most=$(awk '$NF + 0 > m { m = $NF + 0 } END { print m + 0 }' "$samples")
((most <= 4096)) || wgt_fail "$most packets staged at once, over the global bound 4096"
((staged > 0)) || wgt_fail "nothing staged for the silent peers"
((full > 0 && gfull > 0)) ||
    wgt_fail "drop_staged_queue_full $full, drop_staged_global_full $gfull: want both > 0"
wgt_log "accounted: $staged staged then given up (at most $most at once), $noep without endpoint, of $sent"

# the live tunnel, once the scan is over
wgt_ping "$lan" "$site" 10
wgt_log "the live tunnel carries every ping after the scan"

# a new handshake: the gateway forgets peer 1 and learns it again
hs0=$(wgt_handshake "$gw" "${WGT_PEER_PUB[1]}")
wg set "$gw" peer "${WGT_PEER_PUB[1]}" remove
wg set "$gw" peer "${WGT_PEER_PUB[1]}" endpoint "${WGT_PEER_GW_ENDPOINT[1]}" \
    allowed-ips "$(wgt_net4 1),$(wgt_net6 1)"
wgt_ping_until "$lan" "$site" 15
hs1=$(wgt_handshake "$gw" "${WGT_PEER_PUB[1]}")
((hs1 > hs0)) || wgt_fail "no new handshake with peer 1 (before $hs0, now $hs1)"
wgt_ping "$lan" "$site" 5
wgt_log "new handshake with peer 1 completed"

wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
final=$(wgh_counter mbufs_in_use); held=$(wgh_counter mbufs_held_for_neighbours)
((final == held)) || wgt_fail "on exit $final mbufs in use, $held held for neighbours: leak"
wgt_log "on exit $final mbufs in use"
wgt_pass
