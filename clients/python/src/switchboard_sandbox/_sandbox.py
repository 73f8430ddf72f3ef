"""One sandbox: an isolated world made from a seed, and its controls."""

from __future__ import annotations

import time
from datetime import timedelta
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping
from urllib.parse import parse_qsl, urlsplit

from twilio.rest import Client

from ._errors import ClockNotAvailable, SwitchboardError
from ._twilio import make_client

if TYPE_CHECKING:
    from ._server import Switchboard


@dataclass(frozen=True)
class Credentials:
    """Who a request is made as (``username``/``password``, HTTP Basic) and
    for which account (``account_sid``, in the path)."""

    account_sid: str
    username: str
    password: str

    @property
    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)


@dataclass(frozen=True)
class Authorization:
    """What headless consent answered: the URL the customer's browser would
    be sent to, and the dedicated subaccount (``None`` when denied)."""

    redirect_url: str
    account_sid: str | None
    raw: Mapping[str, Any] = field(repr=False)

    @property
    def params(self) -> dict[str, str]:
        """The redirect URL's query: ``AccountSid`` and ``state``, or
        ``error=unauthorized_client``."""
        return dict(parse_qsl(urlsplit(self.redirect_url).query, keep_blank_values=True))


def _is_sid(value: str, prefix: str) -> bool:
    return len(value) == 34 and value.startswith(prefix)


