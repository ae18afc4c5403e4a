#include "core/address_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cctype>
#include <cstring>

#include "core/error.hpp"
#include "core/text_trim.hpp"

namespace webhook {
namespace {

const char* const kNetworksHint =
    "List networks in CIDR notation separated by commas, for example "
    "\"127.0.0.0/8, ::1/128\"; leave it empty to allow no special-purpose range.";

struct IpAddress {
    bool is_ipv6 = false;
    std::array<std::uint8_t, 16> bytes{};
};

struct DeniedIpv4Range {
    std::uint8_t a, b, c, d;
    int prefix_length;
    const char* name;
};

// IANA IPv4 special-purpose registry, plus multicast and the reserved block.
constexpr DeniedIpv4Range kDeniedIpv4[] = {
    {0, 0, 0, 0, 8, "\"this network\" 0.0.0.0/8"},
    {10, 0, 0, 0, 8, "private 10.0.0.0/8"},
    {100, 64, 0, 0, 10, "carrier-grade NAT 100.64.0.0/10"},
    {127, 0, 0, 0, 8, "loopback 127.0.0.0/8"},
    {169, 254, 0, 0, 16, "link-local 169.254.0.0/16"},
    {172, 16, 0, 0, 12, "private 172.16.0.0/12"},
    {192, 0, 0, 0, 24, "IETF protocol assignments 192.0.0.0/24"},
    {192, 0, 2, 0, 24, "documentation 192.0.2.0/24"},
    {192, 88, 99, 0, 24, "6to4 relay anycast 192.88.99.0/24"},
    {192, 168, 0, 0, 16, "private 192.168.0.0/16"},
    {198, 18, 0, 0, 15, "benchmarking 198.18.0.0/15"},
    {198, 51, 100, 0, 24, "documentation 198.51.100.0/24"},
    {203, 0, 113, 0, 24, "documentation 203.0.113.0/24"},
    {224, 0, 0, 0, 4, "multicast 224.0.0.0/4"},
    {255, 255, 255, 255, 32, "broadcast 255.255.255.255"},
    {240, 0, 0, 0, 4, "reserved 240.0.0.0/4"},
};

struct DeniedIpv6Range {
    std::uint16_t groups[8];
    int prefix_length;
    const char* name;
};

// Special ranges inside or overlapping global unicast 2000::/3, and the
// named ones outside it (everything else outside 2000::/3 is "reserved").
constexpr DeniedIpv6Range kDeniedIpv6[] = {
    {{0, 0, 0, 0, 0, 0, 0, 0}, 128, "unspecified ::"},
    {{0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback ::1"},
    {{0x64, 0xff9b, 1, 0, 0, 0, 0, 0}, 48, "local-use NAT64 64:ff9b:1::/48"},
    {{0x100, 0, 0, 0, 0, 0, 0, 0}, 64, "discard-only 100::/64"},
    {{0x2001, 0x2, 0, 0, 0, 0, 0, 0}, 48, "benchmarking 2001:2::/48"},
    {{0x2001, 0x10, 0, 0, 0, 0, 0, 0}, 28, "ORCHID 2001:10::/28"},
    {{0x2001, 0x20, 0, 0, 0, 0, 0, 0}, 28, "ORCHIDv2 2001:20::/28"},
    {{0x2001, 0xdb8, 0, 0, 0, 0, 0, 0}, 32, "documentation 2001:db8::/32"},
    {{0x3fff, 0, 0, 0, 0, 0, 0, 0}, 20, "documentation 3fff::/20"},
    {{0xfc00, 0, 0, 0, 0, 0, 0, 0}, 7, "unique local fc00::/7"},
    {{0xfe80, 0, 0, 0, 0, 0, 0, 0}, 10, "link-local fe80::/10"},
    {{0xfec0, 0, 0, 0, 0, 0, 0, 0}, 10, "site-local fec0::/10"},
    {{0xff00, 0, 0, 0, 0, 0, 0, 0}, 8, "multicast ff00::/8"},
};

bool prefix_matches(const std::uint8_t* address, const std::uint8_t* network, int prefix_length) {
    int whole_bytes = prefix_length / 8;
    if (std::memcmp(address, network, whole_bytes) != 0) return false;
    int rest_bits = prefix_length % 8;
    if (rest_bits == 0) return true;
    std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest_bits));
    return (address[whole_bytes] & mask) == (network[whole_bytes] & mask);
}

bool network_contains(const IpNetwork& network, const IpAddress& address) {
    return network.is_ipv6 == address.is_ipv6 &&
           prefix_matches(address.bytes.data(), network.bytes.data(), network.prefix_length);
}

IpAddress ipv4_at(const std::uint8_t* four_bytes, std::uint8_t flip = 0) {
    IpAddress address;
    for (int i = 0; i < 4; ++i) address.bytes[i] = four_bytes[i] ^ flip;
    return address;
}

const char* ipv4_denial(const IpAddress& address) {
    for (const DeniedIpv4Range& range : kDeniedIpv4) {
        const std::uint8_t network[4] = {range.a, range.b, range.c, range.d};
        if (prefix_matches(address.bytes.data(), network, range.prefix_length)) return range.name;
    }
    return nullptr;
}

const char* ipv6_denial(const IpAddress& address) {
    for (const DeniedIpv6Range& range : kDeniedIpv6) {
        std::uint8_t network[16];
        for (int i = 0; i < 8; ++i) {
            network[2 * i] = static_cast<std::uint8_t>(range.groups[i] >> 8);
            network[2 * i + 1] = static_cast<std::uint8_t>(range.groups[i] & 0xff);
        }
        if (prefix_matches(address.bytes.data(), network, range.prefix_length)) return range.name;
    }
    if ((address.bytes[0] & 0xe0) != 0x20) return "reserved (outside global unicast 2000::/3)";
    return nullptr;
}

bool all_zero(const std::uint8_t* bytes, int count) {
    for (int i = 0; i < count; ++i) {
        if (bytes[i] != 0) return false;
    }
    return true;
}

// The IPv4 addresses an IPv6 address stands for, with the form's name; at
// most two (Teredo names a server and a client).
struct EmbeddedIpv4 {
    const char* form = nullptr;
    IpAddress addresses[2];
    int count = 0;
};

EmbeddedIpv4 embedded_ipv4(const IpAddress& address) {
    const std::uint8_t* b = address.bytes.data();
    EmbeddedIpv4 embedded;
    auto take = [&](const char* form, const std::uint8_t* at, std::uint8_t flip = 0) {
        embedded.form = form;
        embedded.addresses[embedded.count++] = ipv4_at(at, flip);
    };
    if (all_zero(b, 10) && b[10] == 0xff && b[11] == 0xff) {
        take("IPv4-mapped", b + 12);
    } else if (all_zero(b, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0) {
        take("IPv4-translated", b + 12);
    } else if (all_zero(b, 12) && !all_zero(b + 12, 3)) {
        // ::a.b.c.d, but not :: and ::1 (and ::0.0.0.x), which are IPv6's own.
        take("IPv4-compatible", b + 12);
    } else if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && all_zero(b + 4, 8)) {
        take("NAT64", b + 12);
    } else if (b[0] == 0x20 && b[1] == 0x02) {
        take("6to4", b + 2);
    } else if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
        take("Teredo", b + 4);         // the Teredo server
        take("Teredo", b + 12, 0xff);  // the client, stored inverted
    }
    return embedded;
}

bool to_ip_address(const sockaddr* address, IpAddress& out) {
    if (address == nullptr) return false;
    if (address->sa_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
        out.is_ipv6 = false;
        std::memcpy(out.bytes.data(), &v4->sin_addr, 4);
        return true;
    }
    if (address->sa_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
        out.is_ipv6 = true;
        std::memcpy(out.bytes.data(), &v6->sin6_addr, 16);
        return true;
    }
    return false;
}

[[noreturn]] void refuse(std::string_view item, const std::string& why) {
    throw Error::invalid_parameter("invalid webhook.allowed_networks",
                                   "The item \"" + std::string(item) + "\" " + why, kNetworksHint);
}

IpNetwork parse_network(std::string_view item) {
    if (item.empty()) refuse(item, "is empty.");
    std::size_t slash = item.find('/');
    std::string address_text(item.substr(0, slash));
    IpNetwork network;
    if (inet_pton(AF_INET, address_text.c_str(), network.bytes.data()) == 1) {
        network.is_ipv6 = false;
    } else if (inet_pton(AF_INET6, address_text.c_str(), network.bytes.data()) == 1) {
        network.is_ipv6 = true;
    } else {
        refuse(item, "is not an IPv4 or IPv6 address or network.");
    }
    const int max_length = network.is_ipv6 ? 128 : 32;
    network.prefix_length = max_length;
    if (slash != std::string_view::npos) {
        std::string_view digits = item.substr(slash + 1);
        if (digits.empty() || digits.size() > 3) refuse(item, "has no valid prefix length.");
        int length = 0;
        for (char c : digits) {
            if (!std::isdigit(static_cast<unsigned char>(c))) {
                refuse(item, "has no valid prefix length.");
            }
            length = length * 10 + (c - '0');
        }
        if (length > max_length) {
            refuse(item, "has a prefix length above " + std::to_string(max_length) + ".");
        }
        network.prefix_length = length;
    }
    IpNetwork masked = network;
    for (int bit = network.prefix_length; bit < max_length; ++bit) {
        masked.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
    }
    if (masked.bytes != network.bytes) {
        refuse(item, "has bits set to the right of its prefix length.");
    }
    return network;
}

}  // namespace

