-- 0011: indexes for ingest and matching (issue 12). Each pass over the
-- mailbox reads the Message-ID of every letter we sent, once, to build the
-- matching index: this partial, covering index keeps that read proportional
-- to our letters, not to every reply ever received.
CREATE INDEX messages_out_ids ON messages (request_id, message_id) WHERE direction = 'out';
