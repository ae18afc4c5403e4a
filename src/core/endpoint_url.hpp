// Validation of endpoint URLs: absolute http or https URLs with a host.
#pragma once

#include <string>
#include <string_view>

namespace webhook {

inline constexpr std::size_t kMaxUrlLength = 2048;

// Throws Error 22023 with a hint for anything that is not an absolute http(s)
// URL with a host and no whitespace or control characters.
void validate_endpoint_url(std::string_view url);

}  // namespace webhook
