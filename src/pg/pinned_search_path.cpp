#include "pg/pinned_search_path.hpp"

#include "pg/error_boundary.hpp"

extern "C" {
#include "catalog/namespace.h"
}

namespace webhook::pg {

PinnedSearchPath::PinnedSearchPath() {
    call_postgres([] {
        // Only pg_catalog: no caller schema, and no temporary schema either
        // (a listing names every table it reads by schema).
        OverrideSearchPath path{};
        path.schemas = NIL;
        path.addCatalog = true;
        path.addTemp = false;
        PushOverrideSearchPath(&path);
    });
}

PinnedSearchPath::~PinnedSearchPath() {
    // Popping fails only for a push made at another transaction nesting
    // level, which a listing never makes; an abort pops it anyway.
    try {
        call_postgres([] { PopOverrideSearchPath(); });
    } catch (...) {
    }
}

}  // namespace webhook::pg
