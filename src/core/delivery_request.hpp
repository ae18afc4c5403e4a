// The headers of one delivery attempt: the endpoint's extra headers, then
// the Standard Webhooks ones. (The HTTP engine adds content-type and
// user-agent itself.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/delivery_batch.hpp"

namespace webhook {

// "name: value" lines in the order they are sent. The extra headers come
// first; one that would set a header pg_webhook owns (content-type, the
// webhook-* headers, host, content-length, ...) or that holds a line break
// is left out. The signature covers the current secret and, during a
// rotation's grace period, the previous one.
std::vector<std::string> delivery_request_headers(const ClaimedDelivery& delivery,
                                                  std::int64_t unix_timestamp);

}  // namespace webhook
