// Cryptographically strong random bytes (OpenSSL), for ids and secrets.
#pragma once

#include <cstddef>
#include <cstdint>

namespace webhook {

// Throws webhook::Error when the random source fails.
void fill_random(std::uint8_t* out, std::size_t size);

}  // namespace webhook
