-- Messaging Services (issue 21): a pool of an account's numbers with shared
-- settings, reached on the messaging host's /v1/Services.
CREATE TABLE messaging_services (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    friendly_name TEXT NOT NULL,
    inbound_request_url TEXT,
    inbound_method TEXT NOT NULL,
    fallback_url TEXT,
    fallback_method TEXT NOT NULL,
    status_callback TEXT,
    sticky_sender BOOLEAN NOT NULL,
    mms_converter BOOLEAN NOT NULL,
    smart_encoding BOOLEAN NOT NULL,
    scan_message_content TEXT NOT NULL,
    fallback_to_long_code BOOLEAN NOT NULL,
    area_code_geomatch BOOLEAN NOT NULL,
    validity_period BIGINT NOT NULL,
    synchronous_validation BOOLEAN NOT NULL,
    usecase TEXT NOT NULL,
    use_inbound_webhook_on_number BOOLEAN NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX messaging_services_by_account ON messaging_services (account_sid, date_created, sid);

-- A service's sender pool. A number is in at most one service (the primary
-- key); releasing the number or deleting the service takes it out.
CREATE TABLE messaging_service_numbers (
    phone_number_sid TEXT PRIMARY KEY REFERENCES phone_numbers (sid) ON DELETE CASCADE,
    service_sid TEXT NOT NULL REFERENCES messaging_services (sid) ON DELETE CASCADE,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX messaging_service_numbers_by_service
    ON messaging_service_numbers (service_sid, date_created, phone_number_sid);

-- The service a message was sent through (NULL: sent from a number directly).
ALTER TABLE messages ADD COLUMN messaging_service_sid TEXT;
-- Sticky sender: the last message of a service to a recipient.
CREATE INDEX messages_by_service_recipient
    ON messages (messaging_service_sid, to_number, date_created)
    WHERE messaging_service_sid IS NOT NULL;
