// The worker's side of the database: one short transaction per call, SPI
// with typed arguments, never open across network I/O. Errors come back as
// webhook::Error after the transaction has been rolled back.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/delivery_batch.hpp"

namespace webhook::worker {

struct ClaimRequest {
    int batch_size;                    // 0: record only
    std::vector<UuidBytes> in_flight;  // never claimed twice
    // The claim stops once the bodies it returns add up to this many bytes
    // (it returns at least one delivery).
    std::int64_t body_budget;
};

struct StoreResult {
    bool extension_installed = false;
    std::vector<ClaimedDelivery> claimed;
    // Due deliveries of disabled endpoints that the claim parked instead of
    // claiming: they took places in the batch.
    int parked = 0;
    // The bodies claimed reached the budget: more may be due behind them.
    bool budget_reached = false;
    std::optional<PgTimestamp> next_due;  // asked for only when the claim was not full
    // Finished attempts not recorded because another transaction holds
    // their delivery locked: to be recorded again later.
    std::vector<UuidBytes> locked_out;
};

// Records `finished` and then claims up to claim.batch_size due deliveries,
// in one transaction. When the extension is not installed nothing happens
// and extension_installed is false.
StoreResult record_and_claim(const std::vector<FinishedAttempt>& finished,
                             const ClaimRequest& claim);

// Now, as a Postgres timestamp.
PgTimestamp current_pg_timestamp();

}  // namespace webhook::worker
