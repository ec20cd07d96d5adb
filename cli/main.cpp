#include <cstring>

#include "mycompose/cli/app.hpp"
#include "mycompose/runtime/runtime.hpp"

int main(int argc, char** argv) {
  // A container's PID 1 (exec'd by the runtime from a memfd): skip building the whole CLI.
  if (argc > 0 && std::strcmp(argv[0], "mycompose-init") == 0) mycompose::runtime::init_main();
  return mycompose::cli::run(argc, argv);
}
