#!/usr/bin/env bash
# SDK conformance: drives the official, unmodified Twilio SDKs (Python
# `twilio`, Node `twilio`) against a real Switchboard and checks every JSON
# response they see against Twilio's OpenAPI document.
#
#   tests/sdk/run.sh
#
# Environment:
#   SWITCHBOARD_BIN                the binary (default: the debug binary,
#                                  built with cargo, under CARGO_TARGET_DIR
#                                  when that is set; scripts/switchboard-bin)
#   SWITCHBOARD_TEST_POSTGRES_URL  also run both suites on PostgreSQL
#                                  (e.g. postgres://postgres@127.0.0.1:5432/test)
#   SWITCHBOARD_TWILIO_SPEC        Twilio's OpenAPI document (default:
#                                  spec/twilio_api_v2010.json in the repo)
# Reads no standard input. Exits non-zero when anything failed.
set -euo pipefail

SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SDK_DIR/../.." && pwd)"
PY_DIR="$SDK_DIR/python"
NODE_DIR="$SDK_DIR/node"
OUT="$SDK_DIR/.out"
VENV="$PY_DIR/.venv"

say() { printf '\n\033[1m--> %s\033[0m\n' "$*"; }
die() { echo "tests/sdk/run.sh: $*" >&2; exit 2; }

exec </dev/null
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"
unset TWILIO_REGION TWILIO_EDGE
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 npm_config_yes=true

for tool in python3 node npm; do
  command -v "$tool" >/dev/null || die "'$tool' is required"
done

# --- inputs -------------------------------------------------------------------
export SWITCHBOARD_TWILIO_SPEC="${SWITCHBOARD_TWILIO_SPEC:-$REPO_ROOT/spec/twilio_api_v2010.json}"
[ -f "$SWITCHBOARD_TWILIO_SPEC" ] || die "Twilio's OpenAPI document is not at $SWITCHBOARD_TWILIO_SPEC (set SWITCHBOARD_TWILIO_SPEC)"

if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  command -v cargo >/dev/null || die "SWITCHBOARD_BIN is not set and there is no cargo to build the binary"
  say "Building the switchboard binary"
  SWITCHBOARD_BIN="$("$REPO_ROOT/scripts/switchboard-bin")" || die "cargo could not build the switchboard binary"
fi
export SWITCHBOARD_BIN
[ -x "$SWITCHBOARD_BIN" ] || die "no switchboard binary at $SWITCHBOARD_BIN (SWITCHBOARD_BIN)"

backends=(sqlite)
if [ -n "${SWITCHBOARD_TEST_POSTGRES_URL:-}" ]; then
  command -v psql >/dev/null || die "SWITCHBOARD_TEST_POSTGRES_URL is set but psql is not installed"
  backends+=(postgres)
fi

# --- dependencies ---------------------------------------------------------------
# The pinned SDKs, also used by the documentation's examples (tests/docs).
"$SDK_DIR/setup.sh"
PY="$VENV/bin/python"

rm -rf "$OUT"
mkdir -p "$OUT"
export SDK_PYTHON="$PY"

# --- the suites ---------------------------------------------------------------------
passed=()
failed=()
step() {
  local name="$1"
  shift
  say "$name"
  if "$@"; then
    passed+=("$name")
  else
    failed+=("$name")
    echo "FAILED: $name" >&2
  fi
}

validate() { # label, files...
  local label="$1"
  shift
  (cd "$PY_DIR" && "$PY" -m sdkharness.validate_jsonl --require "$SDK_DIR/required-operations.txt" --label "$label" "$@")
}

step "validator self-test (Twilio's own examples; no server)" \
  bash -c 'cd "$1" && "$2" -m pytest selftest -q -p no:cacheprovider' _ "$PY_DIR" "$PY"

for backend in "${backends[@]}"; do
  step "Python SDK suite on $backend" \
    env SDK_BACKEND="$backend" SDK_RECORD_DIR="$OUT" \
    bash -c 'cd "$1" && "$2" -m pytest tests -q -p no:cacheprovider' _ "$PY_DIR" "$PY"
  step "Python SDK responses on $backend: coverage and spec check" \
    validate "python $backend" "$OUT/python-$backend.jsonl"

  mkdir -p "$OUT/node-$backend"
  step "Node SDK suite on $backend" \
    env SDK_BACKEND="$backend" SDK_RECORD_DIR="$OUT/node-$backend" \
    bash -c 'cd "$1" && node --test --test-concurrency=1 --test-reporter=spec test/' _ "$NODE_DIR"
  # shellcheck disable=SC2046
  step "Node SDK responses on $backend: coverage and spec check" \
    bash -c 'shopt -s nullglob; files=("$2"/*.jsonl); [ ${#files[@]} -gt 0 ] || { echo "no Node recordings in $2"; exit 1; }; cd "$1" && "$3" -m sdkharness.validate_jsonl --require "$4" --label "node $5" "${files[@]}"' \
    _ "$PY_DIR" "$OUT/node-$backend" "$PY" "$SDK_DIR/required-operations.txt" "$backend"
done

if [ -z "${SWITCHBOARD_TEST_POSTGRES_URL:-}" ]; then
  cat <<'WARN'

!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!  SDK conformance: SWITCHBOARD_TEST_POSTGRES_URL is not set, so the        !!
!!  PostgreSQL half (Python and Node suites on PostgreSQL) was SKIPPED.      !!
!!  Only SQLite was tested. To test both, run for example:                  !!
!!  SWITCHBOARD_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \  !!
!!      tests/sdk/run.sh                                                     !!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
WARN
fi

say "SDK conformance summary (backends: ${backends[*]}; recordings in $OUT)"
for s in "${passed[@]}"; do echo "  ok      $s"; done
for s in "${failed[@]+"${failed[@]}"}"; do echo "  FAILED  $s"; done
echo "sdk-steps: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
