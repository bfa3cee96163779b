#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A set that runs out of route-table room changes nothing. With
# interface.max_peers = 64 the IPv6 table has its minimum of 16,384 tbl8
# groups; a peer with 3,000 scattered /128s in 2001:db8::/32 needs about
# ten each. `wg addconf` with that peer, and `wg setconf` with the
# running config plus that peer, are refused with "No space left on
# device", and `wg show dump` (all but the byte counters) reads exactly
# as before: no peer added, none removed, no prefix of the new peer
# installed, the live tunnel keeps its session and every ping (10/s
# throughout) is answered. A set that fits still works afterwards.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
sed -i "s/^\(  mtu = 1420;\)/\1\n  max_peers = 64;/" "$WGT_GW_CONF"
grep -q "max_peers = 64;" "$WGT_GW_CONF" || wgt_fail "could not set max_peers in $WGT_GW_CONF"
wgt_gw_start
gw=$WGT_GW_NAME; lan=$(wgt_ns lan); site=$(wgt_site4 1)
wgt_ping_until "$lan" "$site" 20
wgt_ping "$lan" "$site" 3

extra=$(wg genkey | wg pubkey)
python3 - "$extra" >"$WGT_DIR/extra.conf" <<'PY'
import ipaddress, random, sys
random.seed(9)
base = int(ipaddress.IPv6Address("2001:db8::"))
ips = [f"{ipaddress.IPv6Address(base | random.getrandbits(96))}/128" for _ in range(3000)]
print(f"[Peer]\nPublicKey = {sys.argv[1]}")
for i in range(0, len(ips), 100):
    print("AllowedIPs = " + ", ".join(ips[i:i + 100]))
PY
# what must not change: everything but the byte counters
state() { wg show "$gw" dump | cut -f 1-5,8; }
before=$(state)

pings=$WGT_DIR/pings
( ip netns exec "$lan" timeout 30 ping -n -c 100 -i 0.1 -W 2 "$site" 2>&1 |
      awk '/packets transmitted/ { print $1, $4 }' >"$pings" || true ) &
pinger=$!; WGT_PIDS+=("$pinger")
sleep 0.5

if err=$(wg addconf "$gw" "$WGT_DIR/extra.conf" 2>&1); then
    wgt_fail "wg addconf with 3,000 scattered /128s succeeded"
fi
[[ $err == *"No space left on device"* ]] || wgt_fail "wg addconf: '$err', want ENOSPC"
[[ $(state) == "$before" ]] || { diff <(printf '%s\n' "$before") <(state) | cut -c 1-200 | head -20 >&2 || true; wgt_fail "the refused wg addconf changed the gateway"; }
wgt_log "wg addconf refused: $err"

wg showconf "$gw" >"$WGT_DIR/running.conf"
cat "$WGT_DIR/running.conf" "$WGT_DIR/extra.conf" >"$WGT_DIR/setconf.conf"
if err=$(wg setconf "$gw" "$WGT_DIR/setconf.conf" 2>&1); then
    wgt_fail "wg setconf with 3,000 scattered /128s succeeded"
fi
[[ $err == *"No space left on device"* ]] || wgt_fail "wg setconf: '$err', want ENOSPC"
[[ $(state) == "$before" ]] || { diff <(printf '%s\n' "$before") <(state) | cut -c 1-200 | head -20 >&2 || true; wgt_fail "the refused wg setconf changed the gateway"; }
wgt_log "wg setconf refused: $err"

wait "$pinger"
read -r sent got <"$pings" || wgt_fail "ping gave no summary"
wgt_log "$got of $sent pings answered across the refused sets"
((sent == 100 && got == 100)) || wgt_fail "lost $((sent - got)) of $sent pings across the refused sets"

# one that fits: 60 of them
head -n 3 "$WGT_DIR/extra.conf" | sed 's/^\(AllowedIPs = \([^,]*, \)\{59\}[^,]*\).*/\1/' >"$WGT_DIR/fits.conf"
wg addconf "$gw" "$WGT_DIR/fits.conf" || wgt_fail "wg addconf with 60 /128s failed"
n=$(wg show "$gw" allowed-ips | awk -v p="$extra" '$1 == p { print NF - 1 }')
[[ $n == 60 ]] || wgt_fail "the new peer has $n AllowedIPs, want 60"
wgt_ping "$lan" "$site" 3
wgt_pass
