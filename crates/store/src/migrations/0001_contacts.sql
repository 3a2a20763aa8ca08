-- Contacts and everything hanging off them. Later migrations add sources, mentions and triage beside these
-- tables: mention authors match contacts through identities(network, handle_key).

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  file_name TEXT NOT NULL,
  format TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  added INTEGER NOT NULL DEFAULT 0,
  merged INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  -- JSON list of [contact_id, column] filled in on existing contacts, cleared again on undo.
  filled TEXT NOT NULL DEFAULT '[]',
  undone_at TEXT
);

CREATE TABLE import_problems (
  id INTEGER PRIMARY KEY,
  import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
  reason TEXT NOT NULL
);
CREATE INDEX import_problems_import ON import_problems(import_id, line);

CREATE TABLE organizations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  given_name TEXT NOT NULL DEFAULT '',
  family_name TEXT NOT NULL DEFAULT '',
  display_name TEXT NOT NULL,
  -- Folded display name: list order and name matching.
  sort_key TEXT NOT NULL,
  organization_id INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
  title TEXT,
  city TEXT,
  website TEXT,
  birthday TEXT,
  photo BLOB,
  photo_mime TEXT,
  keep_in_touch_days INTEGER CHECK (keep_in_touch_days IS NULL OR keep_in_touch_days > 0),
  keep_in_touch_since TEXT,
  last_touch_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT,
  merged_into_id INTEGER REFERENCES contacts(id),
  import_id INTEGER REFERENCES imports(id)
);
CREATE INDEX contacts_live_sort ON contacts(sort_key, id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_org ON contacts(organization_id);
CREATE INDEX contacts_keep_in_touch ON contacts(keep_in_touch_days) WHERE keep_in_touch_days IS NOT NULL;

CREATE TABLE emails (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  address_key TEXT NOT NULL,
  label TEXT,
  import_id INTEGER,
  UNIQUE (contact_id, address_key)
);
CREATE INDEX emails_key ON emails(address_key);

CREATE TABLE phones (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  number TEXT NOT NULL,
  number_key TEXT NOT NULL,
  label TEXT,
  import_id INTEGER,
  UNIQUE (contact_id, number_key)
);
CREATE INDEX phones_key ON phones(number_key);

CREATE TABLE identities (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  network TEXT NOT NULL,
  handle TEXT NOT NULL,
  handle_key TEXT NOT NULL,
  profile_url TEXT,
  follower_count INTEGER,
  import_id INTEGER,
  UNIQUE (contact_id, network, handle_key)
);
CREATE INDEX identities_key ON identities(network, handle_key);

CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE
);

CREATE TABLE contact_tags (
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  import_id INTEGER,
  PRIMARY KEY (contact_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX contact_tags_tag ON contact_tags(tag_id, contact_id);

CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT,
  import_id INTEGER
);
CREATE INDEX notes_contact ON notes(contact_id, created_at);

CREATE TABLE activities (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'visit', 'social', 'service', 'purchase')),
  summary TEXT NOT NULL DEFAULT '',
  occurred_at TEXT NOT NULL,
  -- Money in the currency's minor unit (cents): exact, never floats.
  amount_minor INTEGER,
  cost_minor INTEGER,
  currency TEXT,
  created_at TEXT NOT NULL,
  deleted_at TEXT,
  CHECK (currency IS NOT NULL OR (amount_minor IS NULL AND cost_minor IS NULL))
);
CREATE INDEX activities_contact ON activities(contact_id, occurred_at);

CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  due_at TEXT,
  done_at TEXT,
  created_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX tasks_contact ON tasks(contact_id);
CREATE INDEX tasks_open_due ON tasks(due_at) WHERE done_at IS NULL AND deleted_at IS NULL;

CREATE TABLE merges (
  id INTEGER PRIMARY KEY,
  kept_id INTEGER NOT NULL REFERENCES contacts(id),
  merged_id INTEGER NOT NULL REFERENCES contacts(id),
  -- JSON: ids of the rows moved from the merged contact, per table, and the kept contact's fields before.
  moved TEXT NOT NULL,
  kept_before TEXT NOT NULL,
  created_at TEXT NOT NULL,
  undone_at TEXT
);

-- Pairs the owner said are not the same person; never suggested again.
CREATE TABLE distinct_pairs (
  low_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  high_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  PRIMARY KEY (low_id, high_id)
) WITHOUT ROWID;

-- The import_id of parts (emails ... notes) is the import that added them, for undo. It is a plain number,
-- not a foreign key: checking it on every row would slow imports, and import rows are never deleted.

-- Live contacts only; text folded (accents, case) by the application before it is indexed and searched.
-- Contentless: searches need only the contact ids, so the folded text is not stored a second time.
CREATE VIRTUAL TABLE contacts_fts USING fts5(
  name, organization, emails, phones, handles, tags, notes,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3',
  content = '',
  contentless_delete = 1
);
