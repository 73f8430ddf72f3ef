"""A tiny webhook receiver on loopback: the app's side of every webhook."""

from __future__ import annotations

import http.server
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Union
from urllib.parse import parse_qsl, urlsplit

from twilio.request_validator import RequestValidator

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@dataclass
class WebhookRequest:
    """One request the receiver got."""

    method: str
    url: str  # as the sender addressed it: scheme, host, port, path and query
    path: str
    query: dict[str, str]
    form: dict[str, str]  # the form body's parameters (blank values kept)
    headers: dict[str, str]  # names in lower case
    body: bytes = field(repr=False)

    @property
    def signature(self) -> str | None:
        return self.headers.get("x-twilio-signature")

    @property
    def params(self) -> dict[str, str]:
        """What the sender signed besides the URL: the form parameters for
        POST, nothing for GET (its parameters are in the URL)."""
        return self.form if self.method == "POST" else {}


@dataclass
class Answer:
    body: str
    content_type: str = "application/xml"
    status: int = 200


Responder = Union[Answer, Callable[[WebhookRequest], Answer]]


class WebhookReceiver:
    """An HTTP server on ``127.0.0.1`` and a free port that records every
    request and answers it: with empty TwiML by default, or with what
    ``answer``/``twiml`` set for its path.

        receiver.twiml("/sms", "<Response><Message>Hi!</Message></Response>")
        number_url = receiver.url("/sms")
        ...
        (hit,) = receiver.wait_for(1, path="/sms")
        assert receiver.is_signed(hit, auth_token)
    """

    def __init__(self, host: str = "127.0.0.1"):
        self.requests: list[WebhookRequest] = []
        self._answers: dict[str, Responder] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                form = {}
                if ctype == "application/x-www-form-urlencoded":
                    form = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
                hit = WebhookRequest(
                    method=self.command,
                    url=f"http://{self.headers.get('Host')}{self.path}",
                    path=parts.path,
                    query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                    form=form,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=raw,
                )
                answer = receiver._answer_for(hit)
                with receiver._lock:
                    receiver.requests.append(hit)
                payload = answer.body.encode("utf-8")
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str = "/") -> str:
        """The receiver's URL for ``path`` (e.g. ``/sms``)."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def answer(self, path: str, body: str | Callable[[WebhookRequest], Answer], *,
               content_type: str = "application/xml", status: int = 200) -> None:
        """From now on, requests for ``path`` (any query) get this answer; or
        ``body`` is a function of the request that returns an ``Answer``."""
        self._answers[path] = body if callable(body) else Answer(body, content_type, status)

    def twiml(self, path: str, twiml: str) -> None:
        """Answers ``path`` with this TwiML (``application/xml``)."""
        self.answer(path, twiml)

    def _answer_for(self, hit: WebhookRequest) -> Answer:
        scripted = self._answers.get(hit.path)
        if scripted is None:
            return Answer(EMPTY_TWIML)
        return scripted(hit) if callable(scripted) else scripted

    def received(self, path: str | None = None) -> list[WebhookRequest]:
        """What arrived so far (for ``path`` only, when given)."""
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def wait_for(self, count: int = 1, *, path: str | None = None, timeout: float = 5.0) -> list[WebhookRequest]:
        """The requests (for ``path``) once at least ``count`` arrived;
        fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.received(path)
            if len(got) >= count:
                return got
            if time.monotonic() > deadline:
                seen = [(r.method, r.path) for r in self.received()]
                raise AssertionError(f"{len(got)} of {count} request(s) for {path or 'any path'} arrived "
                                     f"within {timeout}s; the receiver saw {seen}")
            time.sleep(0.01)

    @staticmethod
    def is_signed(request: WebhookRequest, auth_token: str) -> bool:
        """Whether ``X-Twilio-Signature`` is valid for ``auth_token``, as the
        official SDK's ``RequestValidator`` checks it."""
        signature = request.signature
        if not signature:
            return False
        return RequestValidator(auth_token).validate(request.url, request.params, signature)

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "WebhookReceiver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
