// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit pseudo-random
// function built for short inputs. Listing cursors use it as their MAC: a
// cursor is signed on every row of every page, where HMAC-SHA256 cost more
// than reading the row.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace webhook {

class SipHash24 {
  public:
    explicit SipHash24(const std::array<std::uint8_t, 16>& key) noexcept;

    std::uint64_t digest(const std::uint8_t* data, std::size_t size) const noexcept;

  private:
    std::uint64_t k0_;
    std::uint64_t k1_;
};

}  // namespace webhook
