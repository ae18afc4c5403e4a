// Assembles the SQL of a delivery listing from its parts: the plain
// arguments, the filter tree, the keyset position and the order. Same request,
// same SQL text, so prepared plans can be cached by it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/listing_keyset.hpp"
#include "core/listing_order.hpp"
#include "core/query_parameters.hpp"

namespace webhook::listing {

// The leading arguments of webhook.list_deliveries, in their SQL positions;
// a non-NULL one is bound as itself.
enum PlainArgument : int {
    kWorkspaceId = 0,
    kEndpointId,
    kStatus,
    kEventType,
    kEventId,
    kCreatedAfter,
    kCreatedBefore,
    kIds,
    kPlainArgumentCount
};

struct ListingRequest {
    std::array<bool, kPlainArgumentCount> present{};  // which plain arguments are not NULL
    std::optional<std::string> filter;                // the filter, as JSON text
    SortOrder order;
    std::optional<KeyValues> after;
    std::optional<KeyValues> before;
};

struct CompiledQuery {
    std::string sql;
    std::vector<QueryParameter> parameters;
    // The rows come in the reverse of the requested order (a `before` page);
    // the caller flips them.
    bool reversed = false;
};

// SELECT d.<columns> ... ORDER BY ... LIMIT limit [OFFSET $n]. `columns` are
// already-quoted identifiers of webhook.delivery (from the catalog, never
// from the user). Raises 22023 when both after and before are given.
CompiledQuery compile_rows_query(const ListingRequest& request,
                                 const std::vector<std::string>& columns, std::int64_t limit,
                                 std::optional<std::int64_t> offset);

// SELECT count(*) over the request's conditions (cursors and order ignored).
CompiledQuery compile_count_query(const ListingRequest& request);

// EXPLAIN (FORMAT JSON) of a plain select over the same conditions, whose top
// "Plan Rows" is the planner's estimate of the count.
CompiledQuery compile_estimate_query(const ListingRequest& request);

}  // namespace webhook::listing

namespace webhook::listing {

// The top node's "Plan Rows" of EXPLAIN (FORMAT JSON) output; nullopt when
// the text is not such output.
std::optional<double> estimated_rows(const std::string& explain_json);

}  // namespace webhook::listing
