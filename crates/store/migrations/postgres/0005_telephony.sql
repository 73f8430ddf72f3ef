-- Telephony: phone numbers, calls, messages, recordings, and what they cost.

-- What a main account has left to spend, in micro-dollars. Every account starts
-- with a trial credit; charges to any account of the tree lower its main
-- account's balance in the same transaction as the charge.
ALTER TABLE accounts ADD COLUMN balance_micros BIGINT NOT NULL DEFAULT 15500000;

-- Numbers an account bought. A number has one owner at a time: releasing it
-- deletes the row and puts it back on sale.
CREATE TABLE phone_numbers (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    phone_number TEXT NOT NULL UNIQUE,
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
    -- When the next month's rent is charged.
    renews_at BIGINT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX phone_numbers_by_account ON phone_numbers (account_sid, date_created, sid);
CREATE INDEX phone_numbers_renewals ON phone_numbers (renews_at);

-- Calls. The simulation plans a call's whole course when it is placed
-- (end_status, ring and talk seconds); next_transition_at says when the
-- simulator must move it on, and is NULL once the call has ended.
CREATE TABLE calls (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    parent_call_sid TEXT,
    to_number TEXT NOT NULL,
    from_number TEXT NOT NULL,
    phone_number_sid TEXT,
    status TEXT NOT NULL,
    direction TEXT NOT NULL,
    url TEXT,
    twiml TEXT,
    application_sid TEXT,
    method TEXT NOT NULL,
    status_callback TEXT,
    status_callback_method TEXT NOT NULL,
    status_callback_events TEXT NOT NULL,
    -- Whose auth token signs the status callbacks: the Connect App owner's when
    -- an app placed the call (the app cannot know its customer's token).
    callback_signer_sid TEXT NOT NULL,
    timeout_secs BIGINT NOT NULL,
    record BOOLEAN NOT NULL,
    end_status TEXT NOT NULL,
    ring_secs BIGINT NOT NULL,
    talk_secs BIGINT NOT NULL,
    next_transition_at BIGINT,
    start_time BIGINT,
    end_time BIGINT,
    duration BIGINT,
    price_micros BIGINT,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
-- One index per list filter, each ending in the list's order, so every page of
-- every filter is a range scan however deep it is.
CREATE INDEX calls_by_account ON calls (account_sid, date_created, sid);
CREATE INDEX calls_by_to ON calls (account_sid, to_number, date_created, sid);
CREATE INDEX calls_by_from ON calls (account_sid, from_number, date_created, sid);
CREATE INDEX calls_by_status ON calls (account_sid, status, date_created, sid);
CREATE INDEX calls_by_parent ON calls (parent_call_sid) WHERE parent_call_sid IS NOT NULL;
CREATE INDEX calls_due ON calls (next_transition_at) WHERE next_transition_at IS NOT NULL;

CREATE TABLE messages (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    to_number TEXT NOT NULL,
    from_number TEXT NOT NULL,
    body TEXT NOT NULL,
    num_segments BIGINT NOT NULL,
    media_urls TEXT NOT NULL,
    status TEXT NOT NULL,
    direction TEXT NOT NULL,
    status_callback TEXT,
    callback_signer_sid TEXT NOT NULL,
    end_status TEXT NOT NULL,
    next_transition_at BIGINT,
    error_code BIGINT,
    error_message TEXT,
    date_sent BIGINT,
    price_micros BIGINT,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX messages_by_account ON messages (account_sid, date_created, sid);
CREATE INDEX messages_by_to ON messages (account_sid, to_number, date_created, sid);
CREATE INDEX messages_by_from ON messages (account_sid, from_number, date_created, sid);
CREATE INDEX messages_due ON messages (next_transition_at) WHERE next_transition_at IS NOT NULL;

CREATE TABLE recordings (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    call_sid TEXT NOT NULL,
    duration BIGINT NOT NULL,
    status TEXT NOT NULL,
    start_time BIGINT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX recordings_by_account ON recordings (account_sid, date_created, sid);
CREATE INDEX recordings_by_call ON recordings (call_sid, date_created, sid);

-- Usage, rolled up per account, category and UTC day ('YYYY-MM-DD') as it is
-- charged, so usage reports and balances read a few rows, not every call.
CREATE TABLE usage_daily (
    account_sid TEXT NOT NULL,
    category TEXT NOT NULL,
    day TEXT NOT NULL,
    count BIGINT NOT NULL,
    usage BIGINT NOT NULL,
    price_micros BIGINT NOT NULL,
    PRIMARY KEY (account_sid, category, day)
);
