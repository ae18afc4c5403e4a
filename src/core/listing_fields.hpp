// The whitelist of what a delivery listing may filter and sort on. Column
// names reach SQL text only from this table, never from user input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace webhook::listing {

// How a value is typed when it is bound as a query parameter.
enum class ValueType { Uuid, Text, Int4, Timestamptz, DeliveryStatus, Boolean };

struct Field {
    std::string_view name;  // the column name, also the JSON key
    ValueType type;
    bool nullable;
    bool sortable;
};

// Every webhook.delivery column a filter may name (all but payload).
const std::vector<Field>& delivery_fields();
// The endpoint columns reachable through {"endpoint": {...}}.
const std::vector<Field>& endpoint_fields();

// nullptr when `name` is not in `fields`.
const Field* find_field(const std::vector<Field>& fields, std::string_view name);

// The SQL of comparison `op` (=, <>, <, <=, >, >=) on a value of `type`.
// delivery_status's is pg_webhook's leakproof operator, named by schema: the
// built-in enum one is not leakproof, so under a tenant's row-level security
// it could never be an index condition (see sql/src/10_schema.sql).
std::string comparison_sql(ValueType type, std::string_view op);

// "a, b, c" for error hints; only the sortable ones when asked.
std::string field_list(const std::vector<Field>& fields, bool sortable_only);

}  // namespace webhook::listing
