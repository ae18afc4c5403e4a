// The cursor writer of the listing statement running in this backend.
// A listing's rows statement computes each row's cursor itself, by calling
// webhook.listing_cursor(sort keys...); that function writes with the writer
// the listing made for its order. Outside a listing there is none, and the
// function refuses to run, so no caller can mint cursors with it.
#pragma once

#include "core/listing_cursor.hpp"
#include "core/listing_order.hpp"
#include "pg/listing_values.hpp"

namespace webhook::pg {

struct ActiveCursorWriter {
    listing::CursorWriter& writer;
    const listing::SortOrder& order;
    EnumLabels& labels;
};

// Makes a writer active for its lifetime, then restores the one before
// (there is none: a listing's statement runs no other listing).
class ListingCursorScope {
  public:
    ListingCursorScope(listing::CursorWriter& writer, const listing::SortOrder& order,
                       EnumLabels& labels);
    ~ListingCursorScope();
    ListingCursorScope(const ListingCursorScope&) = delete;
    ListingCursorScope& operator=(const ListingCursorScope&) = delete;

  private:
    ActiveCursorWriter active_;
    const ActiveCursorWriter* previous_;
};

// nullptr when no listing is running.
const ActiveCursorWriter* active_cursor_writer();

}  // namespace webhook::pg
