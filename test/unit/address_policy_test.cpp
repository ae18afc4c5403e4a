#include "core/address_policy.hpp"
#include "core/error.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include <string>

namespace {

// A resolved address as libcurl would hand it to the open-socket callback.
struct SocketAddress {
    sockaddr_storage storage{};
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

SocketAddress socket_address(const std::string& text) {
    SocketAddress address;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
    if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(443);
    } else if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(443);
    } else {
        ADD_FAILURE() << "bad test address " << text;
    }
    return address;
}

bool allowed_by(const webhook::AddressPolicy& policy, const std::string& text) {
    return policy.allows(socket_address(text).get());
}

const webhook::AddressPolicy kDefault;

}  // namespace

TEST(AddressPolicy, AllowsPublicAddresses) {
    for (const char* text :
         {"8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.15.255.255",
          "172.32.0.0", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0",
          "223.255.255.255", "11.0.0.0", "169.253.255.255", "2606:4700:4700::1111",
          "2001:4860:4860::8888", "2a00:1450:4001:82b::200e", "3ffe:ffff::1"}) {
        EXPECT_TRUE(allowed_by(kDefault, text)) << text;
    }
}

TEST(AddressPolicy, DeniesSpecialIpv4RangesAtTheirEdges) {
    struct Case {
        const char* address;
        const char* range_word;
    };
    for (const Case& c : std::initializer_list<Case>{{"0.0.0.0", "this network"},
                                                     {"0.255.255.255", "this network"},
                                                     {"10.0.0.0", "private"},
                                                     {"10.255.255.255", "private"},
                                                     {"100.64.0.0", "carrier-grade"},
                                                     {"100.127.255.255", "carrier-grade"},
                                                     {"127.0.0.1", "loopback"},
                                                     {"127.255.255.254", "loopback"},
                                                     {"169.254.0.1", "link-local"},
                                                     {"169.254.169.254", "link-local"},
                                                     {"172.16.0.0", "private"},
                                                     {"172.31.255.255", "private"},
                                                     {"192.0.0.8", "IETF"},
                                                     {"192.0.2.1", "documentation"},
                                                     {"192.88.99.1", "6to4 relay"},
                                                     {"192.168.0.1", "private"},
                                                     {"192.168.255.255", "private"},
                                                     {"198.18.0.0", "benchmarking"},
                                                     {"198.19.255.255", "benchmarking"},
                                                     {"198.51.100.7", "documentation"},
                                                     {"203.0.113.9", "documentation"},
                                                     {"224.0.0.1", "multicast"},
                                                     {"239.255.255.255", "multicast"},
                                                     {"240.0.0.1", "reserved"},
                                                     {"255.255.255.254", "reserved"},
                                                     {"255.255.255.255", "broadcast"}}) {
        webhook::AddressDenial denial = kDefault.judge(socket_address(c.address).get());
        ASSERT_TRUE(denial.denied()) << c.address;
        EXPECT_NE(std::string(denial.range).find(c.range_word), std::string::npos)
            << c.address << " judged " << denial.range;
        EXPECT_EQ(denial.embedded_in, nullptr);
    }
}

TEST(AddressPolicy, DeniesSpecialIpv6Ranges) {
    struct Case {
        const char* address;
        const char* range_word;
    };
    for (const Case& c : std::initializer_list<Case>{{"::", "unspecified"},
                                                     {"::1", "loopback"},
                                                     {"::5", "reserved"},
                                                     {"fc00::1", "unique local"},
                                                     {"fdff:ffff::1", "unique local"},
                                                     {"fe80::1", "link-local"},
                                                     {"febf:ffff::1", "link-local"},
                                                     {"fec0::1", "site-local"},
                                                     {"ff02::1", "multicast"},
                                                     {"ff0e::101", "multicast"},
                                                     {"2001:db8::1", "documentation"},
                                                     {"2001:db8:ffff::1", "documentation"},
                                                     {"3fff::1", "documentation"},
                                                     {"2001:2::1", "benchmarking"},
                                                     {"2001:10::1", "ORCHID"},
                                                     {"2001:20::1", "ORCHIDv2"},
                                                     {"100::1", "discard"},
                                                     {"64:ff9b:1::a00:1", "local-use NAT64"},
                                                     {"64:ff9b:1:ffff::808:808", "local-use NAT64"},
                                                     {"4000::1", "reserved"},
                                                     {"1000::1", "reserved"},
                                                     {"e000::1", "reserved"}}) {
        webhook::AddressDenial denial = kDefault.judge(socket_address(c.address).get());
        ASSERT_TRUE(denial.denied()) << c.address;
        EXPECT_NE(std::string(denial.range).find(c.range_word), std::string::npos)
            << c.address << " judged " << denial.range;
    }
}

