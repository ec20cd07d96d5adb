#pragma once
// docker compose's commands by project name (`-p NAME stop` with no compose file): the project
// rebuilt from what its containers, networks and volumes carry, as docker compose rebuilds it
// from their labels. Each container's folder keeps the service definition it was made from
// (service.json), so start and restart reconnect it the way it was made.
#include <string>
#include <vector>

#include "context.hpp"
#include "mycompose/compose/loader.hpp"

namespace mycompose::cli {

// -p without -f: docker compose reads no compose file.
bool by_name_only(const Context& ctx);

// docker compose's projectOrName: with -p and no -f, the project named (no file is read);
// otherwise the compose files, and when they cannot be loaded, COMPOSE_PROJECT_NAME's
// project from its resources (or the loader's error without it). `services` selects as
// the loader does (files only).
// resolve_environment false: env_file entries are not read (down: a missing one must not keep
// a project from being removed).
compose::Project project_or_name(const Context& ctx, const std::vector<std::string>& services = {}, bool resolve_environment = true);
// The name alone, by the same rule.
std::string project_name_or_file(const Context& ctx);

// The project `name` as its resources describe it: a service per service label (its newest
// container's definition, scale = its containers), the networks and volumes labelled with
// the project. A service without containers is not there: the engine's verbs say so
// ("no such service: x"), or do nothing where docker compose does nothing (pause).
compose::Project project_from_resources(const std::string& name);

}  // namespace mycompose::cli
