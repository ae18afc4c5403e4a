// Keeps the worker from blocking DROP DATABASE of the database it serves:
// the dropping backend stops the worker first and the launcher starts none
// until the DROP is over.
#pragma once

namespace webhook::worker {

// Installs a ProcessUtility hook; called from _PG_init when preloaded.
void install_database_drop_guard();

}  // namespace webhook::worker
