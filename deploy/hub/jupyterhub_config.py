"""JupyterHub configuration for a class (deploy/hub/start.sh writes hub.json beside this file).

- First-use authenticator (passwords seeded by start.sh), only the roster may log in.
- LocalProcessSpawner: each user's server runs as that Unix user, from the venv under /opt.
- Students: the Assignment List; the instructor panels are off (venv config). The instructor's
  server and the formgrader service use a config folder that turns them back on.
- formgrader as a Hub service, run as the instructor in the course directory; only the
  `instructors` group may open it (/services/formgrader/, in its own tab).
- A second service, run by the hub as root, seals each submission in the exchange's inbound.
"""
import json
import os

c = get_config()  # noqa: F821

HERE = os.path.dirname(os.path.abspath(__file__))
S = json.load(open(os.path.join(HERE, "hub.json")))
VENV = S["venv"]
STATE = os.path.join(S["prefix"], "state")
INSTRUCTOR = S["instructor"]
PATH = f"{VENV}/bin:/usr/local/bin:/usr/bin:/bin"

c.JupyterHub.bind_url = f"http://{S['ip']}:{S['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = S["hub_port"]
c.ConfigurableHTTPProxy.command = [S["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{S['proxy_api_port']}"
c.JupyterHub.db_url = "sqlite:///" + os.path.join(STATE, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(STATE, "jupyterhub.pid")

# ---- who may log in ---------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
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
c.Spawner.environment = {"PATH": PATH}
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
        "environment": {"PATH": PATH, "JUPYTER_CONFIG_PATH": S["instructor_config"],
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
