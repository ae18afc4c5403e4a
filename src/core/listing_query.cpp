#include "core/listing_query.hpp"

#include "core/error.hpp"
#include "core/listing_filter.hpp"

namespace webhook::listing {
namespace {

const char kFrom[] = " FROM webhook.delivery AS d";

struct PlainCondition {
    PlainArgument argument;
    ValueType type;
    bool is_array;
    const char* sql_before_placeholder;
    const char* sql_after_placeholder;
};

constexpr PlainCondition kPlainConditions[] = {
    {kWorkspaceId, ValueType::Uuid, false, "d.workspace_id = ", ""},
    {kEndpointId, ValueType::Uuid, false, "d.endpoint_id = ", ""},
    {kStatus, ValueType::DeliveryStatus, false, "d.status OPERATOR(webhook.=) ", ""},
    {kEventType, ValueType::Text, false, "d.event_type = ", ""},
    {kEventId, ValueType::Text, false, "d.event_id = ", ""},
    {kCreatedAfter, ValueType::Timestamptz, false, "d.created_at >= ", ""},
    {kCreatedBefore, ValueType::Timestamptz, false, "d.created_at <= ", ""},
    {kIds, ValueType::Uuid, true, "d.id = ANY (", ")"},
};

void append_and(std::string& where, const std::string& condition) {
    where += where.empty() ? " WHERE " : " AND ";
    where += condition;
}

// The WHERE clause shared by rows, count and estimate (without any keyset).
std::string conditions(const ListingRequest& request, ParameterList& parameters) {
    std::string where;
    for (const PlainCondition& plain : kPlainConditions) {
        if (!request.present[plain.argument]) continue;
        std::string placeholder =
            parameters.add_argument(plain.type, plain.is_array, plain.argument);
        append_and(where, plain.sql_before_placeholder + placeholder + plain.sql_after_placeholder);
    }
    if (request.filter) {
        std::string filter = compile_filter(*request.filter, parameters);
        if (filter != "(true)") append_and(where, filter);
    }
    return where;
}

}  // namespace

CompiledQuery compile_rows_query(const ListingRequest& request,
                                 const std::vector<std::string>& columns, std::int64_t limit,
                                 std::optional<std::int64_t> offset) {
    if (request.after && request.before) {
        throw Error::invalid_parameter(
            "after and before cannot be used together",
            "A page is read either forward from a cursor or backward "
            "from one, not both.",
            "Pass only after (next page) or only before (previous page).");
    }
    ParameterList parameters;
    CompiledQuery query;
    std::string where = conditions(request, parameters);

    // A `before` page is the next page of the reversed order, flipped back.
    query.reversed = request.before.has_value();
    SortOrder order = query.reversed ? request.order.reversed() : request.order;
    const std::optional<KeyValues>& position = query.reversed ? request.before : request.after;
    if (position) append_and(where, keyset_condition(order, *position, "d", parameters));

    // The columns only, in the table's order: an index scan then hands its
    // tuples over as the table stores them, and the receiver appends each
    // row's cursor to them (pg/listing_row_receiver.hpp). OFFSET and LIMIT
    // leave the rows unchanged, so cursors are made for the page's rows only.
    std::string select;
    for (const std::string& column : columns) {
        select += select.empty() ? "SELECT " : ", ";
        select += "d." + column;
    }
    // The limit is a literal (a number the compiler computed, not user text):
    // a plan for a known small LIMIT is the index-scan plan, also when generic.
    query.sql =
        select + kFrom + where + " ORDER BY " + order.sql("d") + " LIMIT " + std::to_string(limit);
    if (offset) query.sql += " OFFSET " + parameters.add_integer(*offset);
    query.parameters = parameters.items();
    return query;
}

CompiledQuery compile_count_query(const ListingRequest& request) {
    ParameterList parameters;
    CompiledQuery query;
    query.sql = std::string("SELECT count(*)") + kFrom + conditions(request, parameters);
    query.parameters = parameters.items();
    return query;
}

CompiledQuery compile_estimate_query(const ListingRequest& request) {
    ParameterList parameters;
    CompiledQuery query;
    query.sql =
        std::string("EXPLAIN (FORMAT JSON) SELECT 1") + kFrom + conditions(request, parameters);
    query.parameters = parameters.items();
    return query;
}

}  // namespace webhook::listing

#include <nlohmann/json.hpp>

namespace webhook::listing {

std::optional<double> estimated_rows(const std::string& explain_json) {
    auto document = nlohmann::json::parse(explain_json, nullptr, false);
    if (document.is_discarded() || !document.is_array() || document.empty()) return std::nullopt;
    const auto& top = document[0];
    if (!top.is_object() || !top.contains("Plan")) return std::nullopt;
    const auto& plan = top["Plan"];
    if (!plan.is_object() || !plan.contains("Plan Rows") || !plan["Plan Rows"].is_number()) {
        return std::nullopt;
    }
    return plan["Plan Rows"].get<double>();
}

}  // namespace webhook::listing
