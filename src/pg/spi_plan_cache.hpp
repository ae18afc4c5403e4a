// A bounded per-backend cache of prepared SPI plans, keyed by SQL text and
// argument types. A listing compiles to one SQL text per query shape, so the
// second call of a shape skips parsing and (once Postgres settles on a
// generic plan) planning.
#pragma once

#include <string>
#include <vector>

#include "pg/postgres_headers.hpp"

extern "C" {
#include "executor/spi.h"
}

namespace webhook::pg {

// A kept plan for `sql` (SPI must be connected). Plans survive transactions
// and are revalidated by Postgres when the tables or the role change; at most
// kMaxCachedPlans are kept, the least recently used is freed first.
SPIPlanPtr cached_plan(const std::string& sql, const std::vector<Oid>& argument_types);

inline constexpr std::size_t kMaxCachedPlans = 128;

}  // namespace webhook::pg
