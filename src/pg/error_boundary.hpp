// The C++/Postgres boundary, in both directions.
//
// C++ -> Postgres: every SQL-callable function runs its body inside
// `guard`, which catches every C++ exception, copies it into plain storage and
// calls ereport only after the try scope has closed, so longjmp never skips a
// C++ destructor and the SQLSTATE of a webhook::Error reaches the client.
//
// Postgres -> C++: a Postgres call made while C++ objects are alive goes
// through `call_postgres`, which catches the Postgres error with its own
// sigsetjmp and rethrows it as a webhook::Error with the same SQLSTATE.
#pragma once

#include <type_traits>
#include <utility>

#include "core/error.hpp"
#include "pg/postgres_headers.hpp"

namespace webhook::pg {

// A caught error, in fixed-size storage so that recording it cannot fail.
struct PendingError {
    char sqlstate[6];
    char message[1024];
    char detail[2048];
    char hint[1024];
};

void capture_error(PendingError& out, const Error& error) noexcept;
void capture_internal_error(PendingError& out, const char* what) noexcept;
void capture_out_of_memory(PendingError& out) noexcept;
[[noreturn]] void report_error(const PendingError& error);

// Turns the current Postgres error (just caught by PG_CATCH) into a C++ throw.
[[noreturn]] void rethrow_postgres_error(MemoryContext caller_context);

template <typename Body>
Datum guard(Body&& body) {
    PendingError pending;
    {
        try {
            return body();
        } catch (const Error& error) {
            capture_error(pending, error);
        } catch (const std::bad_alloc&) {
            capture_out_of_memory(pending);
        } catch (const std::exception& error) {
            capture_internal_error(pending, error.what());
        } catch (...) {
            capture_internal_error(pending, "unknown C++ exception");
        }
    }
    report_error(pending);
}

// Runs `body(context)` under PG_TRY; false when a Postgres error was caught
// (it is then still the current error, for rethrow_postgres_error). The
// setjmp lives in this one non-template function so that no C++ object of the
// caller sits in a frame that longjmp returns into.
bool run_catching_postgres_error(void (*body)(void*), void* context);

template <typename Func>
auto call_postgres(Func&& func) -> decltype(func()) {
    using Result = decltype(func());
    MemoryContext caller_context = CurrentMemoryContext;
    if constexpr (std::is_void_v<Result>) {
        auto thunk = [](void* context) { (*static_cast<std::remove_reference_t<Func>*>(context))(); };
        if (!run_catching_postgres_error(thunk, &func)) rethrow_postgres_error(caller_context);
    } else {
        struct Call {
            std::remove_reference_t<Func>* func;
            Result result;
        } call{&func, Result{}};
        auto thunk = [](void* context) {
            auto* c = static_cast<Call*>(context);
            c->result = (*c->func)();
        };
        if (!run_catching_postgres_error(thunk, &call)) rethrow_postgres_error(caller_context);
        return call.result;
    }
}

}  // namespace webhook::pg

// Defines an SQL-callable function `name` whose body runs inside the guard:
//   WEBHOOK_SQL_FUNCTION(webhook_example) { ... return Datum; }
#define WEBHOOK_SQL_FUNCTION(name)                                                 \
    static Datum name##_body(FunctionCallInfo fcinfo);                             \
    extern "C" {                                                                   \
    PG_FUNCTION_INFO_V1(name);                                                     \
    Datum name(PG_FUNCTION_ARGS) {                                                 \
        return webhook::pg::guard([fcinfo]() { return name##_body(fcinfo); });     \
    }                                                                              \
    }                                                                              \
    static Datum name##_body(FunctionCallInfo fcinfo)
