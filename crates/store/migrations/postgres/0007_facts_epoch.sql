-- The facts epoch: one number that moves, in the same transaction, with every
-- change to the rows an API request's caller facts are read from (see
-- crates/store/src/access.rs). A node reuses facts it has read while the epoch
-- it reads beside a resource is the one it read them at; so whatever node
-- commits a revocation, a rotated token or a suspension, every node reads the
-- facts again on its very next request (store/src/postgres/facts.rs).
--
-- Only the columns facts are read from fire the triggers: a balance or a
-- friendly name changing does not make nodes read facts again. Writes that do
-- fire them queue on this one row until they commit; they are the rare ones
-- (new accounts, grants, revocations, token rotations, status changes).
CREATE TABLE facts_epoch (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO facts_epoch (id, n) VALUES (1, 0);

-- The search path is the migration's, so the epoch bumped is the one beside the
-- tables, whatever path the writing session has.
CREATE FUNCTION bump_facts_epoch() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE facts_epoch SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER accounts_facts_changed
    AFTER INSERT OR DELETE OR UPDATE OF sid, owner_account_sid, type, status, auth_token_mac, secondary_token_mac
    ON accounts FOR EACH STATEMENT EXECUTE FUNCTION bump_facts_epoch();
CREATE TRIGGER accounts_truncated
    AFTER TRUNCATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION bump_facts_epoch();

CREATE TRIGGER authorizations_facts_changed
    AFTER INSERT OR DELETE OR UPDATE OF subaccount_sid, connect_app_sid, permissions, revoked_at
    ON authorizations FOR EACH STATEMENT EXECUTE FUNCTION bump_facts_epoch();
CREATE TRIGGER authorizations_truncated
    AFTER TRUNCATE ON authorizations FOR EACH STATEMENT EXECUTE FUNCTION bump_facts_epoch();

CREATE TRIGGER connect_apps_facts_changed
    AFTER INSERT OR DELETE OR UPDATE OF sid, account_sid, permissions
    ON connect_apps FOR EACH STATEMENT EXECUTE FUNCTION bump_facts_epoch();
CREATE TRIGGER connect_apps_truncated
    AFTER TRUNCATE ON connect_apps FOR EACH STATEMENT EXECUTE FUNCTION bump_facts_epoch();
