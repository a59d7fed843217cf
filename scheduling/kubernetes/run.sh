#!/usr/bin/env bash
# Runs the four Jobs in order: Kubernetes Jobs have no dependencies of their own, so each step is applied when the
# one before is Complete, and the script stops at the first that fails. Needs the PersistentVolumeClaims ard-data
# (clips/ and labels.csv) and ard-work (ReadWriteMany, shared by the pods) and the ardml image (Dockerfile).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
for step in extract train encode rank; do
  kubectl apply -f "$here/$step-job.yaml"
  while :; do
    state=$(kubectl get "job/ard-$step" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')
    case " $state " in
      *" Complete "*) echo "run.sh: ard-$step complete"; break ;;
      *" Failed "*) echo "run.sh: ard-$step failed (kubectl logs job/ard-$step)"; exit 1 ;;
    esac
    sleep "${POLL_SECONDS:-10}"
  done
done
