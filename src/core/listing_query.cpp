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

    // Each row's cursor is made in the statement itself, so that its rows
    // can go straight into the function's result (see list_deliveries.cpp).
    std::string cursor = "webhook.listing_cursor(";
    for (std::size_t i = 0; i < request.order.keys.size(); ++i) {
        if (i > 0) cursor += ", ";
        cursor += "d.";
        cursor += request.order.keys[i].field->name;
    }
    cursor += ")";
    std::string select;
    for (const std::string& column : columns) {
        select += select.empty() ? "SELECT " : ", ";
        select += "d." + column;
    }
    // The limit is a literal (a number the compiler computed, not user text):
    // a plan for a known small LIMIT is the index-scan plan, also when generic.
    std::string order_limit = " ORDER BY " + order.sql("d") + " LIMIT " + std::to_string(limit);

    if (!offset) {
        // Only the page's rows reach the LIMIT, so the cursor is made in the
        // same projection as the columns: one plan node fewer to start and to
        // pass each row through. When no index serves the order, the planner
        // makes the cursors after the Sort, for the rows the LIMIT takes only
        // (webhook.listing_cursor is declared costly for that).
        query.sql = select + ", " + cursor + kFrom + where + order_limit;
        query.parameters = parameters.items();
        return query;
    }
    // An OFFSET skips rows that the scan has already projected, so the rows
    // are read in a subquery and the cursors made outside it, for the page's
    // rows only; the subquery also returns any sort key not among the columns
    // (the cursor is made from the keys). The outer ORDER BY keeps the order
    // (the rows arrive in it, so it costs no sort).
    std::string rows = select;
    for (const SortKey& key : request.order.keys) {
        std::string name(key.field->name);
        bool listed = false;
        for (const std::string& column : columns) listed = listed || column == name;
        if (!listed) rows += ", d." + name;
    }
    rows += kFrom + where + order_limit + " OFFSET " + parameters.add_integer(*offset);
    query.sql = select + ", " + cursor + " FROM (" + rows + ") AS d ORDER BY " + order.sql("d");
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
