// DNS wire format: round trips, compression, malformed packets, truncation.
#include <catch2/catch.hpp>

#include "mycompose/net/dns_message.hpp"

using namespace mycompose::net::dns;

namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

// Header with the given counts, id 0x1234, RD set.
std::string header(int qd, int an = 0, int ns = 0, int ar = 0) {
  return bytes({0x12, 0x34, 0x01, 0x00, 0, qd, 0, an, 0, ns, 0, ar});
}

Message sample() {
  Message m;
  m.header.id = 0xBEEF;
  m.header.qr = true;
  m.header.rd = true;
  m.header.ra = true;
  m.header.rcode = 3;
  m.questions.push_back({"web.example.com", type::A, kClassIn});
  m.answers.push_back({"web.example.com", type::A, kClassIn, 600, a_rdata("10.0.0.2")});
  m.answers.push_back({"web.example.com", type::A, kClassIn, 600, a_rdata("10.0.0.3")});
  m.answers.push_back({"2.0.0.10.in-addr.arpa", type::PTR, kClassIn, 60, encode_name("demo-web-1")});
  m.authority.push_back({"example.com", type::SOA, kClassIn, 5,
                         encode_name("ns.example.com") + encode_name("admin.example.com") + std::string(20, '\x01')});
  m.additional.push_back({"", type::OPT, 4096, 0, ""});
  return m;
}

}  // namespace

TEST_CASE("dns message: serialize then parse gives the same message") {
  Message m = sample();
  std::string wire = serialize(m);
  Message back = parse(wire);
  CHECK(back.header.id == 0xBEEF);
  CHECK(back.header.qr);
  CHECK(back.header.rd);
  CHECK(back.header.ra);
  CHECK_FALSE(back.header.tc);
  CHECK(back.header.rcode == 3);
  CHECK(back.questions == m.questions);
  CHECK(back.answers == m.answers);
  CHECK(back.authority == m.authority);
  CHECK(back.additional == m.additional);
  CHECK(back.udp_size_limit() == 4096);
  CHECK(serialize(back) == wire);
}

TEST_CASE("dns message: owner names are compressed on write") {
  Message m = sample();
  std::string wire = serialize(m);
  // Question name at offset 12; both A answers refer to it by pointer.
  std::size_t q_end = 12 + encode_name("web.example.com").size() + 4;
  CHECK(wire.substr(q_end, 2) == bytes({0xC0, 0x0C}));
  std::size_t uncompressed = 12;
  for (auto& q : m.questions) uncompressed += encode_name(q.name).size() + 4;
  for (auto* sec : {&m.answers, &m.authority, &m.additional})
    for (auto& r : *sec) uncompressed += encode_name(r.name).size() + 10 + r.rdata.size();
  CHECK(wire.size() < uncompressed);
}

TEST_CASE("dns message: compression pointers in names and rdata are followed on read") {
  // q: www.example.com A; answer: name -> pointer to offset 12, CNAME rdata "cdn" + pointer
  // to "example.com" at offset 16.
  std::string p = header(1, 1);
  p += bytes({3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1});
  p += bytes({0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, 'c', 'd', 'n', 0xC0, 16});
  Message m = parse(p);
  REQUIRE(m.questions.size() == 1);
  CHECK(m.questions[0].name == "www.example.com");
  REQUIRE(m.answers.size() == 1);
  CHECK(m.answers[0].name == "www.example.com");
  CHECK(m.answers[0].type == type::CNAME);
  CHECK(m.answers[0].ttl == 60);
  // rdata is stored decompressed, so it stands on its own in another message.
  CHECK(m.answers[0].rdata == encode_name("cdn.example.com"));
  CHECK(parse(serialize(m)).answers == m.answers);
}

