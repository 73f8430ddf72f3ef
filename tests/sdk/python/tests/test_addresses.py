"""Addresses and the number inventory with the official Python SDK: every
country's seven AvailablePhoneNumbers lists (empty where the country sells
no such numbers, never 404), addresses created, listed (with Twilio's
filters and the SDK's paging), fetched, updated and deleted, numbers whose
country requires an address bought with one (21631 without) and listed as
the address's DependentPhoneNumbers, and a Connect App filing addresses in
its dedicated subaccount. Every answer is checked against Twilio's 2010
document."""

from __future__ import annotations

from helpers import assert_rest_error, rest_error
from sdkharness.connect import Customer, create_app

BERLIN = dict(
    customer_name="Ada Lovelace GmbH",
    street="Unter den Linden 1",
    city="Berlin",
    region="BE",
    postal_code="10117",
    iso_country="DE",
)
NEW_YORK = dict(
    customer_name="Ada Lovelace Inc",
    street="1 Broadway",
    city="New York",
    region="NY",
    postal_code="10004",
    iso_country="US",
)
KINDS = ["local", "toll_free", "mobile", "national", "shared_cost", "voip", "machine_to_machine"]


def test_every_country_answers_its_seven_lists(main_account, main_client):
    account = main_client.api.v2010.accounts(main_account["sid"])
    countries = account.available_phone_numbers.list()
    codes = [c.country_code for c in countries]
    assert codes == ["US", "CA", "GB", "AU", "DE", "FR", "ES", "IT", "NL", "SE", "IE", "BR", "MX", "JP"]
    sold = 0
    for country in countries:
        fetched = account.available_phone_numbers(country.country_code).fetch()
        assert fetched.country == country.country
        for kind in KINDS:
            numbers = getattr(account.available_phone_numbers(country.country_code), kind).list(limit=2)
            if kind in fetched.subresource_uris:
                sold += 1
                assert len(numbers) == 2, (country.country_code, kind)
                assert all(n.iso_country == country.country_code for n in numbers)
                assert all(n.address_requirements in ("none", "any", "local", "foreign") for n in numbers)
            else:
                assert numbers == [], (country.country_code, kind)
    assert sold == 49

    de = account.available_phone_numbers("DE")
    berlin = de.local.list(area_code=30, limit=3)
    assert all(n.phone_number.startswith("+4930") and n.locality == "Berlin" for n in berlin)
    assert {n.address_requirements for n in berlin} == {"local"}
    assert de.local.list(exclude_local_address_required=True, limit=3) == []
    m2m = account.available_phone_numbers("NL").machine_to_machine.list(limit=1)[0]
    assert m2m.phone_number.startswith("+31970")
    assert (m2m.capabilities["voice"], m2m.capabilities["sms"]) == (False, True)
    assert account.available_phone_numbers("JP").national.list(limit=1)[0].phone_number.startswith("+8150")
    assert account.available_phone_numbers("FR").shared_cost.list(limit=1)[0].phone_number.startswith("+33810")
    assert account.available_phone_numbers("GB").voip.list(limit=1)[0].phone_number.startswith("+4456")

    # A number of the newer types is bought like any other.
    national = account.available_phone_numbers("GB").national.list(limit=1)[0]
    bought = account.incoming_phone_numbers.create(phone_number=national.phone_number)
    assert (bought.type, bought.address_requirements) == ("national", "none")


def test_addresses_are_created_listed_updated_and_deleted(main_account, main_client):
    account = main_client.api.v2010.accounts(main_account["sid"])
    addresses = account.addresses
    berlin = addresses.create(**BERLIN, street_secondary="2. OG", auto_correct_address=False)
    assert berlin.sid.startswith("AD")
    assert berlin.account_sid == main_account["sid"]
    assert (berlin.customer_name, berlin.street, berlin.street_secondary) == (
        "Ada Lovelace GmbH",
        "Unter den Linden 1",
        "2. OG",
    )
    assert (berlin.city, berlin.region, berlin.postal_code, berlin.iso_country) == ("Berlin", "BE", "10117", "DE")
    assert berlin.friendly_name is None
    assert (berlin.emergency_enabled, berlin.validated, berlin.verified) == (False, False, False)
    assert berlin.uri == f"/2010-04-01/Accounts/{main_account['sid']}/Addresses/{berlin.sid}.json"

    hq = addresses.create(**{**NEW_YORK, "iso_country": "us"}, friendly_name="HQ", emergency_enabled=True)
    assert (hq.iso_country, hq.friendly_name, hq.emergency_enabled) == ("US", "HQ", True)

    assert [a.sid for a in addresses.list()] == [berlin.sid, hq.sid]
    assert [a.sid for a in addresses.stream(page_size=1)] == [berlin.sid, hq.sid]
    assert [a.sid for a in addresses.list(iso_country="DE")] == [berlin.sid]
    assert [a.sid for a in addresses.list(customer_name="Ada Lovelace Inc")] == [hq.sid]
    assert [a.sid for a in addresses.list(friendly_name="HQ")] == [hq.sid]
    assert [a.sid for a in addresses.list(emergency_enabled=True)] == [hq.sid]

    assert addresses(berlin.sid).fetch().street_secondary == "2. OG"
    updated = addresses(berlin.sid).update(friendly_name="Berlin office", street_secondary="", postal_code="10178")
    assert (updated.friendly_name, updated.street_secondary, updated.postal_code) == ("Berlin office", None, "10178")
    assert updated.street == "Unter den Linden 1"

    assert addresses(berlin.sid).delete() is True
    assert_rest_error(rest_error(addresses(berlin.sid).fetch), 404, 20404)
    assert [a.sid for a in addresses.list()] == [hq.sid]


