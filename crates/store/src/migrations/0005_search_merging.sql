-- The contact search index no longer merges its segments a little on every write: that work came in bursts
-- (a few hundred pages at once, every 64 pages written), so one keystroke in fifty that created a contact
-- (a lead from a mention) paid 10-20 ms for it. Segments are still merged when 16 pile up at one level,
-- which for one new contact at a time is a merge of a few small segments.
INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('automerge', 0);
