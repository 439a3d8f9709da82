#!/usr/bin/env bash
# Runs every test: setup, format, lints (native and wasm32), native tests, browser (wasm) tests,
# the release build with Trunk and its size, and the end-to-end tests in headless Chromium.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n== %s ==\n' "$*"; }

step "setup"
bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy (native: core, tests, examples)"
cargo clippy --all-targets -- -D warnings
step "cargo clippy (wasm32: core, UI and browser tests)"
cargo clippy --target wasm32-unknown-unknown --lib --bins --tests -- -D warnings

step "cargo test (native)"
cargo test

step "wasm tests in headless Chromium (wasm-bindgen-test)"
CHROMEDRIVER=/usr/bin/chromedriver \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown --test web

step "benchmarks in wasm (headless Chromium, release build)"
CHROMEDRIVER=/usr/bin/chromedriver \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --release --target wasm32-unknown-unknown --test web_bench -- --nocapture \
  | tee target/bench-wasm.txt | grep -E '^wasm |test result'

step "release build with Trunk"
rm -rf dist
trunk build --release
for wasm in dist/*.wasm; do
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  printf "wasm size %s: %s bytes raw, %s bytes gzipped (%s KiB; target <= 1 MB gzipped)\n" "$(basename "$wasm")" "$raw" "$gz" "$((gz / 1024))"
done

step "benchmarks (native, one core)"
cargo run --release --quiet --example bench_roofline
cargo run --release --quiet --example bench_search | tee target/bench-native.txt
cargo run --release --quiet --example bench_fit

step "end-to-end tests (dist/ in headless Chromium)"
node e2e/run.mjs | tee target/e2e.txt
# The same workloads in both, best of several runs: the paper grid (9,520 candidates, best of
# 20) and the widened grid (1,004,032 candidates, best of 2-3), in FP16 and INT8.
rate() { sed -n "s/^$1 $2: .* = \\([0-9.]*\\) M candidates\\/s.*/\\1/p" "$3" | head -1; }
for grid in "paper grid" "wide grid"; do
  wasm_rate=$(rate wasm "$grid" target/bench-wasm.txt)
  native_rate=$(rate native "$grid" target/bench-native.txt)
  if [ -z "$wasm_rate" ] || [ -z "$native_rate" ]; then
    echo "search speed: a benchmark printed no rate for the $grid (wasm '$wasm_rate', native '$native_rate')" >&2
    exit 1
  fi
  echo "search speed, $grid: wasm $wasm_rate M/s vs native $native_rate M/s (wasm/native = $(python3 -c "print(round($wasm_rate/$native_rate, 2))"); target >= 0.5)"
done
