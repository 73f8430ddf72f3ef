-- API keys (issue 26): the `Keys` and `SigningKeys` resources. A key's
-- secret is shown once, when it is made; only its keyed MAC is kept (as an
-- auth token's is), which the caller facts read to authenticate `SK…`
-- usernames. Deleting the row revokes the key.
CREATE TABLE api_keys (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    kind TEXT NOT NULL,
    friendly_name TEXT,
    secret_mac BYTEA NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX api_keys_by_account ON api_keys (account_sid, kind, date_created, sid);

-- The caller facts read a key's SID, account and secret MAC (migration 0007
-- explains the epoch): making, revoking or re-keying one moves it, so a
-- deleted key is refused by the very next request on every node. Renaming a
-- key does not.
CREATE TRIGGER api_keys_facts_changed
    AFTER INSERT OR DELETE OR UPDATE OF sid, account_sid, secret_mac
    ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION bump_facts_epoch();
CREATE TRIGGER api_keys_truncated
    AFTER TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION bump_facts_epoch();
