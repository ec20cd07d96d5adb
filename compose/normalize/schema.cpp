// The Compose specification's tables (compose-spec/schema/compose-spec.json). Property
// order is the order `docker compose config` prints them in (compose-go's struct order);
// service keys are alphabetical.
#include <algorithm>
#include <deque>

#include "attributes.hpp"

namespace mycompose::compose::schema {

const Type* Type::prop(std::string_view key) const {
  for (const auto& p : props)
    if (p.key == key) return p.type;
  return nullptr;
}

json watch_path(const Node&, const Type&, Walk&, const std::string&);  // develop.cpp

namespace {

struct Tables {
  std::deque<Type> store;  // stable addresses
  const Type* top = nullptr;
  const Type* service = nullptr;
  const Type* network = nullptr;
  const Type* volume = nullptr;
  const Type* secret = nullptr;
  const Type* config = nullptr;
  const Type* model = nullptr;

  const Type* make(Type t) {
    store.push_back(std::move(t));
    return &store.back();
  }
  const Type* kind(Kind k, bool nullable = false) {
    Type t;
    t.kind = k;
    t.nullable = nullable;
    return make(std::move(t));
  }
  const Type* custom(CustomFn fn, const Type* long_form = nullptr, bool nullable = false) {
    Type t;
    t.kind = Kind::Custom;
    t.fn = fn;
    t.elem = long_form;
    t.nullable = nullable;
    return make(std::move(t));
  }
  const Type* object(std::vector<Prop> props, std::vector<std::string_view> required = {}, bool nullable = false) {
    Type t;
    t.kind = Kind::Object;
    t.props = std::move(props);
    t.required = std::move(required);
    t.nullable = nullable;
    return make(std::move(t));
  }
  const Type* list_of(const Type* elem) {
    Type t;
    t.kind = Kind::ListOf;
    t.elem = elem;
    return make(std::move(t));
  }
  const Type* map_of(const Type* elem) {
    Type t;
    t.kind = Kind::MapOf;
    t.elem = elem;
    return make(std::move(t));
  }
  const Type* enum_of(std::vector<std::string_view> values) {
    Type t;
    t.kind = Kind::String;
    t.one_of = std::move(values);
    return make(std::move(t));
  }

