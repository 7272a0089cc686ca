"""deploy/hub/hub_client.py (the hub test's and the load benchmark's student over HTTP) against a server
that does what the hub's Node proxy does when a kept-alive connection's idle timer runs out just as the
client reuses it: the request arrives and the connection closes with no answer. CI's hub test failed
once on exactly that (`RemoteDisconnected` on a GET after a kernel ran for a few seconds)."""
from __future__ import annotations

import socket
import threading

import pytest
import requests

from tests.support.hub import hub_module


class ClosesReusedConnections:
    """Answers the first request on each connection (keep-alive) and closes the connection, unanswered,
    when a second request arrives on it. `seen` lists (connection number, method) per request."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.seen: list[tuple[int, str]] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        number = 0
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            number += 1
            threading.Thread(target=self.answer, args=(connection, number), daemon=True).start()

    def answer(self, connection: socket.socket, number: int):
        with connection, connection.makefile("rb") as stream:
            for index in range(2):
                head = stream.readline()
                if not head:
                    return
                length = 0
                while (line := stream.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                stream.read(length)
                self.seen.append((number, head.split()[0].decode()))
                if index == 1:
                    return   # the idle timer won: closed, unanswered
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                   b"Content-Length: 2\r\nConnection: keep-alive\r\n\r\n{}")

    def close(self):
        self.listener.close()


@pytest.fixture
def server():
    server = ClosesReusedConnections()
    yield server
    server.close()


def test_the_server_reproduces_the_fault_for_a_plain_session(server):
    session = requests.Session()
    assert session.get(server.url + "/a", timeout=10).status_code == 200
    with pytest.raises(requests.ConnectionError, match="without response|aborted"):
        session.get(server.url + "/b", timeout=10)


def test_a_get_on_a_closed_kept_alive_connection_is_sent_again_once(server):
    user = hub_module("hub_client").HubUser(server.url, "alice", "unused", timeout=10)
    assert user.api("GET", "api/status").status_code == 200
    assert user.api("GET", "api/status").status_code == 200
    assert server.seen == [(1, "GET"), (1, "GET"), (2, "GET")], server.seen


def test_a_post_is_never_sent_twice(server):
    user = hub_module("hub_client").HubUser(server.url, "alice", "unused", timeout=10)
    assert user.api("GET", "api/status").status_code == 200
    with pytest.raises(requests.ConnectionError):
        user.api("POST", "api/kernels", json={"name": "python3"})
    assert server.seen == [(1, "GET"), (1, "POST")], server.seen
