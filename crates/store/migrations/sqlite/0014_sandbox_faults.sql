-- Fault rules of sandboxes (sandbox mode): the next API requests made with a
-- sandbox's credentials that match a rule's method and path fail (or wait) as
-- the rule says. `remaining` counts down in one statement per request, so
-- every node agrees how many failures a rule has left; a rule with none left
-- is spent, and listed no more.
CREATE TABLE sandbox_faults (
    sid TEXT PRIMARY KEY,
    sandbox_sid TEXT NOT NULL,
    -- An HTTP method in upper case, or `*` for any.
    method TEXT NOT NULL,
    -- A path pattern: `*` stands for any run of characters within a segment.
    path TEXT NOT NULL,
    -- The answer's HTTP status and Twilio code; NULL for a rule that only
    -- delays.
    status BIGINT,
    code BIGINT,
    message TEXT,
    delay_ms BIGINT NOT NULL,
    count BIGINT NOT NULL,
    remaining BIGINT NOT NULL,
    date_created BIGINT NOT NULL
);
CREATE INDEX sandbox_faults_by_sandbox ON sandbox_faults (sandbox_sid, date_created, sid);
