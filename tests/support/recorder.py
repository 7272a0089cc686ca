"""A running course recorder for tests: the real tornado service on loopback with a real
SQLite store, and a stand-in for JupyterHub's `GET /hub/api/user` that knows two students'
tokens (the class hub test drives the real JupyterHub)."""
from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path
from types import SimpleNamespace

from tornado import httpserver, web

TOKENS = {"alice-token": "alice", "bob-token": "bob", "service-token": None}


class HubUser(web.RequestHandler):
    """What JupyterHub's `GET /hub/api/user` answers: the token's owner, or 403."""

    def get(self):
        token = self.request.headers.get("Authorization", "").removeprefix("token ")
        if token not in TOKENS:
            raise web.HTTPError(403)
        name = TOKENS[token]
        self.finish({"kind": "user", "name": name} if name else {"kind": "service", "name": "other-service"})


def _port(server) -> int:
    return next(iter(server._sockets.values())).getsockname()[1]  # noqa: SLF001


@contextlib.contextmanager
def running_recorder(folder: Path, scenarios_dir: Path | None = None):
    """Yields .url (the service, as COURSE_RECORDER_URL), .db_url and .hub_api."""
    from course.recorder.service import make_app
    from course.recorder.store import RecordStore

    db_url = f"sqlite:///{folder / 'records.db'}"
    ready = threading.Event()
    state = {}

    def serve():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        hub = httpserver.HTTPServer(web.Application([(r"/hub/api/user", HubUser)]))
        hub.listen(0, "127.0.0.1")
        state["hub_api"] = f"http://127.0.0.1:{_port(hub)}/hub/api"
        app = make_app(RecordStore(db_url), state["hub_api"], "/services/recorder/",
                       str(scenarios_dir) if scenarios_dir else None)
        server = httpserver.HTTPServer(app)
        server.listen(0, "127.0.0.1")
        state["port"] = _port(server)
        state["loop"] = loop
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{state['port']}/services/recorder/", db_url=db_url,
                              hub_api=state["hub_api"])
    finally:
        state["loop"].call_soon_threadsafe(state["loop"].stop)
        thread.join(5)
