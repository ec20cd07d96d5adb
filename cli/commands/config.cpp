// `mycompose config`: parse, resolve and render the Compose model in canonical form, or
// one of its facets (--services, --volumes, --hash …), as docker compose does.
#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "commands.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/warning.hpp"
#include "mycompose/compose/config_hash.hpp"
#include "mycompose/compose/emit.hpp"
#include "mycompose/compose/loader.hpp"
#include "mycompose/compose/normalize.hpp"

namespace mycompose::cli {

namespace {

using Json = nlohmann::ordered_json;

struct ConfigOptions {
  std::string format;
  bool services = false, volumes = false, networks = false, profiles = false, images = false, models = false;
  std::string hash;
  bool quiet = false;
  bool no_interpolate = false, no_normalize = false, no_path_resolution = false, no_consistency = false;
  bool resolve_image_digests = false;
  std::string output;
  bool environment = false, variables = false;
  std::vector<std::string> filters;  // --filter with --services: profile=NAME, label=KEY[=VALUE]
};

// --filter criteria: each must hold for a service to be listed.
struct ServiceFilter {
  std::vector<std::string> profiles;
  std::vector<std::pair<std::string, std::optional<std::string>>> labels;

  static ServiceFilter parse(const std::vector<std::string>& filters) {
    ServiceFilter f;
    for (const auto& spec : filters) {
      const auto eq = spec.find('=');
      const std::string key = spec.substr(0, eq), value = eq == std::string::npos ? "" : spec.substr(eq + 1);
      if (key == "profile") {
        if (value == "*") throw Error("--filter profile=*: profiles must be selected explicitly");
        if (value.empty()) throw Error("--filter profile: a profile name is required");
        f.profiles.push_back(value);
      } else if (key == "label") {
        if (value.empty()) throw Error("--filter label: a label name is required");
        const auto leq = value.find('=');
        if (leq == std::string::npos) f.labels.emplace_back(value, std::nullopt);
        else f.labels.emplace_back(value.substr(0, leq), value.substr(leq + 1));
      } else {
        throw Error("unknown criteria \"" + key + "\"");
      }
    }
    return f;
  }
  bool matches(const Json& service) const {
    for (const auto& p : profiles) {
      bool has = false;
      if (service.contains("profiles"))
        for (const auto& sp : service["profiles"]) has = has || (sp.is_string() && sp.get<std::string>() == p);
      if (!has) return false;
    }
    for (const auto& [k, v] : labels) {
      if (!service.contains("labels") || !service["labels"].is_object() || !service["labels"].contains(k)) return false;
      const Json& l = service["labels"][k];
      if (v && !(l.is_string() && l.get<std::string>() == *v)) return false;
    }
    return true;
  }
};

// Services with their dependencies first (ties by name), as docker compose lists them.
std::vector<std::string> dependency_order(const Json& services) {
  std::vector<std::string> order;
  std::set<std::string> done;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (!done.insert(name).second) return;
    const Json& s = services[name];
    if (s.contains("depends_on"))
      for (const auto& [dep, _] : s["depends_on"].items())
        if (services.contains(dep)) visit(dep);
    order.push_back(name);
  };
  for (const auto& [name, _] : services.items()) visit(name);
  return order;
}

std::vector<std::string> keys(const Json& model, const char* section) {
  std::vector<std::string> out;
  if (model.contains(section))
    for (const auto& [k, _] : model[section].items()) out.push_back(k);
  return out;
}

std::string lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

// docker compose's table layout (tabwriter: min width 20, padding 3).
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(20);
      width[i] = std::max(width[i], r[i].size() + 3);
    }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) line += i + 1 < r.size() ? r[i] + std::string(width[i] - r[i].size(), ' ') : r[i];
    out += line + "\n";
  }
  return out;
}

