-- Issue 27: the documents a conference's participant runs instead of being
-- in it: its `waitUrl` while the conference has not started, its `HoldUrl`
-- while it is held (Participants update). While it runs one (`away` is
-- `wait` or `hold`), the row keeps the call's place, as a queue member's
-- does (`queue_members`, 0029): the document its `<Dial><Conference>` is
-- in, that document's URL, the verb's position, and the call's executed
-- seconds when the side document was last requested.
ALTER TABLE conference_participants ADD COLUMN wait_url TEXT;
ALTER TABLE conference_participants ADD COLUMN wait_method TEXT NOT NULL DEFAULT 'POST';
ALTER TABLE conference_participants ADD COLUMN hold_url TEXT;
ALTER TABLE conference_participants ADD COLUMN hold_method TEXT NOT NULL DEFAULT 'GET';
ALTER TABLE conference_participants ADD COLUMN away TEXT;
ALTER TABLE conference_participants ADD COLUMN document TEXT;
ALTER TABLE conference_participants ADD COLUMN document_url TEXT;
ALTER TABLE conference_participants ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conference_participants ADD COLUMN wait_elapsed BIGINT NOT NULL DEFAULT 0;
