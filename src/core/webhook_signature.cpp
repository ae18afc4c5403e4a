#include "core/webhook_signature.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/base64.hpp"
#include "core/endpoint_secret.hpp"
#include "core/error.hpp"

namespace webhook {

std::string webhook_signature_v1(const std::vector<std::uint8_t>& key, std::string_view message_id,
                                 std::int64_t timestamp, std::string_view body) {
    std::string signed_content;
    std::string timestamp_text = std::to_string(timestamp);
    signed_content.reserve(message_id.size() + timestamp_text.size() + body.size() + 2);
    signed_content.append(message_id).append(".").append(timestamp_text).append(".").append(body);

    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_length = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(),
             mac, &mac_length) == nullptr) {
        throw Error(sqlstate::kInternalError, "could not compute the webhook signature",
                    "OpenSSL's HMAC-SHA256 failed.");
    }
    return "v1," + base64_encode(mac, mac_length);
}

std::string standard_webhooks_signature(std::string_view message_id, std::int64_t timestamp,
                                        std::string_view body,
                                        const std::vector<std::string>& secrets) {
    if (secrets.empty()) {
        throw Error::invalid_parameter("no secret to sign the webhook with",
                                       "Signing needs at least one endpoint secret.",
                                       "Give the endpoint a whsec_ secret.");
    }
    std::string header;
    for (const std::string& secret : secrets) {
        if (!header.empty()) header += ' ';
        header += webhook_signature_v1(decode_endpoint_secret(secret), message_id, timestamp, body);
    }
    return header;
}

}  // namespace webhook
