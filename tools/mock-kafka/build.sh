#!/usr/bin/env bash
# Builds the Kafka-protocol test broker (librdkafka mock cluster launcher). Skips the build when the
# binary is newer than its source. Usage: tools/mock-kafka/build.sh [--force]
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$dir/mock-kafka.c"
bin="$dir/mock-kafka"

if [[ "${1:-}" != "--force" && -x "$bin" && "$bin" -nt "$src" && "$bin" -nt "$dir/build.sh" ]]; then
  exit 0
fi
header=/usr/include/librdkafka/rdkafka_mock.h
if [[ ! -f "$header" ]]; then
  echo "mock-kafka: $header not found; install librdkafka's headers: sudo apt-get update && sudo apt-get install -y librdkafka-dev" >&2
  exit 1
fi
if ! command -v gcc >/dev/null 2>&1; then
  echo "mock-kafka: gcc not found; install it: sudo apt-get install -y gcc" >&2
  exit 1
fi
# Build to a temp name and rename, so concurrent builds (parallel jest workers) never run a half-written binary.
tmp="$bin.tmp.$$"
trap 'rm -f "$tmp"' EXIT
gcc -O2 -Wall -Wextra -std=gnu11 -o "$tmp" "$src" -lrdkafka
mv -f "$tmp" "$bin"
