"""Starts and stops a real Switchboard server on a fresh database.

The interface used is the binary's documented one:
  switchboard serve --listen 127.0.0.1:0 --database-url URL --public-url http://127.0.0.1
prints `Switchboard listening on http://127.0.0.1:PORT` as its first line on
standard output and stops gracefully on SIGTERM;
  switchboard accounts create --database-url URL --email E --password P
      --friendly-name N [--full] --json
prints the new main account as one JSON object.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from .spec import REPO_ROOT

LISTENING = re.compile(r"Switchboard listening on (http://127\.0\.0\.1:\d+)")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


def binary() -> str:
    path = os.environ.get("SWITCHBOARD_BIN") or str(REPO_ROOT / "target" / "debug" / "switchboard")
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(
            f"switchboard binary not found at {path}: build it with "
            "`cargo build -p switchboard --bin switchboard` or set SWITCHBOARD_BIN"
        )
    return path


def _psql(url: str, sql: str) -> None:
    subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
        check=True, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )


@dataclass
class Database:
    """A fresh database: a new SQLite file, or a new PostgreSQL schema."""

    backend: str
    url: str
    schema: str | None = None
    admin_url: str | None = None

    @classmethod
    def fresh(cls, backend: str, workdir: Path, prefix: str) -> "Database":
        if backend == "sqlite":
            path = workdir / f"{prefix}-{secrets.token_hex(4)}.db"
            return cls("sqlite", f"sqlite://{path.resolve()}")
        if backend == "postgres":
            base = os.environ.get("SWITCHBOARD_TEST_POSTGRES_URL")
            if not base:
                raise RuntimeError("SDK_BACKEND=postgres needs SWITCHBOARD_TEST_POSTGRES_URL")
            schema = f"{prefix}_{secrets.token_hex(6)}"
            _psql(base, f"CREATE SCHEMA {schema}")
            sep = "&" if "?" in base else "?"
            return cls("postgres", f"{base}{sep}options=-csearch_path%3D{schema}", schema, base)
        raise ValueError(f"unknown backend {backend!r} (sqlite or postgres)")

    def drop(self) -> None:
        if self.schema and self.admin_url:
            _psql(self.admin_url, f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


class Server:
    def __init__(self, db: Database, workdir: Path):
        self.db = db
        self.workdir = workdir
        self.bin = binary()
        self.proc: subprocess.Popen | None = None
        self.base_url: str | None = None
        self.log_path = workdir / f"server-{secrets.token_hex(3)}.log"
        self.exit_code: int | None = None

    def start(self) -> str:
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [self.bin, "serve", "--listen", "127.0.0.1:0",
             "--database-url", self.db.url, "--public-url", "http://127.0.0.1",
             # Callbacks go to receivers on this machine, and retries come fast.
             "--allow-private-callbacks", "--callback-retry-base", "200ms",
             # Simulated calls and messages finish at once.
             "--sim-speed", "instant"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log,
        )
        first: list[bytes] = []
        reader = threading.Thread(target=lambda: first.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        line = first[0].decode("utf-8", "replace").rstrip("\r\n") if first else None
        if line is None or not LISTENING.fullmatch(line):
            self.stop(check=False)
            raise RuntimeError(
                f"switchboard serve did not announce itself: first stdout line {line!r} "
                f"(expected 'Switchboard listening on http://127.0.0.1:PORT'); "
                f"stderr tail:\n{self.log_tail()}"
            )
        self.base_url = LISTENING.fullmatch(line).group(1)
        # Keep draining stdout so that the server can never block on it.
        threading.Thread(target=self._drain, daemon=True).start()
        return self.base_url

    def _drain(self) -> None:
        for _ in iter(self.proc.stdout.readline, b""):
            pass

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, check: bool = True) -> None:
        """SIGTERM, then wait; the server must stop by itself, with status 0."""
        if self.proc is None or self.exit_code is not None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.exit_code = self.proc.returncode
                self._log.close()
                if check:
                    raise RuntimeError(f"switchboard did not stop within {STOP_TIMEOUT}s of SIGTERM")
                return
        self.exit_code = self.proc.returncode
        self._log.close()
        if check and self.exit_code != 0:
            raise RuntimeError(
                f"switchboard exited with status {self.exit_code} after SIGTERM; stderr tail:\n{self.log_tail()}"
            )

    # -- the CLI --------------------------------------------------------------

    def cli(self, *args: str) -> str:
        res = subprocess.run(
            [self.bin, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        )
        if res.returncode != 0:
            raise RuntimeError(f"switchboard {' '.join(args)} failed ({res.returncode}): {res.stderr}")
        return res.stdout

    def seed(self, account: str, calls: int = 0, messages: int = 0) -> None:
        """A history of finished calls and messages, with the CLI."""
        self.cli("seed", "--database-url", self.db.url, "--account", account,
                 "--calls", str(calls), "--messages", str(messages), "--quiet")

    def create_main_account(self, friendly_name: str, full: bool = True) -> dict:
        email = f"sdk-{secrets.token_hex(6)}@example.com"
        password = "correct-horse-" + secrets.token_hex(4)
        args = ["accounts", "create", "--database-url", self.db.url, "--email", email,
                "--password", password,
                "--friendly-name", friendly_name, "--json"]
        if full:
            args.append("--full")
        out = self.cli(*args)
        account = json.loads(out)
        for key in ("sid", "auth_token", "type", "status", "friendly_name"):
            if key not in account:
                raise RuntimeError(f"accounts create --json lacks {key!r}: {out}")
        # What its console user signs in with, for tests that use the web pages.
        account["email"], account["password"] = email, password
        return account
