#include "core/random_bytes.hpp"

#include <climits>

#include <openssl/rand.h>

#include "core/error.hpp"

namespace webhook {

void fill_random(std::uint8_t* out, std::size_t size) {
    if (size > static_cast<std::size_t>(INT_MAX) || RAND_bytes(out, static_cast<int>(size)) != 1) {
        throw Error(sqlstate::kInternalError, "could not generate random bytes",
                    "OpenSSL's RAND_bytes failed.");
    }
}

}  // namespace webhook
