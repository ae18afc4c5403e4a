// Base64 in its two alphabets: standard (with padding, for whsec_ secrets and
// signatures) and URL-safe without padding (for opaque cursors).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webhook {

std::string base64_encode(const std::uint8_t* data, std::size_t size);
std::string base64_encode(const std::vector<std::uint8_t>& data);
// Strict: canonical padding required; nullopt for anything malformed.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

std::string base64url_encode(const std::uint8_t* data, std::size_t size);
// The same, appended to `out` (which keeps its capacity from call to call).
void base64url_append(const std::uint8_t* data, std::size_t size, std::string& out);
// Strict: no padding, URL-safe alphabet only; nullopt for anything malformed.
std::optional<std::vector<std::uint8_t>> base64url_decode(std::string_view text);

}  // namespace webhook
