-- Which kinds of source exist is decided in the code (earshot_core::mention::SourceKind), not by a CHECK in
-- the table: adding a kind of source no longer needs the table rebuilt. This rebuild is the last one for it.
-- (Foreign keys are off while a migration runs; the runner checks every reference before it commits.)
CREATE TABLE sources_new (
  id                   INTEGER PRIMARY KEY,
  kind                 TEXT NOT NULL,
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
  items_seen           INTEGER NOT NULL DEFAULT 0,
  demo                 INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sources_new (id, kind, name, url, config, credential_id, created_at, deleted_at, paused_reason, notice,
                         next_check_at, not_before, last_checked_at, last_success_at, last_error, last_error_at,
                         failing_since, failures, parse_failures, etag, last_modified, body_hash, cursor,
                         items_seen, demo)
  SELECT id, kind, name, url, config, credential_id, created_at, deleted_at, paused_reason, notice,
         next_check_at, not_before, last_checked_at, last_success_at, last_error, last_error_at,
         failing_since, failures, parse_failures, etag, last_modified, body_hash, cursor, items_seen, demo
    FROM sources;
DROP TABLE sources;
ALTER TABLE sources_new RENAME TO sources;
CREATE UNIQUE INDEX sources_live_unique ON sources(kind, url, config) WHERE deleted_at IS NULL;
