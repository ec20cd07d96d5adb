#pragma once
// CVE-2019-5736: the container's init must not run from the host binary, or a process in the
// container could reopen /proc/<init>/exe for writing and replace it. We run it from an
// anonymous, sealed (read-only, fixed size) memfd copy.
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {

// The init program beside our binary (mycompose-init) if present, else our own binary.
UniqueFd sealed_self_copy();

}  // namespace mycompose::runtime
