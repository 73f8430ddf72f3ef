"""Test a Twilio Connect App against Switchboard's sandbox.

``Switchboard`` starts (or connects to) a server in sandbox mode;
``Switchboard.create_sandbox(seed)`` makes an isolated world from a seed;
``Sandbox`` has the official SDK clients for its accounts and the sandbox's
controls (headless consent, inbound SMS, recorded webhooks, faults, reset);
``WebhookReceiver`` is the app's side of webhooks. The pytest plugin
(``switchboard_sandbox.plugin``, loaded by itself once installed) gives the
fixtures ``switchboard``, ``sandbox``, ``sandbox_seed`` and
``webhook_receiver``.
"""

from ._errors import ClockNotAvailable, NotInSandboxMode, SwitchboardError
from ._receiver import Answer, WebhookReceiver, WebhookRequest
from ._sandbox import Authorization, Credentials, Sandbox
from ._seed import load_seed
from ._server import Switchboard, find_binary
from ._twilio import SwitchboardHttpClient, make_client

__all__ = [
    "Answer",
    "Authorization",
    "ClockNotAvailable",
    "Credentials",
    "NotInSandboxMode",
    "Sandbox",
    "Switchboard",
    "SwitchboardError",
    "SwitchboardHttpClient",
    "WebhookReceiver",
    "WebhookRequest",
    "find_binary",
    "load_seed",
    "make_client",
]
__version__ = "0.1.0"
