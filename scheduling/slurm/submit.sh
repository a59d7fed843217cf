#!/usr/bin/env bash
# Submits extract -> train -> encode -> rank as Slurm jobs: two job arrays of PARTS tasks and two single jobs, each
# starting when the one before finished without error (--dependency=afterok). Prints the four job ids.
#
#   MODEL=models/demo/demo-sound-events.json AUDIO=/data/clips WORK=/scratch/ard PARTS=8 \
#   LABELS=/data/labels.csv LATENTS=512 K=8 STEPS=600 BATCH=1024 scheduling/slurm/submit.sh [sbatch options...]
#
# Variables: MODEL, AUDIO, WORK (shared by all nodes), PARTS (>= 2) required; TAP (default: the description's),
# LABELS or CAPTIONS (naming), LATENTS, K, STEPS, BATCH, SEED (the SAE; defaults 4·d is not known here, so LATENTS
# is required), ARD (the ard command, default "ard"). Extra arguments go to every sbatch (e.g. --partition=cpu).
# When a task fails, the later steps are cancelled (--kill-on-invalid-dep); rerun the failed array task alone
# (sbatch --array=<i> --export=ALL,<the variables above> extract.sbatch or encode.sbatch), then submit the later steps.
set -euo pipefail
RECIPE=$(cd "$(dirname "$0")" && pwd)
: "${MODEL:?MODEL (model description JSON) is required}" "${AUDIO:?AUDIO (clip folder) is required}" "${WORK:?WORK (shared folder) is required}"
: "${PARTS:?PARTS (number of parts, at least 2) is required}" "${LATENTS:?LATENTS (SAE latents m) is required}"
[ "$PARTS" -ge 2 ] || { echo "submit.sh: PARTS must be at least 2 (ard extract --shard i/n with n >= 2 writes part folders)" >&2; exit 2; }
export RECIPE MODEL AUDIO WORK PARTS LATENTS
export K="${K:-8}" STEPS="${STEPS:-600}" BATCH="${BATCH:-1024}" SEED="${SEED:-0}" TAP="${TAP:-}" LABELS="${LABELS:-}" CAPTIONS="${CAPTIONS:-}" ARD="${ARD:-ard}"
mkdir -p "$WORK/logs"
last=$((PARTS - 1))
common=(--parsable --export=ALL --chdir="$WORK" --kill-on-invalid-dep=yes "$@")
extract=$(sbatch "${common[@]}" --array="0-$last" --output="$WORK/logs/extract-%a.out" "$RECIPE/extract.sbatch")
train=$(sbatch "${common[@]}" --dependency="afterok:${extract%%;*}" --output="$WORK/logs/train.out" "$RECIPE/train.sbatch")
encode=$(sbatch "${common[@]}" --array="0-$last" --dependency="afterok:${train%%;*}" --output="$WORK/logs/encode-%a.out" "$RECIPE/encode.sbatch")
rank=$(sbatch "${common[@]}" --dependency="afterok:${encode%%;*}" --output="$WORK/logs/rank.out" "$RECIPE/rank.sbatch")
echo "${extract%%;*} ${train%%;*} ${encode%%;*} ${rank%%;*}"
