#include "stage_state.hpp"

#include <cctype>

#include "mycompose/common/error.hpp"
#include "mycompose/common/go_duration.hpp"

namespace mycompose::build {
using nlohmann::json;

std::optional<std::string> StageState::env(std::string_view key) const {
  if (!config.contains("Env")) return std::nullopt;
  for (const auto& e : config["Env"]) {
    const auto& s = e.get_ref<const std::string&>();
    auto eq = s.find('=');
    if (s.compare(0, eq, key) == 0 && eq == key.size()) return s.substr(eq + 1);
  }
  return std::nullopt;
}

void StageState::set_env(const std::string& key, const std::string& value) {
  if (!config.contains("Env") || !config["Env"].is_array()) config["Env"] = json::array();
  for (auto& e : config["Env"]) {
    auto s = e.get<std::string>();
    if (s.compare(0, key.size(), key) == 0 && s.size() > key.size() && s[key.size()] == '=') {
      e = key + "=" + value;
      return;
    }
  }
  config["Env"].push_back(key + "=" + value);
}

std::vector<std::string> StageState::env_list() const {
  std::vector<std::string> out;
  if (config.contains("Env") && config["Env"].is_array())
    for (const auto& e : config["Env"]) out.push_back(e.get<std::string>());
  return out;
}

std::vector<std::string> StageState::shell() const {
  if (config.contains("Shell") && config["Shell"].is_array() && !config["Shell"].empty())
    return config["Shell"].get<std::vector<std::string>>();
  return {"/bin/sh", "-c"};
}

VarLookup StageState::lookup() const {
  return [this](std::string_view k) -> std::optional<std::string> {
    if (auto v = env(k)) return v;
    auto it = args.find(std::string(k));
    if (it != args.end()) return it->second;
    return std::nullopt;
  };
}

std::vector<std::pair<std::string, std::optional<std::string>>> key_values(const Instruction& ins, const VarLookup& vars, char escape) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  auto words = split_words_keep_quotes(ins.rest, escape);
  if (ins.keyword == "ENV" && !words.empty() && words[0].find('=') == std::string::npos) {
    auto sp = ins.rest.find_first_of(" \t");
    std::string value = ins.rest.substr(sp);
    auto first = value.find_first_not_of(" \t");
    out.emplace_back(expand_word(words[0], vars, escape), expand_word(value.substr(first), vars, escape));
    return out;
  }
  for (const auto& w : words) {
    auto eq = w.find('=');
    if (eq == std::string::npos) out.emplace_back(expand_word(w, vars, escape), std::nullopt);
    else out.emplace_back(expand_word(w.substr(0, eq), vars, escape), expand_word(w.substr(eq + 1), vars, escape));
  }
  return out;
}

