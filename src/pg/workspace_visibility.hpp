// Whether the calling role sees every workspace's rows, or only its
// session's: what pg_webhook may show it beyond the rows themselves.
#pragma once

namespace webhook::pg {

// True when row-level security does not apply to the caller (a superuser,
// BYPASSRLS) or it has webhook_admin's rights; false for a webhook_user.
// The planner's statistics and the worker's own figures describe every
// workspace, so only such a caller may be shown them.
bool caller_sees_every_workspace();

// The same, for a plain C frame (a hook): Postgres errors propagate as
// themselves. Needs the webhook schema to exist.
bool current_role_sees_every_workspace();

}  // namespace webhook::pg
