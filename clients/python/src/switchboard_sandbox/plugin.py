"""The pytest plugin (entry point ``pytest11``: loaded once the package is
installed).

Fixtures:

- ``switchboard`` (session): a Switchboard in sandbox mode. Started from the
  binary (``--switchboard-bin``, else ``SWITCHBOARD_BIN``, else
  ``switchboard`` on PATH) on a random loopback port with the instant clock,
  private callbacks allowed and a temporary SQLite file, and stopped after the
  session; or the one at ``--switchboard-url`` / ``SWITCHBOARD_URL``.
- ``sandbox``: a fresh sandbox for the test, deleted after it. Its seed is,
  first found: the test's ``@pytest.mark.switchboard_seed(...)`` marker, the
  ``sandbox_seed`` fixture (override it in a conftest.py or a module, or
  parametrize it), the ``switchboard_seed`` ini option, or one Full account
  named ``main``. A seed is a dict or a path to a JSON or TOML file (a
  relative path is from the test's file for the marker, from the ini file
  for the option). ``{receiver}`` in the seed's strings becomes the test's
  ``webhook_receiver`` base URL.
- ``webhook_receiver``: a loopback HTTP receiver for the test's webhooks.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from ._receiver import WebhookReceiver
from ._seed import load_seed, mentions
from ._server import Switchboard

DEFAULT_SEED: dict = {"accounts": {"main": {"type": "Full"}}}
RECEIVER_TOKEN = "{receiver}"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("switchboard", "Switchboard sandbox")
    group.addoption("--switchboard-url", default=None,
                    help="use the Switchboard running in sandbox mode at this URL instead of starting "
                         "one (default: $SWITCHBOARD_URL)")
    group.addoption("--switchboard-bin", default=None,
                    help="the switchboard binary to start (default: $SWITCHBOARD_BIN, else "
                         "`switchboard` on PATH)")
    parser.addini("switchboard_seed", "default seed file of the `sandbox` fixture (JSON or TOML; "
                                      "relative to the ini file)", default="")
    parser.addini("switchboard_args", "extra arguments for `switchboard serve --sandbox`",
                  type="args", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "switchboard_seed(seed): the seed of the test's `sandbox`: a dict, or a path to a JSON "
        "or TOML file (relative to the test's file)",
    )


@pytest.fixture(scope="session")
def switchboard(request: pytest.FixtureRequest):
    """The session's Switchboard, in sandbox mode."""
    config = request.config
    url = config.getoption("switchboard_url") or os.environ.get("SWITCHBOARD_URL")
    if url:
        server = Switchboard.connect(url)
    else:
        server = Switchboard.start(config.getoption("switchboard_bin"),
                                   args=config.getini("switchboard_args"))
    try:
        yield server
    finally:
        status = server.stop()
        if status not in (None, 0):
            warnings.warn(f"switchboard exited with status {status} after SIGTERM", stacklevel=1)


@pytest.fixture
def sandbox_seed(request: pytest.FixtureRequest) -> Any:
    """The seed of the ``sandbox`` fixture when the test has no
    ``switchboard_seed`` marker: override this fixture (or parametrize it)
    to give a module or directory its own."""
    configured = request.config.getini("switchboard_seed")
    if configured:
        base = request.config.inipath.parent if request.config.inipath else request.config.rootpath
        return base / configured
    return DEFAULT_SEED


@pytest.fixture
def webhook_receiver():
    """A receiver on ``127.0.0.1`` that records requests and answers empty
    TwiML, or what ``answer``/``twiml`` set per path."""
    receiver = WebhookReceiver()
    try:
        yield receiver
    finally:
        receiver.close()


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, switchboard: Switchboard):
    """A new sandbox for this test, from its seed; deleted after it."""
    marker = request.node.get_closest_marker("switchboard_seed")
    if marker is not None:
        if marker.args:
            seed = marker.args[0]
        elif "seed" in marker.kwargs:
            seed = marker.kwargs["seed"]
        else:
            raise pytest.UsageError("@pytest.mark.switchboard_seed needs a seed: a dict or a file path")
        if isinstance(seed, (str, os.PathLike)) and not Path(seed).is_absolute():
            seed = Path(request.node.path).parent / seed
    else:
        seed = request.getfixturevalue("sandbox_seed")
    document = load_seed(seed)
    substitutions = {}
    if mentions(document, RECEIVER_TOKEN):
        substitutions["receiver"] = request.getfixturevalue("webhook_receiver").base_url
    made = switchboard.create_sandbox(document, substitutions=substitutions)
    try:
        yield made
    finally:
        made.delete()
