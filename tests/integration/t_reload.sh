#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SIGHUP reloads the config file as a difference, under traffic.
#
# Peer 1 (wireguard-go) has a session and carries 200 pings a second.
# The file also names an unrelated peer; one more is added over the UAPI.
# The file is rewritten: 1,000 new peers, the unrelated one gone, peer 1's
# AllowedIPs widened by one prefix; SIGHUP. Then: the log says the reload
# was applied, `wg show` lists exactly the file's peers (the UAPI-added
# one is gone too: the file is the truth), peer 1 routes the new prefix,
# its latest handshake is the one from before (the session was kept), and
# not one ping was lost (kernel ICMP counters at both ends).
# Then two bad files: one with a syntax error (FILE:LINE in the log) and
# one that changes a field only a restart can change (the LAN address):
# each is refused, named in the log, counted (reloads_failed), `wg show`
# keeps its peers, keys, endpoints and AllowedIPs, and traffic flows.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/hostile.sh"

N=1000
ROUND=100      # echo requests per ping process
INTERVAL=0.005 # 200 a second
MAX_ROUNDS=120 # bounds the ping loop (120 x 0.5 s) if the test dies

wgt_init 150
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
gw=$WGT_GW_NAME; lan=$(wgt_ns lan); p1=$(wgt_ns p1); site=$(wgt_site4 1)
conf=$WGT_GW_CONF

