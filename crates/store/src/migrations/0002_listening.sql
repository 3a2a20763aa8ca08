-- Listening: what to listen for (queries), where (sources, with their sync state) and what was heard
-- (mentions, with the queries each one matched).

CREATE TABLE listening_queries (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('brand', 'competitor', 'industry')),
  query       TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  deleted_at  TEXT
);

-- One row per place Earshot checks. `config` holds what the kind needs (a hashtag, a handle, a search);
-- `credential_id` names a keychain item, never the secret itself. The sync columns change on every check;
-- a failure writes last_error* and never clears last_success_at.
CREATE TABLE sources (
  id                   INTEGER PRIMARY KEY,
  kind                 TEXT NOT NULL CHECK (kind IN ('feed', 'mastodon', 'bluesky', 'hn', 'manual')),
  name                 TEXT NOT NULL,
  url                  TEXT NOT NULL,
  config               TEXT NOT NULL DEFAULT '{}',
  credential_id        TEXT,
  created_at           TEXT NOT NULL,
  deleted_at           TEXT,
  paused_reason        TEXT,
  notice               TEXT,
  next_check_at        TEXT,
  not_before           TEXT,
  last_checked_at      TEXT,
  last_success_at      TEXT,
  last_error           TEXT,
  last_error_at        TEXT,
  failing_since        TEXT,
  failures             INTEGER NOT NULL DEFAULT 0,
  parse_failures       INTEGER NOT NULL DEFAULT 0,
  etag                 TEXT,
  last_modified        TEXT,
  body_hash            TEXT,
  cursor               TEXT,
  items_seen           INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX sources_live_unique ON sources(kind, url, config) WHERE deleted_at IS NULL;

-- Fetched items that matched a query, or were `direct`: addressed to the owner (a mention of their account)
-- or captured by hand. Content is what the source said (rewritten only when it changes: edits, counts);
-- state and contact_id belong to the owner and are never touched by a fetch. duplicate_of points at the
-- same page first heard through another source. `matches` counts rows in mention_matches: a mention whose
-- queries were all removed is kept, but not shown unless it is direct.
CREATE TABLE mentions (
  id                INTEGER PRIMARY KEY,
  source_id         INTEGER NOT NULL REFERENCES sources(id),
  external_id       TEXT NOT NULL,
  url               TEXT,
  url_key           TEXT,
  duplicate_of      INTEGER REFERENCES mentions(id),
  author_name       TEXT,
  author_handle     TEXT,
  author_url        TEXT,
  author_followers  INTEGER,
  title             TEXT,
  text              TEXT NOT NULL,
  html              TEXT,
  language          TEXT,
  published_at      TEXT,
  fetched_at        TEXT NOT NULL,
  likes             INTEGER,
  reposts           INTEGER,
  replies           INTEGER,
  raw               TEXT,
  matches           INTEGER NOT NULL DEFAULT 0,
  direct            INTEGER NOT NULL DEFAULT 0,
  state             TEXT NOT NULL DEFAULT 'new',
  contact_id        INTEGER REFERENCES contacts(id),
  decided_at        TEXT,
  UNIQUE (source_id, external_id)
);
CREATE INDEX mentions_url_key ON mentions(url_key) WHERE url_key IS NOT NULL;
CREATE INDEX mentions_inbox ON mentions(coalesce(published_at, fetched_at) DESC, id DESC) WHERE (matches > 0 OR direct = 1) AND duplicate_of IS NULL;

CREATE TABLE mention_matches (
  mention_id  INTEGER NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
  query_id    INTEGER NOT NULL REFERENCES listening_queries(id),
  PRIMARY KEY (mention_id, query_id)
) WITHOUT ROWID;
CREATE INDEX mention_matches_query ON mention_matches(query_id);

-- Items the owner removed: a later fetch of the same (source, external id) is skipped, never re-added.
CREATE TABLE mention_tombstones (
  source_id    INTEGER NOT NULL REFERENCES sources(id),
  external_id  TEXT NOT NULL,
  removed_at   TEXT NOT NULL,
  PRIMARY KEY (source_id, external_id)
) WITHOUT ROWID;
