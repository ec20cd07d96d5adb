#pragma once
// What the embedded DNS server answers itself, from one network's endpoints; no sockets,
// so it is tested directly.
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "mycompose/net/dns_message.hpp"
#include "mycompose/net/dns_server.hpp"

namespace mycompose::net {

struct DnsAnswerContext {
  const std::vector<DnsEndpoint>& endpoints;
  const std::string& client;  // the asking container's address
  bool internal;              // never forward: unknown names are NXDOMAIN
  std::uint32_t ttl;
  std::mt19937& rng;
};

// The reply to `query`, or nullopt when it must be forwarded upstream.
std::optional<dns::Message> answer_locally(const dns::Message& query, const DnsAnswerContext& ctx);

// A reply with no records and the given rcode (FORMERR, SERVFAIL, NOTIMP...).
dns::Message error_reply(const dns::Message& query, dns::Rcode rcode);

}  // namespace mycompose::net
