#include "worker/database_drop_guard.hpp"

#include <csignal>
#include <cstring>

#include "pg/postgres_headers.hpp"
#include "pg/process_utility_chain.hpp"
#include "pg/settings.hpp"
#include "worker/shared_state.hpp"

extern "C" {
#include "nodes/parsenodes.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/wait_event.h"
}

namespace webhook::worker {
namespace {

ProcessUtility_hook_type previous_process_utility = nullptr;

// How long the statement's backend waits for the worker to leave; the
// statement itself then waits up to 5 s for the last sessions.
constexpr int kStopWaitMs = 10000;

bool names_served_database(const char* name) {
    return name && webhook::pg::setting_database &&
           std::strcmp(name, webhook::pg::setting_database) == 0;
}

// The option `name` of a CREATE or ALTER DATABASE, when given as a name.
const char* option_text(List* options, const char* name) {
    ListCell* cell;
    foreach (cell, options) {
        auto* option = static_cast<DefElem*>(lfirst(cell));
        if (std::strcmp(option->defname, name) == 0 && option->arg && IsA(option->arg, String)) {
            return strVal(option->arg);
        }
    }
    return nullptr;
}

// The statements that fail while another session is connected to the
// database they name ("database ... is being accessed by other users"):
// DROP DATABASE, ALTER DATABASE ... RENAME TO and SET TABLESPACE, and CREATE
// DATABASE ... TEMPLATE it. The worker leaves the served database for them.
bool needs_served_database_alone(Node* statement) {
    switch (nodeTag(statement)) {
        case T_DropdbStmt:
            return names_served_database(reinterpret_cast<DropdbStmt*>(statement)->dbname);
        case T_RenameStmt: {
            auto* rename = reinterpret_cast<RenameStmt*>(statement);
            return rename->renameType == OBJECT_DATABASE && names_served_database(rename->subname);
        }
        case T_AlterDatabaseStmt: {
            auto* alter = reinterpret_cast<AlterDatabaseStmt*>(statement);
            return names_served_database(alter->dbname) &&
                   option_text(alter->options, "tablespace") != nullptr;
        }
        case T_CreatedbStmt:
            return names_served_database(
                option_text(reinterpret_cast<CreatedbStmt*>(statement)->options, "template"));
        default:
            return false;
    }
}

// Whether this backend has set database_drop_pending and not yet cleared it.
bool holding_pending = false;
bool exit_callback_registered = false;

void release_pending() {
    if (!holding_pending) return;
    holding_pending = false;
    set_database_drop_pending(false);
}

// A FATAL (pg_terminate_backend of the backend while its statement waits
// for the worker or for the last sessions) ends the process without
// unwinding to PG_FINALLY below: left set, the flag kept the launcher from
// ever starting the worker again, until a server restart.
void release_pending_at_exit(int, Datum) { release_pending(); }

void stop_worker() {
    if (!exit_callback_registered) {
        before_shmem_exit(release_pending_at_exit, 0);
        exit_callback_registered = true;
    }
    holding_pending = true;
    set_database_drop_pending(true);
    pid_t pid = worker_pid();
    if (pid == 0) return;
    kill(pid, SIGTERM);
    for (int waited = 0; waited < kStopWaitMs && worker_pid() == pid; waited += 10) {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
}

// Plain C style: no C++ object lives in this frame, so Postgres errors may
// unwind through it.
void guard_process_utility(PlannedStmt* statement, const char* query, bool read_only_tree,
                           ProcessUtilityContext context, ParamListInfo parameters,
                           QueryEnvironment* environment, DestReceiver* destination,
                           QueryCompletion* completion) {
    if (!needs_served_database_alone(statement->utilityStmt)) {
        pg::run_next_process_utility(previous_process_utility, statement, query, read_only_tree,
                                     context, parameters, environment, destination, completion);
        return;
    }
    PG_TRY();
    {
        stop_worker();
        pg::run_next_process_utility(previous_process_utility, statement, query, read_only_tree,
                                     context, parameters, environment, destination, completion);
    }
    PG_FINALLY();
    {
        // Done or not, the launcher looks again: it waits quietly for a
        // database that is gone (dropped, renamed) and starts the worker in
        // one that is there.
        release_pending();
    }
    PG_END_TRY();
}

}  // namespace

void install_database_drop_guard() {
    previous_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = guard_process_utility;
}

}  // namespace webhook::worker
