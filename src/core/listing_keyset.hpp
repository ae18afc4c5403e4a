// The keyset predicate: "rows strictly after this position in this order",
// written so that a btree index on the order's keys can serve it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/listing_order.hpp"
#include "core/query_parameters.hpp"

namespace webhook::listing {

// One value per sort key, in the canonical text of listing_cursor.hpp;
// nullopt for a NULL key.
using KeyValues = std::vector<std::optional<std::string>>;

// A boolean SQL expression over `alias`, true for the rows that come strictly
// after `position` in `order`. To go backward, pass order.reversed().
std::string keyset_condition(const SortOrder& order, const KeyValues& position,
                             const std::string& alias, ParameterList& parameters);

}  // namespace webhook::listing
