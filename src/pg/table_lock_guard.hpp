// Keeps a tenant from locking pg_webhook's tables against everyone else.
// LOCK TABLE in SHARE UPDATE EXCLUSIVE mode or stronger only needs UPDATE or
// DELETE on the table, which a webhook_user has on webhook.endpoint (row-level
// security confines what it changes, not what it can lock). Held in an open
// transaction, such a lock stopped every workspace's publishes, listings and
// the worker's claims. This hook refuses those modes on pg_webhook's tables,
// named directly or reached through a view, to a caller bound by the tenant
// policies; the weaker modes, which ordinary reads and writes take anyway,
// stay allowed.
#pragma once

namespace webhook::pg {

// Installs a ProcessUtility hook; called from _PG_init when preloaded.
void install_table_lock_guard();

}  // namespace webhook::pg
