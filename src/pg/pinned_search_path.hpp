// The search path a listing's statements are parsed and planned with:
// pg_catalog alone. The listing functions run as their caller (row-level
// security decides what it sees), so an operator or function planted in a
// schema ahead of pg_catalog in the caller's search_path would otherwise run
// inside every listing that caller makes. Pushed from C rather than by a SET
// clause on the function, which saves and restores the GUC on every call.
#pragma once

namespace webhook::pg {

// Active for its lifetime, also when an error unwinds the listing. The
// cached plans of the listing's statements were made under this same path,
// so they stay valid from call to call.
class PinnedSearchPath {
  public:
    PinnedSearchPath();
    ~PinnedSearchPath();
    PinnedSearchPath(const PinnedSearchPath&) = delete;
    PinnedSearchPath& operator=(const PinnedSearchPath&) = delete;
};

}  // namespace webhook::pg
