-- The id of the change applied last from the team's server: if the server no longer has it at that place,
-- it was restored from a backup and this desktop sends its changes again.
ALTER TABLE team ADD COLUMN cursor_op TEXT;
