"""JupyterHub configuration for a class (deploy/hub/start.sh writes hub.json beside this file).

- First-use authenticator (passwords seeded by start.sh), only the roster may log in.
- LocalProcessSpawner: each user's server runs as that Unix user, from the venv under /opt.
- Students: the Assignment List; the instructor panels are off (venv config). The instructor's
  server and the formgrader service use a config folder that turns them back on.
- formgrader as a Hub service, run as the instructor in the course directory; only the
  `instructors` group may open it (/services/formgrader/, in its own tab).
- Teaching assistants (start.sh --graders): hub accounts with no server, in the group `graders`,
  who may open the `grading` service alone: formgrader behind grader_only.py (scores, comments
  and flags; nothing the instructor does, no terminal, no contents), as the instructor.
- Students' servers run in a cgroup each with a memory and CPU limit (limited_spawner.py), and an
  idle culler stops idle ones (start.sh --cull-idle). Their kernels use Unix sockets in a folder of
  their own, not TCP ports, which collide when a class starts at once (kernel_sockets.py).
- A second service, run by the hub as root, seals each submission in the exchange's inbound.
- Failed logins are limited per user name and per address (login_limit.py, beside the sealer).
- A restart leaves students' servers running: the proxy runs on its own (start.sh starts it) and
  the hub does not stop the servers when it stops; the next hub takes them over.
- hub.json (the class list) is root's alone: this file is read by the hub, as root.
"""
import json
import os
import pwd
import signal
import sys

from tornado import web

c = get_config()  # noqa: F821

HERE = os.path.dirname(os.path.abspath(__file__))
S = json.load(open(os.path.join(HERE, "hub.json")))
VENV = S["venv"]
STATE = os.path.join(S["prefix"], "state")
INSTRUCTOR = S["instructor"]
GRADERS = list(S.get("graders", []))
PATH = f"{VENV}/bin:/usr/local/bin:/usr/bin:/bin"
# In every server's environment: /etc/profile.d/course-hub-*.sh (start.sh) puts the venv's bin/
# back on the PATH of a login shell (a JupyterLab terminal) when it sees this.
HUB_ENV = {"PATH": PATH, "COURSE_HUB_PREFIX": S["prefix"]}

