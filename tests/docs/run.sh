#!/usr/bin/env bash
# The documentation's code blocks, run as written: every ```python and ```js
# block of README.md and docs/*.md, and every shell block marked ```sh test,
# against a real `switchboard serve` on a fresh SQLite file and a random port.
# Shell blocks marked ```sh skip are not run (they build a release binary,
# serve forever, or hold placeholders such as AC…); an unmarked one fails the
# test, and so does a run in which no block ran. It prints what ran and what
# was skipped.
#
#   tests/docs/run.sh
#
# What the blocks get, as the README tells a reader to set it:
#   TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN   a Full account made for the run
#   SWITCHBOARD_URL                         the server's base URL
#   SWITCHBOARD_DATABASE_URL                its database (for CLI commands)
#   SWITCHBOARD_ACCOUNT_PASSWORD            a console password (no terminal)
#   PATH                                    `switchboard` is the binary under test
# and one substitution: `cargo run --release --` becomes `switchboard`. curl
# runs with --fail-with-body (a .curlrc), so an HTTP error fails its block.
# Python blocks run in the SDK suite's virtualenv and Node blocks beside its
# node_modules (tests/sdk/setup.sh installs both, with the pinned `twilio`).
#
# Environment: SWITCHBOARD_BIN (default: built with cargo, like tests/sdk),
# DOCS_VERBOSE=1 to print every block's output. Reads no standard input.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$DIR/../.." && pwd)"
die() { echo "tests/docs/run.sh: $*" >&2; exit 2; }
exec </dev/null
for tool in python3 node npm curl; do command -v "$tool" >/dev/null || die "'$tool' is required"; done

export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"
unset TWILIO_REGION TWILIO_EDGE

if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  SWITCHBOARD_BIN="$("$REPO_ROOT/scripts/switchboard-bin")" || die "cargo could not build the switchboard binary"
fi
[ -x "$SWITCHBOARD_BIN" ] || die "no switchboard binary at $SWITCHBOARD_BIN (SWITCHBOARD_BIN)"
"$REPO_ROOT/tests/sdk/setup.sh"
export DOCS_PYTHON="$REPO_ROOT/tests/sdk/python/.venv/bin/python"

# shellcheck source=../lib/serve.sh
. "$REPO_ROOT/tests/lib/serve.sh"   # WORK, and the EXIT trap that clears it

# What a reader has after `npm install twilio` in a directory of their own.
mkdir -p "$WORK/examples" "$WORK/bin" "$WORK/home"
ln -s "$REPO_ROOT/tests/sdk/node/node_modules" "$WORK/examples/node_modules"
ln -s "$SWITCHBOARD_BIN" "$WORK/bin/switchboard"
printf 'fail-with-body\nsilent\nshow-error\n' >"$WORK/home/.curlrc"

export SWITCHBOARD_DATABASE_URL="sqlite://$WORK/sb.db"
# Sandbox mode, for docs/sandbox.md's blocks.
start_switchboard "$WORK" --sim-speed instant --sandbox
export SWITCHBOARD_URL="$SERVER_URL"

export SWITCHBOARD_ACCOUNT_PASSWORD="docs test password $RANDOM"
account="$("$SWITCHBOARD_BIN" accounts create --email "docs-$RANDOM@example.com" \
  --friendly-name "Docs reader" --full --json)"
TWILIO_ACCOUNT_SID="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["sid"])' "$account")"
TWILIO_AUTH_TOKEN="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["auth_token"])' "$account")"
export TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN

export PATH="$WORK/bin:$PATH" CURL_HOME="$WORK/home" DOCS_WORKDIR="$WORK/examples"
cd "$REPO_ROOT"
python3 "$DIR/blocks.py" --run README.md docs/*.md
