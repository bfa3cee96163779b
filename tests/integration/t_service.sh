#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The gateway as a systemd service (config/wg-dpdk@.service.in):
#  * started as the unit starts it (Type=notify: $NOTIFY_SOCKET is a
#    datagram socket this test reads; only the unit's
#    CapabilityBoundingSet, no new privileges), it sends READY=1 only once
#    the UAPI socket listens (checked when the datagram arrives), with a
#    STATUS= line naming the peers, and later a STATUS= with the session
#    and its handshake; peer events are logged as "peer ABCDEFGH" (8
#    base64 characters of the key, never more);
#  * SIGHUP (the unit's ExecReload) does not stop it: it logs the request
#    and keeps forwarding; SIGTERM sends STOPPING=1 and exits 0;
#  * without CAP_NET_RAW or CAP_NET_ADMIN (af_packet ports need both), and
#    with a config that cannot start (a port that does not exist), no
#    READY=1 is ever sent;
#    --log-level=wg_dpdk:warning leaves the error and drops INFO lines,
#    and with $JOURNAL_STREAM naming stderr each line has its "<N>"
#    syslog priority (the error "<3>");
#  * `meson install --destdir` installs exactly the binary, the unit, the
#    example config, the README and the two operator scripts, and
#    `systemd-analyze verify` finds nothing wrong with the installed unit.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
wgt_init
wgt_require_gateway
build=$(dirname "$(dirname "$WGT_BIN")")
unit=$WGT_ROOT/config/wg-dpdk@.service.in
for t in setpriv systemd-analyze meson; do
    command -v "$t" >/dev/null || wgt_fail "$t not installed: run scripts/setup"
done
wgt_topology
wgt_add_peer 1
WGT_PEER_GW_ENDPOINT[1]=       # the peer starts: the gateway learns it
wgt_gw_config
d=$WGT_DIR; lan=$(wgt_ns lan); p1=$(wgt_ns p1); gwns=$(wgt_ns gw)
uapi=$WGT_RUN_DIR/$WGT_GW_NAME.sock; pub=${WGT_PEER_PUB[1]}

# The unit's capabilities, as setpriv wants them: -all,+net_raw,...
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[[ -n $caps ]] || wgt_fail "$unit has no CapabilityBoundingSet="
bounding="-all"
for c in $caps; do bounding+=",+$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")"; done
wgt_log "unit's capabilities: $caps ($bounding)"

# A stand-in for systemd's notify socket: one line per datagram, with
# what the UAPI socket was when it arrived (listening = a connect works).
cat >"$d/notify_listen.py" <<'PY'
import os, socket, sys, time
path, uapi, out, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.2)
end = time.monotonic() + secs
with open(out, "w") as f:
    while time.monotonic() < end:
        try:
            msg = s.recv(4096).decode(errors="replace")
        except socket.timeout:
            continue
        state = "absent"
        if os.path.exists(uapi):
            state = "file"
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                c.connect(uapi)
                state = "listening"
            except OSError:
                pass
            c.close()
        f.write("uapi=%s %s\n" % (state, msg.replace("\n", " | ")))
        f.flush()
PY
# notify_start NAME: listener for $d/NAME.log on $d/NAME.sock
notify_start() {
    python3 "$d/notify_listen.py" "$d/$1.sock" "$uapi" "$d/$1.log" 90 &
    WGT_PIDS+=("$!")
    wgt_wait_for 5 test -S "$d/$1.sock" || wgt_fail "notify listener $1 did not start"
}
# gw_start_notify NAME CONF BOUNDING: the gateway as the unit runs it
gw_start_notify() {
    local cmd=()
    mapfile -d '' cmd < <(wgt_gw_cmd "$2")
    # shellcheck disable=SC2086 # GW_ENV: more VAR=VALUE words, or none
    wgt_bg "$gwns" "$d/gateway-$1.log" env "NOTIFY_SOCKET=$d/$1.sock" ${GW_ENV:-} \
        setpriv --bounding-set="$3" --inh-caps=-all --no-new-privs "${cmd[@]}"
}

# ---- a good start, with exactly the unit's capabilities
notify_start run
gw_start_notify run "$WGT_GW_CONF" "$bounding"
WGT_GW_PID=$WGT_LAST_PID
WGT_GW_LOG=$d/gateway-run.log
if ! wgt_wait_for 30 grep -q 'READY=1' "$d/run.log"; then
    tail -n 20 "$WGT_GW_LOG" >&2
    wgt_fail "no READY=1 within 30 s (notify log: $(cat "$d/run.log"))"
