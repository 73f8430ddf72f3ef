"""Checks HTTP responses against Twilio's OpenAPI document for the 2010-04-01 API.

One implementation, used by both suites: the Python suite validates every
response its SDK sees as it happens (recording.py); the Node suite records
every response to JSONL files that `python -m sdkharness.validate_jsonl`
checks with this module.

How a response is checked
- Its path (without the query) is matched to the spec's path templates, then
  the method and the status to the documented responses. A 2xx status that
  the spec does not document for that operation is a violation; so is any 2xx
  from a path the spec does not know (except the Accounts v1 token paths,
  which have hand-written schemas below because they are not in the 2010
  document).
- 4xx/5xx answers must be Twilio's error body: {code, message, more_info,
  status}, with `status` equal to the HTTP status and `more_info` Twilio's
  error page for `code`.
- A body must be JSON (application/json, no duplicate keys); a 204 must be
  empty.
- The schema is the spec's, translated from OpenAPI 3.0 to JSON Schema
  2020-12: `$ref` into #/components/schemas is resolved, `nullable: true`
  admits null. Formats are asserted: `date-time-rfc-2822` strictly
  (`Thu, 30 Jul 2015 20:00:00 +0000`: two-digit day, GMT written `+0000`,
  a real date whose weekday is right), `date-time`, `date`, `uri`,
  `uri-map`, `int32`/`int64`, `http-method`, `currency`,
  `iso-country-code`. Patterns (SIDs) and lengths are checked as written.
- Strict mode (the default) also asserts what Twilio's real answers always
  do but the document cannot say in OpenAPI 3.0 without `required`: every
  property the schema declares is present (null when it has no value), and
  no property the schema does not declare is sent. The one exception is an
  account's `auth_token`, which the Connect contract omits for Connect Apps.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker

REPO_ROOT = Path(__file__).resolve().parents[4]
DEFAULT_SPEC_PATH = REPO_ROOT / "spec" / "twilio_api_v2010.json"
# The messaging host's document (Messaging Services), beside it.
MESSAGING_SPEC_PATH = REPO_ROOT / "spec" / "twilio_messaging_v1.json"
# Paths answered by the messaging host's document rather than the 2010 one.
MESSAGING_PREFIXES = ("/v1/Services",)


def spec_path() -> Path:
    """Where Twilio's OpenAPI document is: $SWITCHBOARD_TWILIO_SPEC, else
    spec/ in the repository (vendored)."""
    env = os.environ.get("SWITCHBOARD_TWILIO_SPEC")
    path = Path(env) if env else DEFAULT_SPEC_PATH
    if not path.is_file():
        raise FileNotFoundError(
            f"Twilio's OpenAPI document is not at {path}; set SWITCHBOARD_TWILIO_SPEC"
        )
    return path


# --------------------------------------------------------------------------
# Formats

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RFC2822 = re.compile(
    r"(?P<wd>Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?P<d>\d{2}) "
    r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<y>\d{4}) "
    r"(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2}) \+0000"
)
_RFC3339 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})(\.\d+)?"
    r"(Z|[+-]\d{2}:\d{2})"
)
# What Twilio's v1 APIs send and both SDKs parse: seconds, UTC, a literal Z.
_ISO8601_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def is_rfc2822_datetime(value: str) -> bool:
    """Twilio's date format exactly: `Thu, 30 Jul 2015 20:00:00 +0000`."""
    m = _RFC2822.fullmatch(value)
    if not m:
        return False
    try:
        dt = datetime.datetime(
            int(m["y"]), _MONTHS.index(m["mon"]) + 1, int(m["d"]),
            int(m["H"]), int(m["M"]), int(m["S"]),
        )
    except ValueError:
        return False
    return _WEEKDAYS[dt.weekday()] == m["wd"]


def is_rfc3339_datetime(value: str) -> bool:
    m = _RFC3339.fullmatch(value)
    if not m:
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_iso8601_z_datetime(value: str) -> bool:
    if not _ISO8601_Z.fullmatch(value):
        return False
    try:
        datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


def is_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


_URI_BAD = re.compile(r"[\s\x00-\x1f\x7f<>\"{}|\\^`]")


