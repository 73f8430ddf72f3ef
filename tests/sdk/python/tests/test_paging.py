"""Paging 125 subaccounts (plus the main account: 126 records) with the
official Python SDK at page_size=50: list(), stream(), page() and
next_page(), previous_page(), and limits. Every subaccount must be seen
exactly once, in creation order."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from twilio.base.exceptions import TwilioException

from helpers import assert_account

N_SUBACCOUNTS = 125
PAGE_SIZE = 50
GROUP = "paging-every-third"


def sub_name(i: int) -> str:
    return GROUP if i % 3 == 0 else f"paging-{i:03d}"


@pytest.fixture(scope="module")
def population(server, make_client):
    main = server.create_main_account("SDK paging main")
    client = make_client(main["sid"], main["auth_token"])
    created = [client.api.v2010.accounts.create(friendly_name=sub_name(i)).sid
               for i in range(N_SUBACCOUNTS)]
    assert len(set(created)) == N_SUBACCOUNTS
    return {"main": main, "client": client, "subs": created,
            "all": [main["sid"]] + created}


def list_gets(exchanges):
    return [e for e in exchanges() if e["method"] == "GET"
            and urlsplit(e["url"]).path == "/2010-04-01/Accounts.json"]


def test_list_sees_every_subaccount_once_in_creation_order(population, exchanges):
    records = population["client"].api.v2010.accounts.list(page_size=PAGE_SIZE)
    assert [r.sid for r in records] == population["all"]
    for r in records[1:]:
        assert_account(r, owner=population["main"]["sid"])
    # 126 records at 50 a page: three GETs, the later ones by next_page_uri.
    gets = list_gets(exchanges)
    assert len(gets) == 3, [g["url"] for g in gets]
    sizes = [len(json.loads(g["body"])["accounts"]) for g in gets]
    assert sizes == [50, 50, 26]


def test_stream_sees_every_subaccount_once_in_creation_order(population, exchanges):
    seen = [r.sid for r in population["client"].api.v2010.accounts.stream(page_size=PAGE_SIZE)]
    assert seen == population["all"]
    assert len(list_gets(exchanges)) == 3


def test_stream_with_limit_stops_early(population, exchanges):
    seen = [r.sid for r in population["client"].api.v2010.accounts.stream(limit=60, page_size=PAGE_SIZE)]
    assert seen == population["all"][:60]
    assert len(list_gets(exchanges)) == 2


def test_list_with_limit_only(population):
    # limit alone also sets the page size (SDK behaviour): one page of 7.
    seen = [r.sid for r in population["client"].api.v2010.accounts.list(limit=7)]
    assert seen == population["all"][:7]


def test_explicit_pages(population):
    accounts = population["client"].api.v2010.accounts
    pages = []
    page = accounts.page(page_size=PAGE_SIZE)
    while page is not None:
        pages.append(page)
        page = page.next_page()
    assert len(pages) == 3
    payloads = [p._payload for p in pages]
    sids = [[a["sid"] for a in p["accounts"]] for p in payloads]
    assert sids == [population["all"][0:50], population["all"][50:100], population["all"][100:126]]

    # The envelope, page by page, as Twilio writes it.
    for n, p in enumerate(payloads):
        assert set(p) == {"accounts", "end", "first_page_uri", "next_page_uri", "page",
                          "page_size", "previous_page_uri", "start", "uri"}
        assert p["page"] == n
        assert p["page_size"] == PAGE_SIZE
        assert p["start"] == n * PAGE_SIZE
        assert p["end"] == n * PAGE_SIZE + len(p["accounts"]) - 1
        for key in ("uri", "first_page_uri", "next_page_uri", "previous_page_uri"):
            uri = p[key]
            if uri is None:
                continue
            assert uri.startswith("/2010-04-01/Accounts.json"), (key, uri)
            q = parse_qs(urlsplit(uri).query)
            assert q.get("PageSize") == [str(PAGE_SIZE)], (key, uri)
        first_q = parse_qs(urlsplit(p["first_page_uri"]).query)
        assert first_q.get("Page", ["0"]) == ["0"] and "PageToken" not in first_q
    assert payloads[0]["previous_page_uri"] is None
    assert payloads[0]["next_page_uri"] is not None
    assert payloads[1]["previous_page_uri"] is not None
    assert payloads[2]["next_page_uri"] is None
    assert pages[2].next_page() is None
    for p in payloads[:2]:
        q = parse_qs(urlsplit(p["next_page_uri"]).query)
        assert "PageToken" in q, p["next_page_uri"]
        assert q.get("Page") == [str(p["page"] + 1)], p["next_page_uri"]

    # Backwards: previous_page() from the last page gives the middle one.
    back = pages[2].previous_page()
    assert back is not None
    assert [a.sid for a in back] == population["all"][50:100]
    first = pages[1].previous_page()
    assert [a.sid for a in first] == population["all"][0:50]
    assert first.previous_page() is None


def test_get_page_follows_a_next_page_url(population):
    accounts = population["client"].api.v2010.accounts
    first = accounts.page(page_size=PAGE_SIZE)
    url = first.next_page_url
    assert url.startswith(population["client"].api.base_url + "/2010-04-01/Accounts.json?")
    second = accounts.get_page(url)
    assert [a.sid for a in second] == population["all"][50:100]
    # Following the same URL again gives the same page (a key, not a cursor).
    assert [a.sid for a in accounts.get_page(url)] == population["all"][50:100]


def test_filtered_paging_keeps_the_filter(population):
    accounts = population["client"].api.v2010.accounts
    want = [sid for i, sid in enumerate(population["subs"]) if i % 3 == 0]
    assert len(want) == 42
    got = [a.sid for a in accounts.stream(friendly_name=GROUP, page_size=10)]
    assert got == want
    page = accounts.page(friendly_name=GROUP, page_size=10)
    q = parse_qs(urlsplit(page._payload["next_page_uri"]).query)
    assert q.get("FriendlyName") == [GROUP]


def test_page_size_bounds(population):
    accounts = population["client"].api.v2010.accounts
    assert [a.sid for a in accounts.page(page_size=1000)] == population["all"]
    assert [a.sid for a in accounts.page(page_size=1)] == population["all"][:1]
    for bad in (0, 1001):
        # Page.process_response raises a plain TwilioException for non-200.
        with pytest.raises(TwilioException) as info:
            accounts.page(page_size=bad)
        response = info.value.args[1]
        assert response.status_code == 400, (bad, response.status_code, response.text)


def test_tampered_page_token_is_refused(population):
    accounts = population["client"].api.v2010.accounts
    url = accounts.page(page_size=PAGE_SIZE).next_page_url
    parts = urlsplit(url)
    q = parse_qs(parts.query)
    token = q["PageToken"][0]
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    bad_url = url.replace("PageToken=" + token, "PageToken=" + flipped)
    assert bad_url != url
    with pytest.raises(TwilioException) as info:
        accounts.get_page(bad_url)
    assert info.value.args[1].status_code == 400


def test_page_token_of_another_main_account_leaks_nothing(population, server, make_client):
    """A PageToken is a signed position in a list. Used by another main
    account it may be refused (400) or read as a position in that caller's
    own list, but it must never show the first account's records."""
    url = population["client"].api.v2010.accounts.page(page_size=PAGE_SIZE).next_page_url
    other = server.create_main_account("SDK paging stranger")
    other_client = make_client(other["sid"], other["auth_token"])
    own = {other["sid"], other_client.api.v2010.accounts.create(friendly_name="stranger's sub").sid}
    try:
        page = other_client.api.v2010.accounts.get_page(url)
    except TwilioException as e:
        assert e.args[1].status_code == 400, e.args[1].text
        return
    listed = {a.sid for a in page}
    assert listed <= own, f"a foreign PageToken listed {sorted(listed - own)}"


def test_paging_is_by_key_not_offset(server, make_client):
    """Records created while paging neither shift nor repeat what is left:
    the next page starts after the last record seen."""
    main = server.create_main_account("SDK keyset main")
    client = make_client(main["sid"], main["auth_token"])
    accounts = client.api.v2010.accounts
    before = [accounts.create(friendly_name=f"k{i}").sid for i in range(5)]
    first = accounts.page(page_size=3)
    seen = [a.sid for a in first]
    assert seen == [main["sid"]] + before[:2]
    late = accounts.create(friendly_name="late").sid
    rest = []
    page = first.next_page()
    while page is not None:
        rest += [a.sid for a in page]
        page = page.next_page()
    assert rest == before[2:] + [late]
