#!/bin/sh
# make demo: the cpuser CLI through a user lifecycle over HTTPS against the
# local AMPECO simulator, then the client's RAM and heap figures.
#
# Needs build/cpuser and build/linux/cpuser-heapcount (the make target builds
# them). Throw-away CA, server certificate, token and password are made under
# build/demo/; the simulator is stopped whatever happens. Exits non-zero when
# any step does not give the expected result.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
CLI=build/cpuser
HEAP=build/linux/cpuser-heapcount
D=build/demo
sim_pid=
fails=0
n=0

cleanup() {
    if [ -n "$sim_pid" ]; then
        kill "$sim_pid" 2>/dev/null
        wait "$sim_pid" 2>/dev/null
        sim_pid=
    fi
    rm -f "$D/token" "$D/secrets"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

for f in "$CLI" "$HEAP"; do
    [ -x "$f" ] || { echo "demo: $f is missing (run: make demo)"; exit 1; }
done
rm -rf "$D"
mkdir -p "$D"

echo "== cpuser demo: a user lifecycle over HTTPS against the local simulator"
sh tests/tls/make_certs.sh "$D/certs" >/dev/null || { echo "demo: certificates failed"; exit 1; }
echo "   throw-away CA and server certificate (localhost) in $D/certs"

# Random token and password: never on a command line, never printed.
rand() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
umask 077
rand 24 > "$D/token"
PW="pw-$(rand 12)"
EMAIL="demo-$(rand 4)@example.com"
umask 022

python3 tests/sim/ampeco_sim.py --host 127.0.0.1 --port 0 --port-file "$D/port" \
    --tls-cert "$D/certs/server.crt" --tls-key "$D/certs/server.key" \
    --token-file "$D/token" --seed-users 25 --log "$D/sim.log" > "$D/sim.out" 2>&1 &
sim_pid=$!
i=0
while [ ! -s "$D/port" ] && [ $i -lt 100 ]; do
    kill -0 "$sim_pid" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
[ -s "$D/port" ] || { echo "demo: the simulator did not start:"; cat "$D/sim.out"; exit 1; }
PORT=$(cat "$D/port")
URL="https://localhost:$PORT"
echo "   simulator (pid $sim_pid) on $URL, 25 users seeded, CLI with --ca $D/certs/ca.crt"
echo

# cli PROGRAM ARGS...: the CLI against the demo server.
cli() {
    prog=$1
    shift
    "$prog" --url "$URL" --ca "$D/certs/ca.crt" --token-file "$D/token" "$@"
}

# step NAME EXPECTED_EXIT CHECK_PATTERN COMMAND...: run, compare, show.
step() {
    name=$1 want=$2 pattern=$3
    shift 3
    n=$((n + 1))
    "$@" > "$D/out.$n" 2> "$D/err.$n"
    rc=$?
    verdict=ok
    if [ "$rc" != "$want" ]; then
        verdict="FAILED (expected exit $want)"
    elif [ -n "$pattern" ] && ! grep -q -- "$pattern" "$D/out.$n"; then
        verdict="FAILED (output lacks '$pattern')"
    fi
    [ "$verdict" = ok ] || fails=$((fails + 1))
    printf '%2d. %-52s exit %-2s %s\n' "$n" "$name" "$rc" "$verdict"
    sed -n '1,4s/^/      | /p' "$D/out.$n"
    lines=$(wc -l < "$D/out.$n")
    [ "$lines" -gt 4 ] && echo "      | ... ($lines lines)"
    sed 's/^/      ! /' "$D/err.$n"
    return 0
}

create_user() {
    printf '%s\n' "$PW" | cli "$1" users create --email "$EMAIL" --password-stdin \
        --first-name Ada --last-name Lovelace --country GB --city Marylebone
}

lifecycle() { # PROGRAM
    p=$1
    step "create $EMAIL (password on stdin)" 0 "^email: *$EMAIL" create_user "$p"
    ID=$(sed -n 's/^id: *//p' "$D/out.$n")
    [ -n "$ID" ] || { echo "demo: no id in the create output"; fails=$((fails + 1)); return; }
    step "get user $ID" 0 "^lastName: *Lovelace" cli "$p" users get "$ID"
    step "update user $ID (city, phone)" 0 "^city: *London" \
        cli "$p" users update "$ID" --city London --phone +442079460000
    step "disable user $ID (set-status)" 0 "status set to disabled" \
        cli "$p" users set-status "$ID" disabled --reason "demo: lost card"
    step "add 12.5 to the balance of user $ID" 0 "balance changed by 12.5" \
        cli "$p" users add-balance "$ID" 12.5 --reason "demo top-up"
    step "get user $ID (disabled, balance 12.5)" 0 "^balance: *12.5" cli "$p" users get "$ID"
    grep -q '^status: *disabled' "$D/out.$n" || { echo "      status is not disabled"; fails=$((fails + 1)); }
    step "list users, 10 per page (streamed)" 0 "^$ID	$EMAIL	disabled" \
        cli "$p" users list --per-page 10
    got=$(wc -l < "$D/out.$n")
    [ "$got" -eq 26 ] || { echo "      expected 26 users, got $got"; fails=$((fails + 1)); }
    step "delete user $ID" 0 "deleted" cli "$p" users delete "$ID"
    step "get user $ID again (not found: exit 3)" 3 "" cli "$p" users get "$ID"
    EMAIL="again-$EMAIL"
}

lifecycle "$CLI"

echo
echo "== heap audit: the same lifecycle with $HEAP"
rm -f "$D/heap.txt"
first=$n
CPUSER_HEAP_REPORT="$root/$D/heap.txt"
export CPUSER_HEAP_REPORT
lifecycle "$HEAP" > "$D/heap-steps.txt"
unset CPUSER_HEAP_REPORT
runs=$(wc -l < "$D/heap.txt")
steps_failed=$(grep -c FAILED "$D/heap-steps.txt")
echo "   $((n - first)) steps, $runs processes, failed steps: $steps_failed"
[ "$steps_failed" -eq 0 ] || { cat "$D/heap-steps.txt"; fails=$((fails + 1)); }
summary=$(awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] += kv[2];
          if (kv[1] == "mbedtls_peak" && kv[2] > peak) peak = kv[2];
          if (kv[1] == "wrap_verified" && kv[2] != 1) unverified++ } }
    END { printf "%d %d %d %d %d %d %d", v["cpuser_heap_calls"], unverified + 0,
          v["mbedtls_alloc"], v["mbedtls_free"], v["mbedtls_bytes"], peak, v["mbedtls_live"] }' "$D/heap.txt")
