#include "worker/commit_prepared_wake.hpp"

#include "pg/postgres_headers.hpp"
#include "pg/process_utility_chain.hpp"
#include "worker/shared_state.hpp"

extern "C" {
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
}

namespace webhook::worker {
namespace {

ProcessUtility_hook_type previous_process_utility = nullptr;

bool commits_prepared_transaction(Node* statement) {
    return IsA(statement, TransactionStmt) &&
           reinterpret_cast<TransactionStmt*>(statement)->kind == TRANS_STMT_COMMIT_PREPARED;
}

// Plain C style: no C++ object lives in this frame, so Postgres errors may
// unwind through it. When COMMIT PREPARED returns, the prepared
// transaction's rows are visible to the worker.
void wake_after_commit_prepared(PlannedStmt* statement, const char* query, bool read_only_tree,
                                ProcessUtilityContext context, ParamListInfo parameters,
                                QueryEnvironment* environment, DestReceiver* destination,
                                QueryCompletion* completion) {
    pg::run_next_process_utility(previous_process_utility, statement, query, read_only_tree,
                                 context, parameters, environment, destination, completion);
    if (commits_prepared_transaction(statement->utilityStmt)) wake_worker();
}

}  // namespace

void install_commit_prepared_wake() {
    previous_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = wake_after_commit_prepared;
}

}  // namespace webhook::worker
