// The order of a delivery listing: parsed from the `order_by` JSON array,
// always ending with `id` so that every row has a unique position (which is
// what makes keyset cursors exact).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/listing_fields.hpp"

namespace webhook::listing {

struct SortKey {
    const Field* field;
    bool descending;
    bool nulls_first;
};

struct SortOrder {
    std::vector<SortKey> keys;

    // A stable text form, e.g. "status:asc_nulls_last,id:asc_nulls_last";
    // cursors are bound to it.
    std::string canonical() const;
    // The same keys with every direction and NULL placement inverted: walking
    // it forward walks the original backward.
    SortOrder reversed() const;
    // "d.created_at DESC NULLS FIRST, d.id DESC NULLS FIRST"
    std::string sql(const std::string& table_alias) const;
};

// nullopt (SQL NULL), JSON null or an empty array: newest first (created_at desc, id desc).
// Raises 22023 for anything but an array of {"<sortable field>": "<direction>"}.
SortOrder parse_order_by(const std::optional<std::string>& json);

// The six accepted direction words, for hints.
const char* direction_list();

}  // namespace webhook::listing
