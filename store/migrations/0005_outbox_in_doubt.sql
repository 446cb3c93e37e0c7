-- 0005: an outbox entry whose fate is unknown (the connection was lost
-- after the data, the reply came later than smtp.timeout, or a crash while
-- "sending") is held "in_doubt" until the Sent folder proves it sent or a
-- person decides (foi resend / foi mark-sent). It is never resent by itself.
-- SQLite cannot alter a CHECK constraint, so the table is rebuilt and its
-- rows copied; nothing references outbox, so its ids stay as they are.
CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES requests (id),
    message_id      INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    step            TEXT NOT NULL DEFAULT '',
    -- The letter's fields as JSON: composing them again gives the stored
    -- bytes exactly (checked against sha256 before each attempt).
    letter          TEXT NOT NULL,
    -- draft: waits for approval (foi approve); cancelled: discarded, or no
    -- longer due because the request moved on before it was sent;
    -- in_doubt: may have been delivered; waits for the Sent folder or a person.
    state           TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'sending', 'sent', 'temp_failed', 'failed', 'cancelled', 'in_doubt')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT,
    sent_copy       TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
INSERT INTO outbox_new (id, request_id, message_id, step, letter, state, attempts, next_attempt_at,
    last_error, sent_at, sent_copy, created_at, updated_at)
SELECT id, request_id, message_id, step, letter, state, attempts, next_attempt_at,
    last_error, sent_at, sent_copy, created_at, updated_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE UNIQUE INDEX outbox_one_per_step ON outbox (request_id, step) WHERE step <> '';
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