fi
ready=$(grep -m1 'READY=1' "$d/run.log")
wgt_log "notify: $ready"
[[ $ready == uapi=listening* ]] || wgt_fail "READY=1 arrived while the UAPI socket was not listening: $ready"
grep -q 'READY=1' <(head -n1 "$d/run.log") || wgt_fail "something came before READY=1: $(head -n1 "$d/run.log")"
[[ $ready == *"STATUS=1 peer, 0 with a session"* ]] || wgt_fail "READY=1 without a STATUS= naming the peer: $ready"

# a session: the peer starts it, the next STATUS= shows it
wgt_ping_until "$p1" 192.0.2.2 20
wgt_wait_for 15 grep -q 'STATUS=1 peer, 1 with a session, latest handshake' "$d/run.log" ||
    wgt_fail "no STATUS= with the session within 15 s: $(tail -n 3 "$d/run.log")"
wgt_log "notify: $(grep -m1 '1 with a session' "$d/run.log")"

# peer events name the peer by 8 characters of its key, never the key
grep -q "peer ${pub:0:8}: handshake" "$WGT_GW_LOG" ||
    wgt_fail "no 'peer ${pub:0:8}: handshake ...' line in the log"
wgt_log "log: $(grep -m1 "peer ${pub:0:8}:" "$WGT_GW_LOG")"
! grep -qF "${pub:0:12}" "$WGT_GW_LOG" || wgt_fail "the log holds more of the peer's key than 8 characters"
! grep -qF "${WGT_GW_PRIV:0:12}" "$WGT_GW_LOG" || wgt_fail "the log holds the gateway's private key"

# ---- SIGHUP (ExecReload): logged, not fatal, traffic keeps flowing
kill -HUP "$WGT_GW_PID"
wgt_wait_for 10 grep -q 'SIGHUP: reload requested' "$WGT_GW_LOG" ||
    wgt_fail "no 'SIGHUP: reload requested' in the log within 10 s"
sleep 0.5
kill -0 "$WGT_GW_PID" 2>/dev/null || wgt_fail "the gateway died of SIGHUP"
wgt_log "log: $(grep -m1 'SIGHUP: reload requested' "$WGT_GW_LOG")"
wgt_log "log: $(grep -m1 'reload: ' "$WGT_GW_LOG" || true)"
wgt_ping "$p1" 192.0.2.2 3

# ---- SIGTERM: STOPPING=1, exit 0
wgt_gw_stop
((WGT_GW_RC == 0)) || wgt_fail "gateway exit status $WGT_GW_RC after SIGTERM"
wgt_wait_for 5 grep -q 'STOPPING=1' "$d/run.log" || wgt_fail "no STOPPING=1 on SIGTERM"
wgt_log "notify: $(grep -m1 'STOPPING=1' "$d/run.log")"
grep -q 'wg-dpdk: stopped' "$WGT_GW_LOG" || wgt_fail "no INFO line 'stopped' at the default log level"

# ---- starts that fail send no READY=1
# gw_fails NAME CONF BOUNDING: must exit non-zero within 30 s, no READY=1
gw_fails() {
    local i rc=0
    notify_start "$1"
    gw_start_notify "$1" "$2" "$3"
    for ((i = 0; i < 300; i++)); do
        kill -0 "$WGT_LAST_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$WGT_LAST_PID" 2>/dev/null && wgt_fail "$1: gateway still running after 30 s"
    wait "$WGT_LAST_PID" || rc=$?
    ((rc != 0)) || wgt_fail "$1: gateway exited 0"
    sleep 1 # anything it sent is read by now
    ! grep -q 'READY=1' "$d/$1.log" || wgt_fail "$1: READY=1 from a gateway that did not start"
    wgt_log "$1: exit status $rc, no READY=1 ($(grep -m1 -E 'ERR|does not exist|failed' "$d/gateway-$1.log" || true))"
}
gw_fails no_net_raw "$WGT_GW_CONF" "${bounding/,+net_raw/}"
gw_fails no_net_admin "$WGT_GW_CONF" "${bounding/,+net_admin/}"
sed 's/^lan = { port = 0;/lan = { port = 7;/' "$WGT_GW_CONF" >"$d/badport.conf"
grep -q 'port = 7' "$d/badport.conf" || wgt_fail "could not write the bad-port config"
# ... with the README's way to change the log level (INFO lines go, the
# error stays), and with stderr as systemd's journal stream: each line
# then carries its syslog priority, "<3>" for an error
touch "$d/gateway-badport.log"
GW_ENV="JOURNAL_STREAM=$(stat -c %d:%i "$d/gateway-badport.log")" \
    WGT_GW_EXTRA_EAL="--log-level=wg_dpdk:warning" gw_fails badport "$d/badport.conf" "$bounding"
