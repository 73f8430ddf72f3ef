#!/usr/bin/env bash
# Installs the pinned official Twilio SDKs once, and again only when their
# pins change: Python `twilio` in tests/sdk/python/.venv (requirements.txt),
# Node `twilio` in tests/sdk/node/node_modules (package-lock.json). Used by the
# SDK conformance suite (tests/sdk/run.sh) and the documentation's examples
# (tests/docs/run.sh). Reads no standard input.
set -euo pipefail

SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY_DIR="$SDK_DIR/python"
NODE_DIR="$SDK_DIR/node"
VENV="$PY_DIR/.venv"

say() { printf '\n\033[1m--> %s\033[0m\n' "$*"; }
exec </dev/null
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 npm_config_yes=true

say "Python: virtualenv and pinned packages ($PY_DIR/requirements.txt)"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
want="$(sha256sum "$PY_DIR/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)" != "$want" ]; then
  "$PY" -m pip install -q -r "$PY_DIR/requirements.txt"
  echo "$want" >"$VENV/.requirements.sha256"
fi

say "Node: npm ci ($NODE_DIR/package-lock.json)"
want="$(sha256sum "$NODE_DIR/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$NODE_DIR/node_modules/.sdk-lock.sha256" 2>/dev/null || true)" != "$want" ]; then
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$NODE_DIR/node_modules/.sdk-lock.sha256"
fi
