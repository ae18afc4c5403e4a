#include "worker/delivery_store.hpp"

#include <chrono>
#include <cstring>

#include "pg/error_boundary.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "pgstat.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

namespace webhook::worker {
namespace {

using webhook::pg::call_postgres;

// The internal SQL functions of sql/src/50_dispatch.sql.
const char* const kRecordSql =
    "SELECT id FROM webhook.record_attempts($1, $2, $3, $4, $5, "
    "$6::webhook.delivery_status[], $7, $8, $9, $10, $11, $12) AS id";
const char* const kClaimSql =
    "SELECT id, workspace_id, endpoint_id, attempt_number, max_attempts, claimed_version, url, "
    "secret, previous_secret, timeout_ms, headers, body, parked "
    "FROM webhook.claim_due_deliveries($1, $2, $3)";
const char* const kNextDueSql = "SELECT webhook.next_due_at($1)";

// The three statements are prepared once per worker and kept (SPI_keepplan):
// parsing and planning them on every pass cost more than running them. The
// functions they call are plpgsql, which keeps its own plans as well. A kept
// plan is revalidated by Postgres when the functions change (DROP and CREATE
// EXTENSION).
const Oid kRecordTypes[12] = {UUIDARRAYOID,        TIMESTAMPTZARRAYOID, UUIDARRAYOID,
                              UUIDARRAYOID,        INT4ARRAYOID,        TEXTARRAYOID,
                              TIMESTAMPTZARRAYOID, INT4ARRAYOID,        TEXTARRAYOID,
                              TEXTARRAYOID,        TIMESTAMPTZARRAYOID, FLOAT8ARRAYOID};
const Oid kClaimTypes[3] = {INT4OID, UUIDARRAYOID, INT8OID};
const Oid kNextDueTypes[1] = {UUIDARRAYOID};

struct KeptStatement {
    const char* sql;
    int argument_count;
    const Oid* argument_types;
    SPIPlanPtr plan = nullptr;  // prepared on first use, kept for the worker's life
};

KeptStatement record_statement{kRecordSql, 12, kRecordTypes};
KeptStatement claim_statement{kClaimSql, 3, kClaimTypes};
KeptStatement next_due_statement{kNextDueSql, 1, kNextDueTypes};

// Runs a kept statement (SPI connected); returns the SPI status.
int execute(KeptStatement& statement, Datum* arguments, bool read_only, long count) {
    if (statement.plan == nullptr) {
        SPIPlanPtr plan = call_postgres([&] {
            return SPI_prepare(statement.sql, statement.argument_count,
                               const_cast<Oid*>(statement.argument_types));
        });
        if (plan == nullptr) {
            throw Error(
                sqlstate::kInternalError, "could not prepare the worker's statement",
                std::string("SPI_prepare failed: ") + SPI_result_code_string(SPI_result) + ".");
        }
        call_postgres([&] { return SPI_keepplan(plan); });
        statement.plan = plan;
    }
    return call_postgres(
        [&] { return SPI_execute_plan(statement.plan, arguments, nullptr, read_only, count); });
}

// Builds a one-dimensional array in the current (SPI) memory context.
Datum make_array(std::vector<Datum>& values, std::vector<bool>& nulls, Oid element_type) {
    return call_postgres([&] {
        int16 length;
        bool by_value;
        char align;
        get_typlenbyvalalign(element_type, &length, &by_value, &align);
        int dims[1] = {static_cast<int>(values.size())};
        int lower_bounds[1] = {1};
        auto* null_flags = static_cast<bool*>(palloc(sizeof(bool) * (values.size() + 1)));
        for (std::size_t i = 0; i < nulls.size(); ++i) null_flags[i] = nulls[i];
        return PointerGetDatum(construct_md_array(values.data(), null_flags, 1, dims, lower_bounds,
                                                  element_type, length, by_value, align));
    });
}

Datum uuid_datum(const UuidBytes& id) {
    auto* value = static_cast<pg_uuid_t*>(call_postgres([] { return palloc(sizeof(pg_uuid_t)); }));
    std::memcpy(value->data, id.data(), UUID_LEN);
    return UUIDPGetDatum(value);
}

Datum text_datum(const std::string& text) {
    return call_postgres([&] {
        return PointerGetDatum(
            cstring_to_text_with_len(text.data(), static_cast<int>(text.size())));
    });
}

// The texts an attempt leaves (a response body, an error) are made valid
// UTF-8 (core/utf8_text.hpp). Stored as they are in a database of another
// encoding, they would be text that is not valid there: mojibake in LATIN1,
// and in EUC_JP bytes that make every read of the column fail. So they are
// converted to the database's encoding, a character it cannot hold becoming
// "?" rather than an error, which would hold up the whole batch's results.
class StorableText {
  public:
    StorableText() : encoding_(GetDatabaseEncoding()) {
        if (encoding_ != PG_UTF8 && encoding_ != PG_SQL_ASCII) {
            conversion_ =
                call_postgres([&] { return FindDefaultConversionProc(PG_UTF8, encoding_); });
        }
    }

