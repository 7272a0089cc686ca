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


class RecorderClient:
    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/") + "/api/records"
        self.token = token

    @classmethod
    def from_environment(cls) -> "RecorderClient | None":
        url, token = os.environ.get("COURSE_RECORDER_URL"), os.environ.get("JUPYTERHUB_API_TOKEN")
        return cls(url, token) if url and token else None

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
            raise RecorderError(f"the course server refused it ({exc.code}: {reason})") from None
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
