#include "core/endpoint_secret.hpp"

#include "core/base64.hpp"
#include "core/error.hpp"
#include "core/random_bytes.hpp"

namespace webhook {
namespace {

const char* const kSecretHint =
    "A secret is \"whsec_\" followed by the base64 of 24 to 64 random bytes; omit it to have "
    "one generated.";

}  // namespace

std::string generate_endpoint_secret() {
    std::uint8_t key[kGeneratedSecretBytes];
    fill_random(key, sizeof key);
    return std::string(kSecretPrefix) + base64_encode(key, sizeof key);
}

std::vector<std::uint8_t> decode_endpoint_secret(std::string_view secret) {
    if (secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
        throw Error::invalid_parameter("invalid endpoint secret",
                                       "The secret does not start with \"whsec_\".", kSecretHint);
    }
    auto key = base64_decode(secret.substr(kSecretPrefix.size()));
    if (!key) {
        throw Error::invalid_parameter("invalid endpoint secret",
                                       "The part after \"whsec_\" is not valid base64.",
                                       kSecretHint);
    }
    if (key->size() < kMinSecretBytes || key->size() > kMaxSecretBytes) {
        throw Error::invalid_parameter(
            "invalid endpoint secret",
            "The secret decodes to " + std::to_string(key->size()) + " bytes.", kSecretHint);
    }
    return *key;
}

}  // namespace webhook
