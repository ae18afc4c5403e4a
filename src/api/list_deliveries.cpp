// webhook.list_deliveries and the building blocks of webhook.deliveries_page:
// compile the request (core/listing_*), run it through a cached SPI plan as
// the caller (row-level security applies) with search_path pinned to
// pg_catalog (pg/pinned_search_path.hpp), and return rows with cursors.
#include <memory>

#include "core/listing_cursor.hpp"
#include "core/listing_query.hpp"
#include "pg/cursor_signing_key.hpp"
#include "pg/error_boundary.hpp"
#include "pg/listing_row_receiver.hpp"
#include "pg/listing_values.hpp"
#include "pg/pinned_search_path.hpp"
#include "pg/spi_plan_cache.hpp"
#include "pg/workspace_visibility.hpp"

extern "C" {
#include "executor/spi.h"
#include "nodes/params.h"
#include "utils/jsonb.h"
}

namespace {

using namespace webhook::listing;
using webhook::Error;
using webhook::pg::call_postgres;

// Positions of the arguments after the plain ones (see PlainArgument).
constexpr int kFilterArgument = 8;
constexpr int kOrderByArgument = 9;
constexpr int kAfterArgument = 10;
constexpr int kBeforeArgument = 11;
constexpr int kPageSizeArgument = 12;   // list_deliveries; row_limit in list_deliveries_window
constexpr int kRowOffsetArgument = 13;  // list_deliveries_window
constexpr int kEstimatedArgument = 9;   // count_deliveries
constexpr int kMaxPageSize = 100;

std::optional<std::string> text_argument(FunctionCallInfo fcinfo, int index) {
    if (PG_ARGISNULL(index)) return std::nullopt;
    Datum value = PG_GETARG_DATUM(index);
    char* c_text = call_postgres(
        [&] { return text_to_cstring(reinterpret_cast<text*>(DatumGetPointer(value))); });
    return std::string(c_text);
}

std::optional<std::string> jsonb_argument(FunctionCallInfo fcinfo, int index) {
    if (PG_ARGISNULL(index)) return std::nullopt;
    Datum value = PG_GETARG_DATUM(index);
    char* c_text = call_postgres([&] {
        Jsonb* document = DatumGetJsonbP(value);
        return JsonbToCString(nullptr, &document->root, VARSIZE(document));
    });
    return std::string(c_text);
}

// Everything but the cursors: plain arguments, filter and order.
ListingRequest read_conditions(FunctionCallInfo fcinfo, bool with_order) {
    ListingRequest request;
    for (int i = 0; i < kPlainArgumentCount; ++i) request.present[i] = !PG_ARGISNULL(i);
    request.filter = jsonb_argument(fcinfo, kFilterArgument);
    if (with_order) request.order = parse_order_by(jsonb_argument(fcinfo, kOrderByArgument));
    return request;
}

ListingRequest read_request(FunctionCallInfo fcinfo, const CursorCodec& codec) {
    ListingRequest request = read_conditions(fcinfo, true);
    std::optional<std::string> after = text_argument(fcinfo, kAfterArgument);
    std::optional<std::string> before = text_argument(fcinfo, kBeforeArgument);
    if (after && before) {
        throw Error::invalid_parameter(
            "after and before cannot be used together",
            "A page is read either forward from a cursor or backward "
            "from one, not both.",
            "Pass only after (next page) or only before (previous page).");
    }
    if (after) request.after = codec.decode(request.order, *after, "after");
    if (before) request.before = codec.decode(request.order, *before, "before");
    return request;
}

// The output columns of the SRF's composite type, quoted, without the final
// "cursor".
std::vector<std::string> delivery_columns(TupleDesc descriptor) {
    std::vector<std::string> columns;
    for (int i = 0; i < descriptor->natts - 1; ++i) {
        const char* name = NameStr(TupleDescAttr(descriptor, i)->attname);
        columns.emplace_back(call_postgres([&] { return quote_identifier(name); }));
    }
    return columns;
}

struct SpiResult {
    SPITupleTable* table = nullptr;
    uint64 rows = 0;
};

// `cache_plan` false: a one-off statement, run with read_only false because
// SPI refuses utility statements (EXPLAIN) in read-only mode; EXPLAIN without
// ANALYZE executes nothing, so the function stays honestly STABLE.
SpiResult execute(const webhook::listing::CompiledQuery& query, FunctionCallInfo fcinfo,
                  bool cache_plan) {
    webhook::pg::BoundParameters bound = webhook::pg::bind_parameters(query.parameters, fcinfo);
    int status = 0;
    if (cache_plan) {
        SPIPlanPtr plan = webhook::pg::cached_plan(query.sql, bound.types);
        status = call_postgres(
            [&] { return SPI_execute_plan(plan, bound.values.data(), nullptr, true, 0); });
    } else {
        const char* sql = query.sql.c_str();
        int count = static_cast<int>(bound.types.size());
        status = call_postgres([&] {
            return SPI_execute_with_args(sql, count, bound.types.data(), bound.values.data(),
                                         nullptr, false, 0);
        });
    }
    if (status < 0) {
        throw Error(webhook::sqlstate::kInternalError, "listing query failed",
                    std::string("SPI returned ") + SPI_result_code_string(status) + ".");
    }
    return SpiResult{SPI_tuptable, SPI_processed};
}

// The column of each sort key among the result's columns (the rows
// statement selects them in the same order).
std::vector<AttrNumber> sort_key_columns(const SortOrder& order, TupleDesc result) {
    std::vector<AttrNumber> columns;
    for (const SortKey& key : order.keys) {
        AttrNumber found = InvalidAttrNumber;
        for (int i = 0; i < result->natts - 1 && found == InvalidAttrNumber; ++i) {
            if (key.field->name == NameStr(TupleDescAttr(result, i)->attname)) found = i + 1;
        }
        if (found == InvalidAttrNumber) {
            throw Error(webhook::sqlstate::kInternalError,
                        "a sort key is not a column of webhook.listed_delivery",
                        std::string("Sort key ") + std::string(key.field->name) + ".");
        }
        columns.push_back(found);
    }
    return columns;
}

// Runs the rows statement and stores its rows, each with its cursor, in the
// function's result, in the requested order: they go from the scan to the
// result through a receiver that appends the cursor to each (see
// pg/listing_row_receiver.hpp), with no SPI result table in between.
void return_rows(FunctionCallInfo fcinfo, const ListingRequest& request, const CursorCodec& codec,
                 std::int64_t limit, std::optional<std::int64_t> offset) {
    call_postgres([&] { InitMaterializedSRF(fcinfo, 0); });
    auto* result_info = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    TupleDesc output = result_info->setDesc;
    if (output->natts < 2) {
        throw Error(webhook::sqlstate::kInternalError, "listing result type has too few columns");
    }
    CompiledQuery query = compile_rows_query(request, delivery_columns(output), limit, offset);

    CursorWriter cursor(codec, request.order);
    webhook::pg::EnumLabels labels;
    webhook::pg::ListingRowReceiver receiver(result_info->setResult, output,
                                             sort_key_columns(request.order, output), cursor,
                                             request.order, labels, query.reversed);
    webhook::pg::BoundParameters bound = webhook::pg::bind_parameters(query.parameters, fcinfo);
    SPIPlanPtr plan = webhook::pg::cached_plan(query.sql, bound.types);
    int count = static_cast<int>(bound.types.size());
    DestReceiver* destination = receiver.destination();
    int status = call_postgres([&] {
        ParamListInfo parameters = makeParamList(count);
        for (int i = 0; i < count; ++i) {
            parameters->params[i].value = bound.values[i];
            parameters->params[i].isnull = false;
            parameters->params[i].pflags = PARAM_FLAG_CONST;
            parameters->params[i].ptype = bound.types[i];
        }
        SPIExecuteOptions options{};
        options.params = parameters;
        options.read_only = true;
        options.dest = destination;
        return SPI_execute_plan_extended(plan, &options);
    });
    if (status < 0) {
        throw Error(webhook::sqlstate::kInternalError, "listing query failed",
                    std::string("SPI returned ") + SPI_result_code_string(status) + ".");
    }
    receiver.finish();
}

// One codec per backend and key: making one derives its MAC key (an HMAC),
// and it caches the fingerprint of the last order.
const CursorCodec& connected_codec() {
    static std::unique_ptr<CursorCodec> codec;
    static std::vector<std::uint8_t> codec_key;
    const std::vector<std::uint8_t>& key = webhook::pg::cursor_signing_key();
    if (!codec || key != codec_key) {
        codec = std::make_unique<CursorCodec>(key);
        codec_key = key;
    }
    return *codec;
}

}  // namespace