std::string variables(const compose::Project& p, const std::string& format) {
  // compose-go's template.Variable: {Name, DefaultValue, PresenceValue, Required}; docker
  // compose prints it with a 4-space indent in JSON, and yaml.Marshal's lower-cased keys.
  if (format == "json") {
    Json out = Json::object();
    for (const auto& [name, v] : p.variables)
      out[name] = Json{{"Name", name},
                       {"DefaultValue", v.default_value.value_or("")},
                       {"PresenceValue", v.alternate_value.value_or("")},
                       {"Required", v.required}};
    return out.dump(4) + "\n";
  }
  if (format == "yaml") {
    std::string out;
    auto q = [](const std::string& s) { return compose::yaml_needs_quotes(s) ? Json(s).dump() : s; };
    for (const auto& [name, v] : p.variables)
      out += q(name) + ":\n    name: " + q(name) + "\n    defaultvalue: " + q(v.default_value.value_or("")) +
             "\n    presencevalue: " + q(v.alternate_value.value_or("")) + "\n    required: " +
             (v.required ? "true" : "false") + "\n";
    return out;
  }
  std::vector<std::vector<std::string>> rows{{"NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE"}};
  for (const auto& [name, v] : p.variables)
    rows.push_back({name, v.required ? "true" : "false", v.default_value.value_or(""), v.alternate_value.value_or("")});
  return table(rows);
}

std::string hashes(const Json& model, const std::string& which) {
  std::vector<std::string> names;
  if (which == "*") {
    names = keys(model, "services");
  } else {
    std::stringstream ss(which);
    for (std::string n; std::getline(ss, n, ',');)
      if (!n.empty()) names.push_back(n);
  }
  std::string out;
  for (const auto& n : names) {
    if (!model["services"].contains(n)) throw Error("no such service: " + n);
    out += n + " " + compose::service_config_hash(model["services"][n]) + "\n";
  }
  return out;
}

// compose-go's FileMode prints as an octal string in YAML ("0440") and as a number in JSON.
void octal_modes(Json& model) {
  auto fix = [](Json& refs) {
    for (auto& r : refs)
      if (r.is_object() && r.contains("mode") && r["mode"].is_number_integer()) {
        std::ostringstream o;
        o << '0' << std::oct << r["mode"].get<long long>();
        r["mode"] = r["mode"].get<long long>() == 0 ? std::string("0") : o.str();
      }
  };
  if (!model.contains("services") || !model["services"].is_object()) return;
  for (auto& [_, s] : model["services"].items()) {
    if (!s.is_object()) continue;
    for (const char* k : {"secrets", "configs"})
      if (s.contains(k) && s[k].is_array()) fix(s[k]);
    if (s.contains("build") && s["build"].is_object() && s["build"].contains("secrets") && s["build"]["secrets"].is_array())
      fix(s["build"]["secrets"]);
  }
}

// compose-go's EnvFile marshalling: a required file without a format is just its path.
void short_env_files(Json& model) {
  if (!model.contains("services") || !model["services"].is_object()) return;
  for (auto& [_, s] : model["services"].items())
    if (s.is_object() && s.contains("env_file") && s["env_file"].is_array())
      for (auto& f : s["env_file"])
        if (f.is_object() && f.contains("path") && f.value("required", true) && !f.contains("format")) f = f["path"];
}

// compose-go's JSON: `command` and `entrypoint` are always there (null resets the image's),
// and the top-level keys are sorted (a Go map).
Json as_compose_json(Json model) {
  if (model.contains("services") && model["services"].is_object())
    for (auto& [_, s] : model["services"].items()) {
      if (!s.is_object()) continue;
      Json out = Json::object();
      std::vector<std::string> pending;  // the absent ones, placed where the sorted keys put them
      for (const char* k : {"command", "entrypoint"})
        if (!s.contains(k)) pending.emplace_back(k);
      for (auto& [k, v] : s.items()) {
        while (!pending.empty() && (k.rfind("x-", 0) == 0 || pending.front() < k)) {
          out[pending.front()] = nullptr;
          pending.erase(pending.begin());
        }
        out[k] = std::move(v);
      }
      for (const auto& k : pending) out[k] = nullptr;
      s = std::move(out);
    }
  // IPAMConfig is a struct, not a pointer: every network has "ipam", {} when unset.
  if (model.contains("networks") && model["networks"].is_object())
    for (auto& [_, n] : model["networks"].items())
      if (n.is_object() && !n.contains("ipam")) {
        Json out = Json::object();
        for (auto& [k, v] : n.items()) {
          if (!out.contains("ipam") && (k.rfind("x-", 0) == 0 || (k != "name" && k != "driver" && k != "driver_opts")))
            out["ipam"] = Json::object();
          out[k] = std::move(v);
        }
        if (!out.contains("ipam")) out["ipam"] = Json::object();
        n = std::move(out);
      }
  std::map<std::string, Json> sorted;
  for (auto& [k, v] : model.items()) sorted[k] = std::move(v);
  Json out = Json::object();
  for (auto& [k, v] : sorted) out[k] = std::move(v);
  return out;
}

