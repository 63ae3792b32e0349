#!/bin/sh
# The lwIP end-to-end test, in a network namespace of its own.
#
#   sh tests/lwip/run_lwip_test.sh TEST_PROGRAM...   (from the repository root, as root)
#
# Makes namespace cpuser-lwip-<pid> with loopback up and a tap device cptap0
# (10.77.0.1/24, and fd77::1/64 when the kernel has IPv6), starts the
# backend simulator twice inside it (HTTP, and HTTPS with certificates from
# tests/tls/make_certs.sh), both bound to 10.77.0.1, then runs each
# TEST_PROGRAM (tests/lwip/test_lwip.c builds) inside the namespace: lwIP
# in the program attaches to the tap as 10.77.0.2 (tests/lwip/tap_netif.c;
# Debian's tapif is not used, see tap_netif.h, so PRECONFIGURED_TAPIF and
# ifconfig play no part). Nothing is addressed outside the namespace; the trap below
# stops the simulators and deletes the tap and the namespace however the
# script ends.
#
# Ends with "N passed, N failed, N skipped" (tests/run_tests.sh reads it).
# A machine that cannot make the namespace or the tap (not root, no
# /dev/net/tun, no iproute2, `ip netns add` refused, e.g. in a container)
# gets a loud SKIPPED and "0 passed, 0 failed, 1 skipped": never a pass.
# Every wait is bounded: a run takes ~7 s here; each program gets at most
# PER_PROGRAM_S (30 s), each simulator 10 s to start.
set -u

NS=cpuser-lwip-$$
TAP=cptap0
HOST4=10.77.0.1
HOST6=fd77::1
PER_PROGRAM_S=30

root=$(cd "$(dirname "$0")/../.." && pwd)
work=
sims=
runner=
ns_made=0

say() { printf 'lwip-test: %s\n' "$*"; }

stop_sims() {
    for pid in $sims; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in $sims; do
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 30 ]; do
            sleep 0.1; i=$((i + 1))
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    sims=
}

