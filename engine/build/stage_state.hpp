#pragma once
// One stage while it is built: its layers, image config and history, and the ARGs in scope;
// plus what the metadata-only instructions (ENV, LABEL, CMD, …) do to it.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/build/dockerfile.hpp"
#include "mycompose/build/shell_lex.hpp"
#include "mycompose/image/store.hpp"

namespace mycompose::build {

struct StageState {
  std::string name;                      // AS name, or its index as text
  std::vector<image::LayerInfo> layers;  // lowest first
  nlohmann::json config = nlohmann::json::object();   // image config "config" object
  nlohmann::json history = nlohmann::json::array();
  std::string author;
  std::string last_created;              // time of the newest layer (history "created" of metadata steps)
  std::map<std::string, std::string> args;  // ARGs in scope that have a value
  bool cmd_set = false;                  // CMD given in this stage (ENTRYPOINT then keeps it)
  bool cache_missed = false;             // after a miss, the rest of the stage is not looked up

  std::optional<std::string> env(std::string_view key) const;
  void set_env(const std::string& key, const std::string& value);
  std::vector<std::string> env_list() const;
  std::vector<std::string> shell() const;  // SHELL, default /bin/sh -c
  // Variables for substitution: ENV wins over ARG, as in Docker.
  VarLookup lookup() const;
  std::string top_chain() const { return layers.empty() ? "" : layers.back().chain_id; }
};

// Applies an instruction that changes only the config (not RUN/COPY/ADD/FROM/ARG).
// Throws Error (without location; the builder adds it).
void apply_metadata(StageState& s, const Instruction& ins, char escape);

// Key=value pairs of ENV / LABEL / ARG, expanded (legacy "ENV key value words" included).
std::vector<std::pair<std::string, std::optional<std::string>>> key_values(const Instruction& ins, const VarLookup& vars,
                                                                           char escape);

}  // namespace mycompose::build
