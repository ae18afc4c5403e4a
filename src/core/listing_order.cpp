#include "core/listing_order.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/json_text.hpp"

namespace webhook::listing {
namespace {

const char kOrderHint[] =
    "Give order_by as a JSON array of single-key objects, for example "
    "[{\"status\": \"asc\"}, {\"created_at\": \"desc_nulls_last\"}].";

struct Direction {
    const char* name;
    bool descending;
    bool nulls_first;
};

// Without an explicit placement, Postgres puts NULLs last ascending and first
// descending; "asc" and "desc" mean the same here.
constexpr Direction kDirections[] = {
    {"asc", false, false},
    {"desc", true, true},
    {"asc_nulls_first", false, true},
    {"asc_nulls_last", false, false},
    {"desc_nulls_first", true, true},
    {"desc_nulls_last", true, false},
};

const Direction* find_direction(const std::string& name) {
    for (const Direction& direction : kDirections) {
        if (name == direction.name) return &direction;
    }
    return nullptr;
}

// A NOT NULL column sorts the same whatever the NULL placement; normalising it
// lets the planner match the order to an index built with the default one.
SortKey make_key(const Field* field, bool descending, bool nulls_first) {
    if (!field->nullable) nulls_first = descending;
    return SortKey{field, descending, nulls_first};
}

SortOrder default_order() {
    const auto& fields = delivery_fields();
    return SortOrder{{make_key(find_field(fields, "created_at"), true, true),
                      make_key(find_field(fields, "id"), true, true)}};
}

}  // namespace

const char* direction_list() {
    return "asc, desc, asc_nulls_first, asc_nulls_last, desc_nulls_first, desc_nulls_last";
}

std::string SortOrder::canonical() const {
    std::string out;
    for (const SortKey& key : keys) {
        if (!out.empty()) out += ',';
        out += key.field->name;
        out += key.descending ? ":desc" : ":asc";
        out += key.nulls_first ? "_nulls_first" : "_nulls_last";
    }
    return out;
}

SortOrder SortOrder::reversed() const {
    SortOrder out;
    for (const SortKey& key : keys) {
        out.keys.push_back(SortKey{key.field, !key.descending, !key.nulls_first});
    }
    return out;
}

std::string SortOrder::sql(const std::string& table_alias) const {
    std::string out;
    for (const SortKey& key : keys) {
        if (!out.empty()) out += ", ";
        out += table_alias;
        out += '.';
        out += key.field->name;
        out += key.descending ? " DESC" : " ASC";
        out += key.nulls_first ? " NULLS FIRST" : " NULLS LAST";
    }
    return out;
}

SortOrder parse_order_by(const std::optional<std::string>& json) {
    if (!json) return default_order();
    nlohmann::json document = parse_json_argument("order_by", *json);
    if (document.is_null()) return default_order();
    if (!document.is_array()) {
        throw Error::invalid_parameter("order_by must be a JSON array",
                                       "The order_by argument is " + json_kind(document) + ".",
                                       kOrderHint);
    }
    if (document.empty()) return default_order();  // [] like NULL

    const auto& fields = delivery_fields();
    SortOrder order;
    bool has_id = false;
    for (const nlohmann::json& item : document) {
        if (!item.is_object() || item.size() != 1) {
            std::string given = json_kind(item);
            if (item.is_object()) {
                given += item.empty() ? " without a key"
                                      : " with " + std::to_string(item.size()) + " keys";
            }
            throw Error::invalid_parameter(
                "each order_by element must be an object with exactly one key",
                "An element of order_by is " + given + ".", kOrderHint);
        }
        const std::string& name = item.begin().key();
        const nlohmann::json& direction_value = item.begin().value();
        if (has_id) {
            throw Error::invalid_parameter(
                "order_by key " + quoted(name) + " comes after id",
                "The id is unique, so no key after it can change the order.",
                "Make id the last key of order_by, or leave it out: it is always added last.");
        }
        const Field* field = find_field(fields, name);
        if (!field || !field->sortable) {
            throw Error::invalid_parameter(
                "unknown sort field " + quoted(name),
                "Sorting applies to the columns of webhook.delivery other than payload and "
                "response_body.",
                std::string("Sortable fields: ") + field_list(fields, true) + ".");
        }
        for (const SortKey& key : order.keys) {
            if (key.field == field) {
                throw Error::invalid_parameter(
                    "sort field " + quoted(name) + " appears twice in order_by",
                    "Each field may be named once.", "Remove the repeated key.");
            }
        }
        const Direction* direction = is_json_string(direction_value)
                                         ? find_direction(direction_value.get<std::string>())
                                         : nullptr;
        if (!direction) {
            std::string given = is_json_string(direction_value)
                                    ? quoted(direction_value.get<std::string>())
                                    : json_kind(direction_value);
            throw Error::invalid_parameter(
                "unknown sort direction " + given + " for field " + quoted(name),
                "A direction is one of six words.",
                std::string("Directions: ") + direction_list() + ".");
        }
        order.keys.push_back(make_key(field, direction->descending, direction->nulls_first));
        has_id = has_id || field->name == "id";
    }
    if (!has_id) {
        // The tie-breaker follows the last key's direction, so that an index on
        // (key DESC, id DESC) serves the whole order.
        order.keys.push_back(
            make_key(find_field(fields, "id"), order.keys.back().descending, false));
    }
    return order;
}

}  // namespace webhook::listing
