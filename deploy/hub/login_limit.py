"""The hub's login form, with failed logins limited per user name and per address.

JupyterHub 6.1.1 and the first-use authenticator have no limit of their own: 20 wrong passwords
in 6 s, then the right one, worked. `LimitedFirstUseAuthenticator` counts failures in a sliding
window; a user name with `user_failure_limit` failures (default 5 in 10 minutes), or an address
with `address_failure_limit` (default 50: a class behind one NAT address shares it), is refused
for `lockout_seconds` (default 5 minutes), the right password included; the login page says so
("Too many failed logins for this user name: ..."). A successful login clears the user name's
count. The counts live in the hub's memory: a restart of the hub clears them.

The address is the last one in X-Forwarded-For, the one the hub's own proxy saw (a header a
client sends itself, such as X-Real-Ip, is ignored).

    c.JupyterHub.authenticator_class = "login_limit.LimitedFirstUseAuthenticator"
"""
from __future__ import annotations

import time
from collections import deque


class FailedLogins:
    """Failures per key in a sliding window; a key at the limit is locked for `lockout` seconds."""

    def __init__(self, limit: int, window: float, lockout: float, clock=time.monotonic, max_keys: int = 10000):
        self.limit, self.window, self.lockout, self.clock, self.max_keys = limit, window, lockout, clock, max_keys
        self._failures: dict[str, deque] = {}
        self._locked_until: dict[str, float] = {}

    def locked(self, key: str) -> float:
        """Seconds left of this key's lockout (0 when it may try)."""
        left = self._locked_until.get(key, 0.0) - self.clock()
        if left <= 0:
            self._locked_until.pop(key, None)
            return 0.0
        return left

    def failed(self, key: str) -> None:
        now = self.clock()
        times = self._failures.setdefault(key, deque())
        times.append(now)
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            self._locked_until[key] = now + self.lockout
            times.clear()
        if len(self._failures) > self.max_keys:  # many names tried once each: forget the old ones
            self._prune(now)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _prune(self, now: float) -> None:
        for key in [k for k, t in self._failures.items() if not t or t[-1] <= now - self.window]:
            del self._failures[key]


def client_address(handler) -> str:
    forwarded = handler.request.headers.get("X-Forwarded-For", "")
    last = forwarded.split(",")[-1].strip()
    return last or handler.request.remote_ip or "?"


def refusal(user_left: float, address_left: float) -> str:
    minutes = max(1, round(max(user_left, address_left) / 60))
    who = "this user name" if user_left >= address_left else "your address"
    return (f"Too many failed logins for {who}: logins are refused for about {minutes} minute(s), "
            f"the right password included. Wait, then try again, or ask your instructor.")


try:
    from firstuseauthenticator import FirstUseAuthenticator
    from traitlets import Float, Integer
except ImportError:  # the unit tests use FailedLogins alone, without JupyterHub
    FirstUseAuthenticator = None

if FirstUseAuthenticator is not None:

    class LimitedFirstUseAuthenticator(FirstUseAuthenticator):
        """FirstUseAuthenticator with failed logins limited per user name and per address."""

        user_failure_limit = Integer(5, config=True, help="failed logins of one user name that lock it")
        address_failure_limit = Integer(50, config=True, help="failed logins from one address that lock it")
        failure_window = Float(600.0, config=True, help="seconds over which failures are counted")
        lockout_seconds = Float(300.0, config=True, help="seconds a locked user name or address is refused")

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._by_user = FailedLogins(self.user_failure_limit, self.failure_window, self.lockout_seconds)
            self._by_address = FailedLogins(self.address_failure_limit, self.failure_window, self.lockout_seconds)

        async def authenticate(self, handler, data):
            user = self.normalize_username(str(data.get("username", "")))
            address = client_address(handler)
            user_left, address_left = self._by_user.locked(user), self._by_address.locked(address)
            if user_left or address_left:
                self.log.warning("login of %r from %s refused: locked after repeated failures", user[:32], address)
                self._say(handler, refusal(user_left, address_left))
                return None
            result = await super().authenticate(handler, data)
            if result is None:
                self._by_user.failed(user)
                self._by_address.failed(address)
                user_left, address_left = self._by_user.locked(user), self._by_address.locked(address)
                if user_left or address_left:
                    self.log.warning("login of %r from %s locked for %.0f s after repeated failures",
                                     user[:32], address, self.lockout_seconds)
                    self._say(handler, refusal(user_left, address_left))
            else:
                self._by_user.succeeded(user)
            return result

        @staticmethod
        def _say(handler, message: str) -> None:
            # The first-use authenticator's login page shows `custom_login_error` instead of
            # "Invalid username or password" (an HTTPError raised here would hit a bug of its
            # login handler, which cannot render JupyterHub's error page: `_render() got an
            # unexpected keyword argument 'sync'`).
            handler.custom_login_error = message
