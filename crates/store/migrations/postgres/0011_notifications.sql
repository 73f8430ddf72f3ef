-- The debugger's log (Twilio's 2010 Notifications resource): errors and
-- warnings about an account's webhooks and TwiML, written by the worker that
-- met them in the same transaction as the attempt they describe.
CREATE TABLE notifications (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    call_sid TEXT,
    -- What the notification is about when it is not a call (a message's SID).
    resource_sid TEXT,
    error_code BIGINT NOT NULL,
    -- Twilio's `log`: '0' for an error, '1' for a warning.
    log_level TEXT NOT NULL,
    message_text TEXT NOT NULL,
    message_date BIGINT NOT NULL,
    request_url TEXT,
    request_method TEXT,
    request_variables TEXT,
    response_headers TEXT,
    -- Capped when recorded (see the domain's notifications module).
    response_body TEXT,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
-- One index per list filter, each ending in the list's order.
CREATE INDEX notifications_by_account ON notifications (account_sid, date_created, sid);
CREATE INDEX notifications_by_level ON notifications (account_sid, log_level, date_created, sid);
CREATE INDEX notifications_by_call ON notifications (account_sid, call_sid, date_created, sid)
    WHERE call_sid IS NOT NULL;
