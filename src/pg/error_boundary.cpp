#include "pg/error_boundary.hpp"

#include <cstring>

namespace webhook::pg {
namespace {

void copy_text(char* out, std::size_t size, const char* text) noexcept {
    std::size_t length = text ? std::strlen(text) : 0;
    if (length >= size) length = size - 1;
    if (length > 0) std::memcpy(out, text, length);
    out[length] = '\0';
}

bool is_sqlstate(const std::string& code) noexcept {
    if (code.size() != 5) return false;
    for (char c : code) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
    }
    return true;
}

}  // namespace

void capture_error(PendingError& out, const Error& error) noexcept {
    copy_text(out.sqlstate, sizeof out.sqlstate,
              is_sqlstate(error.sqlstate()) ? error.sqlstate().c_str() : sqlstate::kInternalError);
    copy_text(out.message, sizeof out.message, error.message().c_str());
    copy_text(out.detail, sizeof out.detail, error.detail().c_str());
    copy_text(out.hint, sizeof out.hint, error.hint().c_str());
}

void capture_internal_error(PendingError& out, const char* what) noexcept {
    copy_text(out.sqlstate, sizeof out.sqlstate, sqlstate::kInternalError);
    copy_text(out.message, sizeof out.message, "internal error in pg_webhook");
    copy_text(out.detail, sizeof out.detail, what);
    out.hint[0] = '\0';
}

void capture_out_of_memory(PendingError& out) noexcept {
    copy_text(out.sqlstate, sizeof out.sqlstate, sqlstate::kOutOfMemory);
    copy_text(out.message, sizeof out.message, "out of memory");
    out.detail[0] = '\0';
    out.hint[0] = '\0';
}

void report_error(const PendingError& error) {
    const char* s = error.sqlstate;
    ereport(ERROR, (errcode(MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4])),
                    errmsg_internal("%s", error.message),
                    error.detail[0] ? errdetail_internal("%s", error.detail) : 0,
                    error.hint[0] ? errhint("%s", error.hint) : 0));
    pg_unreachable();
}

bool run_catching_postgres_error(void (*body)(void*), void* context) {
    volatile bool caught = false;
    PG_TRY();
    { body(context); }
    PG_CATCH();
    { caught = true; }
    PG_END_TRY();
    return !caught;
}

void rethrow_postgres_error(MemoryContext caller_context) {
    MemoryContextSwitchTo(caller_context);
    ErrorData* data = CopyErrorData();
    FlushErrorState();
    Error error(unpack_sql_state(data->sqlerrcode), data->message ? data->message : "",
                data->detail ? data->detail : "", data->hint ? data->hint : "");
    FreeErrorData(data);
    throw error;
}

}  // namespace webhook::pg