def is_uri_reference(value: str) -> bool:
    """A URI or a relative reference (Twilio's `uri` fields are relative,
    e.g. `/2010-04-01/Accounts.json?PageSize=50`). An absolute one must be
    http(s) with a host."""
    # "" is a valid (empty) relative reference, and Twilio sends it for
    # unset URLs (e.g. a notification's request_url).
    if _URI_BAD.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme in ("http", "https") and bool(parts.netloc)
    return True


def is_absolute_http_url(value: str) -> bool:
    if not is_uri_reference(value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def make_format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    def strings_only(fn):
        return lambda v: fn(v) if isinstance(v, str) else True

    checker.checks("date-time-rfc-2822")(strings_only(is_rfc2822_datetime))
    checker.checks("date-time")(strings_only(is_rfc3339_datetime))
    checker.checks("twilio-iso8601-datetime")(strings_only(is_iso8601_z_datetime))
    checker.checks("date")(strings_only(is_date))
    checker.checks("uri")(strings_only(is_uri_reference))
    checker.checks("absolute-http-url")(strings_only(is_absolute_http_url))
    checker.checks("http-method")(strings_only(
        lambda v: v in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")))
    checker.checks("currency")(strings_only(lambda v: re.fullmatch(r"[A-Za-z]{3}", v) is not None))
    checker.checks("iso-country-code")(strings_only(lambda v: re.fullmatch(r"[A-Z]{2}", v) is not None))

    @checker.checks("uri-map")
    def _uri_map(v):
        if not isinstance(v, dict):
            return True
        return all(isinstance(x, str) and is_uri_reference(x) for x in v.values())

    def int_range(lo, hi):
        return lambda v: (lo <= v <= hi) if isinstance(v, int) and not isinstance(v, bool) else True

    checker.checks("int32")(int_range(-(2**31), 2**31 - 1))
    checker.checks("int64")(int_range(-(2**63), 2**63 - 1))
    return checker


FORMAT_CHECKER = make_format_checker()

# --------------------------------------------------------------------------
# OpenAPI 3.0 schema -> JSON Schema 2020-12

_REF_PREFIX = "#/components/schemas/"
_DROP = {"description", "x-twilio", "example", "examples", "externalDocs",
         "xml", "discriminator", "readOnly", "writeOnly", "deprecated", "nullable"}
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_ONE = ("items", "not", "additionalProperties", "contains")

DECIMAL_STRING = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"

# Properties a strict check lets be absent, with the reason.
OMITTABLE = {
    # The Connect contract: a Connect App reads accounts without their token.
    "api.v2010.account": {"auth_token"},
}

# Properties Twilio sends as null though the document's schema does not say
# `nullable`, with the reason.
NULLABLE = {
    # Its description: "When a conference is in progress, will be `null`."
    "api.v2010.account.conference": {"reason_conference_ended"},
}


def to_json_schema(schema: Any, strict: bool, name: str | None = None) -> Any:
    """Translate one OpenAPI 3.0 schema object (recursively)."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith(_REF_PREFIX):
            raise ValueError(f"unsupported $ref {ref}")
        out: dict[str, Any] = {"$ref": "#/$defs/" + ref[len(_REF_PREFIX):]}
        # OpenAPI 3.0 ignores a $ref's siblings, except that generators put
        # nullable beside it to mean "or null".
        if schema.get("nullable") is True:
            return {"anyOf": [out, {"type": "null"}]}
        return out

    out = {k: v for k, v in schema.items() if k not in _DROP}
    for key in _SUBSCHEMA_MAPS:
        if key in out:
            out[key] = {k: to_json_schema(v, strict) for k, v in out[key].items()}
    for key in _SUBSCHEMA_LISTS:
        if key in out:
            out[key] = [to_json_schema(v, strict) for v in out[key]]
    for key in _SUBSCHEMA_ONE:
        if key in out and isinstance(out[key], dict):
            out[key] = to_json_schema(out[key], strict)

    for prop in NULLABLE.get(name or "", set()) & set(out.get("properties", {})):
        out["properties"][prop] = {"anyOf": [out["properties"][prop], {"type": "null"}]}

    if strict and out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
        omittable = OMITTABLE.get(name or "", set())
        required = set(out.get("required", [])) | (set(out["properties"]) - omittable)
        out["required"] = sorted(required)

    if out.get("type") == "number":
        # Twilio's document types prices, latitudes and the like as numbers,
        # but Twilio (and its own examples, and both SDKs' decimal
        # deserialisers) send them as decimal strings: "-0.00750".
        rest = {k: v for k, v in out.items() if k != "type"}
        out = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": DECIMAL_STRING}], **rest}
        if schema.get("nullable") is True:
            out["anyOf"].append({"type": "null"})
        return out

    if schema.get("nullable") is True:
        t = out.get("type")
        if t is None:
            out = {"anyOf": [out, {"type": "null"}]}
        else:
            types = t if isinstance(t, list) else [t]
            if "null" not in types:
                out["type"] = types + ["null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = list(out["enum"]) + [None]
    return out


# --------------------------------------------------------------------------
# Hand-written schemas: Twilio's Accounts v1 token API and its error body

_SID_AC = {"type": "string", "minLength": 34, "maxLength": 34, "pattern": "^AC[0-9a-fA-F]{32}$"}
_TOKEN = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
_V1_DATE = {"type": ["string", "null"], "format": "twilio-iso8601-datetime"}


def _v1_schema(token_key: str, url_suffix: str) -> dict:
    # Twilio's accounts v1 document marks these fields nullable; the values
    # Switchboard sends are asserted non-null by the suites themselves.
    return {
        "type": "object",
        "properties": {
            "account_sid": {"anyOf": [_SID_AC, {"type": "null"}]},
            token_key: {"anyOf": [_TOKEN, {"type": "null"}]},
            "date_created": _V1_DATE,
            "date_updated": _V1_DATE,
            "url": {"type": ["string", "null"], "format": "absolute-http-url",
                    "pattern": re.escape(url_suffix) + "$"},
        },
        "required": ["account_sid", token_key, "date_created", "date_updated", "url"],
        "additionalProperties": False,
    }


V1_OPERATIONS: dict[tuple[str, str], dict[int, dict | None]] = {
    ("POST", "/v1/AuthTokens/Secondary"): {201: _v1_schema("secondary_auth_token", "/v1/AuthTokens/Secondary")},
    ("DELETE", "/v1/AuthTokens/Secondary"): {204: None},
    ("POST", "/v1/AuthTokens/Promote"): {200: _v1_schema("auth_token", "/v1/AuthTokens/Promote")},
}

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string", "minLength": 1},
        "more_info": {"type": "string", "format": "absolute-http-url"},
        "status": {"type": "integer"},
        "details": {"type": ["object", "null"]},
    },
    "required": ["code", "message", "more_info", "status"],
    "additionalProperties": False,
}


# --------------------------------------------------------------------------
# Results


@dataclass
class Violation:
    method: str
    url: str
    status: int
    problems: list[str]
    body: str = ""
    context: str = ""

    def render(self, body_limit: int = 600) -> str:
        body = self.body if len(self.body) <= body_limit else self.body[:body_limit] + "…"
        head = f"{self.method} {self.url} -> {self.status}"
        if self.context:
            head = f"[{self.context}] " + head
        lines = [head] + [f"    - {p}" for p in self.problems]
        if body:
            lines.append(f"    body: {body}")
        return "\n".join(lines)


@dataclass
class Outcome:
    operation: str  # e.g. "GET /2010-04-01/Accounts.json 200"
    problems: list[str] = field(default_factory=list)
    body: Any = None


class DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise DuplicateKey(f"duplicate JSON key {k!r}")
        out[k] = v
    return out


def parse_json_strict(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_no_duplicates)


def _error_path(err) -> str:
    path = "".join(f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)
    return "$" + path


# --------------------------------------------------------------------------
# The validator


class SpecValidator:
    def __init__(self, path: Path | None = None, strict: bool = True, messaging: bool = False):
        self.messaging = messaging
        self._messaging_validator: SpecValidator | None = None
        self.path = path or (MESSAGING_SPEC_PATH if messaging else spec_path())
        with open(self.path, encoding="utf-8") as f:
            self.spec = json.load(f)
        self.strict = strict
        self.defs = {
            name: to_json_schema(s, strict, name)
            for name, s in self.spec["components"]["schemas"].items()
        }
        # Validated against the meta-schema once (per operation is slow).
        Draft202012Validator.check_schema({"$defs": self.defs})
        self._templates = []
        for template, item in self.spec["paths"].items():
            regex = "".join(
                f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
                for part in re.split(r"(\{[^}]+\})", template)
                if part
            )
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            self._templates.append((re.compile(regex + r"\Z"), literal, template, item))
        self._validators: dict[str, Draft202012Validator] = {}
        self._resp_schemas: dict[tuple[str, str, int], tuple[bool, dict | None]] = {}
        self.learned: list[str] = []
        if strict:
            self._learn_from_examples()
            # Validators built before the relaxations may have cached the
            # schemas they read; build them afresh from the relaxed schemas.
            self._validators.clear()

    # -- lookup ------------------------------------------------------------

    def match_path(self, path: str) -> tuple[str, dict] | None:
        best = None
        for regex, literal, template, item in self._templates:
            if regex.match(path) and (best is None or literal > best[0]):
                best = (literal, template, item)
        return (best[1], best[2]) if best else None

    def _validator(self, key: str, schema: dict) -> Draft202012Validator:
        v = self._validators.get(key)
        if v is None:
            # The schema itself becomes the root (not a copy), so that the
            # relaxations learnt from the examples stay with it.
            root = schema
            root["$defs"] = self.defs
            v = Draft202012Validator(root, format_checker=FORMAT_CHECKER)
            self._validators[key] = v
        return v

    def response_schema(self, template: str, method: str, status: int) -> tuple[bool, dict | None]:
        """(documented?, JSON schema or None for a body-less answer)."""
        key = (template, method.upper(), status)
        if key not in self._resp_schemas:
            self._resp_schemas[key] = self._response_schema(template, method, status)
        return self._resp_schemas[key]

    def _response_schema(self, template: str, method: str, status: int) -> tuple[bool, dict | None]:
        op = self.spec["paths"][template].get(method.lower())
        if op is None:
            return False, None
        resp = op.get("responses", {}).get(str(status))
        if resp is None:
            return False, None
        content = resp.get("content", {}).get("application/json")
        if content is None:
            return True, None
        return True, to_json_schema(content["schema"], self.strict)

    def schema_errors(self, key: str, schema: dict, instance: Any) -> list[str]:
        v = self._validator(key, schema)
        errors = sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [f"{_error_path(e)}: {e.message}" for e in errors]

    # -- the check ---------------------------------------------------------

    def check(self, method: str, url: str, status: int, content_type: str | None,
              body_text: str | None) -> Outcome:
        method = method.upper()
        path = urlsplit(url).path
        # The messaging host's paths: its own document.
        if not self.messaging and path.startswith(MESSAGING_PREFIXES):
            if self._messaging_validator is None:
                self._messaging_validator = SpecValidator(strict=self.strict, messaging=True)
            return self._messaging_validator.check(method, url, status, content_type, body_text)

        body_text = body_text or ""
        problems: list[str] = []

        # Body: JSON, or nothing for 204.
        body: Any = None
        if status == 204:
            if body_text.strip():
                problems.append("204 with a body")
        elif body_text.strip() == "" and method == "HEAD":
            pass
        else:
            ctype = (content_type or "").split(";")[0].strip().lower()
            if ctype != "application/json":
                problems.append(f"Content-Type is {content_type!r}, expected application/json")
            try:
                body = parse_json_strict(body_text)
            except (ValueError, DuplicateKey) as e:
                problems.append(f"body is not valid JSON: {e}")
                return Outcome(f"{method} {path} {status}", problems, None)

        # Errors: Twilio's error body, whatever the path.
        if status >= 400:
            op_name = f"{method} {self._template_name(path)} {status}"
            problems += self.schema_errors("error", ERROR_SCHEMA, body)
            if isinstance(body, dict):
                if body.get("status") != status:
                    problems.append(f"error body status {body.get('status')!r} != HTTP status {status}")
                code = body.get("code")
                if isinstance(code, int):
                    want = f"https://www.twilio.com/docs/errors/{code}"
                    if body.get("more_info") != want:
                        problems.append(f"more_info {body.get('more_info')!r}, expected {want!r}")
            return Outcome(op_name, problems, body)

        # Accounts v1 token API: hand-written schemas.
        v1 = V1_OPERATIONS.get((method, path))
        if not self.messaging and (v1 is not None or path.startswith("/v1/")):
            op_name = f"{method} {path} {status}"
            if v1 is None or status not in v1:
                problems.append(f"undocumented operation/status {op_name}")
                return Outcome(op_name, problems, body)
            schema = v1[status]
            if schema is not None:
                problems += self.schema_errors(f"v1 {op_name}", schema, body)
            elif status != 204:
                problems.append("expected no body")
            return Outcome(op_name, problems, body)

        matched = self.match_path(path)
        if matched is None:
            problems.append(f"path {path} is not in Twilio's OpenAPI document")
            return Outcome(f"{method} {path} {status}", problems, body)
        template, _item = matched
        op_name = f"{method} {template} {status}"
        documented, schema = self.response_schema(template, method, status)
        if not documented:
            problems.append(f"{method} {template} does not document status {status}")
            return Outcome(op_name, problems, body)
        if schema is None:
            if status != 204 and body is not None:
                problems.append("spec documents no body for this status")
            return Outcome(op_name, problems, body)
        problems += self.schema_errors(op_name, schema, body)
        return Outcome(op_name, problems, body)

    def _template_name(self, path: str) -> str:
        if path.startswith("/v1/") and not (self.messaging or path.startswith(MESSAGING_PREFIXES)):
            return path
        m = self.match_path(path)
        return m[0] if m else path

    # -- what Twilio's own examples show -------------------------------------

    def _learn_from_examples(self) -> None:
        """Relax the strict additions where Twilio's own examples show real
        answers doing otherwise: a property an example omits is not required
        (e.g. AvailablePhoneNumbers lists carry no paging envelope), and an
        enum ($ref) an example sets to null admits null (OpenAPI 3.0 cannot
        say `nullable` beside a $ref). Only the strict additions and
        $ref'd enums are relaxed; types, formats and patterns never are."""
        for template, method, status, name, value in self.examples():
            documented, schema = self.response_schema(template, method, status)
            if schema is None:
                continue
            v = self._validator(f"{method} {template} {status}", schema)
            for err in v.iter_errors(value):
                where = f"{method} {template} {status} ({name}) at {_error_path(err)}"
                if err.validator == "required" and isinstance(err.instance, dict):
                    missing = [p for p in err.validator_value if p not in err.instance]
                    err.schema["required"] = [p for p in err.schema["required"] if p not in missing]
                    self.learned.append(f"not required: {', '.join(missing)} ({where})")
                elif (err.instance is None and err.validator in ("type", "enum")
                      and "enum" in err.schema):
                    t = err.schema.get("type")
                    if t is not None and "null" not in (t if isinstance(t, list) else [t]):
                        err.schema["type"] = (t if isinstance(t, list) else [t]) + ["null"]
                    if None not in err.schema["enum"]:
                        err.schema["enum"] = list(err.schema["enum"]) + [None]
                    self.learned.append(f"nullable enum ({where})")

    # -- the spec's own examples (self-test) ---------------------------------

    def examples(self) -> Iterable[tuple[str, str, int, str, Any]]:
        for template, item in self.spec["paths"].items():
            for method, op in item.items():
                if method not in ("get", "post", "put", "delete", "patch"):
                    continue
                for status, resp in op.get("responses", {}).items():
                    content = resp.get("content", {}).get("application/json", {})
                    for name, ex in content.get("examples", {}).items():
                        yield template, method.upper(), int(status), name, ex["value"]

    def check_example(self, template: str, method: str, status: int, value: Any) -> list[str]:
        documented, schema = self.response_schema(template, method, status)
        assert documented
        if schema is None:
            return []
        return self.schema_errors(f"{method} {template} {status}", schema, value)
