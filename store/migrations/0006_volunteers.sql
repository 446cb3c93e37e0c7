-- 0006: the dashboard's volunteers, their login sessions and the count of
-- wrong passwords that slows down guessing (see store/users.go).
CREATE TABLE volunteers (
    id            INTEGER PRIMARY KEY,
    -- The name shown in the timeline of every action the volunteer takes.
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    -- argon2id in the PHC string format: $argon2id$v=19$m=...,t=...,p=...$salt$hash
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- One row per browser logged in (or, on loopback without accounts, per
-- browser of the person at the machine). Only the SHA-256 of the cookie's
-- token is kept, so a copy of the database logs nobody in.
CREATE TABLE web_sessions (
    token_sha256 TEXT PRIMARY KEY,
    -- NULL for the local user of a loopback dashboard without accounts.
    volunteer_id INTEGER REFERENCES volunteers (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    -- The token every form of this session carries (cross-site forgery).
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

-- Wrong passwords in a row for a name (whether or not it is a volunteer),
-- cleared by a right one.
CREATE TABLE login_failures (
    name     TEXT PRIMARY KEY COLLATE NOCASE,
    failures INTEGER NOT NULL,
    last_at  TEXT NOT NULL
);
