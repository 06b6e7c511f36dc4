#!/usr/bin/env bash
# Makes reference fixture sets on the device machine (torch + transformers 5 + peft there; diffusers from the carried
# snapshot) and leaves them in $OUT as tar.gz parts of at most 15 MiB, plus summary.txt.  From the repository root:
#
#   bash tests/data/reference/tools/run_on_device.sh [DIFFUSERS_SRC] [SET ...]
#
#   DIFFUSERS_SRC  the snapshot's src/ folder (the one holding diffusers/), default $SV_DIFFUSERS or .carry/diffusers_src
#   SET            main   seed 0, variant "shared": the shipped set plus this wave's sections       (default: main b1 b2)
#                  b1     seed 5, tools/variants_b1.json: batch 1 everywhere, other shapes
#                  b2     seed 9, tools/variants_b2.json: batch 2 everywhere, other widths and shapes
#                  smoke  only the dry run of every section (also done first whenever a set is made)
#
#   env: SV_FIXTURE_SECTIONS=a,b (--only for every set)  SV_SKIP_VERIFY=1  SV_NO_SMOKE=1
#        SV_PY_TIMEOUT=seconds per python call (420)
#
# Nothing here stops the run: a failing section is logged and left out of its set (make_fixtures.py isolates every
# section), a failing set or verification is reported in the summary, which is printed last.
set -uo pipefail
tools=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$tools/../../../.." && pwd)
if [ $# -gt 0 ] && [ -d "$1" ]; then DIFFUSERS=$(cd "$1" && pwd); shift; else DIFFUSERS=${SV_DIFFUSERS:-$repo/.carry/diffusers_src}; fi
SETS=${*:-main b1 b2}
OUT=${OUT:-/tmp/sv_fixture_out}
WORK=${SV_FIXTURE_WORK:-/tmp/sv_fixture_work}
TMO=${SV_PY_TIMEOUT:-420}
mkdir -p "$OUT" "$WORK"
export PYTHONPATH="$DIFFUSERS:$tools:${SV_LONGSANA_REF_PARENT:-$PWD/.carry}${PYTHONPATH:+:$PYTHONPATH}" PYTHONHASHSEED=0 PYTHONUNBUFFERED=1
export DIFFUSERS_COMMIT=${DIFFUSERS_COMMIT:-58eb52c0803ea9af3abec60841c2a093bdf1f951}
summary="$OUT/summary.txt"
: > "$summary"
note() { echo "$*" | tee -a "$summary"; }
t_start=$(date +%s)

note "== $(date -u +%Y-%m-%dT%H:%M:%SZ) fixtures on $(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null | head -1)"
if [ ! -d "$DIFFUSERS/diffusers" ]; then
    note "no diffusers package under $DIFFUSERS (give the snapshot's src/ folder)"; exit 2
fi
timeout 120 python3 -c "
import platform, torch, transformers, safetensors, numpy, diffusers
try:
    import peft; pv = peft.__version__
except Exception as e:
    pv = 'MISSING (%r)' % e
print('python', platform.python_version(), 'torch', torch.__version__, 'cuda', torch.version.cuda,
      'transformers', transformers.__version__, 'diffusers', diffusers.__version__, 'from', diffusers.__file__,
      'peft', pv, 'safetensors', safetensors.__version__, 'numpy', numpy.__version__)
" 2>&1 | tail -3 | tee -a "$summary"

sections_arg=()
[ -n "${SV_FIXTURE_SECTIONS:-}" ] && sections_arg=(--only "$SV_FIXTURE_SECTIONS")

# pack DIR NAME: tar.gz parts of at most 15 MiB; top-level entries are measured one by one and packed greedily
# (manifest.json, generate.log and verify/ go into part 1)
pack() {
    local dir=$1 name=$2 limit=$((15 * 1024 * 1024)) sizes="$WORK/sizes_$2.txt"
    : > "$sizes"
    for e in $(cd "$dir" && ls -A); do
        printf '%s %s\n' "$(tar -C "$dir" -czf - "$e" | wc -c)" "$e" >> "$sizes"
    done
    python3 - "$sizes" "$limit" "$WORK/parts_$name.txt" <<'EOF'
import sys
sizes = [(int(s), e) for s, e in (l.split(" ", 1) for l in open(sys.argv[1]).read().splitlines() if l)]
first = [x for x in sizes if x[1].strip() in ("manifest.json", "generate.log", "verify")]
rest = sorted([x for x in sizes if x not in first], reverse=True)
parts, limit = [[0, [e for _, e in first]]], int(sys.argv[2])
parts[0][0] = sum(s for s, _ in first)
for s, e in rest:
    for p in parts:
        if p[0] + s <= limit:
            p[0] += s; p[1].append(e); break
    else:
        parts.append([s, [e]])
with open(sys.argv[3], "w") as f:
    for p in parts:
        f.write(" ".join(x.strip() for x in p[1]) + "\n")
EOF
    local i=0
    while read -r entries; do
        i=$((i + 1))
        # shellcheck disable=SC2086
        tar -C "$dir" -czf "$OUT/${name}_part$i.tar.gz" $entries
        note "   $OUT/${name}_part$i.tar.gz $(stat -c %s "$OUT/${name}_part$i.tar.gz") bytes: $entries"
    done < "$WORK/parts_$name.txt"
}

# smoke: every section of the shared variant into a scratch folder; reports which sections work (SV_NO_SMOKE=1: skip)
if [ -z "${SV_NO_SMOKE:-}" ]; then
    note "== smoke (dry run of every section, variant shared)"
    timeout "$TMO" python3 "$tools/make_fixtures.py" --smoke --seed 0 --variant shared --out "$WORK/smoke" \
        ${sections_arg[@]+"${sections_arg[@]}"} > "$WORK/smoke_stdout.log" 2>&1
    note "   exit $? : $(grep -E '^SECTIONS' "$WORK/smoke/smoke.log" 2>/dev/null | tail -1 | cut -c1-600)"
    grep -E 'FAILED|Error|WARNING' "$WORK/smoke/smoke.log" 2>/dev/null | head -20 | cut -c1-300 | tee -a "$summary"
    [ -f "$WORK/smoke/smoke.log" ] || tail -15 "$WORK/smoke_stdout.log" | tee -a "$summary"
fi

for set in $SETS; do
    case $set in
        smoke) continue ;;
        main) seed=0; variant=shared; vfile= ;;
        b1)   seed=5; variant=b1; vfile=$tools/variants_b1.json ;;
        b2)   seed=9; variant=b2; vfile=$tools/variants_b2.json ;;
        *)    note "== unknown set $set (main, b1, b2, smoke)"; continue ;;
    esac
    t0=$(date +%s)
    dir=$WORK/set_$set
    rm -rf "$dir"
    note "== set $set (seed $seed, variant $variant)"
    SV_FIXTURE_VARIANTS=$vfile timeout "$TMO" python3 "$tools/make_fixtures.py" --seed $seed --variant $variant \
        --out "$dir" ${sections_arg[@]+"${sections_arg[@]}"} > "$WORK/gen_$set.log" 2>&1
    rc=$?
    note "   make_fixtures exit $rc ($(( $(date +%s) - t0 )) s): $(grep -E '^SECTIONS' "$dir/generate.log" 2>/dev/null | tail -1 | cut -c1-600)"
    [ $rc -eq 124 ] && note "   TIMEOUT after $TMO s"
    grep -E 'WARNING|FAILED' "$dir/generate.log" 2>/dev/null | head -12 | cut -c1-300 | tee -a "$summary"
    [ -f "$dir/manifest.json" ] || { note "   no manifest: set $set not written"; tail -20 "$WORK/gen_$set.log" | tee -a "$summary"; continue; }
    if [ -z "${SV_SKIP_VERIFY:-}" ]; then
        mkdir -p "$dir/verify"
        t1=$(date +%s)
        SV_FIXTURE_VARIANTS=$vfile timeout "$TMO" python3 "$tools/verify_fixtures.py" "$dir" \
            --json "$dir/verify/verify_$set.json" > "$dir/verify/verify_$set.txt" 2>&1
        note "   verify exit $? ($(( $(date +%s) - t1 )) s): $(grep SUMMARY "$dir/verify/verify_$set.txt" | tail -1)"
        grep -E '^\[FAIL\]' "$dir/verify/verify_$set.txt" | head -15 | cut -c1-300 | tee -a "$summary"
    fi
    pack "$dir" "reference_$set"
done
note "== done in $(( $(date +%s) - t_start )) s; files in $OUT: $(ls "$OUT" | tr '\n' ' ')"
echo "===================== SUMMARY ====================="
cat "$summary"
exit 0
