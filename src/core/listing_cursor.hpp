// Opaque listing cursors: the sort-key values of one row, bound to the
// order_by they came from and signed, so that a garbled, edited, foreign or
// outdated cursor is refused (22023) rather than silently misread.
//
// Token: base64url (no padding) of
//   version (1 byte) | order fingerprint (4) | key count (1)
//   | per key: 0 (NULL) or 1 + length (varint) + value bytes
//   | SipHash-2-4 of everything before (8 bytes, little-endian), keyed with
//     16 bytes derived from the installation's cursor key.
// Version 1 carried a truncated HMAC-SHA256; its cursors are refused as
// outdated.
// Values are packed by type (uuid 16 bytes, timestamptz 8, int4 4, text and
// enum labels as UTF-8); KeyValues carry them in canonical text:
//   uuid        "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower-case hex)
//   timestamptz microseconds since 2000-01-01 UTC, decimal (Postgres's own
//               representation, free of DateStyle and TimeZone)
//   int4        decimal
//   text, enum  the text itself
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/siphash.hpp"
#include "core/listing_keyset.hpp"
#include "core/listing_order.hpp"

namespace webhook::listing {

inline constexpr std::uint8_t kCursorVersion = 2;

class CursorCodec {
  public:
    // `key`: the installation's cursor key, at least 16 bytes.
    explicit CursorCodec(std::vector<std::uint8_t> key);

    std::string encode(const SortOrder& order, const KeyValues& values) const;
    // Raises 22023 for a cursor that is garbled, tampered with, of an unknown
    // version, or made for another order; `argument` names it ("after").
    KeyValues decode(const SortOrder& order, const std::string& token, const char* argument) const;

  private:
    friend class CursorWriter;

    const std::vector<std::uint8_t>& fingerprint(const SortOrder& order) const;

    SipHash24 mac_;
    // The fingerprint of the last order seen: a page encodes one cursor per
    // row, all for the same order.
    mutable std::vector<SortKey> fingerprint_keys_;
    mutable std::vector<std::uint8_t> fingerprint_;
};

// Writes the cursors of one page: every row is in the same order, so the
// header is built once and the buffers are reused from row to row. The
// caller adds each sort key's value in its packed form, then finishes.
class CursorWriter {
  public:
    CursorWriter(const CursorCodec& codec, const SortOrder& order);

    void add_null();
    void add_bytes(const std::uint8_t* data, std::size_t size);  // uuid, text, enum label
    void add_int64(std::int64_t value);                          // timestamptz
    void add_int32(std::int32_t value);                          // int4
    // The token of the values added since the last finish; valid until the
    // next call on this writer.
    const std::string& finish();

  private:
    void add_fixed(std::uint64_t bits, std::size_t width);

    const CursorCodec& codec_;
    std::size_t header_size_;
    std::vector<std::uint8_t> body_;
    std::string token_;
};

}  // namespace webhook::listing
