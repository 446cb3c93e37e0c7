-- 0002: reading replies. What the watcher remembers of each folder, and what
-- matching and classification said of each incoming message.

CREATE TABLE folders (
    name        TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL,
    synced_at   TEXT NOT NULL
);

ALTER TABLE messages ADD COLUMN folder TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN uid INTEGER NOT NULL DEFAULT 0;
-- JSON: the classification suggestion with its evidence.
ALTER TABLE messages ADD COLUMN classification TEXT NOT NULL DEFAULT '';
-- JSON: suggested requests for an unmatched message.
ALTER TABLE messages ADD COLUMN suggestions TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN match_evidence TEXT NOT NULL DEFAULT '';
-- 1 while an incoming message waits to be filed by hand (foi assign).
ALTER TABLE messages ADD COLUMN unmatched INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN received_at TEXT;
CREATE INDEX messages_unmatched ON messages (unmatched) WHERE unmatched = 1;
