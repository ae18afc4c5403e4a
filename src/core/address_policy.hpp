// Which network addresses the dispatcher may connect to (SSRF protection).
// The check runs on the *resolved* address at connect time, so a host name
// that resolves to an internal address is refused like the address itself.
//
// Denied unless an allowed network covers them: loopback, private,
// link-local, CGNAT, multicast, broadcast, "this network", reserved,
// benchmarking and documentation ranges of IPv4 and IPv6, and every IPv6
// address outside global unicast (2000::/3). IPv6 forms that embed an IPv4
// address (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64 64:ff9b::/96,
// 6to4, Teredo) are judged by the embedded IPv4 address; the local-use NAT64
// prefix 64:ff9b:1::/48, whose embedding is site-defined, is denied.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webhook {

struct IpNetwork {
    bool is_ipv6 = false;
    std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4
    int prefix_length = 0;
};

// Why an address is refused: the range it falls in and, when it was reached
// through an IPv6 form embedding an IPv4 address, the name of that form.
struct AddressDenial {
    const char* range = nullptr;  // nullptr: the address is allowed
    const char* embedded_in = nullptr;

    bool denied() const noexcept { return range != nullptr; }
};

class AddressPolicy {
  public:
    // The default: every special-purpose range is denied, nothing extra allowed.
    AddressPolicy() = default;

    // "127.0.0.0/8, ::1/128": comma-separated networks in CIDR notation (a
    // bare address means just that host); empty allows nothing extra. Throws
    // Error 22023 with a hint for anything else.
    static AddressPolicy parse(std::string_view allowed_networks);

    // Neither allocates nor throws: it runs inside libcurl's socket callback.
    AddressDenial judge(const sockaddr* address) const noexcept;
    bool allows(const sockaddr* address) const noexcept { return !judge(address).denied(); }

    const std::vector<IpNetwork>& allowed_networks() const noexcept { return allowed_; }

  private:
    std::vector<IpNetwork> allowed_;
};

// "127.0.0.1", "::1": for messages; "unknown address" for other families.
std::string format_address(const sockaddr* address);

// "address 127.0.0.1 is not allowed (loopback)" and the like.
std::string describe_denial(const sockaddr* address, const AddressDenial& denial);

}  // namespace webhook
