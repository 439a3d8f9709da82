#!/usr/bin/env bash
# Idempotent setup: installs only what is missing, says what it does, fails loudly.
# Needs only a Rust toolchain (rustup) and, for browser tests, apt-get (Debian) and npm.
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=…"` pin in Cargo.toml
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WANT_BROWSER=1
[ "${1:-}" = "--no-browser" ] && WANT_BROWSER=0

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first (https://rustup.rs)"
command -v rustup >/dev/null || die "rustup not found: the wasm32 target is installed with rustup"
export PATH="$HOME/.cargo/bin:$PATH"

command -v python3 >/dev/null || die "python3 not found: the Trunk post_build hook (scripts/csp_hash.py) needs it"
command -v gzip >/dev/null || die "gzip not found"

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown || die "rustup target add wasm32-unknown-unknown failed"
fi

if trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  say "trunk $TRUNK_VERSION: present"
else
  say "installing trunk $TRUNK_VERSION (about 12 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION" || die "cargo install trunk failed"
fi

if wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION" \
   && command -v wasm-bindgen-test-runner >/dev/null; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force || die "cargo install wasm-bindgen-cli failed"
fi

if [ "$WANT_BROWSER" = 1 ]; then
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    say "chromium + chromedriver: present ($(/usr/bin/chromium --version 2>/dev/null | head -1))"
  else
    command -v apt-get >/dev/null || die "apt-get not found: install Chromium and ChromeDriver by hand (/usr/bin/chromium, /usr/bin/chromedriver)"
    SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
    say "installing Debian chromium and chromium-driver"
    $SUDO apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null \
      || die "apt-get install chromium chromium-driver failed"
  fi
  command -v node >/dev/null || die "node not found: the end-to-end tests drive Chromium with playwright-core on Node.js"
  if [ -d "$ROOT/e2e/node_modules/playwright-core" ]; then
    say "playwright-core (e2e driver, no browser download): present"
  else
    say "installing playwright-core for the end-to-end tests (uses /usr/bin/chromium, downloads no browser)"
    (cd "$ROOT/e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent) || die "npm ci in e2e/ failed"
  fi
fi
say "done"
