#pragma once
// OpenSSH for tests of RUN --mount=type=ssh: busybox has no agent client, so the host's
// ssh-add and the libraries it loads are copied into a folder a Dockerfile COPYs to /.
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "run.hpp"

namespace mycompose::test {

// Copies /usr/bin/ssh-add and what `ldd` lists under root (same absolute paths).
inline void stage_ssh_add(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  auto copy_in = [&](const fs::path& p) {
    auto dest = root / p.relative_path();
    fs::create_directories(dest.parent_path());
    fs::copy_file(fs::canonical(p), dest, fs::copy_options::overwrite_existing);
  };
  copy_in("/usr/bin/ssh-add");
  auto ldd = run({"ldd", "/usr/bin/ssh-add"});
  if (ldd.exit_code != 0) throw std::runtime_error("ldd /usr/bin/ssh-add: " + ldd.err);
  std::istringstream lines(ldd.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    for (std::string w; words >> w;)
      if (w[0] == '/') copy_in(w);
  }
}

// A new passphrase-less ed25519 key at `path`; returns its fingerprint ("SHA256:…").
inline std::string new_ssh_key(const std::filesystem::path& path) {
  auto k = run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mycompose-test", "-f", path.string()});
  if (k.exit_code != 0) throw std::runtime_error("ssh-keygen: " + k.err);
  auto fp = run({"ssh-keygen", "-lf", path.string()});
  std::istringstream in(fp.out);
  std::string bits, print;
  in >> bits >> print;
  return print;
}

}  // namespace mycompose::test
