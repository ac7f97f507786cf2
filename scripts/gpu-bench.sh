#!/usr/bin/env bash
# One command for a machine with an NVIDIA GPU (or any machine that can reach the libtensorflow download):
#
#   bash scripts/gpu-bench.sh [out-dir]
#
# 1. installs the repository's packages (npm ci) — the native tfjs packages come in as optionalDependencies
#    whose install scripts this repository does not approve (package.json "allowScripts"), so nothing is
#    downloaded yet;
# 2. runs those install scripts explicitly: @tensorflow/tfjs-node-gpu (libtensorflow with CUDA, which needs
#    the CUDA 11.2 / cuDNN 8.1 runtime that libtensorflow 2.9 was built against) and @tensorflow/tfjs-node
#    (CPU libtensorflow); each downloads libtensorflow from the TensorFlow storage bucket and the prebuilt addon.
#    A failure is reported and the next backend on the ladder is used;
# 3. runs `bench inference` (GBDT + the tfjs MLP on every backend that loads) and `bench duration` (the tfjs
#    MLP trained on the best backend: tensorflow-gpu when it loaded), writing JSON and logs to out-dir.
#
# Needs only npm, Node ≥ 20 and this repository (plus ../shared/datasets/alibaba-2017/batch_task.csv, or
# TRACE=/path/to/batch_task.csv). Nothing outside out-dir and node_modules is changed.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-gpu-bench-out}"
TRACE="${TRACE:-../shared/datasets/alibaba-2017/batch_task.csv}"
SEEDS="${SEEDS:-3}"
mkdir -p "$OUT"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "node: $(node --version), npm: $(npm --version)"
  echo "cpus: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
} | tee "$OUT/machine.txt"

echo "== npm ci"
npm ci --no-audit --no-fund 2>&1 | tail -3

native_install() { # $1 = package, $2.. = install.js arguments (the package's own "install" script)
  local dir="node_modules/$1"
  [ -d "$dir" ] || { echo "$1: not installed (optional dependency skipped by npm)"; return 1; }
  echo "== $1: running its install script (downloads libtensorflow)"
  (cd "$dir" && timeout 900 node scripts/install.js "${@:2}") >"$OUT/install-${1//\//_}.log" 2>&1
  local rc=$?
  tail -3 "$OUT/install-${1//\//_}.log"
  return $rc
}
native_install @tensorflow/tfjs-node-gpu gpu download || echo "tfjs-node-gpu unavailable: the ladder falls back"
native_install @tensorflow/tfjs-node || echo "tfjs-node unavailable: the ladder falls back"

BENCH=(node --require ./scripts/swc-register.js bench/src/main.ts bench)
echo "== bench inference"
"${BENCH[@]}" inference --trace "$TRACE" --json "$OUT/inference.json" 2> >(tee "$OUT/inference.err" >&2) | tee "$OUT/inference.txt"
echo "== bench duration (tfjs MLP trained on the best backend)"
"${BENCH[@]}" duration --trace "$TRACE" --seeds "$SEEDS" --json "$OUT/duration.json" 2> >(tee "$OUT/duration.err" >&2) | tee "$OUT/duration.txt"
echo "results in $OUT/"
