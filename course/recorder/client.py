"""The kernel's side of the recorder: send each graded save, with the user's own hub token.

Configured by the hub, never by the student: the spawner sets COURSE_RECORDER_URL (the service's
address on loopback) and JupyterHub sets JUPYTERHUB_API_TOKEN in every user's server, whose
kernels inherit both. Without them (a laptop) `from_environment()` is None and nothing is sent.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

TIMEOUT = 10.0


class RecorderError(Exception):
    """The recorder did not keep a save; the message says why, in the student's words."""

    def __init__(self, message: str, status: int | None = None, reason: str = ""):
        super().__init__(message)
        self.status = status
        self.reason = reason


class RecorderClient:
    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/") + "/api/records"
        self.token = token

    @classmethod
    def from_environment(cls) -> "RecorderClient | None":
        url, token = os.environ.get("COURSE_RECORDER_URL"), os.environ.get("JUPYTERHUB_API_TOKEN")
        return cls(url, token) if url and token else None

    @property
    def play_url(self) -> str:
        return self.url.removesuffix("records") + "play"

    def _call(self, request: urllib.request.Request) -> dict:
        request.add_header("Authorization", f"token {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                reason = json.loads(exc.read() or b"{}").get("error") or exc.reason
            except ValueError:
                reason = exc.reason
            raise RecorderError(f"the course server refused it ({exc.code}: {reason})", exc.code, str(reason)) from None
        except (urllib.error.URLError, OSError) as exc:
            raise RecorderError(f"the course server could not be reached ({getattr(exc, 'reason', exc)})") from None

    def send(self, lesson: str, item: str, kind: str, mode: str, value: Any) -> dict:
        body = json.dumps({"lesson": lesson, "item": item, "kind": kind, "mode": mode, "value": value}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        return self._call(request)

    def mine(self, lesson: str | None = None) -> list[dict]:
        query = f"?{urllib.parse.urlencode({'lesson': lesson})}" if lesson else ""
        return self._call(urllib.request.Request(self.url + query))["records"]

    def play(self, lesson: str, item: str, action: str, choice: str | None = None) -> dict:
        """One step of a graded scenario played on the server: {"header", "view"}."""
        body = json.dumps({"lesson": lesson, "item": item, "action": action, "choice": choice}).encode()
        return self._call(urllib.request.Request(self.play_url, data=body, method="POST",
                                                 headers={"Content-Type": "application/json"}))


class RemoteScenarioPlay:
    """A graded scenario played on the course recorder: the same interface as
    `course.scenarios.play.ScenarioPlay`, holding only the view the server sent (the node the
    student is at, its choices, the state): the graph never reaches the kernel."""

    remote = True

    def __init__(self, client: RecorderClient, lesson: str, item: str):
        self.client, self.lesson, self.item = client, lesson, item
        data = self._step("view")
        self.header = data["header"]

    @classmethod
    def open(cls, lesson: str, item: str) -> "RemoteScenarioPlay | None":
        """The recorder's play of this item, or None when there is no recorder (a laptop) or it
        does not play this item (a practice scenario, or a course that releases its scenarios)."""
        client = RecorderClient.from_environment()
        if client is None:
            return None
        try:
            return cls(client, lesson, item)
        except RecorderError as exc:
            if exc.status == 404:
                return None
            raise

    def _step(self, action: str, choice: str | None = None) -> dict:
        from ..scenarios.play import NodeView, PlayRefused

        try:
            data = self.client.play(self.lesson, self.item, action, choice)
        except RecorderError as exc:
            if exc.status == 409:
                raise PlayRefused(exc.reason) from None
            raise
        try:
            self._view = NodeView.from_json(data["view"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RecorderError(f"the course server sent something that is not a scenario view ({exc})") from None
        return data

    def view(self):
        return self._view

    def choose(self, choice_id: str):
        self._step("choose", choice_id)
        return self._view

    def restart(self):
        self._step("restart")
        return self._view

    def restore(self, _value) -> "RemoteScenarioPlay":
        """The server's play is the truth: the answers file's copy is not sent back."""
        self._step("view")
        return self
