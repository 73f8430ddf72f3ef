-- Issue 23: recordings made by TwiML (`<Record>`, `<Dial record>`) as well
-- as by `Record=true`, and answering machine detection on calls.
-- What started a recording: Twilio's `source` (OutboundAPI, RecordVerb,
-- DialVerb…) and how many channels it has (2 for a dual `<Dial record>`).
ALTER TABLE recordings ADD COLUMN source TEXT NOT NULL DEFAULT 'OutboundAPI';
ALTER TABLE recordings ADD COLUMN channels BIGINT NOT NULL DEFAULT 1;
-- The call's answering machine detection request (`MachineDetection`,
-- `AsyncAmd`, `AsyncAmdStatusCallback`…, form-encoded; NULL without one) and
-- what it found once the call was answered (`answered_by`).
ALTER TABLE calls ADD COLUMN machine_detection TEXT;
ALTER TABLE calls ADD COLUMN answered_by TEXT;
