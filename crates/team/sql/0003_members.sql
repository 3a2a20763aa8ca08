-- One role per member: whoever may connect to this database is a member of the team (the business grants
-- CONNECT per member). The tables belong to the member who shared first; every other member reads and
-- writes them through the same statements and functions, which run with the caller's rights.
GRANT SELECT ON earshot_schema TO PUBLIC;
GRANT SELECT, INSERT, UPDATE ON earshot_workspaces, earshot_ops TO PUBLIC;
