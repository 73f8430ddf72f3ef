#!/usr/bin/env bash
# End-to-end tests of the web console in a real browser: Debian's Chromium
# (/usr/bin/chromium) driven by Playwright (playwright-core only; no browser is
# ever downloaded), against a real `switchboard serve` on a fresh SQLite file.
#
#   tests/browser/run.sh [TEST FILE…]     (default: every file in test/)
#
# Environment:
#   SWITCHBOARD_BIN   the binary (scripts/test exports it; default the debug
#                     binary where cargo puts it, under CARGO_TARGET_DIR when
#                     that is set). This script builds nothing.
#   CHROMIUM          the browser (default /usr/bin/chromium)
# Screenshots of every page land in tests/browser/artifacts/ (git-ignored).
# Reads no standard input. Exits non-zero when anything failed.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$DIR/../.." && pwd)"
die() { echo "tests/browser/run.sh: $*" >&2; exit 2; }
exec </dev/null

export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export no_proxy="$NO_PROXY"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM (apt-get install chromium)"
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  SWITCHBOARD_BIN="$("$REPO_ROOT/scripts/switchboard-bin" --no-build)" || die "cannot ask cargo where the binary is"
fi
export SWITCHBOARD_BIN
[ -x "$SWITCHBOARD_BIN" ] || die "no switchboard binary at $SWITCHBOARD_BIN (cargo build --bin switchboard, or run scripts/test)"
for tool in node npm; do command -v "$tool" >/dev/null || die "'$tool' is required"; done

cd "$DIR"
npm ci --no-audit --no-fund --loglevel=error

# shellcheck source=../lib/serve.sh
. "$REPO_ROOT/tests/lib/serve.sh"   # WORK, and the EXIT trap that clears it

export SB_DB="sqlite://$WORK/sb.db"
start_switchboard "$WORK" --database-url "$SB_DB" \
  --allow-self-upgrade --allow-private-callbacks --sim-speed instant \
  --callback-retry-base 1s
export SB_URL="$SERVER_URL"

# Fixtures through the command line, as an operator would make them.
export OWNER_EMAIL="owner-$RANDOM@example.com" OWNER_PASSWORD="owner password $RANDOM"
owner_json="$("$SWITCHBOARD_BIN" accounts create --database-url "$SB_DB" --email "$OWNER_EMAIL" \
  --password "$OWNER_PASSWORD" --friendly-name "Rossum Analytics" --full --json)"
OWNER_SID="$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).sid)' "$owner_json")"
export OWNER_SID
"$SWITCHBOARD_BIN" seed --database-url "$SB_DB" --account "$OWNER_SID" --calls 50 --messages 20 --quiet

export ARTIFACTS="$DIR/artifacts"
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
status=0
node --test --test-concurrency=1 "${@:-test/}" || status=$?
if [ $status -ne 0 ]; then
  echo "--- server log (last 50 lines) ---" >&2
  tail -n 50 "$WORK/server.log" >&2 || true
fi
echo "Screenshots: $ARTIFACTS"
exit $status
