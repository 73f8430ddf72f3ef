-- Sandboxes (sandbox mode only): isolated worlds of accounts made from a seed
-- document. The seed is kept as it was given; the resolved seed (every SID and
-- token it produced, password hashes included) is sealed like auth tokens, so
-- that a reset recreates the very same world without generating or hashing
-- anything again.
CREATE TABLE sandboxes (
    sid TEXT PRIMARY KEY,
    seed TEXT NOT NULL,
    resolved_sealed BLOB NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);

-- The world an account belongs to: NULL is the default world, otherwise the
-- sandbox that made it (subaccounts inherit their parent's).
ALTER TABLE accounts ADD COLUMN sandbox_sid TEXT;
CREATE INDEX accounts_by_sandbox ON accounts (sandbox_sid) WHERE sandbox_sid IS NOT NULL;

-- A console email, a phone number and an opt-out are unique within one world,
-- not across worlds: the same seed may be used by two sandboxes at once. SQLite
-- cannot drop a column's UNIQUE, so these tables are rebuilt. Rows referencing
-- them (sessions, messaging service pools) are set aside first, so that the
-- drop's implicit delete neither fails nor cascades, and put back after.
CREATE TABLE users_rebuilt (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    date_created BIGINT NOT NULL,
    sandbox_sid TEXT
);
INSERT INTO users_rebuilt (id, email, password_hash, account_sid, date_created)
    SELECT id, email, password_hash, account_sid, date_created FROM users;
CREATE TABLE sessions_kept AS SELECT * FROM sessions;
DELETE FROM sessions;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
INSERT INTO sessions SELECT * FROM sessions_kept;
DROP TABLE sessions_kept;
CREATE INDEX users_by_account ON users (account_sid);
CREATE UNIQUE INDEX users_by_world_email ON users (COALESCE(sandbox_sid, ''), email);

CREATE TABLE phone_numbers_rebuilt (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    phone_number TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    number_type TEXT NOT NULL,
    iso_country TEXT NOT NULL,
    voice_capable BOOLEAN NOT NULL,
    sms_capable BOOLEAN NOT NULL,
    mms_capable BOOLEAN NOT NULL,
    fax_capable BOOLEAN NOT NULL,
    voice_url TEXT,
    voice_method TEXT NOT NULL,
    voice_fallback_url TEXT,
    voice_fallback_method TEXT NOT NULL,
    sms_url TEXT,
    sms_method TEXT NOT NULL,
    sms_fallback_url TEXT,
    sms_fallback_method TEXT NOT NULL,
    status_callback TEXT,
    status_callback_method TEXT NOT NULL,
    renews_at BIGINT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL,
    sandbox_sid TEXT
);
INSERT INTO phone_numbers_rebuilt (sid, account_sid, phone_number, friendly_name, number_type,
        iso_country, voice_capable, sms_capable, mms_capable, fax_capable, voice_url,
        voice_method, voice_fallback_url, voice_fallback_method, sms_url, sms_method,
        sms_fallback_url, sms_fallback_method, status_callback, status_callback_method,
        renews_at, date_created, date_updated)
    SELECT sid, account_sid, phone_number, friendly_name, number_type,
        iso_country, voice_capable, sms_capable, mms_capable, fax_capable, voice_url,
        voice_method, voice_fallback_url, voice_fallback_method, sms_url, sms_method,
        sms_fallback_url, sms_fallback_method, status_callback, status_callback_method,
        renews_at, date_created, date_updated
    FROM phone_numbers;
CREATE TABLE messaging_service_numbers_kept AS SELECT * FROM messaging_service_numbers;
DELETE FROM messaging_service_numbers;
DROP TABLE phone_numbers;
ALTER TABLE phone_numbers_rebuilt RENAME TO phone_numbers;
INSERT INTO messaging_service_numbers SELECT * FROM messaging_service_numbers_kept;
DROP TABLE messaging_service_numbers_kept;
CREATE INDEX phone_numbers_by_account ON phone_numbers (account_sid, date_created, sid);
CREATE INDEX phone_numbers_renewals ON phone_numbers (renews_at);
CREATE UNIQUE INDEX phone_numbers_by_world_number
    ON phone_numbers (COALESCE(sandbox_sid, ''), phone_number);

CREATE TABLE opt_outs_rebuilt (
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    account_sid TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sandbox_sid TEXT
);
INSERT INTO opt_outs_rebuilt (sender, recipient, account_sid, created_at)
    SELECT sender, recipient, account_sid, created_at FROM opt_outs;
DROP TABLE opt_outs;
ALTER TABLE opt_outs_rebuilt RENAME TO opt_outs;
CREATE UNIQUE INDEX opt_outs_by_world ON opt_outs (COALESCE(sandbox_sid, ''), sender, recipient);

-- What was sent with each attempt beyond the delivery's URL and parameters:
-- the signature (made with the signing account's token of the moment), so a
-- sandbox's recorded webhooks show the headers exactly.
ALTER TABLE delivery_attempts ADD COLUMN signature TEXT;
