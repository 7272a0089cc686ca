#!/usr/bin/env bash
# Undo deploy/hub/start.sh: stop the hub it started (from its pid file), end the named users'
# processes, delete those Unix users with their homes, and remove the prefix and the exchange.
#
#   sudo deploy/hub/remove.sh --users alice,bob,carol,teacher [--prefix /opt/course-hub] [--exchange DIR]
#
# Nothing else is touched: only the users named, only the folders named.
set -uo pipefail
USERS=""
PREFIX="/opt/course-hub"
EXCHANGE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --users) USERS="$2"; shift 2 ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    --exchange) EXCHANGE="$2"; shift 2 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }

pidfile="$PREFIX/state/jupyterhub.pid"
if [ -f "$pidfile" ]; then
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
fi
IFS=',' read -r -a LIST <<<"$USERS"
for name in "${LIST[@]}"; do
  [ -n "$name" ] || continue
  id -u "$name" >/dev/null 2>&1 || continue
  pids="$(ps -o pid= -u "$name" | tr -d ' ')"
  [ -z "$pids" ] || kill -TERM $pids 2>/dev/null
  for _ in $(seq 50); do [ -z "$(ps -o pid= -u "$name")" ] && break; sleep 0.2; done
  pids="$(ps -o pid= -u "$name" | tr -d ' ')"
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
  userdel -r "$name" >/dev/null 2>&1 || userdel "$name"
done
[ -z "$EXCHANGE" ] || rm -rf -- "$EXCHANGE"
case "$PREFIX" in
  /opt/*) rm -rf -- "$PREFIX" ;;
  *) echo "not removing $PREFIX (only folders under /opt are removed)" >&2 ;;
esac
