// Compiles the `filter` JSON tree of a delivery listing into a SQL boolean
// expression over `d` (webhook.delivery), with every value bound as a typed
// parameter.
//
//   node  := {"and": [node, ...]} | {"or": [node, ...]} | {"not": node}
//          | {"endpoint": node over endpoint fields}
//          | {"<field>": {"<op>": value, ...}, ...}     (keys AND together)
//   op    := eq neq gt gte lt lte in nin like ilike is_null
//
// The result is two-valued: a NULL column matches only is_null true, neq and
// nin, so that {"not": F} is exactly the complement of F.
#pragma once

#include <string>

#include "core/query_parameters.hpp"

namespace webhook::listing {

// Raises 22023 (with the allowed words in the hint) for an unknown field,
// operator or shape; type errors of values surface later, when Postgres reads
// the parameters.
std::string compile_filter(const std::string& json, ParameterList& parameters);

// For hints.
const char* operator_list();

}  // namespace webhook::listing
