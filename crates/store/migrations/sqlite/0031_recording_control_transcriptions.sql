-- Issue 27: recordings started, paused, resumed and stopped on a live call
-- (`POST …/Calls/{CallSid}/Recordings.json`), and transcriptions of
-- recordings.
-- The audio track recorded (`RecordingTrack`: inbound, outbound, both).
ALTER TABLE recordings ADD COLUMN track TEXT NOT NULL DEFAULT 'both';
-- A live recording's `RecordingStatusCallback`, its method and its events
-- (space-separated); NULL for recordings made whole.
ALTER TABLE recordings ADD COLUMN status_callback TEXT;
ALTER TABLE recordings ADD COLUMN status_callback_method TEXT;
ALTER TABLE recordings ADD COLUMN status_callback_events TEXT;
-- Real time (µs) paused with `PauseBehavior=skip`, which the duration
-- leaves out; while paused, when the pause began and how it records.
ALTER TABLE recordings ADD COLUMN skipped_micros BIGINT NOT NULL DEFAULT 0;
ALTER TABLE recordings ADD COLUMN paused_at BIGINT;
ALTER TABLE recordings ADD COLUMN pause_behavior TEXT;

CREATE TABLE transcriptions (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    recording_sid TEXT NOT NULL,
    status TEXT NOT NULL,
    -- NULL when it failed.
    transcription_text TEXT,
    duration BIGINT NOT NULL,
    price_micros BIGINT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX transcriptions_by_account ON transcriptions (account_sid, date_created, sid);
CREATE INDEX transcriptions_by_recording ON transcriptions (recording_sid, date_created, sid);
