// Waking the worker when the current transaction commits (a rollback wakes
// nothing), for SQL-callable code that makes deliveries due.
#pragma once

namespace webhook::api {

// Registers the wake-up for this transaction's COMMIT.
void wake_worker_at_commit();

}  // namespace webhook::api