cleanup() {
    if [ -n "$runner" ]; then
        kill -TERM "$runner" 2>/dev/null # timeout(1) passes it on to the test
        wait "$runner" 2>/dev/null
        runner=
    fi
    stop_sims
    if [ "$ns_made" = 1 ]; then
        # Whatever still runs inside the namespace was started by this
        # script (the namespace is its own): end it, by pid, so that the
        # namespace really goes away with `ip netns delete`.
        for pid in $(ip netns pids "$NS" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null
        done
        ip netns exec "$NS" ip link del "$TAP" 2>/dev/null
        ip netns delete "$NS" 2>/dev/null || say "warning: could not delete namespace $NS"
        ns_made=0
    fi
    if [ -n "$work" ]; then
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

skip() {
    echo "**********************************************************************"
    echo "*** SKIPPED: the lwIP end-to-end test cannot run on this machine:"
    echo "***   $*"
    echo "*** It needs root, /dev/net/tun, iproute2 and network namespaces."
    echo "*** This is NOT a pass: the lwIP port was not exercised."
    echo "**********************************************************************"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
}

fail_setup() {
    say "FAILED: $*"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
}

in_ns() { ip netns exec "$NS" "$@"; }

[ $# -ge 1 ] || { echo "usage: $0 TEST_PROGRAM..."; exit 2; }
for bin in "$@"; do
    [ -x "$bin" ] || fail_setup "no test program $bin (make lwip-tests)"
done

# ---- can this machine do it at all? -----------------------------------------
[ "$(id -u)" = 0 ] || skip "not running as root (uid $(id -u))"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (modprobe tun?)"
command -v ip >/dev/null 2>&1 || skip "no ip command (iproute2)"
command -v timeout >/dev/null 2>&1 || fail_setup "no timeout command (coreutils)"
command -v python3 >/dev/null 2>&1 || fail_setup "no python3 for the simulator"

work=$(mktemp -d "${TMPDIR:-/tmp}/cpuser-lwip.XXXXXX") || fail_setup "mktemp"

err=$(ip netns add "$NS" 2>&1) || skip "ip netns add $NS failed: $err"
ns_made=1
err=$(in_ns ip link set lo up 2>&1) || skip "cannot run inside namespace $NS: $err"
err=$(in_ns ip tuntap add dev "$TAP" mode tap 2>&1) || skip "cannot create tap $TAP in $NS: $err"
in_ns ip addr add "$HOST4/24" dev "$TAP" || fail_setup "ip addr add $HOST4/24 dev $TAP"
in_ns ip link set "$TAP" up || fail_setup "ip link set $TAP up"
v6=no-v6
if in_ns ip -6 addr add "$HOST6/64" dev "$TAP" nodad 2>/dev/null; then
    v6=v6
else
    say "no IPv6 in this kernel: the IPv6 literal check is skipped"
fi
say "namespace $NS: $TAP $HOST4/24$( [ $v6 = v6 ] && echo " $HOST6/64"), lwIP will be 10.77.0.2"

# ---- certificates and the simulators ----------------------------------------
sh "$root/tests/tls/make_certs.sh" "$work/certs" >"$work/certs.log" 2>&1 \
    || { cat "$work/certs.log"; fail_setup "tests/tls/make_certs.sh"; }

# start_sim NAME ARGS...: the simulator on HOST4 inside the namespace; sets
# sim_port once it listens (waits at most 10 s). `ip netns exec` execs the
# command in place, so $! is the simulator itself (not through a function:
# that would put a subshell in between and $! would name the subshell).
start_sim() {
    name=$1; shift
    ip netns exec "$NS" python3 "$root/tests/sim/ampeco_sim.py" --host "$HOST4" --port 0 \
        --port-file "$work/$name.port" --log "$work/$name.log" --seed-users 4 "$@" \
        >"$work/$name.out" 2>&1 </dev/null &
    sims="$sims $!"
    i=0
    sim_port=
    while [ $i -lt 100 ]; do
        sim_port=$(cat "$work/$name.port" 2>/dev/null)
        case $sim_port in
            ''|*[!0-9]*) sim_port= ;;
            *) break ;;
        esac
        sleep 0.1; i=$((i + 1))
    done
    if [ -z "$sim_port" ]; then
        cat "$work/$name.out"
        fail_setup "the $name simulator did not start within 10 s"
    fi
}
start_sim http
http_port=$sim_port
start_sim tls --tls-cert "$work/certs/server.crt" --tls-key "$work/certs/server.key"
tls_port=$sim_port
say "simulators on http://$HOST4:$http_port and https://$HOST4:$tls_port (inside $NS)"

counters() {
    in_ns sh -c "cd /sys/class/net/$TAP/statistics && echo rx_bytes \$(cat rx_bytes) tx_bytes \$(cat tx_bytes) rx_packets \$(cat rx_packets) tx_packets \$(cat tx_packets)"
}
say "$TAP counters before: $(counters)"

# ---- the test programs ---------------------------------------------------------
passed=0; failed=0; skipped=0
count() { printf '%s\n' "$out" | sed -n "$1" | awk '{s+=$1} END {print s+0}'; }
for bin in "$@"; do
    echo "=== $bin (inside $NS, on $TAP)"
    # In the background with `wait`: a signal to this script is handled at
    # once (the trap stops the program), not after the program ends.
    timeout -k 5 "$PER_PROGRAM_S" ip netns exec "$NS" \
        "$bin" "$TAP" "$http_port" "$tls_port" "$work/certs/ca.crt" "$v6" \
        >"$work/program.out" 2>&1 </dev/null &
    runner=$!
    wait "$runner"
    rc=$?
    runner=
    out=$(cat "$work/program.out")
    printf '%s\n' "$out"
    p=$(count 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
    f=$(count 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
    s=$(count 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p')
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        say "$bin did not finish within $PER_PROGRAM_S s"
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        say "$bin exited with status $rc"
        f=1
    fi
    if [ $((p + f + s)) -eq 0 ]; then
        say "$bin ran no tests"
        f=1
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done

say "$TAP counters after:  $(counters)"
say "(lwIP's own stats are compiled out of Debian's liblwip, LWIP_STATS 0: the kernel's tap counters are the evidence)"
if [ "$failed" -ne 0 ]; then
    for name in http tls; do
        echo "--- simulator $name output (last lines):"
        tail -n 20 "$work/$name.out" 2>/dev/null
    done
fi
stop_sims
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
