-- A call's events (`…/Calls/{CallSid}/Events.json`) are the attempts of the
-- deliveries about the call; this finds them without scanning the account's
-- other deliveries. Partial, so the outbox's other rows (message callbacks,
-- deauthorize callbacks) pay nothing for it.
CREATE INDEX deliveries_of_calls ON deliveries (resource_sid, created_at) WHERE resource_sid LIKE 'CA%';
