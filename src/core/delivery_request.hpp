// The headers of one delivery attempt: the endpoint's extra headers, then
// the Standard Webhooks ones. (The HTTP engine adds content-type and
// user-agent itself.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/delivery_batch.hpp"

namespace webhook {

// A request's headers are "name: value" lines, made in two parts: the
// endpoint's extra headers when the delivery is claimed, then the signing
// headers when the request starts; they are sent in that order.

// The endpoint's extra headers that may be sent: one that would set a header
// pg_webhook owns (content-type, the webhook-* headers, host,
// content-length, ...) or that holds a line break is left out.
std::vector<std::string> delivery_extra_headers(const ClaimedDelivery& delivery);

// The signing headers, made when the request starts: webhook-timestamp says when
// it was sent, and a claimed request may wait in the engine's queue for a
// long time (behind slow receivers) before it is. Made from a claimed
// delivery, whose secrets it checks and decodes at once (Error 22023 for a
// malformed one); headers() signs with them.
class DeliverySigner {
  public:
    explicit DeliverySigner(const ClaimedDelivery& delivery);
    // webhook-id, webhook-timestamp and webhook-signature over this body.
    std::vector<std::string> headers(std::int64_t unix_timestamp, std::string_view body) const;

  private:
    std::string id_;
    std::vector<std::vector<std::uint8_t>> keys_;  // current secret first
};

}  // namespace webhook
