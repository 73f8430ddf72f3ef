# Sourced by the suites that drive a real `switchboard serve` (tests/browser,
# tests/docs): start it on a random port and learn its URL from its first line.
#
#   start_switchboard WORK [SERVE ARGS…]
#     runs "$SWITCHBOARD_BIN" serve --listen 127.0.0.1:0 SERVE ARGS… in the
#     background (standard error in WORK/server.log), waits up to 30 s for
#     "Switchboard listening on http://…", and sets SERVER_URL and SERVER_PID;
#     exits through `die` (the caller's) when it does not start.
#   stop_switchboard
#     stops it, if it runs.
# Sourcing it also makes WORK, a fresh temporary directory, and sets an EXIT
# trap that stops the server and removes WORK.

SERVER_PID=""
SERVER_URL=""
WORK="$(mktemp -d)"

start_switchboard() {
  local work="$1" first_line
  shift
  mkfifo "$work/stdout"
  "$SWITCHBOARD_BIN" serve --listen 127.0.0.1:0 "$@" >"$work/stdout" 2>"$work/server.log" &
  SERVER_PID=$!
  exec 3<"$work/stdout"
  read -r -t 30 first_line <&3 || die "the server did not start: $(cat "$work/server.log")"
  # Keep draining the server's standard output so it never blocks on a full pipe.
  cat <&3 >/dev/null &
  case "$first_line" in
    "Switchboard listening on http://"*) SERVER_URL="${first_line#Switchboard listening on }" ;;
    *) die "unexpected first line from serve: $first_line" ;;
  esac
  echo "Switchboard at $SERVER_URL"
}

stop_switchboard() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}

cleanup_switchboard() {
  stop_switchboard
  rm -rf "$WORK"
}
trap cleanup_switchboard EXIT
