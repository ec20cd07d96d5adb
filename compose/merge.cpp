#include "mycompose/compose/merge.hpp"

#include <map>
#include <string_view>
#include <vector>

#include "mycompose/compose/error.hpp"

namespace mycompose::compose {
namespace {

using Path = std::vector<std::string>;

std::string dotted(const Path& p) {
  std::string out;
  for (const auto& s : p) out += (out.empty() ? "" : ".") + s;
  return out;
}

// "services.*.ulimits.*": '*' stands for exactly one key.
bool matches(const Path& p, std::string_view pattern) {
  std::size_t i = 0, start = 0;
  for (;;) {
    std::size_t dot = pattern.find('.', start);
    std::string_view seg = pattern.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (i >= p.size() || (seg != "*" && seg != p[i])) return false;
    ++i;
    if (dot == std::string_view::npos) return i == p.size();
    start = dot + 1;
  }
}

// ---- merge rules -------------------------------------------------------------------

enum class Rule { Default, Replace, KeyValue, Sequence, ExtraHosts, AsMapping, DependsOn, Build, Logging, Ulimit, IpamConfig };

struct PathRule {
  std::string_view pattern;
  Rule rule;
};

constexpr PathRule kMergeRules[] = {
    {"services.*.command", Rule::Replace},
    {"services.*.entrypoint", Rule::Replace},
    {"services.*.healthcheck.test", Rule::Replace},
    {"services.*.environment", Rule::KeyValue},
    {"services.*.labels", Rule::KeyValue},
    {"services.*.annotations", Rule::KeyValue},
    {"services.*.sysctls", Rule::KeyValue},
    {"services.*.build.args", Rule::KeyValue},
    {"services.*.build.labels", Rule::KeyValue},
    {"services.*.build.additional_contexts", Rule::KeyValue},
    {"services.*.deploy.labels", Rule::KeyValue},
    {"networks.*.labels", Rule::KeyValue},
    {"volumes.*.labels", Rule::KeyValue},
    {"secrets.*.labels", Rule::KeyValue},
    {"configs.*.labels", Rule::KeyValue},
    {"services.*.dns", Rule::Sequence},
    {"services.*.dns_opt", Rule::Sequence},
    {"services.*.dns_search", Rule::Sequence},
    {"services.*.env_file", Rule::Sequence},
    {"services.*.label_file", Rule::Sequence},
    {"services.*.tmpfs", Rule::Sequence},
    {"services.*.extra_hosts", Rule::ExtraHosts},
    {"services.*.build.extra_hosts", Rule::ExtraHosts},
    {"services.*.networks", Rule::AsMapping},
    {"services.*.depends_on", Rule::DependsOn},
    {"services.*.build", Rule::Build},
    {"services.*.logging", Rule::Logging},
    {"services.*.ulimits.*", Rule::Ulimit},
    {"networks.*.ipam.config", Rule::IpamConfig},
};

Rule rule_for(const Path& p) {
  for (const auto& r : kMergeRules)
    if (matches(p, r.pattern)) return r.rule;
  return Rule::Default;
}

Node scalar_like(const Node& proto, std::string value) {
  return Node::scalar(std::move(value), proto.mark, true);
}

// `KEY: value` maps become `KEY=value` lists (null → `KEY`), a string a one-item list.
Node to_sequence(const Node& n, const Path& path) {
  if (n.is_sequence()) return n;
  Node seq = Node::sequence(n.mark);
  if (n.is_scalar()) {
    seq.items.push_back(n);
  } else if (n.is_map()) {
    for (const auto& e : n.entries) {
      const Node& v = e.value;
      if (v.is_null()) {
        seq.items.push_back(Node::scalar(e.key, e.key_mark, true));
      } else if (v.is_scalar()) {
        seq.items.push_back(scalar_like(v, e.key + "=" + v.value));
      } else if (v.is_sequence()) {
        for (const auto& item : v.items) {
          if (!item.is_scalar()) throw ComposeError(item.mark, dotted(path) + "." + e.key + ": must be a string, number, boolean or null");
          seq.items.push_back(scalar_like(item, e.key + "=" + item.value));
        }
      } else {
        throw ComposeError(v.mark, dotted(path) + "." + e.key + ": must be a string, number, boolean or null");
      }
    }
  }
  return seq;
}

// A list of names becomes a map of name → `fill` (null for networks, the default
// condition for depends_on).
Node to_mapping(const Node& n, const Node& fill) {
  if (!n.is_sequence()) return n;
  Node m = Node::map(n.mark);
  for (const auto& item : n.items) {
    if (!item.is_scalar()) return n;  // not a list of names: leave it for validation to report
    Node v = fill;
    v.mark = item.mark;
    m.set(item.value, v, item.mark);
  }
  return m;
}

std::string key_of_assignment(const Node& n) {
  if (!n.is_scalar()) return {};
  return n.value.substr(0, n.value.find('='));
}

Node unique_by(const Node& seq, std::string (*key)(const Node&));

Node merge_at(const Node& base, const Node& over, const Path& path);

Node merge_maps(const Node& base, const Node& over, const Path& path) {
  Node out = base;
  for (const auto& e : over.entries) {
    if (e.value.tag == "!reset") {
      out.erase(e.key);
      continue;
    }
    Node* existing = out.find(e.key);
    if (e.value.tag == "!override" || !existing) {
      Node v = e.value;
      if (v.tag == "!override") v.tag.clear();
      if (existing)
        *existing = std::move(v);
      else
        out.entries.push_back(MapEntry{e.key, e.key_mark, std::move(v)});
      continue;
    }
    Path next = path;
    next.push_back(e.key);
    *existing = merge_at(*existing, e.value, next);
  }
  return out;
}

Node merge_default(const Node& base, const Node& over, const Path& path) {
  if (over.is_null()) return base;
  if (base.is_map()) {
    if (!over.is_map())
      throw ComposeError(over.mark, "cannot override " + dotted(path) + ": a " + over.kind_name() + " cannot replace a mapping");
    return merge_maps(base, over, path);
  }
  if (base.is_sequence()) {
    if (!over.is_sequence())
      throw ComposeError(over.mark, "cannot override " + dotted(path) + ": a " + over.kind_name() + " cannot replace a sequence");
    Node out = base;
    out.items.insert(out.items.end(), over.items.begin(), over.items.end());
    return out;
  }
  return over;
}

Node append_sequences(const Node& base, const Node& over, const Path& path) {
  Node out = to_sequence(base, path);
  Node more = to_sequence(over, path);
  out.items.insert(out.items.end(), more.items.begin(), more.items.end());
  return out;
}

Node merge_at(const Node& base, const Node& over, const Path& path) {
  switch (rule_for(path)) {
    case Rule::Replace:
      return over;
    case Rule::KeyValue:
      if (base.is_map() && over.is_map()) return merge_maps(base, over, path);
      if (over.is_null()) return base;
      return unique_by(append_sequences(base, over, path), key_of_assignment);
    case Rule::Sequence:
      if (over.is_null()) return base;
      return append_sequences(base, over, path);
    case Rule::ExtraHosts: {
      if (over.is_null()) return base;
      Node out = to_sequence(base, path);
      for (const auto& item : to_sequence(over, path).items) {
        bool dup = false;
        for (const auto& b : out.items) dup = dup || (b.is_scalar() && item.is_scalar() && b.value == item.value);
        if (!dup) out.items.push_back(item);
      }
      return out;
    }
    case Rule::AsMapping:
      return merge_default(to_mapping(base, Node::null()), to_mapping(over, Node::null()), path);
    case Rule::DependsOn: {
      Node fill = Node::map();
      fill.set("condition", Node::scalar("service_started"));
      fill.set("required", Node::scalar("true"));
      return merge_default(to_mapping(base, fill), to_mapping(over, fill), path);
    }
    case Rule::Build: {
      auto as_map = [](const Node& n) {
        if (!n.is_scalar()) return n;
        Node m = Node::map(n.mark);
        m.set("context", n, n.mark);
        return m;
      };
      return merge_default(as_map(base), as_map(over), path);
    }
    case Rule::Logging: {
      const Node* d1 = base.find("driver");
      const Node* d2 = over.find("driver");
      if (d1 && d2 && d1->is_scalar() && d2->is_scalar() && d1->value != d2->value) return over;
      return merge_default(base, over, path);
    }
    case Rule::Ulimit:
      return over.is_null() ? base : over;
    case Rule::IpamConfig: {
      if (!base.is_sequence() || !over.is_sequence()) return merge_default(base, over, path);
      Node out = base;
      for (const auto& o : over.items) {
        const Node* subnet = o.find("subnet");
        Node* same = nullptr;
        for (auto& b : out.items) {
          const Node* bs = b.find("subnet");
          if (subnet && bs && subnet->value == bs->value) same = &b;
        }
        if (same && same->is_map() && o.is_map())
          *same = merge_maps(*same, o, path);
        else
          out.items.push_back(o);
      }
      return out;
    }
    case Rule::Default:
      break;
  }
  return merge_default(base, over, path);
}

// ---- unicity ---------------------------------------------------------------------

std::string scalar_or_empty(const Node* n) { return n && n->is_scalar() ? n->value : std::string(); }

std::string key_of_volume(const Node& n) {
  if (n.is_map()) return scalar_or_empty(n.find("target"));
  if (!n.is_scalar()) return {};
  // SOURCE:TARGET[:MODE] or TARGET alone.
  auto first = n.value.find(':');
  if (first == std::string::npos) return n.value;
  auto second = n.value.find(':', first + 1);
  return n.value.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
}

std::string key_of_device(const Node& n) { return key_of_volume(n); }

std::string key_of_port(const Node& n) {
  if (n.is_scalar()) return n.value;
  if (!n.is_map()) return {};
  std::string host = scalar_or_empty(n.find("host_ip"));
  std::string proto = scalar_or_empty(n.find("protocol"));
  return (host.empty() ? "0.0.0.0" : host) + ":" + scalar_or_empty(n.find("published")) + ":" +
         scalar_or_empty(n.find("target")) + "/" + (proto.empty() ? "tcp" : proto);
}

std::string key_of_secret(const Node& n) {
  if (n.is_scalar()) return "/run/secrets/" + n.value;
  if (!n.is_map()) return {};
  std::string t = scalar_or_empty(n.find("target"));
  return t.empty() ? "/run/secrets/" + scalar_or_empty(n.find("source")) : t;
}

std::string key_of_config(const Node& n) {
  if (n.is_scalar()) return "/" + n.value;
  if (!n.is_map()) return {};
  std::string t = scalar_or_empty(n.find("target"));
  return t.empty() ? "/" + scalar_or_empty(n.find("source")) : t;
}

std::string key_of_env_file(const Node& n) { return n.is_map() ? scalar_or_empty(n.find("path")) : scalar_or_empty(&n); }
std::string key_of_scalar(const Node& n) { return scalar_or_empty(&n); }

struct UniqueRule {
  std::string_view pattern;
  std::string (*key)(const Node&);
};

constexpr UniqueRule kUniqueRules[] = {
    {"services.*.environment", key_of_assignment},
    {"services.*.labels", key_of_assignment},
    {"services.*.annotations", key_of_assignment},
    {"services.*.sysctls", key_of_assignment},
    {"services.*.build.args", key_of_assignment},
    {"services.*.build.labels", key_of_assignment},
    {"services.*.build.additional_contexts", key_of_assignment},
    {"services.*.build.tags", key_of_assignment},
    {"services.*.build.platforms", key_of_assignment},
    {"services.*.deploy.labels", key_of_assignment},
    {"services.*.cap_add", key_of_assignment},
    {"services.*.cap_drop", key_of_assignment},
    {"services.*.dns", key_of_assignment},
    {"services.*.dns_opt", key_of_assignment},
    {"services.*.dns_search", key_of_assignment},
    {"services.*.links", key_of_assignment},
    {"services.*.profiles", key_of_assignment},
    {"services.*.tmpfs", key_of_assignment},
    {"services.*.networks.*.aliases", key_of_assignment},
    {"services.*.networks.*.link_local_ips", key_of_assignment},
    {"networks.*.labels", key_of_assignment},
    {"networks.*.ipam.options", key_of_assignment},
    {"volumes.*.labels", key_of_assignment},
    {"services.*.expose", key_of_scalar},
    {"services.*.env_file", key_of_env_file},
    {"services.*.ports", key_of_port},
    {"services.*.volumes", key_of_volume},
    {"services.*.devices", key_of_device},
    {"services.*.secrets", key_of_secret},
    {"services.*.configs", key_of_config},
};

// The last definition wins, at the place of the first. Entries without a key (of a shape
// validation will reject) are kept as they are.
Node unique_by(const Node& seq, std::string (*key)(const Node&)) {
  Node out = seq;
  out.items.clear();
  std::map<std::string, std::size_t> seen;
  for (const auto& item : seq.items) {
    std::string k = key(item);
    auto it = k.empty() ? seen.end() : seen.find(k);
    if (it != seen.end()) {
      out.items[it->second] = item;
    } else {
      if (!k.empty()) seen[k] = out.items.size();
      out.items.push_back(item);
    }
  }
  return out;
}

// In place, and only down the paths a rule can still reach (`rules`: the indexes in
// kUniqueRules whose first `depth` segments match the path so far). Copying every subtree
// at every level, and matching every rule at every node, was a visible share of `config`.
void unicity_in(Node& n, std::size_t depth, const std::vector<std::size_t>& rules) {
  static const std::vector<std::vector<std::string_view>> segments = [] {
    std::vector<std::vector<std::string_view>> all;
    for (const auto& r : kUniqueRules) {
      std::vector<std::string_view> segs;
      std::string_view p = r.pattern;
      for (std::size_t dot; (dot = p.find('.')) != std::string_view::npos; p.remove_prefix(dot + 1)) segs.push_back(p.substr(0, dot));
      segs.push_back(p);
      all.push_back(std::move(segs));
    }
    return all;
  }();
  if (n.is_sequence()) {
    for (std::size_t r : rules)
      if (segments[r].size() == depth) {
        n = unique_by(n, kUniqueRules[r].key);
        return;
      }
    return;
  }
  if (!n.is_map()) return;
  std::vector<std::size_t> next;
  for (auto& e : n.entries) {
    if (!e.value.is_map() && !e.value.is_sequence()) continue;
    next.clear();
    for (std::size_t r : rules)
      if (segments[r].size() > depth && (segments[r][depth] == "*" || segments[r][depth] == e.key)) next.push_back(r);
    if (!next.empty()) unicity_in(e.value, depth + 1, next);
  }
}

// The node without its children.
Node shell_of(const Node& n) {
  Node out;
  out.kind = n.kind;
  out.value = n.value;
  out.quoted = n.quoted;
  out.tag = n.tag;
  out.mark = n.mark;
  return out;
}

}  // namespace

Node strip_merge_tags(const Node& n) {
  Node out = shell_of(n);
  if (out.tag == "!reset" || out.tag == "!override") out.tag.clear();
  if (n.is_map()) {
    out.entries.reserve(n.entries.size());
    for (const auto& e : n.entries)
      if (e.value.tag != "!reset") out.entries.push_back(MapEntry{e.key, e.key_mark, strip_merge_tags(e.value)});
  } else if (n.is_sequence()) {
    out.items.reserve(n.items.size());
    for (const auto& i : n.items)
      if (i.tag != "!reset") out.items.push_back(strip_merge_tags(i));
  }
  return out;
}

Node merge_files(const Node& base, const Node& over) {
  if (!base.is_map() || !over.is_map()) return strip_merge_tags(over);
  return strip_merge_tags(merge_maps(base, over, {}));
}

Node merge_service(const Node& base, const Node& over) {
  if (!base.is_map() || !over.is_map()) return strip_merge_tags(over);
  return strip_merge_tags(merge_maps(base, over, {"services", "*"}));
}

Node enforce_unicity(const Node& document) {
  Node out = document;
  std::vector<std::size_t> all(std::size(kUniqueRules));
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  unicity_in(out, 0, all);
  return out;
}

}  // namespace mycompose::compose