key() { python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'; }
unrelated=$(key); by_uapi=$(key)

# The start file: peer 1 and the unrelated peer, room for all of them.
python3 - "$conf" "$unrelated" "$N" <<'PY'
import sys
conf, unrelated, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(conf).read()
text = text.replace("  mtu = 1420;", f"  mtu = 1420;\n  max_peers = {n + 8};", 1)
block = f',\n  {{ public_key = "{unrelated}"; allowed_ips = ["2001:db8:3000::/64"]; }}\n);'
head, sep, tail = text.rpartition("\n);")
assert sep, "no peers list in the config"
open(conf, "w").write(head + block + tail)
PY
cp "$conf" "$WGT_DIR/start.conf"
wgt_gw_start
wgt_ping_until "$lan" "$site" 20
wgt_ping "$lan" "$site" 3
wg set "$gw" peer "$by_uapi" allowed-ips 2001:db8:3001::/64 || wgt_fail "wg set of the UAPI peer failed"
((($(wg show "$gw" peers | wc -l)) == 3)) || wgt_fail "not 3 peers before the reload"
hs0=$(wgt_handshake "$gw" "${WGT_PEER_PUB[1]}")
((hs0 > 0)) || wgt_fail "peer 1 has no handshake before the reload"

# The new file: start.conf with peer 1 widened, the unrelated peer gone
# and N new peers (one /64 each out of 2001:db8:2000::/48).
python3 - "$WGT_DIR/start.conf" "$WGT_DIR/new.conf" "$unrelated" "$N" "$WGT_DIR/new-keys" "$(wgt_net6 1)" <<'PY'
import base64, ipaddress, os, sys
src, dst, unrelated, n, keys_out, net6 = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
text = open(src).read()
line = f',\n  {{ public_key = "{unrelated}"; allowed_ips = ["2001:db8:3000::/64"]; }}\n'
assert line in text
text = text.replace(line, "\n")
assert f'"{net6}"]' in text
text = text.replace(f'"{net6}"]', f'"{net6}", "2001:db8:4000::/64"]', 1)
base = int(ipaddress.IPv6Address("2001:db8:2000::"))
keys = [base64.b64encode(os.urandom(32)).decode() for _ in range(n)]
blocks = "".join(
    f',\n  {{ public_key = "{k}"; allowed_ips = ["{ipaddress.IPv6Network((base + (i << 64), 64))}"]; }}'
    for i, k in enumerate(keys))
head, sep, tail = text.rpartition("\n);")
open(dst, "w").write(head + blocks + "\n);" + tail)
open(keys_out, "w").write("\n".join(keys) + "\n")
PY

in_echos() { wgt_icmp_in_echos "$p1" 4; }
in_replies() { wgt_icmp_in_replies "$lan"; }

# Traffic: 200 pings a second until the reload is done.
echos0=$(in_echos); replies0=$(in_replies)
wgt_ping_rounds_start "$lan" "$site" "$ROUND" "$INTERVAL" "$MAX_ROUNDS"

cp "$WGT_DIR/new.conf" "$conf"
t0=$(date +%s.%N)
wgt_gw_hup_and_wait "reload: .* applied"
t1=$(date +%s.%N)
wgt_log "reload of $N new peers applied in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s (SIGHUP to log line)"
sleep 1
wgt_ping_rounds_stop; total=$WGT_PING_TOTAL
((total > 0)) || wgt_fail "no echo request sent"
all_in() { (($(in_echos) - echos0 >= total && $(in_replies) - replies0 >= total)); }
wgt_wait_for 10 all_in || true
echos=$(($(in_echos) - echos0)); replies=$(($(in_replies) - replies0))
wgt_log "pings across the reload: $total sent, $echos reached peer 1, $replies replies came back"
((echos == total)) || wgt_fail "peer 1 received $echos of $total echo requests"
((replies == total)) || wgt_fail "lan-host received $replies of $total echo replies"

# The running state is the file's.
wg show "$gw" peers | sort >"$WGT_DIR/peers-after"
{ echo "${WGT_PEER_PUB[1]}"; cat "$WGT_DIR/new-keys"; } | sort >"$WGT_DIR/peers-want"
cmp -s "$WGT_DIR/peers-after" "$WGT_DIR/peers-want" ||
    wgt_fail "after the reload wg show lists $(wc -l <"$WGT_DIR/peers-after") peers, not the file's $((N + 1)) (unrelated or UAPI peer left?)"
ips=$(wg show "$gw" allowed-ips | awk -v p="${WGT_PEER_PUB[1]}" '$1 == p { $1 = ""; print }')
[[ $ips == *2001:db8:4000::/64* ]] || wgt_fail "peer 1's AllowedIPs after the reload: $ips"
hs1=$(wgt_handshake "$gw" "${WGT_PEER_PUB[1]}")
((hs1 == hs0)) || wgt_fail "peer 1's latest handshake moved from $hs0 to $hs1: the session was not kept"
wgh_snapshot
(($(wgh_counter reloads_applied) == 1)) || wgt_fail "reloads_applied is $(wgh_counter reloads_applied), want 1"

# A broken file: FILE:LINE in the log, nothing changes.
wg show "$gw" dump | sort >"$WGT_DIR/dump-before"
cp "$WGT_DIR/new.conf" "$WGT_DIR/good.conf"
printf '\nthis is not libconfig\n' >>"$conf"
wgt_gw_hup_and_wait "has errors, nothing applied"
grep -q "reload: $conf:[0-9]*:" "$WGT_GW_LOG" || wgt_fail "the reload error names no FILE:LINE"
# A field only a restart can change.
sed 's|^lan = { port = 0; address = \["192.0.2.1/24"|lan = { port = 0; address = ["192.0.2.3/24"|' "$WGT_DIR/good.conf" >"$conf"
grep -q '^lan = { port = 0; address = \["192.0.2.3/24"' "$conf" || wgt_fail "could not change the lan address in the copy"
wgt_gw_hup_and_wait "lan: cannot change while running"
wg show "$gw" dump | sort >"$WGT_DIR/dump-after"
# transfer counters and handshake ages move with traffic: compare the
# peers, keys, endpoints and AllowedIPs
cut -f1-4 "$WGT_DIR/dump-before" >"$WGT_DIR/c-before"; cut -f1-4 "$WGT_DIR/dump-after" >"$WGT_DIR/c-after"
cmp -s "$WGT_DIR/c-before" "$WGT_DIR/c-after" || wgt_fail "a refused reload changed wg show's dump"
wgh_snapshot
(($(wgh_counter reloads_failed) == 2)) || wgt_fail "reloads_failed is $(wgh_counter reloads_failed), want 2"
wgt_ping "$lan" "$site" 3
((($(wgt_handshake "$gw" "${WGT_PEER_PUB[1]}")) == hs0)) || wgt_fail "a refused reload started a new handshake"

wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC"
wgt_pass