TEST_CASE("dns message: malformed packets are rejected with the reason and offset") {
  auto error_of = [](const std::string& p) {
    try {
      parse(p);
    } catch (const ParseError& e) {
      return std::string(e.what());
    }
    return std::string("parsed");
  };
  CHECK(error_of(bytes({1, 2, 3})) == "malformed DNS message: shorter than the 12-byte header at offset 0");
  // A pointer to itself, and two names pointing at each other: loops.
  CHECK(error_of(header(1) + bytes({0xC0, 12, 0, 1, 0, 1})) ==
        "malformed DNS message: compression pointer does not point backwards at offset 12");
  CHECK(error_of(header(1) + bytes({1, 'a', 0xC0, 12, 0, 1, 0, 1})) ==
        "malformed DNS message: compression pointer does not point backwards at offset 14");
  CHECK(error_of(header(2) + bytes({1, 'a', 0xC0, 20, 0, 1, 0, 1, 1, 'b', 0xC0, 12, 0, 1, 0, 1})) ==
        "malformed DNS message: compression pointer does not point backwards at offset 14");
  CHECK(error_of(header(1) + bytes({9, 'a', 'b', 0, 0, 0})) == "malformed DNS message: label runs past the end at offset 12");
  CHECK(error_of(header(1) + bytes({0x40, 'a', 0, 0, 1, 0, 1})) == "malformed DNS message: unknown label type at offset 12");
  CHECK(error_of(header(1) + bytes({1, 'a', 0, 0, 1})) == "malformed DNS message: truncated field at offset 17");
  CHECK(error_of(header(40)) == "malformed DNS message: record counts exceed the packet at offset 4");
  CHECK(error_of(header(1) + bytes({0, 0, 1, 0, 1, 9})) == "malformed DNS message: trailing bytes after the last record at offset 17");
  // Answer whose rdlength claims more than is there.
  CHECK(error_of(header(0, 1) + bytes({0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 9, 1, 2, 3, 4})) ==
        "malformed DNS message: rdata runs past the end at offset 23");
  // A PTR rdata whose name is shorter than rdlength says.
  CHECK(error_of(header(0, 1) + bytes({0, 0, 12, 0, 1, 0, 0, 0, 1, 0, 3, 0, 0, 0})) ==
        "malformed DNS message: rdata length does not match its content at offset 23");
  // 5 labels of 63 bytes: over the 255-byte name limit.
  std::string longname;
  for (int i = 0; i < 5; ++i) longname += static_cast<char>(63) + std::string(63, 'x');
  CHECK(error_of(header(1) + longname + bytes({0, 0, 1, 0, 1})) ==
        "malformed DNS message: name longer than 255 bytes at offset 204");
}

TEST_CASE("dns message: answers over the size limit are cut and TC is set, OPT kept") {
  Message m;
  m.header.id = 7;
  m.header.qr = true;
  m.questions.push_back({"web", type::A, kClassIn});
  for (int i = 0; i < 100; ++i) m.answers.push_back({"web", type::A, kClassIn, 600, a_rdata("10.0.1." + std::to_string(i))});
  m.additional.push_back({"", type::OPT, 1232, 0, ""});

  std::string full = serialize(m);
  CHECK_FALSE(parse(full).header.tc);
  CHECK(parse(full).answers.size() == 100);

  std::string cut = serialize(m, 512);
  CHECK(cut.size() <= 512);
  Message back = parse(cut);
  CHECK(back.header.tc);
  // 12 header + 9 question + 11 OPT leave 480 bytes: 30 answers of 16 bytes (compressed owner).
  CHECK(back.answers.size() == 30);
  REQUIRE(back.additional.size() == 1);
  CHECK(back.additional[0].type == type::OPT);
  for (std::size_t i = 0; i < back.answers.size(); ++i) CHECK(back.answers[i] == m.answers[i]);
}

TEST_CASE("dns message: names with escapes, limits, reverse names") {
  CHECK(decode_name(encode_name("a\\.b.c")) == "a\\.b.c");
  CHECK(encode_name("a\\.b.c") == bytes({3, 'a', '.', 'b', 1, 'c', 0}));
  CHECK(encode_name("x\\000y.") == bytes({3, 'x', 0, 'y', 0}));
  CHECK(decode_name(bytes({2, 'a', ' ', 0})) == "a\\032");
  CHECK(encode_name("") == bytes({0}));
  CHECK_THROWS_WITH(encode_name("a..b"), "DNS name \"a..b\": empty label");
  CHECK_THROWS_WITH(encode_name(std::string(64, 'a')), "DNS name \"" + std::string(64, 'a') + "\": label longer than 63 bytes");
  CHECK(normalize_name("Web.Default.") == "web.default");

  CHECK(reverse_name("172.18.0.3") == "3.0.18.172.in-addr.arpa");
  CHECK(address_from_reverse_name("3.0.18.172.IN-ADDR.ARPA.") == "172.18.0.3");
  CHECK_FALSE(address_from_reverse_name("0.18.172.in-addr.arpa"));
  CHECK_FALSE(address_from_reverse_name("300.0.18.172.in-addr.arpa"));
  CHECK_FALSE(address_from_reverse_name("example.com"));
  CHECK(a_text(a_rdata("10.1.2.3")) == "10.1.2.3");
  CHECK_THROWS_WITH(a_rdata("10.1.2"), "not an IPv4 address: \"10.1.2\"");
}
