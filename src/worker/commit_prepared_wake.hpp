// Waking the worker after COMMIT PREPARED. A transaction that publishes
// asks for a wake at its commit; a prepared one commits later, in whatever
// session runs COMMIT PREPARED, where that request is no longer known. So
// every COMMIT PREPARED wakes the worker: one look for due deliveries costs
// little, and two-phase commits are rare.
#pragma once

namespace webhook::worker {

// Called from _PG_init while shared_preload_libraries is processed.
void install_commit_prepared_wake();

}  // namespace webhook::worker
