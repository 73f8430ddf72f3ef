-- The call engine (issue 23): how far a call has got in executing its TwiML.
-- One row per call that has a document to run (its Url, Twiml or
-- ApplicationSid); a call without one has no row and talks for its planned
-- time. Every change is guarded by `version`, so of two nodes stepping the
-- same call one wins, and a crash loses nothing: the row says what is next.
CREATE TABLE call_voice (
    call_sid TEXT PRIMARY KEY REFERENCES calls (sid) ON DELETE CASCADE,
    account_sid TEXT NOT NULL,
    -- Where the first document comes from when the call's Url fails.
    fallback_url TEXT,
    fallback_method TEXT NOT NULL,
    -- waiting (not answered yet), fetching (a document is being requested),
    -- running (executing `document` from verb `position`), gathering (a
    -- <Gather> at `position` waits for input), ended.
    phase TEXT NOT NULL,
    version BIGINT NOT NULL,
    -- The delivery whose answer is the next document (a stale one is ignored).
    awaiting TEXT,
    -- The document being executed, as TwiML, and the URL it came from.
    document TEXT,
    document_url TEXT,
    position BIGINT NOT NULL,
    -- Simulated seconds since the call was answered, up to the current verb.
    elapsed_secs BIGINT NOT NULL,
    -- When the current wait (a <Gather>'s) began.
    since BIGINT,
    -- How many documents the call has requested (a <Redirect> loop stops).
    documents BIGINT NOT NULL,
    -- Caller input not yet taken by a <Gather>, form-encoded.
    input TEXT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX call_voice_by_account ON call_voice (account_sid);