TEST(AddressPolicy, JudgesIpv6FormsByTheirEmbeddedIpv4Address) {
    struct Case {
        const char* address;
        const char* form;
        const char* range_word;  // nullptr: allowed
    };
    for (const Case& c : std::initializer_list<Case>{
             {"::ffff:127.0.0.1", "IPv4-mapped", "loopback"},
             {"::ffff:10.1.2.3", "IPv4-mapped", "private"},
             {"::ffff:169.254.169.254", "IPv4-mapped", "link-local"},
             {"::ffff:8.8.8.8", nullptr, nullptr},
             {"::ffff:0:192.168.1.1", "IPv4-translated", "private"},
             {"::ffff:0:8.8.4.4", nullptr, nullptr},
             {"::127.0.0.1", "IPv4-compatible", "loopback"},
             {"::10.0.0.1", "IPv4-compatible", "private"},
             {"::8.8.8.8", nullptr, nullptr},
             {"64:ff9b::127.0.0.1", "NAT64", "loopback"},
             {"64:ff9b::a9fe:a9fe", "NAT64", "link-local"},
             {"64:ff9b::808:808", nullptr, nullptr},
             {"2002:7f00:1::", "6to4", "loopback"},
             {"2002:c0a8:101::1", "6to4", "private"},
             {"2002:808:808::1", nullptr, nullptr},
             // Teredo: server 65.54.227.120, client 127.0.0.1 stored inverted.
             {"2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo", "loopback"},
             // Teredo: server 10.0.0.1 (private), client 8.8.8.8.
             {"2001:0:a00:1:8000:63bf:f7f7:f7f7", "Teredo", "private"},
             // Teredo: server 65.54.227.120, client 8.8.8.8.
             {"2001:0:4136:e378:8000:63bf:f7f7:f7f7", nullptr, nullptr}}) {
        webhook::AddressDenial denial = kDefault.judge(socket_address(c.address).get());
        if (c.range_word == nullptr) {
            EXPECT_FALSE(denial.denied()) << c.address << " judged " << denial.range;
            continue;
        }
        ASSERT_TRUE(denial.denied()) << c.address;
        EXPECT_NE(std::string(denial.range).find(c.range_word), std::string::npos)
            << c.address << " judged " << denial.range;
        ASSERT_NE(denial.embedded_in, nullptr) << c.address;
        EXPECT_STREQ(denial.embedded_in, c.form) << c.address;
    }
}

TEST(AddressPolicy, AllowedNetworksLetRangesThrough) {
    webhook::AddressPolicy policy = webhook::AddressPolicy::parse(" 127.0.0.0/8 , fd00::/8,::1");
    ASSERT_EQ(policy.allowed_networks().size(), 3u);
    EXPECT_TRUE(allowed_by(policy, "127.0.0.1"));
    EXPECT_TRUE(allowed_by(policy, "127.1.2.3"));
    EXPECT_TRUE(allowed_by(policy, "fd12:3456::1"));
    EXPECT_TRUE(allowed_by(policy, "::1"));
    // The embedded forms of an allowed IPv4 network are allowed too.
    EXPECT_TRUE(allowed_by(policy, "::ffff:127.0.0.1"));
    EXPECT_TRUE(allowed_by(policy, "64:ff9b::7f00:1"));
    // Only what was listed.
    EXPECT_FALSE(allowed_by(policy, "10.0.0.1"));
    EXPECT_FALSE(allowed_by(policy, "fc00::1"));
    EXPECT_FALSE(allowed_by(policy, "::2"));
    EXPECT_FALSE(allowed_by(policy, "::ffff:10.0.0.1"));
    EXPECT_FALSE(allowed_by(policy, "169.254.169.254"));
}

