#include "core/listing_cursor.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "core/base64.hpp"
#include "core/error.hpp"
#include "core/hmac_sha256.hpp"

namespace webhook::listing {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kFingerprintSize = 4;
constexpr std::size_t kMacSize = 8;
constexpr std::size_t kHeaderSize = 1 + kFingerprintSize + 1;

const char kCursorHint[] =
    "Pass a cursor exactly as a listing with the same order_by returned it, or list again "
    "without after and before.";

// The MAC key: derived from the stored key rather than a slice of it, so
// that it is never the same bytes as any other use of that key.
std::array<std::uint8_t, 16> mac_key(const Bytes& key) {
    if (key.size() < 16) throw std::invalid_argument("cursor key shorter than 16 bytes");
    static const char kPurpose[] = "pg_webhook listing cursor MAC, version 2";
    std::array<std::uint8_t, 32> digest = HmacSha256(key).digest(
        reinterpret_cast<const std::uint8_t*>(kPurpose), sizeof kPurpose - 1);
    std::array<std::uint8_t, 16> derived{};
    std::copy(digest.begin(), digest.begin() + derived.size(), derived.begin());
    return derived;
}

void append_tag(std::uint64_t tag, Bytes& out) {
    std::size_t at = out.size();
    out.resize(at + kMacSize);
    for (std::size_t i = 0; i < kMacSize; ++i) out[at + i] = static_cast<std::uint8_t>(tag >> (8 * i));
}

// The garbled-cursor refusal; also used for a correctly signed cursor whose
// body does not parse, which only a bug could produce.
Error garbled(const char* argument, const std::string& detail) {
    return Error::invalid_parameter(std::string("invalid cursor in ") + argument, detail,
                                    kCursorHint);
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void pack_uuid(const std::string& text, Bytes& out) {
    std::size_t digits = 0;
    std::uint8_t pending = 0;
    for (char c : text) {
        if (c == '-') continue;
        int value = hex_digit(c);
        if (value < 0) throw std::invalid_argument("uuid key value is not hex");
        if (digits % 2 == 0) {
            pending = static_cast<std::uint8_t>(value << 4);
        } else {
            out.push_back(static_cast<std::uint8_t>(pending | value));
        }
        ++digits;
    }
    if (digits != 32) throw std::invalid_argument("uuid key value is not 32 hex digits");
}

std::string unpack_uuid(const std::uint8_t* data) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += kHex[data[i] >> 4];
        out += kHex[data[i] & 15];
    }
    return out;
}

void pack_integer(std::int64_t value, std::size_t width, Bytes& out) {
    auto bits = static_cast<std::uint64_t>(value);
    for (std::size_t i = width; i-- > 0;) out.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
}

std::int64_t unpack_integer(const std::uint8_t* data, std::size_t width) {
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < width; ++i) bits = (bits << 8) | data[i];
    if (width == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(bits));
    return static_cast<std::int64_t>(bits);
}

std::int64_t parse_decimal(const std::string& text, std::int64_t low, std::int64_t high) {
    std::size_t used = 0;
    long long value = std::stoll(text, &used, 10);
    if (used != text.size() || value < low || value > high) {
        throw std::invalid_argument("key value is not an integer in range");
    }
    return value;
}

void pack_value(ValueType type, const std::string& text, Bytes& out) {
    switch (type) {
        case ValueType::Uuid:
            pack_uuid(text, out);
            return;
        case ValueType::Timestamptz:
            pack_integer(parse_decimal(text, INT64_MIN, INT64_MAX), 8, out);
            return;
        case ValueType::Int4:
            pack_integer(parse_decimal(text, INT32_MIN, INT32_MAX), 4, out);
            return;
        default:
            out.insert(out.end(), text.begin(), text.end());
            return;
    }
}

std::optional<std::string> unpack_value(ValueType type, const std::uint8_t* data,
                                        std::size_t size) {
    switch (type) {
        case ValueType::Uuid:
            if (size != 16) return std::nullopt;
            return unpack_uuid(data);
        case ValueType::Timestamptz:
            if (size != 8) return std::nullopt;
            return std::to_string(unpack_integer(data, 8));
        case ValueType::Int4:
            if (size != 4) return std::nullopt;
            return std::to_string(unpack_integer(data, 4));
        default:
            return std::string(reinterpret_cast<const char*>(data), size);
    }
}

void put_varint(std::size_t value, Bytes& out) {
    while (value >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(value));
}

// false when the varint runs past `end` or is absurdly long.
bool get_varint(const std::uint8_t*& at, const std::uint8_t* end, std::size_t& value) {
    value = 0;
    for (int shift = 0; shift < 28; shift += 7) {
        if (at == end) return false;
        std::uint8_t byte = *at++;
        value |= static_cast<std::size_t>(byte & 0x7F) << shift;
        if (!(byte & 0x80)) return true;
    }
    return false;
}

}  // namespace

CursorCodec::CursorCodec(std::vector<std::uint8_t> key) : mac_(mac_key(key)) {}

const Bytes& CursorCodec::fingerprint(const SortOrder& order) const {
    bool same = !fingerprint_.empty() && fingerprint_keys_.size() == order.keys.size();
    for (std::size_t i = 0; same && i < order.keys.size(); ++i) {
        const SortKey& a = fingerprint_keys_[i];
        const SortKey& b = order.keys[i];
        same = a.field == b.field && a.descending == b.descending && a.nulls_first == b.nulls_first;
    }
    if (!same) {
        std::string canonical = order.canonical();
        std::uint8_t digest[SHA256_DIGEST_LENGTH];
        SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), digest);
        fingerprint_.assign(digest, digest + kFingerprintSize);
        fingerprint_keys_ = order.keys;
    }
    return fingerprint_;
}

