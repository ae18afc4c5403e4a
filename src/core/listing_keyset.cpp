#include "core/listing_keyset.hpp"

#include <stdexcept>

namespace webhook::listing {
namespace {

struct KeyTerm {
    std::string column;
    std::optional<std::string> placeholder;  // nullopt: the position's value is NULL
    const SortKey* key;
};

// The rows whose key comes strictly after the position's value in this key's
// order; nullopt when none can (the value is NULL and NULLs come last).
std::optional<std::string> strictly_after(const KeyTerm& term) {
    const SortKey& key = *term.key;
    if (!term.placeholder) {
        if (key.nulls_first) return term.column + " IS NOT NULL";
        return std::nullopt;
    }
    std::string comparison = term.column + " " +
                             comparison_sql(key.field->type, key.descending ? "<" : ">") + " " +
                             *term.placeholder;
    if (key.field->nullable && !key.nulls_first) {
        return "(" + comparison + " OR " + term.column + " IS NULL)";
    }
    return comparison;
}

std::string equal(const KeyTerm& term) {
    if (!term.placeholder) return term.column + " IS NULL";
    return term.column + " " + comparison_sql(term.key->field->type, "=") + " " + *term.placeholder;
}

// The leading key at or after the position: a range an index scan can start
// from; nullopt when it would not narrow anything.
std::optional<std::string> leading_bound(const KeyTerm& term) {
    const SortKey& key = *term.key;
    if (!term.placeholder) {
        if (key.nulls_first) return std::nullopt;
        return term.column + " IS NULL";
    }
    std::string comparison = term.column + " " +
                             comparison_sql(key.field->type, key.descending ? "<=" : ">=") + " " +
                             *term.placeholder;
    if (key.field->nullable && !key.nulls_first) {
        return "(" + comparison + " OR " + term.column + " IS NULL)";
    }
    return comparison;
}

// A row comparison names its operator once, unqualified: on delivery_status
// that is the built-in enum one, which is not leakproof, and a tenant's
// row-level security then keeps the whole comparison out of the index scan.
bool is_row_comparable(const SortOrder& order) {
    for (const SortKey& key : order.keys) {
        if (key.field->nullable || key.descending != order.keys.front().descending) return false;
        if (key.field->type == ValueType::DeliveryStatus) return false;
    }
    return true;
}

}  // namespace

std::string keyset_condition(const SortOrder& order, const KeyValues& position,
                             const std::string& alias, ParameterList& parameters) {
    if (order.keys.empty() || position.size() != order.keys.size()) {
        throw std::logic_error("keyset position does not match its order");
    }
    std::vector<KeyTerm> terms;
    for (std::size_t i = 0; i < order.keys.size(); ++i) {
        const SortKey& key = order.keys[i];
        KeyTerm term{alias + "." + std::string(key.field->name), std::nullopt, &key};
        if (!position[i] && !key.field->nullable) {
            throw std::logic_error("keyset position has NULL for a NOT NULL key");
        }
        if (position[i]) {
            QueryParameter parameter;
            parameter.type = key.field->type;
            parameter.source = ParameterSource::CursorKey;
            parameter.texts.push_back(*position[i]);
            term.placeholder = parameters.add(std::move(parameter));
        }
        terms.push_back(std::move(term));
    }

    // All keys NOT NULL and in one direction: a row comparison, which a btree
    // index on exactly these keys uses as its scan bound.
    if (is_row_comparable(order)) {
        std::string columns, values;
        for (const KeyTerm& term : terms) {
            if (!columns.empty()) {
                columns += ", ";
                values += ", ";
            }
            columns += term.column;
            values += *term.placeholder;
        }
        return "(" + columns + ") " + (order.keys.front().descending ? "<" : ">") + " (" + values +
               ")";
    }

    // Otherwise: k1 after v1, or k1 = v1 and k2 after v2, or ...; ANDed with a
    // bound on k1 alone so that an index on k1 still starts at the position.
    std::string disjunction;
    std::string equal_prefix;
    for (const KeyTerm& term : terms) {
        if (auto after = strictly_after(term)) {
            if (!disjunction.empty()) disjunction += " OR ";
            disjunction +=
                equal_prefix.empty() ? *after : "(" + equal_prefix + " AND " + *after + ")";
        }
        if (!equal_prefix.empty()) equal_prefix += " AND ";
        equal_prefix += equal(term);
    }
    if (disjunction.empty()) return "false";
    std::string out = "(" + disjunction + ")";
    if (auto bound = leading_bound(terms.front())) out = "(" + *bound + " AND " + out + ")";
    return out;
}

}  // namespace webhook::listing