// docker compose prints the --no-interpolate model as a Go map: every key sorted.
Json sorted_keys(const Json& j) {
  if (j.is_array()) {
    Json a = Json::array();
    for (const auto& v : j) a.push_back(sorted_keys(v));
    return a;
  }
  if (!j.is_object()) return j;
  std::map<std::string, Json> sorted;
  for (const auto& [k, v] : j.items()) sorted[k] = sorted_keys(v);
  Json out = Json::object();
  for (auto& [k, v] : sorted) out[k] = std::move(v);
  return out;
}

std::string render(const ConfigOptions& opt, Context& ctx, const std::vector<std::string>& services) {
  compose::LoadOptions lo = ctx.load_options(services);
  if (!opt.filters.empty() && !opt.services) throw Error("--filter requires --services");
  const ServiceFilter filter = ServiceFilter::parse(opt.filters);
  // A profile asked for is also activated, as with --profile.
  for (const auto& pr : filter.profiles)
    if (std::find(lo.profiles.begin(), lo.profiles.end(), pr) == lo.profiles.end()) lo.profiles.push_back(pr);
  lo.interpolate = !opt.no_interpolate;
  lo.resolve_paths = !opt.no_path_resolution;
  lo.normalize = !opt.no_normalize;
  lo.consistency = !opt.no_consistency;
  lo.all_resources = ctx.global.all_resources;
  // The listing facets load as docker compose does, WithoutEnvironmentResolution (--hash
  // keeps it: the hash must match the one `up` labels containers with).
  lo.resolve_environment = !(opt.services || opt.volumes || opt.networks || opt.models || opt.profiles || opt.images);
  if (opt.profiles) lo.profiles = {"*"};  // every service, to list every profile
  compose::Project p = compose::load_project(lo);
  for (auto [set, flag, what] : {std::tuple{opt.no_interpolate, "--no-interpolate", "the full model will be rendered"},
                                 {opt.variables, "--variables", "variables from the full model will be rendered"}})
    if (set && !services.empty())
      print_warning(std::string("service filtering is not applied when ") + flag + " is set, " + what);
  if (!opt.profiles && !opt.no_interpolate && !opt.variables) compose::select_services(p.model, services, lo.all_resources);
  const Json& m = p.model;

  if (opt.services) {
    std::vector<std::string> names;
    for (const auto& n : dependency_order(m["services"]))
      if (filter.matches(m["services"][n])) names.push_back(n);
    return lines(names);
  }
  if (opt.volumes) return lines(keys(m, "volumes"));
  if (opt.networks) return lines(keys(m, "networks"));
  if (opt.models) {  // docker compose prints each model's `model` reference
    std::vector<std::string> out;
    if (m.contains("models"))
      for (const auto& [_, def] : m["models"].items())
        if (def.is_object() && def.contains("model") && def["model"].is_string() && !def["model"].get<std::string>().empty())
          out.push_back(def["model"].get<std::string>());
    return lines(out);
  }
  if (opt.profiles) {
    std::set<std::string> all;
    for (const auto& [_, s] : m["services"].items())
      if (s.contains("profiles"))
        for (const auto& pr : s["profiles"]) all.insert(pr.get<std::string>());
    return lines({all.begin(), all.end()});
  }
  if (opt.images) {
    std::vector<std::string> out;
    for (const auto& [name, s] : m["services"].items())
      out.push_back(s.contains("image") ? s["image"].get<std::string>() : p.name + "-" + name);
    return lines(out);
  }
  if (!opt.hash.empty()) return hashes(m, opt.hash);
  if (opt.environment) {
    std::string out;
    for (const auto& [k, v] : p.environment) out += k + "=" + v + "\n";
    return out;
  }
  if (opt.variables) return variables(p, opt.format);
  if (lo.consistency && !opt.no_interpolate) compose::check_container_names(m);  // as runConfigInterpolate
  if (opt.quiet) return "";
  if (opt.no_interpolate) {
    Json sorted = sorted_keys(m);
    return opt.format == "json" ? sorted.dump(2) + "\n" : compose::to_yaml(sorted);
  }
  Json y = m;
  short_env_files(y);
  std::string out;
  if (opt.format == "json") {
    out = as_compose_json(std::move(y)).dump(2) + "\n";
  } else {
    octal_modes(y);
    out = compose::to_yaml(y);
  }
  // docker compose's escapeDollarSign: the interpolated model reads back the same.
  std::string escaped;
  escaped.reserve(out.size());
  for (char c : out) escaped += c == '$' ? std::string("$$") : std::string(1, c);
  return escaped;
}

}  // namespace

