#!/usr/bin/env bash
# Undo deploy/hub/start.sh: stop the hub and the proxy it started (from their pid files), end the
# named users' processes, delete those Unix users with their homes, and remove the prefix, the
# exchange, the folders start.sh made on the way to it (e.g. /srv/nbgrader), its /etc/profile.d
# script, the students' cgroups and their kernels' socket folders under /run. As root (or with sudo):
#
#   deploy/hub/remove.sh --users alice,bob,carol,teacher [--prefix /opt/course-hub] [--exchange DIR] [--force]
#
# The gradebook lives in the instructor's home: if it changed since the last `course backup`
# (or was never backed up), nothing is removed unless --force is given.
# Nothing else is touched: only the users named, only the folders named or noted by start.sh.
set -uo pipefail
USERS=""
PREFIX="/opt/course-hub"
EXCHANGE=""
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --users) USERS="$2"; shift 2 ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    --exchange) EXCHANGE="$2"; shift 2 ;;
    --force) FORCE=1; shift ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run as root (or with sudo)" >&2; exit 2; }

hub_setting() {  # a value from PREFIX/etc/hub.json (root's), empty when there is none
  [ -f "$PREFIX/etc/hub.json" ] || return 0
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$PREFIX/etc/hub.json" "$1" 2>/dev/null
}
[ -n "$EXCHANGE" ] || EXCHANGE="$(hub_setting exchange)"
COURSE_DIR="$(hub_setting course_dir)"

# ---- the gradebook: never deleted without a backup newer than it, unless --force ------------------
if [ -n "$COURSE_DIR" ] && [ -f "$COURSE_DIR/gradebook.db" ] && [ "$FORCE" != 1 ]; then
  marker="$COURSE_DIR/.course-backup"
  if [ ! -f "$marker" ] || [ "$COURSE_DIR/gradebook.db" -nt "$marker" ]; then
    echo "remove.sh: $COURSE_DIR/gradebook.db has changed since its last backup (or has none)." >&2
    echo "  Back it up first, as the instructor: cd $COURSE_DIR && course backup /somewhere/safe" >&2
    echo "  or remove everything anyway with --force. Nothing was removed." >&2
    exit 3
  fi
fi

stop_pidfile() {  # stop the process in a pid file, if it is still running
  local pidfile="$1" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
}
stop_pidfile "$PREFIX/state/jupyterhub.pid"
stop_pidfile "$PREFIX/state/proxy.pid"
# The hub's services (the sealer as root, the recorder as its own user, ...) if a hub that did not
# stop cleanly left them: every process still running a program from the prefix.
pids="$(pgrep -f "^$PREFIX/" | tr '\n' ' ')"
if [ -n "$pids" ]; then
  kill -TERM $pids 2>/dev/null
  for _ in $(seq 25); do [ -z "$(pgrep -f "^$PREFIX/")" ] && break; sleep 0.2; done
  pids="$(pgrep -f "^$PREFIX/" | tr '\n' ' ')"
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
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
# The students' cgroups (limited_spawner.py), empty now that their processes have ended.
for hierarchy in /sys/fs/cgroup /sys/fs/cgroup/memory /sys/fs/cgroup/cpu; do
  group="$hierarchy/course-hub-$(basename "$PREFIX")"
  [ -d "$group" ] || continue
  for sub in "$group"/*/; do [ -d "$sub" ] && rmdir -- "$sub" 2>/dev/null; done
  rmdir -- "$group" 2>/dev/null || echo "remove.sh: $group is still in use (a process of a user not named?)" >&2
done
# The students' kernel sockets (kernel_sockets.py): a folder per user under /run, root's.
rm -rf -- "/run/course-hub-$(basename "$PREFIX")"
[ -z "$EXCHANGE" ] || rm -rf -- "$EXCHANGE"
# Folders start.sh made on the way to the exchange (e.g. /srv/nbgrader): removed when empty.
if [ -f "$PREFIX/state/made-dirs" ]; then
  while read -r made; do
    [ -n "$made" ] && [ "$made" != / ] || continue
    dir="$(dirname "$EXCHANGE")"
    while [ -n "$EXCHANGE" ] && [ "${dir#"$made"}" != "$dir" ] && [ "$dir" != / ]; do
      rmdir -- "$dir" 2>/dev/null || break      # only empty ones
      [ "$dir" = "$made" ] && break
      dir="$(dirname "$dir")"
    done
  done <"$PREFIX/state/made-dirs"
fi
rm -f -- "/etc/profile.d/course-hub-$(basename "$PREFIX").sh"
case "$PREFIX" in
  /opt/*) rm -rf -- "$PREFIX" ;;
  *) echo "not removing $PREFIX (only folders under /opt are removed)" >&2 ;;
esac
