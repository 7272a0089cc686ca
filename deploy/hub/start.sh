#!/usr/bin/env bash
# One command for a class on JupyterHub (see deploy/hub/README.md):
#
#   deploy/hub/start.sh --students alice,bob,carol --instructor teacher      (as root, or with sudo)
#
# installs what it needs (apt; a venv under /opt from Debian's python3 with jupyterhub, the
# first-use authenticator, nbgrader 0.9.6 and this course package; configurable-http-proxy from
# npm), creates one Unix user per student and the instructor (homes 700) with a password each,
# the course directory (owned by the instructor), nbgrader's exchange, the hub configuration, and
# then runs JupyterHub in the foreground (Ctrl-C stops the hub alone: students' servers and the
# proxy, which runs on its own, keep running, and the next start takes them over). Running it
# again once the hub has stopped is safe: what is there already is kept (passwords too); new
# students on the list are added. While the hub runs, it refuses (exit 3) and changes nothing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

STUDENTS=""
INSTRUCTOR=""
GRADERS=""                        # teaching assistants: hub accounts for the grading service only
PREFIX="/opt/course-hub"
EXCHANGE="/srv/nbgrader/exchange"
COURSE_DIR=""                     # default: ~INSTRUCTOR/police-negotiation
ROSTER=""                         # the class roster CSV, copied to COURSE_DIR/roster.csv
COURSE_ID="police-negotiation"
IP="0.0.0.0"
PORT=8000
HUB_PORT=8081
PROXY_API_PORT=8001
FORMGRADER_PORT=9999
RECORDER_PORT=10101
GRADING_PORT=10102
RECORDER_USER="course-recorder"
SETUP_ONLY=0
RELEASE=""
TLS_CERT=""
TLS_KEY=""
CULL_IDLE=0                       # minutes (or seconds, with s: 90s); 0: no idle culler
MEM_LIMIT=1G                      # per student (server and kernels, a cgroup); 0: none
CPU_LIMIT=1                       # cores per student (a CFS quota); 0: none

usage() {
  cat <<EOF
usage: $0 --students a,b,c --instructor NAME [options]      (as root, or with sudo)

  --students LIST         comma-separated Unix user names for the students (created if missing)
  --instructor NAME       the instructor's Unix user (created if missing); owns the course
  --graders LIST          teaching assistants: hub log-ins (no Unix user, no server) who may grade
                          in the grading service (/services/grading/) and do nothing else
  --prefix DIR            where the hub's venv, proxy and state go      (default $PREFIX)
  --exchange DIR          nbgrader's exchange                            (default $EXCHANGE)
  --course-dir DIR        the nbgrader course directory                  (default ~INSTRUCTOR/$COURSE_ID)
  --ip IP --port N        where students reach the hub                   (default $IP:$PORT)
  --hub-port N --proxy-api-port N --formgrader-port N   internal ports (default $HUB_PORT, $PROXY_API_PORT, $FORMGRADER_PORT)
  --recorder-port N       the course recorder's internal port            (default $RECORDER_PORT)
  --grading-port N        the grading service's internal port            (default $GRADING_PORT)
  --release A[,B]         release these lessons to the exchange before the hub starts
  --tls-cert FILE --tls-key FILE   serve HTTPS with this certificate and key (PEM)
  --cull-idle MINUTES     stop students' servers idle this long (jupyterhub-idle-culler); 90s: seconds
  --mem-limit SIZE        memory per student, server and kernels together (cgroup)  (default $MEM_LIMIT; 0: none)
  --cpu-limit CORES       CPU per student (cgroup CFS quota)             (default $CPU_LIMIT; 0: none)
  --roster FILE           the class roster CSV (student_id,first_name,last_name,email[,lms_id]),
                          checked and copied to the course directory as roster.csv (course grades)
  --setup-only            set everything up, print the login details, do not start the hub
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --students) STUDENTS="$2"; shift 2 ;;
    --instructor) INSTRUCTOR="$2"; shift 2 ;;
    --graders) GRADERS="$2"; shift 2 ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    --exchange) EXCHANGE="$2"; shift 2 ;;
    --course-dir) COURSE_DIR="$2"; shift 2 ;;
    --ip) IP="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --hub-port) HUB_PORT="$2"; shift 2 ;;
    --proxy-api-port) PROXY_API_PORT="$2"; shift 2 ;;
    --formgrader-port) FORMGRADER_PORT="$2"; shift 2 ;;
    --recorder-port) RECORDER_PORT="$2"; shift 2 ;;
    --grading-port) GRADING_PORT="$2"; shift 2 ;;
    --release) RELEASE="$2"; shift 2 ;;
    --setup-only) SETUP_ONLY=1; shift ;;
    --tls-cert) TLS_CERT="$2"; shift 2 ;;
    --tls-key) TLS_KEY="$2"; shift 2 ;;
    --cull-idle) CULL_IDLE="$2"; shift 2 ;;
    --mem-limit) MEM_LIMIT="$2"; shift 2 ;;
    --cpu-limit) CPU_LIMIT="$2"; shift 2 ;;
    --roster) ROSTER="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "run as root (or with sudo): the hub starts each user's server as that user" >&2; exit 2; }
