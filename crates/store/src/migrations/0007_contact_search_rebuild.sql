-- The contact search index, rebuilt:
-- * Folding dropped line breaks and tabs from any text with an accent in it, so a note "Café\nSpoke" was
--   indexed as "cafespoke" and could not be found by either word. Every live contact is indexed again with
--   the corrected folding.
-- * The ASCII tokenizer: everything indexed and searched is folded to ASCII first (transliterated, lower
--   case), so the Unicode tokenizer's tables and accent removal only cost time.
-- * No two-letter prefix index: one- and two-letter searches list names from the name index, and a
--   two-letter word next to a longer one is read from the terms themselves. It made every contact written
--   cost a third more index entries.
-- The rows below are what `search::reindex` writes for one contact, as of this migration (migrations never
-- change once shipped, so this copy does not follow later changes there).
DROP TABLE contacts_fts;
CREATE VIRTUAL TABLE contacts_fts USING fts5(
  name, organization, emails, phones, handles, tags, notes,
  tokenize = 'ascii',
  prefix = '3',
  content = '',
  contentless_delete = 1
);
INSERT INTO contacts_fts (contacts_fts, rank) VALUES ('automerge', 0);
INSERT INTO contacts_fts (rowid, name, organization, emails, phones, handles, tags, notes)
  SELECT c.id,
         earshot_fold(c.display_name || ' ' || c.given_name || ' ' || c.family_name),
         earshot_fold(coalesce(o.name, '') || ' ' || coalesce(c.title, '') || ' ' || coalesce(c.city, '')),
         earshot_fold((SELECT group_concat(address, ' ') FROM emails WHERE contact_id = c.id)),
         (SELECT group_concat(number_key, ' ') FROM phones WHERE contact_id = c.id),
         earshot_fold((SELECT group_concat(handle || ' ' || coalesce(profile_url, ''), ' ') FROM identities WHERE contact_id = c.id)),
         earshot_fold((SELECT group_concat(t.name, ' ') FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id)),
         earshot_fold((SELECT group_concat(body, ' ') FROM notes WHERE contact_id = c.id AND deleted_at IS NULL))
    FROM contacts c LEFT JOIN organizations o ON o.id = c.organization_id
   WHERE c.deleted_at IS NULL;
INSERT INTO contacts_fts (contacts_fts) VALUES ('optimize');
