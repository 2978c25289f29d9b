#!/usr/bin/env bash
# CI: the wheel works outside the checkout.
#
# Builds a wheel from the checkout's sources (copied to a temporary folder, so the build leaves
# nothing behind), installs it with the `cpu` extra into a fresh venv in a temporary directory,
# and from a third, empty temporary directory builds mitdb/beats from ../shared/data/mitdb, runs
# the prior and rr-lda baselines on beats-interpatient, trains a scikit-learn model through the
# Python API and submits its prediction file, checks the run records and renders the boards. Every location is a temporary folder given through the environment (HOME included), so
# nothing is read from or written to the checkout, ~/ecgbench_data or the current directory; the
# script fails if the checkout's `git status` or the empty working folder changed.
#
# Usage: .ci/wheel_check.sh   (from anywhere; PYTHON=python3.11 by default; KEEP=1 keeps the temp folder)
set -euo pipefail
started=$(date +%s)
REPO=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3.11}
# The shared PhysioNet data beside the checkout, resolved to an absolute path before leaving it.
SHARED_MITDB=$(cd "$REPO/../shared/data/mitdb" 2>/dev/null && pwd) || {
    echo "wheel_check: $REPO/../shared/data/mitdb not found (the MIT-BIH WFDB files)" >&2
    exit 2
}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ecgbench-wheel-check.XXXXXX")
cleanup() { if [[ "${KEEP:-0}" == 1 ]]; then echo "wheel_check: kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
status_before=$(git -C "$REPO" status --porcelain --untracked-files=all)
step() { echo "== wheel_check: $* ($(($(date +%s) - started)) s)" >&2; }

step "build the wheel from a copy of the sources"
mkdir -p "$WORK/src" "$WORK/dist"
tar -C "$REPO" --exclude=__pycache__ --exclude='*.pyc' -cf - pyproject.toml README.md ecgbench | tar -C "$WORK/src" -xf -
"$PYTHON" -m venv "$WORK/venv"
VENV_PY="$WORK/venv/bin/python"
# pip's output goes to a log, shown only when a step fails.
quietly() { "$@" > "$WORK/pip.log" 2>&1 || { cat "$WORK/pip.log" >&2; echo "wheel_check: failed: $*" >&2; exit 1; }; }
quietly "$VENV_PY" -m pip install --upgrade pip
quietly "$VENV_PY" -m pip wheel --no-deps --wheel-dir "$WORK/dist" "$WORK/src"
WHEEL=$(ls "$WORK"/dist/ecgbench-*.whl)

step "install $(basename "$WHEEL") with the cpu extra into a fresh venv"
quietly "$VENV_PY" -m pip install -c "$REPO/constraints.txt" "${WHEEL}[cpu]"
ECGBENCH="$WORK/venv/bin/ecgbench"

# Everything below runs from an empty folder outside the checkout, with every default location
# pointed into the temporary folder.
mkdir -p "$WORK/cwd" "$WORK/home"
cd "$WORK/cwd"
export HOME="$WORK/home"
export ECGBENCH_DATA_DIR="$WORK/data" ECGBENCH_TFDS_DIR="$WORK/tfds" ECGBENCH_RESULTS_DIR="$WORK/leaderboards/results"
# TensorFlow's log level is left to ecgbench, as a user's shell leaves it (ecgbench hides its C++ notes)

installed=$("$VENV_PY" -c "import ecgbench; print(ecgbench.__file__)")
case "$installed" in
    "$WORK/venv/"*) ;;
    *) echo "wheel_check: ecgbench imported from $installed, not from the fresh venv" >&2; exit 1 ;;
esac

step "build mitdb/beats from $SHARED_MITDB"
"$ECGBENCH" build-dataset --config beats --manual-dir "$SHARED_MITDB"

step "run prior and rr-lda on beats-interpatient"
"$ECGBENCH" run baseline prior --track interpatient
"$ECGBENCH" run baseline rr-lda --track interpatient

step "train a scikit-learn model through the Python API and submit its prediction file"
"$VENV_PY" - "$WORK/logreg.npz" <<'PY'
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

import ecgbench

task = "beats-interpatient"
train, test = (ecgbench.load(task, split, as_numpy=True) for split in ("train", "test"))

def rr_features(beats):
    rr = np.stack([beats[k] for k in ("rr_pre", "rr_post", "rr_local", "rr_average")], axis=1)
    return np.hstack([rr, rr[:, :2] / rr[:, 2:3]])

model = LogisticRegression(class_weight="balanced", max_iter=1000).fit(rr_features(train), train["label"])
probabilities = np.zeros((len(test["label"]), 5))
probabilities[:, model.classes_] = model.predict_proba(rr_features(test))
np.savez(sys.argv[1], record=np.asarray(test["record"]).astype(str), sample=test["sample"], probabilities=probabilities)
PY
"$ECGBENCH" submit "$WORK/logreg.npz" --task beats-interpatient --name wheel-check-logreg

step "check the run records and render the boards"
"$ECGBENCH" leaderboard check
"$ECGBENCH" leaderboard render
for board in beats-interpatient.md beats-interpatient.csv index.html; do
    [[ -s "$WORK/leaderboards/$board" ]] || { echo "wheel_check: $WORK/leaderboards/$board was not rendered" >&2; exit 1; }
done
n_records=$(find "$ECGBENCH_RESULTS_DIR/beats-interpatient" -name '*.json' | wc -l)
[[ "$n_records" -eq 3 ]] || { echo "wheel_check: expected 3 run records (prior, rr-lda, the prediction file), found $n_records" >&2; exit 1; }

step "the working folder and the checkout are untouched"
if [[ -n "$(ls -A "$WORK/cwd")" ]]; then
    echo "wheel_check: commands wrote into the current directory: $(ls -A "$WORK/cwd")" >&2
    exit 1
fi
if [[ "$(git -C "$REPO" status --porcelain --untracked-files=all)" != "$status_before" ]]; then
    echo "wheel_check: the checkout changed:" >&2
    git -C "$REPO" status --short >&2
    exit 1
fi
echo "wheel_check: passed; wall time $(($(date +%s) - started)) s" >&2
