-- TwiML Applications (issue 23): a set of voice and messaging URLs that
-- calls (`ApplicationSid`) and numbers (`VoiceApplicationSid`,
-- `SmsApplicationSid`) use instead of their own.
CREATE TABLE applications (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    friendly_name TEXT,
    api_version TEXT NOT NULL,
    voice_url TEXT,
    voice_method TEXT NOT NULL,
    voice_fallback_url TEXT,
    voice_fallback_method TEXT NOT NULL,
    status_callback TEXT,
    status_callback_method TEXT NOT NULL,
    voice_caller_id_lookup BOOLEAN NOT NULL,
    sms_url TEXT,
    sms_method TEXT NOT NULL,
    sms_fallback_url TEXT,
    sms_fallback_method TEXT NOT NULL,
    sms_status_callback TEXT,
    message_status_callback TEXT,
    public_application_connect_enabled BOOLEAN NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX applications_by_account ON applications (account_sid, date_created, sid);

-- The application a number's calls and messages go to instead of its own
-- URLs. Deleting the application clears it (the domain does so itself, to
-- move the numbers' date_updated; the foreign key is the backstop).
ALTER TABLE phone_numbers ADD COLUMN voice_application_sid TEXT
    REFERENCES applications (sid) ON DELETE SET NULL;
ALTER TABLE phone_numbers ADD COLUMN sms_application_sid TEXT
    REFERENCES applications (sid) ON DELETE SET NULL;
CREATE INDEX phone_numbers_by_voice_application ON phone_numbers (voice_application_sid)
    WHERE voice_application_sid IS NOT NULL;
CREATE INDEX phone_numbers_by_sms_application ON phone_numbers (sms_application_sid)
    WHERE sms_application_sid IS NOT NULL;
