#include "ps_format.hpp"

#include <cstdlib>
#include <filesystem>
#include <map>

#include "container_table.hpp"
#include "mycompose/common/error.hpp"
#include <fcntl.h>

#include "mycompose/common/untrusted_file.hpp"

namespace mycompose::cli {
namespace {

constexpr const char* kComposeTable = "table {{.Name}}\\t{{.Image}}\\t{{.Command}}\\t{{.Service}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}";
constexpr std::size_t kMaxConfig = 1 << 20;

// docker's container formatter's column names.
std::string header_of(const std::string& field) {
  static const std::map<std::string, std::string> names = {
      {"ID", "CONTAINER ID"},  {"Name", "NAME"},         {"Names", "NAMES"},        {"Image", "IMAGE"},     {"Command", "COMMAND"},
      {"Service", "SERVICE"},  {"CreatedAt", "CREATED AT"}, {"RunningFor", "CREATED"}, {"Status", "STATUS"}, {"Ports", "PORTS"},
      {"State", "STATE"},      {"Health", "HEALTH"},     {"ExitCode", "EXIT CODE"}, {"Project", "PROJECT"}, {"Labels", "LABELS"},
      {"Mounts", "MOUNTS"},    {"Networks", "NETWORKS"}, {"LocalVolumes", "LOCAL VOLUMES"}, {"Size", "SIZE"}, {"Publishers", "PUBLISHERS"}};
  auto it = names.find(field);
  return it == names.end() ? field : it->second;
}

struct Piece {
  bool action = false;
  std::string text;  // literal text, or the field name ("." for the whole object with json)
  bool json = false;
};

std::vector<Piece> parse_template(std::string t) {
  for (std::size_t at = 0; (at = t.find("\\t", at)) != std::string::npos;) t.replace(at, 2, "\t");
  for (std::size_t at = 0; (at = t.find("\\n", at)) != std::string::npos;) t.replace(at, 2, "\n");
  std::vector<Piece> out;
  std::size_t pos = 0;
  while (pos < t.size()) {
    const std::size_t open = t.find("{{", pos);
    if (open == std::string::npos) {
      out.push_back({false, t.substr(pos)});
      break;
    }
    if (open > pos) out.push_back({false, t.substr(pos, open - pos)});
    const std::size_t close = t.find("}}", open);
    if (close == std::string::npos) throw Error("template: unclosed action in \"" + t + "\"");
    std::string action = t.substr(open + 2, close - open - 2);
    const auto first = action.find_first_not_of(' '), last = action.find_last_not_of(' ');
    action = first == std::string::npos ? "" : action.substr(first, last - first + 1);
    Piece p{true};
    if (action.rfind("json ", 0) == 0) {
      p.json = true;
      action = action.substr(5);
    }
    const bool field = action.size() > 1 && action[0] == '.' &&
                       action.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 1) == std::string::npos;
    if (!(field || (p.json && action == ".")))
      throw Error("template: \"{{" + t.substr(open + 2, close - open - 2) + "}}\" is not supported (only {{.Field}} and {{json .}})");
    p.text = action == "." ? "." : action.substr(1);
    out.push_back(p);
    pos = close + 2;
  }
  return out;
}

std::string value_text(const nlohmann::json& c, const std::string& field, bool trunc) {
  if (!c.contains(field)) throw Error("template: can't evaluate field " + field + " in type api.ContainerSummary");
  const auto& v = c[field];
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (field == "ID" && trunc && s.size() > 12) s = s.substr(0, 12);
  return s;
}

// As docker compose encodes a container: its keys sorted (a map), a publisher's in the
// order of its struct's fields.
nlohmann::ordered_json go_encoded(const nlohmann::json& c) {
  nlohmann::ordered_json out = nlohmann::ordered_json::parse(c.dump());
  if (out.contains("Publishers") && out["Publishers"].is_array())
    for (auto& p : out["Publishers"]) {
      if (!p.is_object()) continue;
      nlohmann::ordered_json q = nlohmann::ordered_json::object();
      for (const char* k : {"URL", "TargetPort", "PublishedPort", "Protocol"})
        if (p.contains(k)) q[k] = p[k];
      for (auto it = p.begin(); it != p.end(); ++it)
        if (!q.contains(it.key())) q[it.key()] = it.value();
      p = std::move(q);
    }
  return out;
}

std::string execute(const std::vector<Piece>& pieces, const nlohmann::json* c, bool trunc) {
  std::string out;
  for (const auto& p : pieces) {
    if (!p.action) out += p.text;
    else if (!c) out += p.json ? "" : header_of(p.text);  // the header row
    else if (p.json) {
      const auto encoded = go_encoded(*c);
      out += p.text == "." ? encoded.dump() : (encoded.contains(p.text) ? encoded[p.text].dump() : "null");
    }
    else out += value_text(*c, p.text, trunc);
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char ch : s) {
    if (ch == sep) out.emplace_back();
    else out.back() += ch;
  }
  return out;
}

}  // namespace

std::string format_containers(const std::string& format_in, const std::vector<nlohmann::json>& containers, bool trunc) {
  std::string format = format_in;
  if (format == "json") {
    std::string out;
    for (const auto& c : containers) out += go_encoded(c).dump() + "\n";
    return out;
  }
  if (format == "table") format = kComposeTable;
  if (format.rfind("table", 0) == 0) {
    const auto pieces = parse_template(format.substr(format.size() > 5 && format[5] == ' ' ? 6 : 5));
    // Each row's cells are the text between tabs; tabwriter aligns them.
    std::vector<std::vector<std::string>> rows;
    for (const auto& line : split(execute(pieces, nullptr, trunc), '\n')) rows.push_back(split(line, '\t'));
    for (const auto& c : containers)
      for (const auto& line : split(execute(pieces, &c, trunc), '\n')) rows.push_back(split(line, '\t'));
    return render_table(rows);
  }
  const auto pieces = parse_template(format);
  std::string out;
  for (const auto& c : containers) out += execute(pieces, &c, trunc) + "\n";
  return out;
}

std::string docker_config_ps_format() {
  std::filesystem::path file;
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir) file = std::filesystem::path(dir) / "config.json";
  else if (const char* home = std::getenv("HOME"); home && *home) file = std::filesystem::path(home) / ".docker" / "config.json";
  else return "";
  try {
    // The user's file, but never a FIFO to stall on nor an unbounded read.
    const auto text = fs::read_untrusted_if_exists(AT_FDCWD, file.string(), file.string(), kMaxConfig, {false, true});
    if (!text) return "";
    const auto config = nlohmann::json::parse(*text);
    const auto it = config.find("psFormat");
    return it != config.end() && it->is_string() ? it->get<std::string>() : "";
  } catch (const std::exception&) {
    return "";  // none, or not ours to judge: docker only warns about it
  }
}

}  // namespace mycompose::cli
