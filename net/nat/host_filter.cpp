// Coexisting with the host's iptables (a host that also runs Docker). Docker sets the
// iptables FORWARD policy to DROP when it enables forwarding itself, and with br_netfilter
// even traffic between two ports of one bridge goes through that chain. A drop there is
// final whatever our own table accepts (every table's base chains are traversed), so, as
// Docker does for its bridges, we put accept rules for our bridges at the top of the
// host's `table ip filter` chain FORWARD (iptables-nft's), without touching its policy,
// and take them away with the last network.
//
// The rules are broad on purpose (`iifname BR accept`, `oifname BR accept`): what must not
// pass (other networks, unpublished ports from other hosts, internal networks) is dropped
// by our own table's forward chain, and a drop in any table wins. They use only what
// iptables-nft can read back (interface match, accept, comment), so `iptables -L` and
// `iptables-save` on the host keep working; the comment names our table, so `system check`
// and cleanup find exactly ours. Legacy iptables (x_tables) is not nftables and not seen.
#include "host_filter.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <utility>

#include "mycompose/net/nat.hpp"
#include "nft_context.hpp"

namespace mycompose::net {
namespace {

constexpr const char* kChain = "ip filter FORWARD";

struct ForwardChain {
  bool exists = false;  // a base chain on the forward hook
  std::vector<HostFilterRule> ours;
};

ForwardChain read_forward_chain(const std::string& tag) {
  ForwardChain c;
  std::string out;
  try {
    out = nft::Context(true).run(std::string("list chain ") + kChain, "nftables: list chain");
  } catch (const Error&) {
    return c;  // no such table or chain: nothing to coexist with
  }
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.contains("nftables") || !j["nftables"].is_array()) return c;
  for (const auto& item : j["nftables"]) {
    if (item.contains("chain")) c.exists = item["chain"].value("hook", "") == "forward";
    if (!item.contains("rule") || item["rule"].value("comment", "") != tag) continue;
    const auto& r = item["rule"];
    HostFilterRule rule{"FORWARD", "", "", r.value("handle", std::uint64_t{0})};
    // [{"match": {"left": {"meta": {"key": "iifname"}}, "right": "<bridge>", ...}}, {"accept": null}]
    if (r.contains("expr") && r["expr"].is_array())
      for (const auto& e : r["expr"]) {
        if (!e.contains("match") || !e["match"].contains("left") || !e["match"]["left"].contains("meta")) continue;
        rule.direction = e["match"]["left"]["meta"].value("key", "");
        if (e["match"].contains("right") && e["match"]["right"].is_string()) rule.bridge = e["match"]["right"];
      }
    c.ours.push_back(rule);
  }
  return c;
}

}  // namespace

std::vector<HostFilterRule> host_filter_rules(const std::string& tag) { return read_forward_chain(tag).ours; }

std::string host_filter_script(const std::string& tag, const std::vector<std::string>& bridges) {
  const ForwardChain chain = read_forward_chain(tag);
  std::set<std::pair<std::string, std::string>> want, have;
  if (chain.exists)
    for (const auto& b : bridges) {
      want.insert({"iifname", b});  // out of the bridge, and bridge-internal with br_netfilter
      want.insert({"oifname", b});  // into it (our table drops all but replies and published ports)
    }
  for (const auto& r : chain.ours) have.insert({r.direction, r.bridge});
  if (have == want && chain.ours.size() == want.size()) return "";
  std::string script;
  for (const auto& r : chain.ours) script += std::string("delete rule ") + kChain + " handle " + std::to_string(r.handle) + "\n";
  for (const auto& [dir, bridge] : want)
    script += std::string("insert rule ") + kChain + " " + dir + " \"" + bridge + "\" accept comment \"" + tag + "\"\n";
  return script;
}

}  // namespace mycompose::net