[ -n "$STUDENTS" ] && [ -n "$INSTRUCTOR" ] || { usage >&2; exit 2; }
if [ -n "$TLS_CERT$TLS_KEY" ]; then
  [ -r "$TLS_CERT" ] && [ -r "$TLS_KEY" ] || { echo "--tls-cert and --tls-key need both files, readable" >&2; exit 2; }
  TLS_CERT="$(realpath "$TLS_CERT")"; TLS_KEY="$(realpath "$TLS_KEY")"
fi
if [ -n "$ROSTER" ]; then
  [ -f "$ROSTER" ] && [ -r "$ROSTER" ] || { echo "--roster $ROSTER: not a readable file" >&2; exit 2; }
  ROSTER="$(realpath "$ROSTER")"
fi
[[ "$CULL_IDLE" =~ ^([0-9]+)(s?)$ ]] || { echo "--cull-idle takes minutes (a whole number), or seconds as 90s" >&2; exit 2; }
CULL_SECONDS=${BASH_REMATCH[1]}; [ -n "${BASH_REMATCH[2]}" ] || CULL_SECONDS=$(( CULL_SECONDS * 60 ))
[[ "$MEM_LIMIT" =~ ^[0-9]+[KMGT]?$ ]] || { echo "--mem-limit takes a size such as 1G or 800M (0: none)" >&2; exit 2; }
[[ "$CPU_LIMIT" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "--cpu-limit takes a number of cores such as 1 or 0.5 (0: none)" >&2; exit 2; }
NAME_RE='^[a-z_][a-z0-9_-]{0,30}$'
IFS=',' read -r -a STUDENT_LIST <<<"$STUDENTS"
GRADER_LIST=()
[ -z "$GRADERS" ] || IFS=',' read -r -a GRADER_LIST <<<"$GRADERS"
for name in "$INSTRUCTOR" "${STUDENT_LIST[@]}" "${GRADER_LIST[@]}"; do
  [[ "$name" =~ $NAME_RE ]] || { echo "not a valid Unix user name: '$name'" >&2; exit 2; }
done
for name in "${STUDENT_LIST[@]}"; do
  [ "$name" != "$INSTRUCTOR" ] || { echo "the instructor cannot also be a student: $name" >&2; exit 2; }
done
for name in "${GRADER_LIST[@]}"; do
  [[ ",$INSTRUCTOR,$STUDENTS," != *",$name,"* ]] || { echo "a grader cannot also be the instructor or a student: $name" >&2; exit 2; }
done

say() { printf '[course-hub] %s\n' "$*"; }
T0=$(date +%s)

# ---- 0. One start.sh, then one hub, per prefix -------------------------------------------------
# A second start.sh while the hub runs would rewrite its configuration, class list, passwords and
# course files under it. The lock is taken here and kept, through `exec`, by the hub this script
# becomes, so it is free exactly when neither runs (a hub that dies frees it). The proxy, which
# outlives the hub on purpose, is started without it.
mkdir -p "$PREFIX/state"
chmod 700 "$PREFIX/state"
exec 9>>"$PREFIX/state/start.lock"
if ! flock -n 9; then
  hub_pid="$(cat "$PREFIX/state/jupyterhub.pid" 2>/dev/null || true)"
  echo "start.sh: the hub of $PREFIX is running${hub_pid:+ (pid $hub_pid)}, or another start.sh is setting it up." >&2
  echo "  Nothing was changed. To restart it with new settings, stop the hub first: kill -TERM ${hub_pid:-<its pid>}" >&2
  echo "  (students' servers, their kernels and the proxy keep running), then run start.sh again." >&2
  exit 3
fi

# ---- 1. System packages (Debian) -----------------------------------------------------------
need=()
for pkg in python3 python3-venv bubblewrap; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  say "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ---- 2. The hub's Python: a venv from Debian's python3, readable by every user --------------
# (A Python inside /root, e.g. pyenv's, cannot be executed by the students' servers.)
umask 022
VENV="$PREFIX/venv"
mkdir -p "$PREFIX"/{etc,state,bin}
chmod 755 "$PREFIX"
chmod 700 "$PREFIX/state"
if [ ! -x "$VENV/bin/jupyterhub" ] || [ ! -x "$VENV/bin/course" ] || [ "$REPO/pyproject.toml" -nt "$VENV/.course-installed" ] \
   || [ -n "$(find "$REPO/course" -newer "$VENV/.course-installed" -print -quit 2>/dev/null)" ]; then
  say "creating $VENV (jupyterhub, first-use authenticator, nbgrader 0.9.6, the course package)"
  [ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv "$VENV"
  # The course package is installed non-editable from a copy of its sources, so the installed
  # code lives in the venv (readable by everyone) and nothing is built inside the checkout.
  BUILD="$(mktemp -d)"
  trap 'rm -rf "$BUILD"' EXIT
  cp -r "$REPO/pyproject.toml" "$REPO/README.md" "$BUILD/"
  (cd "$REPO" && tar cf - --exclude='__pycache__' course) | tar xf - -C "$BUILD"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    "jupyterhub==6.1.1" "jupyterhub-firstuseauthenticator==1.1.1" "nbgrader==0.9.6" "$BUILD" \
    >"$PREFIX/pip-install.log" 2>&1 || { tail -30 "$PREFIX/pip-install.log" >&2; exit 1; }
  rm -rf "$BUILD"; trap - EXIT
  touch "$VENV/.course-installed"
fi
if [ "$CULL_SECONDS" != 0 ] && ! "$VENV/bin/python" -c 'import jupyterhub_idle_culler' 2>/dev/null; then
  say "pip install jupyterhub-idle-culler"
  "$VENV/bin/pip" install -q --disable-pip-version-check "jupyterhub-idle-culler>=1.4" >>"$PREFIX/pip-install.log" 2>&1 \
    || { tail -30 "$PREFIX/pip-install.log" >&2; exit 1; }
fi
# The roster is checked before anything is made for the class (course/roster.py: each problem
# named by line and column), and its student ids compared with --students.
if [ -n "$ROSTER" ]; then
  ROSTER_IDS="$("$VENV/bin/python" -m course.roster "$ROSTER")" || { echo "--roster: fix the file above and run again" >&2; exit 2; }
  for name in "${STUDENT_LIST[@]}"; do
    [[ " $ROSTER_IDS " == *" $name "* ]] || say "warning: student $name has no row in the roster $ROSTER"
  done
  for name in $ROSTER_IDS; do
    [[ ",$STUDENTS," == *",$name,"* ]] || say "warning: the roster's $name is not in --students (not a hub user)"
  done
fi
# JupyterLab's terminals are login shells, and Debian's /etc/profile resets PATH: this puts the
# venv's bin/ (course, nbgrader) first again, in the shells of this hub's servers only (they have
# COURSE_HUB_PREFIX in their environment).
PROFILE_SCRIPT="/etc/profile.d/course-hub-$(basename "$PREFIX").sh"
cat >"$PROFILE_SCRIPT" <<EOF
# deploy/hub/start.sh ($PREFIX): the course's commands in the hub's terminals (login shells).
if [ "\${COURSE_HUB_PREFIX:-}" = "$PREFIX" ]; then
  case ":\$PATH:" in *":$VENV/bin:"*) ;; *) PATH="$VENV/bin:\$PATH"; export PATH ;; esac
