-- Earshot team sharing, schema version 1: the workspaces shared on this server and every change accepted
-- for them, in the one order all desktops apply them. Desktops call the functions; nothing else writes.

CREATE TABLE earshot_workspaces (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  -- A new epoch whenever the workspace is created here or found restored from a backup: desktops compare
  -- it with the one they last saw to notice that the server forgot something.
  epoch       uuid NOT NULL,
  -- The last sequence number handed out. Its row is locked by each push until commit, so numbers are
  -- handed out in commit order and a reader never sees 5 before 4.
  last_seq    bigint NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One field-level change. `stamp` is the hybrid logical clock text (earshot_core::team::Stamp), which sorts
-- as text; `op_id` makes pushing again harmless.
CREATE TABLE earshot_ops (
  workspace    uuid NOT NULL REFERENCES earshot_workspaces(id),
  seq          bigint NOT NULL,
  op_id        uuid NOT NULL,
  stamp        text NOT NULL,
  entity       text NOT NULL,
  row_id       uuid NOT NULL,
  field        text NOT NULL,
  value        jsonb,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace, seq),
  UNIQUE (workspace, op_id)
);

-- Accepts a batch of changes for a workspace, in order; changes already accepted (the same op_id) are
-- answered with what they got the first time. A stamp more than `max_skew_ms` ahead of this server's
-- clock is stamped again here, once, so every desktop applies the same stamp. Desktops listening on the
-- workspace's channel hear the last sequence number when the push commits.
CREATE FUNCTION earshot_push(p_workspace uuid, p_ops jsonb, p_max_skew_ms bigint)
RETURNS TABLE (op_id uuid, seq bigint, stamp text)
LANGUAGE plpgsql AS $$
DECLARE
  v_last bigint;
  v_now_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
  v_op jsonb;
  v_stamp text;
  v_known earshot_ops%ROWTYPE;
BEGIN
  SELECT w.last_seq INTO v_last FROM earshot_workspaces w WHERE w.id = p_workspace FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'workspace % is not shared on this server', p_workspace USING ERRCODE = 'P0002';
  END IF;
  FOR v_op IN SELECT e FROM jsonb_array_elements(p_ops) AS e LOOP
    SELECT * INTO v_known FROM earshot_ops o WHERE o.workspace = p_workspace AND o.op_id = (v_op->>'op_id')::uuid;
    IF FOUND THEN
      op_id := v_known.op_id; seq := v_known.seq; stamp := v_known.stamp;
      RETURN NEXT;
      CONTINUE;
    END IF;
    v_last := v_last + 1;
    v_stamp := v_op->>'stamp';
    IF split_part(v_stamp, '-', 1)::bigint > v_now_ms + p_max_skew_ms THEN
      v_stamp := lpad(v_now_ms::text, 16, '0') || '-' || lpad((v_last % 1000000)::text, 6, '0') || '-'
                 || split_part(v_stamp, '-', 3);
    END IF;
    INSERT INTO earshot_ops (workspace, seq, op_id, stamp, entity, row_id, field, value)
    VALUES (p_workspace, v_last, (v_op->>'op_id')::uuid, v_stamp, v_op->>'entity', (v_op->>'row_id')::uuid,
            v_op->>'field', v_op->'value');
    op_id := (v_op->>'op_id')::uuid; seq := v_last; stamp := v_stamp;
    RETURN NEXT;
  END LOOP;
  UPDATE earshot_workspaces w SET last_seq = v_last WHERE w.id = p_workspace;
  PERFORM pg_notify('earshot_' || replace(p_workspace::text, '-', ''), v_last::text);
END
$$;
