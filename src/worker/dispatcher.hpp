// The background worker's loop: claim due deliveries, hand them to the HTTP
// engine, record what happened, and sleep on one WaitEventSet (latch, engine
// sockets, postmaster death) until there is something to do.
#pragma once

#include "pg/postgres_headers.hpp"

namespace webhook::worker {

// Runs in `loop_context`, reset at every pass. Never returns; exits the process on SIGTERM (via
// CHECK_FOR_INTERRUPTS) or postmaster death. Throws only for errors it cannot live with.
[[noreturn]] void run_dispatcher(MemoryContext loop_context);

}  // namespace webhook::worker