fi
EOF
chmod 644 "$PROFILE_SCRIPT"
# Students get the Assignment List and Validate; the instructor panels (formgrader, create
# assignment, course list) are off for everyone here and on again only in the instructor's
# own config folder, used by the instructor's server and the formgrader service.
"$VENV/bin/jupyter" server extension disable --sys-prefix nbgrader.server_extensions.formgrader >/dev/null 2>&1
"$VENV/bin/jupyter" server extension disable --sys-prefix nbgrader.server_extensions.course_list >/dev/null 2>&1
mkdir -p "$VENV/etc/jupyter/labconfig"
cat >"$VENV/etc/jupyter/labconfig/page_config.json" <<'EOF'
{
  "disabledExtensions": {
    "@jupyter/nbgrader:formgrader": true,
    "@jupyter/nbgrader:create-assignment": true,
    "@jupyter/nbgrader:course-list": true
  }
}
EOF
INSTRUCTOR_CONFIG="$PREFIX/etc/instructor-jupyter"
mkdir -p "$INSTRUCTOR_CONFIG/labconfig"
cat >"$INSTRUCTOR_CONFIG/jupyter_server_config.json" <<'EOF'
{
  "ServerApp": {
    "jpserver_extensions": {
      "nbgrader.server_extensions.formgrader": true,
      "nbgrader.server_extensions.course_list": true
    }
  }
}
EOF
cat >"$INSTRUCTOR_CONFIG/labconfig/page_config.json" <<'EOF'
{
  "disabledExtensions": {
    "@jupyter/nbgrader:formgrader": false,
    "@jupyter/nbgrader:create-assignment": false,
    "@jupyter/nbgrader:course-list": false
  }
}
EOF
# The grading service (--graders): formgrader behind grader_only.py, and no other extension of
# the Jupyter server (no JupyterLab, no terminals); jupyterhub_config.py adds the authorizer that
# refuses the server's own API and ignores the instructor's own Jupyter configuration.
GRADING_CONFIG="$PREFIX/etc/grading-jupyter"
mkdir -p "$GRADING_CONFIG"
cat >"$GRADING_CONFIG/jupyter_server_config.json" <<'EOF'
{
  "ServerApp": {
    "terminals_enabled": false,
    "jpserver_extensions": {
      "grader_only": true,
      "nbgrader.server_extensions.formgrader": false,
      "nbgrader.server_extensions.assignment_list": false,
      "nbgrader.server_extensions.course_list": false,
      "nbgrader.server_extensions.validate_assignment": false,
      "jupyterlab": false, "notebook": false, "nbclassic": false, "notebook_shim": false,
      "jupyter_lsp": false, "jupyter_server_terminals": false, "voila": false
    }
  },
  "FormgradeExtension": {"debug": false}
}
EOF

