#!/usr/bin/env bash
# Writes scripted Slurm client commands into DIR, for CLI tests of `sanavideo submit` and `jobs` without a
# cluster (put DIR first on PATH). Nothing runs a task: the test runs `sanavideo sweep --job ... --task N` itself,
# as the batch script would. Usage: fake_slurm.sh DIR
#   sinfo    lists one partition, "debug"
#   sbatch   appends its arguments (one a line, then "--") to DIR/sbatch.args and prints the next job id (4242, ...)
#   squeue   knows no job (as after MinJobAge): the tasks' own records tell their state
#   sacct    fails as on a cluster without accounting
#   scancel  appends its arguments to DIR/scancel.args
set -eu
dir=$1
mkdir -p "$dir"
cat >"$dir/sinfo" <<'EOF'
#!/bin/sh
echo debug
EOF
cat >"$dir/sbatch" <<EOF
#!/bin/sh
for a in "\$@"; do echo "\$a"; done >>"$dir/sbatch.args"
echo -- >>"$dir/sbatch.args"
n=\$(grep -c '^--\$' "$dir/sbatch.args")
echo \$((4241 + n))
EOF
cat >"$dir/squeue" <<'EOF'
#!/bin/sh
exit 0
EOF
cat >"$dir/sacct" <<'EOF'
#!/bin/sh
echo "sacct: error: Slurm accounting storage is disabled" >&2
exit 1
EOF
cat >"$dir/scancel" <<EOF
#!/bin/sh
echo "\$@" >>"$dir/scancel.args"
EOF
chmod +x "$dir/sinfo" "$dir/sbatch" "$dir/squeue" "$dir/sacct" "$dir/scancel"
