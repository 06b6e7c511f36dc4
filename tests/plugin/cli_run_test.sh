#!/usr/bin/env bash
# End-to-end test of `sanavideo run` / `sanavideo nodes` with the test node packs:
#   cli_run_test.sh SANAVIDEO PACK_DIR
# Checks exit codes, --set parsing, that every validation error is printed, progress lines, and that SIGINT cancels
# promptly with exit code 130.
set -u
SV="$1"
PACKS="$2"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
failures=0
check() {  # check DESCRIPTION CONDITION...
    local what="$1"
    shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
contains() { grep -qF -- "$2" "$1"; }

graph() {  # graph VERSION EXTRA_NODE_JSON
    cat >"$TMP/g.json" <<JSON
{ "format": "sanavideo.graph", "version": $1,
  "nodes": [ {"id": "c", "type": "testpack.const", "params": {"value": 21}},
             {"id": "d", "type": "testpack.double"},
             {"id": "slow", "type": "testpack.slow", "params": {"steps": 5, "step_ms": 1}},
             {"id": "show", "type": "testpack.show"} $2 ],
  "links": [ {"from": {"node": "c", "port": "value"}, "to": {"node": "d", "port": "value"}},
             {"from": {"node": "d", "port": "value_typo"}, "to": {"node": "slow", "port": "value"}},
             {"from": {"node": "slow", "port": "value"}, "to": {"node": "show", "port": "value"}} ] }
JSON
    sed -i 's/value_typo/twice/' "$TMP/g.json"
}
run() { "$SV" run "$TMP/g.json" --plugin-dir "$PACKS" --output-dir "$TMP/out" "$@" >"$TMP/stdout" 2>"$TMP/stderr"; }

# 1. success, --set parsed by type, progress and log lines
graph 1 ""
run --set c.value=4
rc=$?
check "run succeeds (rc $rc)" test $rc -eq 0
check "the output node logged 4*2" contains "$TMP/stderr" "[show] info: value = 8"
check "progress lines" contains "$TMP/stderr" "[slow] step 5/5"
check "node started lines" contains "$TMP/stderr" "[d] started (testpack.double"
check "bad plugins are warnings only" contains "$TMP/stderr" "not a Qt plugin"
check "output dir created" test -d "$TMP/out"

# 2. bad --set
run --set c.value=abc; rc=$?
check "non-integer --set fails (rc $rc)" test $rc -eq 1
check "names the parameter and the problem" contains "$TMP/stderr" "parameter 'value': \"abc\" is not an integer"
run --set c.nope=1; rc=$?
check "unknown parameter fails (rc $rc)" test $rc -eq 1
check "lists the parameters" contains "$TMP/stderr" "has no parameter 'nope' (parameters: value)"
run --set ghost.value=1; rc=$?
check "unknown node fails" test $rc -eq 1

# 3. every validation error printed, nothing runs
graph 1 ', {"id": "x", "type": "acme.magic"}'
run --set slow.steps=0; rc=$?
check "invalid graph fails (rc $rc)" test $rc -eq 1
check "out-of-range printed" contains "$TMP/stderr" "parameter 'steps': 0 is below the minimum 1"
check "unknown type printed" contains "$TMP/stderr" "unknown node type 'acme.magic'"
check "nothing ran" bash -c "! grep -q '] started' '$TMP/stderr'"

# 4. newer format version
graph 7 ""
run; rc=$?
check "newer format refused (rc $rc)" test $rc -eq 1
check "says it is newer" contains "$TMP/stderr" "graph format version 7 is newer than this build supports (1)"

# 5. Ctrl-C cancels within a step
graph 1 ""
"$SV" run "$TMP/g.json" --plugin-dir "$PACKS" --output-dir "$TMP/out" --set slow.steps=100000 --set slow.step_ms=2 \
    >"$TMP/stdout" 2>"$TMP/stderr" &
pid=$!
for _ in $(seq 1 200); do grep -q "step 3/" "$TMP/stderr" 2>/dev/null && break; sleep 0.05; done
start=$(date +%s%N)
kill -INT $pid
wait $pid; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "SIGINT exits 130 (rc $rc)" test $rc -eq 130
check "SIGINT stops within 1 s (${ms} ms)" test $ms -lt 1000
check "reports the cancellation" contains "$TMP/stderr" "cancelled during [slow]"

# 6. nodes listing
"$SV" nodes --plugin-dir "$PACKS" >"$TMP/nodes" 2>/dev/null; rc=$?
check "nodes succeeds" test $rc -eq 0
check "nodes lists ranges and help" contains "$TMP/nodes" "steps: INT = 5 [1, 100000] — how many steps"
check "nodes lists ports" contains "$TMP/nodes" "twice: INT"
"$SV" nodes --plugin-dir "$PACKS" --json >"$TMP/nodes.json" 2>/dev/null
check "nodes --json" contains "$TMP/nodes.json" '"type": "testpack.slow"'

if [ $failures -ne 0 ]; then
    echo "--- last stderr:"; cat "$TMP/stderr"
    exit 1
fi
echo "all CLI checks passed"
