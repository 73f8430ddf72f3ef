#!/usr/bin/env bash
# The test helpers' own suites, against the real binary in sandbox mode:
#   clients/python  (switchboard-sandbox, a pytest plugin): installed with pip
#                   into clients/python/.venv as a user would (`pip install
#                   ./clients/python`, dependencies pinned by
#                   tests/sdk/python/requirements.txt), then its pytest suite;
#   clients/node    (switchboard-sandbox for Vitest and Jest): `npm ci` from
#                   its package-lock.json, `tsc --noEmit` over its hand-written
#                   types (src/*.d.ts) and a typed use of them
#                   (types/usage.ts), then its Vitest suite.
# Each suite starts its own Switchboard (SWITCHBOARD_BIN) on a random port.
#
#   clients/run.sh
#
# Environment: SWITCHBOARD_BIN (default: built with cargo, as tests/sdk does).
# Reads no standard input. Exits non-zero when either suite failed.
set -euo pipefail

CLIENTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CLIENTS/.." && pwd)"
PY_DIR="$CLIENTS/python"
NODE_DIR="$CLIENTS/node"
VENV="$PY_DIR/.venv"

say() { printf '\n\033[1m--> %s\033[0m\n' "$*"; }
die() { echo "clients/run.sh: $*" >&2; exit 2; }

exec </dev/null
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"
# The suites start their own server: never one from the environment.
unset TWILIO_REGION TWILIO_EDGE SWITCHBOARD_URL
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 npm_config_yes=true

for tool in python3 node npm; do
  command -v "$tool" >/dev/null || die "'$tool' is required"
done
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  SWITCHBOARD_BIN="$("$REPO_ROOT/scripts/switchboard-bin")" || die "cargo could not build the switchboard binary"
fi
[ -x "$SWITCHBOARD_BIN" ] || die "no switchboard binary at $SWITCHBOARD_BIN (SWITCHBOARD_BIN)"
export SWITCHBOARD_BIN

failed=()

say "Python: pip install ./clients/python (pins: tests/sdk/python/requirements.txt)"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY="$VENV/bin/python"
# Its dependencies (and the build backend) when their pins change; then the
# package itself, every run, from the working tree (its code is what is
# tested), without fetching the build backend again.
want="$(cat "$REPO_ROOT/tests/sdk/python/requirements.txt" "$PY_DIR/pyproject.toml" "$CLIENTS/run.sh" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$VENV/.clients-deps.sha256" 2>/dev/null || true)" != "$want" ]; then
  "$PY" -m pip install -q -c "$REPO_ROOT/tests/sdk/python/requirements.txt" flit_core==3.12.0 "$PY_DIR"
  echo "$want" >"$VENV/.clients-deps.sha256"
fi
"$PY" -m pip install -q --no-build-isolation --no-deps --force-reinstall "$PY_DIR"

say "Python: pytest (clients/python/tests)"
if ! (cd "$PY_DIR" && "$PY" -m pytest -q); then
  failed+=("clients/python")
fi

say "Node: npm ci (clients/node/package-lock.json)"
want="$(sha256sum "$NODE_DIR/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$NODE_DIR/node_modules/.clients-lock.sha256" 2>/dev/null || true)" != "$want" ]; then
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$NODE_DIR/node_modules/.clients-lock.sha256"
fi

say "Node: tsc --noEmit (clients/node/src/*.d.ts, through types/usage.ts)"
if ! (cd "$NODE_DIR" && npx --no-install tsc --noEmit -p tsconfig.json); then
  failed+=("clients/node types")
fi

say "Node: vitest (clients/node/test)"
if ! (cd "$NODE_DIR" && npx --no-install vitest run); then
  failed+=("clients/node")
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "clients/run.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "clients/run.sh: both helper packages' suites passed"
