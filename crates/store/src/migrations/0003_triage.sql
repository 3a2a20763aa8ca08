-- Triage: each mention's analysis and decision state, the log every decision writes (and undo reads), the
-- follow-up work decisions create (service cases, ideas), the owner's rules, and the outbox of replies.

-- Analysis, written at ingest and again when the text changes. `intents` is a comma-separated list;
-- `irrelevance` is what the owner's past "not relevant" decisions predict (0 until they say enough).
ALTER TABLE mentions ADD COLUMN sentiment REAL NOT NULL DEFAULT 0;
ALTER TABLE mentions ADD COLUMN intents TEXT NOT NULL DEFAULT 'other';
ALTER TABLE mentions ADD COLUMN lang TEXT NOT NULL DEFAULT 'und';
ALTER TABLE mentions ADD COLUMN urgency REAL NOT NULL DEFAULT 0;
ALTER TABLE mentions ADD COLUMN irrelevance REAL NOT NULL DEFAULT 0;
ALTER TABLE mentions ADD COLUMN priority REAL NOT NULL DEFAULT 0;
-- Conversations: `thread` is the reference of the post this item answers, `reply_ref` the reference its
-- own answers carry (the network's post id). A new item in a thread reopens the filed or done items it
-- answers or sits beside.
ALTER TABLE mentions ADD COLUMN thread TEXT;
ALTER TABLE mentions ADD COLUMN reply_ref TEXT;
-- Decision state: new | filed | done | ignored | snoozed. `filed_as` says what it was filed as
-- (lead, issue, praise, idea, question); `snoozed_until` when it comes back.
ALTER TABLE mentions ADD COLUMN filed_as TEXT;
ALTER TABLE mentions ADD COLUMN snoozed_until TEXT;

-- The inbox: open items, by priority or by time.
-- Covering for the open counts too, so the inbox never touches the rows of decided items.
CREATE INDEX mentions_open_priority ON mentions(priority DESC, id DESC, state, snoozed_until, urgency)
  WHERE state IN ('new', 'snoozed') AND (matches > 0 OR direct = 1) AND duplicate_of IS NULL;
CREATE INDEX mentions_open_newest ON mentions(coalesce(published_at, fetched_at) DESC, id DESC, state, snoozed_until)
  WHERE state IN ('new', 'snoozed') AND (matches > 0 OR direct = 1) AND duplicate_of IS NULL;
CREATE INDEX mentions_state_time ON mentions(state, coalesce(published_at, fetched_at) DESC, id DESC)
  WHERE (matches > 0 OR direct = 1) AND duplicate_of IS NULL;
CREATE INDEX mentions_thread ON mentions(source_id, thread) WHERE thread IS NOT NULL;
CREATE INDEX mentions_reply_ref ON mentions(source_id, reply_ref) WHERE reply_ref IS NOT NULL;
CREATE INDEX mentions_contact ON mentions(contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX mentions_decided ON mentions(decided_at) WHERE state IN ('filed', 'done', 'ignored');
CREATE INDEX mentions_author ON mentions(author_handle) WHERE author_handle IS NOT NULL;

-- Full-text search over what was said and who said it.
CREATE VIRTUAL TABLE mentions_fts USING fts5(
  title, text, author, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO mentions_fts (rowid, title, text, author)
  SELECT id, coalesce(title, ''), text, coalesce(author_name, '') || ' ' || coalesce(author_handle, '') FROM mentions;
CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN
  INSERT INTO mentions_fts (rowid, title, text, author)
  VALUES (new.id, coalesce(new.title, ''), new.text, coalesce(new.author_name, '') || ' ' || coalesce(new.author_handle, ''));
END;
CREATE TRIGGER mentions_fts_update AFTER UPDATE OF title, text, author_name, author_handle ON mentions BEGIN
  DELETE FROM mentions_fts WHERE rowid = old.id;
  INSERT INTO mentions_fts (rowid, title, text, author)
  VALUES (new.id, coalesce(new.title, ''), new.text, coalesce(new.author_name, '') || ' ' || coalesce(new.author_handle, ''));
END;
CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN
  DELETE FROM mentions_fts WHERE rowid = old.id;
END;

-- Contacts gain what triage sets: a lead stage, and whether they speak up for the business.
ALTER TABLE contacts ADD COLUMN lead_stage TEXT;
ALTER TABLE contacts ADD COLUMN advocate_since TEXT;
ALTER TABLE contacts ADD COLUMN bio TEXT;

-- Every decision, in order. One keystroke over a selection is one batch; undo takes back the newest batch
-- not yet undone, restoring each mention's `before` and withdrawing the rows listed in `created`. Undoing
-- writes its own row (action 'undo'): history is never deleted.
CREATE TABLE triage_log (
  id          INTEGER PRIMARY KEY,
  batch       INTEGER NOT NULL,
  mention_id  INTEGER REFERENCES mentions(id) ON DELETE SET NULL,
  action      TEXT NOT NULL,
  -- JSON: the mention's state, filed_as, snoozed_until, contact_id and the contact's lead stage / advocacy
  -- before the action.
  before      TEXT NOT NULL DEFAULT '{}',
  -- JSON: ids of the rows this action created (task, case, idea, contact, outbox, rule).
  created     TEXT NOT NULL DEFAULT '{}',
  at          TEXT NOT NULL,
  undone_at   TEXT
);
CREATE INDEX triage_log_batch ON triage_log(batch);
CREATE INDEX triage_log_mention ON triage_log(mention_id);

-- A complaint filed as an issue: its priority and its response clock.
CREATE TABLE cases (
  id                 INTEGER PRIMARY KEY,
  mention_id         INTEGER REFERENCES mentions(id) ON DELETE SET NULL,
  contact_id         INTEGER REFERENCES contacts(id),
  title              TEXT NOT NULL,
  priority           TEXT NOT NULL CHECK (priority IN ('high', 'normal', 'low')),
  opened_at          TEXT NOT NULL,
  first_response_at  TEXT,
  closed_at          TEXT,
  deleted_at         TEXT
);
CREATE INDEX cases_open ON cases(opened_at) WHERE closed_at IS NULL AND deleted_at IS NULL;
CREATE INDEX cases_contact ON cases(contact_id);

-- Ideas heard from customers.
CREATE TABLE ideas (
  id          INTEGER PRIMARY KEY,
  mention_id  INTEGER REFERENCES mentions(id) ON DELETE SET NULL,
  contact_id  INTEGER REFERENCES contacts(id),
  text        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  deleted_at  TEXT
);

-- The owner's rules, applied to new mentions: when `field` matches `value`, set the state (ignored, done)
-- or add a tag to the author's contact.
CREATE TABLE triage_rules (
  id          INTEGER PRIMARY KEY,
  field       TEXT NOT NULL CHECK (field IN ('keyword', 'author', 'source', 'language', 'sentiment')),
  value       TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('ignore', 'done', 'tag')),
  tag         TEXT,
  created_at  TEXT NOT NULL,
  deleted_at  TEXT,
  CHECK (action != 'tag' OR tag IS NOT NULL)
);

-- Replies waiting to go out. `idempotency_key` is chosen when the reply is queued and sent with every
-- attempt (Mastodon's Idempotency-Key; Bluesky's record key), so a retry after a crash or a timeout cannot
-- post twice. A reply in 'sending' when the app starts is reconciled with the server before any resend.
CREATE TABLE outbox (
  id               INTEGER PRIMARY KEY,
  mention_id       INTEGER REFERENCES mentions(id) ON DELETE SET NULL,
  source_id        INTEGER NOT NULL REFERENCES sources(id),
  network          TEXT NOT NULL CHECK (network IN ('mastodon', 'bluesky')),
  text             TEXT NOT NULL,
  -- What the network needs to thread the reply (status id; post uri and cid, root uri and cid), as JSON.
  target           TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL UNIQUE,
  state            TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT NOT NULL,
  last_error       TEXT,
  remote_id        TEXT,
  remote_url       TEXT,
  created_at       TEXT NOT NULL,
  sent_at          TEXT,
  CHECK (state != 'sent' OR remote_id IS NOT NULL)
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state IN ('queued', 'sending');
