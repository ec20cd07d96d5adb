// The container's PID 1 as a program of its own. `mycompose` loads ~26 shared libraries
// (cpp-httplib's OpenSSL init alone costs ~3 ms) that the init never uses; this one links only
// the runtime, libseccomp and libcap, so the re-exec from the sealed memfd is cheap. The runtime
// copies it from next to its own binary and falls back to itself (argv[0] "mycompose-init").
#include "mycompose/runtime/runtime.hpp"

int main() { mycompose::runtime::init_main(); }
