-- Team sharing on this desktop. `team` has one row while the workspace is shared through a team's
-- PostgreSQL server (none otherwise); leaving the team deletes it and keeps everything else.
CREATE TABLE team (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  workspace      TEXT NOT NULL,
  -- postgres://user@host:port/db, without the password (that is in the keychain under credential_id).
  server         TEXT NOT NULL,
  credential_id  TEXT,
  device         TEXT NOT NULL,
  member         TEXT NOT NULL,
  -- The server's epoch last seen, and the last sequence number applied from it.
  epoch          TEXT NOT NULL,
  cursor         INTEGER NOT NULL DEFAULT 0,
  -- The hybrid logical clock's last stamp (earshot_core::team::Stamp), kept across restarts.
  clock          TEXT,
  last_sync_at   TEXT,
  last_error     TEXT
);

-- The team-wide id (UUID) of each shared local row.
CREATE TABLE team_ids (
  entity    TEXT NOT NULL,
  local_id  INTEGER NOT NULL,
  uid       TEXT NOT NULL UNIQUE,
  PRIMARY KEY (entity, local_id)
);

-- Changes made on this desktop, in the order made, until the server has accepted them.
CREATE TABLE team_outbox (
  seq      INTEGER PRIMARY KEY,
  op_id    TEXT NOT NULL UNIQUE,
  stamp    TEXT NOT NULL,
  entity   TEXT NOT NULL,
  row_uid  TEXT NOT NULL,
  field    TEXT NOT NULL,
  value    TEXT NOT NULL
);

-- Every value a shared field has had, with its stamp: the newest is the field's value, the others are its
-- history ("changed on the laptop while offline").
CREATE TABLE team_versions (
  entity   TEXT NOT NULL,
  row_uid  TEXT NOT NULL,
  field    TEXT NOT NULL,
  stamp    TEXT NOT NULL,
  op_id    TEXT NOT NULL UNIQUE,
  value    TEXT NOT NULL,
  PRIMARY KEY (entity, row_uid, field, stamp)
);
