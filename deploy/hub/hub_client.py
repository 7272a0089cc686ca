"""A student of the class hub over plain HTTP: log in through the hub's form, wait for the server,
call its REST API, and run code in a kernel over the kernel websocket, as JupyterLab does.

Used by bench/hub_load.py (a class at size) and tests/browser/test_hub.py (limits per student).
Needs `requests` and `websocket-client` (both come with Jupyter).
"""
from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlparse

import requests
import urllib3
import websocket
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # loopback, a self-signed certificate


class KernelDied(RuntimeError):
    """The kernel died (or restarted) while running a request."""


class HubUser:
    def __init__(self, url: str, name: str, password: str, timeout: float = 120):
        self.url = url.rstrip("/")
        self.name = name
        self.password = password
        self.timeout = timeout
        self.session = requests.Session()
        self.session.verify = False     # a self-signed --tls-cert on loopback
        self.session.trust_env = False  # or REQUESTS_CA_BUNDLE would override verify, and a proxy apply
        # The hub's proxy (Node) closes a kept-alive connection after 5 s idle; a request sent on it
        # as it closes gets no answer ("Remote end closed connection without response"). A browser
        # sends an idempotent request again on a fresh connection; so does this client, once. POST
        # is never sent twice, and a refused connection or an error status is not retried.
        again = Retry(total=1, connect=0, read=1, status=0, other=0, redirect=0,
                      allowed_methods=Retry.DEFAULT_ALLOWED_METHODS, raise_on_status=False)
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, HTTPAdapter(max_retries=again))

    def xsrf(self, path: str) -> str:
        """The _xsrf cookie that applies to `path` (the hub's and the server's differ)."""
        best = ""
        for cookie in sorted(self.session.cookies, key=lambda c: len(c.path or "")):
            if cookie.name == "_xsrf" and path.startswith(cookie.path or "/"):
                best = cookie.value
        return best

    def log_in(self) -> requests.Response:
        """The hub's login form, as a browser posts it; the hub then starts the server."""
        self.session.get(f"{self.url}/hub/login", timeout=self.timeout).raise_for_status()
        response = self.session.post(f"{self.url}/hub/login", timeout=self.timeout, allow_redirects=False,
                                     data={"username": self.name, "password": self.password,
                                           "_xsrf": self.xsrf("/hub/login")})
        if response.status_code != 302:
            raise RuntimeError(f"{self.name}: login answered {response.status_code}")
        return response

    def wait_for_server(self, timeout: float) -> None:
        """Until /user/NAME/lab answers: the server is up and its OAuth cookie is set."""
        deadline = time.monotonic() + timeout
        spawn = self.session.get(f"{self.url}/hub/spawn", timeout=self.timeout)  # starts it if not started
        spawn.raise_for_status()
        while True:
            response = self.session.get(f"{self.url}/user/{self.name}/lab", timeout=self.timeout)
            if response.status_code == 200 and urlparse(response.url).path.startswith(f"/user/{self.name}/lab"):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: no server after {timeout:.0f} s ({response.status_code} {response.url})")
            time.sleep(1)

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A request to the user's own server, /user/NAME/PATH, with its XSRF header."""
        full = f"/user/{self.name}/{path.lstrip('/')}"
        headers = {"X-XSRFToken": self.xsrf(full), **kwargs.pop("headers", {})}
        return self.session.request(method, self.url + full, headers=headers, timeout=self.timeout, **kwargs)

    def open_notebook(self, path: str) -> tuple[dict, str]:
        """The notebook's content and a kernel for it (a session, as JupyterLab opens a notebook)."""
        content = self.api("GET", f"api/contents/{path}", params={"content": 1})
        content.raise_for_status()
        session = self.api("POST", "api/sessions", json={"path": path, "name": path.rsplit("/", 1)[-1],
                                                          "type": "notebook", "kernel": {"name": "python3"}})
        session.raise_for_status()
        return content.json()["content"], session.json()["kernel"]["id"]

    def start_kernel(self) -> str:
        response = self.api("POST", "api/kernels", json={"name": "python3"})
        response.raise_for_status()
        return response.json()["id"]

    def kernel(self, kernel_id: str) -> "Kernel":
        return Kernel(self, kernel_id)


class Kernel:
    """One kernel's websocket channels (Jupyter's JSON websocket protocol)."""

    def __init__(self, user: HubUser, kernel_id: str):
        scheme = "wss" if user.url.startswith("https") else "ws"
        path = f"/user/{user.name}/api/kernels/{kernel_id}/channels"
        cookies = "; ".join(f"{c.name}={c.value}" for c in user.session.cookies)
        self.session_id = uuid.uuid4().hex
        self.socket = websocket.create_connection(
            f"{scheme}://{urlparse(user.url).netloc}{path}?session_id={self.session_id}",
            header=[f"Cookie: {cookies}", f"X-XSRFToken: {user.xsrf(path)}"], origin=user.url,
            sslopt={"cert_reqs": 0}, timeout=user.timeout)

    def request(self, msg_type: str, content: dict, timeout: float) -> dict:
        """Send a shell request; return its reply's content (errors raised by the caller's choice)."""
        msg_id = uuid.uuid4().hex
        self.socket.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "", "session": self.session_id,
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []}))
        deadline = time.monotonic() + timeout
        while True:
            self.socket.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                raise TimeoutError(f"no {msg_type} reply in {timeout:.0f} s") from None
            except websocket.WebSocketConnectionClosedException:
                raise KernelDied("the kernel's websocket closed") from None
            if message.get("msg_type") == "status" and message["content"].get("execution_state") in ("restarting", "dead"):
                raise KernelDied(f"the kernel is {message['content']['execution_state']}")
            if message.get("channel") == "shell" and message.get("parent_header", {}).get("msg_id") == msg_id:
                return message["content"]

    def kernel_info(self, timeout: float) -> dict:
        return self.request("kernel_info_request", {}, timeout)

    def execute(self, code: str, timeout: float) -> dict:
        return self.request("execute_request", {"code": code, "silent": False, "store_history": True,
                                                "user_expressions": {}, "allow_stdin": False,
                                                "stop_on_error": True}, timeout)

    def close(self) -> None:
        self.socket.close()
