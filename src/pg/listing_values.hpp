// Between the listing compiler's typed values and Postgres Datums: binding
// query parameters, and reading sort keys back out of result rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/query_parameters.hpp"
#include "pg/postgres_headers.hpp"

namespace webhook::pg {

// The Postgres type of a listing value (webhook.delivery_status is looked up).
Oid listing_type_oid(listing::ValueType type, bool is_array);

struct BoundParameters {
    std::vector<Oid> types;
    std::vector<Datum> values;
};

// Literals are read with their type's input function, so a bad uuid,
// timestamp or status fails here with Postgres's SQLSTATE (22P02, 22007,
// 22008); arguments are taken from `fcinfo` as they are.
BoundParameters bind_parameters(const std::vector<listing::QueryParameter>& parameters,
                                FunctionCallInfo fcinfo);

// A sort key of a result row in the cursor codec's canonical text; nullopt
// for NULL.
std::optional<std::string> key_text(Datum value, bool is_null, listing::ValueType type);

}  // namespace webhook::pg