def test_bad_addresses_get_twilios_codes(main_account, main_client):
    addresses = main_client.api.v2010.accounts(main_account["sid"]).addresses
    assert_rest_error(rest_error(addresses.create, **{**BERLIN, "customer_name": ""}), 400, 20001)
    assert_rest_error(rest_error(addresses.create, **{**BERLIN, "iso_country": "ZZ"}), 400, 21238)
    assert_rest_error(rest_error(addresses.create, **{**BERLIN, "customer_name": "x" * 65}), 400, 21238)
    assert_rest_error(rest_error(addresses("AD" + "0" * 32).fetch), 404, 20404)


def test_numbers_that_need_an_address_are_bought_with_one(main_account, main_client):
    account = main_client.api.v2010.accounts(main_account["sid"])
    berlin = account.addresses.create(**BERLIN)
    new_york = account.addresses.create(**NEW_YORK)
    offered = account.available_phone_numbers("DE").local.list(limit=1)[0]
    assert offered.address_requirements == "local"

    err = rest_error(account.incoming_phone_numbers.create, phone_number=offered.phone_number)
    assert_rest_error(err, 400, 21631)
    err = rest_error(
        account.incoming_phone_numbers.create, phone_number=offered.phone_number, address_sid=new_york.sid
    )
    assert_rest_error(err, 400, 21631)
    number = account.incoming_phone_numbers.create(phone_number=offered.phone_number, address_sid=berlin.sid)
    assert (number.address_sid, number.address_requirements) == (berlin.sid, "local")

    dependents = account.addresses(berlin.sid).dependent_phone_numbers.list()
    assert [d.sid for d in dependents] == [number.sid]
    assert (dependents[0].phone_number, dependents[0].address_requirements) == (offered.phone_number, "local")
    assert account.addresses(new_york.sid).dependent_phone_numbers.list() == []

    # The address stays while the number uses it, and the number keeps one.
    assert_rest_error(rest_error(account.addresses(berlin.sid).delete), 400, 21631)
    assert_rest_error(rest_error(account.incoming_phone_numbers(number.sid).update, address_sid=""), 400, 21631)
    assert account.incoming_phone_numbers(number.sid).delete() is True
    assert account.addresses(berlin.sid).delete() is True


def test_a_post_all_app_files_addresses_in_its_subaccount(server, make_client):
    owner = server.create_main_account("Address app owner", full=True)
    customer = server.create_main_account("Address customer", full=True)
    connect_app = create_app(server.base_url, owner, permissions=["get-all", "post-all"])
    sub = Customer(server.base_url, customer).authorize(connect_app["sid"])
    as_app = make_client(sub, owner["auth_token"])
    here = as_app.api.v2010.accounts(sub)
    made = here.addresses.create(**BERLIN)
    assert made.account_sid == sub
    offered = here.available_phone_numbers("DE").mobile.list(limit=1)[0]
    number = here.incoming_phone_numbers.create(phone_number=offered.phone_number, address_sid=made.sid)
    assert number.address_sid == made.sid
    assert [d.sid for d in here.addresses(made.sid).dependent_phone_numbers.list()] == [number.sid]
    # With get-all it reads the customer's own addresses, and files none there.
    customers = as_app.api.v2010.accounts(customer["sid"]).addresses
    assert customers.list() == []
    assert_rest_error(rest_error(customers.create, **NEW_YORK), 403, 20403)
