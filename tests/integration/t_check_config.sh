#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Config validation (ARCHITECTURE.md §4):
#   wg-dpdk --check -c GOOD   exits 0
#   wg-dpdk --check -c BAD    prints BAD:LINE: message, exits 1
# for a syntax error (libconfig's line) and for semantic errors (the line
# of the offending setting, e.g. the first peer beyond
# interface.max_peers); and the gateway started with a broken config
# exits non-zero without creating its UAPI socket. --check needs no EAL
# options, no namespace and no root privileges beyond reading the file.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
wgt_gw_config
d=$WGT_DIR; key=$WGT_GW_PRIV; pub=${WGT_PEER_PUB[1]}; name=$WGT_GW_NAME

# check FILE LINE: --check must exit 1 and mention FILE:LINE.
check_bad() {
    local file=$1 line=$2 out rc=0
    out=$(timeout 20 "$WGT_BIN" --check -c "$file" 2>&1) || rc=$?
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    ((rc == 1)) || wgt_fail "--check $(basename "$file"): exit status $rc, want 1"
    grep -qF "$(basename "$file"):$line:" <<<"$out" ||
        wgt_fail "--check $(basename "$file"): no '$(basename "$file"):$line:' in its output"
    wgt_log "--check $(basename "$file") -> exit 1, reports line $line"
}

rc=0; timeout 20 "$WGT_BIN" --check -c "$WGT_GW_CONF" >"$d/check-good.out" 2>&1 || rc=$?
((rc == 0)) || { cat "$d/check-good.out" >&2; wgt_fail "--check of the good config: exit status $rc"; }

# Line 3: missing ';' after the name, then garbage (libconfig syntax error).
cat >"$d/broken-syntax.conf" <<CONF
interface = {
  name = "$name";
  private_key = "$key" listen_port = = 51820;
};
CONF
check_bad "$d/broken-syntax.conf" 3

# Line 4: a private key that is not 32 bytes of base64.
cat >"$d/broken-key.conf" <<CONF
# broken on purpose: bad private key
interface = {
  name = "$name";
  private_key = "this-is-not-a-key";
  listen_port = 51820;
};
lan = { port = 0; address = ["192.0.2.1/24"]; };
wan = { port = 1; address = ["198.51.100.1/24"]; };
workers = { lcores = [1]; };
peers = ( { public_key = "$pub"; allowed_ips = ["203.0.113.0/26"]; } );
CONF
check_bad "$d/broken-key.conf" 4

# Line 11: an AllowedIPs prefix that cannot be (prefix length 33).
cat >"$d/broken-prefix.conf" <<CONF
interface = {
  name = "$name";
  private_key = "$key";
  listen_port = 51820;
};
lan = { port = 0; address = ["192.0.2.1/24"]; };
wan = { port = 1; address = ["198.51.100.1/24"]; };
workers = { lcores = [1]; };
peers = (
  { public_key = "$pub";
    allowed_ips = ["203.0.113.0/33"]; }
);
CONF
check_bad "$d/broken-prefix.conf" 11

# Line 11: a second peer with interface.max_peers = 1.
pub2=$(wg genkey | wg pubkey)
cat >"$d/too-many-peers.conf" <<CONF
interface = {
  name = "$name";
  private_key = "$key";
  max_peers = 1;
};
lan = { port = 0; address = ["192.0.2.1/24"]; };
wan = { port = 1; address = ["198.51.100.1/24"]; };
workers = { lcores = [1]; };
peers = (
  { public_key = "$pub"; allowed_ips = ["203.0.113.0/26"]; },
  { public_key = "$pub2"; allowed_ips = ["203.0.113.64/26"]; }
);
CONF
check_bad "$d/too-many-peers.conf" 11
grep -q 'too-many-peers.conf:11: peers\[1\]: 2 peers, more than interface.max_peers = 1 (line 4)' < <(timeout 20 "$WGT_BIN" --check -c "$d/too-many-peers.conf" 2>&1) ||
    wgt_fail "--check too-many-peers.conf: not the expected message"

# The gateway itself, with EAL options, on a broken config: exits non-zero
# and never creates /var/run/wireguard/$name.sock.
sock=$WGT_RUN_DIR/$name.sock
mapfile -d '' cmd < <(wgt_gw_cmd "$d/broken-key.conf")
wgt_bg "$(wgt_ns gw)" "$WGT_GW_LOG" "${cmd[@]}"
WGT_GW_PID=$WGT_LAST_PID
for ((i = 0; i < 300; i++)); do # <= 30 s
    [[ -S $sock ]] && wgt_fail "gateway created $sock with a broken config"
    kill -0 "$WGT_GW_PID" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$WGT_GW_PID" 2>/dev/null && wgt_fail "gateway still running after 30 s with a broken config"
rc=0; wait "$WGT_GW_PID" || rc=$?
WGT_GW_PID=
((rc != 0)) || wgt_fail "gateway exited 0 with a broken config"
[[ ! -e $sock ]] || wgt_fail "$sock exists after the failed start"
grep -q "broken-key.conf:4:" "$WGT_GW_LOG" || wgt_log "note: the failed start did not print broken-key.conf:4:"
wgt_log "gateway with broken config exited $rc, no socket"
wgt_pass