c.JupyterHub.bind_url = f"{'https' if S.get('tls') else 'http'}://{S['ip']}:{S['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = S["hub_port"]
# The proxy runs on its own (start.sh starts it, with the TLS certificate when there is one), so
# that stopping or restarting the hub leaves it, and every student's connection, up.
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{S['proxy_api_port']}"
c.ConfigurableHTTPProxy.auth_token = open(S["proxy_token_file"]).read().strip()
c.JupyterHub.cleanup_servers = False
c.JupyterHub.cleanup_proxy = False
c.JupyterHub.db_url = "sqlite:///" + os.path.join(STATE, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(STATE, "jupyterhub.pid")
# The hub stops each service it started with SIGINT, then SIGTERM 30 s later, then SIGKILL 30 s after
# that, one service after another; and it starts them before it installs its own signal handlers, so
# they inherit how the hub found SIGINT. Started where SIGINT is ignored (a background job of a script,
# nohup, some process managers), the formgrader and grading servers ignored it too, and a restart took
# two minutes instead of two seconds (the hub test caught it). Python's own default, set here before
# any service starts, lets them hear it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# ---- who may log in ---------------------------------------------------------------------------
sys.path.insert(0, os.path.join(S["prefix"], "bin"))
import kernel_sockets  # noqa: E402  (PREFIX/bin, beside the spawner)

c.JupyterHub.authenticator_class = "login_limit.LimitedFirstUseAuthenticator"
c.LimitedFirstUseAuthenticator.user_failure_limit = 5       # per user name, in failure_window
c.LimitedFirstUseAuthenticator.address_failure_limit = 50   # per address (a class may share one)
c.LimitedFirstUseAuthenticator.failure_window = 600         # seconds
c.LimitedFirstUseAuthenticator.lockout_seconds = 300
c.FirstUseAuthenticator.dbm_path = os.path.join(STATE, "passwords.dbm")
c.FirstUseAuthenticator.create_users = False
c.Authenticator.allowed_users = set(S["students"]) | {INSTRUCTOR} | set(GRADERS)
c.Authenticator.admin_users = {INSTRUCTOR}

c.JupyterHub.load_groups = {"instructors": {"users": [INSTRUCTOR]}, "graders": {"users": GRADERS}}
c.JupyterHub.load_roles = [
    {"name": "formgrader", "groups": ["instructors"],
     "scopes": ["access:services!service=formgrader", "list:services", "read:services!service=formgrader"]},
    {"name": "grading", "groups": ["graders"],
     "scopes": ["access:services!service=grading", "list:services", "read:services!service=grading"]},
]


def landing(handler):
    """Graders land in the grading service; everyone else at their own server (the default)."""
    user = handler.current_user
    return "/services/grading/formgrader/gradebook" if user is not None and user.name in GRADERS else ""


c.JupyterHub.default_url = landing

# ---- each user's server -------------------------------------------------------------------------
# LocalProcessSpawner, with each student's server (and its kernels) in a cgroup of its own.
c.JupyterHub.spawner_class = "limited_spawner.CgroupLocalProcessSpawner"
c.CgroupLocalProcessSpawner.cgroup_parent = S["cgroup_parent"]
c.Spawner.mem_limit = None if S["mem_limit"] == "0" else S["mem_limit"]
c.Spawner.cpu_limit = S["cpu_limit"] or None
c.Spawner.cmd = [f"{VENV}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = dict(HUB_ENV)
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def pre_spawn(spawner):
    if spawner.user.name in GRADERS:
        raise web.HTTPError(403, f"{spawner.user.name} is a grader: graders have no server here; "
                                 "grading is at /services/grading/")
    if spawner.user.name == INSTRUCTOR:
        spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": S["instructor_config"],
                               "COURSE_DIR": S["course_dir"]}
        spawner.mem_limit = spawner.cpu_limit = None   # the limits are the students'; grading runs here
    else:
        # Students' kernels on Unix sockets in a folder of their own: no kernel ports to collide
        # when a class starts at once (kernel_sockets.py says why; bench/hub_load.py measured it).
        account = pwd.getpwnam(spawner.user.name)
        folder = kernel_sockets.prepare(S["cgroup_parent"], account.pw_uid, account.pw_gid)
        environment, spawner.args = kernel_sockets.server_settings(folder, list(spawner.args))
        spawner.environment = {**spawner.environment, **environment}


c.Spawner.pre_spawn_hook = pre_spawn

# ---- services -------------------------------------------------------------------------------------
c.JupyterHub.services = [
    {
        "name": "formgrader",
        "url": f"http://127.0.0.1:{S['formgrader_port']}",
        "command": [f"{VENV}/bin/jupyterhub-singleuser", f"--port={S['formgrader_port']}", "--ip=127.0.0.1"],
        "user": INSTRUCTOR,
        "cwd": S["course_dir"],
        "environment": {**HUB_ENV, "JUPYTER_CONFIG_PATH": S["instructor_config"],
                        "JUPYTERHUB_DEFAULT_URL": "/formgrader"},
        "oauth_no_confirm": True,
        "display": True,
    },
    {
        "name": "seal-submissions",
        "command": [f"{VENV}/bin/python", os.path.join(S["prefix"], "bin", "seal_submissions.py"),
                    "--inbound", os.path.join(S["exchange"], S["course_id"], "inbound"),
                    "--owner", INSTRUCTOR],
    },
]

# ---- the course recorder (course/recorder/): each graded save is also sent, with the user's own
# hub token, to this service, which appends it for the user the hub vouches for; graded scenarios
# are played on it (published by `course release` to recorder_scenarios), one node at a time. It runs as its own
# system user; the kernels reach it on loopback (COURSE_RECORDER_URL, with JUPYTERHUB_API_TOKEN).
RECORDER_URL = f"http://127.0.0.1:{S['recorder_port']}"
c.JupyterHub.services.append({
    "name": "recorder",
    "url": RECORDER_URL,
    "command": [f"{VENV}/bin/python", "-m", "course.recorder.service", f"--port={S['recorder_port']}",
                "--ip=127.0.0.1", f"--db-url=sqlite:///{S['recorder_db']}",
                f"--scenarios={S['recorder_scenarios']}"],
    "user": S["recorder_user"],
    "cwd": os.path.dirname(S["recorder_db"]),    # the hub's own state folder is root's alone
    "environment": dict(HUB_ENV),
})
c.Spawner.environment["COURSE_RECORDER_URL"] = f"{RECORDER_URL}/services/recorder/"

# ---- the grading service for teaching assistants (start.sh --graders) ---------------------------------
# formgrader as the instructor (the gradebook and the autograded notebooks are the instructor's), in
# a server that serves grading and nothing else: grader_only.py's guard lets through the gradebook,
# submissions, scores, comments and flags, and refuses the rest; its authorizer refuses the Jupyter
# server's own API (contents, kernels, terminals) and must be importable for the service to start.
if GRADERS:
    c.JupyterHub.services.append({
        "name": "grading",
        "url": f"http://127.0.0.1:{S['grading_port']}",
        "command": [f"{VENV}/bin/jupyterhub-singleuser", f"--port={S['grading_port']}", "--ip=127.0.0.1",
                    "--ServerApp.authorizer_class=grader_only.RefuseJupyterApi", "--ServerApp.terminals_enabled=False"],
        "user": INSTRUCTOR,
        "cwd": S["course_dir"],
        "environment": {**HUB_ENV, "JUPYTER_CONFIG_PATH": S["grading_config"],
                        "PYTHONPATH": os.path.join(S["prefix"], "bin"),      # grader_only.py
                        "JUPYTERHUB_DISABLE_USER_CONFIG": "1",              # not the instructor's ~/.jupyter
                        "JUPYTERHUB_DEFAULT_URL": "/formgrader/gradebook"},
        "oauth_no_confirm": True,
        "display": True,
    })

# ---- stop idle servers (start.sh --cull-idle MINUTES, or 90s) ---------------------------------------
# The hub learns of activity from the proxy every last_activity_interval (default 300 s) and keeps
# it to activity_resolution (default 30 s): both follow the timeout, so that a short one (the hub
# test's) does not stop a server that is in use.
CULL = S.get("cull_idle_seconds", 0)
if CULL:
    c.JupyterHub.last_activity_interval = min(300, max(10, CULL // 6))
    c.JupyterHub.activity_resolution = min(30, max(5, CULL // 6))
    c.JupyterHub.services.append({
        "name": "idle-culler",
        "command": [f"{VENV}/bin/python", "-m", "jupyterhub_idle_culler", f"--timeout={CULL}",
                    f"--cull-every={max(10, CULL // 4)}"],
    })
    c.JupyterHub.load_roles.append({
        "name": "idle-culler", "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    })
