// The dispatcher's corner of shared memory: who the worker is (so that a
// committing backend can set its latch) and what it is doing (for
// webhook.worker_status()). Exists only when pg_webhook is preloaded.
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "storage/latch.h"
#include "storage/spin.h"
}

namespace webhook::worker {

enum class WorkerState : int {
    kStopped = 0,
    kStarting,
    kWaitingForExtension,
    kIdle,
    kDispatching,
};

const char* worker_state_name(WorkerState state);

// Attempts finished per second, in one-second buckets over the last minute.
inline constexpr int kRateBuckets = 60;

// A committed change that makes claimed, not yet started requests wrong to
// send: a delivery cancelled or retried, an endpoint disabled, deleted or
// edited. The worker withdraws the matching requests from its queue (see
// api/withdrawal_trigger.cpp for who posts them).
enum class WithdrawalKind : uint8 {
    kDelivery = 1,    // id: the delivery's
    kEndpoint = 2,    // id: the endpoint's; every request to it
    kWorkspace = 3,   // id: the workspace's; every request of it (many changes at once)
    kEverything = 4,  // every queued request (changes in many workspaces at once)
};
struct Withdrawal {
    Oid database_id;  // where the change committed: a worker serves one database
    WithdrawalKind kind;
    uint8 id[16];
};
// Postings since the worker last looked that exceed this are not lost: the
// worker then withdraws everything it has queued.
inline constexpr int kWithdrawalSlots = 256;

struct SharedState {
    slock_t mutex;
    pid_t pid;  // 0 when no worker runs
    Oid database_id;
    Latch* latch;
    WorkerState state;
    int in_flight;
    int64 bucket_second[kRateBuckets];
    int32 bucket_count[kRateBuckets];
    char last_error[512];
    // The database of the worker that met last_error: it is shown there
    // only, also after that worker exited, never in another database.
    Oid last_error_database;
    // Set while a DROP DATABASE of the served database runs (or another
    // statement that needs it without sessions, worker/database_drop_guard):
    // the launcher starts no worker and a starting worker leaves at once.
    bool database_drop_pending;
    // A ring: withdrawal n is in slot n % kWithdrawalSlots.
    uint64 withdrawals_posted;
    Withdrawal withdrawals[kWithdrawalSlots];
};

// Called from _PG_init while shared_preload_libraries is processed.
void install_shared_memory_hooks();

// nullptr when pg_webhook was not preloaded.
SharedState* shared_state();

// Sets the worker's latch, if a worker runs. Safe in any backend.
void wake_worker();

// A snapshot for webhook.worker_status().
struct StatusSnapshot {
    pid_t pid;
    Oid database_id;
    WorkerState state;
    int in_flight;
    double per_second;
    char last_error[512];
    Oid last_error_database;
};
StatusSnapshot read_status(int64 now_second);

// The worker's own updates. There is one worker per server: the lease on
// what it claimed is the process itself (sql/src/50_dispatch.sql), so a
// second one would send the first one's claimed deliveries again. A
// starting worker takes the one place here, and leaves when it cannot:
// false when another worker holds it (one started by a launcher that has
// since been terminated and restarted) or a DROP DATABASE of the served
// database runs. Checked and taken at once, so that a DROP DATABASE that
// begins meanwhile either sees the new pid (and stops it) or is seen.
bool take_worker_place(pid_t pid, Oid database_id, Latch* latch);
// Gives the place up, if `pid` holds it.
void leave_worker_place(pid_t pid);
void set_worker_state(WorkerState state, int in_flight);
void count_finished_attempts(int64 now_second, int count);
// Called by the worker: the error is of its database (MyDatabaseId).
void set_last_error(const char* message);  // nullptr clears

// Posts at most kWithdrawalSlots withdrawals and wakes the worker. Safe in
// any backend; does nothing when not preloaded.
void post_withdrawals(const Withdrawal* withdrawals, int count);
// The worker's side: copies the withdrawals posted after the first `seen`
// into `out` and advances `seen`. Returns how many were copied, or -1 when
// more were posted than the ring keeps (then withdraw everything).
int take_withdrawals(uint64* seen, Withdrawal (&out)[kWithdrawalSlots]);
// How many have ever been posted: where a starting worker begins to read.
uint64 withdrawals_posted();

void set_database_drop_pending(bool pending);
bool database_drop_pending();
// The worker's pid, 0 when none runs.
pid_t worker_pid();

}  // namespace webhook::worker
