"""Messaging Services with the official Python SDK (`client.messaging`,
pointed at Switchboard by its base URL): create, list, fetch, update and
delete services, add and remove their phone numbers, and send a message
through one. Every answer is checked against Twilio's messaging v1 document."""

from __future__ import annotations

from helpers import assert_rest_error, rest_error


def test_services_their_numbers_and_sending_through_them(main_account, main_client):
    client = main_client
    services = client.messaging.v1.services

    service = services.create(friendly_name="Reminders", inbound_request_url="https://app.example.com/sms")
    assert service.sid.startswith("MG")
    assert service.account_sid == main_account["sid"]
    assert service.inbound_method == "POST"
    assert service.sticky_sender is True
    assert service.use_inbound_webhook_on_number is False
    assert [s.sid for s in services.list()] == [service.sid]

    fetched = services(service.sid).fetch()
    assert fetched.friendly_name == "Reminders"
    assert fetched.inbound_request_url == "https://app.example.com/sms"
    updated = services(service.sid).update(friendly_name="Reminders EU", use_inbound_webhook_on_number=True)
    assert updated.friendly_name == "Reminders EU"
    assert updated.use_inbound_webhook_on_number is True

    account = client.api.v2010.accounts(main_account["sid"])
    number = account.incoming_phone_numbers.create(area_code="415")
    pool = services(service.sid).phone_numbers
    added = pool.create(phone_number_sid=number.sid)
    assert added.sid == number.sid
    assert added.service_sid == service.sid
    assert added.phone_number == number.phone_number
    assert [n.sid for n in pool.list()] == [number.sid]
    assert pool(number.sid).fetch().phone_number == number.phone_number
    assert_rest_error(rest_error(pool.create, phone_number_sid=number.sid), 400, 21710)

    message = account.messages.create(
        messaging_service_sid=service.sid, to="+14155550100", body="See you at 3pm"
    )
    assert message.from_ == number.phone_number
    assert message.messaging_service_sid == service.sid

    assert pool(number.sid).delete() is True
    assert pool.list() == []
    assert_rest_error(rest_error(pool(number.sid).fetch), 404, 20404)
    assert_rest_error(
        rest_error(account.messages.create, messaging_service_sid=service.sid, to="+14155550100", body="x"),
        400,
        21704,
    )
    assert services(service.sid).delete() is True
    assert_rest_error(rest_error(services(service.sid).fetch), 404, 20404)
