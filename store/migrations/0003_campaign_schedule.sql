-- 0003: each campaign may override the schedule's step modes (JSON object
-- of step → auto|draft|off); empty means the defaults of foi.yaml.
ALTER TABLE campaigns ADD COLUMN schedule TEXT NOT NULL DEFAULT '';
