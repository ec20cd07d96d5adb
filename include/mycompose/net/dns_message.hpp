#pragma once
// DNS wire format (RFC 1035, EDNS0 from RFC 6891): the messages the embedded DNS server
// reads and writes. Names are text with RFC 4343 escapes ("a\.b" is one label "a.b",
// "\000" a zero byte), without the trailing dot; the root is "".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mycompose/common/error.hpp"

namespace mycompose::net::dns {

namespace type {
constexpr std::uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28,
                        OPT = 41, ANY = 255;
}
constexpr std::uint16_t kClassIn = 1;

enum class Rcode : std::uint8_t { NoError = 0, FormErr = 1, ServFail = 2, NxDomain = 3, NotImp = 4, Refused = 5 };

// The largest UDP answer a client takes without EDNS (RFC 1035 4.2.1).
constexpr std::size_t kClassicUdpSize = 512;

struct Header {
  std::uint16_t id = 0;
  bool qr = false, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  std::uint8_t opcode = 0;  // 4 bits
  std::uint8_t rcode = 0;   // low 4 bits (EDNS extended bits are not used here)
};

struct Question {
  std::string name;
  std::uint16_t type = type::A;
  std::uint16_t klass = kClassIn;
  bool operator==(const Question&) const = default;
};

// rdata is the uncompressed wire form: names inside NS/CNAME/PTR/MX/SOA rdata are
// decompressed on read, so a parsed record can be written into any other message.
struct Record {
  std::string name;
  std::uint16_t type = type::A;
  std::uint16_t klass = kClassIn;
  std::uint32_t ttl = 0;
  std::string rdata;
  bool operator==(const Record&) const = default;
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<Record> answers, authority, additional;

  // The UDP payload size the sender accepts (EDNS OPT record), never below 512.
  std::size_t udp_size_limit() const;
};

// A packet that is not a well-formed DNS message; what() says what and where.
class ParseError : public Error {
 public:
  using Error::Error;
};

// Bounds-checked parse; follows compression pointers only backwards (so loops cannot
// occur) and rejects names over 255 bytes, labels over 63, trailing bytes, counts that
// overrun the packet. Throws ParseError.
Message parse(std::string_view packet);

// Just the 12-byte header (for answering FORMERR with the client's id); nullopt if short.
std::optional<Header> parse_header(std::string_view packet);

// Wire form with name compression for owner and question names. When the result would be
// longer than max_size, the records that do not fit are left out (answers first kept as
// far as they fit, authority and additional dropped, EDNS OPT kept) and TC is set.
std::string serialize(const Message& message, std::size_t max_size = 65535);

// Name text <-> uncompressed wire labels. encode_name throws Error for bad escapes or
// labels/names over the limits.
std::string encode_name(std::string_view name);
std::string decode_name(std::string_view wire);  // wire must be one uncompressed name

// Canonical lookup key: ASCII lower case, no trailing dot.
std::string normalize_name(std::string_view name);

// "10.0.0.7" -> 4 bytes of A rdata; throws Error for anything but a dotted IPv4 address.
std::string a_rdata(std::string_view ipv4);
// 4 bytes of A rdata -> "10.0.0.7".
std::string a_text(std::string_view rdata);
// "10.0.0.7" -> "7.0.0.10.in-addr.arpa"; and back (nullopt if the name is not an IPv4 PTR name).
std::string reverse_name(std::string_view ipv4);
std::optional<std::string> address_from_reverse_name(std::string_view name);

}  // namespace mycompose::net::dns
