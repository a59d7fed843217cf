#!/usr/bin/env bash
# Opt-in end-to-end test of the Slurm recipe on a one-node cluster of this machine: starts munged, slurmctld and
# slurmd (private ports, sockets and state under a temporary folder; Debian's slurm-wlm and munge packages), submits
# submit.sh for a small generated demo corpus (the committed demo model, 40 clips, 4 parts), waits for the four
# steps, and checks that the run folder equals the one of a single 'ard discover --activations' process on the same
# shards (concepts.json and concept-scores.csv byte for byte, and ard eval's results on both,
# which read clip-statistics.idv). Needs root (slurmd) and a built
# ard (ARD, default: dotnet src/ArdMl.Cli/bin/Release/net10.0/ard.dll, else the Debug build).
# Exit 0: equal; 1: a step failed or the runs differ; 2: Slurm or munge is not installed (skipped).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
for tool in munged slurmctld slurmd sbatch squeue scontrol; do
  command -v "$tool" >/dev/null || { echo "test-local: $tool not found; install slurm-wlm (apt-get install -y slurm-wlm) to run this test"; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "test-local: slurmd needs root"; exit 2; }
if [ -z "${ARD:-}" ]; then
  for build in Release Debug; do
    dll="$repo/src/ArdMl.Cli/bin/$build/net10.0/ard.dll"
    [ -f "$dll" ] && { ARD="dotnet $dll"; break; }
  done
fi
[ -n "${ARD:-}" ] || { echo "test-local: no built ard.dll; run 'dotnet build src/ArdMl.Cli' first"; exit 1; }
read -r -a ard <<< "$ARD"
# The jobs run in their work folder: relative paths in ARD are made absolute here.
for i in "${!ard[@]}"; do [ -e "${ard[$i]}" ] && ard[$i]=$(readlink -f "${ard[$i]}"); done
ARD="${ard[*]}"
start=$(date +%s)

root=$(mktemp -d /tmp/ard-slurm-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  [ -n "${KEEP:-}" ] && echo "test-local: kept $root" || rm -rf "$root"
}
trap cleanup EXIT

# munge: a private key and socket.
mkdir -p "$root/munge" "$root/state" "$root/spool" "$root/log"
chmod 700 "$root/munge"
dd if=/dev/urandom of="$root/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$root/munge/munge.key"
munged --force --key-file="$root/munge/munge.key" --socket="$root/munge/socket" --pid-file="$root/munge/munged.pid" \
  --log-file="$root/log/munged.log" --seed-file="$root/munge/seed"
for _ in $(seq 50); do [ -s "$root/munge/munged.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$root/munge/munged.pid")")

# slurm.conf for this host: one node with its CPUs and memory, one partition, ports chosen from the folder name.
host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10 ))
port=$(( 20000 + (RANDOM % 20000) ))
export SLURM_CONF="$root/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=ardlocal
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$root/munge/socket
CredType=cred/munge
StateSaveLocation=$root/state
SlurmdSpoolDir=$root/spool
SlurmctldPidFile=$root/slurmctld.pid
SlurmdPidFile=$root/slurmd.pid
SlurmctldLogFile=$root/log/slurmctld.log
SlurmdLogFile=$root/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MinJobAge=3600
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do [ -s "$root/slurmctld.pid" ] && [ -s "$root/slurmd.pid" ] && break; sleep 0.1; done
pids+=("$(cat "$root/slurmd.pid")" "$(cat "$root/slurmctld.pid")")
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break; sleep 0.2; done
sinfo -h -o "test-local: node %N %T, %c CPUs" || { echo "test-local: the cluster did not start (see $root/log)"; KEEP=1; exit 1; }

# A small corpus and the recipe.
"${ard[@]}" demo corpus --out "$root/corpus" --clips "${CLIPS:-40}" > "$root/log/corpus.out"
export MODEL="$repo/models/demo/demo-sound-events.json" AUDIO="$root/corpus/clips" WORK="$root/work" PARTS=4
export LABELS="$root/corpus/labels.csv" LATENTS=256 K=8 STEPS=60 BATCH=512 SEED=0 ARD
ids=$("$repo/scheduling/slurm/submit.sh")
echo "test-local: submitted jobs $ids"
for _ in $(seq 1800); do
  [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
  sleep 1
done
failed=0
for id in $ids; do
  states=$(scontrol -o show job "$id" | sed -n 's/.*JobState=\([A-Z_]*\) .*/\1/p')
  echo "test-local: job $id:" $states
  [ -n "$states" ] && [ -z "$(grep -v '^COMPLETED$' <<< "$states")" ] || failed=1
done
if [ "$failed" -ne 0 ] || [ ! -f "$WORK/run/run.json" ]; then
  echo "test-local: a step failed; logs:"; tail -n 20 "$WORK"/logs/*.out; KEEP=1; exit 1
fi

# The reference: one process on the same shards with the same SAE settings and the parts' reading of μ (encode's
# default, all frames; discover would otherwise choose it on its clips).
"${ard[@]}" discover --activations "$WORK/shards" --labels "$LABELS" --latents "$LATENTS" --k "$K" --steps "$STEPS" \
  --batch "$BATCH" --seed "$SEED" --mean-mode allframes --out "$root/single" > "$root/log/single.out"
for file in concepts.json concept-scores.csv; do
  cmp "$WORK/run/$file" "$root/single/$file" || { echo "test-local: $file differs from the one-process run"; KEEP=1; exit 1; }
done
# clip-statistics.idv holds the same values, but ML.NET's binary saver may order its column blocks differently from
# one write to the next: the benchmark that reads it (ard eval) must give the same results on both.
for run in "$WORK/run" "$root/single"; do
  "${ard[@]}" eval --run "$run" --labels "$LABELS" > "$run.eval.out"
done
cmp "$WORK/run/eval.json" "$root/single/eval.json" || { echo "test-local: ard eval differs between the two runs"; KEEP=1; exit 1; }
concepts=$(grep -c '"latent"' "$WORK/run/concepts.json" || true)
echo "test-local: the Slurm run equals the one-process run ($concepts concepts; $(($(date +%s) - start)) s)"
