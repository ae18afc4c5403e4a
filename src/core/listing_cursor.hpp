// Opaque listing cursors: the sort-key values of one row, bound to the
// order_by they came from and signed, so that a garbled, edited, foreign or
// outdated cursor is refused (22023) rather than silently misread.
//
// Token: base64url (no padding) of
//   version (1 byte) | order fingerprint (4) | key count (1)
//   | per key: 0 (NULL) or 1 + length (varint) + value bytes
//   | HMAC-SHA256 of everything before, truncated to 16 bytes.
// Values are packed by type (uuid 16 bytes, timestamptz 8, int4 4, text and
// enum labels as UTF-8); KeyValues carry them in canonical text:
//   uuid        "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower-case hex)
//   timestamptz microseconds since 2000-01-01 UTC, decimal (Postgres's own
//               representation, free of DateStyle and TimeZone)
//   int4        decimal
//   text, enum  the text itself
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/hmac_sha256.hpp"
#include "core/listing_keyset.hpp"
#include "core/listing_order.hpp"

namespace webhook::listing {

inline constexpr std::uint8_t kCursorVersion = 1;

class CursorCodec {
  public:
    // `key`: the HMAC key, at least 16 bytes.
    explicit CursorCodec(std::vector<std::uint8_t> key);

    std::string encode(const SortOrder& order, const KeyValues& values) const;
    // Raises 22023 for a cursor that is garbled, tampered with, of an unknown
    // version, or made for another order; `argument` names it ("after").
    KeyValues decode(const SortOrder& order, const std::string& token, const char* argument) const;

  private:
    const std::vector<std::uint8_t>& fingerprint(const SortOrder& order) const;

    std::shared_ptr<const HmacSha256> hmac_;
    // The fingerprint of the last order seen: a page encodes one cursor per
    // row, all for the same order.
    mutable std::vector<SortKey> fingerprint_keys_;
    mutable std::vector<std::uint8_t> fingerprint_;
};

}  // namespace webhook::listing