set -- $summary
cpuser_calls=$1 unverified=$2 mb_alloc=$3 mb_free=$4 mb_bytes=$5 mb_peak=$6 mb_live=$7

echo
echo "== secrets: the token and the password in no output and not in the simulator log"
# grep reads them from a private file: they go on no command line either
umask 077
{ cat "$D/token"; echo; printf '%s\n' "$PW"; } > "$D/secrets"
umask 022
if grep -rqF -f "$D/secrets" "$D"/out.* "$D"/err.* "$D/sim.log" "$D/sim.out" "$D/heap-steps.txt"; then
    echo "   FAILED: a secret appears in the output or the log"
    fails=$((fails + 1))
else
    echo "   ok: neither appears in the $n outputs, the simulator's log ($(wc -l < "$D/sim.log") requests) or its stdout"
fi
rm -f "$D/secrets"

objs=$(ls build/linux/obj/src/*.o build/linux/obj/port/*/*.o build/linux/obj/boards/linux/*.o | grep -v heapcount)
heap_refs=$(nm -u $objs | grep -cE ' (malloc|calloc|realloc|free|strdup|strndup)$')

echo
echo "== memory"
"$CLI" --memory-report | sed 's/^/   /'
client=$("$CLI" --memory-report | sed -n 's/^client_ram_total \([0-9]*\).*/\1/p')
echo
echo "   RAM used by the client:          $client bytes (sizeof(cpuser_client) + the 4096-byte working buffer)"
echo "   heap allocations by cpuser:      $cpuser_calls (malloc/calloc/realloc/free/strdup/strndup from the"
echo "                                    library, ports and CLI over $runs runs; --wrap verified live in"
echo "                                    $((runs - unverified)) of $runs; nm -u: $heap_refs heap references in $(echo $objs | wc -w) objects)"
echo "   heap allocations inside mbedTLS: $mb_alloc calloc, $mb_free free over $runs runs ($mb_bytes bytes in all;"
echo "                                    peak $mb_peak bytes in one run; $mb_live bytes left at exit)"
[ "$cpuser_calls" -eq 0 ] || fails=$((fails + 1))
[ "$unverified" -eq 0 ] || { echo "   FAILED: the malloc wrap was not live"; fails=$((fails + 1)); }
[ "$heap_refs" -eq 0 ] || fails=$((fails + 1))
[ "$mb_alloc" -gt 0 ] || { echo "   FAILED: mbedTLS's allocations were not counted"; fails=$((fails + 1)); }

echo
if [ "$fails" -ne 0 ]; then
    echo "demo: FAILED ($fails problems)"
    exit 1
fi
echo "demo: all steps gave the expected result"
