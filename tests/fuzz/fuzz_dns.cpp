// libFuzzer target over the DNS message reader and writer (the embedded DNS server parses
// whatever a container sends it) and the server's own answers. Properties: parse either
// succeeds or throws ParseError; what parses serializes to a message that parses back
// equal, and its truncated form (512 bytes, TC) parses too; the local answer to it, cut
// to the client's UDP size, parses and fits. Anything else aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string_view>

#include "dns_answer.hpp"

#include "mycompose/net/dns_message.hpp"

using namespace mycompose::net::dns;

namespace {
bool same(const Message& a, const Message& b) {
  return a.questions == b.questions && a.answers == b.answers && a.authority == b.authority && a.additional == b.additional &&
         a.header.id == b.header.id && a.header.rcode == b.header.rcode && a.header.opcode == b.header.opcode;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view packet(reinterpret_cast<const char*>(data), size);
  Message m;
  try {
    m = parse(packet);
  } catch (const ParseError&) {
    return 0;
  }
  Message again = parse(serialize(m));
  if (!same(m, again)) std::abort();
  std::string cut = serialize(m, kClassicUdpSize);
  Message small = parse(cut);
  if (small.questions != m.questions) std::abort();
  if (small.answers.size() > m.answers.size()) std::abort();
  for (std::size_t i = 0; i < small.answers.size(); ++i)
    if (!(small.answers[i] == m.answers[i])) std::abort();
  for (const Question& q : m.questions) normalize_name(q.name), address_from_reverse_name(q.name);

  static const std::vector<mycompose::net::DnsEndpoint> endpoints = {
      {"10.0.0.2", {"web", "demo-web-1"}, "demo-web-1", {}},
      {"10.0.0.3", {"web", "demo-web-2"}, "demo-web-2", {}},
      {"10.0.0.4", {"alias"}, "", {"10.0.0.2"}},
  };
  static std::mt19937 rng(1);
  for (bool internal : {false, true}) {
    auto reply = mycompose::net::answer_locally(m, {endpoints, "10.0.0.2", internal, 600, rng});
    if (!reply) {
      if (internal) std::abort();  // internal networks never forward
      continue;
    }
    std::string wire = serialize(*reply, m.udp_size_limit());
    if (wire.size() > std::max<std::size_t>(m.udp_size_limit(), 12 + 4 + 255 * m.questions.size() + 11)) std::abort();
    if (parse(wire).header.id != m.header.id) std::abort();
  }
  return 0;
}