# ---- 3. configurable-http-proxy from npm -----------------------------------------------------
CHP="$PREFIX/proxy/node_modules/.bin/configurable-http-proxy"
if [ ! -x "$CHP" ]; then
  say "npm install configurable-http-proxy"
  npm install --silent --no-audit --no-fund --prefix "$PREFIX/proxy" configurable-http-proxy@5 >/dev/null 2>&1 \
    || npm install --no-audit --no-fund --prefix "$PREFIX/proxy" configurable-http-proxy@5
fi

# ---- 4. Users: one Unix user per student, and the instructor; homes 700 -----------------------
PASSWORDS="$PREFIX/passwords.csv"
[ -f "$PASSWORDS" ] || { echo "user,password" >"$PASSWORDS"; }
chmod 600 "$PASSWORDS"
for name in "$INSTRUCTOR" "${STUDENT_LIST[@]}"; do
  if ! id -u "$name" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$name"
    say "created Unix user $name"
  fi
  home="$(getent passwd "$name" | cut -d: -f6)"
  chmod 700 "$home"          # useradd -m makes 755: students could list each other's work
done
# Graders log in to the hub only: no Unix user, no server, no shell on this machine.
for name in "$INSTRUCTOR" "${STUDENT_LIST[@]}" "${GRADER_LIST[@]}"; do
  if ! grep -q "^$name," "$PASSWORDS"; then
    echo "$name,$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(9))')" >>"$PASSWORDS"
  fi
