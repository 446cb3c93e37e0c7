-- 0010: removing what was made by mistake, archiving what is finished
-- (issue 14, finding 5).
--
-- An archived authority is left out of new campaigns (all, tag:X) and of
-- `foi authorities list`; an archived campaign is left out of the campaign
-- list, `foi status`, the board and the schedule. Both keep every row.
ALTER TABLE authorities ADD COLUMN archived_at TEXT;
ALTER TABLE campaigns ADD COLUMN archived_at TEXT;

-- What was removed or archived, when and by whom. Events belong to one
-- request each, and a removed authority or campaign may have none left, so
-- these have their own log. Append-only, as events are.
CREATE TABLE removals (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('authority_removed', 'authority_archived', 'campaign_removed', 'campaign_archived')),
    subject TEXT NOT NULL, -- the authority's name or the campaign's slug
    actor   TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER removals_append_only_update BEFORE UPDATE ON removals
BEGIN
    SELECT RAISE(ABORT, 'removals are append-only');
END;
CREATE TRIGGER removals_append_only_delete BEFORE DELETE ON removals
BEGIN
    SELECT RAISE(ABORT, 'removals are append-only');
END;

-- A request that never had a letter stored or a reply filed may be removed
-- with its events ("created"): nothing happened to it outside foi. The
-- store lists it here inside the removing transaction; every other event
-- stays append-only.
CREATE TABLE removing (request_id INTEGER PRIMARY KEY);
DROP TRIGGER events_append_only_delete;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
WHEN OLD.request_id NOT IN (SELECT request_id FROM removing)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
