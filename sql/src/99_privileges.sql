
-- ---------------------------------------------------------------------------
-- Privileges. Nothing is granted to PUBLIC; every part of this script grants
-- what the extension's roles need. Functions are created executable by
-- PUBLIC, so take that back here, after every part has run.
-- ---------------------------------------------------------------------------
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA webhook FROM PUBLIC;