done
# The first-use authenticator's password file, seeded with the passwords above (bcrypt), so
# nobody can claim a classmate's account by logging in first; users may change theirs at
# /hub/auth/change-password.
"$VENV/bin/python" - "$PASSWORDS" "$PREFIX/state/passwords.dbm" <<'EOF'
import csv, dbm, sys
import bcrypt
rows = list(csv.DictReader(open(sys.argv[1])))
with dbm.open(sys.argv[2], "c", 0o600) as db:
    for row in rows:
        if row["user"].encode() not in db:
            db[row["user"]] = bcrypt.hashpw(row["password"].encode(), bcrypt.gensalt())
EOF

# ---- 5. The course directory, owned by the instructor ---------------------------------------
INSTRUCTOR_HOME="$(getent passwd "$INSTRUCTOR" | cut -d: -f6)"
COURSE_DIR="${COURSE_DIR:-$INSTRUCTOR_HOME/$COURSE_ID}"
if [ ! -f "$COURSE_DIR/nbgrader_config.py" ]; then
  say "course directory $COURSE_DIR"
  mkdir -p "$COURSE_DIR"
  (cd "$REPO" && tar cf - --exclude='.ipynb_checkpoints' --exclude='*.answers.json' lessons source release keys scenarios) | tar xf - -C "$COURSE_DIR"
  cp "$REPO/nbgrader_config.py" "$COURSE_DIR/nbgrader_config.py"
  cat >>"$COURSE_DIR/nbgrader_config.py" <<EOF

# ---- deploy/hub: the class's shared exchange (the course package comes from $VENV) ----
c.CourseDirectory.course_id = "$COURSE_ID"
c.Exchange.root = "$EXCHANGE"
c.SandboxedExecute.hide = [ROOT, c.Exchange.root]
EOF
fi
# ---- 5b. The course recorder: graded saves kept where students cannot rewrite them ------------
# A JupyterHub service run as its own system user; its append-only store is that user's to write
# and the instructor's group may read it (the grader takes graded answers from it).
id -u "$RECORDER_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RECORDER_USER"
RECORDER_DIR="$PREFIX/recorder"
mkdir -p "$RECORDER_DIR"
chown "$RECORDER_USER:$INSTRUCTOR" "$RECORDER_DIR"; chmod 2750 "$RECORDER_DIR"   # setgid: the store is the instructor group's to read
RECORDER_DB="$RECORDER_DIR/records.db"
# Graded scenarios are played on the recorder, never released: `course release` (as the instructor)
# publishes each lesson's to this folder, which the recorder's group may read and nobody else.
RECORDER_SCENARIOS="$RECORDER_DIR/scenarios"
mkdir -p "$RECORDER_SCENARIOS"
chown "$INSTRUCTOR:$RECORDER_USER" "$RECORDER_SCENARIOS"; chmod 2750 "$RECORDER_SCENARIOS"
grep -q "recorder_db_url" "$COURSE_DIR/nbgrader_config.py" || cat >>"$COURSE_DIR/nbgrader_config.py" <<EOF
# ---- deploy/hub: graded answers come from the course recorder, not the students' own files ----
c.SnapshotRecordedAnswers.recorder_db_url = "sqlite:///$RECORDER_DB"
EOF
grep -q "CourseRecorder.scenarios_dir" "$COURSE_DIR/nbgrader_config.py" || cat >>"$COURSE_DIR/nbgrader_config.py" <<EOF
# ---- deploy/hub: graded scenarios are played on the recorder, published here by course release ----
c.CourseRecorder.scenarios_dir = "$RECORDER_SCENARIOS"
EOF

if [ -n "$ROSTER" ]; then
  say "roster $ROSTER -> $COURSE_DIR/roster.csv (course grades takes names and emails from it)"
  install -m 600 "$ROSTER" "$COURSE_DIR/roster.csv"      # names and emails: the instructor's alone
fi
chown -R "$INSTRUCTOR:$INSTRUCTOR" "$COURSE_DIR"
chmod 700 "$COURSE_DIR"          # keys/ and the gradebook are the instructor's alone

