// `mycompose logout [SERVER]`: removes the registry's entry from the Docker CLI config.json.
#include <iostream>

#include "commands.hpp"
#include "commands/flags/login.hpp"
#include "mycompose/image/registry.hpp"

namespace mycompose::cli {

std::string registry_server_domain(std::string s);  // login.cpp

void register_logout(CLI::App& app, Context& ctx) {
  static flags::LogoutOptions o;
  auto* cmd = flags::add_logout(app, o);
  cmd->callback([] {
    std::string domain = registry_server_domain(o.server);
    std::string shown = domain == "docker.io" ? image::registry::config_key(domain) : domain;
    if (!image::registry::erase_credentials(domain)) {
      std::cout << "Not logged in to " << shown << "\n";
      return;
    }
    std::cout << "Removing login credentials for " << shown << "\n";
  });
}

}  // namespace mycompose::cli
