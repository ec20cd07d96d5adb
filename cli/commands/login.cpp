// `mycompose login [SERVER]`: verifies the credentials against the registry's /v2/ and
// stores them in the Docker CLI's config.json, which Docker itself reads too.
#include <unistd.h>

#include <iostream>

#include "commands.hpp"
#include "commands/flags/login.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/image/registry.hpp"

namespace mycompose::cli {

// "https://localhost:5000/v1/" → "localhost:5000"; "" and Docker Hub's names → "docker.io".
std::string registry_server_domain(std::string s) {
  for (std::string scheme : {"https://", "http://"})
    if (s.rfind(scheme, 0) == 0) s = s.substr(scheme.size());
  s = s.substr(0, s.find('/'));
  if (s.empty() || s == "index.docker.io" || s == "registry-1.docker.io" || s == "registry.hub.docker.com") return "docker.io";
  return s;
}

void register_login(CLI::App& app, Context& ctx) {
  static flags::LoginOptions o;
  auto* cmd = flags::add_login(app, o);
  cmd->callback([] {
    std::string domain = registry_server_domain(o.server);
    if (o.password_stdin) {
      if (!o.password.empty()) throw Error("--password and --password-stdin are mutually exclusive");
      if (o.username.empty()) throw Error("Must provide --username with --password-stdin");
      std::string line, all;
      while (std::getline(std::cin, line)) all += (all.empty() ? "" : "\n") + line;
      while (!all.empty() && (all.back() == '\r' || all.back() == '\n')) all.pop_back();
      o.password = all;
    } else if (!o.password.empty()) {
      std::cerr << "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n";
    }
    if (o.username.empty()) throw Error("login to " + domain + ": a username is required (-u USER)");
    if (o.password.empty()) throw Error("login to " + domain + ": a password is required (-p PASS or --password-stdin)");
    image::registry::Credentials c{o.username, o.password, ""};
    image::registry::verify_login(domain, c);
    image::registry::store_credentials(domain, c);
    std::cout << "Login Succeeded\n";
  });
}

}  // namespace mycompose::cli
