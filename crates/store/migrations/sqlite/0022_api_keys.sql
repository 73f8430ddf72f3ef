-- API keys (issue 26): the `Keys` and `SigningKeys` resources. A key's
-- secret is shown once, when it is made; only its keyed MAC is kept (as an
-- auth token's is), which the caller facts read to authenticate `SK…`
-- usernames. Deleting the row revokes the key.
CREATE TABLE api_keys (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    kind TEXT NOT NULL,
    friendly_name TEXT,
    secret_mac BLOB NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX api_keys_by_account ON api_keys (account_sid, kind, date_created, sid);
