#pragma once
// Build steps that mount run in a forked child with a private mount namespace: the overlay
// (and anything the step mounts) vanishes with the child, so a builder killed half-way
// leaves no mount behind, and the builder's own process never changes its mount table.
#include <functional>
#include <string_view>

namespace mycompose::build {

// Runs fn in the child. Its stdout/stderr (and those of processes it starts) are passed to
// output chunk by chunk while it runs (discarded when output is empty). An exception in the
// child is re-thrown here as mycompose::Error with the same message.
// Cancelled (mycompose/build/cancel.hpp) while it runs: the child ignores SIGINT and SIGTERM
// (a terminal sends Ctrl-C to the whole group), this process decides. On the first signal
// stop is called here until the child ends (a RUN step stops its container, and the child
// then cleans up as after any failure); with no stop the child is killed (it holds nothing
// but its mount namespace). Then throws Canceled.
void run_in_child(const std::function<void()>& fn, const std::function<void(std::string_view)>& output = {},
                  const std::function<void()>& stop = {});

}  // namespace mycompose::build