  Tables() {
    const Type* S = kind(Kind::String);
    const Type* SN = kind(Kind::String, true);
    const Type* I = kind(Kind::Integer);
    const Type* N = kind(Kind::Number);
    const Type* B = kind(Kind::Boolean);
    const Type* D = custom(duration);
    const Type* BYTES = custom(byte_size);
    const Type* SL = kind(Kind::StringOrList);
    const Type* LS = kind(Kind::ListOfStrings);
    const Type* SMAP = kind(Kind::StringMap);
    const Type* LOD = custom(list_or_dict);
    const Type* ANY = kind(Kind::Any, true);
    const Type* CMD = custom(command, nullptr, true);
    const Type* PATH = custom(host_path);
    const Type* EXTRA_HOSTS = custom(extra_hosts);
    const Type* ULIMITS = custom(ulimits);
    const Type* EXTERNAL = custom(external);

    const Type* file_ref_long = object({{"source", S}, {"target", S}, {"uid", S}, {"gid", S}, {"mode", N}});
    const Type* FILE_REFS = custom(service_file_refs, file_ref_long);

    const Type* device_request = object({{"capabilities", LS},
                                         {"driver", S},
                                         {"count", custom(device_count)},  // "all" → -1, else an integer
                                         {"device_ids", LS},
                                         {"options", LOD}});
    const Type* hook = object({{"command", CMD}, {"user", S}, {"privileged", B}, {"working_dir", S}, {"environment", custom(environment)}},
                              {"command"});

    const Type* blkio_limit = object({{"path", S}, {"rate", BYTES}});
    const Type* blkio_weight = object({{"path", S}, {"weight", I}});
    const Type* blkio = object({{"device_read_bps", list_of(blkio_limit)},
                                {"device_read_iops", list_of(blkio_limit)},
                                {"device_write_bps", list_of(blkio_limit)},
                                {"device_write_iops", list_of(blkio_limit)},
                                {"weight", I},
                                {"weight_device", list_of(blkio_weight)}});

    const Type* build_long = object({{"context", S},
                                     {"dockerfile", S},
                                     {"dockerfile_inline", S},
                                     {"entitlements", LS},
                                     {"args", custom(build_args)},
                                     {"ssh", custom(build_ssh)},
                                     {"labels", custom(labels)},
                                     {"cache_from", LS},
                                     {"cache_to", LS},
                                     {"no_cache", B},
                                     {"no_cache_filter", SL},
                                     {"additional_contexts", LOD},
                                     {"network", S},
                                     {"pull", B},
                                     {"target", S},
                                     {"shm_size", BYTES},
                                     {"extra_hosts", EXTRA_HOSTS},
                                     {"isolation", S},
                                     {"privileged", B},
                                     {"secrets", FILE_REFS},
                                     {"tags", LS},
                                     {"ulimits", ULIMITS},
                                     {"platforms", LS}});

    // compose-go's Trigger, in its field order.
    const Type* watch = object({{"path", custom(watch_path)},
                                {"action", enum_of({"rebuild", "sync", "restart", "sync+restart", "sync+exec"})},
                                {"target", S},
                                {"exec", hook},
                                {"include", SL},
                                {"ignore", SL},
                                {"initial_sync", B}},
                               {"path", "action"});
    const Type* develop = object({{"watch", list_of(watch)}}, {}, true);

    const Type* rollout = object({{"parallelism", I},
                                  {"delay", D},
                                  {"failure_action", S},
                                  {"monitor", D},
                                  {"max_failure_ratio", N},
                                  {"order", enum_of({"start-first", "stop-first"})}});
    const Type* generic_resource = object(
        {{"discrete_resource_spec", object({{"kind", S}, {"value", N}})}});
    const Type* resources = object(
        {{"limits", object({{"cpus", N}, {"memory", BYTES}, {"pids", I}})},
         {"reservations", object({{"cpus", N},
                                  {"memory", BYTES},
                                  {"generic_resources", list_of(generic_resource)},
                                  {"devices", list_of(device_request)}})}});
    const Type* deploy = object(
        {{"mode", S},
         {"replicas", I},
         {"labels", custom(labels)},
         {"update_config", rollout},
         {"rollback_config", rollout},
         {"resources", resources},
         {"restart_policy", object({{"condition", S}, {"delay", D}, {"max_attempts", I}, {"window", D}})},
         {"placement", object({{"constraints", LS},
                               {"preferences", list_of(object({{"spread", S}}))},
                               {"max_replicas_per_node", I}})},
         {"endpoint_mode", S}},
        {}, true);

    const Type* healthcheck_long = object({{"test", custom(healthcheck_test)},
                                           {"timeout", D},
                                           {"interval", D},
                                           {"retries", I},
                                           {"start_period", D},
                                           {"start_interval", D},
                                           {"disable", B}});

    const Type* logging = object({{"driver", S}, {"options", SMAP}});
    const Type* port_long = object({{"name", S},
                                    {"mode", S},
                                    {"host_ip", S},
                                    {"target", I},
                                    {"published", S},
                                    {"protocol", S},
                                    {"app_protocol", S}});
    const Type* volume_long = object(
        {{"type", enum_of({"bind", "volume", "tmpfs", "cluster", "npipe", "image"})},
         {"source", S},
         {"target", S},
         {"read_only", B},
         {"consistency", S},
         {"bind", object({{"selinux", enum_of({"z", "Z"})},
                          {"propagation", S},
                          {"create_host_path", B},
                          {"recursive", enum_of({"enabled", "disabled", "writable", "readonly"})}})},
         {"volume", object({{"nocopy", B}, {"subpath", S}, {"labels", custom(labels)}})},
         {"tmpfs", object({{"size", BYTES}, {"mode", N}})},
         {"image", object({{"subpath", S}})}},
        {"type"});
    const Type* depends_long = object({{"condition", enum_of({"service_started", "service_healthy",
                                                              "service_completed_successfully"})},
                                       {"restart", B},
                                       {"required", B}},
                                      {"condition"});
    const Type* env_file_long = object({{"path", S}, {"format", S}, {"required", B}}, {"path"});
    const Type* service_network = object({{"aliases", LS},
                                          {"interface_name", S},
                                          {"ipv4_address", S},
                                          {"ipv6_address", S},
                                          {"link_local_ips", LS},
                                          {"mac_address", S},
                                          {"driver_opts", SMAP},
                                          {"priority", N},
                                          {"gw_priority", N}},
                                         {}, true);
    const Type* device_long = object({{"source", S}, {"target", S}, {"permissions", S}}, {"source"});

    // All 94 service keys of the specification (pre_start added below), alphabetical (the
    // order config prints).
    std::vector<Prop> service_props = {
        {"annotations", LOD},
        {"attach", B},
        {"blkio_config", blkio},
        {"build", custom(build, build_long)},
        {"cap_add", LS},
        {"cap_drop", LS},
        {"cgroup", enum_of({"host", "private"})},
        {"cgroup_parent", S},
        {"command", CMD},
        {"configs", FILE_REFS},
        {"container_name", S},
        {"cpu_count", I},
        {"cpu_percent", N},
        {"cpu_period", I},
        {"cpu_quota", I},
        {"cpu_rt_period", I},
        {"cpu_rt_runtime", I},
        {"cpu_shares", I},
        {"cpus", N},
        {"cpuset", S},
        {"credential_spec", object({{"config", S}, {"file", S}, {"registry", S}})},
        {"depends_on", custom(depends_on, depends_long)},
        {"deploy", deploy},
        {"develop", develop},
        {"device_cgroup_rules", LS},
        {"devices", custom(devices, device_long)},
        {"dns", SL},
        {"dns_opt", LS},
        {"dns_search", SL},
        {"domainname", S},
        {"entrypoint", CMD},
        {"env_file", custom(env_file, env_file_long)},
        {"environment", custom(environment)},
        {"expose", LS},
        {"extends", ANY},  // resolved by the extends stage before this one
        {"external_links", LS},
        {"extra_hosts", EXTRA_HOSTS},
        {"gpus", custom(gpus, device_request)},
        {"group_add", LS},
        {"healthcheck", custom(healthcheck, healthcheck_long)},
        {"hostname", S},
        {"image", S},
        {"init", B},
        {"ipc", S},
        {"isolation", S},
        {"label_file", custom(label_file)},
        {"labels", custom(labels)},
        {"links", LS},
        {"logging", logging},
        {"mac_address", S},
        {"mem_limit", BYTES},
        {"mem_reservation", BYTES},
        {"mem_swappiness", I},
        {"memswap_limit", BYTES},
        {"models", custom(service_models)},
        {"network_mode", S},
        {"networks", custom(service_networks, service_network)},
        {"oom_kill_disable", B},
        {"oom_score_adj", I},
        {"pid", SN},
        {"pids_limit", I},
        {"platform", S},
        {"ports", custom(ports, port_long)},
        {"post_start", list_of(hook)},
        {"pre_stop", list_of(hook)},
        {"privileged", B},
        {"profiles", LS},
        {"provider", object({{"type", S}, {"options", ANY}}, {"type"})},
        {"pull_policy", S},
        {"pull_refresh_after", S},
        {"read_only", B},
        {"restart", S},
        {"runtime", S},
        {"scale", I},
        {"secrets", FILE_REFS},
        {"security_opt", LS},
        {"shm_size", BYTES},
        {"stdin_open", B},
        {"stop_grace_period", D},
        {"stop_signal", S},
        {"storage_opt", ANY},
        {"sysctls", LOD},
        {"tmpfs", SL},
        {"tty", B},
        {"ulimits", ULIMITS},
        {"use_api_socket", B},
        {"user", S},
        {"userns_mode", S},
        {"uts", S},
        {"volumes", custom(volumes, volume_long)},
        {"volumes_from", LS},
        {"working_dir", S},
    };
    // pre_start: each hook a container specification of its own (compose-go's PreStartHook:
    // the service's keys but those that make or order containers, plus per_replica).
    std::vector<Prop> hook_props;
    for (const Prop& p : service_props) {
      static const std::string_view not_in_hook[] = {"build",  "container_name", "depends_on", "deploy",   "develop", "extends",
                                                     "models", "post_start",     "pre_stop",   "profiles", "provider", "scale"};
      if (std::find(std::begin(not_in_hook), std::end(not_in_hook), p.key) != std::end(not_in_hook)) continue;
      if (p.key == "pid") hook_props.push_back({"per_replica", B});
      hook_props.push_back(p);
    }
    const Type* pre_start_hook = object(hook_props);
    for (auto it = service_props.begin(); it != service_props.end(); ++it)
      if (it->key == "pre_stop") {
        service_props.insert(it, {"pre_start", list_of(pre_start_hook)});
        break;
      }
    service = object(service_props);

    const Type* ipam = object({{"driver", S},
                               {"config", list_of(object({{"subnet", S},
                                                          {"ip_range", S},
                                                          {"gateway", S},
                                                          {"aux_addresses", SMAP}}))},
                               {"options", SMAP}});
    network = object({{"name", S},
                      {"driver", S},
                      {"driver_opts", SMAP},
                      {"ipam", ipam},
                      {"external", EXTERNAL},
                      {"internal", B},
                      {"attachable", B},
                      {"labels", custom(labels)},
                      {"enable_ipv4", B},
                      {"enable_ipv6", B}},
                     {}, true);
    volume = object({{"name", S}, {"driver", S}, {"driver_opts", SMAP}, {"external", EXTERNAL}, {"labels", custom(labels)}},
                    {}, true);
    secret = object({{"name", S},
                     {"file", PATH},
                     {"environment", S},
                     {"content", S},  // compose-go's model: what an include's env_file gave (loader.cpp)
                     {"external", EXTERNAL},
                     {"labels", custom(labels)},
                     {"driver", S},
                     {"driver_opts", SMAP},
                     {"template_driver", S}});
    config = object({{"name", S},
                     {"file", PATH},
                     {"environment", S},
                     {"content", S},
                     {"external", EXTERNAL},
                     {"labels", custom(labels)},
                     {"template_driver", S}});
    model = object({{"name", S}, {"model", S}, {"context_size", I}, {"runtime_flags", LS}}, {"model"});

    // Top level: sections are handled by normalize.cpp; listed here for the unknown-key check.
    top = object({{"version", S},
                  {"name", S},
                  {"include", ANY},
                  {"services", ANY},
                  {"networks", ANY},
                  {"volumes", ANY},
                  {"secrets", ANY},
                  {"configs", ANY},
                  {"models", ANY}});
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

const Type& top_level() { return *tables().top; }
const Type& service() { return *tables().service; }
const Type& top_network() { return *tables().network; }
const Type& top_volume() { return *tables().volume; }
const Type& top_secret() { return *tables().secret; }
const Type& top_config() { return *tables().config; }
const Type& top_model() { return *tables().model; }

}  // namespace mycompose::compose::schema

namespace mycompose::compose {

std::vector<std::string> service_keys() {
  std::vector<std::string> keys;
  for (const auto& p : schema::service().props) keys.emplace_back(p.key);
  return keys;
}

}  // namespace mycompose::compose
