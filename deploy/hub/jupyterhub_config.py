"""JupyterHub configuration for a class (deploy/hub/start.sh writes hub.json beside this file).

- First-use authenticator (passwords seeded by start.sh), only the roster may log in.
- LocalProcessSpawner: each user's server runs as that Unix user, from the venv under /opt.
- Students: the Assignment List; the instructor panels are off (venv config). The instructor's
  server and the formgrader service use a config folder that turns them back on.
- formgrader as a Hub service, run as the instructor in the course directory; only the
  `instructors` group may open it (/services/formgrader/, in its own tab).
- A second service, run by the hub as root, seals each submission in the exchange's inbound.
- Failed logins are limited per user name and per address (login_limit.py, beside the sealer).
- A restart leaves students' servers running: the proxy runs on its own (start.sh starts it) and
  the hub does not stop the servers when it stops; the next hub takes them over.
- hub.json (the class list) is root's alone: this file is read by the hub, as root.
"""
import json
import os
import sys

c = get_config()  # noqa: F821

HERE = os.path.dirname(os.path.abspath(__file__))
S = json.load(open(os.path.join(HERE, "hub.json")))
VENV = S["venv"]
STATE = os.path.join(S["prefix"], "state")
INSTRUCTOR = S["instructor"]
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

# ---- who may log in ---------------------------------------------------------------------------
sys.path.insert(0, os.path.join(S["prefix"], "bin"))
c.JupyterHub.authenticator_class = "login_limit.LimitedFirstUseAuthenticator"
c.LimitedFirstUseAuthenticator.user_failure_limit = 5       # per user name, in failure_window
c.LimitedFirstUseAuthenticator.address_failure_limit = 50   # per address (a class may share one)
c.LimitedFirstUseAuthenticator.failure_window = 600         # seconds
c.LimitedFirstUseAuthenticator.lockout_seconds = 300
c.FirstUseAuthenticator.dbm_path = os.path.join(STATE, "passwords.dbm")
c.FirstUseAuthenticator.create_users = False
c.Authenticator.allowed_users = set(S["students"]) | {INSTRUCTOR}
c.Authenticator.admin_users = {INSTRUCTOR}

c.JupyterHub.load_groups = {"instructors": {"users": [INSTRUCTOR]}}
c.JupyterHub.load_roles = [
    {"name": "formgrader", "groups": ["instructors"],
     "scopes": ["access:services!service=formgrader", "list:services", "read:services!service=formgrader"]},
]

# ---- each user's server -------------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [f"{VENV}/bin/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = dict(HUB_ENV)
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def pre_spawn(spawner):
    if spawner.user.name == INSTRUCTOR:
        spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": S["instructor_config"],
                               "COURSE_DIR": S["course_dir"]}


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

# ---- stop idle servers (start.sh --cull-idle MINUTES) -------------------------------------------------
if S.get("cull_idle_minutes"):
    c.JupyterHub.services.append({
        "name": "idle-culler",
        "command": [f"{VENV}/bin/python", "-m", "jupyterhub_idle_culler", f"--timeout={60 * S['cull_idle_minutes']}"],
    })
    c.JupyterHub.load_roles.append({
        "name": "idle-culler", "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    })
