-- Customer value: orders from the shop's exports and purchases entered by hand, Net Promoter answers, and
-- a cache of each contact's computed value.

-- One sale or refund. Money in the currency's minor unit. (source, external_id) is the shop's own id, so a
-- re-import finds the order again: it updates a changed status or refund and adds nothing.
CREATE TABLE orders (
  id              INTEGER PRIMARY KEY,
  source          TEXT NOT NULL CHECK (source IN ('shopify', 'square', 'stripe', 'csv', 'manual')),
  external_id     TEXT NOT NULL,
  kind            TEXT NOT NULL DEFAULT 'sale' CHECK (kind IN ('sale', 'refund')),
  -- For a refund row: the external id of the sale it refunds.
  refund_of       TEXT,
  contact_id      INTEGER REFERENCES contacts(id),
  placed_at       TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('paid', 'pending', 'cancelled', 'failed')),
  currency        TEXT NOT NULL,
  amount_minor    INTEGER NOT NULL CHECK (amount_minor >= 0),
  refunded_minor  INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
  email           TEXT,
  phone           TEXT,
  name            TEXT,
  description     TEXT,
  -- With no contact: 'waiting' in the "who is this?" list, or 'dismissed' by the owner. NULL otherwise
  -- (matched, or an anonymous sale with nobody to find).
  unmatched       TEXT CHECK (unmatched IN ('waiting', 'dismissed')),
  -- The activity a purchase entered by hand on a contact came from.
  activity_id     INTEGER REFERENCES activities(id),
  import_id       INTEGER,
  created_at      TEXT NOT NULL,
  deleted_at      TEXT,
  UNIQUE (source, external_id)
);
CREATE INDEX orders_contact ON orders(contact_id, placed_at) WHERE deleted_at IS NULL;
CREATE INDEX orders_waiting ON orders(placed_at) WHERE unmatched = 'waiting' AND deleted_at IS NULL;
-- Paid orders by currency and date (revenue of a period), and by buyer (retention, lead conversion), each
-- with everything the dashboard reads from an order.
CREATE INDEX orders_paid ON orders(status, currency, placed_at, kind, amount_minor, refunded_minor)
  WHERE deleted_at IS NULL;
CREATE INDEX orders_by_buyer ON orders(status, currency, contact_id, placed_at, kind, amount_minor, refunded_minor)
  WHERE deleted_at IS NULL;
CREATE INDEX orders_import ON orders(import_id) WHERE import_id IS NOT NULL;

-- Purchases and paid services logged by hand before orders existed become orders; the activity stays as the
-- touch.
INSERT INTO orders (source, external_id, contact_id, placed_at, status, currency, amount_minor, description,
                    activity_id, created_at, deleted_at)
SELECT 'manual', 'activity:' || id, contact_id, occurred_at, 'paid', currency, max(amount_minor, 0), summary,
       id, created_at, deleted_at
  FROM activities WHERE kind IN ('purchase', 'service') AND amount_minor IS NOT NULL AND currency IS NOT NULL;

-- One answer to "how likely are you to recommend us?". `answer_key` (who, when, score) makes a re-import
-- add nothing.
CREATE TABLE nps_answers (
  id           INTEGER PRIMARY KEY,
  contact_id   INTEGER REFERENCES contacts(id),
  email        TEXT,
  name         TEXT,
  score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
  comment      TEXT,
  answered_at  TEXT NOT NULL,
  answer_key   TEXT NOT NULL UNIQUE,
  import_id    INTEGER,
  created_at   TEXT NOT NULL,
  deleted_at   TEXT
);
CREATE INDEX nps_answered ON nps_answers(answered_at, score, contact_id) WHERE deleted_at IS NULL;
CREATE INDEX nps_contact ON nps_answers(contact_id) WHERE deleted_at IS NULL;

-- Each contact's value as last computed (a cache: always rebuildable from the tables above, mentions,
-- activities, cases and ideas). `segment` feeds the inbox priority.
CREATE TABLE contact_values (
  contact_id         INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
  lifetime_value     INTEGER NOT NULL,
  net_revenue        INTEGER NOT NULL,
  orders             INTEGER NOT NULL,
  last_order_at      TEXT,
  value_percentile   INTEGER NOT NULL,
  influence_raw      REAL NOT NULL,
  influence          INTEGER NOT NULL,
  activity           REAL NOT NULL,
  segment            TEXT NOT NULL,
  at_risk            TEXT,
  computed_at        TEXT NOT NULL
);
CREATE INDEX contact_values_segment ON contact_values(segment, lifetime_value DESC);
-- Percentiles of one contact against the workspace, counted from these.
CREATE INDEX contact_values_value ON contact_values(lifetime_value);
CREATE INDEX contact_values_influence ON contact_values(influence_raw);
CREATE INDEX contact_values_at_risk ON contact_values(lifetime_value DESC) WHERE at_risk IS NOT NULL;

