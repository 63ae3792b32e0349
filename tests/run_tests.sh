#!/bin/sh
# Run test programs (paths or quoted commands), show their output, and close
# with "N passed, N failed, N skipped". Counts come from each program's cmocka
# summary lines, or from its own "N passed, N failed[, N skipped]" line. A
# program that exits non-zero without reporting a failure (a crash, a
# sanitizer report) counts one failure.
passed=0; failed=0; skipped=0
for t in "$@"; do
    echo "=== $t"
    out=$(sh -c "$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    sum() { printf '%s\n' "$out" | sed -n "$1" | awk '{s+=$1} END {print s+0}'; }
    p=$(sum 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
    f=$(sum 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
    s=$(sum 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p')
    own=$(printf '%s\n' "$out" | grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' | tail -n 1)
    if [ -n "$own" ]; then
        p=$(printf '%s\n' "$own" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/')
        f=$(printf '%s\n' "$own" | sed -E 's/.* ([0-9]+) failed.*/\1/')
        s=$(printf '%s\n' "$own" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p'); s=${s:-0}
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "*** $t exited with status $rc"
        f=1
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
