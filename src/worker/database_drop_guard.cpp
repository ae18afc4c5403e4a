#include "worker/database_drop_guard.hpp"

#include <csignal>
#include <cstring>

#include "pg/postgres_headers.hpp"
#include "pg/process_utility_chain.hpp"
#include "pg/settings.hpp"
#include "worker/shared_state.hpp"

extern "C" {
#include "nodes/parsenodes.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/wait_event.h"
}

namespace webhook::worker {
namespace {

ProcessUtility_hook_type previous_process_utility = nullptr;

// How long the dropping backend waits for the worker to leave; DROP
// DATABASE itself then waits up to 5 s for the last sessions.
constexpr int kStopWaitMs = 10000;

bool drops_served_database(Node* statement) {
    if (!IsA(statement, DropdbStmt)) return false;
    const char* name = reinterpret_cast<DropdbStmt*>(statement)->dbname;
    return name && webhook::pg::setting_database &&
           std::strcmp(name, webhook::pg::setting_database) == 0;
}

void stop_worker() {
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
    if (!drops_served_database(statement->utilityStmt)) {
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
        // Dropped or not, the launcher looks again: it waits quietly for a
        // database that is gone and starts the worker in one that stayed.
        set_database_drop_pending(false);
    }
    PG_END_TRY();
}

}  // namespace

void install_database_drop_guard() {
    previous_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = guard_process_utility;
}

}  // namespace webhook::worker
