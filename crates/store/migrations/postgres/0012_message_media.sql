-- The media of messages (`…/Messages/{Sid}/Media`): what an inbound MMS
-- carried, fetched once and kept, and what an outbound one named, recorded
-- by its URL (content NULL until something fetches it). Deleting a message
-- deletes its media, as Twilio does.
CREATE TABLE message_media (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    parent_sid TEXT NOT NULL REFERENCES messages (sid) ON DELETE CASCADE,
    -- Where the item stands among its message's (MediaUrl0, MediaUrl1…): the
    -- list's order, so it does not depend on clocks or SIDs.
    position BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    source_url TEXT,
    content BYTEA,
    -- Bytes of content; NULL while there is none.
    size BIGINT,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX message_media_by_parent ON message_media (parent_sid, position, sid);
