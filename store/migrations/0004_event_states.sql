-- 0004: a state change's event names the states it joins, so that nothing
-- has to read them back out of the detail text. Earlier events keep ''.
ALTER TABLE events ADD COLUMN from_state TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN to_state TEXT NOT NULL DEFAULT '';