// webhook.list_deliveries(...): one page of deliveries with cursors.
WEBHOOK_SQL_FUNCTION(webhook_list_deliveries) {
    std::int64_t page_size =
        PG_ARGISNULL(kPageSizeArgument) ? kMaxPageSize : PG_GETARG_INT32(kPageSizeArgument);
    if (page_size < 1 || page_size > kMaxPageSize) {
        throw Error::invalid_parameter(
            "page_size must be between 1 and 100",
            "page_size is " + std::to_string(page_size) + ".",
            "Ask for 1 to 100 rows, and follow the last row's cursor with after for more.");
    }
    webhook::pg::PinnedSearchPath search_path;
    call_postgres([] { SPI_connect(); });
    const CursorCodec& codec = connected_codec();
    ListingRequest request = read_request(fcinfo, codec);
    return_rows(fcinfo, request, codec, page_size, std::nullopt);
    call_postgres([] { SPI_finish(); });
    return Datum(0);
}

// webhook.list_deliveries_window(..., row_limit, row_offset): the same rows
// with a raw limit (page_size + 1, to know whether another page follows) and
// an optional offset (page mode); the building block of deliveries_page.
WEBHOOK_SQL_FUNCTION(webhook_list_deliveries_window) {
    std::int64_t limit =
        PG_ARGISNULL(kPageSizeArgument) ? kMaxPageSize + 1 : PG_GETARG_INT32(kPageSizeArgument);
    if (limit < 0 || limit > kMaxPageSize + 1) {
        throw Error::invalid_parameter("row_limit must be between 0 and 101",
                                       "row_limit is " + std::to_string(limit) + ".",
                                       "Use webhook.deliveries_page, which sets it.");
    }
    std::optional<std::int64_t> offset;
    if (!PG_ARGISNULL(kRowOffsetArgument)) {
        offset = PG_GETARG_INT64(kRowOffsetArgument);
        if (*offset < 0) {
            throw Error::invalid_parameter("row_offset must not be negative",
                                           "row_offset is " + std::to_string(*offset) + ".",
                                           "Pages are numbered from 1.");
        }
    }
    webhook::pg::PinnedSearchPath search_path;
    call_postgres([] { SPI_connect(); });
    const CursorCodec& codec = connected_codec();
    ListingRequest request = read_request(fcinfo, codec);
    if (offset && (request.after || request.before)) {
        throw Error::invalid_parameter("page cannot be combined with after or before",
                                       "Offset pages and cursor pages are two different ways to "
                                       "walk a listing.",
                                       "Pass either page or a cursor, not both.");
    }
    return_rows(fcinfo, request, codec, limit, offset);
    call_postgres([] { SPI_finish(); });
    return Datum(0);
}

