-- Failed console sign-ins per (client address, email), for growing delays: a
-- stranger's failures only slow the stranger's own address down. The per-address
-- ceiling keeps using login_failures ('ip:…' rows); 'email:…' rows, the old
-- per-email lockout, are no longer written or read.
CREATE TABLE sign_in_failures (
    address TEXT NOT NULL,
    email TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    PRIMARY KEY (address, email)
);
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (last_failure_at);
DELETE FROM login_failures WHERE subject LIKE 'email:%';
