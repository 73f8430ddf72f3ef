"""Errors raised by the helpers."""

from __future__ import annotations

from typing import Any


class SwitchboardError(Exception):
    """Switchboard answered a control request with an error, in Twilio's JSON
    error shape (``status``, ``code``, ``message``, ``more_info``)."""

    def __init__(self, method: str, url: str, status: int, body: Any):
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        data = body if isinstance(body, dict) else {}
        self.code = data.get("code")
        self.message = data.get("message") or (body if isinstance(body, str) else "")
        self.more_info = data.get("more_info")
        detail = f"{self.code}: {self.message}" if self.code else str(self.message)[:300]
        super().__init__(f"{method} {url} answered {status} ({detail})")


class ClockNotAvailable(SwitchboardError, NotImplementedError):
    """This Switchboard has no sandbox clock (``…/Clock.json`` answered 404):
    the server is older than these helpers."""

    def __init__(self, method: str, url: str, status: int, body: Any):
        super().__init__(method, url, status, body)
        self.args = (
            f"{method} {url} answered 404: this Switchboard has no sandbox clock yet, so "
            "advance()/now() cannot move or read simulated time; under --sim-speed instant "
            "calls and messages already finish at once",
        )


class NotInSandboxMode(SwitchboardError):
    """``POST /switchboard/v1/Sandboxes.json`` answered 404: the server is not
    running in sandbox mode."""

    def __init__(self, method: str, url: str, status: int, body: Any):
        super().__init__(method, url, status, body)
        self.args = (
            f"{method} {url} answered 404: the Switchboard there is not in sandbox mode; "
            "start it with `switchboard serve --sandbox` (or `switchboard sandbox`)",
        )
