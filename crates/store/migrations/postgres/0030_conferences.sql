-- Issue 27's conferences (`<Dial><Conference>`, `…/Conferences`).

-- A conference, found by its friendly name within its account while it is
-- not completed (one such per name: the partial unique index). Its status
-- callback settings are those of the participant that made it.
-- `sequence` is the last `SequenceNumber` its status callbacks used;
-- `record` (`record-from-start`) records it from `date_started` to its end.
CREATE TABLE conferences (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    friendly_name TEXT NOT NULL,
    status TEXT NOT NULL,
    region TEXT NOT NULL,
    reason_conference_ended TEXT,
    call_sid_ending_conference TEXT,
    max_participants BIGINT NOT NULL,
    status_callback TEXT,
    status_callback_method TEXT NOT NULL,
    status_callback_events TEXT NOT NULL,
    callback_signer_sid TEXT NOT NULL REFERENCES accounts (sid),
    sequence BIGINT NOT NULL,
    record BOOLEAN NOT NULL,
    recording_status_callback TEXT,
    recording_status_callback_method TEXT NOT NULL,
    date_started BIGINT,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX conferences_by_account ON conferences (account_sid, date_created, sid);
CREATE UNIQUE INDEX conferences_live_by_name ON conferences (account_sid, friendly_name)
    WHERE status <> 'completed';

-- A call in a conference, while it is there: its row goes when it leaves
-- (Twilio lists only a conference's current participants).
CREATE TABLE conference_participants (
    call_sid TEXT PRIMARY KEY REFERENCES calls (sid),
    conference_sid TEXT NOT NULL REFERENCES conferences (sid),
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    label TEXT,
    status TEXT NOT NULL,
    muted BOOLEAN NOT NULL,
    hold BOOLEAN NOT NULL,
    coaching BOOLEAN NOT NULL,
    call_sid_to_coach TEXT,
    start_conference_on_enter BOOLEAN NOT NULL,
    end_conference_on_exit BOOLEAN NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX conference_participants_by_conference
    ON conference_participants (conference_sid, date_created, call_sid);
CREATE UNIQUE INDEX conference_participants_by_label
    ON conference_participants (conference_sid, label);