# ---- 6. nbgrader's exchange -------------------------------------------------------------------
# nbgrader's docs: the exchange root must exist and be writable by everyone (nbgrader checks it
# on every fetch and submit). It is made 1777 (sticky, like /tmp) and the course's folder is made
# here, owned by the instructor, so no student can create, rename or take over the course folder;
# `course release` (as the instructor) makes outbound (755), inbound (733: students drop
# submissions, cannot list them) and feedback (711: a student fetches a file by its hash) inside.
# Folders made here on the way to the exchange (e.g. /srv/nbgrader) are noted so that remove.sh
# removes them again (when empty), and only them.
made="$EXCHANGE"; top_made=""
while [ ! -e "$made" ] && [ "$made" != / ]; do top_made="$made"; made="$(dirname "$made")"; done
[ -z "$top_made" ] || echo "$top_made" >>"$PREFIX/state/made-dirs"
mkdir -p "$EXCHANGE/$COURSE_ID"
chown root:root "$EXCHANGE"; chmod 1777 "$EXCHANGE"
chown "$INSTRUCTOR:$INSTRUCTOR" "$EXCHANGE/$COURSE_ID"; chmod 755 "$EXCHANGE/$COURSE_ID"
# The inbound is made here, sticky (1733), before nbgrader would make it 733 without the bit:
# students drop submissions and cannot list them, and nobody renames a folder that is not theirs
# (a sealed submission is the instructor's). The sealing service keeps the bit set.
mkdir -p "$EXCHANGE/$COURSE_ID/inbound"
chown "$INSTRUCTOR:$INSTRUCTOR" "$EXCHANGE/$COURSE_ID/inbound"; chmod 1733 "$EXCHANGE/$COURSE_ID/inbound"
mkdir -p "$VENV/etc/jupyter"
cat >"$VENV/etc/jupyter/nbgrader_config.py" <<EOF
# deploy/hub: every user's nbgrader (Assignment List) finds the course and the exchange here.
c = get_config()
c.CourseDirectory.course_id = "$COURSE_ID"
c.Exchange.root = "$EXCHANGE"
EOF
if [ -n "$RELEASE" ]; then
  IFS=',' read -r -a RELEASE_LIST <<<"$RELEASE"
  (cd "$COURSE_DIR" && runuser -u "$INSTRUCTOR" -- env HOME="$INSTRUCTOR_HOME" PATH="$VENV/bin:$PATH" \
     "$VENV/bin/course" release "${RELEASE_LIST[@]}")
fi

# ---- 7. The hub's configuration ---------------------------------------------------------------
install -m 644 "$HERE/jupyterhub_config.py" "$PREFIX/etc/jupyterhub_config.py"
install -m 755 "$HERE/seal_submissions.py" "$PREFIX/bin/seal_submissions.py"
install -m 644 "$HERE/login_limit.py" "$PREFIX/bin/login_limit.py"
install -m 644 "$HERE/grader_only.py" "$PREFIX/bin/grader_only.py"
install -m 644 "$HERE/limited_spawner.py" "$PREFIX/bin/limited_spawner.py"
install -m 644 "$HERE/kernel_sockets.py" "$PREFIX/bin/kernel_sockets.py"
# Students' kernels use Unix sockets under /run/course-hub-NAME/UID (kernel_sockets.py): the path must fit.
"$VENV/bin/python" "$PREFIX/bin/kernel_sockets.py" "course-hub-$(basename "$PREFIX")" || exit 2
# Memory and CPU limits need a writable cgroup hierarchy (limited_spawner.py); say so now, not at
# the first student's login.
if [ "$MEM_LIMIT" != 0 ] || [ "$CPU_LIMIT" != 0 ]; then
  PYTHONPATH="$PREFIX/bin" "$VENV/bin/python" -c 'import limited_spawner as l, sys; sys.exit(l.cgroup_version() == 0)' || {
    echo "--mem-limit/--cpu-limit: no writable cgroup hierarchy under /sys/fs/cgroup on this machine;" >&2
    echo "  run with --mem-limit 0 --cpu-limit 0 to go without limits" >&2; exit 2; }
