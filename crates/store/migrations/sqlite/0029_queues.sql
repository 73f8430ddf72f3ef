-- Call queues (issue 27): `…/Queues`, filled by `<Enqueue>` and emptied by
-- `<Dial><Queue>`, `<Leave>`, a Members update or the member hanging up.
-- A queue's name is unique in its account (Twilio's rule: `<Enqueue>` and
-- `<Dial><Queue>` name queues by it).
CREATE TABLE queues (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    friendly_name TEXT NOT NULL,
    max_size BIGINT NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE UNIQUE INDEX queues_by_name ON queues (account_sid, friendly_name);
CREATE INDEX queues_by_account ON queues (account_sid, date_created, sid);

-- The calls waiting in a queue, in the order they joined (position 1 is
-- the front). A call waits in at most one queue. What the engine needs to
-- carry on once the call leaves: the `<Enqueue>`'s `action` and `method`,
-- its `waitUrl` and `waitUrlMethod`, and where its document was (the
-- document, its URL and the `<Enqueue>`'s position), to fall through to the
-- next verb when there is no action. `wait_elapsed`: the call's executed
-- seconds when its current wait document was requested (it is requested
-- again only once a document took time). `dequeued_by`: the call whose
-- `<Dial><Queue url>` took this one, while its whisper plays (it is then
-- out of the queue: not counted, listed or taken again).
CREATE TABLE queue_members (
    call_sid TEXT PRIMARY KEY REFERENCES calls (sid),
    queue_sid TEXT NOT NULL REFERENCES queues (sid),
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    date_enqueued BIGINT NOT NULL,
    wait_url TEXT,
    wait_method TEXT NOT NULL,
    action TEXT,
    action_method TEXT NOT NULL,
    document TEXT,
    document_url TEXT,
    position BIGINT NOT NULL,
    wait_elapsed BIGINT NOT NULL,
    dequeued_by TEXT
);
CREATE INDEX queue_members_in_order ON queue_members (queue_sid, date_enqueued, call_sid);

-- Calls whose `<Dial><Queue>` waits for a caller to join an empty queue
-- (engine phase `dequeuing`, `awaiting` the queue's SID), oldest first.
CREATE INDEX call_voice_dequeuing ON call_voice (awaiting, date_updated)
    WHERE phase = 'dequeuing';
