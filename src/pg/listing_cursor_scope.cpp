#include "pg/listing_cursor_scope.hpp"

namespace webhook::pg {
namespace {

// A plain pointer: a backend runs one statement at a time, and a scope
// always restores it, also when an error unwinds the listing (every
// Postgres call of a listing goes through call_postgres).
const ActiveCursorWriter* active = nullptr;

}  // namespace

ListingCursorScope::ListingCursorScope(listing::CursorWriter& writer,
                                       const listing::SortOrder& order, EnumLabels& labels)
    : active_{writer, order, labels}, previous_(active) {
    active = &active_;
}

ListingCursorScope::~ListingCursorScope() { active = previous_; }

const ActiveCursorWriter* active_cursor_writer() { return active; }

}  // namespace webhook::pg
