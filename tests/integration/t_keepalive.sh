#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# persistent_keepalive = 2 for peer 1 in the gateway's config and no
# traffic at all: like the Linux driver, the gateway brings the session up
# by itself (a handshake) and then sends a keepalive (an empty transport
# message, 32 bytes of UDP payload) whenever it has sent nothing for 2 s.
# Seen from wireguard-go: a handshake appears, and its rx byte counter
# grows by multiples of 32 while nobody sends anything.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
wgt_topology
wgt_add_peer 1
WGT_PEER_GW_KEEPALIVE[1]=2
wgt_gw_config
grep -q 'persistent_keepalive = 2;' "$WGT_GW_CONF" || wgt_fail "config lacks persistent_keepalive"
wgt_gw_start
p1name=${WGT_PEER_NAME[1]}

# shellcheck disable=SC2317  # called through wgt_wait_for
handshake_seen() { (($(wgt_handshake "$p1name" "$WGT_GW_PUB") > 0)); }
wgt_wait_for 15 handshake_seen ||
    wgt_fail "no handshake within 15 s although persistent_keepalive is set"
[[ $(wg show "$WGT_GW_NAME" persistent-keepalive | awk '{ print $2 }') == 2 ]] ||
    wgt_fail "wg show does not report persistent keepalive 2"
sleep 3          # let the handshake's own messages settle
read -r rx0 _ < <(wgt_transfer "$p1name" "$WGT_GW_PUB")
sleep 9
read -r rx1 _ < <(wgt_transfer "$p1name" "$WGT_GW_PUB")
delta=$((rx1 - rx0))
wgt_log "peer rx grew by $delta bytes in 9 s"
((delta >= 3 * 32)) || wgt_fail "peer received $delta bytes in 9 s, want >= 3 keepalives (96)"
((delta % 32 == 0)) || wgt_fail "growth $delta is not a multiple of 32 (keepalive size)"
((delta <= 6 * 32)) || wgt_fail "growth $delta: more than one keepalive per 2 s"
wgt_pass
