-- 0007: a campaign's questions (from the letter's list, or a file) and the
-- answers volunteers code for each request. An answer's history is in the
-- events (kind 'answer_coded', with its actor); this table holds the
-- answer in force.
CREATE TABLE questions (
    campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
    seq         INTEGER NOT NULL CHECK (seq > 0),
    text        TEXT NOT NULL,
    PRIMARY KEY (campaign_id, seq)
);

CREATE TABLE answers (
    request_id INTEGER NOT NULL REFERENCES requests (id),
    question   INTEGER NOT NULL CHECK (question > 0),
    kind       TEXT NOT NULL CHECK (kind IN ('yes', 'no', 'not_held', 'refused', 'number', 'text')),
    value      TEXT NOT NULL DEFAULT '',
    quote      TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL,
    coded_at   TEXT NOT NULL,
    PRIMARY KEY (request_id, question)
);
