#!/usr/bin/env bash
# Builds and serves the app on 127.0.0.1 (PORT, default 8080), rebuilding on changes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh --no-browser
PORT=${PORT:-8080}
echo "[serve] roofscale at http://127.0.0.1:$PORT/ (Ctrl-C stops)"
# No autoreload: its injected inline script is not covered by the page's CSP hash.
exec trunk serve --release --no-autoreload --address 127.0.0.1 --port "$PORT"
