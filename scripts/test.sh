#!/usr/bin/env bash
# Runs every test: setup, format, lints (native and wasm32), native tests, browser (wasm) tests,
# the release build with Trunk and its size, native benchmarks, the end-to-end tests in headless
# Chromium and the browser benchmarks (figures printed beside their targets; no test passes or
# fails on elapsed time). Prints each step's wall time at the end, also after a failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

# Each step's wall time is printed when it ends, and all of them at exit (also after a failure).
STEP_LOG=(); STEP_NAME=""; STEP_START=0; RUN_START=$SECONDS
end_step() {
  [ -n "$STEP_NAME" ] || return 0
  local took=$((SECONDS - STEP_START))
  STEP_LOG+=("$(printf '%4d s  %s' "$took" "$STEP_NAME")")
  printf -- '-- %s: %d s\n' "$STEP_NAME" "$took"
  STEP_NAME=""
}
step() { end_step; STEP_NAME="$*"; STEP_START=$SECONDS; printf '\n== %s ==\n' "$*"; }
summary() {
  local rc=$?
  # A setup still running in the background (the run stopped early) stops with the run.
  [ -n "${SETUP_PID:-}" ] && kill "$SETUP_PID" 2>/dev/null
  end_step
  printf '\n== step times ==\n'
  printf '%s\n' "${STEP_LOG[@]}"
  printf '%4d s  in all (%s)\n' "$((SECONDS - RUN_START))" "$([ "$rc" = 0 ] && echo passed || echo "FAILED, exit $rc")"
}
trap summary EXIT

mkdir -p target

# Installing Trunk and wasm-bindgen-cli takes about 16 minutes on 2 cores and the native steps
# need neither, so on a fresh machine setup runs beside fmt, clippy and the native tests (their
# builds and `cargo install` leave each other idle cores) and is waited for before the wasm steps.
step "setup (in the background while the native steps run; log in target/setup.log)"
bash scripts/setup.sh > target/setup.log 2>&1 &
SETUP_PID=$!
setup_done() {
  local rc=0
  wait "$SETUP_PID" || rc=$?
  SETUP_PID=""
  cat target/setup.log
  [ "$rc" = 0 ] || { echo "setup failed (exit $rc)" >&2; exit "$rc"; }
}

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy (native: core, tests, examples)"
cargo clippy --all-targets -- -D warnings

step "cargo test (native)"
cargo test

step "setup: wait for the tools"
setup_done

step "cargo clippy (wasm32: core, UI and browser tests)"
cargo clippy --target wasm32-unknown-unknown --lib --bins --tests -- -D warnings

step "release build with Trunk"
rm -rf dist
trunk build --release
for wasm in dist/*.wasm; do
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  printf "wasm size %s: %s bytes raw, %s bytes gzipped (%s KiB; target <= 1 MB gzipped)\n" "$(basename "$wasm")" "$raw" "$gz" "$((gz / 1024))"
done

# In the release profile the browser tests reuse every dependency (and the crate's library)
# the Trunk build just compiled: only the test crate is new.
step "wasm tests in headless Chromium (wasm-bindgen-test, release build)"
CHROMEDRIVER=/usr/bin/chromedriver \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --release --target wasm32-unknown-unknown --test web

step "benchmarks (native, one core)"
cargo run --release --quiet --example bench_roofline
cargo run --release --quiet --example bench_search | tee target/bench-native.txt
cargo run --release --quiet --example bench_fit
cargo run --release --quiet --example validate_published | tee target/validation.txt

step "end-to-end tests (dist/ in headless Chromium)"
node e2e/run.mjs | tee target/e2e.txt

step "browser benchmarks (dist/ in headless Chromium): responsiveness and wasm speed, figures only"
node e2e/bench.mjs | tee target/bench-browser.txt
# The same workloads in both, best of several runs: the paper grid (9,520 candidates, best of
# 20) and the widened grid (1,004,032 candidates, best of 2-3), in FP16 and INT8.
rate() { sed -n "s/^$1 $2: .* = \\([0-9.]*\\) M candidates\\/s.*/\\1/p" "$3" | head -1; }
for grid in "paper grid" "wide grid"; do
  wasm_rate=$(rate wasm "$grid" target/bench-browser.txt)
  native_rate=$(rate native "$grid" target/bench-native.txt)
  if [ -z "$wasm_rate" ] || [ -z "$native_rate" ]; then
    echo "search speed: a benchmark printed no rate for the $grid (wasm '$wasm_rate', native '$native_rate')" >&2
    exit 1
  fi
  echo "search speed, $grid: wasm $wasm_rate M/s vs native $native_rate M/s (wasm/native = $(python3 -c "print(round($wasm_rate/$native_rate, 2))"); target >= 0.5)"
done
