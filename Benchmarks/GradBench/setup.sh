#!/usr/bin/env bash
# Sets up GradBench outside the repo, as ../shared/gradbench/README.md describes:
#   1. the upstream tree, exported to $GRADBENCH_ROOT (default /tmp/gradbench-src);
#   2. a Python venv with numpy, scipy, pydantic 2, dataclasses-json and the tree's own
#      `gradbench` package, at $GRADBENCH_PYTHON's venv (default /tmp/gradbench-venv);
#   3. the hand-written C++ `manual` tool, built in tools/manual/bin (every eval but hello
#      checks outputs against it), and the `finite` tool's particle and saddle, which
#      run-all.sh compares with where manual has no program.
# Usage: Benchmarks/GradBench/setup.sh [GIT_SOURCE]
#   GIT_SOURCE is a bare or normal git directory holding the upstream history (default: the
#   local mirror if present, else a fresh clone of https://github.com/gradbench/gradbench).
# Needs: git, python3 (>= 3.11) with venv and pip, g++ and make, and nlohmann/json.hpp
# (Debian: apt-get install nlohmann-json3-dev; otherwise it is downloaded by cpp/Makefile).
set -euo pipefail

ROOT=${GRADBENCH_ROOT:-/tmp/gradbench-src}
VENV=${GRADBENCH_VENV:-/tmp/gradbench-venv}
SHARED=$(cd "$(dirname "$0")/../../.." && pwd)/shared/gradbench
# The upstream git directory: the first argument, or $GRADBENCH_MIRROR (a local mirror),
# else a bare clone from GitHub.
SOURCE=${1:-${GRADBENCH_MIRROR:-}}
if [[ -z "$SOURCE" ]]; then
  SOURCE=/tmp/gradbench-clone
  [[ -d $SOURCE ]] || git clone --bare https://github.com/gradbench/gradbench "$SOURCE"
fi

echo "== exporting $(git -C "$SOURCE" rev-parse HEAD) from $SOURCE to $ROOT"
rm -rf "$ROOT"
mkdir -p "$ROOT"
# File by file, because a stored snapshot may lack a few large data blobs (git archive
# would stop at the first one); those are listed and skipped.
git -C "$SOURCE" ls-tree -r HEAD | while read -r mode type sha path; do
  [[ $type == blob ]] || continue
  mkdir -p "$ROOT/$(dirname "$path")"
  if git -C "$SOURCE" cat-file -e "$sha" 2>/dev/null; then
    git -C "$SOURCE" cat-file blob "$sha" >"$ROOT/$path"
    if [[ $mode == 100755 ]]; then chmod +x "$ROOT/$path"; fi
  else
    echo "   missing blob, skipped: $path"
  fi
done
# The lstm eval reads the first characters of this text; the shared folder has its head.
if [[ ! -s $ROOT/evals/lstm/data/lstm_full.txt && -f $SHARED/data/lstm_full_head.txt ]]; then
  cp "$SHARED/data/lstm_full_head.txt" "$ROOT/evals/lstm/data/lstm_full.txt"
fi

echo "== Python venv at $VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q "numpy~=1.0" "scipy~=1.0" "pydantic~=2.0" "dataclasses-json~=0.6"
"$VENV/bin/pip" install -q -e "$ROOT/python/gradbench"
"$VENV/bin/python" -c "import numpy, scipy, pydantic, dataclasses_json, gradbench"

echo "== manual C++ tool"
if [[ -f /usr/include/nlohmann/json.hpp ]]; then
  cp /usr/include/nlohmann/json.hpp "$ROOT/cpp/json.hpp"
else
  make -C "$ROOT/cpp"  # downloads json.hpp
fi
make -C "$ROOT/tools/manual" -Bj"$(nproc)"
ls "$ROOT/tools/manual/bin"
echo "== finite C++ tool for particle and saddle (manual has neither)"
make -C "$ROOT/tools/finite" -B bin/particle bin/saddle
echo "== done: run evals with $VENV/bin/python $SHARED/run.py --root $ROOT --python $VENV/bin/python"
