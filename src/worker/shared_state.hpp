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
    // Set while a DROP DATABASE of the served database runs: the launcher
    // starts no worker and a starting worker leaves at once.
    bool database_drop_pending;
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
};
StatusSnapshot read_status(int64 now_second);

// The worker's own updates.
void publish_worker(pid_t pid, Oid database_id, Latch* latch);
void set_worker_state(WorkerState state, int in_flight);
void count_finished_attempts(int64 now_second, int count);
void set_last_error(const char* message);  // nullptr clears

void set_database_drop_pending(bool pending);
bool database_drop_pending();
// The worker's pid, 0 when none runs.
pid_t worker_pid();

}  // namespace webhook::worker
