#!/usr/bin/env bash
# A one-node Slurm on this machine for the farm tests: Debian's slurm-wlm + munge, a private munged, slurmctld and
# slurmd, all under one folder and bound to 127.0.0.1. Needs root (slurmd starts the jobs); made for CI containers
# (no systemd, no cgroups: proctrack/linuxproc and task/none).
#
#   .ci/slurm.sh up      install (when missing), configure and start; idempotent (a running cluster is kept)
#   .ci/slurm.sh down    stop the daemons (the folder stays for the logs)
#   .ci/slurm.sh status  sinfo against the local cluster; exit 1 when it is not up
#   .ci/slurm.sh env     print "export SLURM_CONF=..." for eval
#
# Clients find the cluster through SLURM_CONF=$SV_SLURM_DIR/slurm.conf (printed by `env`); /etc/slurm is not
# touched. Settings: SV_SLURM_DIR (default /tmp/sv-slurm), SV_SLURM_CTLD_PORT / SV_SLURM_NODE_PORT (6817 / 6818),
# SV_SLURM_CPUS (default: nproc).
#
# Accounting: without slurmdbd there is no job history for sacct (accounting_storage/none), so the farm code reads
# finished tasks from the state files its tasks write into the job folder; squeue covers pending/running tasks.
set -euo pipefail

DIR=${SV_SLURM_DIR:-/tmp/sv-slurm}
CTLD_PORT=${SV_SLURM_CTLD_PORT:-6817}
NODE_PORT=${SV_SLURM_NODE_PORT:-6818}
CPUS=${SV_SLURM_CPUS:-$(nproc)}
export SLURM_CONF=$DIR/slurm.conf

die() {
  echo "slurm.sh: $*" >&2
  exit 1
}

install_packages() {
  local missing=()
  for p in slurm-wlm slurm-client munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  echo "slurm.sh: installing ${missing[*]}"
  apt-get update -q
  # policy-rc.d keeps the packages' own services from starting: this script runs its own daemons.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

running() {  # running NAME: the daemon whose pid file is $DIR/NAME.pid is alive
  local pidfile=$DIR/$1.pid
  [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

write_config() {
  mkdir -p "$DIR"/{munge,ctld,spool,log}
  chmod 0700 "$DIR/munge"
  if [ ! -s "$DIR/munge/munge.key" ]; then
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
    chmod 0400 "$DIR/munge/munge.key"
  fi
  cat >"$SLURM_CONF" <<EOF
# Written by .ci/slurm.sh: one CPU-only node on 127.0.0.1, no cgroups, no accounting daemon.
ClusterName=sv-ci
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$NODE_PORT
# Bind to 127.0.0.1 (what "localhost" resolves to) instead of every address.
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# Short timers: cancelled tasks get SIGTERM, then SIGKILL after KillWait seconds; finished jobs stay visible to
# squeue/scontrol for MinJobAge seconds.
KillWait=5
MinJobAge=300
SchedulerParameters=sched_interval=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

start_daemons() {
  if ! running munged; then
    munged --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
      --pid-file="$DIR/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed"
  fi
  running slurmctld || slurmctld -f "$SLURM_CONF"
  running slurmd || slurmd -f "$SLURM_CONF" -N localhost
}

wait_idle() {  # the node must reach idle before jobs start
  local state=""
  for _ in $(seq 1 60); do
    state=$(sinfo --noheader --nodes=localhost --format=%T 2>/dev/null || true)
    case "$state" in
      idle* | mixed* | allocated*) return 0 ;;
      down* | drain*) scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 1
  done
  echo "slurm.sh: the node did not come up (state: ${state:-none}); logs:" >&2
  tail -n 30 "$DIR"/log/*.log >&2 || true
  exit 1
}

stop_daemons() {
  for name in slurmd slurmctld munged; do
    local pidfile=$DIR/$name.pid
    if running "$name"; then
      local pid
      pid=$(cat "$pidfile")
      kill "$pid"
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$pidfile"
  done
}

case "${1:-}" in
  up)
    [ "$(id -u)" -eq 0 ] || die "needs root (slurmd runs the jobs as their owner)"
    install_packages
    write_config
    start_daemons
    wait_idle
    echo "slurm.sh: up ($SLURM_CONF, ${CPUS} CPU(s)); clients need: export SLURM_CONF=$SLURM_CONF"
    ;;
  down)
    stop_daemons
    echo "slurm.sh: down (logs in $DIR/log)"
    ;;
  status)
    [ -f "$SLURM_CONF" ] || die "not configured ($SLURM_CONF missing)"
    sinfo
    ;;
  env)
    echo "export SLURM_CONF=$SLURM_CONF"
    ;;
  *)
    echo "usage: $0 up|down|status|env" >&2
    exit 2
    ;;
esac
