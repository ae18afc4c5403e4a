// Module entry point: settings and, when preloaded, the dispatcher's shared
// state and background worker.
#include "pg/postgres_headers.hpp"
#include "pg/settings.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
}

void _PG_init(void) {
    webhook::pg::register_settings();
}
