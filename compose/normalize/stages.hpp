#pragma once
// The steps normalize() runs after the schema walk (see compose/normalize.cpp).
#include <string>
#include <vector>

#include "schema.hpp"

namespace mycompose::compose::schema {

// implied.cpp: what compose adds when it normalizes: the `default` network for services
// without networks or network_mode (and its top-level entry), and depends_on entries
// implied by links, `service:` namespaces and volumes_from.
void add_implied(json& model, const NormalizeContext& ctx);

// validate.cpp: references to undefined or disabled services, networks, volumes, secrets,
// configs and models; depends_on cycles; container_name with replicas; image or build.
// `warnings` receives notes about optional dependencies that were dropped.
void validate_references(const Node& merged, json& model, const NormalizeContext& ctx,
                         std::vector<std::string>& warnings);

// prune.cpp: drops top-level networks/volumes/secrets/configs/models no service uses
// (compose does this unless --all-resources).
void drop_unused_resources(json& model);

// supported.cpp: keys present in the model that the engine does not honour yet.
std::vector<std::string> unsupported_keys(const json& model);
// Warnings about the attributes only Swarm honours (swarm_only.cpp).
void warn_swarm_only(const json& model, std::vector<std::string>& warnings);

// The keys of `obj` in the order of `type`'s properties, then the rest (x-*).
void reorder(json& obj, const Type& type);

}  // namespace mycompose::compose::schema
