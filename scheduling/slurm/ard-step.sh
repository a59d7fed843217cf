#!/usr/bin/env bash
# One step of the recipe, shared by the .sbatch files: runs "ard <arguments>" with the ard command of $ARD
# (default: "ard" on PATH; e.g. "dotnet /opt/ardml/ard.dll"), printing the command first.
set -euo pipefail
read -r -a ard <<< "${ARD:-ard}"
echo "+ ${ard[*]} $*"
exec "${ard[@]}" "$@"