grep -q '^<3>wg-dpdk: lan port 7 does not exist' "$d/gateway-badport.log" ||
    wgt_fail "badport: no '<3>wg-dpdk: lan port 7 does not exist' line: $(grep 'does not exist' "$d/gateway-badport.log")"
grep -q '^<[67]>EAL: ' "$d/gateway-badport.log" || wgt_fail "badport: the EAL's lines have no priority"
! grep -q '^<[0-7]>' "$d/gateway-run.log" ||
    wgt_fail "priority prefixes in a log that is not the journal"
! grep -q 'wg-dpdk: stopped' "$d/gateway-badport.log" ||
    wgt_fail "badport: INFO lines logged with --log-level=wg_dpdk:warning"

# ---- meson install --destdir: the file list, and the installed unit
[[ -f $build/meson-info/intro-installed.json ]] || wgt_fail "$build is not a meson build directory"
[[ -f $build/config/wg-dpdk@.service ]] || wgt_fail "the build in $build generates no systemd unit"
dest=$d/destdir
meson install -C "$build" --no-rebuild --destdir "$dest" >"$d/install.log" 2>&1 ||
    { tail -n 20 "$d/install.log" >&2; wgt_fail "meson install --destdir failed"; }
prefix=$(meson introspect --buildoptions "$build" |
    python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
got=$(cd "$dest" && find . -type f | sed 's|^\.||' | sort)
want=$(sort <<EOF
$prefix/bin/wg-dpdk
$prefix/lib/systemd/system/wg-dpdk@.service
$prefix/libexec/wg-dpdk/hugepages
$prefix/libexec/wg-dpdk/bind-nic
$prefix/share/doc/wg-dpdk/README.md
$prefix/share/doc/wg-dpdk/examples/gateway.conf
EOF
)
printf '%s\n' "$got" | sed 's/^/    installed: /' >&2
[[ $got == "$want" ]] || wgt_fail "installed files differ from the list: $(diff <(echo "$want") <(echo "$got") | tr '\n' ' ')"
for f in bin/wg-dpdk libexec/wg-dpdk/hugepages libexec/wg-dpdk/bind-nic; do
    [[ -x $dest$prefix/$f ]] || wgt_fail "$prefix/$f is not executable"
done
iu=$dest$prefix/lib/systemd/system/wg-dpdk@.service
grep -qx 'Type=notify' "$iu" || wgt_fail "installed unit is not Type=notify"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$iu" || wgt_fail "installed unit: no ExecReload with SIGHUP"
grep -q "^ExecStartPre=+$prefix/libexec/wg-dpdk/hugepages " "$iu" || wgt_fail "installed unit: no hugepages ExecStartPre"
grep -qx "ExecStart=$prefix/bin/wg-dpdk -c /etc/wg-dpdk/%i.conf" "$iu" || wgt_fail "installed unit: ExecStart is not $prefix/bin/wg-dpdk -c /etc/wg-dpdk/%i.conf"
# verify checks that each Exec path is an executable: point the prefix
# into the destdir (nothing else changes); any message is a failure
mkdir -p "$d/verify"
sed "s|$prefix/|$dest$prefix/|g" "$iu" >"$d/verify/wg-dpdk@.service"
out=$(systemd-analyze verify --man=no "$d/verify/wg-dpdk@.service" 2>&1) ||
    wgt_fail "systemd-analyze verify failed: $out"
[[ -z $out ]] || wgt_fail "systemd-analyze verify: $out"
wgt_log "systemd-analyze verify: no complaint; $(systemd-analyze security --offline=yes "$d/verify/wg-dpdk@.service" 2>/dev/null | tail -n1 || true)"
wgt_pass
