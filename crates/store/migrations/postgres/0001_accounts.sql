-- Secrets generated once per installation (the key that protects auth tokens).
CREATE TABLE instance_secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

-- Main accounts and subaccounts. owner_account_sid is the account itself for a
-- main account. Auth tokens are stored twice: as a keyed MAC, checked on every API
-- request, and sealed (encrypted) so the owner can be shown the token again.
CREATE TABLE accounts (
    sid TEXT PRIMARY KEY,
    owner_account_sid TEXT NOT NULL,
    friendly_name TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    auth_token_mac BYTEA NOT NULL,
    auth_token_sealed BYTEA NOT NULL,
    secondary_token_mac BYTEA,
    secondary_token_sealed BYTEA,
    secondary_token_created BIGINT,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX accounts_by_owner ON accounts (owner_account_sid, date_created, sid);

-- People who sign in to the console; each belongs to one main account.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    date_created BIGINT NOT NULL
);
CREATE INDEX users_by_account ON users (account_sid);
