#include "worker/shared_state.hpp"

#include <cstring>

extern "C" {
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

namespace webhook::worker {
namespace {

SharedState* state_in_shmem = nullptr;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

void request_shared_memory() {
    if (previous_request_hook) previous_request_hook();
    RequestAddinShmemSpace(MAXALIGN(sizeof(SharedState)));
}

void startup_shared_memory() {
    if (previous_startup_hook) previous_startup_hook();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found = false;
    state_in_shmem = static_cast<SharedState*>(
        ShmemInitStruct("pg_webhook dispatcher", sizeof(SharedState), &found));
    if (!found) {
        std::memset(state_in_shmem, 0, sizeof(SharedState));
        SpinLockInit(&state_in_shmem->mutex);
        state_in_shmem->state = WorkerState::kStopped;
    }
    LWLockRelease(AddinShmemInitLock);
}

void copy_text(char* out, std::size_t size, const char* text) {
    std::size_t length = text ? std::strlen(text) : 0;
    if (length >= size) length = size - 1;
    if (length > 0) std::memcpy(out, text, length);
    out[length] = '\0';
}

}  // namespace

const char* worker_state_name(WorkerState state) {
    switch (state) {
        case WorkerState::kStopped:
            return "stopped";
        case WorkerState::kStarting:
            return "starting";
        case WorkerState::kWaitingForExtension:
            return "waiting for extension";
        case WorkerState::kIdle:
            return "idle";
        case WorkerState::kDispatching:
            return "dispatching";
    }
    return "unknown";
}

void install_shared_memory_hooks() {
    previous_request_hook = shmem_request_hook;
    shmem_request_hook = request_shared_memory;
    previous_startup_hook = shmem_startup_hook;
    shmem_startup_hook = startup_shared_memory;
}

SharedState* shared_state() { return state_in_shmem; }

void wake_worker() {
    SharedState* state = state_in_shmem;
    if (state == nullptr) return;
    SpinLockAcquire(&state->mutex);
    Latch* latch = state->pid != 0 ? state->latch : nullptr;
    SpinLockRelease(&state->mutex);
    if (latch) SetLatch(latch);
}

StatusSnapshot read_status(int64 now_second) {
    StatusSnapshot snapshot{};
    snapshot.state = WorkerState::kStopped;
    SharedState* state = state_in_shmem;
    if (state == nullptr) return snapshot;
    int64 finished = 0;
    SpinLockAcquire(&state->mutex);
    snapshot.pid = state->pid;
    snapshot.database_id = state->database_id;
    snapshot.state = state->state;
    snapshot.in_flight = state->in_flight;
    for (int i = 0; i < kRateBuckets; ++i) {
        int64 age = now_second - state->bucket_second[i];
        if (age >= 0 && age < kRateBuckets) finished += state->bucket_count[i];
    }
    std::memcpy(snapshot.last_error, state->last_error, sizeof snapshot.last_error);
    snapshot.last_error_database = state->last_error_database;
    SpinLockRelease(&state->mutex);
    snapshot.per_second = static_cast<double>(finished) / kRateBuckets;
    return snapshot;
}

bool take_worker_place(pid_t pid, Oid database_id, Latch* latch) {
    SharedState* state = state_in_shmem;
    if (state == nullptr) return false;
    SpinLockAcquire(&state->mutex);
    bool free = state->pid == 0 && !state->database_drop_pending;
    if (free) {
        state->pid = pid;
        state->database_id = database_id;
        state->latch = latch;
        state->state = WorkerState::kStarting;
        state->in_flight = 0;
    }
    SpinLockRelease(&state->mutex);
    return free;
}

void leave_worker_place(pid_t pid) {
    SharedState* state = state_in_shmem;
    if (state == nullptr) return;
    SpinLockAcquire(&state->mutex);
    if (state->pid == pid) {
        state->pid = 0;
        state->database_id = InvalidOid;
        state->latch = nullptr;
        state->state = WorkerState::kStopped;
        state->in_flight = 0;
    }
    SpinLockRelease(&state->mutex);
}

void set_worker_state(WorkerState new_state, int in_flight) {
    SharedState* state = state_in_shmem;
    if (state == nullptr) return;
    SpinLockAcquire(&state->mutex);
    state->state = new_state;
    state->in_flight = in_flight;
    SpinLockRelease(&state->mutex);
}

void count_finished_attempts(int64 now_second, int count) {
    SharedState* state = state_in_shmem;
    if (state == nullptr || count <= 0) return;
    int slot = static_cast<int>(now_second % kRateBuckets);
    SpinLockAcquire(&state->mutex);
    if (state->bucket_second[slot] != now_second) {
        state->bucket_second[slot] = now_second;
        state->bucket_count[slot] = 0;
    }
    state->bucket_count[slot] += count;
    SpinLockRelease(&state->mutex);
}

void set_last_error(const char* message) {
    SharedState* state = state_in_shmem;
    if (state == nullptr) return;
    SpinLockAcquire(&state->mutex);
    copy_text(state->last_error, sizeof state->last_error, message);
    state->last_error_database = MyDatabaseId;
    SpinLockRelease(&state->mutex);
}

}  // namespace webhook::worker

namespace webhook::worker {

void set_database_drop_pending(bool pending) {
    SharedState* state = state_in_shmem;
    if (state == nullptr) return;
    SpinLockAcquire(&state->mutex);
    state->database_drop_pending = pending;
    SpinLockRelease(&state->mutex);
}

bool database_drop_pending() {
    SharedState* state = state_in_shmem;
    if (state == nullptr) return false;
    SpinLockAcquire(&state->mutex);
    bool pending = state->database_drop_pending;
    SpinLockRelease(&state->mutex);
    return pending;
}

pid_t worker_pid() {
    SharedState* state = state_in_shmem;
    if (state == nullptr) return 0;
    SpinLockAcquire(&state->mutex);
    pid_t pid = state->pid;
    SpinLockRelease(&state->mutex);
    return pid;
}

}  // namespace webhook::worker

namespace webhook::worker {

void post_withdrawals(const Withdrawal* withdrawals, int count) {
    SharedState* state = state_in_shmem;
    if (state == nullptr || count <= 0) return;
    Assert(count <= kWithdrawalSlots);
    SpinLockAcquire(&state->mutex);
    for (int i = 0; i < count; ++i) {
        state->withdrawals[state->withdrawals_posted % kWithdrawalSlots] = withdrawals[i];
        ++state->withdrawals_posted;
    }
    Latch* latch = state->pid != 0 ? state->latch : nullptr;
    SpinLockRelease(&state->mutex);
    if (latch) SetLatch(latch);
}

int take_withdrawals(uint64* seen, Withdrawal (&out)[kWithdrawalSlots]) {
    SharedState* state = state_in_shmem;
    if (state == nullptr) return 0;
    SpinLockAcquire(&state->mutex);
    uint64 posted = state->withdrawals_posted;
    uint64 waiting = posted - *seen;
    int copied = -1;
    if (waiting <= static_cast<uint64>(kWithdrawalSlots)) {
        copied = static_cast<int>(waiting);
        for (int i = 0; i < copied; ++i) {
            out[i] = state->withdrawals[(*seen + i) % kWithdrawalSlots];
        }
    }
    SpinLockRelease(&state->mutex);
    *seen = posted;
    return copied;
}

uint64 withdrawals_posted() {
    SharedState* state = state_in_shmem;
    if (state == nullptr) return 0;
    SpinLockAcquire(&state->mutex);
    uint64 posted = state->withdrawals_posted;
    SpinLockRelease(&state->mutex);
    return posted;
}

}  // namespace webhook::worker
