"""A Switchboard server in sandbox mode: started here, or already running."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence, Union

import requests

from ._errors import NotInSandboxMode, SwitchboardError

if TYPE_CHECKING:
    from ._sandbox import Sandbox

LISTENING = re.compile(r"Switchboard listening on (http://\S+)")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0

Seed = Union[Mapping[str, Any], str, os.PathLike]


def find_binary(binary: str | os.PathLike | None = None) -> str:
    """The switchboard binary: the argument, else ``SWITCHBOARD_BIN``, else
    ``switchboard`` on ``PATH``."""
    candidate = str(binary) if binary else os.environ.get("SWITCHBOARD_BIN")
    if candidate:
        if not os.access(candidate, os.X_OK):
            raise FileNotFoundError(f"no executable switchboard binary at {candidate} (SWITCHBOARD_BIN)")
        return candidate
    found = shutil.which("switchboard")
    if not found:
        raise FileNotFoundError(
            "no switchboard binary: set SWITCHBOARD_BIN to its path, put `switchboard` on PATH, "
            "or set SWITCHBOARD_URL to a Switchboard already running in sandbox mode"
        )
    return found


class Switchboard:
    """One Switchboard in sandbox mode, and the sandboxes made on it.

    ``Switchboard.start()`` runs the binary on a random loopback port, on a
    new SQLite file, with the ``instant`` clock and private callbacks allowed
    (so that webhooks reach receivers on this machine); ``stop()`` ends it.
    ``Switchboard.connect(url)`` uses one that is already running (started
    with ``switchboard sandbox`` or ``switchboard serve --sandbox``).
    """

    def __init__(self, base_url: str, process: subprocess.Popen | None = None,
                 workdir: Path | None = None, log_path: Path | None = None):
        self.base_url = base_url.rstrip("/")
        self.process = process
        self.workdir = workdir
        self.log_path = log_path
        self.http = requests.Session()
        self.http.trust_env = False  # never through a proxy: the server is local
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._log = None

    # -- lifecycle ----------------------------------------------------------------

    @classmethod
    def start(cls, binary: str | os.PathLike | None = None, *, database_url: str | None = None,
              sim_speed: str = "instant", args: Sequence[str] = (),
              env: Mapping[str, str] | None = None, workdir: str | os.PathLike | None = None,
              timeout: float = START_TIMEOUT) -> "Switchboard":
        """Starts ``switchboard serve --sandbox`` on ``127.0.0.1`` and a free
        port, on ``database_url`` (default: a new SQLite file in ``workdir``,
        itself a new temporary directory by default). ``args`` are added to
        the command line (e.g. ``["--callback-retry-base", "1s"]``)."""
        bin_path = find_binary(binary)
        tmp = None
        if workdir is None:
            tmp = tempfile.TemporaryDirectory(prefix="switchboard-sandbox-")
            workdir = tmp.name
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        if database_url is None:
            database_url = f"sqlite://{(workdir / 'switchboard.db').resolve()}"
        log_path = workdir / "switchboard.log"
        log = open(log_path, "wb")
        command = [
            bin_path, "serve", "--sandbox", "--listen", "127.0.0.1:0",
            "--database-url", database_url,
            # Webhooks go to receivers on this machine, and retries come fast.
            "--allow-private-callbacks", "--callback-retry-base", "200ms",
            "--sim-speed", sim_speed, *args,
        ]
        child_env = dict(os.environ)
        for var in ("SWITCHBOARD_URL", "SWITCHBOARD_LISTEN", "SWITCHBOARD_PUBLIC_URL"):
            child_env.pop(var, None)
        child_env.update(env or {})
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=log, env=child_env)
        server = cls("http://127.0.0.1", proc, workdir, log_path)
        server._tmp, server._log = tmp, log
        first: list[bytes] = []
        reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        line = first[0].decode("utf-8", "replace").strip() if first else ""
        match = LISTENING.fullmatch(line)
        if not match:
            server.stop(keep_log=True)
            tail = server.log_tail()
            if tmp is not None:
                tmp.cleanup()
            raise RuntimeError(
                f"`{' '.join(command)}` did not announce itself (first line {line!r}); "
                f"its log says:\n{tail}"
            )
        server.base_url = match.group(1).rstrip("/")
        # Keep draining its standard output so that it can never block on it.
        threading.Thread(target=lambda: [None for _ in iter(proc.stdout.readline, b"")],
                         daemon=True).start()
        try:
            server.wait_until_healthy(timeout)
        except BaseException:
            server.stop()
            raise
        return server

    @classmethod
    def connect(cls, url: str, *, timeout: float = 30.0) -> "Switchboard":
        """A Switchboard that is already running, e.g. ``switchboard sandbox``."""
        server = cls(url)
        server.wait_until_healthy(timeout)
        return server

    @classmethod
    def from_env(cls, **start_kwargs: Any) -> "Switchboard":
        """``SWITCHBOARD_URL`` when it is set, else a new server from the
        binary (``SWITCHBOARD_BIN``, else ``switchboard`` on PATH)."""
        url = os.environ.get("SWITCHBOARD_URL")
        if url:
            return cls.connect(url)
        return cls.start(**start_kwargs)

    def wait_until_healthy(self, timeout: float = 30.0) -> None:
        """Polls ``GET /healthz`` until it answers 200."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"switchboard exited with status {self.process.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                r = self.http.get(f"{self.base_url}/healthz", timeout=5)
                if r.status_code == 200:
                    return
                last = f"status {r.status_code}"
            except requests.RequestException as e:
                last = e
            if time.monotonic() > deadline:
                raise RuntimeError(f"Switchboard at {self.base_url} is not healthy after {timeout}s: {last}")
            time.sleep(0.05)

    @property
    def started_here(self) -> bool:
        return self.process is not None

    def stop(self, *, keep_log: bool = False) -> int | None:
        """Stops a server this object started (SIGTERM, then SIGKILL after
        15 s) and removes its temporary directory (unless ``keep_log``);
        returns its exit status. A server it connected to is left running."""
        self.http.close()
        proc = self.process
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._tmp is not None and not keep_log:
            self._tmp.cleanup()
            self._tmp = None
        return proc.returncode

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path:
            return ""
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> "Switchboard":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- sandboxes ------------------------------------------------------------------

    def create_sandbox(self, seed: Seed, *, substitutions: Mapping[str, str] | None = None) -> "Sandbox":
        """A new sandbox from a seed: a dict, or the path of a JSON or TOML
        file. In the seed's strings, each ``{name}`` of ``substitutions`` is
        replaced by its value (the pytest plugin uses ``{receiver}`` for the
        test's webhook receiver)."""
        from ._sandbox import Sandbox
        from ._seed import load_seed, substitute

        document = load_seed(seed)
        if substitutions:
            document = substitute(document, substitutions)
        data = self.request("POST", "/switchboard/v1/Sandboxes.json", json=document, expect=(201,),
                            not_found=NotInSandboxMode)
        return Sandbox(self, document, data)

    # -- plumbing -------------------------------------------------------------------

    def request(self, method: str, path: str, *, auth: tuple[str, str] | None = None,
                data: Any = None, json: Any = None, params: Any = None,
                expect: Sequence[int] = (200,), not_found: type[SwitchboardError] | None = None) -> Any:
        """One request to Switchboard; the JSON answer, or ``None`` for 204.
        Any status not in ``expect`` raises ``SwitchboardError`` (or
        ``not_found`` for a 404, when given)."""
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        r = self.http.request(method, url, auth=auth, data=data, json=json, params=params, timeout=30)
        try:
            body = r.json() if r.content else None
        except ValueError:
            body = r.text
        if r.status_code not in expect:
            cls = not_found if (r.status_code == 404 and not_found) else SwitchboardError
            raise cls(method, url, r.status_code, body)
        return body
