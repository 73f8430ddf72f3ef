"""python-social-auth (the `social-auth-core` package, unmodified) as a web
app uses it for Twilio Connect: a strategy over one request and one session
at a time, as a framework integration (Django, Flask…) provides, and an
authentication pipeline that ends by recording the association the app would
store for its signed-in user.

The Twilio backend builds its Connect link on `https://www.twilio.com`; an
app pointed at Switchboard swaps that origin and nothing else
(`SwitchboardTwilioAuth`)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from social_core.backends.twilio import TwilioAuth
from social_core.storage import BaseStorage, UserMixin
from social_core.strategy import BaseStrategy

TWILIO_ORIGIN = "https://www.twilio.com"


class SwitchboardTwilioAuth(TwilioAuth):
    """social-auth-core's Twilio backend with its Connect link sent to
    Switchboard (`SOCIAL_AUTH_TWILIO_CONNECT_ORIGIN`)."""

    def auth_url(self) -> str:
        url = super().auth_url()
        assert url.startswith(TWILIO_ORIGIN + "/authorize/"), url
        return self.setting("CONNECT_ORIGIN") + url[len(TWILIO_ORIGIN):]


@dataclass(eq=False)
class User:
    """The app's signed-in user (an association-only backend needs one)."""

    id: int
    is_authenticated: bool = True
    is_active: bool = True
    social_user: Any = None
    is_new: bool = False


# What `associate` stored: (user id, provider, uid, response).
ASSOCIATIONS: list[tuple[int, str, str, dict[str, Any]]] = []


class AppUsers(UserMixin):
    @classmethod
    def user_model(cls):
        return User


class AppStorage(BaseStorage):
    user = AppUsers


def associate(backend, user, uid, response, *args, **kwargs):
    """The pipeline's last step: the association the app keeps (the Twilio
    Account SID it will call the API as), for its signed-in user."""
    ASSOCIATIONS.append((user.id, backend.name, uid, dict(response)))
    return {"user": user, "social": (backend.name, uid)}


PIPELINE = [
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "sdkharness.social.associate",
]


@dataclass
class WebStrategy(BaseStrategy):
    """One web app's requests: `request` is the current request's query, the
    session lasts across requests, responses are ("redirect", url)."""

    app_url: str
    settings: dict[str, Any]
    session: dict[str, Any] = field(default_factory=dict)
    request: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        super().__init__(storage=AppStorage)

    def get_setting(self, name: str):
        return self.settings[name]

    def redirect(self, url: str):
        return ("redirect", url)

    def html(self, content: str):
        return ("html", content)

    def render_html(self, tpl=None, html=None, context=None):
        return html or ""

    def get_request_data(self, merge: bool = True) -> dict[str, Any]:
        return dict(self.request)

    def request_get(self):
        return dict(self.request)

    def request_post(self):
        return {}

    def request_host(self) -> str:
        return urllib.parse.urlsplit(self.app_url).netloc

    def request_is_secure(self) -> bool:
        return self.app_url.startswith("https:")

    def request_path(self) -> str:
        return urllib.parse.urlsplit(self.app_url).path

    def request_port(self) -> int:
        return urllib.parse.urlsplit(self.app_url).port or 443

    def session_get(self, name: str, default=None):
        return self.session.get(name, default)

    def session_set(self, name: str, value):
        self.session[name] = value

    def session_pop(self, name: str):
        return self.session.pop(name, None)

    def build_absolute_uri(self, path: str | None = None) -> str:
        return urllib.parse.urljoin(self.app_url, path or "")
