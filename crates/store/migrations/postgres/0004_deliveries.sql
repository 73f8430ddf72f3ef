-- The outbox of outgoing webhooks (deauthorize callbacks, status callbacks). A
-- delivery is written in the same transaction as the change that causes it, so it
-- is never lost; workers claim due rows, send them, and record every attempt.
CREATE TABLE deliveries (
    sid TEXT PRIMARY KEY,
    -- The account whose console lists this delivery (an app owner, or the owner
    -- of the call or message).
    account_sid TEXT NOT NULL,
    kind TEXT NOT NULL,
    connect_app_sid TEXT,
    resource_sid TEXT,
    -- The account whose current auth token signs each attempt.
    signing_account_sid TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    -- The parameters, form-encoded, in the order they are sent.
    params TEXT NOT NULL,
    idempotency_token TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    created_at BIGINT NOT NULL,
    completed_at BIGINT,
    last_status BIGINT,
    last_error TEXT
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_by_account ON deliveries (account_sid, created_at, sid);

CREATE TABLE delivery_attempts (
    delivery_sid TEXT NOT NULL REFERENCES deliveries (sid),
    attempt BIGINT NOT NULL,
    at BIGINT NOT NULL,
    url TEXT NOT NULL,
    status_code BIGINT,
    latency_ms BIGINT,
    error TEXT,
    PRIMARY KEY (delivery_sid, attempt)
);