std::string CursorCodec::encode(const SortOrder& order, const KeyValues& values) const {
    if (values.size() != order.keys.size()) {
        throw std::logic_error("cursor values do not match the order");
    }
    CursorWriter writer(*this, order);
    Bytes packed;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!values[i]) {
            writer.add_null();
            continue;
        }
        packed.clear();
        pack_value(order.keys[i].field->type, *values[i], packed);
        writer.add_bytes(packed.data(), packed.size());
    }
    return writer.finish();
}

CursorWriter::CursorWriter(const CursorCodec& codec, const SortOrder& order) : codec_(codec) {
    if (order.keys.size() > 255) throw std::logic_error("too many sort keys for a cursor");
    body_.reserve(96);
    body_.push_back(kCursorVersion);
    const Bytes& print = codec.fingerprint(order);
    body_.insert(body_.end(), print.begin(), print.end());
    body_.push_back(static_cast<std::uint8_t>(order.keys.size()));
    header_size_ = body_.size();
}

void CursorWriter::add_null() { body_.push_back(0); }

void CursorWriter::add_bytes(const std::uint8_t* data, std::size_t size) {
    body_.push_back(1);
    put_varint(size, body_);
    body_.insert(body_.end(), data, data + size);
}

// Fixed-width keys are written in place, big-endian (these run for every
// listed row): present, width, then the value's two's-complement bytes.
void CursorWriter::add_fixed(std::uint64_t bits, std::size_t width) {
    std::size_t at = body_.size();
    body_.resize(at + 2 + width);
    body_[at] = 1;
    body_[at + 1] = static_cast<std::uint8_t>(width);
    for (std::size_t i = 0; i < width; ++i) {
        body_[at + 2 + i] = static_cast<std::uint8_t>(bits >> (8 * (width - 1 - i)));
    }
}

void CursorWriter::add_int64(std::int64_t value) { add_fixed(static_cast<std::uint64_t>(value), 8); }

void CursorWriter::add_int32(std::int32_t value) {
    add_fixed(static_cast<std::uint32_t>(value), 4);
}

const std::string& CursorWriter::finish() {
    append_tag(codec_.mac_.digest(body_.data(), body_.size()), body_);
    token_.clear();
    base64url_append(body_.data(), body_.size(), token_);
    body_.resize(header_size_);
    return token_;
}

KeyValues CursorCodec::decode(const SortOrder& order, const std::string& token,
                              const char* argument) const {
    // No upper bound on the length: a text sort key (event_type, last_error)
    // may be as long as the column holds, and its row's cursor must still be
    // accepted. Decoding is linear in a token that is already in memory.
    if (token.empty()) throw garbled(argument, "The cursor is empty.");
    std::optional<Bytes> bytes = base64url_decode(token);
    if (!bytes || bytes->size() < kHeaderSize + kMacSize) {
        throw garbled(argument, "The cursor is not in the form a listing returns.");
    }
    const Bytes& data = *bytes;
    if (data[0] != kCursorVersion) {
        throw Error::invalid_parameter(std::string("unsupported cursor version in ") + argument,
                                       "The cursor has version " + std::to_string(data[0]) +
                                           "; this pg_webhook reads version " +
                                           std::to_string(kCursorVersion) + ".",
                                       kCursorHint);
    }
    std::size_t body_size = data.size() - kMacSize;
    Bytes expected;
    append_tag(mac_.digest(data.data(), body_size), expected);
    if (CRYPTO_memcmp(expected.data(), data.data() + body_size, kMacSize) != 0) {
        throw Error::invalid_parameter(std::string("invalid cursor in ") + argument,
                                       "The cursor's signature does not match: it was altered "
                                       "or made by another database.",
                                       kCursorHint);
    }
    if (std::memcmp(data.data() + 1, fingerprint(order).data(), kFingerprintSize) != 0) {
        throw Error::invalid_parameter(
            std::string("cursor in ") + argument + " belongs to a different order_by",
            "A cursor is valid only with the order_by of the listing that returned it.",
            "Pass the same order_by as the listing that returned the cursor, or list again "
            "without after and before.");
    }
    if (data[kHeaderSize - 1] != order.keys.size()) {
        throw garbled(argument, "The cursor holds a different number of sort keys.");
    }
    KeyValues values;
    const std::uint8_t* at = data.data() + kHeaderSize;
    const std::uint8_t* end = data.data() + body_size;
    for (const SortKey& key : order.keys) {
        if (at == end) throw garbled(argument, "The cursor ends early.");
        std::uint8_t present = *at++;
        if (present == 0 && key.field->nullable) {
            values.emplace_back(std::nullopt);
            continue;
        }
        std::size_t size = 0;
        if (present != 1 || !get_varint(at, end, size) ||
            size > static_cast<std::size_t>(end - at)) {
            throw garbled(argument, "The cursor's sort keys do not parse.");
        }
        std::optional<std::string> value = unpack_value(key.field->type, at, size);
        if (!value) throw garbled(argument, "A sort key in the cursor has the wrong size.");
        values.push_back(std::move(value));
        at += size;
    }
    if (at != end) throw garbled(argument, "The cursor has trailing bytes.");
    return values;
}

}  // namespace webhook::listing