AddressPolicy AddressPolicy::parse(std::string_view allowed_networks) {
    AddressPolicy policy;
    if (trim_whitespace(allowed_networks).empty()) return policy;
    while (true) {
        std::size_t comma = allowed_networks.find(',');
        policy.allowed_.push_back(parse_network(trim_whitespace(allowed_networks.substr(0, comma))));
        if (comma == std::string_view::npos) break;
        allowed_networks.remove_prefix(comma + 1);
    }
    return policy;
}

AddressDenial AddressPolicy::judge(const sockaddr* socket_address) const noexcept {
    IpAddress address;
    if (!to_ip_address(socket_address, address)) return {"not an IPv4 or IPv6 address", nullptr};

    auto allowed = [this](const IpAddress& candidate) {
        for (const IpNetwork& network : allowed_) {
            if (network_contains(network, candidate)) return true;
        }
        return false;
    };
    if (allowed(address)) return {};
    if (!address.is_ipv6) return {ipv4_denial(address), nullptr};

    EmbeddedIpv4 embedded = embedded_ipv4(address);
    if (embedded.count == 0) return {ipv6_denial(address), nullptr};
    // Every IPv4 address the form stands for must be acceptable.
    for (int i = 0; i < embedded.count; ++i) {
        if (allowed(embedded.addresses[i])) continue;
        if (const char* range = ipv4_denial(embedded.addresses[i])) return {range, embedded.form};
    }
    return {};
}

std::string format_address(const sockaddr* address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address != nullptr && address->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text,
                  sizeof text);
        return text;
    }
    if (address != nullptr && address->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text,
                  sizeof text);
        return text;
    }
    return "unknown address";
}

std::string describe_denial(const sockaddr* address, const AddressDenial& denial) {
    std::string text = "address " + format_address(address) + " is not allowed (";
    if (denial.embedded_in != nullptr) {
        text += denial.embedded_in;
        text += " form of ";
    }
    text += denial.range ? denial.range : "allowed";
    text += "); webhook.allowed_networks can allow it";
    return text;
}

}  // namespace webhook