namespace {

std::vector<std::string> command_of(const StageState& s, const Instruction& ins) {
  if (ins.json_form) return ins.json_args;
  auto cmd = s.shell();
  cmd.push_back(ins.rest);
  return cmd;
}

void set_healthcheck(StageState& s, const Instruction& ins, char escape) {
  auto sp = ins.rest.find_first_of(" \t");
  std::string type = ins.rest.substr(0, sp);
  for (auto& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  json hc = json::object();
  if (type == "NONE") {
    hc["Test"] = {"NONE"};
  } else {
    std::string cmd = ins.rest.substr(ins.rest.find_first_not_of(" \t", sp));
    auto j = json::parse(cmd, nullptr, false);
    if (!j.is_discarded() && j.is_array() && !j.empty()) {
      json test = json::array({"CMD"});
      for (const auto& e : j) test.push_back(e);
      hc["Test"] = test;
    } else {
      hc["Test"] = {"CMD-SHELL", cmd};
    }
    auto dur = [&](const char* flag, const char* key) {
      if (const auto* f = ins.flag(flag)) {
        auto v = parse_go_duration(f->value);  // as BuildKit: time.ParseDuration
        if (v != 0 && v < 1000000) throw Error(std::string("Interval \"") + flag + "\" cannot be less than 1ms");
        hc[key] = v;
      }
    };
    dur("interval", "Interval");
    dur("timeout", "Timeout");
    dur("start-period", "StartPeriod");
    dur("start-interval", "StartInterval");
    if (const auto* f = ins.flag("retries")) {
      try {
        hc["Retries"] = std::stoi(f->value);
      } catch (const std::exception&) {
        throw Error("invalid --retries value \"" + f->value + "\"");
      }
    }
  }
  (void)escape;
  s.config["Healthcheck"] = hc;
}

}  // namespace

void apply_metadata(StageState& s, const Instruction& ins, char escape) {
  const auto& kw = ins.keyword;
  auto vars = s.lookup();
  if (kw == "ENV") {
    for (auto& [k, v] : key_values(ins, vars, escape)) s.set_env(k, v.value_or(""));
  } else if (kw == "LABEL") {
    if (!s.config.contains("Labels") || !s.config["Labels"].is_object()) s.config["Labels"] = json::object();
    for (auto& [k, v] : key_values(ins, vars, escape)) s.config["Labels"][k] = v.value_or("");
  } else if (kw == "WORKDIR") {
    std::string dir = expand_word(ins.rest, vars, escape);
    if (dir.empty() || dir[0] != '/') {
      std::string cur = s.config.value("WorkingDir", "");
      dir = (cur.empty() ? "/" : cur) + "/" + dir;
    }
    s.config["WorkingDir"] = std::filesystem::path(dir).lexically_normal().string();
    if (s.config["WorkingDir"].get<std::string>().size() > 1 && s.config["WorkingDir"].get<std::string>().back() == '/') {
      auto w = s.config["WorkingDir"].get<std::string>();
      w.pop_back();
      s.config["WorkingDir"] = w;
    }
  } else if (kw == "USER") {
    s.config["User"] = expand_word(ins.rest, vars, escape);
  } else if (kw == "EXPOSE") {
    if (!s.config.contains("ExposedPorts") || !s.config["ExposedPorts"].is_object()) s.config["ExposedPorts"] = json::object();
    for (auto p : expand_words(ins.rest, vars, escape)) {
      if (p.find('/') == std::string::npos) p += "/tcp";
      s.config["ExposedPorts"][p] = json::object();
    }
  } else if (kw == "VOLUME") {
    if (!s.config.contains("Volumes") || !s.config["Volumes"].is_object()) s.config["Volumes"] = json::object();
    auto vols = ins.json_form ? ins.json_args : expand_words(ins.rest, vars, escape);
    for (const auto& v : vols) {
      if (v.empty()) throw Error("VOLUME specified can not be an empty string");
      s.config["Volumes"][v] = json::object();
    }
  } else if (kw == "STOPSIGNAL") {
    s.config["StopSignal"] = expand_word(ins.rest, vars, escape);
  } else if (kw == "SHELL") {
    s.config["Shell"] = ins.json_args;
  } else if (kw == "CMD") {
    s.config["Cmd"] = command_of(s, ins);
    s.cmd_set = true;
  } else if (kw == "ENTRYPOINT") {
    s.config["Entrypoint"] = command_of(s, ins);
    // A new ENTRYPOINT drops the base image's CMD, not one set in this stage.
    if (!s.cmd_set) s.config.erase("Cmd");
  } else if (kw == "HEALTHCHECK") {
    set_healthcheck(s, ins, escape);
  } else if (kw == "ONBUILD") {
    if (!s.config.contains("OnBuild") || !s.config["OnBuild"].is_array()) s.config["OnBuild"] = json::array();
    s.config["OnBuild"].push_back(ins.rest);
  } else if (kw == "MAINTAINER") {
    s.author = ins.rest;
  } else {
    throw Error("internal: " + kw + " is not a metadata instruction");
  }
}

}  // namespace mycompose::build
