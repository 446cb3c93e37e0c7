-- 0013: a received message is indexed for search once, by the store, with
-- its subject and new text (the quoted earlier messages left out), in the
-- transaction that stores it. The trigger indexed the whole body, which the
-- watcher then replaced: three passes of the tokenizer over every reply
-- (issue 12). The update and delete triggers stay.
DROP TRIGGER message_fts_insert;
