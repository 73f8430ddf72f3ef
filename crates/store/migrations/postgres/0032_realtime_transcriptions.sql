-- Issue 27: real-time transcriptions of live calls
-- (`POST …/Calls/{CallSid}/Transcriptions.json`).
CREATE TABLE realtime_transcriptions (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    call_sid TEXT NOT NULL,
    -- The `Name` given, which may stand for the SID when stopping it.
    name TEXT,
    -- in-progress or stopped.
    status TEXT NOT NULL,
    -- inbound_track, outbound_track or both_tracks.
    track TEXT NOT NULL,
    status_callback TEXT,
    status_callback_method TEXT NOT NULL,
    language_code TEXT NOT NULL,
    partial_results BOOLEAN NOT NULL,
    -- The `SequenceId` of the last event sent.
    sequence_id BIGINT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX realtime_transcriptions_by_call ON realtime_transcriptions (call_sid, date_created, sid);
