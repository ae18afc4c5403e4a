// Module entry point: settings and, when preloaded, the dispatcher's shared
// state and background worker.
#include "pg/postgres_headers.hpp"
#include "pg/settings.hpp"
#include "pg/table_lock_guard.hpp"
#include "worker/commit_prepared_wake.hpp"
#include "worker/database_drop_guard.hpp"
#include "worker/shared_state.hpp"
#include "worker/worker_main.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
}

void _PG_init(void) {
    webhook::pg::register_settings();
    // The worker and its shared memory exist only when preloaded; without
    // them the SQL API still works (retries wait for a worker to come).
    if (process_shared_preload_libraries_in_progress) {
        webhook::worker::install_shared_memory_hooks();
        webhook::worker::register_background_worker();
        webhook::worker::install_database_drop_guard();
        webhook::worker::install_commit_prepared_wake();
        webhook::pg::install_table_lock_guard();
    }
}
