-- Issue 25: a Connect App may ask for its authorize redirects to be signed
-- (`Timestamp` and `Signature`, Twilio's request signature keyed with the
-- owner's auth token), so the app can tell a real approval from a forged URL.
ALTER TABLE connect_apps ADD COLUMN sign_redirects BOOLEAN NOT NULL DEFAULT FALSE;
