"""The official ``twilio`` SDK, pointed at Switchboard and only there."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

# The SDK domains Switchboard serves (2010-04-01 under api.twilio.com, the
# Accounts v1 API, Messaging v1); set on each, as tests/sdk does.
DOMAINS = ("api", "accounts", "messaging")


class SwitchboardHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, unchanged, except that a request for any
    ``*.twilio.com`` host (any product, region or edge) goes to Switchboard
    instead: a test can never reach the real Twilio by accident."""

    def __init__(self, base_url: str, **kwargs: Any):
        super().__init__(**kwargs)
        target = urlsplit(base_url)
        self._scheme, self._netloc = target.scheme, target.netloc
        self._prefix = target.path.rstrip("/")
        if self.session is not None:
            self.session.trust_env = False  # never through a proxy: Switchboard is local

    def rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host == "twilio.com" or host.endswith(".twilio.com"):
            return urlunsplit((self._scheme, self._netloc, self._prefix + parts.path, parts.query, ""))
        return url

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        return super().request(method, self.rewrite(url), params=params, data=data, headers=headers,
                               auth=auth, timeout=timeout, allow_redirects=allow_redirects)


def make_client(base_url: str, username: str, password: str, account_sid: str | None = None) -> Client:
    """An official ``twilio.rest.Client`` for these credentials (and, for
    Connect, the customer's ``account_sid``) that talks to Switchboard."""
    client = Client(username, password, account_sid=account_sid,
                    http_client=SwitchboardHttpClient(base_url))
    # TWILIO_REGION / TWILIO_EDGE in the environment would rewrite hostnames.
    client.region = None
    client.edge = None
    for name in DOMAINS:
        getattr(client, name).base_url = base_url
    return client
