#pragma once
// The ports a container exposes (Docker's Config.ExposedPorts): what `ps` lists without a host
// port, and what a published port is listed instead of.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mycompose::scheduler {

using ExposedPort = std::pair<int, std::string>;  // (port, "tcp" | "udp" | "sctp")

// As docker compose's buildContainerPorts and the engine's merge with the image: the image's
// EXPOSE ("80/tcp" keys of config.ExposedPorts), the service's `expose` (a range "9091-9092"
// is each of its ports, no protocol is tcp) and the targets of its `ports`. Sorted, unique;
// entries that are no port are skipped (nothing is refused here, only listed).
std::vector<ExposedPort> exposed_ports(const nlohmann::ordered_json& definition, const nlohmann::json& image);

// <container>/exposed.json, written at create: [[port, "tcp"], …]; none (an older container)
// reads back empty.
void write_exposed(const std::filesystem::path& container_dir, const std::vector<ExposedPort>& ports);
std::vector<ExposedPort> read_exposed(const std::filesystem::path& container_dir);

}  // namespace mycompose::scheduler
