#pragma once
// `mycompose alpha`: docker compose's experimental commands; `alpha viz` so far.
#include "common.hpp"

namespace mycompose::cli::flags {

struct VizOptions {
  bool image = false;
  int indentation_size = 1;
  bool networks = false;
  bool ports = false;
  bool spaces = false;
};

struct AlphaOptions {
  VizOptions viz;
};

inline CLI::App* add_alpha(CLI::App& parent, AlphaOptions& o) {
  auto* cmd = parent.add_subcommand("alpha", "Experimental commands");
  cmd->require_subcommand(1);
  auto* viz = cmd->add_subcommand("viz", "EXPERIMENTAL - Generate a graphviz graph from your compose file");
  viz->add_flag("--image", o.viz.image, "Include service's image name in output graph");
  viz->add_option("--indentation-size", o.viz.indentation_size, "Number of tabs or spaces to use for indentation")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  viz->add_flag("--networks", o.viz.networks, "Include service's attached networks in output graph");
  viz->add_flag("--ports", o.viz.ports, "Include service's exposed ports in output graph");
  viz->add_flag("--spaces", o.viz.spaces,
                "If given, space character ' ' will be used to indent,\notherwise tab character '\\t' will be used");
  return cmd;
}

}  // namespace mycompose::cli::flags
