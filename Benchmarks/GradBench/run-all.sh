#!/usr/bin/env bash
# Runs every GradBench eval graphc implements, at the eval's default sizes, through
# ../shared/gradbench/run.py against graphc (TinyCC and cc) and the hand-written C++ `manual`
# tool (for evals it lacks, particle and saddle, the C++ `finite` tool: the same C++ with
# finite differences), then writes the comparison table (table.py) to $OUT/results.md.
# Needs the setup of setup.sh. Usage: Benchmarks/GradBench/run-all.sh [EVAL ...]
#   OUT (default /tmp/gradbench-results), GRADBENCH_ROOT, GRADBENCH_PYTHON as in setup.sh;
#   TOOLS (default "tcc cc manual"); extra eval arguments in EVAL_ARGS (e.g. "--min-seconds 0.2").
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RUN=${GRADBENCH_RUN:-$(cd "$REPO/../shared/gradbench" 2>/dev/null && pwd)/run.py}
ROOT=${GRADBENCH_ROOT:-/tmp/gradbench-src}
PY=${GRADBENCH_PYTHON:-/tmp/gradbench-venv/bin/python}
OUT=${OUT:-/tmp/gradbench-results}
TOOLS=${TOOLS:-tcc cc manual}
EVALS=("$@")
[[ ${#EVALS[@]} -gt 0 ]] || EVALS=(hello lse llsq gmm ode lstm kmeans det ba particle saddle ht)

mkdir -p "$OUT"
(cd "$REPO" && swift build -c release --product graphc) || exit 1
GRAPHC="$REPO/.build/release/graphc"

for eval in "${EVALS[@]}"; do
  for tool in $TOOLS; do
    [[ $tool == manual && ! -x $ROOT/tools/manual/bin/$eval ]] && tool=finite
    case $tool in
      manual | finite) command="$PY python/gradbench/gradbench/cpp.py $tool" ;;
      *) command="$GRAPHC gradbench --backend $tool" ;;
    esac
    echo "== $eval with $tool"
    # shellcheck disable=SC2086
    "$PY" "$RUN" --root "$ROOT" --python "$PY" --eval "$eval" --tool "$command" --quiet \
      --timeout 900 --summary-json "$OUT/$eval-$tool.json" -- ${EVAL_ARGS:-} \
      | tail -n 3
  done
done
python3 "$HERE/table.py" "$OUT" >"$OUT/results.md"
echo "== table: $OUT/results.md"
cat "$OUT/results.md"
