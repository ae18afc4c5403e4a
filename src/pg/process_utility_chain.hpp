// Running the rest of a ProcessUtility hook chain: the hook that was
// installed before ours, or Postgres's own when there was none.
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "tcop/utility.h"
}

namespace webhook::pg {

inline void run_next_process_utility(ProcessUtility_hook_type next, PlannedStmt* statement,
                                     const char* query, bool read_only_tree,
                                     ProcessUtilityContext context, ParamListInfo parameters,
                                     QueryEnvironment* environment, DestReceiver* destination,
                                     QueryCompletion* completion) {
    ProcessUtility_hook_type run = next ? next : standard_ProcessUtility;
    run(statement, query, read_only_tree, context, parameters, environment, destination,
        completion);
}

}  // namespace webhook::pg