// webhook.count_deliveries(..., filter, estimated): how many rows the
// conditions match, exactly or as the planner estimates (only for a caller
// that sees every workspace: the statistics describe every workspace's rows,
// and for a webhook_user the estimate of event_type = 'x' told how often
// other workspaces publish 'x'; others are counted exactly).
WEBHOOK_SQL_FUNCTION(webhook_count_deliveries) {
    bool estimated = !PG_ARGISNULL(kEstimatedArgument) && PG_GETARG_BOOL(kEstimatedArgument) &&
                     webhook::pg::caller_sees_every_workspace();
    ListingRequest request = read_conditions(fcinfo, false);
    webhook::pg::PinnedSearchPath search_path;
    call_postgres([] { SPI_connect(); });
    std::int64_t total = 0;
    if (estimated) {
        SpiResult result = execute(compile_estimate_query(request), fcinfo, false);
        char* plan = result.rows == 1 ? call_postgres([&] {
            return SPI_getvalue(result.table->vals[0], result.table->tupdesc, 1);
        })
                                      : nullptr;
        std::optional<double> rows = plan ? estimated_rows(plan) : std::nullopt;
        if (!rows) throw Error(webhook::sqlstate::kInternalError, "no row estimate in the plan");
        total = static_cast<std::int64_t>(*rows + 0.5);
    } else {
        SpiResult result = execute(compile_count_query(request), fcinfo, true);
        bool is_null = true;
        Datum value = call_postgres([&] {
            return SPI_getbinval(result.table->vals[0], result.table->tupdesc, 1, &is_null);
        });
        total = is_null ? 0 : DatumGetInt64(value);
    }
    call_postgres([] { SPI_finish(); });
    PG_RETURN_INT64(total);
}
