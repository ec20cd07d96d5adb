#include "unsupported_keys.hpp"

#include "mycompose/compose/supported.hpp"

namespace mycompose::scheduler {

std::vector<std::string> unsupported_key_warnings(const nlohmann::ordered_json& model) {
  std::vector<std::string> out;
  for (const auto& path : compose::unsupported_keys(model)) {
    if (path.rfind("services.", 0) != 0) {
      out.push_back("top-level " + path + " is not supported yet and is ignored");
      continue;
    }
    // "services.<name>.<key>": keys never contain dots, service names may.
    const auto dot = path.rfind('.');
    out.push_back("service \"" + path.substr(9, dot - 9) + "\": " + path.substr(dot + 1) + " is not supported yet and is ignored");
  }
  const auto services = model.value("services", nlohmann::ordered_json::object());
  for (const auto& [name, service] : services.items()) {
    if (!service.contains("security_opt")) continue;
    for (const auto& opt : service["security_opt"]) {
      const std::string o = opt.is_string() ? opt.get<std::string>() : opt.dump();
      const std::string key = o.substr(0, o.find_first_of("=:"));
      if (key == "apparmor" || key == "label")
        out.push_back("service \"" + name + "\": security_opt \"" + o + "\" is ignored: this engine has no " +
                      (key == "apparmor" ? "AppArmor" : "SELinux") + " support");
    }
  }
  return out;
}

}  // namespace mycompose::scheduler
