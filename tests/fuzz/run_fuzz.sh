#!/bin/sh
# Run the built fuzz harnesses: run_fuzz.sh SECONDS JOBS NAME...
#
# Each harness build/fuzz/fuzz_NAME runs SECONDS seconds (-max_total_time)
# on a fresh copy of tests/fuzz/corpus/NAME in build/fuzz/corpus/NAME, JOBS
# harnesses at a time. Its output goes to build/fuzz/logs/NAME.log; a crash
# input to build/fuzz/artifacts/NAME-crash-*. Prints one line per harness
# (executions, cov/ft from libFuzzer's final stats, crashed or not) and
# "N passed, N failed"; exits non-zero when a harness failed.
secs=$1
jobs=$2
shift 2
dir=build/fuzz
mkdir -p "$dir/logs" "$dir/artifacts" "$dir/corpus"

run_one() {
    name=$1
    corpus=$dir/corpus/$name
    log=$dir/logs/$name.log
    rm -rf "$corpus"
    mkdir -p "$corpus"
    if [ -d "tests/fuzz/corpus/$name" ]; then
        cp tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
    fi
    dict=
    if [ -f "tests/fuzz/$name.dict" ]; then
        dict=-dict=tests/fuzz/$name.dict
    fi
    start=$(date +%s)
    "$dir/fuzz_$name" -max_total_time="$secs" -print_final_stats=1 -max_len=8192 \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$dir/artifacts/$name-" \
        $dict "$corpus" >"$log" 2>&1
    rc=$?
    end=$(date +%s)
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    covline=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
    cov=$(printf '%s\n' "$covline" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s\n' "$covline" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(printf '%s\n' "$covline" | sed -n 's/.*corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
    if [ "$rc" -eq 0 ]; then
        verdict="no crash"
    else
        art=$(grep -o "$dir/artifacts/$name-[a-z-]*-[0-9a-f]*" "$log" | tail -n 1)
        if [ -n "$art" ] || grep -q -E '^==[0-9]+==|deadly signal|runtime error' "$log"; then
            verdict="CRASHED (exit $rc${art:+, input $art}; log $log)"
        else
            verdict="FAILED (exit $rc; log $log)"
        fi
    fi
    printf 'fuzz %-8s %10s executions  cov: %-5s ft: %-6s corp: %-10s %4ss  %s\n' \
        "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$((end - start))" \
        "$verdict" >"$dir/logs/$name.result"
    return "$rc"
}

# JOBS harnesses at a time (plain sh: start a batch, wait for it)
set -- "$@"
while [ $# -gt 0 ]; do
    n=0
    while [ $# -gt 0 ] && [ "$n" -lt "$jobs" ]; do
        run_one "$1" &
        n=$((n + 1))
        names="$names $1"
        shift
    done
    wait
done

passed=0
failed=0
for name in $names; do
    cat "$dir/logs/$name.result"
    if ! grep -q ' no crash$' "$dir/logs/$name.result"; then
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