fi
# hub.json holds the class list: root's alone (the hub reads it as root; nothing else does).
rm -f "$PREFIX/etc/hub.json"
(umask 077; "$VENV/bin/python" - "$PREFIX/etc/hub.json" <<EOF
import json, sys
json.dump({
    "prefix": "$PREFIX", "venv": "$VENV", "exchange": "$EXCHANGE",
    "course_id": "$COURSE_ID", "course_dir": "$COURSE_DIR", "instructor": "$INSTRUCTOR",
    "students": "$STUDENTS".split(","), "ip": "$IP", "port": $PORT, "hub_port": $HUB_PORT,
    "proxy_api_port": $PROXY_API_PORT, "formgrader_port": $FORMGRADER_PORT,
    "instructor_config": "$INSTRUCTOR_CONFIG", "tls": bool("$TLS_CERT"), "cull_idle_seconds": $CULL_SECONDS,
    "graders": [name for name in "$GRADERS".split(",") if name], "grading_port": $GRADING_PORT,
    "grading_config": "$GRADING_CONFIG", "mem_limit": "$MEM_LIMIT", "cpu_limit": float("$CPU_LIMIT"),
    "cgroup_parent": "course-hub-$(basename "$PREFIX")",
    "proxy_token_file": "$PREFIX/state/proxy_token",
    "recorder_port": $RECORDER_PORT, "recorder_user": "$RECORDER_USER", "recorder_db": "$RECORDER_DB", "recorder_scenarios": "$RECORDER_SCENARIOS",
}, open(sys.argv[1], "w"), indent=2)
EOF
)
chown root:root "$PREFIX/etc/hub.json"; chmod 600 "$PREFIX/etc/hub.json"

SCHEME=http; [ -z "$TLS_CERT" ] || SCHEME=https
say "ready in $(( $(date +%s) - T0 )) s: hub at $SCHEME://$IP:$PORT/ (logins in $PASSWORDS, root only)"
say "instructor: course release|collect|autograde|feedback in $COURSE_DIR; formgrader at /services/formgrader/"
[ -z "$GRADERS" ] || say "graders ($GRADERS): grading at /services/grading/ (scores and comments only)"
[ "$SETUP_ONLY" = 1 ] && exit 0

# ---- 8. The proxy, on its own: a restart of the hub leaves it (and students' servers) running -----
TOKEN_FILE="$PREFIX/state/proxy_token"
[ -s "$TOKEN_FILE" ] || (umask 077; "$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(32))' >"$TOKEN_FILE")
PROXY_PID_FILE="$PREFIX/state/proxy.pid"
proxy_args=(--ip "$IP" --port "$PORT" --api-ip 127.0.0.1 --api-port "$PROXY_API_PORT"
            --error-target "http://127.0.0.1:$HUB_PORT/hub/error")
[ -z "$TLS_CERT" ] || proxy_args+=(--ssl-cert "$TLS_CERT" --ssl-key "$TLS_KEY")
proxy_pid="$(cat "$PROXY_PID_FILE" 2>/dev/null || true)"
if [ -n "$proxy_pid" ] && kill -0 "$proxy_pid" 2>/dev/null \
   && [ "$(tr '\0' '\n' <"/proc/$proxy_pid/cmdline" | tail -n +3)" = "$(printf '%s\n' "${proxy_args[@]}")" ]; then
  say "the proxy is running already (pid $proxy_pid): kept"
else
  if [ -n "$proxy_pid" ] && kill -0 "$proxy_pid" 2>/dev/null \
     && tr '\0' ' ' <"/proc/$proxy_pid/cmdline" | grep -q configurable-http-proxy; then
    say "the proxy's options changed (ports, TLS): restarting it (pid $proxy_pid)"
    kill -TERM "$proxy_pid"
    for _ in $(seq 50); do kill -0 "$proxy_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  # The token goes through the environment, never the command line (ps shows that to everyone).
  ( export CONFIGPROXY_AUTH_TOKEN="$(cat "$TOKEN_FILE")"
    exec setsid "$CHP" "${proxy_args[@]}" >>"$PREFIX/state/proxy.log" 2>&1 </dev/null 9>&- ) &
  echo $! >"$PROXY_PID_FILE"
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_API_PORT") 2>/dev/null && break
    kill -0 "$(cat "$PROXY_PID_FILE")" 2>/dev/null || { tail -20 "$PREFIX/state/proxy.log" >&2; exit 1; }
    sleep 0.1
  done
  say "proxy started (pid $(cat "$PROXY_PID_FILE"), log $PREFIX/state/proxy.log)"
fi
cd "$PREFIX/state"
exec "$VENV/bin/jupyterhub" -f "$PREFIX/etc/jupyterhub_config.py"
