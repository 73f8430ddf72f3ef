-- Issue 26's message feedback, outgoing caller IDs and short codes.
-- (0026 and 0027 belong to other branches; the runner applies whatever
-- is missing, in order, so the gap is harmless.)

-- A message sent with `ProvideFeedback=true` has a feedback row from the
-- start (`unconfirmed`); `POST …/Messages/{Sid}/Feedback.json` sets its
-- outcome. A message without one has no Feedback resource.
CREATE TABLE message_feedback (
    message_sid TEXT PRIMARY KEY REFERENCES messages (sid),
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    outcome TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);

-- Numbers an account verified and may place calls from without owning them
-- (`…/OutgoingCallerIds`): one per number and account.
CREATE TABLE outgoing_caller_ids (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    phone_number TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE UNIQUE INDEX outgoing_caller_ids_by_number ON outgoing_caller_ids (account_sid, phone_number);
CREATE INDEX outgoing_caller_ids_by_account ON outgoing_caller_ids (account_sid, date_created, sid);

-- A validation request (`POST …/OutgoingCallerIds.json`) while its
-- verification call is under way. The call's end decides it, in the
-- transaction that ends the call, and deletes the row: a verified number
-- becomes a caller ID there, and the status callback goes in the outbox.
CREATE TABLE caller_id_validations (
    call_sid TEXT PRIMARY KEY REFERENCES calls (sid),
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    phone_number TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    validation_code TEXT NOT NULL,
    status_callback TEXT,
    status_callback_method TEXT NOT NULL,
    callback_signer_sid TEXT NOT NULL REFERENCES accounts (sid),
    date_created BIGINT NOT NULL
);

-- Short codes the operator provisioned (`switchboard short-codes add`),
-- read and configured through `…/SMS/ShortCodes`. A short code is one
-- account's in its world (`sandbox_sid` is the account's, as for
-- phone_numbers).
CREATE TABLE short_codes (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    sandbox_sid TEXT,
    short_code TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    api_version TEXT NOT NULL,
    sms_url TEXT,
    sms_method TEXT NOT NULL,
    sms_fallback_url TEXT,
    sms_fallback_method TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE UNIQUE INDEX short_codes_by_world ON short_codes (COALESCE(sandbox_sid, ''), short_code);
CREATE INDEX short_codes_by_account ON short_codes (account_sid, date_created, sid);
