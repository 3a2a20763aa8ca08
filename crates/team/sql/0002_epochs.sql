-- Earshot team sharing, schema version 2: noticing a server restored from a backup. A desktop that finds
-- the change it applied last missing (or another in its place) starts a new epoch; every desktop that sees
-- a new epoch sends again the changes it made (the server keeps what it still had) and reads everything
-- again, so all converge on what was kept plus what was sent again.

ALTER TABLE earshot_workspaces ADD COLUMN epoch_seq bigint NOT NULL DEFAULT 0;

-- Starts a new epoch unless another desktop already did since `p_seen`; the epoch in force either way.
CREATE FUNCTION earshot_new_epoch(p_workspace uuid, p_seen uuid) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_epoch uuid;
BEGIN
  SELECT w.epoch INTO v_epoch FROM earshot_workspaces w WHERE w.id = p_workspace FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'workspace % is not shared on this server', p_workspace USING ERRCODE = 'P0002';
  END IF;
  IF v_epoch = p_seen THEN
    v_epoch := gen_random_uuid();
    UPDATE earshot_workspaces w SET epoch = v_epoch, epoch_seq = w.last_seq WHERE w.id = p_workspace;
  END IF;
  RETURN v_epoch;
END
$$;
