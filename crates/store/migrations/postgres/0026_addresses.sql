-- Addresses (issue 26): where the user of a phone number is, which some
-- countries require before a number is bought (a number's
-- `address_requirements`: none, any, local or foreign).
CREATE TABLE addresses (
    sid TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL REFERENCES accounts (sid),
    customer_name TEXT NOT NULL,
    friendly_name TEXT,
    street TEXT NOT NULL,
    street_secondary TEXT,
    city TEXT NOT NULL,
    region TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    -- ISO 3166-1 alpha-2, upper case.
    iso_country TEXT NOT NULL,
    emergency_enabled BOOLEAN NOT NULL,
    validated BOOLEAN NOT NULL,
    verified BOOLEAN NOT NULL,
    date_created BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX addresses_by_account ON addresses (account_sid, date_created, sid);

-- The address a number was bought (or updated) with, and what its country
-- requires. An address numbers use is not deleted (the domain refuses; the
-- foreign key is the backstop). Numbers bought before keep 'none'.
ALTER TABLE phone_numbers ADD COLUMN address_sid TEXT REFERENCES addresses (sid);
ALTER TABLE phone_numbers ADD COLUMN address_requirements TEXT NOT NULL DEFAULT 'none';
-- An address's dependent numbers, in the order they are listed.
CREATE INDEX phone_numbers_by_address ON phone_numbers (address_sid, date_created, sid)
    WHERE address_sid IS NOT NULL;
