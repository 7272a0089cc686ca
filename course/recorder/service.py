"""The recorder as a JupyterHub service: an HTTP API on loopback, run as its own user.

    python -m course.recorder.service --port 10101 --db-url sqlite:////srv/course-recorder/records.db

Every request carries the user's own hub token (`Authorization: token ...`, the
JUPYTERHUB_API_TOKEN a student's server and kernels have). The service asks the hub whose token
it is (`GET {hub api}/user`, which needs no scope) and acts for that user only:

- `POST /api/records` {lesson, item, kind, mode, value}: a graded save, appended with the
  server's time; a practice save is acknowledged and not kept;
- `GET /api/records?lesson=L`: the caller's own records, oldest first;
- `POST /api/play` {lesson, item, action: view|choose|restart, choice}: one step of a graded
  scenario played here (course/recorder/plays.py); the answer is the node the student is at,
  never the scenario. An item played here is never saved through /api/records.

There is no way to name another user, to change a record or to delete one. The hub's answer is
cached for a minute per token, so a class saving at once costs the hub one call per student.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import time

from tornado import httpclient, ioloop, web

from ..scenarios.play import PlayRefused
from .plays import ACTIONS, SAFE_ID, NotPlayedHere, PublishedScenarios, play_step
from .store import RecordStore

log = logging.getLogger("course.recorder")

SAFE_KIND = re.compile(r"^[a-z][a-z_]{0,31}$")
MODES = ("graded", "practice")
MAX_BODY = 256 * 1024          # a scenario's attempts are a few kilobytes
IDENTITY_TTL = 60.0


class HubIdentity:
    """Who owns a hub token, as the hub says (cached briefly)."""

    def __init__(self, hub_api_url: str):
        self.url = hub_api_url.rstrip("/") + "/user"
        self.cache: dict[str, tuple[float, str | None]] = {}
        self.client = httpclient.AsyncHTTPClient()

    async def user_for(self, token: str) -> str | None:
        now = time.monotonic()
        hit = self.cache.get(token)
        if hit and hit[0] > now:
            return hit[1]
        try:
            response = await self.client.fetch(self.url, headers={"Authorization": f"token {token}"},
                                               request_timeout=10, raise_error=False)
        except OSError as exc:
            raise web.HTTPError(503, f"the hub cannot be reached to check who you are ({exc})") from None
        name = None
        if response.code == 200:
            model = json.loads(response.body or b"{}")
            if model.get("kind", "user") == "user":   # a service's token is not a student
                name = model.get("name")
        elif response.code >= 500:
            raise web.HTTPError(503, "the hub could not say who you are; try again")
        if len(self.cache) > 10_000:
            self.cache.clear()
        self.cache[token] = (now + IDENTITY_TTL, name)
        return name


class RecorderHandler(web.RequestHandler):
    """What both endpoints share: the caller is who the hub says their token belongs to."""

    def initialize(self, store: RecordStore, identity: HubIdentity, scenarios: PublishedScenarios):
        self.store = store
        self.identity = identity
        self.scenarios = scenarios

    def write_error(self, status_code, **kwargs):
        exc = kwargs.get("exc_info", (None, None))[1]
        message = getattr(exc, "log_message", None) or self._reason
        self.finish({"error": message})

    async def prepare(self):
        header = self.request.headers.get("Authorization", "")
        token = header[len("token "):].strip() if header.startswith("token ") else ""
        if not token:
            raise web.HTTPError(401, "no hub token: this API is for the course's notebooks on the hub")
        self.user = await self.identity.user_for(token)
        if not self.user:
            raise web.HTTPError(403, "the hub does not know this token")

    def json_body(self) -> dict:
        if len(self.request.body) > MAX_BODY:
            raise web.HTTPError(413, f"a record is at most {MAX_BODY} bytes")
        try:
            body = json.loads(self.request.body)
        except (ValueError, UnicodeDecodeError):
            raise web.HTTPError(400, "the body must be JSON") from None
        if not isinstance(body, dict):
            raise web.HTTPError(400, "the body must be a JSON object")
        return body


class RecordsHandler(RecorderHandler):
    def get(self):
        lesson = self.get_query_argument("lesson", None)
        if lesson is not None and not SAFE_ID.match(lesson):
            raise web.HTTPError(400, "lesson must be a lesson id")
        self.finish({"user": self.user,
                     "records": [r.as_json() for r in self.store.records(self.user, lesson)]})

    def post(self):
        body = self.json_body()
        problems = [f"{field} must be {what}" for field, ok, what in (
            ("lesson", SAFE_ID.match(str(body.get("lesson", ""))), "a lesson id"),
            ("item", SAFE_ID.match(str(body.get("item", ""))), "an item id"),
            ("kind", SAFE_KIND.match(str(body.get("kind", ""))), "an item kind"),
            ("mode", body.get("mode") in MODES, "graded or practice"),
            ("value", "value" in body, "present")) if not ok]
        if problems:
            raise web.HTTPError(400, "; ".join(problems))
        if self.scenarios.plays(body["lesson"], body["item"]):
            # its moves are played and recorded here; a value sent whole would be a forged attempt
            raise web.HTTPError(409, f"{body['item']} is a graded scenario played on the course server; "
                                     f"its moves are recorded as they are played")
        if body["mode"] != "graded":
            self.set_status(202)
            return self.finish({"kept": False})
        record = self.store.append(self.user, body["lesson"], body["item"], body["kind"], "graded", body["value"])
        log.info("recorded %s %s/%s #%d", self.user, record.lesson, record.item, record.seq)
        self.set_status(201)
        self.finish({"kept": True, "seq": record.seq, "recorded_at": record.recorded_at})


class PlayHandler(RecorderHandler):
    def post(self):
        body = self.json_body()
        lesson, item, action, choice = (body.get(k) for k in ("lesson", "item", "action", "choice"))
        problems = [f"{field} must be {what}" for field, ok, what in (
            ("lesson", SAFE_ID.match(str(lesson or "")), "a lesson id"),
            ("item", SAFE_ID.match(str(item or "")), "an item id"),
            ("action", action in ACTIONS, " or ".join(ACTIONS)),
            ("choice", action != "choose" or SAFE_ID.match(str(choice or "")), "a choice id")) if not ok]
        if problems:
            raise web.HTTPError(400, "; ".join(problems))
        try:
            answer = play_step(self.store, self.scenarios, self.user, lesson, item, action, choice)
        except NotPlayedHere as exc:
            raise web.HTTPError(404, str(exc)) from None
        except PlayRefused as exc:
            raise web.HTTPError(409, str(exc)) from None
        if action != "view":
            log.info("played %s %s/%s %s %s", self.user, lesson, item, action, choice or "")
        self.finish(answer)


def make_app(store: RecordStore, hub_api_url: str, prefix: str = "/",
             scenarios_dir: str | None = None) -> web.Application:
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    shared = {"store": store, "identity": HubIdentity(hub_api_url), "scenarios": PublishedScenarios(scenarios_dir)}
    return web.Application([(rf"{re.escape(prefix)}api/records", RecordsHandler, shared),
                            (rf"{re.escape(prefix)}api/play", PlayHandler, shared)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The course recorder (a JupyterHub service).")
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db-url", required=True, help="sqlite:///PATH or postgresql://...")
    parser.add_argument("--hub-api-url", default=os.environ.get("JUPYTERHUB_API_URL", ""),
                        help="the hub's API (default: $JUPYTERHUB_API_URL, set by the hub)")
    parser.add_argument("--scenarios", default=None,
                        help="the folder the instructor publishes graded scenarios to (<lesson>/<item>.yaml)")
    parser.add_argument("--prefix", default=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"))
    args = parser.parse_args(argv)
    if not args.hub_api_url:
        parser.error("no hub API URL: run it as a JupyterHub service or give --hub-api-url")
    logging.basicConfig(level=logging.INFO, format="[course-recorder] %(message)s")
    # The store is the recorder's to write; the instructor's group may read it (to grade), nobody else.
    os.umask(0o027)
    store = RecordStore(args.db_url)
    make_app(store, args.hub_api_url, args.prefix, args.scenarios).listen(args.port, address=args.ip)
    log.info("recording to %s on %s:%d (hub %s)", args.db_url.split("@")[-1], args.ip, args.port, args.hub_api_url)
    ioloop.IOLoop.current().start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
