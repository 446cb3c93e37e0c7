-- 0012: the digests sent to the volunteers (notify.to). A daily digest goes
-- at most once a London day; an urgent one at once for a bounce or an
-- identity challenge. through_message is the highest messages.id a digest
-- reported, so that the next one says only what arrived since.
CREATE TABLE digests (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('daily', 'urgent')),
    -- The London date of a daily digest (YYYY-MM-DD); unique, so that two
    -- processes can never both send the day's digest.
    day             TEXT,
    through_message INTEGER NOT NULL,
    recipients      TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    sent_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX digests_daily ON digests (day) WHERE kind = 'daily';
