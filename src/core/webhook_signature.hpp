// Standard Webhooks signing: the webhook-signature header value for one
// request, "v1,<base64 of HMAC-SHA256("<id>.<timestamp>.<body>")>", keyed
// with the bytes after "whsec_". Several secrets (during a rotation's grace
// period) give several signatures separated by spaces; a receiver accepts
// the request when any of them matches its secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webhook {

// One "v1,..." signature with an already decoded key.
std::string webhook_signature_v1(const std::vector<std::uint8_t>& key, std::string_view message_id,
                                 std::int64_t timestamp, std::string_view body);

// The full header value, one signature per secret in the order given.
// Throws Error 22023 when a secret is not a well-formed whsec_ secret, and
// when no secret is given.
std::string standard_webhooks_signature(std::string_view message_id, std::int64_t timestamp,
                                        std::string_view body,
                                        const std::vector<std::string>& secrets);

}  // namespace webhook