class Sandbox:
    """A sandbox on a Switchboard: its seed, what creating it answered
    (``data``), and helpers for its accounts, apps and controls.

    Names are the seed's: ``sandbox.client("bob")`` is Bob's account,
    ``sandbox.authorize("analytics", "bob")`` consents to the Connect App
    seeded as ``analytics``. SIDs work wherever a name does.
    """

    def __init__(self, switchboard: "Switchboard", seed: Mapping[str, Any], data: Mapping[str, Any]):
        self.switchboard = switchboard
        self.seed = seed
        self.data: dict[str, Any] = dict(data)
        self.sid: str = self.data["sid"]
        self.deleted = False
        # (ConnectAppSid, customer main AccountSid) -> dedicated subaccount SID,
        # for consent given after the seed.
        self._granted: dict[tuple[str, str], str] = {}

    def __repr__(self) -> str:
        return f"<Sandbox {self.sid} on {self.switchboard.base_url}>"

    # -- what the seed made -------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.switchboard.base_url

    @property
    def accounts(self) -> dict[str, dict]:
        """The seeded main accounts by name: ``sid``, ``auth_token``,
        ``email``, ``password``, ``subaccounts``."""
        return self.data.get("accounts") or {}

    @property
    def connect_apps(self) -> dict[str, dict]:
        """The seeded Connect Apps by name: ``sid``, ``connect_url``."""
        return self.data.get("connect_apps") or {}

    @property
    def phone_numbers(self) -> dict[str, dict]:
        """The seeded phone numbers by number: ``sid``, ``account_sid``."""
        return self.data.get("phone_numbers") or {}

    def account(self, ref: str) -> dict:
        """A seeded account by name (a main account; a subaccount by its own
        name when that is unique, or as ``"parent/sub"``) or by SID."""
        for name, acct in self._all_accounts():
            if ref in (name, acct.get("sid")):
                return acct
        short = [acct for name, acct in self._all_accounts() if name.split("/")[-1] == ref]
        if len(short) == 1:
            return short[0]
        if len(short) > 1:
            raise LookupError(f"{ref!r} names several subaccounts; say which, as 'parent/{ref}'")
        known = ", ".join(name for name, _ in self._all_accounts()) or "none"
        raise LookupError(f"no account {ref!r} in sandbox {self.sid} (seeded: {known})")

    def app(self, ref: str) -> dict:
        """A seeded Connect App by name or SID, with ``owner`` (its owner's
        name in the seed)."""
        for name, app in self.connect_apps.items():
            if ref in (name, app.get("sid")):
                return {**app, "name": name, "owner": app.get("owner") or self._app_owner(name)}
        known = ", ".join(self.connect_apps) or "none"
        raise LookupError(f"no Connect App {ref!r} in sandbox {self.sid} (seeded: {known})")

    def _all_accounts(self) -> Iterable[tuple[str, dict]]:
        for name, acct in self.accounts.items():
            yield name, acct
            for sub_name, sub in (acct.get("subaccounts") or {}).items():
                yield f"{name}/{sub_name}", sub

    def _app_owner(self, app_name: str) -> str | None:
        for owner, acct in (self.seed.get("accounts") or {}).items():
            if app_name in (acct.get("connect_apps") or {}):
                return owner
        return None

    def _main_credentials(self) -> tuple[str, str]:
        """Any main account of the sandbox: what its control routes take."""
        for acct in self.accounts.values():
            return (acct["sid"], acct["auth_token"])
        raise LookupError(f"sandbox {self.sid} has no main account")

    def credentials(self, ref: Any) -> Credentials:
        """Credentials for an account: a seeded name or SID, a dedicated
        subaccount (its customer's credentials), or a ``twilio.rest.Client``
        (its own)."""
        if isinstance(ref, Client):
            return Credentials(ref.account_sid, ref.username, ref.password)
        if isinstance(ref, Credentials):
            return ref
        try:
            acct = self.account(ref)
            return Credentials(acct["sid"], acct["sid"], acct["auth_token"])
        except LookupError:
            if not (isinstance(ref, str) and _is_sid(ref, "AC")):
                raise
        # A dedicated subaccount: its customer (the parent) may act on it.
        for (_app, customer), sub in self._grants().items():
            if sub == ref:
                parent = self.account(customer)
                return Credentials(ref, parent["sid"], parent["auth_token"])
        raise LookupError(f"account {ref} is not one of sandbox {self.sid}'s seeded or authorized accounts")

    def _grants(self) -> dict[tuple[str, str], str]:
        grants = {}
        for a in self.data.get("authorizations") or []:
            app_sid = a.get("connect_app_sid") or self.app(a["connect_app"])["sid"]
            grants[(app_sid, self.account(a["customer"])["sid"])] = a["account_sid"]
        grants.update(self._granted)
        return grants

    # -- SDK clients ------------------------------------------------------------------

    def client(self, account: str) -> Client:
        """An official ``twilio.rest.Client`` for a seeded account (name or
        SID), pointed at this Switchboard."""
        acct = self.account(account)
        return make_client(self.base_url, acct["sid"], acct["auth_token"])

    def connect_client(self, app: str, customer: str) -> Client:
        """The Connect App's client for one customer, as the app makes it:
        HTTP Basic with the customer's dedicated subaccount SID and the app
        owner's auth token. The customer must have authorized the app (in the
        seed, or with ``authorize``)."""
        info = self.app(app)
        cust = self.account(customer)
        sub = self._grants().get((info["sid"], cust["sid"]))
        if sub is None:
            raise LookupError(
                f"{customer!r} has not authorized {app!r} in sandbox {self.sid}: seed an authorization "
                f"or call sandbox.authorize({app!r}, {customer!r}) first"
            )
        owner = self.account(info["owner"]) if info.get("owner") else None
        if owner is None:
            raise LookupError(f"the owner of Connect App {app!r} is not in the seed")
        return make_client(self.base_url, sub, owner["auth_token"])

    # -- controls -------------------------------------------------------------------------

    def _control(self, method: str, tail: str, **kwargs: Any) -> Any:
        return self.switchboard.request(method, f"/switchboard/v1/Sandboxes/{self.sid}{tail}",
                                        auth=self._main_credentials(), **kwargs)

    def refresh(self) -> dict:
        """``GET …/Sandboxes/{Sid}.json`` (kept as ``data`` when it lists the
        accounts)."""
        data = self._control("GET", ".json")
        if isinstance(data, dict) and data.get("accounts"):
            self.data = data
        return data

    def reset(self) -> "Sandbox":
        """Puts the sandbox back to its seed state (same SIDs and tokens;
        recorded webhooks cleared)."""
        data = self._control("POST", "/Reset.json")
        if isinstance(data, dict) and data.get("sid"):
            self.data = data
        self._granted.clear()
        return self

    def delete(self) -> None:
        """Removes the sandbox and all its data; its credentials stop working."""
        if self.deleted:
            return
        try:
            self._control("DELETE", ".json", expect=(200, 204))
        except SwitchboardError as e:
            if e.status != 404:
                raise
        self.deleted = True

    def authorize(self, app: str, customer: str, *, state: str | None = None, decision: str = "authorize",
                  permissions: Iterable[str] | None = None) -> Authorization:
        """Headless consent: the customer (a seeded main account) presses
        Authorize (or ``decision="deny"``) on the app's consent page.
        ``permissions`` default to what the app asks for now."""
        app_sid = self.app(app)["sid"]
        cust = self.account(customer)
        form: list[tuple[str, str]] = [("ConnectAppSid", app_sid), ("Customer", cust["sid"]),
                                       ("Decision", decision)]
        if state is not None:
            form.append(("State", state))
        if permissions is not None:
            form += [("Permissions", p) for p in permissions]
        raw = self._control("POST", "/Authorizations.json", data=form)
        result = Authorization(raw["redirect_url"], raw.get("account_sid"), raw)
        if decision == "authorize" and result.account_sid:
            self._granted[(app_sid, cust["sid"])] = result.account_sid
        return result

    def revoke(self, app: str, customer: str) -> None:
        """The customer revokes the app (``DELETE …/AuthorizedConnectApps/{CN}.json``
        with the customer's credentials); Switchboard sends the deauthorize
        callback."""
        app_sid = self.app(app)["sid"]
        cust = self.account(customer)
        self.switchboard.request(
            "DELETE", f"/2010-04-01/Accounts/{cust['sid']}/AuthorizedConnectApps/{app_sid}.json",
            auth=(cust["sid"], cust["auth_token"]), expect=(204,))

    def inbound_sms(self, to: str, from_: str, body: str | None = None, *,
                    media_urls: Iterable[str] = (), account: Any = None) -> dict:
        """A handset texts one of the sandbox's numbers
        (``…/InboundMessages.json``); returns the message (Twilio's Message
        JSON). The number's account is found by itself (a seeded number, or
        one bought since by any seeded account or its subaccounts); pass
        ``account`` (name, SID or SDK client) to say it."""
        creds = self.credentials(account) if account is not None else self._number_owner(to)
        form = [("From", from_), ("To", to)]
        if body is not None:
            form.append(("Body", body))
        form += [("MediaUrl", u) for u in media_urls]
        return self.switchboard.request(
            "POST", f"/switchboard/v1/Accounts/{creds.account_sid}/InboundMessages.json",
            auth=creds.auth, data=form, expect=(201,))

    def _number_owner(self, number: str) -> Credentials:
        seeded = self.phone_numbers.get(number)
        if seeded:
            return self.credentials(seeded["account_sid"])
        for acct in self.accounts.values():
            auth = (acct["sid"], acct["auth_token"])
            # Twilio's Accounts.json: the main account and its subaccounts.
            listing = self.switchboard.request("GET", "/2010-04-01/Accounts.json", auth=auth,
                                               params={"PageSize": 1000})
            sids = [acct["sid"]] + [a["sid"] for a in listing.get("accounts", []) if a["sid"] != acct["sid"]]
            for sid in sids:
                numbers = self.switchboard.request(
                    "GET", f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json", auth=auth,
                    params={"PhoneNumber": number})
                if any(n.get("phone_number") == number for n in numbers.get("incoming_phone_numbers", [])):
                    return Credentials(sid, *auth)
        raise LookupError(f"no account of sandbox {self.sid} has the number {number}")

    def webhooks(self, *, kind: str | None = None, related_sid: str | None = None,
                 url: str | None = None) -> list[dict]:
        """Every HTTP request Switchboard made for this sandbox, oldest
        first (all pages), optionally filtered: each with ``kind``,
        ``related_sid``, ``account_sid``, ``method``, ``url``, ``parameters``,
        ``request_headers`` (``X-Twilio-Signature``,
        ``I-Twilio-Idempotency-Token``), ``status``, ``body``, ``error``,
        ``duration_ms``, ``date_created``. Kinds: ``deauthorize``,
        ``incoming-message``, ``message-status``, ``call-status``…"""
        params = {"PageSize": 1000}
        for key, value in (("Kind", kind), ("RelatedSid", related_sid), ("Url", url)):
            if value is not None:
                params[key] = value
        found: list[dict] = []
        page = self._control("GET", "/Webhooks.json", params=params)
        while True:
            found += page.get("webhooks", [])
            nxt = page.get("next_page_uri")
            if not nxt:
                return found
            page = self.switchboard.request("GET", nxt, auth=self._main_credentials())

    def wait_for_webhooks(self, count: int = 1, *, timeout: float = 5.0, **filters: Any) -> list[dict]:
        """``webhooks(**filters)`` once at least ``count`` have been
        recorded (webhooks go out from a queue, a moment after what caused
        them); fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.webhooks(**filters)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(found)} of {count} webhook(s) {filters or ''} recorded in sandbox {self.sid} "
                    f"after {timeout}s: {[(w.get('kind'), w.get('url')) for w in found]}"
                )
            time.sleep(0.02)

    def fault(self, method: str, path: str, *, status: int | None = None, code: int | None = None,
              message: str | None = None, count: int | None = None, delay_ms: int | None = None) -> dict:
        """The next ``count`` (default 1) API requests made with the
        sandbox's credentials that match ``method`` and ``path`` (a pattern
        such as ``/2010-04-01/Accounts/*/Messages.json``) fail with HTTP
        ``status`` and Twilio error ``code`` (both, or neither for latency
        alone), after ``delay_ms``."""
        form: list[tuple[str, str]] = [("Method", method), ("Path", path)]
        for key, value in (("Status", status), ("Code", code), ("Message", message), ("Count", count),
                           ("DelayMs", delay_ms)):
            if value is not None:
                form.append((key, str(value)))
        return self._control("POST", "/Faults.json", data=form, expect=(200, 201))

    def faults(self) -> list[dict]:
        """The active fault rules."""
        page = self._control("GET", "/Faults.json")
        return page.get("faults", []) if isinstance(page, dict) else page

    def clear_faults(self) -> None:
        self._control("DELETE", "/Faults.json", expect=(200, 204))

    def message_outcome(self, account: Any, message_sid: str, status: str, *,
                        error_code: int | None = None) -> dict:
        """Forces how a message still in flight ends (``undelivered``,
        ``failed``)."""
        return self._outcome(account, "Messages", message_sid, status, error_code)

    def call_outcome(self, account: Any, call_sid: str, status: str, *,
                     error_code: int | None = None) -> dict:
        """Forces how a call still in flight ends (``busy``, ``no-answer``,
        ``failed``, ``canceled``)."""
        return self._outcome(account, "Calls", call_sid, status, error_code)

    def _outcome(self, account: Any, kind: str, sid: str, status: str, error_code: int | None) -> dict:
        creds = self.credentials(account)
        form = [("Status", status)]
        if error_code is not None:
            form.append(("ErrorCode", str(error_code)))
        return self.switchboard.request(
            "POST", f"/switchboard/v1/Accounts/{creds.account_sid}/{kind}/{sid}/Outcome.json",
            auth=creds.auth, data=form, expect=(200, 201))

    def advance(self, by: str | int | float | timedelta) -> dict:
        """Moves the sandbox's clock forward by ``by`` (whole seconds, a
        ``timedelta``, or ``"30d"``, ``"2h"``, ``"90m"``, ``"45s"``, ``"1d12h"``)
        and plays, in order, everything of the sandbox that falls due on the
        way: calls' and messages' steps with their status callbacks, webhook
        retries, numbers' monthly rent. Returns once all of it is done, with
        the clock (``now``, ``offset`` in seconds, ``played``). Raises
        ``ClockNotAvailable`` (a ``NotImplementedError``) on a Switchboard
        without the clock."""
        if isinstance(by, timedelta):
            by = by.total_seconds()
        if isinstance(by, float):
            if not by.is_integer():
                raise ValueError(f"advance() takes whole seconds, not {by}")
            by = int(by)
        try:
            return self._control("POST", "/Clock.json", data={"Advance": str(by)}, not_found=ClockNotAvailable)
        except ClockNotAvailable:
            self._control("GET", ".json")  # a sandbox that is gone raises its own 404 here
            raise

    def now(self) -> str:
        """The sandbox clock's ``now`` (RFC 2822, as Twilio writes dates);
        ``email.utils.parsedate_to_datetime`` reads it."""
        try:
            return self._control("GET", "/Clock.json", not_found=ClockNotAvailable)["now"]
        except ClockNotAvailable:
            self._control("GET", ".json")
            raise
