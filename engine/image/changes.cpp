// `--change` instructions for import: the Dockerfile instructions that only touch the image
// config (Docker's commit/import allow-list), applied to the config's "config" object.
#include <algorithm>
#include <cctype>

#include "mycompose/common/json_limits.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/image/transfer.hpp"

namespace mycompose::image {
namespace {

using nlohmann::json;

// Dockerfile word splitting: whitespace separates, quotes group, backslash escapes.
std::vector<std::string> split_words(const std::string& s, const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && quote != '\'') {
      cur += s[++i];
      in_word = true;
    } else if (quote) {
      if (c == quote) quote = 0;
      else cur += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quote) throw Error("--change \"" + line + "\": unterminated quote");
  if (in_word) out.push_back(std::move(cur));
  return out;
}

// CMD/ENTRYPOINT/VOLUME take a JSON array ("exec form") or, failing that, a plain string.
std::optional<std::vector<std::string>> json_array(const std::string& s) {
  auto t = s;
  t.erase(0, t.find_first_not_of(" \t"));
  if (t.empty() || t.front() != '[') return std::nullopt;
  try {
    auto j = parse_json_bounded(t);
    if (!j.is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& x : j) {
      if (!x.is_string()) return std::nullopt;
      out.push_back(x.get<std::string>());
    }
    return out;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// KEY=VALUE pairs (several per line), or the legacy "KEY VALUE" single pair.
std::vector<std::pair<std::string, std::string>> key_values(const std::string& args, const std::string& line) {
  std::vector<std::pair<std::string, std::string>> out;
  auto words = split_words(args, line);
  if (words.empty()) throw Error("--change \"" + line + "\": requires at least one argument");
  if (words[0].find('=') == std::string::npos) {
    auto sp = args.find_first_of(" \t");
    if (sp == std::string::npos) throw Error("--change \"" + line + "\": must have two arguments");
    auto rest = args.substr(sp);
    rest.erase(0, rest.find_first_not_of(" \t"));
    out.emplace_back(words[0], rest);
    return out;
  }
  for (const auto& w : words) {
    auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error("--change \"" + line + "\": \"" + w + "\" is not KEY=VALUE");
    out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
  }
  return out;
}

}  // namespace

void apply_changes(json& cfg, const std::vector<std::string>& changes) {
  for (const auto& line : changes) {
    auto trimmed = line;
    trimmed.erase(0, trimmed.find_first_not_of(" \t"));
    auto sp = trimmed.find_first_of(" \t");
    std::string instr = trimmed.substr(0, sp);
    std::string args = sp == std::string::npos ? "" : trimmed.substr(sp + 1);
    args.erase(0, args.find_first_not_of(" \t"));
    std::transform(instr.begin(), instr.end(), instr.begin(), [](unsigned char c) { return std::toupper(c); });
    if (args.empty() && instr != "CMD" && instr != "ENTRYPOINT")
      throw Error("--change \"" + line + "\": " + instr + " requires at least one argument");

    if (instr == "CMD" || instr == "ENTRYPOINT") {
      std::vector<std::string> argv;
      if (auto a = json_array(args)) argv = *a;
      else if (!args.empty()) argv = {"/bin/sh", "-c", args};
      const char* key = instr == "CMD" ? "Cmd" : "Entrypoint";
      cfg[key] = argv;
      if (instr == "ENTRYPOINT" && !cfg.contains("Cmd")) cfg["Cmd"] = nullptr;
    } else if (instr == "ENV") {
      auto env = cfg.value("Env", json::array());
      for (const auto& [k, v] : key_values(args, line)) {
        std::string entry = k + "=" + v;
        auto it = std::find_if(env.begin(), env.end(), [&](const json& e) {
          auto s = e.get<std::string>();
          return s.compare(0, k.size() + 1, k + "=") == 0;
        });
        if (it != env.end()) *it = entry;
        else env.push_back(entry);
      }
      cfg["Env"] = env;
    } else if (instr == "LABEL") {
      auto labels = cfg.value("Labels", json::object());
      for (const auto& [k, v] : key_values(args, line)) labels[k] = v;
      cfg["Labels"] = labels;
    } else if (instr == "EXPOSE") {
      auto ports = cfg.value("ExposedPorts", json::object());
      for (auto p : split_words(args, line)) {
        auto slash = p.find('/');
        std::string num = p.substr(0, slash);
        std::string proto = slash == std::string::npos ? "tcp" : p.substr(slash + 1);
        bool ok = !num.empty() && std::all_of(num.begin(), num.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '-'; });
        if (!ok || (proto != "tcp" && proto != "udp" && proto != "sctp"))
          throw Error("--change \"" + line + "\": invalid port \"" + p + "\"");
        ports[num + "/" + proto] = json::object();
      }
      cfg["ExposedPorts"] = ports;
    } else if (instr == "VOLUME") {
      auto vols = cfg.value("Volumes", json::object());
      auto list = json_array(args);
      for (const auto& v : list ? *list : split_words(args, line)) vols[v] = json::object();
      cfg["Volumes"] = vols;
    } else if (instr == "USER") {
      cfg["User"] = args;
    } else if (instr == "WORKDIR") {
      cfg["WorkingDir"] = args;
    } else if (instr == "STOPSIGNAL") {
      cfg["StopSignal"] = args;
    } else {
      throw Error("--change \"" + line + "\": " + (instr.empty() ? std::string("empty instruction") : instr + " is not supported") +
                  " (allowed: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL)");
    }
  }
}

}  // namespace mycompose::image
