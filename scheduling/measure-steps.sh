#!/usr/bin/env bash
# Per-clip figures of the four steps for the sizing table of BENCHMARKS.md: runs extract (float16 and float32),
# train, encode (every part) and rank on one model and folder of clips, each step timed by /usr/bin/time, and prints
# clips, frames per clip, audio seconds per clip, shard bytes per clip, encoded bytes per clip and wall / CPU seconds
# per clip of each step. WAV clips only (their duration is read with Python's wave module).
#
#   scheduling/measure-steps.sh -d models/demo/demo-sound-events.json --audio <clips> [--labels csv] [--max N]
#
# ARD: the ard command (default: dotnet src/ArdMl.Cli/bin/Release/net10.0/ard.dll). LATENTS (default 4·d), K (8),
# STEPS (200), BATCH (1024), PARTS (2).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
read -r -a ard <<< "${ARD:-dotnet $repo/src/ArdMl.Cli/bin/Release/net10.0/ard.dll}"
model="" audio="" labels="" max=40
while [ $# -gt 0 ]; do
  case "$1" in
    -d) model=$2; shift 2 ;;
    --audio) audio=$2; shift 2 ;;
    --labels) labels=$2; shift 2 ;;
    --max) max=$2; shift 2 ;;
    *) echo "measure-steps: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$model" ] && [ -n "$audio" ] || { echo "usage: $0 -d <model.json> --audio <clips> [--labels csv] [--max N]" >&2; exit 2; }
parts=${PARTS:-2}
work=$(mktemp -d /tmp/ard-measure-XXXXXX)
trap 'rm -rf "$work"' EXIT

# The first N clips (path order), as links, so every step sees the same clips.
mkdir -p "$work/clips"
find "$audio" -type f -name '*.wav' | sort > "$work/all-clips"
head -n "$max" "$work/all-clips" | while read -r f; do ln -s "$(readlink -f "$f")" "$work/clips/$(basename "$f")"; done
clips=$(find "$work/clips" -type l | wc -l)

timed() { # name, command...: appends "name wall cpu" to $work/times
  local name=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$work/time.$name" "$@" > "$work/log.$name" 2>&1 || { echo "measure-steps: $name failed:"; tail -20 "$work/log.$name"; exit 1; }
  read -r wall user sys < "$work/time.$name"
  echo "$name $wall $(echo "$user + $sys" | bc)" >> "$work/times"
}

for dtype in float32 float16; do
  for ((i = 0; i < parts; i++)); do
    timed "extract-$dtype-$i" "${ard[@]}" extract -d "$model" --audio "$work/clips" --out "$work/shards-$dtype" --shard "$i/$parts" --dtype "$dtype"
  done
done
width=$(sed -n 's/.*"d": *\([0-9]*\).*/\1/p' "$work/shards-float32/part-0-of-$parts/manifest.json" | head -1)
frames=$(cat "$work"/shards-float32/part-*/manifest.json | sed -n 's/.*"tokens": *\([0-9]*\).*/\1/p' | paste -sd+ | bc)
latents=${LATENTS:-$((4 * width))}
timed train "${ard[@]}" train --activations "$work/shards-float32" --latents "$latents" --k "${K:-8}" --steps "${STEPS:-200}" --batch "${BATCH:-1024}" --out "$work/sae"
for ((i = 0; i < parts; i++)); do
  timed "encode-$i" "${ard[@]}" encode --activations "$work/shards-float32/part-$i-of-$parts" --sae "$work/sae" --out "$work/encoded/part-$i-of-$parts"
done
naming=()
[ -n "$labels" ] && naming=(--labels "$labels")
timed rank "${ard[@]}" rank --parts "$work/encoded" --sae "$work/sae" "${naming[@]}" --out "$work/run"

seconds=$(python3 -c 'import sys, wave
print(round(sum(w.getnframes() / w.getframerate() for w in map(wave.open, sys.argv[1:])), 3))' "$work"/clips/*.wav)
bytes() { du -cb "$@" | tail -1 | cut -f1; }
sum() { grep -E "^$1" "$work/times" | awk -v c="$2" '{ s += $c } END { printf "%.3f", s }'; }
per() { echo "scale=4; $1 / $clips" | bc; }
echo "model $(basename "$model") d=$width m=$latents: $clips clips, $seconds s of audio, $frames frames"
echo "per clip: $(per "$frames") frames, $(per "$seconds") s of audio"
echo "shard bytes per clip: float32 $(per "$(bytes "$work"/shards-float32/part-*/*.bin)"), float16 $(per "$(bytes "$work"/shards-float16/part-*/*.bin)")"
echo "encoded bytes per clip (part-statistics.idv): $(per "$(bytes "$work"/encoded/part-*/part-statistics.idv)")"
for step in extract-float32 extract-float16 train encode rank; do
  echo "$step: wall $(sum "$step" 2) s, CPU $(sum "$step" 3) s; per clip wall $(per "$(sum "$step" 2)") s, CPU $(per "$(sum "$step" 3)") s"
done
