-- The demo workspace's sources: listed and labelled like the owner's own, never fetched (their addresses are
-- real services, and the demo's mentions are written, not heard).
ALTER TABLE sources ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
