// `mycompose` itself: a small, statically linked program. The OCI runtime command line
// (`mycompose runtime …`, on the path of every container start made from a shell or another
// tool) runs here, with no shared library to load; every other command is exec'd in
// mycompose-cli beside it, which loads the ~26 shared libraries the rest of mycompose needs
// (dynamic linking alone costs it ~4 ms of CPU, more than a whole container start budget allows).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "commands/commands.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "parse_dump.hpp"
#include "run_app.hpp"

namespace {

std::string beside_self(const char* name) {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return name;
  std::string path(self, static_cast<std::size_t>(n));
  return path.substr(0, path.rfind('/') + 1) + name;
}

}  // namespace

int main(int argc, char** argv) {
  // The runtime falls back to re-executing this binary as the container init when
  // mycompose-init is not installed beside it.
  if (argc > 0 && std::strcmp(argv[0], "mycompose-init") == 0) mycompose::runtime::init_main();
  if (argc > 1 && std::strcmp(argv[1], "runtime") == 0 && !mycompose::cli::parse_dump_requested())
    return mycompose::cli::run_with({mycompose::cli::register_runtime}, argc, argv);
  const std::string full = beside_self("mycompose-cli");
  ::execv(full.c_str(), argv);
  std::fprintf(stderr, "error: cannot run %s: %s (it is installed beside mycompose)\n", full.c_str(), std::strerror(errno));
  return 127;
}
