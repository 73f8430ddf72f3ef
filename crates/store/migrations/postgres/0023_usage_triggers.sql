-- Usage triggers (issue 26): a webhook sent when an account's usage of a
-- category crosses a value, at most once per period (`recurring`).
--
-- `armed_from` is the first day (`YYYY-MM-DD`, the account's world's UTC) on
-- which the trigger may fire again: '' until it first fires, then the start
-- of its next period ('9999-12-31' for a trigger that fires once ever). A
-- charge looks up the account's triggers armed on its day by the index, and
-- firing moves `armed_from` in the charge's transaction, so a trigger fires
-- once per period on every node and across restarts.
CREATE TABLE usage_triggers (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    friendly_name TEXT,
    api_version TEXT NOT NULL,
    usage_category TEXT NOT NULL,
    trigger_by TEXT NOT NULL,
    trigger_value TEXT NOT NULL,
    recurring TEXT NOT NULL,
    callback_url TEXT NOT NULL,
    callback_method TEXT NOT NULL,
    -- Whose auth token signs the callback: the Connect App owner's when an
    -- app set it, the account's otherwise.
    callback_signer_sid TEXT NOT NULL REFERENCES accounts (sid),
    current_value TEXT,
    date_fired BIGINT,
    armed_from TEXT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX usage_triggers_by_account ON usage_triggers (account_sid, date_created, sid);
