"""Hooks the official Python SDK without modifying it: a subclass of its own
TwilioHttpClient that lets the SDK send every request as usual, then checks
the response against the OpenAPI document and records the exchange."""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import requests
from twilio.http.http_client import TwilioHttpClient

from .spec import SpecValidator, Violation


class Recorder:
    """Collects every exchange, validated, and the violations per context
    (the pytest node id that was running)."""

    def __init__(self, validator: SpecValidator, jsonl_path: Path | None = None):
        self.validator = validator
        self.jsonl_path = jsonl_path
        self._jsonl = open(jsonl_path, "a", encoding="utf-8") if jsonl_path else None
        self._lock = threading.Lock()
        self.context = ""
        self.exchanges: list[dict] = []
        self.violations: list[Violation] = []
        self.operations: Counter[str] = Counter()

    def record(self, method: str, url: str, request_body: Any, status: int,
               content_type: str | None, body_text: str,
               headers: dict[str, str] | None = None) -> None:
        outcome = self.validator.check(method, url, status, content_type, body_text)
        entry = {
            "context": self.context, "method": method, "url": url,
            "request_body": request_body, "status": status,
            "content_type": content_type, "headers": headers or {}, "body": body_text,
            "raw_captured": True,
            "operation": outcome.operation, "problems": outcome.problems,
        }
        with self._lock:
            self.exchanges.append(entry)
            self.operations[outcome.operation] += 1
            if outcome.problems:
                self.violations.append(Violation(method, url, status, outcome.problems, body_text, self.context))
            if self._jsonl:
                self._jsonl.write(json.dumps(entry) + "\n")
                self._jsonl.flush()

    def take_violations(self, context: str) -> list[Violation]:
        with self._lock:
            mine = [v for v in self.violations if v.context == context]
            self.violations = [v for v in self.violations if v.context != context]
        return mine

    def exchanges_since(self, index: int) -> list[dict]:
        return self.exchanges[index:]

    def close(self) -> None:
        if self._jsonl:
            self._jsonl.close()
            self._jsonl = None


class RecordingHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, unchanged, with every response checked."""

    def __init__(self, recorder: Recorder, **kwargs):
        super().__init__(**kwargs)
        self.recorder = recorder

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        response = super().request(
            method, url, params=params, data=data, headers=headers, auth=auth,
            timeout=timeout, allow_redirects=allow_redirects,
        )
        # The URL exactly as requests sent it (query included).
        full_url = requests.Request(method.upper(), url, params=params).prepare().url
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        self.recorder.record(method.upper(), full_url, data, response.status_code,
                             headers.get("content-type"), response.text, headers)
        return response
