-- Issue 27: recordings of conferences (`<Conference record="record-from-start">`).
-- The conference recorded; NULL for recordings of a call. Such a recording
-- keeps in `call_sid` the call whose joining started the conference (its
-- clock); the API shows its `call_sid` as null.
ALTER TABLE recordings ADD COLUMN conference_sid TEXT;
CREATE INDEX recordings_by_conference ON recordings (conference_sid, date_created, sid);
-- `<Conference recordingStatusCallbackEvent>` (space-separated; empty means
-- `completed`).
ALTER TABLE conferences ADD COLUMN recording_status_callback_events TEXT NOT NULL DEFAULT '';
