#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# perf/pktgen/ (the pktgen-dpdk recipe) checked as far as it can be where
# pktgen is not installed; pktgen itself never runs here.
#
# 1. luac5.3 -p on every perf/pktgen/*.lua;
# 2. for each direction, `perf/pktgen/run --print` (the exact gateway,
#    gen_memif and pktgen commands, the gateway config written): the
#    config passes `wg-dpdk --check`, and pktgen_recipe_check.py checks
#    that memif sockets, ids, roles and MACs, queue counts, lcores,
#    sizes, counts, addresses and memory agree between the three, and
#    runs the direction's Lua under pktgen_stub.lua (plain lua5.3, a
#    `pktgen` table that records calls): it must set what the config
#    needs, send from the right port, print one result line and quit;
# 3. `perf/pktgen/run --handshake-only` for real (the gateway and
#    gen_memif over memif, no pktgen): the gateway's log confirms the
#    queue layout pktgen is given and the handshake, and the decrypt pcap
#    holds COUNT transport messages of the expected size, MACs,
#    addresses and rising counters;
# 4. the decrypt direction once more with dpdk-testpmd standing in for
#    pktgen (step 4 below).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"

wgt_init 200
wgt_require_gateway
[[ -x $WGT_ROOT/build/perf/gen_memif ]] || wgt_fail "build/perf/gen_memif missing: build it"
for t in lua5.3 luac5.3; do
    command -v "$t" >/dev/null || wgt_fail "$t not installed (Debian lua5.3): run scripts/setup"
done
pg=$WGT_ROOT/perf/pktgen
here=$WGT_ROOT/tests/integration
check=(python3 "$here/pktgen_recipe_check.py")
# the recipe's defaults, not whatever this shell has set
defaults=(env -u SIZE -u COUNT -u SECONDS_ENC -u PKTGEN_LCORES -u PKTGEN_MATRIX
    -u PKTGEN_MEM_MB -u GEN_LCORE -u BUILD_DIR -u PKTGEN -u KEEP GW_BIN="$WGT_BIN")
run=("${defaults[@]}" "$pg/run")

n=0
for f in "$pg"/*.lua; do
    luac5.3 -p "$f" || wgt_fail "luac5.3 -p $f"
    n=$((n + 1))
done
((n >= 3)) || wgt_fail "perf/pktgen has $n Lua files, want recipe.lua, encrypt.lua, decrypt.lua"
wgt_log "luac5.3 -p: $n Lua files parse"

for path in encrypt decrypt; do
    d=$WGT_DIR/$path
    mkdir -p "$d"
    "${run[@]}" --print "$d" "$path" >"$d.cmds" || wgt_fail "perf/pktgen/run --print $path failed"
    out=$(timeout 30 "$WGT_BIN" --check -c "$d/gw.conf" 2>&1) ||
        wgt_fail "the recipe's gateway config is refused: $out"
    "${check[@]}" commands "$d" "$path" "$d.cmds" "$here/pktgen_stub.lua" ||
        wgt_fail "perf/pktgen $path: the commands, config and Lua disagree (above)"
    wgt_log "$path: config accepted; commands, config and Lua agree"
done

for path in encrypt decrypt; do
    d=$WGT_DIR/$path
    timeout 150 "${run[@]}" --handshake-only "$d" "$path" >"$d.hs.log" 2>&1 || {
        tail -n 30 "$d.hs.log" "$d/gw.log" "$d/gen.log" >&2 || true
        wgt_fail "perf/pktgen/run --handshake-only $path failed"
    }
    "${check[@]}" handshake "$d" "$path" "$d.cmds" ||
        wgt_fail "perf/pktgen $path: the gateway or gen_memif's pcap disagree with the recipe (above)"
    wgt_log "$path: handshake made by gen_memif; gateway queues and pcap as the recipe says"
done

# 4. decrypt end to end with dpdk-testpmd standing in for pktgen
#    (pktgen_standin.sh): the driver's pktgen command line replays the
#    pcap twice; the first pass must come out of the LAN port whole, the
#    second be refused entirely as replays. 512 frames fit one memif ring.
res=$("${defaults[@]}" COUNT=512 KEEP=1 PKTGEN="$here/pktgen_standin.sh" timeout 150 "$pg/run" decrypt \
    2>"$WGT_DIR/standin.log") || {
    tail -n 30 "$WGT_DIR/standin.log" >&2
    wgt_fail "perf/pktgen/run decrypt with the testpmd stand-in failed"
}
wgt_log "stand-in: $res"
# the driver kept its directory: move it under ours (teardown removes it)
kept=$(sed -n 's/^pktgen-run: kept //p' "$WGT_DIR/standin.log")
[[ -d $kept ]] && mv "$kept" "$WGT_DIR/standin"
# a gateway built with sanitizers (integration-asan) reports in its logs
if grep -qsE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WGT_DIR"/*/gw.log; then
    grep -shE -A12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WGT_DIR"/*/gw.log | head -n 60 >&2
    wgt_fail "sanitizer report from the gateway"
fi
[[ $(wgt_json "$res" "j['pass1_in'] == j['pass1_out'] == 512 and j['pass1_replays'] == 0") == 1 ]] ||
    wgt_fail "first pass of the pcap not delivered whole: $res"
[[ $(wgt_json "$res" "j['pass2_in'] == j['pass2_replays'] == 512 and j['pass2_out'] == 0") == 1 ]] ||
    wgt_fail "second pass of the pcap not refused as replays: $res"
wgt_pass
