// HMAC-SHA256 with the key schedule done once: the inner and outer padded
// keys are absorbed into template digest states that each MAC copies, so a
// MAC costs two short digests and no per-call algorithm lookup.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace webhook {

class HmacSha256 {
  public:
    explicit HmacSha256(const std::vector<std::uint8_t>& key);
    ~HmacSha256();
    HmacSha256(const HmacSha256&) = delete;
    HmacSha256& operator=(const HmacSha256&) = delete;

    std::array<std::uint8_t, 32> digest(const std::uint8_t* data, std::size_t size) const;

  private:
    struct States;
    std::unique_ptr<States> states_;
};

}  // namespace webhook