-- The response clock of each mention: its first decision (filed, done, ignored, replied; a snooze is not
-- an answer) and its first reply, kept on the row so the dashboard reads them without the triage log.
ALTER TABLE mentions ADD COLUMN first_action_at TEXT;
ALTER TABLE mentions ADD COLUMN first_reply_at TEXT;
UPDATE mentions SET
  first_action_at = (SELECT min(l.at) FROM triage_log l WHERE l.mention_id = mentions.id AND l.undone_at IS NULL
                       AND l.action IN ('lead', 'issue', 'praise', 'idea', 'question', 'done', 'ignore', 'reply', 'replied')),
  first_reply_at = (SELECT min(l.at) FROM triage_log l WHERE l.mention_id = mentions.id AND l.undone_at IS NULL
                      AND l.action IN ('reply', 'replied'))
 WHERE id IN (SELECT mention_id FROM triage_log);
-- Contacts merged into others, so figures about a merged contact land on the one kept.
CREATE INDEX contacts_merged ON contacts(merged_into_id) WHERE merged_into_id IS NOT NULL;
-- Who became a lead (on 'lead' rows), and leads by when with everything lead conversion reads.
ALTER TABLE triage_log ADD COLUMN contact_id INTEGER;
UPDATE triage_log SET contact_id = (SELECT contact_id FROM mentions WHERE id = triage_log.mention_id)
 WHERE action = 'lead';
CREATE INDEX triage_log_leads ON triage_log(at, undone_at, contact_id) WHERE action = 'lead';
-- Complaints and questions by when they were said, with their clock: response time reads only this.
CREATE INDEX mentions_needs_answer ON mentions(coalesce(published_at, fetched_at), first_action_at, first_reply_at)
  WHERE (instr(',' || intents || ',', ',complaint,') > 0 OR instr(',' || intents || ',', ',question,') > 0)
    AND (matches > 0 OR direct = 1) AND duplicate_of IS NULL;

-- Share of conversation per local day and brand group ('brand' for the business, 'q:<id>' for a competitor
-- query): a cache of the mentions table. New mentions are added past `watermark`; a change to a stored
-- mention (its matches, sentiment, reach, date, removal) marks its UTC day stale, and stale days are
-- recomputed from the mentions. Rebuilt whole when the shop's time zone changes.
CREATE TABLE conversation_days (
  day         TEXT NOT NULL,
  grp         TEXT NOT NULL,
  mentions    INTEGER NOT NULL,
  reach       INTEGER NOT NULL,
  engagement  INTEGER NOT NULL,
  positive    INTEGER NOT NULL,
  negative    INTEGER NOT NULL,
  PRIMARY KEY (day, grp)
) WITHOUT ROWID;
CREATE TABLE conversation_rollup (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  watermark  INTEGER NOT NULL DEFAULT 0,
  zone       TEXT NOT NULL DEFAULT ''
);
INSERT INTO conversation_rollup (id) VALUES (1);
CREATE TABLE conversation_stale (day TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TRIGGER conversation_stale_update
  AFTER UPDATE OF sentiment, matches, duplicate_of, published_at, author_followers, likes, reposts, replies ON mentions
BEGIN
  INSERT OR IGNORE INTO conversation_stale (day)
  VALUES (substr(coalesce(old.published_at, old.fetched_at), 1, 10)), (substr(coalesce(new.published_at, new.fetched_at), 1, 10));
END;
CREATE TRIGGER conversation_stale_delete AFTER DELETE ON mentions BEGIN
  INSERT OR IGNORE INTO conversation_stale (day) VALUES (substr(coalesce(old.published_at, old.fetched_at), 1, 10));
END;

-- Followers of the owner's own accounts (their Mastodon and Bluesky sources), the latest count of each day.
CREATE TABLE follower_counts (
  source_id  INTEGER NOT NULL REFERENCES sources(id),
  day        TEXT NOT NULL,
  followers  INTEGER NOT NULL,
  PRIMARY KEY (source_id, day)
) WITHOUT ROWID;