TEST(AddressPolicy, PrefixLengthsAreHonouredBitByBit) {
    webhook::AddressPolicy policy = webhook::AddressPolicy::parse("10.1.2.0/23,fe80::/11");
    EXPECT_TRUE(allowed_by(policy, "10.1.2.0"));
    EXPECT_TRUE(allowed_by(policy, "10.1.3.255"));
    EXPECT_FALSE(allowed_by(policy, "10.1.4.0"));
    EXPECT_FALSE(allowed_by(policy, "10.1.1.255"));
    EXPECT_TRUE(allowed_by(policy, "fe9f::1"));
    EXPECT_FALSE(allowed_by(policy, "fea0::1"));

    webhook::AddressPolicy everything = webhook::AddressPolicy::parse("0.0.0.0/0, ::/0");
    for (const char* text :
         {"127.0.0.1", "10.0.0.1", "255.255.255.255", "::1", "fe80::1", "::ffff:127.0.0.1"}) {
        EXPECT_TRUE(allowed_by(everything, text)) << text;
    }
}

TEST(AddressPolicy, EmptyListAllowsNothingExtra) {
    for (const char* text : {"", "   "}) {
        webhook::AddressPolicy policy = webhook::AddressPolicy::parse(text);
        EXPECT_TRUE(policy.allowed_networks().empty());
        EXPECT_FALSE(allowed_by(policy, "127.0.0.1"));
        EXPECT_TRUE(allowed_by(policy, "8.8.8.8"));
    }
}

TEST(AddressPolicy, RefusesMalformedNetworks) {
    for (const char* text : {"127.0.0.0/33", "::/129", "127.0.0.1/8", "fe80::1/10", "localhost",
                             "127.0.0/8", "127.0.0.0/", "127.0.0.0/-1", "127.0.0.0/8x",
                             "10.0.0.0/8,", ",10.0.0.0/8", "10.0.0.0/8,,::1", "10.0.0.0 /8",
                             "1.2.3.4.5", "::ffff::1", "0127.0.0.1", "10.0.0.0/0008"}) {
        try {
            webhook::AddressPolicy::parse(text);
            ADD_FAILURE() << "accepted " << text;
        } catch (const webhook::Error& error) {
            EXPECT_EQ(error.sqlstate(), "22023") << text;
            EXPECT_NE(error.detail().find("The item"), std::string::npos) << text;
            EXPECT_FALSE(error.hint().empty()) << text;
        }
    }
}

TEST(AddressPolicy, DescribesDenialsForTheAttemptLog) {
    SocketAddress loopback = socket_address("127.0.0.1");
    EXPECT_EQ(webhook::describe_denial(loopback.get(), kDefault.judge(loopback.get())),
              "address 127.0.0.1 is not allowed (loopback 127.0.0.0/8); "
              "webhook.allowed_networks can allow it");
    SocketAddress mapped = socket_address("::ffff:10.0.0.1");
    EXPECT_EQ(webhook::describe_denial(mapped.get(), kDefault.judge(mapped.get())),
              "address ::ffff:10.0.0.1 is not allowed (IPv4-mapped form of private 10.0.0.0/8); "
              "webhook.allowed_networks can allow it");
}

TEST(AddressPolicy, RefusesNonIpFamilies) {
    sockaddr unix_address{};
    unix_address.sa_family = AF_UNIX;
    EXPECT_FALSE(kDefault.allows(&unix_address));
    EXPECT_FALSE(kDefault.allows(nullptr));
}
