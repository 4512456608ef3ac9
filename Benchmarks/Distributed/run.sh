#!/usr/bin/env bash
# Data-parallel throughput: the Fashion-MNIST demo trained for one epoch on 1, 2 and 4 ranks
# under mpirun, in both reduction modes. Prints one Markdown row per run: samples per second
# of training (the global batch times steps, over the training time without loading and
# evaluation) and the time per step spent in the gradient exchange (the allreduce call,
# waiting for the slowest rank included).
#
#   Benchmarks/Distributed/run.sh            # RANKS="1 2 4" EPOCHS=1 LIMIT=0 BATCH=128
#   RANKS="2 4" HOSTFILE=hosts Benchmarks/Distributed/run.sh
#
# More ranks than cores need --oversubscribe (always passed); on a 2-core machine the 4-rank
# rows share the cores and measure the exchange's cost, not a speed-up.
set -euo pipefail
cd "$(dirname "$0")/../.."

ranks_list=${RANKS:-"1 2 4"}
epochs=${EPOCHS:-1}
limit=${LIMIT:-0}
batch=${BATCH:-128}
hosts=()
if [ -n "${HOSTFILE:-}" ]; then hosts=(--hostfile "$HOSTFILE"); fi

swift build -c release --product fashion-mnist >&2
binary="$(swift build -c release --show-bin-path)/fashion-mnist"
# mpirun refuses to run as root unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

echo "| ranks | reduction | samples/s | exchange ms/step | steps | test accuracy |"
echo "| --- | --- | --- | --- | --- | --- |"
for ranks in $ranks_list; do
  for reduction in deterministic fast; do
    mpirun --oversubscribe "${hosts[@]}" -np "$ranks" "$binary" --distributed \
      --reduction "$reduction" --epochs "$epochs" --limit "$limit" --batch "$batch" \
      --threads 1 --json --plot "$scratch/curve.svg" 2>/dev/null | tail -n 1 >"$scratch/result.json"
    python3 - "$ranks" "$reduction" "$batch" "$scratch/result.json" <<'PY'
import json, sys
ranks, reduction, batch, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
r = json.load(open(path))
rate = r["steps"] * batch / r["training_seconds"]
exchange = 1000 * r.get("exchange_seconds_per_step", 0.0)
print(f"| {ranks} | {reduction} | {rate:,.0f} | {exchange:.2f} | {r['steps']} | {r['test_accuracy']:.4f} |")
PY
  done
done

# The save check: with --limit 2048 --epochs 1 and the same seed, a 2-rank run saves the
# parameters of one process within 1e-4 (relative to each tensor's largest magnitude), and
# two deterministic 2-rank runs save the same bits.
"$binary" --limit 2048 --epochs 1 --threads 1 --save "$scratch/one" --plot "$scratch/c.svg" \
  >/dev/null 2>&1
for run in first second; do
  mpirun --oversubscribe "${hosts[@]}" -np 2 "$binary" --distributed --limit 2048 --epochs 1 \
    --threads 1 --save "$scratch/$run" --plot "$scratch/c.svg" >/dev/null 2>&1
done
python3 - "$scratch" <<'PY'
import ast, glob, os, struct, sys
def npy(path):
    data = open(path, "rb").read()
    size = struct.unpack("<H", data[8:10])[0]
    header = ast.literal_eval(data[10:10 + size].decode())
    assert header["descr"] == "<f4", header
    body = data[10 + size:]
    return data, struct.unpack("<%df" % (len(body) // 4), body)
root = sys.argv[1]
print("\n| parameter | max difference / max magnitude, 2 ranks vs 1 | 2-rank repeats bitwise equal |")
print("| --- | --- | --- |")
for path in sorted(glob.glob(root + "/one/*.npy")):
    name = os.path.basename(path)
    _, one = npy(path)
    first, two = npy(f"{root}/first/{name}")
    second, _ = npy(f"{root}/second/{name}")
    worst = max(abs(a - b) for a, b in zip(one, two)) / max(abs(a) for a in one)
    print(f"| {name[:-4]} | {worst:.2e} | {'yes' if first == second else 'NO'} |")
PY
