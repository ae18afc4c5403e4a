// Bytes from the network made safe to store as Postgres text: valid UTF-8,
// no NUL, cut at a byte limit without splitting a character.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace webhook {

// Each invalid sequence and each NUL becomes U+FFFD; the result holds at most
// `max_bytes` bytes and ends on a character boundary.
std::string to_storable_text(std::string_view bytes, std::size_t max_bytes);

}  // namespace webhook
