#pragma once
// Building services' images in this process with the Dockerfile builder, as `mycompose build`
// and `up --build` do: buildkit-like plain progress ("#n [web 2/5] RUN …", "#n DONE 0.3s"),
// then "[+] Building 0.4s (4/4) FINISHED" and " ✔ Service web  Built" per service.
// The builder forks per RUN step: call it only while this process has a single thread.
#include <string>
#include <vector>

#include "commands/flags/build.hpp"
#include "commands/service_images.hpp"
#include "mycompose/compose/loader.hpp"
#include "mycompose/image/store.hpp"

namespace mycompose::cli {

// Where the build display goes: stdout (docker compose's build display), or stderr for `run`,
// whose stdout is the container's output.
void build_display_on_stderr(bool on_stderr);

// Builds every service of `services` (each must have a build section) into its effective
// image; o gives --build-arg, --no-cache, --pull, --push and -q. Returns the services built.
std::vector<std::string> build_services(const compose::Project& project, const std::vector<ServiceImage>& services,
                                        const flags::BuildOptions& o, image::ImageStore& store, bool quiet);

}  // namespace mycompose::cli
