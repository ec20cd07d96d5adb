#include "dns_answer.hpp"

#include <algorithm>

namespace mycompose::net {
namespace {

constexpr std::uint16_t kOurUdpSize = 4096;

bool visible_to(const DnsEndpoint& e, const std::string& client) {
  return e.only_for.empty() || std::find(e.only_for.begin(), e.only_for.end(), client) != e.only_for.end();
}

bool has_name(const DnsEndpoint& e, const std::string& key) {
  return std::any_of(e.names.begin(), e.names.end(), [&](const std::string& n) { return dns::normalize_name(n) == key; });
}

// The name a `links` alias of the asking container stands for; `key` itself otherwise.
std::string linked_name(const DnsAnswerContext& ctx, const std::string& key) {
  for (const DnsEndpoint& e : ctx.endpoints) {
    if (e.address != ctx.client) continue;
    for (const auto& [alias, target] : e.links)
      if (dns::normalize_name(alias) == key) return dns::normalize_name(target);
  }
  return key;
}

dns::Message reply_to(const dns::Message& query) {
  dns::Message r;
  r.header.id = query.header.id;
  r.header.qr = true;
  r.header.opcode = query.header.opcode;
  r.header.rd = query.header.rd;
  r.header.ra = true;
  r.header.cd = query.header.cd;
  r.questions = query.questions;
  bool edns = std::any_of(query.additional.begin(), query.additional.end(), [](const dns::Record& rec) { return rec.type == dns::type::OPT; });
  if (edns) r.additional.push_back({"", dns::type::OPT, kOurUdpSize, 0, ""});
  return r;
}

}  // namespace

dns::Message error_reply(const dns::Message& query, dns::Rcode rcode) {
  dns::Message r = reply_to(query);
  r.header.rcode = static_cast<std::uint8_t>(rcode);
  return r;
}

std::optional<dns::Message> answer_locally(const dns::Message& query, const DnsAnswerContext& ctx) {
  if (query.header.opcode != 0) return error_reply(query, dns::Rcode::NotImp);
  if (query.questions.size() != 1) return error_reply(query, dns::Rcode::FormErr);
  const dns::Question& q = query.questions[0];
  std::string key = dns::normalize_name(q.name);
  dns::Message r = reply_to(query);

  if (q.klass == dns::kClassIn && q.type == dns::type::PTR) {
    if (auto ip = dns::address_from_reverse_name(key)) {
      for (const DnsEndpoint& e : ctx.endpoints) {
        if (e.address == *ip && !e.ptr_name.empty() && visible_to(e, ctx.client)) {
          r.header.aa = true;
          r.answers.push_back({q.name, dns::type::PTR, dns::kClassIn, ctx.ttl, dns::encode_name(e.ptr_name)});
          return r;
        }
      }
    }
  } else {
    key = linked_name(ctx, key);
    std::vector<std::string> addresses;
    for (const DnsEndpoint& e : ctx.endpoints)
      if (visible_to(e, ctx.client) && has_name(e, key) &&
          std::find(addresses.begin(), addresses.end(), e.address) == addresses.end())
        addresses.push_back(e.address);
    if (!addresses.empty()) {
      r.header.aa = true;
      // Other types of a name we own (AAAA, MX...) get an empty NOERROR answer, as Docker
      // gives: the name exists, it just has no such record.
      if (q.klass == dns::kClassIn && (q.type == dns::type::A || q.type == dns::type::ANY)) {
        std::shuffle(addresses.begin(), addresses.end(), ctx.rng);
        for (const auto& a : addresses) r.answers.push_back({q.name, dns::type::A, dns::kClassIn, ctx.ttl, dns::a_rdata(a)});
      }
      return r;
    }
  }
  if (ctx.internal) return error_reply(query, dns::Rcode::NxDomain);
  return std::nullopt;
}

}  // namespace mycompose::net
