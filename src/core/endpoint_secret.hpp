// Endpoint signing secrets in the Standard Webhooks format: "whsec_" followed
// by the standard base64 of 24 to 64 random bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webhook {

inline constexpr std::string_view kSecretPrefix = "whsec_";
inline constexpr std::size_t kMinSecretBytes = 24;
inline constexpr std::size_t kMaxSecretBytes = 64;
inline constexpr std::size_t kGeneratedSecretBytes = 32;

std::string generate_endpoint_secret();

// The key bytes of a well-formed secret; throws Error 22023 (with a hint that
// says what a secret looks like) for anything else.
std::vector<std::uint8_t> decode_endpoint_secret(std::string_view secret);

}  // namespace webhook
