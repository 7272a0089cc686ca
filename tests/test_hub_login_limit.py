"""The class hub's login limit (deploy/hub/login_limit.py; issue 23, item 5: 20 wrong passwords in
6 s, then the right one, worked). The counting, with a fake clock; the hub test drives the real
login form."""
from __future__ import annotations

from types import SimpleNamespace

from tests.support.hub import hub_module


def load():
    return hub_module("login_limit")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_user_name_is_locked_after_the_limit_then_freed():
    clock = Clock()
    limits = load().FailedLogins(limit=5, window=600, lockout=300, clock=clock)
    for _ in range(4):
        limits.failed("bob")
        clock.now += 1
    assert limits.locked("bob") == 0, "four failures do not lock"
    limits.failed("bob")
    assert 299 <= limits.locked("bob") <= 300
    assert limits.locked("alice") == 0, "another user name is not locked"
    clock.now += 301
    assert limits.locked("bob") == 0, "the lockout ends"
    limits.failed("bob")
    assert limits.locked("bob") == 0, "the count started again"


def test_failures_outside_the_window_and_a_success_do_not_count():
    clock = Clock()
    limits = load().FailedLogins(limit=3, window=60, lockout=300, clock=clock)
    limits.failed("bob")
    limits.failed("bob")
    clock.now += 61
    limits.failed("bob")
    assert limits.locked("bob") == 0
    limits.failed("bob")
    limits.succeeded("bob")
    limits.failed("bob")
    assert limits.locked("bob") == 0


def test_many_names_are_forgotten_not_kept_forever():
    clock = Clock()
    limits = load().FailedLogins(limit=3, window=60, lockout=300, clock=clock, max_keys=100)
    for i in range(500):
        limits.failed(f"name{i}")
        clock.now += 1
    assert len(limits._failures) <= 161


def test_the_address_is_the_one_the_hubs_proxy_saw():
    module = load()
    request = SimpleNamespace(headers={"X-Forwarded-For": "6.6.6.6, 10.0.0.7", "X-Real-Ip": "1.2.3.4"},
                              remote_ip="1.2.3.4")
    assert module.client_address(SimpleNamespace(request=request)) == "10.0.0.7"
    request = SimpleNamespace(headers={}, remote_ip="127.0.0.1")
    assert module.client_address(SimpleNamespace(request=request)) == "127.0.0.1"
    assert "this user name" in module.refusal(200, 0) and "about 3 minute" in module.refusal(200, 0)
