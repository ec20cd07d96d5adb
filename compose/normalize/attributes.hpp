#pragma once
// The per-attribute normalizers (one file each) and the scalar helpers they share.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mycompose/compose/error.hpp"
#include "schema.hpp"

namespace mycompose::compose::schema {

// --- scalars.cpp: typed scalars, with "<path> must be …" errors at the node's position.
[[noreturn]] void type_error(const Node& node, const std::string& path, const std::string& expected);
const std::string& scalar_text(const Node& node, const std::string& path);  // a scalar, as written
std::int64_t to_integer(const Node& node, const std::string& path);
double to_number(const Node& node, const std::string& path);
bool to_boolean(const Node& node, const std::string& path);
json number_json(double v);  // integral values as JSON integers
json core_scalar(const Node& node);  // YAML core schema: 1 → 1, true → true, "1" → "1"
std::optional<bool> parse_bool(std::string_view s);
std::optional<std::int64_t> parse_int(std::string_view s);

// --- durations.cpp: Go durations (mycompose/common/go_duration.hpp), written back as Go prints them.
json duration(const Node& node, const Type& type, Walk& w, const std::string& path);

// --- bytes.cpp: docker's RAMInBytes ("1g", "512m", "1.5gb", 1024).
json byte_size(const Node& node, const Type& type, Walk& w, const std::string& path);

// --- paths.cpp: host paths made absolute against the project directory, `~` expanded.
std::string absolute_path(const std::string& p, const Walk& w);

// --- command.cpp: a string command is split as a shell would (go-shellwords rules).
std::vector<std::string> shell_split(std::string_view s, bool* ok);
json command(const Node& node, const Type& type, Walk& w, const std::string& path);

// --- Custom normalizers, one file each.
json ports(const Node&, const Type&, Walk&, const std::string&);           // ports.cpp
json volumes(const Node&, const Type&, Walk&, const std::string&);         // volumes.cpp
json depends_on(const Node&, const Type&, Walk&, const std::string&);      // depends_on.cpp
json env_file(const Node&, const Type&, Walk&, const std::string&);        // env_file.cpp
// env_file.cpp: the variables of the service's env files (in order, later files win) fill
// its environment where `environment` does not set them. A missing required file is an error.
// A missing file of a service outside ctx.selected_services is reported in `missing`
// (service → message) rather than thrown: normalize() decides once the dependencies are known.
void resolve_env_files(const Node& service_node, json& service, Walk& w, const std::string& path,
                       std::map<std::string, ComposeError>& missing);
// label_file.cpp: the labels of the service's label files (later files win) fill `labels`
// where `labels` does not set them. Missing files are reported like env files.
void resolve_label_files(const Node& service_node, json& service, Walk& w, const std::string& path,
                         std::map<std::string, ComposeError>& missing);
json environment(const Node&, const Type&, Walk&, const std::string&);     // environment.cpp
json build_args(const Node&, const Type&, Walk&, const std::string&);      // environment.cpp
json labels(const Node&, const Type&, Walk&, const std::string&);          // labels.cpp
json list_or_dict(const Node&, const Type&, Walk&, const std::string&);    // labels.cpp
json healthcheck(const Node&, const Type&, Walk&, const std::string&);     // healthcheck.cpp
json healthcheck_test(const Node&, const Type&, Walk&, const std::string&);  // healthcheck.cpp
json build(const Node&, const Type&, Walk&, const std::string&);           // build.cpp
json label_file(const Node&, const Type&, Walk&, const std::string&);      // label_file.cpp
json build_ssh(const Node&, const Type&, Walk&, const std::string&);       // ssh.cpp
json service_file_refs(const Node&, const Type&, Walk&, const std::string&);  // service_secrets.cpp
json service_networks(const Node&, const Type&, Walk&, const std::string&);   // networks.cpp
json ulimits(const Node&, const Type&, Walk&, const std::string&);         // ulimits.cpp
json extra_hosts(const Node&, const Type&, Walk&, const std::string&);     // extra_hosts.cpp
json devices(const Node&, const Type&, Walk&, const std::string&);         // devices.cpp
json gpus(const Node&, const Type&, Walk&, const std::string&);            // devices.cpp
json device_count(const Node&, const Type&, Walk&, const std::string&);    // devices.cpp
json service_models(const Node&, const Type&, Walk&, const std::string&);  // models.cpp
json host_path(const Node&, const Type&, Walk&, const std::string&);       // paths.cpp
json external(const Node&, const Type&, Walk&, const std::string&);        // resources.cpp

// --- resources.cpp: top-level networks/volumes/secrets/configs/models: names, paths.
json top_level_resources(const Node* section, const Type& type, std::string_view kind, Walk& w);

}  // namespace mycompose::compose::schema
