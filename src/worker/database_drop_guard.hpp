// Keeps the worker from blocking DROP DATABASE of the database it serves,
// and the other statements that need a database without sessions (ALTER
// DATABASE ... RENAME TO or SET TABLESPACE, CREATE DATABASE ... TEMPLATE):
// the statement's backend stops the worker first and the launcher starts
// none until the statement is over.
#pragma once

namespace webhook::worker {

// Installs a ProcessUtility hook; called from _PG_init when preloaded.
void install_database_drop_guard();

}  // namespace webhook::worker
