#include "default_device_rules.hpp"

#include "mycompose/common/error.hpp"

namespace mycompose::runtime {
namespace {

using nlohmann::json;

json rule(const char* type, long major, long minor, const char* access) {
  json r = {{"allow", true}, {"type", type}, {"access", access}};
  if (major >= 0) r["major"] = major;
  if (minor >= 0) r["minor"] = minor;
  return r;
}

void check_rule(const json& r, const std::string& where) {
  if (!r.is_object()) throw Error("config.json: " + where + " must be an object");
  if (auto a = r.find("allow"); a == r.end() || !a->is_boolean()) throw Error("config.json: " + where + ".allow must be a boolean");
  if (auto t = r.find("type"); t != r.end() && !t->is_null()) {
    if (!t->is_string() || (*t != "a" && *t != "b" && *t != "c"))
      throw Error("config.json: " + where + ".type must be one of a, b, c (got " + t->dump() + ")");
  }
  for (const char* k : {"major", "minor"})
    if (auto n = r.find(k); n != r.end() && !n->is_null() && !n->is_number_integer())
      throw Error("config.json: " + where + "." + k + " must be an integer");
  if (auto a = r.find("access"); a != r.end() && !a->is_null()) {
    if (!a->is_string() || a->get<std::string>().find_first_not_of("rwm") != std::string::npos)
      throw Error("config.json: " + where + ".access must be made of r, w and m (got " + a->dump() + ")");
  }
}

}  // namespace

json with_default_device_rules(json resources, const json& devices) {
  if (!resources.is_object()) resources = json::object();
  json rules = json::array({{{"allow", false}, {"access", "rwm"}}});
  if (auto user = resources.find("devices"); user != resources.end() && !user->is_null()) {
    if (!user->is_array()) throw Error("config.json: linux.resources.devices must be an array");
    for (std::size_t i = 0; i < user->size(); ++i) {
      check_rule((*user)[i], "linux.resources.devices[" + std::to_string(i) + "]");
      rules.push_back((*user)[i]);
    }
  }
  rules.push_back(rule("c", -1, -1, "m"));
  rules.push_back(rule("b", -1, -1, "m"));
  struct Default {
    const char* path;  // "" = not a node the runtime makes
    long major, minor;
  };
  static constexpr Default kDefaults[] = {{"/dev/null", 1, 3},   {"/dev/random", 1, 8}, {"/dev/full", 1, 7}, {"/dev/tty", 5, 0},
                                          {"/dev/zero", 1, 5},   {"/dev/urandom", 1, 9}, {"", 136, -1},     {"", 5, 2}};
  for (const auto& d : kDefaults) {
    bool listed = false;
    if (*d.path && devices.is_array())
      for (const auto& dev : devices)
        if (dev.is_object() && dev.value("path", "") == d.path) listed = true;
    if (!listed) rules.push_back(rule("c", d.major, d.minor, "rwm"));
  }
  resources["devices"] = std::move(rules);
  return resources;
}

}  // namespace mycompose::runtime
