-- Inbound messages: webhooks whose answer is a TwiML document to execute.
--
-- A delivery that asks for TwiML remembers where to turn when it fails (the
-- number's fallback URL, fixed when the message arrived) and how many
-- documents its message has fetched so far (a <Redirect> loop stops).
ALTER TABLE deliveries ADD COLUMN fallback_url TEXT;
ALTER TABLE deliveries ADD COLUMN fallback_method TEXT;
ALTER TABLE deliveries ADD COLUMN documents BIGINT NOT NULL DEFAULT 0;
-- What the receiver answered (capped), so the console can show a conversation.
ALTER TABLE delivery_attempts ADD COLUMN response_content_type TEXT;
ALTER TABLE delivery_attempts ADD COLUMN response_body TEXT;

-- Recipients who answered STOP: no message goes from the sender (a number, or
-- a Messaging Service's SID) to them until they answer START.
CREATE TABLE opt_outs (
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    account_sid TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (sender, recipient)
);