void register_config(CLI::App& app, Context& ctx) {
  auto opt = std::make_shared<ConfigOptions>();
  auto* cmd = app.add_subcommand("config", "Parse, resolve and render compose file in canonical format");
  cmd->add_option("--format", opt->format, "Format the output. Values: [yaml | json]")
      ->check(CLI::IsMember({"yaml", "json"}));
  cmd->add_flag("--services", opt->services, "Print the service names, one per line");
  cmd->add_option("--filter", opt->filters, "Filter services by a property (with --services): profile=NAME, label=KEY[=VALUE]");
  cmd->add_flag("--volumes", opt->volumes, "Print the volume names, one per line");
  cmd->add_flag("--networks", opt->networks, "Print the network names, one per line");
  cmd->add_flag("--models", opt->models, "Print the model names, one per line");
  cmd->add_flag("--profiles", opt->profiles, "Print the profile names, one per line");
  cmd->add_flag("--images", opt->images, "Print the image names, one per line");
  cmd->add_option("--hash", opt->hash, "Print the service config hash, one per line (\"*\" for all services)");
  cmd->add_flag("-q,--quiet", opt->quiet, "Only validate the configuration, don't print anything");
  cmd->add_flag("--no-interpolate", opt->no_interpolate, "Don't interpolate environment variables");
  cmd->add_flag("--no-normalize", opt->no_normalize, "Don't normalize compose model");
  cmd->add_flag("--no-path-resolution", opt->no_path_resolution, "Don't resolve file paths");
  cmd->add_flag("--no-consistency", opt->no_consistency,
                "Don't check model consistency - warning: may produce invalid Compose output");
  cmd->add_flag("--resolve-image-digests", opt->resolve_image_digests, "Pin image tags to digests");
  cmd->add_option("-o,--output", opt->output, "Save to file (default to stdout)");
  cmd->add_flag("--environment", opt->environment, "Print environment used for interpolation");
  cmd->add_flag("--variables", opt->variables, "Print model variables and default values");
  auto services = std::make_shared<std::vector<std::string>>();
  cmd->add_option("service", *services, "Services to render (and what they depend on)");
  cmd->callback([opt, services, &ctx] {
    if (opt->resolve_image_digests)
      print_warning("--resolve-image-digests is not supported yet; image references are printed as written");
    std::string out = render(*opt, ctx, *services);
    if (opt->output.empty()) {
      std::cout << out << std::flush;
    } else {
      fs::write_file_atomic(opt->output, out);
    }
  });
}

}  // namespace mycompose::cli
