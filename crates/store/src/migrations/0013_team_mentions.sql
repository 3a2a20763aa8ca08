-- A team shares mentions, decisions and merges too.

-- The member a mention is assigned to (by name), on any desktop of the team.
ALTER TABLE mentions ADD COLUMN assignee TEXT;
CREATE INDEX mentions_assignee ON mentions(assignee) WHERE assignee IS NOT NULL;

-- Who made a decision (the member's name), and whether it was made on another desktop of the team: such a
-- row is part of the team's log, never undone from here.
ALTER TABLE triage_log ADD COLUMN member TEXT;
ALTER TABLE triage_log ADD COLUMN from_team INTEGER NOT NULL DEFAULT 0;

-- Who wrote a note, when the workspace is shared.
ALTER TABLE notes ADD COLUMN member TEXT;

-- The team's members, by name, as each desktop announced its own when it joined.
CREATE TABLE team_members (
  name       TEXT PRIMARY KEY,
  joined_at  TEXT NOT NULL
);

-- Contacts merged into another on some desktop: changes still aimed at the merged one land on the kept one.
CREATE TABLE team_aliases (
  merged  TEXT PRIMARY KEY,
  kept    TEXT NOT NULL
);
CREATE INDEX team_aliases_kept ON team_aliases(kept);

-- A routing rule sends matching mentions to a member ("complaints go to Sam").
ALTER TABLE triage_rules ADD COLUMN member TEXT;

-- An order changed on two desktops apart (a refund here, a cancellation there): flagged until reviewed.
ALTER TABLE orders ADD COLUMN needs_review INTEGER NOT NULL DEFAULT 0;

-- The few versions read across all contacts (merges, deletes) without reading every version.
CREATE INDEX team_versions_merges ON team_versions(row_uid, stamp) WHERE entity = 'contact' AND field = 'merged_into';
CREATE INDEX team_versions_deletes ON team_versions(row_uid, stamp) WHERE entity = 'contact' AND field = 'deleted';
