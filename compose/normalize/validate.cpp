// Consistency checks over the whole model (compose-go's checkConsistency): every reference
// names something defined, depends_on has no cycle, a service can be created at all.
// Errors point at the reference in the file.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "mycompose/compose/error.hpp"
#include "stages.hpp"

namespace mycompose::compose::schema {

// develop.cpp: develop.watch entries that copy files name a target.
void check_develop(const std::string& service, const json& develop, const Mark& where);

namespace {

struct ServiceNodes {
  std::map<std::string, const MapEntry*> by_name;
};

// Position of the reference `name` under service key `key` (list item, mapping key, a
// short-syntax string starting with the name, or a long form with that source).
Mark ref_mark(const MapEntry* svc, const std::string& key, const std::string& name) {
  if (!svc) return {};
  const Node* n = svc->value.find(key);
  if (!n) return svc->key_mark;
  auto matches = [&](const std::string& v) {
    return v == name || v.rfind(name + ":", 0) == 0 || v.rfind("service:" + name, 0) == 0;
  };
  if (n->is_scalar() && matches(n->value)) return n->mark;
  for (const auto& item : n->items) {
    if (item.is_scalar() && matches(item.value)) return item.mark;
    if (const Node* src = item.find("source"); src && src->value == name) return src->mark;
  }
  for (const auto& e : n->entries)
    if (e.key == name) return e.key_mark;
  return n->mark;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string disabled_note(const NormalizeContext& ctx, const std::string& name) {
  auto it = ctx.disabled_services.find(name);
  if (it == ctx.disabled_services.end()) return "";
  std::vector<std::string> quoted;
  for (const auto& p : it->second) quoted.push_back("\"" + p + "\"");
  return " which is disabled by profile(s) " + join(quoted, ", ") + " (enable with --profile " +
         (it->second.empty() ? std::string("…") : it->second[0]) + ")";
}

class Checker {
 public:
  Checker(const Node& merged, json& model, const NormalizeContext& ctx, std::vector<std::string>& warnings)
      : model_(model), ctx_(ctx), warnings_(warnings) {
    if (const Node* s = merged.find("services"))
      for (const auto& e : s->entries) nodes_[e.key] = &e;
  }

  void run() {
    for (auto& [name, s] : model_["services"].items()) check_service(name, s);
    check_cycles();
  }

 private:
  [[noreturn]] void fail(const Mark& m, const std::string& msg) { throw ComposeError(m, msg); }

  const MapEntry* node(const std::string& service) const {
    auto it = nodes_.find(service);
    return it == nodes_.end() ? nullptr : it->second;
  }

  bool has_service(const std::string& n) const { return model_["services"].contains(n); }

  void require_service(const std::string& svc, const std::string& key, const std::string& target, const std::string& what) {
    if (has_service(target)) return;
    std::string note = disabled_note(ctx_, target);
    fail(ref_mark(node(svc), key, target), "service \"" + svc + "\" " + what + (note.empty() ? " undefined service \"" + target + "\"" : " service \"" + target + "\"" + note));
  }

  void require_resource(const std::string& svc, const std::string& key, const char* section, const std::string& kind,
                        const std::string& target) {
    if (model_.contains(section) && model_[section].contains(target)) return;
    fail(ref_mark(node(svc), key, target), "service \"" + svc + "\" refers to undefined " + kind + " \"" + target + "\"");
  }

  void check_service(const std::string& name, json& s) {
    const MapEntry* n = node(name);
    Mark where = n ? n->key_mark : Mark{};
    if (!s.contains("image") && !s.contains("build") && !s.contains("provider"))
      fail(where, "service \"" + name + "\" has neither an image nor a build context specified");

    if (s.contains("develop")) check_develop(name, s["develop"], where);

    if (s.contains("links"))
      for (const auto& l : s["links"]) {
        std::string link = l.get<std::string>();
        require_service(name, "links", link.substr(0, link.find(':')), "links to");
      }
    if (s.contains("volumes_from"))
      for (const auto& v : s["volumes_from"]) {
        std::string from = v.get<std::string>();
        if (from.rfind("container:", 0) != 0) require_service(name, "volumes_from", from.substr(0, from.find(':')), "takes volumes from");
      }
    for (const char* ns : {"network_mode", "ipc", "pid", "uts", "cgroup"})
      if (s.contains(ns) && s[ns].is_string() && s[ns].get<std::string>().rfind("service:", 0) == 0)
        require_service(name, ns, s[ns].get<std::string>().substr(8), std::string("uses the ") + ns + " of");

    // After links, volumes_from and namespaces: they imply depends_on entries, and their
    // own message says better what is wrong.
    if (s.contains("depends_on")) {
      json kept = json::object();
      for (auto& [dep, d] : s["depends_on"].items()) {
        if (!has_service(dep) && ctx_.disabled_services.count(dep) && !d.value("required", true)) {
          warnings_.push_back("service \"" + name + "\": optional dependency \"" + dep + "\" is disabled by its profiles, ignored");
          continue;
        }
        require_service(name, "depends_on", dep, "depends on");
        if (dep == name) fail(ref_mark(n, "depends_on", dep), "service \"" + name + "\" depends on itself");
        kept[dep] = d;
      }
      s["depends_on"] = std::move(kept);
    }
    if (s.contains("network_mode") && s.contains("networks")) {
      std::string mode = s["network_mode"].get<std::string>();
      if (!(s["networks"].size() == 1 && s["networks"].contains("default")) || (n && n->value.find("networks")))
        fail(ref_mark(n, "network_mode", mode), "service \"" + name + "\" sets both network_mode and networks; they are mutually exclusive");
    }
    if (s.contains("networks"))
      for (const auto& [net, _] : s["networks"].items()) require_resource(name, "networks", "networks", "network", net);
    if (s.contains("volumes"))
      for (const auto& v : s["volumes"])
        if (v.value("type", "") == "volume" && v.contains("source"))
          require_resource(name, "volumes", "volumes", "volume", v["source"].get<std::string>());
    if (s.contains("secrets"))
      for (const auto& r : s["secrets"]) require_resource(name, "secrets", "secrets", "secret", r["source"].get<std::string>());
    if (s.contains("build") && s["build"].contains("secrets"))
      for (const auto& r : s["build"]["secrets"]) require_resource(name, "build", "secrets", "secret", r["source"].get<std::string>());
    if (s.contains("configs"))
      for (const auto& r : s["configs"]) require_resource(name, "configs", "configs", "config", r["source"].get<std::string>());
    if (s.contains("models"))
      for (const auto& [m, _] : s["models"].items()) require_resource(name, "models", "models", "model", m);

    if (s.contains("container_name")) {
      std::int64_t replicas = 1;
      if (s.contains("scale") && s["scale"].is_number_integer()) replicas = s["scale"].get<std::int64_t>();
      else if (s.contains("deploy") && s["deploy"].contains("replicas") && s["deploy"]["replicas"].is_number_integer()) replicas = s["deploy"]["replicas"].get<std::int64_t>();
      if (replicas > 1)
        fail(ref_mark(n, "container_name", s["container_name"].get<std::string>()),
             "service \"" + name + "\" sets container_name \"" + s["container_name"].get<std::string>() + "\" but has " +
                 std::to_string(replicas) + " replicas: container names must be unique");
    }
  }

  // Depth-first search; the first back edge found is reported as a -> b -> … -> a.
  void check_cycles() {
    std::map<std::string, int> state;  // 0 new, 1 on the stack, 2 done
    std::vector<std::string> stack;
    std::function<void(const std::string&)> visit = [&](const std::string& s) {
      state[s] = 1;
      stack.push_back(s);
      const json& svc = model_["services"][s];
      if (svc.contains("depends_on"))
        for (const auto& [dep, _] : svc["depends_on"].items()) {
          if (!has_service(dep)) continue;
          if (state[dep] == 1) {
            auto from = std::find(stack.begin(), stack.end(), dep);
            std::vector<std::string> cycle(from, stack.end());
            cycle.push_back(dep);
            fail(ref_mark(node(s), "depends_on", dep), "dependency cycle detected: " + join(cycle, " -> "));
          }
          if (state[dep] == 0) visit(dep);
        }
      stack.pop_back();
      state[s] = 2;
    };
    for (const auto& [name, _] : model_["services"].items())
      if (state[name] == 0) visit(name);
  }

  json& model_;
  const NormalizeContext& ctx_;
  std::vector<std::string>& warnings_;
  std::map<std::string, const MapEntry*> nodes_;
};

}  // namespace

void validate_references(const Node& merged, json& model, const NormalizeContext& ctx, std::vector<std::string>& warnings) {
  Checker(merged, model, ctx, warnings).run();
}

}  // namespace mycompose::compose::schema
