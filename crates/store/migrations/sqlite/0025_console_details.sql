-- Issue 24 (the console's details) and issue 23 (a call's timeline).
--
-- What a receiver answered each delivery attempt: its response headers
-- ("Name: value" lines, capped) and, for a webhook whose answer is not
-- otherwise read (a status or deauthorize callback), the first part of its
-- body, so the console's delivery page can show them.
ALTER TABLE delivery_attempts ADD COLUMN response_headers TEXT;
ALTER TABLE delivery_attempts ADD COLUMN response_start TEXT;

-- The verbs a call executed, in order, each with the simulated second of the
-- call it started at and the document it came from (one line each; see
-- domain/src/telephony/voice/timeline.rs). Appended by the engine in the
-- transaction that executes the verb.
ALTER TABLE call_voice ADD COLUMN timeline TEXT NOT NULL DEFAULT '';
