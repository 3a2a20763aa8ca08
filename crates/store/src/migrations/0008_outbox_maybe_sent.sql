-- A reply whose outcome is unknown (an answer lost, the app stopped while sending) is marked on its own
-- column, which only a confirmed send clears: a later refusal (a rate limit, a sign-in to renew) must not
-- make Earshot forget to look on the server before posting again. It used to be a prefix of last_error.
ALTER TABLE outbox ADD COLUMN maybe_sent INTEGER NOT NULL DEFAULT 0 CHECK (maybe_sent IN (0, 1));
UPDATE outbox SET maybe_sent = 1
 WHERE state IN ('queued', 'sending', 'failed') AND (state = 'sending' OR last_error LIKE 'unknown outcome:%');
