-- Sandboxes (sandbox mode only): isolated worlds of accounts made from a seed
-- document. The seed is kept as it was given; the resolved seed (every SID and
-- token it produced, password hashes included) is sealed like auth tokens, so
-- that a reset recreates the very same world without generating or hashing
-- anything again.
CREATE TABLE sandboxes (
    sid TEXT PRIMARY KEY,
    seed TEXT NOT NULL,
    resolved_sealed BYTEA NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);

-- The world an account belongs to: NULL is the default world, otherwise the
-- sandbox that made it (subaccounts inherit their parent's).
ALTER TABLE accounts ADD COLUMN sandbox_sid TEXT;
CREATE INDEX accounts_by_sandbox ON accounts (sandbox_sid) WHERE sandbox_sid IS NOT NULL;

-- The facts read an account's world: its column moves the epoch too.
DROP TRIGGER accounts_facts_changed ON accounts;
CREATE TRIGGER accounts_facts_changed
    AFTER INSERT OR DELETE OR UPDATE OF sid, owner_account_sid, type, status, auth_token_mac,
        secondary_token_mac, sandbox_sid
    ON accounts FOR EACH STATEMENT EXECUTE FUNCTION bump_facts_epoch();

-- A console email, a phone number and an opt-out are unique within one world,
-- not across worlds: the same seed may be used by two sandboxes at once.
ALTER TABLE users ADD COLUMN sandbox_sid TEXT;
ALTER TABLE users DROP CONSTRAINT users_email_key;
CREATE UNIQUE INDEX users_by_world_email ON users (COALESCE(sandbox_sid, ''), email);

ALTER TABLE phone_numbers ADD COLUMN sandbox_sid TEXT;
ALTER TABLE phone_numbers DROP CONSTRAINT phone_numbers_phone_number_key;
CREATE UNIQUE INDEX phone_numbers_by_world_number
    ON phone_numbers (COALESCE(sandbox_sid, ''), phone_number);

ALTER TABLE opt_outs ADD COLUMN sandbox_sid TEXT;
ALTER TABLE opt_outs DROP CONSTRAINT opt_outs_pkey;
CREATE UNIQUE INDEX opt_outs_by_world ON opt_outs (COALESCE(sandbox_sid, ''), sender, recipient);

-- What was sent with each attempt beyond the delivery's URL and parameters:
-- the signature (made with the signing account's token of the moment), so a
-- sandbox's recorded webhooks show the headers exactly.
ALTER TABLE delivery_attempts ADD COLUMN signature TEXT;
