-- 0001: the first schema. Times are stored as RFC 3339 text in UTC.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE authorities (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    short_name   TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL,
    jurisdiction TEXT NOT NULL CHECK (jurisdiction IN ('foia', 'foisa', 'eir', 'eisr')),
    notes        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE authority_tags (
    authority_id INTEGER NOT NULL REFERENCES authorities (id) ON DELETE CASCADE,
    tag          TEXT NOT NULL,
    PRIMARY KEY (authority_id, tag)
);

CREATE TABLE campaigns (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    letter_name     TEXT NOT NULL,
    letter          TEXT NOT NULL,
    selector        TEXT NOT NULL,
    law             TEXT NOT NULL DEFAULT '',
    requester_name  TEXT NOT NULL,
    requester_org   TEXT NOT NULL DEFAULT '',
    requester_email TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE requests (
    id            INTEGER PRIMARY KEY,
    campaign_id   INTEGER NOT NULL REFERENCES campaigns (id),
    authority_id  INTEGER NOT NULL REFERENCES authorities (id),
    seq           INTEGER NOT NULL,
    ref           TEXT NOT NULL UNIQUE,
    state         TEXT NOT NULL,
    to_address    TEXT NOT NULL,
    -- The Message-ID of the first letter, fixed when the request is made.
    message_id    TEXT NOT NULL UNIQUE,
    authority_ref TEXT NOT NULL DEFAULT '',
    sent_at       TEXT,
    updated_at    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (campaign_id, authority_id),
    UNIQUE (campaign_id, seq)
);

-- Every mail, ours and theirs. The exact bytes live on disk under
-- data_dir/mail by SHA-256; these columns can be rebuilt from them.
CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    request_id     INTEGER REFERENCES requests (id),
    direction      TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    message_id     TEXT NOT NULL,
    sha256         TEXT NOT NULL UNIQUE,
    size           INTEGER NOT NULL,
    subject        TEXT NOT NULL DEFAULT '',
    from_addr      TEXT NOT NULL DEFAULT '',
    to_addr        TEXT NOT NULL DEFAULT '',
    date           TEXT,
    in_reply_to    TEXT NOT NULL DEFAULT '',
    refs           TEXT NOT NULL DEFAULT '',
    body_text      TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL DEFAULT '',
    match_rule     TEXT NOT NULL DEFAULT '',
    low_confidence INTEGER NOT NULL DEFAULT 0,
    flags          TEXT NOT NULL DEFAULT '',
    parse_version  INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);
CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_request ON messages (request_id);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES messages (id),
    seq          INTEGER NOT NULL,
    parent_seq   INTEGER,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    source       TEXT NOT NULL,
    UNIQUE (message_id, seq)
);

-- Append-only: what happened to a request and why.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    message_id INTEGER REFERENCES messages (id)
);
CREATE INDEX events_request ON events (request_id, id);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- Letters waiting to go, going, and gone. step names the schedule step
-- ('letter' for the first letter); a request has at most one letter per
-- step, whatever restarts happen. Ad-hoc replies have an empty step.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    request_id      INTEGER NOT NULL REFERENCES requests (id),
    message_id      INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    step            TEXT NOT NULL DEFAULT '',
    -- The letter's fields as JSON: composing them again gives the stored
    -- bytes exactly (checked against sha256 before each attempt).
    letter          TEXT NOT NULL,
    -- draft: waits for approval (foi approve); cancelled: discarded, or no
    -- longer due because the request moved on before it was sent.
    state           TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'sending', 'sent', 'temp_failed', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT,
    sent_copy       TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX outbox_one_per_step ON outbox (request_id, step) WHERE step <> '';
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
