#pragma once
// `ps --format`'s Go templates as docker's container formatter reads them: "table" (docker
// compose's columns), "json", "table TEMPLATE" (a header row of the fields' column names,
// cells aligned as tabwriter does) and a bare TEMPLATE (a line per container). A template
// holds text and {{.Field}} actions ({{ .Field }}, {{json .}} too); `\t` and `\n` in it are a
// tab and a newline. Anything else in braces is refused by name: no template engine here,
// only what ps formats use.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mycompose::cli {

// `containers`: ps's JSON objects (Command already quoted and cut as docker's formatter does).
// trunc: IDs cut to 12 digits, as docker ps shows them. Throws Error for a template it cannot
// read.
std::string format_containers(const std::string& format, const std::vector<nlohmann::json>& containers, bool trunc);

// psFormat from the Docker CLI's config file ($DOCKER_CONFIG/config.json, else
// ~/.docker/config.json); "" when there is none, or the file cannot be read.
std::string docker_config_ps_format();

}  // namespace mycompose::cli
