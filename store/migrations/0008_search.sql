-- 0008: search. The text of each attachment, read once when its message is
-- filed (package extract) and kept by the file's SHA-256, so a file sent
-- twice is read once; and full-text indexes over received messages and
-- those texts. FTS4 because mattn/go-sqlite3 builds it by default (FTS5
-- would need a build tag); unicode61 folds case and diacritics.

CREATE TABLE file_texts (
    id           INTEGER PRIMARY KEY,
    sha256       TEXT NOT NULL UNIQUE,
    -- ok, no-text (e.g. a scan), unsupported (a kind foi does not read),
    -- unreadable (damaged or beyond the limits; reason says which).
    status       TEXT NOT NULL CHECK (status IN ('ok', 'no-text', 'unsupported', 'unreadable')),
    format       TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL DEFAULT '',
    truncated    INTEGER NOT NULL DEFAULT 0,
    pages        INTEGER NOT NULL DEFAULT 0,
    -- extract.Version that read it: foi reindex reads older ones again.
    version      INTEGER NOT NULL,
    extracted_at TEXT NOT NULL
);

CREATE INDEX attachments_by_sha256 ON attachments (sha256);

-- docid = messages.id; only received messages (our own letters are not
-- searched: every one of them would match the campaign's own questions).
CREATE VIRTUAL TABLE message_fts USING fts4 (subject, body, tokenize=unicode61 "remove_diacritics=1");
-- docid = file_texts.id.
CREATE VIRTUAL TABLE file_fts USING fts4 (body, tokenize=unicode61 "remove_diacritics=1");

INSERT INTO message_fts (docid, subject, body)
SELECT id, subject, body_text FROM messages WHERE direction = 'in';

CREATE TRIGGER message_fts_insert AFTER INSERT ON messages WHEN new.direction = 'in'
BEGIN
    INSERT INTO message_fts (docid, subject, body) VALUES (new.id, new.subject, new.body_text);
END;
CREATE TRIGGER message_fts_update AFTER UPDATE OF subject, body_text, direction ON messages
BEGIN
    DELETE FROM message_fts WHERE docid = old.id;
    INSERT INTO message_fts (docid, subject, body) SELECT new.id, new.subject, new.body_text WHERE new.direction = 'in';
END;
CREATE TRIGGER message_fts_delete AFTER DELETE ON messages
BEGIN
    DELETE FROM message_fts WHERE docid = old.id;
END;

CREATE TRIGGER file_fts_insert AFTER INSERT ON file_texts
BEGIN
    INSERT INTO file_fts (docid, body) VALUES (new.id, new.text);
END;
CREATE TRIGGER file_fts_update AFTER UPDATE OF text ON file_texts
BEGIN
    DELETE FROM file_fts WHERE docid = old.id;
    INSERT INTO file_fts (docid, body) VALUES (new.id, new.text);
END;
CREATE TRIGGER file_fts_delete AFTER DELETE ON file_texts
BEGIN
    DELETE FROM file_fts WHERE docid = old.id;
END;
