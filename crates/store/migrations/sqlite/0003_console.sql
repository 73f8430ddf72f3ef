-- Console sessions, stored by the hash of the cookie's value.
CREATE TABLE sessions (
    id_hash BLOB PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Failed sign-ins, by subject ('email:…' or 'ip:…'), for throttling.
CREATE TABLE login_failures (
    subject TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_subject ON login_failures (subject, at);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    connect_app_sid TEXT,
    subject_sid TEXT,
    permissions BIGINT,
    detail TEXT,
    ip TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX audit_events_by_account ON audit_events (account_sid, at, id);
