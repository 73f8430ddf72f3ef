-- Connect Apps, owned by main accounts. The logo lives here too so that every node
-- can serve it.
CREATE TABLE connect_apps (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    friendly_name TEXT NOT NULL,
    company_name TEXT,
    description TEXT,
    homepage_url TEXT,
    terms_of_service_url TEXT,
    authorize_redirect_url TEXT,
    deauthorize_callback_url TEXT,
    deauthorize_callback_method TEXT NOT NULL,
    permissions BIGINT NOT NULL,
    logo BYTEA,
    logo_content_type TEXT,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX connect_apps_by_account ON connect_apps (account_sid, date_created, sid);

-- A customer's grant to a Connect App: one row per (customer, app), kept after a
-- revoke so that approving again reuses the dedicated subaccount.
-- connect_app_sid has no foreign key: deleting an app revokes its grants and the
-- rows stay as history.
CREATE TABLE authorizations (
    customer_account_sid TEXT NOT NULL REFERENCES accounts (sid),
    connect_app_sid TEXT NOT NULL,
    subaccount_sid TEXT NOT NULL UNIQUE REFERENCES accounts (sid),
    permissions BIGINT NOT NULL,
    authorized_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (customer_account_sid, connect_app_sid)
);
CREATE INDEX authorizations_by_app ON authorizations (connect_app_sid, authorized_at, subaccount_sid);