    Datum datum(const std::string& utf8) {
        if (encoding_ == PG_UTF8 || encoding_ == PG_SQL_ASCII) return text_datum(utf8);
        return text_datum(converted(utf8));
    }

  private:
    std::string converted(const std::string& utf8) {
        std::string text;
        text.reserve(utf8.size());
        const auto* bytes = reinterpret_cast<const unsigned char*>(utf8.data());
        std::vector<unsigned char> buffer(utf8.size() * MAX_CONVERSION_GROWTH + 1);
        std::size_t at = 0;
        while (at < utf8.size()) {
            if (bytes[at] < 0x80) {  // ASCII is the same in every server encoding
                text += static_cast<char>(bytes[at++]);
                continue;
            }
            int taken = 0;
            if (OidIsValid(conversion_)) {
                buffer[0] = '\0';
                taken = call_postgres([&] {
                    return pg_do_encoding_conversion_buf(
                        conversion_, PG_UTF8, encoding_, const_cast<unsigned char*>(bytes + at),
                        static_cast<int>(utf8.size() - at), buffer.data(),
                        static_cast<int>(buffer.size()), true);
                });
                text += reinterpret_cast<const char*>(buffer.data());  // NUL-terminated
            }
            at += static_cast<std::size_t>(taken);
            if (at < utf8.size() && bytes[at] >= 0x80 && taken == 0) {
                text += '?';  // not representable here
                at += static_cast<std::size_t>(pg_utf_mblen(bytes + at));
            }
        }
        return text;
    }

