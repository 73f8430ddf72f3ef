-- Issue 25: a Connect link with response_type=code gets a one-time code in its
-- redirect instead of AccountSid; the app exchanges it server to server
-- (POST /switchboard/v1/ConnectApps/{Sid}/Tokens.json). Only a hash of the code
-- is kept (SHA-256, hex): the code itself lives in the browser's redirect alone.
-- A row is kept after use (used_at) so a replay is told apart from a guess, and
-- is cleared with its world; expired rows are harmless and small.
CREATE TABLE connect_codes (
    code_hash TEXT PRIMARY KEY,
    connect_app_sid TEXT NOT NULL,
    customer_account_sid TEXT NOT NULL REFERENCES accounts (sid),
    subaccount_sid TEXT NOT NULL REFERENCES accounts (sid),
    permissions BIGINT NOT NULL,
    -- PKCE (S256 only): the link's code_challenge, base64url of SHA-256(verifier).
    code_challenge TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX connect_codes_by_customer ON connect_codes (customer_account_sid);

-- Issue 25, part 3: a per-app callback when a customer authorizes (first time or
-- again), sent through the outbox as the deauthorize callback is.
ALTER TABLE connect_apps ADD COLUMN authorize_callback_url TEXT;
ALTER TABLE connect_apps ADD COLUMN authorize_callback_method TEXT NOT NULL DEFAULT 'POST';
