// Between the listing compiler's typed values and Postgres Datums: binding
// query parameters, and reading sort keys back out of result rows.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/listing_cursor.hpp"
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

// Labels of the enum values met so far (a page meets a handful), so that a
// status sort key costs no catalog lookup per row.
class EnumLabels {
  public:
    const std::string& label(Datum value, listing::ValueType type);

  private:
    std::vector<std::pair<Oid, std::string>> labels_;
};

// Adds a sort key of a result row to its cursor, packed straight from the
// Datum (no text round trip: this runs once per key of every listed row).
void add_cursor_key(listing::CursorWriter& writer, Datum value, bool is_null,
                    listing::ValueType type, EnumLabels& labels);

}  // namespace webhook::pg