    int encoding_;
    Oid conversion_ = InvalidOid;
};

// A column of many rows, gathered as Datums with their null flags.
struct Column {
    std::vector<Datum> values;
    std::vector<bool> nulls;
    void add(Datum value) {
        values.push_back(value);
        nulls.push_back(false);
    }
    void add_null() {
        values.push_back(Datum(0));
        nulls.push_back(true);
    }
};

// Declared here, defined below with the other readers of SPI results.
std::optional<Datum> column(HeapTuple row, TupleDesc descriptor, int number);
UuidBytes uuid_bytes(Datum value);

std::vector<UuidBytes> record(const std::vector<FinishedAttempt>& finished) {
    StorableText storable;
    Column ids, versions, workspaces, endpoints, numbers, statuses, next_attempts, http_statuses,
        errors, bodies, started, durations;
    for (const FinishedAttempt& attempt : finished) {
        ids.add(uuid_datum(attempt.id));
        versions.add(TimestampTzGetDatum(attempt.claimed_version));
        workspaces.add(uuid_datum(attempt.workspace_id));
        endpoints.add(uuid_datum(attempt.endpoint_id));
        numbers.add(Int32GetDatum(attempt.attempt_number));
        statuses.add(text_datum(attempt.status));
        if (attempt.next_attempt_at) {
            next_attempts.add(TimestampTzGetDatum(*attempt.next_attempt_at));
        } else {
            next_attempts.add_null();
        }
        if (attempt.http_status) {
            http_statuses.add(Int32GetDatum(*attempt.http_status));
        } else {
            http_statuses.add_null();
        }
        if (attempt.error) {
            errors.add(storable.datum(*attempt.error));
        } else {
            errors.add_null();
        }
        if (attempt.response_body) {
            bodies.add(storable.datum(*attempt.response_body));
        } else {
            bodies.add_null();
        }
        started.add(TimestampTzGetDatum(attempt.started_at));
        durations.add(Float8GetDatum(attempt.duration_ms));
    }
    Datum arguments[12] = {
        make_array(ids.values, ids.nulls, UUIDOID),
        make_array(versions.values, versions.nulls, TIMESTAMPTZOID),
        make_array(workspaces.values, workspaces.nulls, UUIDOID),
        make_array(endpoints.values, endpoints.nulls, UUIDOID),
        make_array(numbers.values, numbers.nulls, INT4OID),
        make_array(statuses.values, statuses.nulls, TEXTOID),
        make_array(next_attempts.values, next_attempts.nulls, TIMESTAMPTZOID),
        make_array(http_statuses.values, http_statuses.nulls, INT4OID),
        make_array(errors.values, errors.nulls, TEXTOID),
        make_array(bodies.values, bodies.nulls, TEXTOID),
        make_array(started.values, started.nulls, TIMESTAMPTZOID),
        make_array(durations.values, durations.nulls, FLOAT8OID),
    };
    int status = execute(record_statement, arguments, false, 0);
    if (status != SPI_OK_SELECT) {
        throw Error(
            sqlstate::kInternalError, "could not record delivery attempts",
            "webhook.record_attempts() returned SPI status " + std::to_string(status) + ".");
    }
    std::vector<UuidBytes> locked_out;
    for (uint64 i = 0; i < SPI_processed; ++i) {
        locked_out.push_back(uuid_bytes(*column(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1)));
    }
    return locked_out;
}

// Reads one column of an SPI result row; nullopt for NULL. The returned
// pointer is detoasted and lives until SPI_finish.
std::optional<Datum> column(HeapTuple row, TupleDesc descriptor, int number) {
    bool is_null = false;
    Datum value = call_postgres([&] { return SPI_getbinval(row, descriptor, number, &is_null); });
    if (is_null) return std::nullopt;
    return value;
}

std::string varlena_string(Datum value) {
    struct varlena* plain = call_postgres([&] {
        return pg_detoast_datum_packed(reinterpret_cast<struct varlena*>(DatumGetPointer(value)));
    });
    return std::string(VARDATA_ANY(plain), VARSIZE_ANY_EXHDR(plain));
}

UuidBytes uuid_bytes(Datum value) {
    UuidBytes id;
    std::memcpy(id.data(), DatumGetUUIDP(value)->data, UUID_LEN);
    return id;
}

std::vector<std::string> text_array(Datum value) {
    Datum* elements = nullptr;
    bool* nulls = nullptr;
    int count = 0;
    call_postgres([&] {
        deconstruct_array(DatumGetArrayTypeP(value), TEXTOID, -1, false, TYPALIGN_INT, &elements,
                          &nulls, &count);
    });
    std::vector<std::string> items;
    for (int i = 0; i < count; ++i) {
        if (!nulls[i]) items.push_back(varlena_string(elements[i]));
    }
    return items;
}

// The deliveries to send; parked counts those the claim parked instead (due
// behind a disabled endpoint), which took places in the batch, and
// body_bytes the bytes of the bodies returned.
std::vector<ClaimedDelivery> claim(const ClaimRequest& request, int& parked,
                                   std::int64_t& body_bytes) {
    Column in_flight;
    for (const UuidBytes& id : request.in_flight) in_flight.add(uuid_datum(id));
    Datum arguments[3] = {Int32GetDatum(request.batch_size),
                          make_array(in_flight.values, in_flight.nulls, UUIDOID),
                          Int64GetDatum(request.body_budget)};
    int status = execute(claim_statement, arguments, false, 0);
    if (status != SPI_OK_SELECT) {
        throw Error(
            sqlstate::kInternalError, "could not claim deliveries",
            "webhook.claim_due_deliveries() returned SPI status " + std::to_string(status) + ".");
    }
    std::vector<ClaimedDelivery> claimed;
    uint64 rows = SPI_processed;
    SPITupleTable* table = SPI_tuptable;
    claimed.reserve(rows);
    for (uint64 i = 0; i < rows; ++i) {
        HeapTuple row = table->vals[i];
        TupleDesc descriptor = table->tupdesc;
        if (DatumGetBool(*column(row, descriptor, 13))) {
            ++parked;
            continue;
        }
        ClaimedDelivery delivery;
        delivery.id = uuid_bytes(*column(row, descriptor, 1));
        delivery.workspace_id = uuid_bytes(*column(row, descriptor, 2));
        delivery.endpoint_id = uuid_bytes(*column(row, descriptor, 3));
        delivery.attempt_number = DatumGetInt32(*column(row, descriptor, 4));
        delivery.max_attempts = DatumGetInt32(*column(row, descriptor, 5));
        delivery.claimed_version = DatumGetTimestampTz(*column(row, descriptor, 6));
        delivery.url = varlena_string(*column(row, descriptor, 7));
        delivery.secret = varlena_string(*column(row, descriptor, 8));
        if (auto previous = column(row, descriptor, 9)) {
            delivery.previous_secret = varlena_string(*previous);
        }
        // NULL for an endpoint without a timeout of its own: 0 makes the
        // engine apply webhook.request_timeout when the request starts, so a
        // reload reaches requests already queued behind the network.
        if (auto timeout = column(row, descriptor, 10)) delivery.timeout_ms = DatumGetInt32(*timeout);
        delivery.headers = text_array(*column(row, descriptor, 11));
        delivery.body = varlena_string(*column(row, descriptor, 12));
        body_bytes += static_cast<std::int64_t>(delivery.body.size());
        claimed.push_back(std::move(delivery));
    }
    return claimed;
}

std::optional<PgTimestamp> next_due(const std::vector<UuidBytes>& in_flight_ids) {
    Column in_flight;
    for (const UuidBytes& id : in_flight_ids) in_flight.add(uuid_datum(id));
    Datum arguments[1] = {make_array(in_flight.values, in_flight.nulls, UUIDOID)};
    int status = execute(next_due_statement, arguments, true, 1);
    if (status != SPI_OK_SELECT || SPI_processed != 1) return std::nullopt;
    auto value = column(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
    if (!value) return std::nullopt;
    return DatumGetTimestampTz(*value);
}

bool extension_installed() {
    return call_postgres([] { return OidIsValid(get_extension_oid("pg_webhook", true)); });
}

// READ COMMITTED whatever default_transaction_isolation says (set before
// the transaction's first snapshot, as SET TRANSACTION would): the claim and
// the record lock rows that users' retries, cancels and endpoint changes
// update at any moment, and in REPEATABLE READ or SERIALIZABLE each such
// update committed after the transaction began failed the whole pass with
// 40001 instead of being skipped or rechecked.
void begin_transaction() {
    call_postgres([] {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
        XactIsoLevel = XACT_READ_COMMITTED;
        SPI_connect();
        PushActiveSnapshot(GetTransactionSnapshot());
        pgstat_report_activity(STATE_RUNNING, "pg_webhook: record and claim deliveries");
    });
}

void commit_transaction() {
    call_postgres([] {
        SPI_finish();
        PopActiveSnapshot();
        CommitTransactionCommand();
        pgstat_report_activity(STATE_IDLE, nullptr);
    });
}

// After a failure: roll back whatever was begun (SPI and snapshots included).
void abort_transaction() noexcept {
    bool clean = webhook::pg::run_catching_postgres_error(
        [](void*) {
            AbortCurrentTransaction();
            pgstat_report_activity(STATE_IDLE, nullptr);
        },
        nullptr);
    if (!clean) FlushErrorState();
}

}  // namespace

StoreResult record_and_claim(const std::vector<FinishedAttempt>& finished,
                             const ClaimRequest& request) {
    StoreResult result;
    try {
        begin_transaction();
        result.extension_installed = extension_installed();
        if (result.extension_installed) {
            if (!finished.empty()) result.locked_out = record(finished);
            if (request.batch_size > 0) {
                std::int64_t body_bytes = 0;
                result.claimed = claim(request, result.parked, body_bytes);
                // Rows stop at the budget only when their bodies reached it.
                result.budget_reached = body_bytes >= request.body_budget;
                if (!result.budget_reached &&
                    static_cast<int>(result.claimed.size()) + result.parked < request.batch_size) {
                    std::vector<UuidBytes> busy = request.in_flight;
                    for (const ClaimedDelivery& delivery : result.claimed)
                        busy.push_back(delivery.id);
                    result.next_due = next_due(busy);
                }
            }
        }
        commit_transaction();
    } catch (...) {
        abort_transaction();
        throw;
    }
    return result;
}

PgTimestamp current_pg_timestamp() { return GetCurrentTimestamp(); }

}  // namespace webhook::worker
